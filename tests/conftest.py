"""Shared pytest configuration for the library tests."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/golden/...) from the current output instead of comparing",
    )


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch):
    """Tests run under an English locale unless they ask otherwise: messages default to the
    locale (Indonesian when unsure), and most assertions and goldens here are in English.
    Tests of Indonesian output pass ``--lang id`` or set the locale themselves."""
    from perbup_rules import i18n

    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    i18n.set_lang(None)
    yield
    i18n.set_lang(None)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite golden files (pytest --update-golden)."""
    return bool(request.config.getoption("--update-golden"))
