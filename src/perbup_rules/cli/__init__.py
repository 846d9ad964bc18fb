"""The ``perbup`` command line: thin wrappers over the library, one module per subcommand.

Exit codes: 0 the command ran (whatever it found), 1 ``--fail-on`` matched or
tests failed, 2 usage or input errors (one located reason on stderr, no traceback).
"""

from __future__ import annotations

import importlib

import click

from ..i18n import LANGS, set_lang, t

#: subcommand name -> module under perbup_rules.cli that defines ``command``
SUBCOMMANDS = {
    "audit": "audit",
    "check": "check",
    "test": "test_cmd",
    "import": "import_cmd",
    "explain": "explain",
    "compare": "compare",
    "render": "render",
    "init": "init_cmd",
    "serve": "serve",
}


class _LazyGroup(click.Group):
    """Imports a subcommand's module only when it is used (keeps ``perbup --help`` fast)."""

    def list_commands(self, ctx):
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx, name):
        mod = SUBCOMMANDS.get(name)
        if mod is None:
            return None
        try:
            module = importlib.import_module(f"perbup_rules.cli.{mod}")
        except ModuleNotFoundError:
            return None
        return module.command


def _set_lang(ctx, param, value):
    set_lang(value)  # None: follow the locale (LC_ALL, LC_MESSAGES, LANG), Indonesian when unsure
    return value


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="perbup-rules", prog_name="perbup")
@click.option("--lang", type=click.Choice(LANGS), default=None, callback=_set_lang, is_eager=True,
              expose_value=False, help=t("cli.lang.help", "en") + " / " + t("cli.lang.help", "id"))
def main() -> None:
    """perbup: executable, tested, cited rules for a Peraturan Bupati."""


def run() -> None:
    """The ``perbup`` console script: :func:`main`; a command that ends with
    :class:`._common.Finished` (an audit, its report written) leaves at once, its exit code
    kept, once the standard streams are flushed. Any other exit is Python's own."""
    import os
    import sys

    from ._common import Finished

    try:
        main()
    except Finished as done:
        code = done.code if isinstance(done.code, int) else 0
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said there
                pass
        os._exit(code)
