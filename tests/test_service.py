"""HTTP tests of `perbup serve` (perbup_rules.service) through Starlette's TestClient, as a client uses it."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

import perbup_rules as pr  # noqa: E402
from perbup_rules.service.app import Settings, create_app  # noqa: E402
from perbup_rules.service.jobs import INTERRUPTED, JobStore  # noqa: E402

EXAMPLE = Path(pr.EXAMPLE_DATA)
TOKEN = "s3cret-token-for-tests-0123"


def _files(*names: str):
    return [("files", (n, (EXAMPLE / n).read_bytes(), "text/csv")) for n in names]


def _wait(client, job_id, attempts=600):
    for _ in range(attempts):  # bounded polling, not a time limit on the work
        job = client.get(f"/v1/audits/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("svc") / "jobs.sqlite3"
    app = create_app(Settings(db=str(db), rules=str(pr.BUNDLED_RULES), max_upload=5 * 1024 * 1024, workers=1))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def done_audit(client):
    r = client.post("/v1/audits", files=_files("parties.csv", "purchases.csv", "partnerships.csv", "reports.csv"),
                    data={"engine": "reference"})
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/v1/audits/{r.json()['id']}"
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done", job
    return job


def test_health_clauses_and_params(client):
    assert client.get("/v1/health").json()["status"] == "ok"
    ids = [c["id"] for c in client.get("/v1/clauses").json()["clauses"]]
    assert "KMT-01" in ids and "KMT-03" in ids
    c = client.get("/v1/clauses/KMT-01").json()
    assert c["citation"] and c["text"] and c["derived_from"]
    (p,) = [p for p in c["parameters"] if p["name"] == "umkk_share_min"]
    assert p["higher_rule"]["min"] == "0.40" and p["values"][0]["value"] == "0.40"
    assert client.get("/v1/clauses/KMT-99").status_code == 404
    params = {p["name"]: p for p in client.get("/v1/params").json()["params"]}
    assert params["umkk_reserved_max"]["unit"] == "idr"


def test_openapi_and_docs_describe_every_route(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/v1/check", "/v1/audits", "/v1/audits/{id}", "/v1/audits/{id}/report.{fmt}", "/v1/clauses",
                 "/v1/clauses/{id}", "/v1/what-if"):
        assert path in spec["paths"], path
    assert "delete" in spec["paths"]["/v1/audits/{id}"]
    page = client.get("/docs")
    assert page.status_code == 200 and "/v1/what-if" in page.text


def test_the_page_is_served_in_bahasa_indonesia_without_external_resources(client):
    page = client.get("/")
    assert page.status_code == 200 and 'lang="id"' in page.text
    assert "Unggah dan audit" in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200
    assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text


def test_audit_by_upload_gives_the_reports_the_library_gives(client, done_audit):
    job_id = done_audit["id"]
    expected = pr.evaluate(pr.load_ruleset(pr.BUNDLED_RULES), pr.load_dataset(EXAMPLE), "reference")
    assert done_audit["summary"]["totals"] == expected.totals()
    assert done_audit["progress"] == 1 and done_audit["summary"]["reconciles"] is True
    assert [f["name"] for f in done_audit["files"]] == ["parties.csv", "purchases.csv", "partnerships.csv", "reports.csv"]
    csv_ = client.get(f"/v1/audits/{job_id}/report.csv")
    assert csv_.headers["content-type"].startswith("text/csv")
    assert csv_.content == expected.to_csv().encode()
    data = client.get(f"/v1/audits/{job_id}/report.json").json()
    assert [f["clause"] for f in data["findings"]] == [f.clause for f in expected.findings]
    html = client.get(f"/v1/audits/{job_id}/report.html")
    assert "default-src 'none'" in html.headers["content-security-policy"] and "<html" in html.text
    md = client.get(f"/v1/audits/{job_id}/report.md").text
    assert "KMT-03" in md
    assert client.get(f"/v1/audits/{job_id}/report.pdf").status_code == 404
    # the uploads' names are labels: no server path anywhere in the report
    assert "/tmp" not in json.dumps(data["sources"]) and "perbup-upload" not in html.text


def test_check_one_package_against_an_uploaded_dataset(client, done_audit):
    body = {"dataset": done_audit["id"], "purchase": {"id": "baru-1", "stage": "Award", "buyer_id": "pd-dinkes",
                                                      "procurement_type": "Barang", "value_idr": "Rp 1.000.000",
                                                      "date": "2025-05-01"}}
    r = client.post("/v1/check", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    direct = pr.PackageChecker(pr.load_ruleset(pr.BUNDLED_RULES), pr.load_dataset(EXAMPLE)).check(body["purchase"])
    assert {k: v for k, v in got.items() if k != "dataset"} == json.loads(json.dumps(direct.to_dict()))
    assert {s["clause"] for s in got["shares"]} >= {"KMT-01"}
    example = client.post("/v1/check", json={**body, "dataset": "example"}).json()
    assert example["shares"] == got["shares"]


@pytest.mark.parametrize("body, status, code", [
    ({"purchase": {"id": "x", "stage": "Awardd"}}, 422, "unknown_code"),
    ({"purchase": {"id": "x", "stage": "award", "value_idr": "1.500"}}, 422, "bad_value"),
    ({"purchase": {"id": "x", "stage": "award", "supplier_id": "nobody"}}, 422, "unknown_reference"),
    ({"purchase": "x"}, 400, "bad_request"),
    ({"dataset": "nope", "purchase": {"id": "x"}}, 404, "not_found"),
])
def test_check_errors_are_located_json(client, body, status, code):
    r = client.post("/v1/check", json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and "Traceback" not in r.text
    if status == 422 and code != "unknown_reference":
        assert err["location"]["field"] in ("stage", "value_idr")


def test_a_body_that_is_not_json_is_a_400(client):
    r = client.post("/v1/check", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_request"


def test_bad_upload_fails_the_job_with_located_errors_under_the_upload_name(client):
    bad = b"id,stagee\np1,award\n"
    r = client.post("/v1/audits", files=[("files", ("parties.csv", b"id\n", "text/csv")),
                                         ("files", ("purchases.csv", bad, "text/csv"))])
    job = _wait(client, r.json()["id"])
    assert job["status"] == "failed"
    diags = job["error"]["diagnostics"]
    assert diags and diags[0]["code"] == "missing_column"
    assert diags[0]["location"]["file"] == "purchases.csv"
    assert "/tmp" not in json.dumps(job["error"])


def test_upload_names_are_never_paths(client, tmp_path):
    evil = "../../../../tmp/perbup-evil.csv"
    r = client.post("/v1/audits", files=[("files", (evil, (EXAMPLE / "purchases.csv").read_bytes(), "text/csv"))])
    job = _wait(client, r.json()["id"])
    assert not Path("/tmp/perbup-evil.csv").exists()
    assert job["files"][0]["name"] == evil  # kept as a label only
    assert job["status"] in ("done", "failed")
    if job["status"] == "failed":
        assert "Traceback" not in json.dumps(job["error"])


def test_archives_are_refused_not_unpacked(client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("purchases.csv", (EXAMPLE / "purchases.csv").read_text())
    before = len(client.get("/v1/audits").json()["audits"])
    for name in ("data.zip", "data.csv"):  # by name, and by content under an innocent name
        r = client.post("/v1/audits", files=[("files", (name, buf.getvalue(), "application/octet-stream"))])
        assert r.status_code == 415 and r.json()["error"]["code"] == "archive_refused"
    assert len(client.get("/v1/audits").json()["audits"]) == before


def test_uploads_over_the_limit_are_refused_before_anything_is_stored(client):
    before = len(client.get("/v1/audits").json()["audits"])
    big = b"id\n" + b"x" * (6 * 1024 * 1024)
    r = client.post("/v1/audits", files=[("files", ("parties.csv", big, "text/csv"))])
    assert r.status_code == 413 and r.json()["error"]["code"] == "upload_too_large"

    def stream():  # no Content-Length: counted while streaming
        for _ in range(7):
            yield b"y" * (1024 * 1024)

    r = client.post("/v1/audits", content=stream(), headers={"content-type": "multipart/form-data; boundary=zz"})
    assert r.status_code == 413
    assert len(client.get("/v1/audits").json()["audits"]) == before


def test_delete_removes_the_job_and_its_reports(client):
    r = client.post("/v1/audits", files=_files("parties.csv", "purchases.csv"), data={"engine": "reference"})
    job_id = r.json()["id"]
    _wait(client, job_id)
    assert client.delete(f"/v1/audits/{job_id}").status_code == 204
    assert client.get(f"/v1/audits/{job_id}").status_code == 404
    assert client.get(f"/v1/audits/{job_id}/report.json").status_code == 404
    assert client.delete(f"/v1/audits/{job_id}").status_code == 404


def test_what_if_flips_verdicts_and_returns_the_redline_and_the_draft(client):
    r = client.post("/v1/what-if", json={"set": {"umkk_share_min": "0.5"}, "dataset": "example"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["changes_total"] > 0
    assert all(c["clause"] in ("KMT-01", "KMT-02") for c in out["comparison"]["changes"])
    # a higher threshold only makes verdicts worse: compliant (or a group whose bounds straddled 40%) -> violation
    assert all(c["old"] in ("compliant", "cannot_determine") and c["new"] == "violation" for c in out["comparison"]["changes"])
    assert out["scenarios"]["failed"] >= 1  # the 40% boundary scenarios now fail
    assert all(not f["location"].startswith("/") for f in out["scenarios"]["failing"])
    assert "value: 0.5" in out["draft_params_yaml"] and "umkk_share_min" in out["redline_md"]
    lowered = client.post("/v1/what-if", json={"set": ["umkk_share_min=0.3"]}).json()
    assert lowered["warnings"] and lowered["dataset"] is None  # weakens the higher rule; no data compared
    assert any(d["code"] == "weakens_higher_law" for d in lowered["check"])


@pytest.mark.parametrize("body, status", [
    ({"set": {"no_such_param": "1"}}, 422),
    ({"set": {"umkk_share_min": "lots"}}, 422),
    ({"set": []}, 400),
    ({"set": {"umkk_share_min": "0.5"}, "dataset": "nope"}, 404),
])
def test_what_if_errors(client, body, status):
    r = client.post("/v1/what-if", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] and "Traceback" not in r.text


def test_token_guards_every_api_request(tmp_path):
    app = create_app(Settings(db=str(tmp_path / "j.sqlite3"), rules=str(pr.BUNDLED_RULES), token=TOKEN, workers=1))
    with TestClient(app) as c:
        assert c.get("/v1/health").status_code == 401
        assert c.get("/openapi.json").status_code == 401
        assert c.get("/v1/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/v1/health", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert c.get("/").status_code == 200  # the page shell holds no data; it asks for the token


def test_restart_fails_running_jobs_with_the_reason_and_resumes_queued_ones(tmp_path):
    db = tmp_path / "j.sqlite3"
    store = JobStore(db)
    running = store.create("audit", {"engine": "reference"}, [("parties.csv", (EXAMPLE / "parties.csv").read_bytes()),
                                                              ("purchases.csv", (EXAMPLE / "purchases.csv").read_bytes())])
    assert store.start(running, pid=999_999_999)  # a worker that no longer exists
    queued = store.create("audit", {"engine": "reference"}, [("parties.csv", (EXAMPLE / "parties.csv").read_bytes()),
                                                             ("purchases.csv", (EXAMPLE / "purchases.csv").read_bytes())])
    app = create_app(Settings(db=str(db), rules=str(pr.BUNDLED_RULES), workers=1))
    with TestClient(app) as c:
        first = c.get(f"/v1/audits/{running}").json()
        assert first["status"] == "failed" and first["error"]["code"] == "interrupted"
        assert first["error"]["message"] == INTERRUPTED
        assert _wait(c, queued)["status"] == "done"
    # a worker left over from before cannot overwrite the failed state
    assert not store.finish(running, 999_999_999, {}, {"json": b"{}"})
    assert store.get(running)["status"] == "failed"


def test_an_audit_with_a_registry_joins_it_and_links_exports(client):
    """Uploads are read as `perbup audit --data ... --registry ...` reads them: the Kutim register's
    businesses become candidates, the registry is named by its upload name, and the report equals
    the library's (categories from the draft's map included)."""
    register = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "kutim_umkm_registry_excerpt.csv"
    if not register.is_file():
        pytest.skip("shared/data/real is not beside the repository")
    files = _files("parties.csv", "purchases.csv", "partnerships.csv", "reports.csv")
    files.append(("registries", ("umkm-kutim.csv", register.read_bytes(), "text/csv")))
    r = client.post("/v1/audits", files=files, data={"engine": "reference"})
    assert r.status_code == 202, r.text
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done", job
    data = client.get(f"/v1/audits/{job['id']}/report.json").json()
    assert [g["path"] for g in data["registries"]] == ["umkm-kutim.csv"]
    assert "/tmp" not in json.dumps(data["registries"]) and "registry-0" not in json.dumps(data)
    ruleset = pr.load_ruleset(pr.BUNDLED_RULES)
    ds = pr.load_dataset(EXAMPLE, registries=[register])
    pr.categorize(ds, ruleset)
    expected = pr.evaluate(ruleset, ds, "reference")
    assert job["summary"]["totals"] == expected.totals()
    assert [f["clause"] for f in data["findings"]] == [f.clause for f in expected.findings]


def test_the_worker_encodes_every_report_as_render_does():
    """JSON and CSV are encoded in batches (report.stream), HTML and Markdown rendered: the bytes
    of Report.render, here with every verdict listed as the service lists them."""
    from perbup_rules.bulk.choose import Input, judge
    from perbup_rules.service.worker import REPORT_FORMATS, encoded

    ruleset = pr.load_ruleset(pr.BUNDLED_RULES)
    inp = Input(pr.load_dataset(EXAMPLE))
    try:
        report = judge(ruleset, inp, "reference", all_findings=True)
    finally:
        inp.close()
    assert len(report.findings) > 20_000  # more than one process may encode them (report.parallel.MIN_ITEMS)
    for fmt in REPORT_FORMATS:
        assert encoded(report, fmt) == report.render(fmt).encode("utf-8"), fmt


def test_a_report_over_the_store_limit_fails_the_job_with_a_code(tmp_path, monkeypatch):
    from perbup_rules.service.worker import run_audit

    store = JobStore(str(tmp_path / "jobs.sqlite3"))
    files = [(n, (EXAMPLE / n).read_bytes()) for n in ("parties.csv", "purchases.csv", "partnerships.csv")]
    job_id = store.create("audit", {"engine": "reference"}, files)
    monkeypatch.setattr(JobStore, "max_body", lambda self: 100_000)
    run_audit(str(tmp_path / "jobs.sqlite3"), str(pr.BUNDLED_RULES), job_id)
    job = store.get(job_id)
    assert job["status"] == "failed" and job["error"]["code"] == "usage"
    assert "over the 100,000 bytes" in job["error"]["message"] and "perbup audit" in job["error"]["message"]
