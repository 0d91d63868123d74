"""Every command of the ``bash`` examples in docs/cli.md and docs/queries.md runs, and exits as the page says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = ["cli.md", "queries.md"]
# A command's comment may state its exit status: "# invalid date: exits with 2".
EXIT = re.compile(r"#.*\bexits? (?:with )?([0-9]+)")


def commands(page: str) -> list[str]:
    """The commands of a page's ```bash blocks, in order (a line ending in a backslash continues)."""
    blocks = re.findall(r"```bash\n(.*?)```", (DOCS / page).read_text(encoding="utf-8"), re.DOTALL)
    joined = "\n".join(blocks).replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_exit_comments_are_read() -> None:
    """The stated exit status is taken from a command's comment; no comment means 0."""
    assert EXIT.search("eurasia-events as-of 2020-13-01   # invalid date: exits with 2").group(1) == "2"  # type: ignore[union-attr]
    assert EXIT.search("eurasia-events as-of 2020-01-01   # as the log stood then") is None
    assert commands("cli.md"), "docs/cli.md has no bash example"


@pytest.mark.parametrize("page", PAGES)
def test_bash_examples_run(page: str, tmp_path: Path) -> None:
    """Each command runs in bash, in order, in a fresh folder, with the installed eurasia-events first on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    failures = []
    for command in commands(page):
        stated = EXIT.search(command)
        expected = int(stated.group(1)) if stated else 0
        result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                                timeout=180)
        if result.returncode != expected:
            failures.append(f"{command}\n  exit {result.returncode}, expected {expected}: {result.stderr.strip()}")
        elif "Traceback" in result.stderr:
            failures.append(f"{command}\n  printed a traceback: {result.stderr.strip()}")
    assert not failures, "\n".join(failures)
