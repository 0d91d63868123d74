"""Coded interactions and dataset sources (issue 17): the event type an imported dataset
record becomes, the citation of a record instead of a quote, and that neither changes any
as-of view."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events._engine.decode import RecordDecoder
from eurasia_events._engine.rows import row_of
from eurasia_events.codec import decode_event, encode_event
from eurasia_events.query import MEASURES, VIEW_NAMES
from eurasia_events.schema import schema
from eurasia_events.testing import events
from logkit import BUNDLED, forge_line

ICEWS: dict[str, Any] = {"id": "icews", "title": "ICEWS Coded Event Data", "publisher": "Harvard Dataverse",
                         "kind": "dataset", "version": "Dataverse V30", "address": "https://doi.org/10.7910/DVN/28075"}
RECORD = [{"source": "icews", "record": "21563720@2014-05-20", "locator": "story 28235806, sentence 2"}]
ENTITIES = ee.EntityRegistry.from_file(BUNDLED / "entities.json")
SOURCES = ee.SourceRegistry.from_records([*json.loads((BUNDLED / "sources.json").read_text(encoding="utf-8")), ICEWS])
DECODER = RecordDecoder(ENTITIES, SOURCES)


def coded(n: int = 1, **changes: Any) -> dict[str, Any]:
    """The JSON data of a valid coded interaction numbered ``n`` (every field given)."""
    data: dict[str, Any] = {
        "id": f"icews-{n}-20140520", "date": "2014-05-20", "title": "Make a visit", "sources": RECORD,
        "parties": ["CN", "RU"], "scheme": "cameo", "code": "042", "initiator": "CN", "recipient": "RU",
        "initiator_name": "China", "recipient_name": "Russia", "intensity": 1.9, "quad_class": 1,
        "text": "Make a visit", "place": "Shanghai",
    }
    data.update(changes)
    return data


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A log folder with the bundled registries, the ICEWS dataset added to the sources."""
    shutil.copy(BUNDLED / "entities.json", tmp_path / "entities.json")
    (tmp_path / "sources.json").write_text(json.dumps(SOURCES.to_records(), ensure_ascii=False), encoding="utf-8")
    return tmp_path


# --- the model ------------------------------------------------------------------------------


def test_a_coded_interaction_round_trips_through_a_file_log(folder: Path) -> None:
    """Appended to a JSON Lines log and loaded again (a fresh process's view), every field is equal:
    the code keeps its leading zero, the score its value, the citation its record and locator."""
    first = ee.CodedInteraction(**coded(1))
    second = ee.CodedInteraction(**coded(2, scheme="plover", code="consult", mode="visit",
                                         context=["economic", "diplomatic"], intensity=-7, quad_class=None,
                                         sources=[{"source": "icews", "record": "abc"}], initiator=None))
    log = ee.load(folder / "log.jsonl", create=True)
    log.append([first, second])
    loaded = ee.load(folder / "log.jsonl")
    assert [attrs.asdict(loaded.get(e.id)) for e in (first, second)] == [attrs.asdict(first), attrs.asdict(second)]
    one, two = loaded.get(first.id), loaded.get(second.id)
    assert isinstance(one, ee.CodedInteraction)
    assert isinstance(two, ee.CodedInteraction)
    assert one.code == "042"
    assert two.intensity == -7.0
    assert type(two.intensity) is float
    assert one.sources[0].record == "21563720@2014-05-20"
    assert [type(e) for e in loaded.events()] == [ee.CodedInteraction, ee.CodedInteraction]


def test_dataset_sources_round_trip_through_the_registry_file(tmp_path: Path) -> None:
    """A dataset source keeps its kind and version through sources.json; the bundled registry,
    which names no kind, reads as documents and writes no kind back."""
    path = tmp_path / "sources.json"
    path.write_text(json.dumps(SOURCES.to_records()), encoding="utf-8")
    again = ee.SourceRegistry.from_file(path)
    assert again["icews"] == SOURCES["icews"]
    assert (again["icews"].kind, again["icews"].version) == ("dataset", "Dataverse V30")
    assert again.to_records() == SOURCES.to_records()
    bundled = ee.SourceRegistry.from_file(BUNDLED / "sources.json")
    assert {s.kind for s in bundled.values()} == {"document"}
    assert not [r for r in bundled.to_records() if "kind" in r or "version" in r]


