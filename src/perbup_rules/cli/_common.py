"""Helpers shared by the subcommands: error reporting without tracebacks."""

from __future__ import annotations

import functools
import os
import sys
from typing import NoReturn

import click

from .. import errors
from ..errors import PerbupError
from ..i18n import t, tr

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class Finished(SystemExit):
    """The exit of a command that has written everything it writes and holds nothing to clean
    up: the ``perbup`` process then leaves at once (:func:`perbup_rules.cli.run`) instead of
    freeing its heap object by object (an audit's findings, records and DuckDB's memory: 0.3 to
    0.6 s at a million purchases). Called in-process (click's test runner, the library) it is the
    SystemExit it derives from."""


def fail(message: str) -> NoReturn:
    """Print a reason on stderr and exit with the usage/input code."""
    click.echo(message, err=True)
    sys.exit(EXIT_USAGE)


def existing(code: str = errors.UNREADABLE_INPUT):
    """A click callback refusing a path that does not exist with one located line and exit 2
    (``path: unreadable_input: no such file or folder``), not click's four-line usage text.

    ``code``: ``unreadable_input`` for data, ``file_not_found`` for rule folders, as the
    loaders themselves say.
    """

    def check(ctx, param, value):
        for path in value if isinstance(value, tuple) else (value,):
            if path is not None and not os.path.exists(path):
                fail(f"perbup: {path}: {code}: {t('cli.no_such_path')}")
        return value

    return check


def handle_errors(fn):
    """Turn the library's own errors into a located message on stderr and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PerbupError as err:
            diags = getattr(err, "diagnostics", None)
            if diags is not None and len(diags) == 1:
                fail(f"perbup: {diags[0].render()}")  # one problem: one located line (and its hint)
            text = tr(err.args[0]) if len(err.args) == 1 and diags is None else err  # a Msg in the chosen language
            fail(f"perbup: {text}")
        except OSError as err:
            fail(f"perbup: {err.strerror or err}: {getattr(err, 'filename', '') or ''}".rstrip(": "))

    return wrapper
