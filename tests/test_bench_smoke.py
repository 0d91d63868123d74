"""The benchmark runs end to end at 1k records and reports every metric (never a speed)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

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


def test_the_rebuild_replays_records_recorded_after_now() -> None:
    """The rebuild's instants come after every record, even one recorded after now (as the
    generator's are at 1M), and each is new: a rebuild at one replays the whole log."""
    log = ee.Log(ee.MemoryStore(generate_lines(300, seed=7)),
                 entities=ee.EntityRegistry.from_file(ee.bundled_path() / "entities.json"),
                 sources=ee.SourceRegistry.from_file(ee.bundled_path() / "sources.json"))
    first = log[0].event
    later = ee.Instant(4_102_444_800 * 10**6)  # 2100-01-01
    log.append([ee.Meeting(id="recorded-later", kind="talks", date="2020-03-15", title="later", parties=first.parties,
                           sources=[{"source": first.sources[0].source, "quote": "q"}])], recorded=later)
    known_at = run.after_every_record(log)
    instant = known_at()
    assert instant.micros > later.micros
    assert known_at().micros > instant.micros
    ids = [row.id for row in log.as_of(run.LAST_DAY, known_at=instant).sketches]
    assert "recorded-later" in ids
    assert len(ids) == len(log.as_of(run.LAST_DAY).sketches)
    assert "recorded-later" not in [row.id for row in log.as_of(run.LAST_DAY, known_at=ee.Instant.now()).sketches]


def test_a_1k_run_produces_every_metric(tmp_path: Path, capsys: object) -> None:
    """Every metric of the table is measured, the rebuilds are interleaved with equal samples,
    the JSON results are written, and the table prints each target with a mark."""
    with_peer = peer.available()
    argv = ["--sizes", "1k", "--samples", "2", "--quick", "--out", str(tmp_path)]
    assert run.main([*argv, *([] if with_peer else ["--no-peer"])]) == 0
    (result,) = tmp_path.glob("bench-*.json")
    data = json.loads(result.read_text())
    measured = data["sizes"]["1k"]
    for key, _, _ in run.ROWS:
        assert (key in measured) == (with_peer or key not in run.PEER_ROWS), key
    assert data["import_ms"] > 0
    assert data["import_uncached_ms"] > 0
    assert measured["bytes_per_record"] > 0
    assert measured["index_bytes_per_record"] > 0
    assert len(measured["retro_all_ms"]) == 5  # one of each kind of retroactive event
    assert {kind for _, kind in measured["retro_all_ms"]} == {
        "meeting", "memorandum", "entered_into_force", "sanctions_imposed", "correction"}
    assert len(measured["retro_busy_all_ms"]) == 2  # the busiest project's key: listed, then kept
    if with_peer:
        samples = measured["rebuild_samples"]
        assert len(samples["ours"]) == len(samples["peer"]) == 2
        # The peer's objects live in a process of their own, ended after the rebuilds.
        assert measured["peer_pid"] != os.getpid()
        with pytest.raises(ProcessLookupError):
            os.kill(measured["peer_pid"], 0)
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    for key, (op, bound) in run.TARGETS.items():
        if key in measured or key == "import_ms":
            assert f"{op} {bound:,}" in printed, key
    assert " ok" in printed or " MISS" in printed


def test_marks_follow_the_targets() -> None:
    """A value at the bound meets it; one past it misses; a row without a target has no mark."""
    assert run.met("load_jsonl_eps", 300_000) is True
    assert run.met("load_jsonl_eps", 299_999) is False
    assert run.met("retro_max_ms", 20.0) is True
    assert run.met("retro_max_ms", 20.1) is False
    assert run.met("warm_p50_ms", 1.0) is None


def test_the_interchange_benchmark_reports_every_figure(tmp_path: Path, capsys: object) -> None:
    """A 2k-row interchange run writes its JSON with every figure of its table for each format,
    re-imports nothing, and prints the import target with a mark."""
    from bench import interchange

    assert interchange.main(["--rows", "2k", "--quick", "--out", str(tmp_path)]) == 0
    (result,) = tmp_path.glob("interchange-*.json")
    data = json.loads(result.read_text())
    assert list(data["formats"]) == ["icews", "gdelt"]
    assert len(data["loadavg_start"]) == len(data["loadavg_end"]) == 3
    for fmt, measured in data["formats"].items():
        for key, _, _ in interchange.ROWS:
            assert key in measured, (fmt, key)
        assert measured["rows"] == measured["import_scanned"] == 2000
        assert measured["scan_kept"] == measured["import_kept"] == measured["dyad_rows"] > 0
        assert measured["import_new"] == measured["imported_records"] > 0
        assert measured["reimport_new"] == 0
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "import: rows scanned/s" in printed
    assert ">= 200,000" in printed
