"""``perbup serve``: the HTTP service (Starlette on uvicorn) and the web page it serves.

Endpoints (all JSON unless said; the OpenAPI description is at ``/openapi.json``, a
readable list at ``/docs``):

    POST   /v1/check                       one package against a named context dataset
    POST   /v1/audits                      upload exports and registries (multipart) -> a job
    GET    /v1/audits                      the latest jobs
    GET    /v1/audits/{id}                 status and progress
    GET    /v1/audits/{id}/report.{fmt}    html, json, csv or md, when done
    DELETE /v1/audits/{id}                 the job, its files and its reports
    GET    /v1/clauses, /v1/clauses/{id}   text, citation, parameters
    GET    /v1/params                      parameters with their legal bounds (the drafter's form)
    POST   /v1/what-if                     parameter changes -> check, scenarios, flips, redline, draft

Safe by default (see :func:`create_app` and ``docs/service.md``): the CLI listens on
127.0.0.1 and refuses another address without a token; with a token every API request
needs ``Authorization: Bearer``; a body over the upload limit is refused with 413 from
its Content-Length, or as soon as the bytes streamed pass the limit, before anything is
stored; upload names are labels, never paths; archives are refused, not unpacked; an
error is JSON with a code (and a location when there is one), never a traceback.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import multiprocessing
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import errors
from ..errors import PerbupError
from .jobs import JobStore
from .worker import REGISTRY_PREFIX, REPORT_FORMATS, error_dict, load_uploaded, run_audit, run_what_if

log = logging.getLogger("perbup.serve")

STATIC = Path(__file__).resolve().parent / "static"
#: 200 MB: a year of a kabupaten's SPSE and SiRUP exports is far below this.
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024
#: Archive signatures refused (an .xlsx is a zip too: allowed only under an .xlsx/.xlsm name).
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!", b"BZh", b"\xfd7zXZ\x00")
_ARCHIVE_NAMES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz")
_CONTENT_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json; charset=utf-8",
                  "csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8"}
#: Paths served without a token: the page shell and its script/style hold no data.
_PUBLIC = ("/", "/static/", "/favicon.ico")


@dataclass
class Settings:
    db: str
    rules: str
    token: str | None = None
    max_upload: int = DEFAULT_MAX_UPLOAD
    workers: int = 2
    #: how many context datasets keep a PackageChecker in memory
    checkers: int = 4


def problem(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


class _TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: bearer token, body size limit (Content-Length and counted while streaming)."""

    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        send = _with_headers(send)
        path = scope.get("path", "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        token = self.settings.token
        if token and not (path == "/" or path.startswith("/static/") or path == "/favicon.ico"):
            auth = headers.get("authorization", "")
            given = auth[7:] if auth.lower().startswith("bearer ") else ""
            if not hmac.compare_digest(given.encode(), token.encode()):
                resp = problem(401, "unauthorized", "this server needs Authorization: Bearer <token>")
                resp.headers["WWW-Authenticate"] = "Bearer"
                return await resp(scope, receive, send)
        limit = self.settings.max_upload
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return await problem(400, "bad_request", "Content-Length is not a number")(scope, receive, send)
            if int(length) > limit:
                return await _too_large(limit)(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return message

        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(limit)(scope, receive, send)


def _with_headers(send):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _v in message.get("headers", [])}
            extra = [(k, v) for k, v in ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
                     if k not in names]
            message = {**message, "headers": list(message.get("headers", [])) + extra}
        await send(message)

    return wrapped


def _too_large(limit: int) -> JSONResponse:
    return problem(413, "upload_too_large", f"the request body is over the limit of {limit} bytes; nothing was stored",
                   limit=limit)


class Service:
    """The state behind the routes: the job store, the worker pool and the checkers."""

    def __init__(self, settings: Settings):
        import perbup_rules as pr

        self.settings = settings
        self.store = JobStore(settings.db)
        self.ruleset = pr.load_ruleset(settings.rules)
        self.pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._checkers: OrderedDict[str, Any] = OrderedDict()
        self._checker_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # pool ------------------------------------------------------------------------------
    def start(self) -> None:
        self._new_pool()
        for job_id in self.store.recover():
            self.submit(job_id)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def _new_pool(self) -> None:
        with self._pool_lock:
            self.pool = ProcessPoolExecutor(max_workers=self.settings.workers,
                                            mp_context=multiprocessing.get_context("spawn"))

    def submit(self, job_id: str) -> None:
        try:
            fut = self.pool.submit(run_audit, self.settings.db, self.settings.rules, job_id)  # type: ignore[union-attr]
        except (BrokenProcessPool, RuntimeError):
            self._new_pool()
            fut = self.pool.submit(run_audit, self.settings.db, self.settings.rules, job_id)  # type: ignore[union-attr]

        def done(f):
            err = f.exception()
            if err is not None:  # the worker process died (killed, out of memory): say so on the job
                self.store.fail(job_id, {"code": "worker_died", "message": f"the worker process stopped ({type(err).__name__})"})
                if isinstance(err, BrokenProcessPool):
                    self._new_pool()

        fut.add_done_callback(done)

    async def in_process(self, fn, *args):
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.pool, fn, *args)
        except BrokenProcessPool:
            self._new_pool()
            raise HTTPException(503, "the worker pool restarted; try again")

    # datasets ------------------------------------------------------------------------------
    def dataset_files(self, name: str) -> list[tuple[str, bytes]] | None:
        """The uploaded files of audit ``name`` (None for the bundled example)."""
        if name == "example":
            return None
        job = self.store.get(name)
        if job is None:
            raise HTTPException(404, f"no dataset {name!r}: name an audit id or 'example'")
        return self.store.files(name)

    def checker(self, name: str):
        """The PackageChecker of a context dataset (loaded and indexed once, kept for the next calls)."""
        import perbup_rules as pr

        with self._lock:
            if name in self._checkers:
                self._checkers.move_to_end(name)
                return self._checkers[name]
            lock = self._checker_locks.setdefault(name, threading.Lock())
        with lock:
            with self._lock:
                if name in self._checkers:
                    return self._checkers[name]
            files = self.dataset_files(name)
            ds = pr.load_dataset(pr.EXAMPLE_DATA) if files is None else load_uploaded(files, None)
            checker = pr.PackageChecker(self.ruleset, ds)
            for year in ds.periods():  # index every year now, so a check never waits for it
                checker.index(year)
            with self._lock:
                self._checkers[name] = checker
                while len(self._checkers) > self.settings.checkers:
                    self._checkers.popitem(last=False)
            return checker


