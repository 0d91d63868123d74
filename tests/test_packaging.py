"""The package as users install it: the bundled log ships inside the wheel, and the public
names are exactly ``__all__``."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import eurasia_events as ee

ROOT = Path(__file__).resolve().parents[1]


def test_all_matches_the_public_names() -> None:
    """``from eurasia_events import *`` gives exactly the names in ``__all__``, each documented."""
    namespace: dict[str, object] = {}
    exec("from eurasia_events import *", namespace)
    exported = {name for name in namespace if not name.startswith("__")}
    public = {name for name in dir(ee) if not name.startswith("_") and not isinstance(getattr(ee, name), type(ee))}
    assert exported == set(ee.__all__) == public
    assert all(getattr(ee, name).__doc__ for name in ee.__all__ if callable(getattr(ee, name)))


def test_wheel_carries_the_bundled_log(tmp_path: Path) -> None:
    """A wheel built from the checkout holds the log, and load() finds it outside the checkout."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("eurasia_events-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    assert "eurasia_events/bundled_events/log.jsonl" in names
    assert "eurasia_events/py.typed" in names
    code = "import eurasia_events as ee, pathlib; print(len(ee.load()), ee.bundled_path())"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                            capture_output=True, text=True, check=True)
    count, where = result.stdout.split()
    assert int(count) == len(ee.load())
    assert Path(where).is_relative_to(site)
