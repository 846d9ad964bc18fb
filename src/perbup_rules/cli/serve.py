"""``perbup serve``: the HTTP service and web page (perbup_rules.service), on uvicorn."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from ..i18n import t
from ._common import fail, handle_errors


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve", help=t("help.serve"))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=t("help.serve.host"))
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--db", "db", type=click.Path(path_type=Path), default=Path("perbup-jobs.sqlite3"), show_default=True,
              help=t("help.serve.db"))
@click.option("--rules", type=click.Path(path_type=Path), default=None, help=t("help.serve.rules"))
@click.option("--token", default=None, envvar="PERBUP_TOKEN",
              help=t("help.serve.token"))
@click.option("--max-upload-mb", default=200, show_default=True, type=click.IntRange(1, 100_000),
              help=t("help.serve.max_upload"))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help=t("help.serve.workers"))
@click.option("--log-level", default="warning", show_default=True, type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@handle_errors
def command(host, port, db, rules, token, max_upload_mb, workers, log_level):
    """``perbup serve`` (its help text is ``help.serve`` in the i18n catalogue)."""
    import uvicorn

    import perbup_rules as pr
    from ..service.app import Settings, create_app

    if not _loopback(host) and not token:
        fail("perbup: " + t("cli.serve.needs_token", host=host))
    if token is not None and len(token) < 16:
        fail("perbup: " + t("cli.serve.short_token"))
    rules = str(Path(rules or pr.BUNDLED_RULES).absolute())
    pr.load_regulation(rules)  # a broken draft stops here with its located errors, not at the first request
    settings = Settings(db=str(Path(db).resolve()), rules=rules, token=token, max_upload=max_upload_mb * 1024 * 1024,
                        workers=workers)
    app = create_app(settings)
    click.echo(t("cli.serve.listening", host=host, port=port, db=settings.db), err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level in ("info", "debug"),
                server_header=False, timeout_graceful_shutdown=5)
    os._exit(0)  # leave no worker behind (the pool was shut down by the lifespan)
