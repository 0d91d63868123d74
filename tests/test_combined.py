"""Several logs read as one (``ee.load(a, b)``, :class:`eurasia_events.CombinedLog`): the same answers as
one log holding all their records, ``known_at`` across logs, what combining refuses, refresh, and ``--log`` twice."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events.query import MEASURES, VIEW_NAMES
from logkit import BUNDLED, QUOTE, copy_registries, new_log

DAYS = ("1999-12-31", "2001-07-16", "2002-02-28", "2009-04-21", "2014-05-21", "2015-01-02", "2015-08-12",
        "2018-05-17", "2019-12-02", "2020-10-28", "2022-02-04", "2023-10-22", "2024-12-31", "2026-06-30", "2031-01-01")


def _split() -> tuple[list[ee.Record], list[ee.Record]]:
    """The bundled log's records in two parts, each event with its amendments, in log order."""
    first: list[ee.Record] = []
    second: list[ee.Record] = []
    for record in ee.load():
        event = record.event
        key = event.target if isinstance(event, (ee.Correction, ee.Retraction)) else event.id
        (first if zlib.crc32(key.encode()) % 2 else second).append(record)
    return first, second


def _fill(log: ee.Log, records: list[ee.Record]) -> ee.Log:
    log.append([r.event for r in records], recorded=[r.recorded for r in records])
    return log


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, ee.Log]:
    """A file log and an SQLite log that split the bundled records between them, and one memory log
    holding the first's records then the second's, each record with its recorded time."""
    folder = tmp_path_factory.mktemp("combined")
    first, second = _split()
    a, b = folder / "a", folder / "b"
    copy_registries(a)
    copy_registries(b)
    _fill(ee.load(a, create=True), first)
    _fill(ee.load(b / "log.sqlite", create=True), second)
    return a, b / "log.sqlite", _fill(new_log(ee.MemoryStore()), first + second)


def _dump(log: ee.Log, known_at: ee.Instant | None) -> dict[str, Any]:
    """Every answer the log gives, as known at ``known_at``."""
    dump: dict[str, Any] = {"events": log.events(known_at), "timeline": log.timeline(known_at=known_at),
                            "between": log.between("2014", "2016", known_at=known_at),
                            "since": log.since("2020-01-01", known_at=known_at),
                            "diff": log.diff("2014-01-01", "2023-01-01", known_at=known_at),
                            "records": [(r.recorded, r.event) for r in log.records_until(known_at)]}
    for measure in MEASURES:
        dump[f"series {measure}"] = log.series(measure, "2008-01-01", "2030-01-01", known_at=known_at)
    for day in DAYS:
        state = log.as_of(day, known_at=known_at)
        for name in VIEW_NAMES:
            dump[f"{day} {name}"] = state.view(name)
        for row in state.sanctions():
            dump[f"{day} designations {row.measure}"] = state.designations(row.measure)
    for name in ("CN", "gazprom", "treaty-good-neighbourliness-2001", "2014-05-21-pos-gas-contract", "eaeu"):
        try:
            dump[f"history {name}"] = log.history(name, known_at=known_at)
        except ee.UnknownEventError as error:  # not known yet at known_at: the same error from both
            dump[f"history {name}"] = str(error)
    return dump


