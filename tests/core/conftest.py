"""Fixtures for the core tests, and a summary section where tests can report figures."""

from __future__ import annotations

import pytest

REPORT = pytest.StashKey[dict[str, list[str]]]()


@pytest.fixture(scope="session")
def summary(pytestconfig: pytest.Config) -> dict[str, list[str]]:
    """Return the figures to show after the run: section title to lines."""
    return pytestconfig.stash.setdefault(REPORT, {})


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the figures tests reported, even in a quiet run."""
    for title, lines in config.stash.get(REPORT, {}).items():
        terminalreporter.write_sep("-", title)
        for line in lines:
            terminalreporter.write_line(line)
