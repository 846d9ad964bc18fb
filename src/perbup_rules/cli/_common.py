"""Helpers shared by the subcommands: error reporting without tracebacks."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import BinaryIO, Iterator, NoReturn

import click

from .. import errors
from ..errors import PerbupError
from ..i18n import t, tr

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class Finished(SystemExit):
    """The exit of a command that has written everything it writes and holds nothing to clean
    up: the ``perbup`` process then leaves at once (:func:`perbup_rules.cli.run`) instead of
    freeing its heap object by object (an audit's findings, records and DuckDB's memory: 0.2 to
    0.5 s at a million purchases). Called in-process (click's test runner, the library) it is the
    SystemExit it derives from."""


@contextlib.contextmanager
def replacing(output: Path) -> Iterator[BinaryIO]:
    """A new file written in ``output``'s folder that becomes ``output`` once complete.

    Until then the old report (if any) stays whole, and a failed or interrupted write leaves
    no half report behind (the part file is removed). The old file is removed before the new
    one takes its name, not truncated or renamed over: ext4 starts writing a file out when it
    is closed after a truncation, or when it replaces another by a rename (``auto_da_alloc``),
    0.2 to 0.5 s for a 700 MB report. The new file gets the old one's permission bits (else
    the umask's); a symbolic link is followed (the file it names is replaced, the link kept);
    another hard link to the old file keeps the old text."""
    target = Path(os.path.realpath(output)) if os.path.islink(output) else output
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(output))
    part = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as err:  # named as the report, not the part file
        raise OSError(err.errno, err.strerror, str(output)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        try:
            old = os.stat(target)
        except FileNotFoundError:
            old = None
        if old is not None:
            os.chmod(part, stat.S_IMODE(old.st_mode))
            os.unlink(target)
        os.rename(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise


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
