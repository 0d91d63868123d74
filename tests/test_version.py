"""The version: written once, reported by the package, the command line, python -m, and the changelog."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import eurasia_events as ee

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_written_once() -> None:
    """pyproject.toml takes the version from __about__.py, and the installed metadata agrees with it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/eurasia_events/__about__.py"
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+(?:(?:a|b|rc|\.dev)[0-9]+)?", ee.__version__)
    assert importlib.metadata.version("eurasia-events") == ee.__version__, "reinstall: pip install -e '.[test]'"


def test_version_on_the_command_line_and_python_m() -> None:
    """`eurasia-events --version` and `python -m eurasia_events --version` print it and exit 0."""
    for command in (["-m", "eurasia_events"], ["-m", "eurasia_events.cli"]):
        result = subprocess.run([sys.executable, *command, "--version"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"eurasia-events {ee.__version__}\n"


def test_python_m_runs_the_command_line() -> None:
    """`python -m eurasia_events as-of 2022 members` answers like the installed script (exit 0, the table)."""
    result = subprocess.run([sys.executable, "-m", "eurasia_events", "as-of", "2022", "members"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "as of 2022-12-31" in result.stdout
    assert " KZ " in result.stdout


def test_changelog_has_the_current_version() -> None:
    """CHANGELOG.md has a section for the version being built (without its .dev suffix)."""
    release = ee.__version__.split(".dev")[0]
    assert re.search(rf"^## {re.escape(release)} ", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE)