@pytest.mark.parametrize(("record", "field", "words"), [
    ({**ICEWS, "kind": "database"}, "kind", "document, dataset"),
    ({**ICEWS, "address": "", "file": "icews.tab"}, "address", "dataset and needs an address"),
    ({**ICEWS, "version": 30}, "version", "must be text"),
])
def test_a_bad_source_is_refused_naming_the_entry_and_field(record: dict[str, Any], field: str, words: str) -> None:
    """An unknown kind, a dataset without an address, a version that is not text: refused, naming the entry."""
    with pytest.raises(ee.InvalidEventError, match=words) as caught:
        ee.Source.from_record(record)
    assert caught.value.field == field
    with pytest.raises(ee.InvalidEventError, match=f"sources entry 1: .*{words}"):
        ee.SourceRegistry.from_records([ICEWS, record])


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("code", {"code": "42"}, "not a CAMEO code"),
    ("code", {"code": "0"}, "not a CAMEO code"),
    ("code", {"code": "00"}, "not a CAMEO code"),
    ("code", {"code": "04210"}, "not a CAMEO code"),
    ("code", {"code": "2101"}, "not a CAMEO code"),
    ("code", {"code": "consult"}, "not a CAMEO code"),
    ("code", {"scheme": "plover", "code": "042"}, "not a PLOVER code"),
    ("code", {"scheme": "plover", "code": "Consult"}, "not a PLOVER code"),
    ("code", {"scheme": "plover", "code": "demand"}, "not a PLOVER code"),
    ("code", {"code": 42}, "expected a code as text"),
    ("scheme", {"scheme": "weis"}, "expected one of cameo, plover"),
    ("sources", {"sources": [{"source": "icews", "record": "r1", "quote": "words"}]}, "not both"),
    ("sources", {"sources": [{"source": "icews", "locator": "story 1"}]}, "needs a verbatim 'quote'"),
    ("sources", {"sources": [{"source": "icews", "record": " "}]}, "'record' must not be blank"),
    ("intensity", {"intensity": 11}, "from -10 to 10"),
    ("intensity", {"intensity": -10.5}, "from -10 to 10"),
    ("intensity", {"intensity": math.nan}, "from -10 to 10"),
    ("intensity", {"intensity": True}, "from -10 to 10"),
    ("quad_class", {"quad_class": 5}, "from 1 to 4"),
    ("quad_class", {"quad_class": 0}, "from 1 to 4"),
    ("date", {"date": "2014-05"}, "one day"),
    ("date", {"date": "2014-05-20~"}, "one day"),
    ("date", {"date": "2014-05-20/2014-05-21"}, "one day"),
]


@pytest.mark.parametrize(("field", "change", "words"), BAD, ids=[f"{f}={c}" for f, c, _ in BAD])
def test_a_bad_coded_interaction_is_refused_naming_event_and_field(field: str, change: dict[str, Any],
                                                                   words: str) -> None:
    """Built in Python or read from a record, a wrong value is refused with the event id and the
    field; the fast decoder never accepts it (it declines, and the full check names the problem)."""
    data = coded(7, **change)
    with pytest.raises(ee.InvalidEventError, match=words) as caught:
        ee.CodedInteraction(**data)
    assert (caught.value.event_id, caught.value.field) == ("icews-7-20140520", field)
    assert "icews-7-20140520" in str(caught.value)
    assert field in str(caught.value)
    with pytest.raises(ee.InvalidEventError, match=words):
        decode_event("coded_interaction", data, file="log.jsonl", line=3)
    assert DECODER.data("coded_interaction", data, 3) is None


def test_valid_codes_of_both_schemes_are_kept_as_written() -> None:
    """CAMEO codes of 2 to 4 digits with their leading zeros, and every PLOVER type, are accepted."""
    for code in ("01", "010", "042", "0874", "163", "1823", "20", "204", "2042"):
        assert ee.CodedInteraction(**coded(code=code)).code == code
    for code in ("agree", "consult", "support", "concede", "cooperate", "aid", "retreat", "request", "accuse",
                 "reject", "threaten", "protest", "sanction", "mobilize", "coerce", "assault"):
        assert ee.CodedInteraction(**coded(scheme="plover", code=code)).code == code


# --- citing a source of the wrong kind ----------------------------------------------------------