# --- routes ---------------------------------------------------------------------------------

def _svc(request: Request) -> Service:
    return request.app.state.service


async def _json_body(request: Request) -> dict:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError) as err:
        raise _BadBody(f"the body is not JSON: {err}") from None
    if not isinstance(body, dict):
        raise _BadBody("the body must be a JSON object")
    return body


class _BadBody(Exception):
    pass


async def index(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


async def health(request: Request) -> Response:
    svc = _svc(request)
    return JSONResponse({"status": "ok", "regulation": svc.ruleset.data["regulation"].get("id"),
                         "fingerprint": svc.ruleset.fingerprint})


async def check(request: Request) -> Response:
    """POST /v1/check {"dataset": "example"|audit id, "purchase": {column: cell}}."""
    body = await _json_body(request)
    name = body.get("dataset") or "example"
    purchase = body.get("purchase")
    if not isinstance(name, str):
        raise _BadBody("dataset must be a string: an audit id or 'example'")
    if not isinstance(purchase, dict):
        raise _BadBody("purchase must be an object of column -> cell")
    svc = _svc(request)
    checker = await run_in_threadpool(svc.checker, name)
    # about a millisecond once the context is indexed (benchmarks/check_package.py): run inline, not
    # through the thread pool, whose hand-offs would cost more than the check
    result = checker.check(purchase)
    return JSONResponse({"dataset": name, **result.to_dict()})


def _is_archive(name: str, head: bytes) -> bool:
    low = name.lower()
    if low.endswith(_ARCHIVE_NAMES):
        return True
    if head.startswith(b"PK\x03\x04"):
        return not low.endswith((".xlsx", ".xlsm"))
    return any(head.startswith(m) for m in _ARCHIVE_MAGIC[1:])


async def create_audit(request: Request) -> Response:
    """POST /v1/audits, multipart: files (repeat), registries (repeat, optional), optional kind, engine, stage,
    periods (comma-separated), no_assume (named assumptions to turn off; repeat or comma-separated),
    as_of (the audit date, YYYY-MM-DD), max_candidates."""
    svc = _svc(request)
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        return problem(415, "unsupported_media_type", "upload the files as multipart/form-data (field 'files')")
    form = await request.form(max_files=100, max_fields=20)
    uploads = [f for f in form.getlist("files") if hasattr(f, "read")]
    if not uploads:
        return problem(400, "no_files", "no files were uploaded (field 'files')")
    # supplier registries (docs/registries.md) go in the field 'registries'; stored with a prefix
    registries = [f for f in form.getlist("registries") if hasattr(f, "read")]
    files = []
    for f in uploads + registries:
        data = await f.read()
        name = (f.filename or "upload").strip()[:200] or "upload"
        if _is_archive(name, data[:8]):
            return problem(415, "archive_refused", f"{name}: archives are not unpacked; upload the files inside it",
                           location={"file": name})
        if not data:
            return problem(400, "empty_file", f"{name} is empty", location={"file": name})
        files.append((REGISTRY_PREFIX + name if f in registries else name, data))
    options: dict[str, Any] = {}
    kind = form.get("kind")
    if kind:
        from ..importers import KINDS

        if kind not in KINDS and kind != "auto":
            return problem(400, "usage", f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
        options["kind"] = None if kind == "auto" else kind
    engine = form.get("engine")
    if engine:
        if engine not in ("durable", "reference"):
            return problem(400, "usage", "engine is durable or reference")
        options["engine"] = engine
    stage = form.get("stage")
    if stage:
        from ..records import STAGES

        if stage not in STAGES:
            return problem(400, "usage", f"stage is one of {', '.join(STAGES)}")
        options["stage"] = stage
    periods = form.get("periods")
    if periods:
        try:
            options["periods"] = [int(p) for p in str(periods).split(",") if p.strip()]
        except ValueError:
            return problem(400, "usage", "periods are years separated by commas, e.g. 2025,2026")
    no_assume = [a.strip() for v in form.getlist("no_assume") for a in str(v).split(",") if a.strip()]
    if no_assume:  # named assumptions turned off (perbup audit --no-assume)
        from ..assumptions import IDS

        unknown = [a for a in no_assume if a not in IDS]
        if unknown:
            return problem(400, "usage", f"unknown assumption {unknown[0]!r}; one of: {', '.join(IDS)}")
        options["no_assume"] = sorted(set(no_assume))
    as_of = form.get("as_of")
    if as_of:
        import datetime as _dt

        try:
            options["as_of"] = _dt.date.fromisoformat(str(as_of).strip()).isoformat()
        except ValueError:
            return problem(400, "usage", "as_of is a date YYYY-MM-DD, e.g. 2028-04-01")
    max_candidates = form.get("max_candidates")  # as perbup audit --max-candidates (default 20, 0: all)
    if max_candidates:
        text = str(max_candidates).strip()
        if not text.isdigit():
            return problem(400, "usage", "max_candidates is a count of candidates (0 lists all)")
        options["max_candidates"] = int(text)
    job_id = await run_in_threadpool(svc.store.create, "audit", options, files)
    svc.submit(job_id)
    job = svc.store.get(job_id)
    return JSONResponse(_job_view(job), status_code=202, headers={"Location": f"/v1/audits/{job_id}"})


def _job_view(job: dict) -> dict:
    base = f"/v1/audits/{job['id']}"
    links = {"self": base}
    if job["status"] == "done":
        links.update({fmt: f"{base}/report.{fmt}" for fmt in REPORT_FORMATS})
    return {**job, "links": links}


async def list_audits(request: Request) -> Response:
    jobs = await run_in_threadpool(_svc(request).store.list)
    return JSONResponse({"audits": [_job_view(j) for j in jobs]})


async def get_audit(request: Request) -> Response:
    job = await run_in_threadpool(_svc(request).store.get, request.path_params["id"])
    if job is None:
        return problem(404, "not_found", "no such audit")
    return JSONResponse(_job_view(job))


async def audit_report(request: Request) -> Response:
    job_id, fmt = request.path_params["id"], request.path_params["fmt"]
    if fmt not in REPORT_FORMATS:
        return problem(404, "not_found", f"reports are {', '.join(REPORT_FORMATS)}")
    svc = _svc(request)
    job = await run_in_threadpool(svc.store.get, job_id)
    if job is None:
        return problem(404, "not_found", "no such audit")
    if job["status"] != "done":
        return problem(409, "not_ready", f"the audit is {job['status']}", job_status=job["status"])
    body = await run_in_threadpool(svc.store.result, job_id, fmt)
    headers = {"Content-Disposition": f'inline; filename="perbup-{job_id[:8]}.{fmt}"'}
    if fmt == "html":  # the report is self-contained: no script, nothing fetched
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return Response(body, media_type=_CONTENT_TYPES[fmt], headers=headers)


async def delete_audit(request: Request) -> Response:
    svc = _svc(request)
    job_id = request.path_params["id"]
    if not await run_in_threadpool(svc.store.delete, job_id):
        return problem(404, "not_found", "no such audit")
    with svc._lock:
        svc._checkers.pop(job_id, None)
    return Response(status_code=204)


def _clause_view(svc: Service, c: dict, full: bool) -> dict:
    from ..document import _params_used

    out = {"id": c["id"], "kind": c["kind"], "title": c["title"], "citation": c["citation"], "severity": c["severity"],
           "parameters": _params_used(c)}
    if full:
        out.update({"text": c.get("text"), "derived_from": c.get("derived_from"), "note": c.get("note"),
                    "valid_from": c.get("valid_from"), "valid_until": c.get("valid_until"),
                    "parameters": [{"name": n, **svc.ruleset.params[n]} for n in _params_used(c)]})
    return out


async def clauses(request: Request) -> Response:
    svc = _svc(request)
    return JSONResponse({"clauses": [_clause_view(svc, c, False) for c in svc.ruleset.clauses]})


async def clause(request: Request) -> Response:
    svc = _svc(request)
    cid = request.path_params["id"]
    for c in svc.ruleset.clauses:
        if c["id"] == cid:
            return JSONResponse(_clause_view(svc, c, True))
    return problem(404, "not_found", f"no clause {cid!r}")


async def params(request: Request) -> Response:
    svc = _svc(request)
    return JSONResponse({"params": [{"name": n, **p} for n, p in svc.ruleset.params.items()]})


async def what_if(request: Request) -> Response:
    """POST /v1/what-if {"set": {"NAME": "VALUE[@DATE]"} or ["NAME=VALUE[@DATE]"], "dataset": id|"example"|null}."""
    body = await _json_body(request)
    raw = body.get("set")
    if isinstance(raw, dict):
        settings = [f"{k}={v}" for k, v in raw.items()]
    elif isinstance(raw, list) and all(isinstance(s, str) for s in raw):
        settings = raw
    else:
        raise _BadBody("set must be an object NAME -> VALUE[@DATE] or a list of 'NAME=VALUE[@DATE]'")
    if not settings:
        raise _BadBody("set names no parameter")
    if len(settings) > 50:
        raise _BadBody("at most 50 settings")
    periods = body.get("periods")
    if periods is not None and not (isinstance(periods, list) and all(isinstance(p, int) and not isinstance(p, bool) for p in periods)):
        raise _BadBody("periods must be a list of years")
    svc = _svc(request)
    name = body.get("dataset")
    if name is not None and not isinstance(name, str):
        raise _BadBody("dataset must be an audit id, 'example' or null")
    files = await run_in_threadpool(svc.dataset_files, name) if name else None
    result = await svc.in_process(run_what_if, svc.settings.rules, files, name == "example", [str(s) for s in settings],
                                  periods or None)
    if "error" in result:
        return JSONResponse({"error": result["error"]}, status_code=422)
    return JSONResponse({"dataset": name, **result})


async def openapi(request: Request) -> Response:
    from .openapi import spec

    return JSONResponse(spec())


async def docs(request: Request) -> Response:
    from .openapi import docs_html

    return HTMLResponse(docs_html())


# --- errors: JSON with a code, never a traceback ------------------------------------------------

async def _perbup_error(request: Request, exc: Exception) -> Response:
    status = 422 if isinstance(exc, (errors.RecordError, errors.DataError, errors.UsageError)) else 500
    return JSONResponse({"error": error_dict(exc)}, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 503: "unavailable"}
    resp = problem(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))
    if exc.headers:
        resp.headers.update(exc.headers)
    return resp


async def _bad_body(request: Request, exc: Exception) -> Response:
    return problem(400, "bad_request", str(exc))


async def _internal(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return problem(500, "internal_error", "internal error; see the server log")


def create_app(settings: Settings) -> Starlette:
    """The ASGI app. Starting it (lifespan) opens the worker pool and recovers the job store."""
    service = Service(settings)

    @asynccontextmanager
    async def lifespan(app):
        service.start()
        try:
            yield
        finally:
            service.stop()

    routes = [
        Route("/", index),
        Route("/openapi.json", openapi),
        Route("/docs", docs),
        Route("/v1/health", health),
        Route("/v1/check", check, methods=["POST"]),
        Route("/v1/audits", create_audit, methods=["POST"]),
        Route("/v1/audits", list_audits, methods=["GET"]),
        Route("/v1/audits/{id}", get_audit, methods=["GET"]),
        Route("/v1/audits/{id}", delete_audit, methods=["DELETE"]),
        Route("/v1/audits/{id}/report.{fmt}", audit_report, methods=["GET"]),
        Route("/v1/clauses", clauses),
        Route("/v1/clauses/{id}", clause),
        Route("/v1/params", params),
        Route("/v1/what-if", what_if, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        PerbupError: _perbup_error, HTTPException: _http_error, _BadBody: _bad_body, Exception: _internal,
    })
    app.state.service = service
    app.add_middleware(Guard, settings=settings)
    return app
