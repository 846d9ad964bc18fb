"""``perbup serve``: the HTTP service and web page (perbup_rules.service), on uvicorn."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from ._common import fail, handle_errors


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but a loopback address needs --token.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--db", "db", type=click.Path(path_type=Path), default=Path("perbup-jobs.sqlite3"), show_default=True,
              help="SQLite file holding jobs, uploads and reports (created if missing; survives restarts).")
@click.option("--rules", type=click.Path(path_type=Path), default=None, help="Regulation folder (default: the bundled draft).")
@click.option("--token", default=None, envvar="PERBUP_TOKEN",
              help="Bearer token every API request must carry (or the PERBUP_TOKEN environment variable).")
@click.option("--max-upload-mb", default=200, show_default=True, type=click.IntRange(1, 100_000),
              help="Refuse request bodies over this size (413) before storing anything.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes for audits and what-ifs.")
@click.option("--log-level", default="warning", show_default=True, type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@handle_errors
def command(host, port, db, rules, token, max_upload_mb, workers, log_level):
    """Serve the HTTP API (/v1, /openapi.json, /docs) and the web page (/) for auditors and drafters."""
    import uvicorn

    import perbup_rules as pr
    from ..service.app import Settings, create_app

    if not _loopback(host) and not token:
        fail(f"perbup: refusing to listen on {host} without --token (or PERBUP_TOKEN): anyone who can reach it "
             "could upload and read audits. Use --host 127.0.0.1, or set a token.")
    if token is not None and len(token) < 16:
        fail("perbup: --token must be at least 16 characters")
    rules = str(Path(rules or pr.BUNDLED_RULES).absolute())
    pr.load_regulation(rules)  # a broken draft stops here with its located errors, not at the first request
    settings = Settings(db=str(Path(db).resolve()), rules=rules, token=token, max_upload=max_upload_mb * 1024 * 1024,
                        workers=workers)
    app = create_app(settings)
    click.echo(f"perbup serve: http://{host}:{port}/ (API /v1, /openapi.json, /docs); jobs in {settings.db}", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level in ("info", "debug"),
                server_header=False, timeout_graceful_shutdown=5)
    os._exit(0)  # leave no worker behind (the pool was shut down by the lifespan)