WRONG_KIND = [
    ("coded_interaction", coded(8, sources=[{"source": "icews", "quote": "China's president visited"}]),
     "is a dataset: cite the dataset's 'record'"),
    ("coded_interaction", coded(8, sources=[{"source": "seed-000", "record": "21563720@2014-05-20"}]),
     "is a document: cite it with a verbatim 'quote'"),
    ("meeting", {"id": "icews-8-20140520", "date": "2014-05-20", "title": "Visit", "kind": "visit",
                 "sources": [{"source": "icews", "quote": "words"}]}, "is a dataset"),
]


@pytest.mark.parametrize(("type_", "data", "words"), WRONG_KIND, ids=["dataset-quoted", "document-record", "meeting"])
def test_a_citation_of_the_wrong_kind_is_refused_on_append(folder: Path, type_: str, data: dict[str, Any],
                                                           words: str) -> None:
    """A dataset cited with a quote, a document cited with a record: append refuses, naming event and field."""
    log = ee.load(folder / "log.jsonl", create=True)
    event = ee.EVENT_TYPES[type_](**data)
    with pytest.raises(ee.InvalidEventError, match=words) as caught:
        log.append([event])
    assert (caught.value.event_id, caught.value.field) == ("icews-8-20140520", "sources")
    assert len(log) == 0


@pytest.mark.parametrize(("type_", "data", "words"), WRONG_KIND, ids=["dataset-quoted", "document-record", "meeting"])
def test_a_citation_of_the_wrong_kind_is_refused_when_reading_a_log(folder: Path, type_: str,
                                                                    data: dict[str, Any], words: str) -> None:
    """A record whose hash chain verifies but whose citation does not fit its source's kind: loading
    fails naming the file, the line, the event and the field (the fast decoder declines it)."""
    good, digest = forge_line(1, coded(1), type_="coded_interaction")
    bad, _ = forge_line(2, data, type_=type_, prev=digest)
    (folder / "log.jsonl").write_bytes(good + b"\n" + bad + b"\n")
    with pytest.raises(ee.InvalidEventError, match=words) as caught:
        ee.load(folder / "log.jsonl")
    error = caught.value
    assert (error.line, error.event_id, error.field) == (2, "icews-8-20140520", "sources")
    assert error.file is not None
    assert error.file.endswith("log.jsonl")
    assert str(error).startswith(f"{error.file}:2")


def test_a_bad_code_in_a_stored_record_names_file_line_event_and_field(folder: Path) -> None:
    """The cross-field rule runs on the fast path's rows too: a CAMEO code outside the scheme in a
    verified record fails the load with its place."""
    line, _ = forge_line(1, coded(9, code="2101"), type_="coded_interaction")
    (folder / "log.jsonl").write_bytes(line + b"\n")
    with pytest.raises(ee.InvalidEventError, match="not a CAMEO code") as caught:
        ee.load(folder / "log.jsonl")
    assert (caught.value.line, caught.value.event_id, caught.value.field) == (1, "icews-9-20140520", "code")


# --- no view changes --------------------------------------------------------------------------

DAYS = ("2001-07-17", "2014-05-21", "2019-12-02", "2022-03-01", "2026-01-01")


def dump(log: ee.Log, known_at: Any = None) -> dict[Any, Any]:
    """Every as-of view on a few days, every designation list, every series and a diff, as records."""
    measures = sorted({e.measure for e in log.events() if isinstance(e, ee.SanctionsImposed)})
    out: dict[Any, Any] = {}
    for day in DAYS:
        state = log.as_of(day, known_at=known_at)
        for name in VIEW_NAMES:
            out[day, name] = state.view(name).to_records()
        for measure in measures:
            try:
                out[day, "designations", measure] = state.designations(measure).to_records()
            except ee.EurasiaEventsError as error:  # not adopted by the day: the refusal is the answer
                out[day, "designations", measure] = str(error)
    for measure in MEASURES:
        out["series", measure] = log.series(measure, "2005-01-01", "2026-01-01", known_at=known_at).to_records()
    out["diff"] = log.diff("2010-01-01", "2026-01-01", known_at=known_at).to_records()
    return out