def test_combined_logs_answer_as_one_log_holding_all_their_records(logs: tuple[Path, Path, ee.Log]) -> None:
    """A file log and an SQLite log combined give every view, series, diff, history and record, now and
    as known at each recorded instant, exactly as one log holding the first's records then the second's."""
    a, b, single = logs
    combined = ee.load(a, b)
    assert isinstance(combined, ee.CombinedLog)
    assert [log.location for log in combined.logs] == [str(a / "log.jsonl"), str(b)]
    assert len(combined) == len(single) == sum(len(log) for log in combined.logs)
    assert [r.event for r in combined] == [r.event for r in single]
    assert [combined[i].event for i in (0, len(combined.logs[0]), -1)] == [single[i].event for i in
                                                                           (0, len(combined.logs[0]), -1)]
    assert combined.sketches() == single.sketches()
    instants = sorted({r.recorded for r in single})
    for known_at in (None, instants[0], instants[len(instants) // 2], ee.Instant(instants[-1].micros - 1)):
        got, want = _dump(combined, known_at), _dump(single, known_at)
        assert got.keys() == want.keys()
        for key in want:
            assert got[key] == want[key], (known_at, key)
    for event in single.events():
        assert combined.get(event.id) == event


def test_known_at_replays_each_record_by_its_own_recorded_time_across_logs(memory_log: ee.Log,
                                                                            registries: Any) -> None:
    """known_at sees an event, a correction and a retraction by their recorded times, whichever log holds
    them, even when the later log's records were recorded before the earlier log's."""
    entities, sources = registries
    other = ee.Log(entities=entities, sources=sources)
    memory_log.append([ee.Meeting(id="late", date="2015-05-08", title="Late", parties=("RU", "CN"), kind="talks",
                                  sources=QUOTE)], recorded="2024-01-01T00:00:00Z")
    other.append([ee.Meeting(id="early", date="2015-05-09", title="Early", parties=("RU", "CN"), kind="talks",
                             sources=QUOTE),
                  ee.Correction(id="fix", target="early", reason="retitled", changes={"title": "Early, fixed"}),
                  ee.Retraction(id="gone", target="early", reason="never held")],
                 recorded=["2019-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "2025-01-01T00:00:00Z"])
    memory_log.append([ee.Correction(id="fix-late", target="late", reason="retitled",
                                     changes={"title": "Late, fixed"})], recorded="2026-01-01T00:00:00Z")
    combined = ee.CombinedLog([memory_log, other])

    def titles(known_at: str | None) -> list[str]:
        return [e.title for e in combined.events(known_at)]

    assert titles("2018-12-31") == []
    assert titles("2019-06-01") == ["Early"]
    assert titles("2021-06-01") == ["Early, fixed"]
    assert titles("2024-06-01") == ["Late", "Early, fixed"]
    assert titles("2025-06-01") == ["Late"]
    assert titles("2026-06-01") == titles(None) == ["Late, fixed"]
    assert [row.title for row in combined.as_of("2016-01-01", known_at="2021-06-01").meetings()] == ["Early, fixed"]
    assert [r.event.id for r in combined.records_until("2021-06-01")] == ["early", "fix"]
    assert combined.get("early", known_at="2019-06-01").title == "Early"


def test_an_event_id_in_two_logs_is_refused_naming_both(tmp_path: Path) -> None:
    """Combining two logs that hold one event id fails, naming the id and both logs."""
    paths = []
    for name in ("a", "b"):
        copy_registries(tmp_path / name)
        ee.load(tmp_path / name, create=True).append(
            [ee.Meeting(id=f"only-{name}", date="2015-05-08", title="M", parties=("RU", "CN"), kind="talks",
                        sources=QUOTE),
             ee.Meeting(id="both", date="2015-05-08", title="M", parties=("RU", "CN"), kind="talks", sources=QUOTE)])
        paths.append(tmp_path / name)
    with pytest.raises(ee.LogFormatError) as error:
        ee.load(*paths)
    message = str(error.value)
    assert "'both'" in message
    assert str(paths[0] / "log.jsonl") in message
    assert str(paths[1] / "log.jsonl") in message


def test_an_entity_or_source_defined_differently_in_two_logs_is_refused_naming_both_files(tmp_path: Path) -> None:
    """A registry id that two logs define differently fails, naming both registry files and the field."""
    for name in ("a", "b"):
        copy_registries(tmp_path / name)
        ee.load(tmp_path / name, create=True)
    entities = json.loads((tmp_path / "b" / "entities.json").read_text(encoding="utf-8"))
    for entity in entities:
        if entity["id"] == "gazprom":
            entity["name"] = "Gazprom PJSC"
    (tmp_path / "b" / "entities.json").write_text(json.dumps(entities), encoding="utf-8")
    with pytest.raises(ee.LogFormatError) as error:
        ee.load(tmp_path / "a", tmp_path / "b")
    message = str(error.value)
    assert "'gazprom'" in message
    assert "Gazprom PJSC" in message
    assert str(tmp_path / "a" / "entities.json") in message
    assert str(tmp_path / "b" / "entities.json") in message
    # The same for a source; and a log with the bundled registries combines with a copy of them.
    shutil.copy(BUNDLED / "entities.json", tmp_path / "b" / "entities.json")
    sources = json.loads((tmp_path / "b" / "sources.json").read_text(encoding="utf-8"))
    sources[0]["title"] = "Another title"
    (tmp_path / "b" / "sources.json").write_text(json.dumps(sources), encoding="utf-8")
    with pytest.raises(ee.LogFormatError, match=f"source {sources[0]['id']!r} is defined differently"):
        ee.load(tmp_path / "a", tmp_path / "b")
    (tmp_path / "b" / "sources.json").unlink()
    (tmp_path / "b" / "entities.json").unlink()
    assert len(ee.load(tmp_path / "a", tmp_path / "b").entities) == len(ee.load().entities)


def test_append_to_a_combined_log_is_refused_naming_its_logs(logs: tuple[Path, Path, ee.Log]) -> None:
    """A combined log is read-only: append (and validate_new) fail naming the logs to append to; nothing is written."""
    a, b, _single = logs
    combined = ee.load(a, b)
    before = [len(ee.load(a)), len(ee.load(b))]
    meeting = ee.Meeting(id="new", date="2030-01-01", title="M", parties=("RU", "CN"), kind="talks", sources=QUOTE)
    for attempt in (lambda: combined.append([meeting]), lambda: combined.validate_new([meeting])):
        with pytest.raises(ee.ReadOnlyLogError) as error:
            attempt()
        assert str(a / "log.jsonl") in str(error.value)
        assert str(b) in str(error.value)
        assert "logs[1]" in str(error.value)
    assert [len(ee.load(a)), len(ee.load(b))] == before


def test_refresh_takes_in_what_each_log_gained(tmp_path: Path) -> None:
    """refresh() sees records another writer appended to the last log and to an earlier one; the union's
    numbering and answers then match a fresh load."""
    paths = []
    for name in ("a", "b"):
        copy_registries(tmp_path / name)
        ee.load(tmp_path / name, create=True).append(
            [ee.Meeting(id=f"{name}-1", date="2015-05-08", title=name, parties=("RU", "CN"), kind="talks",
                        sources=QUOTE)], recorded="2026-01-01T00:00:00Z")
        paths.append(tmp_path / name)
    combined = ee.load(*paths)
    combined.as_of("2020-01-01").meetings()  # builds the index the new records must reach
    head = combined.head
    assert combined.refresh() == 0
    ee.load(paths[1]).append([ee.Meeting(id="b-2", date="2016-01-01", title="b2", parties=("RU", "CN"), kind="talks",
                                         sources=QUOTE)], recorded="2026-02-01T00:00:00Z")
    assert combined.refresh() == 1
    assert {r.event for r in combined.as_of("2020-01-01").meetings()} == {"a-1", "b-1", "b-2"}
    ee.load(paths[0]).append([ee.Correction(id="a-fix", target="a-1", reason="r", changes={"title": "a fixed"})],
                             recorded="2026-03-01T00:00:00Z")
    assert combined.refresh() == 1
    assert combined.get("a-1").title == "a fixed"
    assert combined.get("a-1", known_at="2026-02-15").title == "a"
    fresh = ee.load(*paths)
    assert [r.event for r in combined] == [r.event for r in fresh]
    assert combined.sketches() == fresh.sketches()
    assert combined.head == fresh.head != head
    assert combined.locate(2) == (combined.logs[0], 2)
    combined.check_head(head)  # the logs grew since: still holding the pinned records


def test_cli_reads_several_logs_as_one_and_refuses_them_to_commands_that_write(
        logs: tuple[Path, Path, ee.Log], tmp_path: Path) -> None:
    """`--log A --log B timeline --format json` prints what one log holding both prints; append refuses two logs."""
    a, b, single = logs
    whole = tmp_path / "whole"
    copy_registries(whole)
    _fill(ee.load(whole, create=True), list(single))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "eurasia_events.cli", *args], capture_output=True, text=True,
                              timeout=120)

    combined = run("--log", str(a), "--log", str(b), "timeline", "--format", "json")
    one = run("--log", str(whole), "timeline", "--format", "json")
    assert combined.returncode == one.returncode == 0, combined.stderr
    assert json.loads(combined.stdout) == json.loads(one.stdout)
    assert len(json.loads(combined.stdout)) == len(single.events())
    per_command = run("as-of", "2020-01-01", "supply", "--log", str(a), "--log", str(b), "--format", "json")
    assert json.loads(per_command.stdout) == json.loads(run("--log", str(whole), "as-of", "2020-01-01", "supply",
                                                            "--format", "json").stdout)
    validated = run("--log", str(a), "--log", str(b), "validate", "--expect-head", ee.load(a, b).head)
    assert validated.returncode == 0, validated.stderr
    refused = run("--log", str(a), "--log", str(b), "append", str(tmp_path / "none.jsonl"))
    assert refused.returncode == 2
    assert "append works on one log" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_same_log_given_twice_is_refused_by_any_of_its_names(logs: tuple[Path, Path, ee.Log]) -> None:
    """A folder and its log file, or the bundled log twice, are one log: refused as such,
    before an id clash could be reported instead."""
    folder, _, _ = logs
    for paths, named in (((None, None), "the bundled log"),
                         ((folder, folder / "log.jsonl"), str(folder / "log.jsonl"))):
        with pytest.raises(ee.LogFormatError, match="the same log is given twice") as caught:
            ee.load(*paths)
        assert str(caught.value).startswith(named)


def test_importing_the_package_leaves_the_new_modules_unloaded() -> None:
    """Combined logs, the dataset readers, the interactions view, Arrow and the SQLite and
    PostgreSQL stores load on first use: ``import eurasia_events`` pays for none of them (the
    import time target, issue 13)."""
    later = ("eurasia_events.combined", "eurasia_events.interchange", "eurasia_events.interactions",
             "eurasia_events.arrow", "eurasia_events.cameo", "eurasia_events.sqlite_store",
             "eurasia_events.postgres_store", "sqlite3")
    script = f"import sys, eurasia_events\nprint(sorted(m for m in sys.modules if m.startswith({later!r})))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
