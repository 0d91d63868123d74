"""The benchmark runs end to end at 1k records and reports every metric (never a speed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import eurasia_events as ee

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ sits beside tests/, outside the package

from bench import peer, run
from bench.generate import generate_lines


def test_the_generator_is_reproducible_and_loads() -> None:
    """The same size and seed give the same bytes, and the log verifies when read."""
    lines = generate_lines(300, seed=7)
    assert lines == generate_lines(300, seed=7)
    log = ee.Log(ee.MemoryStore(lines), entities=ee.EntityRegistry.from_file(ee.bundled_path() / "entities.json"),
                 sources=ee.SourceRegistry.from_file(ee.bundled_path() / "sources.json"))
    assert len(log) == 300
    assert {"meeting", "correction", "retraction", "memorandum"} <= {r.event.TYPE for r in log}


def test_a_1k_run_produces_every_metric(tmp_path: Path) -> None:
    """Every metric of the table is measured, and the JSON results are written."""
    with_peer = peer.available()
    assert run.main(["--sizes", "1k", "--out", str(tmp_path), *([] if with_peer else ["--no-peer"])]) == 0
    (result,) = tmp_path.glob("bench-*.json")
    data = json.loads(result.read_text())
    measured = data["sizes"]["1k"]
    for key, _, _ in run.ROWS:
        if key.startswith("peer_") or key.endswith("_ratio"):
            assert (key in measured) == with_peer, key
        else:
            assert key in measured, key
    assert data["import_ms"] > 0