def test_coded_interactions_change_no_as_of_view(folder: Path) -> None:
    """The curated log's every view, on several days, is the same after coded interactions are
    appended between its events (in the same process, whose query index takes them in, and
    loaded afresh), and as known before they were appended."""
    shutil.copy(BUNDLED / "log.jsonl", folder / "log.jsonl")
    log = ee.load(folder / "log.jsonl")
    before = dump(log)
    last = list(log)[-1].recorded
    interactions = [
        ee.CodedInteraction(**coded(n, date=day, initiator=a, recipient=b, parties=[a, b], code=code,
                                    scheme=scheme, sources=[{"source": "icews", "record": f"r{n}"}]))
        for n, (day, a, b, scheme, code) in enumerate([
            ("2001-07-16", "RU", "CN", "cameo", "057"), ("2014-05-21", "gazprom", "cnpc", "cameo", "0311"),
            ("2014-05-21", "CN", "RU", "plover", "agree"), ("2019-12-02", "RU", "CN", "plover", "cooperate"),
            ("2022-02-24", "eu", "RU", "cameo", "163"), ("2022-03-01", "US", "RU", "plover", "sanction"),
            ("2024-05-16", "xi", "putin", "cameo", "040"),
        ])
    ]
    assert log.as_of("2020-01-01").summary()  # the live index exists: the appends go into it
    log.append(interactions)
    assert dump(log) == before
    assert dump(ee.load(folder / "log.jsonl")) == before
    assert dump(log, known_at=last) == before
    assert {e.id for e in interactions} <= {e.id for e in log.events()}


def test_coded_interactions_are_listed_by_between_since_and_history(folder: Path) -> None:
    """Though they change no state, coded interactions show in the period listings and histories."""
    log = ee.load(folder / "log.jsonl", create=True)
    event = ee.CodedInteraction(**coded(1))
    log.append([event])
    assert [row.id for row in log.between("2014-05", "2014-05")] == [event.id]
    assert [row.id for row in log.since("2014-01-01")] == [event.id]
    assert event.id in [row.id for row in log.history("CN")]
    assert [row.id for row in log.history(event.id)] == [event.id]


# --- the declaration drives the rest ---------------------------------------------------------------


@settings(max_examples=max(100, settings().max_examples))
@given(events(ENTITIES, SOURCES, types=[ee.CodedInteraction]), st.integers(1, 10**6))
def test_the_strategies_draw_valid_coded_interactions(event: ee.Event, seq: int) -> None:
    """The shipped hypothesis strategy draws coded interactions that the log accepts, that
    round-trip through the codec, and whose fast-path row equals the full event's."""
    assert isinstance(event, ee.CodedInteraction)
    assert ee.events.CODE_FORMS[event.scheme].fullmatch(event.code)
    assert event.date.exact
    assert not event.date.interval
    data = encode_event(event)
    assert decode_event(event.TYPE, data) == event
    assert DECODER.data(event.TYPE, data, seq) == row_of(event, seq)
    log = ee.Log(ee.MemoryStore(), entities=ENTITIES, sources=SOURCES)
    log.append([event])
    assert log.get(event.id) == event


def test_the_json_schema_states_the_same_rules() -> None:
    """The event schema ties the code's form to the scheme, bounds the scores, asks for one day and a
    quote or a record; the sources schema reads the bundled registry and asks a dataset for an address."""
    check = jsonschema.Draft202012Validator(schema("event.coded_interaction"))
    good = json.loads(json.dumps(coded()))
    assert check.is_valid(good)
    assert check.is_valid({**good, "scheme": "plover", "code": "consult"})
    for _field, change, _words in BAD:
        if not any(isinstance(v, float) and math.isnan(v) for v in change.values()) and change.get("sources") != [
                {"source": "icews", "record": " "}]:
            assert not check.is_valid({**good, **change}), change
    sources = jsonschema.Draft202012Validator(schema("sources"))
    assert sources.is_valid(json.loads((BUNDLED / "sources.json").read_text(encoding="utf-8")))
    assert sources.is_valid(SOURCES.to_records())
    assert not sources.is_valid([{**ICEWS, "address": ""}])
    assert not sources.is_valid([{**ICEWS, "kind": "database"}])


def test_the_csv_export_keeps_an_imported_events_dataset_record(folder: Path) -> None:
    """A CSV row of an imported event names its dataset record and story (the ``records``
    column), so a spreadsheet user can trace it back; its ``quotes`` stay empty."""
    import csv
    import io

    from eurasia_events.export import write_csv

    log = ee.load(folder / "log.jsonl", create=True)
    log.append([ee.CodedInteraction(**coded(1))])
    out = io.StringIO()
    write_csv(log, out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["records"] == "icews:21563720@2014-05-20 (story 28235806, sentence 2)"
    assert row["quotes"] == ""
    assert row["sources"] == "icews"
