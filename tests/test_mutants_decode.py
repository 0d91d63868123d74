"""The decoder's edges mutation testing of ``_engine/decode.py`` found untested (docs/reliability.md,
"Mutation testing", run 3): logs with an empty registry, what the fast decoder takes itself (a
decline answers the same, slower: only the decoder shows it), the rows sharing one object per
distinct value, and what a stored record breaking a rule the generated finishing step checks is
refused with."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events.codec import GENESIS, MAX_LINE_BYTES, encode_record
from logkit import QUOTE, copy_registries, forge_line, meeting, meeting_data

T1 = "2026-01-01T00:00:00.000001Z"


@functools.cache
def registries() -> tuple[ee.EntityRegistry, ee.SourceRegistry]:
    """The bundled log's registries."""
    log = ee.load()
    return log.entities, log.sources


def decoder() -> Any:
    """A fast decoder for the bundled registries, made in the test (its structs and finishers too)."""
    from eurasia_events._engine.decode import RecordDecoder  # nothing public shows a decline

    return RecordDecoder(*registries())


def data_of(event: ee.Event) -> dict[str, Any]:
    """An event's JSON data, as a record stores it."""
    data: dict[str, Any] = json.loads(encode_record(1, ee.Instant.parse(T1), event, GENESIS)[0])["data"]
    return data


def full_row(event: ee.Event, seq: int) -> tuple[Any, ...]:
    """The row the full attrs event gives."""
    from eurasia_events._engine.rows import row_of

    return row_of(event, seq)


def refused_at_load(folder: Path, *lines: bytes) -> str:
    """The error loading a log of ``lines`` (written behind append's back) gives, as text."""
    copy_registries(folder)
    (folder / "log.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(folder)
    return str(caught.value)


# --- registries with no entity or no source --------------------------------------------------


def empty_registry_log(folder: Path, empty: str, data: dict[str, Any]) -> None:
    """A log folder whose ``empty`` registry (``entities.json`` or ``sources.json``) lists
    nothing, holding one meeting record of ``data``."""
    copy_registries(folder)
    (folder / empty).write_text("[]")
    line, _ = forge_line(1, data)
    (folder / "log.jsonl").write_bytes(line + b"\n")


def test_a_log_with_no_entity_yet_loads_and_answers(tmp_path: Path) -> None:
    """A new log's entity registry may list nothing yet: a log whose events name no entity loads
    and answers (the fast decoder is made for an empty registry too)."""
    data = meeting_data(1, parties=[])
    del data["type"]
    empty_registry_log(tmp_path, "entities.json", data)
    log = ee.load(tmp_path)
    assert log.get("m-1").title == "Meeting 1"
    assert [s.id for s in log.sketches()] == ["m-1"]


def test_with_no_entity_registered_a_party_of_no_id_characters_is_refused_at_load(tmp_path: Path) -> None:
    """With an empty entity registry, a stored event naming a party with none of an entity id's
    characters is refused at load, naming the line, event and field."""
    data = meeting_data(1, parties=["!?"])
    del data["type"]
    empty_registry_log(tmp_path, "entities.json", data)
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'log.jsonl'}:1, event 'm-1', field 'parties': ")


@pytest.mark.parametrize(("empty", "changes", "field"), [
    ("entities.json", {}, "parties"), ("entities.json", {"parties": ["Not An Id!"]}, "parties"),
    ("sources.json", {}, "sources")])
def test_with_an_empty_registry_an_unknown_id_is_refused_at_load(tmp_path: Path, empty: str, changes: dict[str, Any],
                                                                 field: str) -> None:
    """As with a registry that lists other ids, a stored event naming an entity (a source) an
    empty registry does not list is refused at load, naming the line, event and field (the fast
    decoder took any id matching the ids' pattern, searched unanchored, or any source)."""
    data = meeting_data(1, **changes)
    del data["type"]
    empty_registry_log(tmp_path, empty, data)
    with pytest.raises(ee.InvalidEventError) as caught:
        ee.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'log.jsonl'}:1, event 'm-1', field '{field}': ")


# --- what the fast decoder takes itself ---------------------------------------------------------


def test_the_fast_decoder_takes_an_event_with_an_empty_optional_entity_list() -> None:
    """An optional entity list written empty (``"parties": []``) is taken by the fast path, to
    the row the full event gives."""
    data = meeting_data(1, parties=[])
    del data["type"]
    assert decoder().data("meeting", data, 3) == full_row(meeting(1, parties=[]), 3)


def test_the_fast_decoder_takes_a_record_of_exactly_the_line_limit() -> None:
    """A record exactly ``MAX_LINE_BYTES`` long is within the limit: the fast path takes it."""
    data = meeting_data(1, notes="n")
    del data["type"]
    short, _ = forge_line(1, data)
    data["notes"] = "n" * (1 + MAX_LINE_BYTES - len(short))
    line, _ = forge_line(1, data)
    assert len(line) == MAX_LINE_BYTES
    fast = decoder().line(line)
    assert fast is not None
    assert fast[3:] == ("meeting", full_row(meeting(1, notes=data["notes"]), 1))
    assert decoder().line(line + b" ") is None  # one byte more: declined (and refused by the full read)


# --- rows share one object per distinct value ------------------------------------------------


def test_equal_values_of_different_records_share_one_object() -> None:
    """Rows hold each distinct date, figure, entity list, list of slugs and of choices once (a
    million rows hold a few thousand of them), and each distinct value of a field declared
    ``repeated`` (a place, a slug naming an agreement or a measure): records decoded from separate
    lines share the first one's objects."""
    treaty = ee.TreatySigned(id="t-1", date="2014-05-21", title="t", sources=QUOTE, parties=["RU", "CN"],
                             agreement="power-of-siberia-2014", supersedes=["old-1", "old-2"], term="30 years")
    measure = ee.SanctionsImposed(id="s-1", date="2014-07-31", title="t", sources=QUOTE, measure="eu-2014-sectoral",
                                  imposer="eu", targets=["RU"], description="d", sectors=["energy", "finance"])
    talks = meeting(1, location="Vladivostok")
    fast = decoder()
    for event, shared in ((treaty, ("2014-05-21", ("RU", "CN"), ("old-1", "old-2"), "30 years",
                                    "power-of-siberia-2014")),
                          (measure, ("2014-07-31", ("RU",), ("energy", "finance"), "eu-2014-sectoral")),
                          (talks, ("Vladivostok",))):
        first, digest = encode_record(1, ee.Instant.parse(T1), event, GENESIS)
        second, _ = forge_line(2, {**data_of(event), "id": "other"}, type_=event.TYPE, prev=digest)
        one, two = fast.line(first.rstrip(b"\n"))[4], fast.line(second)[4]
        assert one[2:-4] == two[2:-4]  # all but the id and seq
        for value in shared:
            at = one.index(value)
            assert two[at] is one[at], value


def test_a_log_keeps_no_slot_per_repeated_text_once_its_records_are_in(tmp_path: Path) -> None:
    """The repeated texts a load has seen are forgotten once its records are in (the rows hold
    one of each; a million rows naming 150,000 agreements would otherwise keep as many cache
    slots): loading and appending leave the cache empty, and the rows still share their texts."""
    copy_registries(tmp_path)
    log = ee.load(tmp_path, create=True)
    log.append([meeting(1, location="Vladivostok"), meeting(2, location="Vladivostok")])
    loaded = ee.load(tmp_path)
    assert loaded.engine._decoder._shared.texts == {}  # nothing public shows the cache
    from eurasia_events._engine.rows import typed

    one, two = (typed(row) for row in loaded.engine.rows() if typed(row).id in ("m-1", "m-2"))
    assert one.location == "Vladivostok"
    assert two.location is one.location


def test_a_row_naming_an_event_holds_that_events_id_string(tmp_path: Path) -> None:
    """A field naming an event, or what its first event's id names (an agreement, a measure), and
    an amendment's target hold the string of the id they equal: the row's own (a treaty naming
    the agreement it signs by its own id) or the live event's, not an equal copy (a million rows
    name 150,000 agreements, more than the cache of repeated texts keeps: 230,000 copies of
    72 bytes). A name of no event held keeps its own string."""
    from eurasia_events._engine.rows import typed

    copy_registries(tmp_path)
    log = ee.load(tmp_path, create=True)
    log.append([ee.TreatySigned(id="t-1", date="2014-05-21", title="t", sources=QUOTE, parties=["RU", "CN"],
                                agreement="t-1"),
                ee.EnteredIntoForce(id="f-1", date="2015-01-01", title="f", sources=QUOTE, agreement="t-1"),
                ee.EnteredIntoForce(id="f-2", date="2015-01-01", title="f", sources=QUOTE, agreement="elsewhere")])
    log.append([ee.Correction(id="fix", target="f-1", reason="r", changes={"title": "in force"})])
    loaded = ee.load(tmp_path)
    rows = {row.id: row for row in map(typed, loaded.engine.rows())}
    treaty_id = loaded.engine.id_of(0)
    assert rows["t-1"].agreement is treaty_id
    assert rows["f-1"].agreement is treaty_id  # the corrected row, read again, too
    assert rows["f-2"].agreement == "elsewhere"
    assert loaded.engine.amended(3) is loaded.engine.id_of(1)


CODED: dict[str, Any] = {
    "id": "c-1", "date": "2014-05-20", "title": "Make a visit", "sources": QUOTE, "parties": ["CN", "RU"],
    "scheme": "cameo", "code": "042", "initiator": "CN", "recipient": "RU", "intensity": 1.9, "quad_class": 1}
TAKEN = {
    "a fractional figure of a float field": ("coded_interaction", {**CODED, "intensity": -2.5}),
    "optional texts written empty": ("coded_interaction", {**CODED, "notes": "", "place": "", "text": ""}),
    "a meeting's optional texts written empty": ("meeting", {**meeting_data(1), "notes": "", "location": ""}),
    "disputes with a rank and a note": ("meeting", {**meeting_data(1), "disputes": [
        {"field": "title", "value": "x", "source": "seed-004", "rank": "deprecated", "note": "refuted"},
        {"field": "date", "value": "2012", "source": "seed-004", "rank": "normal"}]}),
    "blank optional texts": ("meeting", {**meeting_data(1), "notes": "  ", "location": " "}),
    "a fall where a figure may be negative": ("trade_statistic", {
        "id": "ts-1", "date": "2015-01-20", "title": "t", "sources": QUOTE, "period": "2014", "flow": "exports",
        "value": "10000000000 USD", "exporter": "RU", "importer": "CN", "change": "-5 %"}),
}


@pytest.mark.parametrize("name", TAKEN)
def test_the_fast_decoder_takes_valid_data_itself(name: str) -> None:
    """Valid data the bundled log does not hold (a float field's fraction, optional texts
    written out empty) is taken by the fast path, to the row the full event gives."""
    from eurasia_events.codec import decode_event

    type_, data = TAKEN[name]
    data = {key: value for key, value in data.items() if key != "type"}
    assert decoder().data(type_, data, 5) == full_row(decode_event(type_, data), 5)


def test_the_fast_decoder_takes_an_event_citing_a_datasets_record() -> None:
    """A citation of a dataset's record (no quote) is taken by the fast path, to the row the full
    event gives."""
    from eurasia_events._engine.decode import RecordDecoder
    from eurasia_events.codec import decode_event

    entities, bundled = registries()
    dataset = {"id": "icews", "title": "ICEWS Coded Event Data", "publisher": "Harvard Dataverse", "kind": "dataset",
               "version": "Dataverse V30", "address": "https://doi.org/10.7910/DVN/28075"}
    sources = ee.SourceRegistry.from_records([*bundled.to_records(), dataset])
    data = {**CODED, "sources": [{"source": "icews", "record": "21563720@2014-05-20"}]}
    fast = RecordDecoder(entities, sources).data("coded_interaction", data, 5)
    assert fast == full_row(decode_event("coded_interaction", data), 5)


def test_a_decoder_given_only_the_source_ids_reads_every_source_as_a_document() -> None:
    """``RecordDecoder`` takes the source ids alone (its documented form, every source then a
    document): a quote is taken, a record cited from a document declined to the full checks."""
    from eurasia_events._engine.decode import RecordDecoder
    from eurasia_events.codec import decode_event

    entities, sources = registries()
    fast = RecordDecoder(entities, sorted(sources))
    assert fast.data("coded_interaction", CODED, 5) == full_row(decode_event("coded_interaction", CODED), 5)
    assert fast.data("coded_interaction", {**CODED, "sources": [{"source": "seed-004", "record": "r-1"}]}, 5) is None


@pytest.mark.parametrize("tag", ["correction", "retraction"])
def test_the_fast_decoder_takes_an_amendment_citing_no_source(tag: str) -> None:
    """An amendment's sources are optional: written as an empty list, the fast path takes it."""
    data: dict[str, Any] = {"id": "fix", "target": "m-1", "reason": "r", "sources": []}
    if tag == "correction":
        data["changes"] = {"title": "Fixed"}
    assert decoder().data(tag, data, 7) == (tag, "fix", "m-1", 7)


@pytest.mark.parametrize(("changes", "field"), [
    ({"intensity": 10.5}, "intensity"), ({"intensity": -11}, "intensity"), ({"quad_class": 5}, "quad_class"),
    ({"quad_class": 0}, "quad_class")])
def test_a_stored_number_out_of_its_bounds_is_refused_at_load(tmp_path: Path, changes: dict[str, Any],
                                                              field: str) -> None:
    """A coded interaction whose intensity or class is past its field's bounds, written behind
    append's back: loading refuses it, naming the line, the event and the field."""
    line, _ = forge_line(1, {**CODED, **changes}, type_="coded_interaction")
    assert refused_at_load(tmp_path, line).startswith(f"{tmp_path / 'log.jsonl'}:1, event 'c-1', field '{field}': ")


REFUSED = {  # a stored meeting's changed data -> the field the error names
    "an unknown field": ({"venue": "x"}, "venue"),
    "a citation with an unknown key": ({"sources": [{"source": "seed-000", "quote": "q", "page": 3}]}, "sources"),
    "a dispute with an unknown key": ({"disputes": [{"field": "title", "value": "x", "source": "seed-004",
                                                     "page": 3}]}, "disputes"),
    "a required choice written null": ({"kind": None}, "kind"),
    "an id that is no slug": ({"id": "M 1"}, "id"),
    "an id starting with a dot": ({"id": ".m-1"}, "id"),
    "a related event that is no slug": ({"related": ["m-2", "Meeting 2"]}, "related"),
    "a related event starting with a dash": ({"related": ["-m-2"]}, "related"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_a_stored_event_breaking_a_field_rule_is_refused_at_load(tmp_path: Path, name: str) -> None:
    """A meeting written behind append's back with a key its type (a citation, a dispute) does
    not declare, its kind written ``null``, or an id or related event that is no slug: loading
    refuses it, naming the line, the event (unless its id is what is wrong) and the field."""
    changes, field = REFUSED[name]
    data = meeting_data(1, **changes)
    del data["type"]
    line, _ = forge_line(1, data)
    where = f"field '{field}'" if field == "id" else f"event 'm-1', field '{field}'"
    assert refused_at_load(tmp_path, line).startswith(f"{tmp_path / 'log.jsonl'}:1, {where}: ")


def test_a_stored_correction_changing_nothing_is_refused_at_load(tmp_path: Path) -> None:
    """A correction whose changes are empty, written behind append's back: loading refuses it,
    naming its line and field."""
    first, digest = encode_record(1, ee.Instant.parse(T1), meeting(1), GENESIS)
    second, _ = forge_line(2, {"id": "fix", "target": "m-1", "reason": "r", "changes": {}}, type_="correction",
                           prev=digest)
    problem = refused_at_load(tmp_path, first.rstrip(b"\n"), second)
    assert problem.startswith(f"{tmp_path / 'log.jsonl'}:2, event 'fix', field 'changes': ")


def test_a_stored_event_breaking_its_types_own_rule_is_refused_at_load(tmp_path: Path) -> None:
    """An agreement extended by both a term and an end date breaks its type's cross-field rule
    (``__attrs_post_init__``), which the fast path runs on the row: written behind append's
    back, loading refuses it, naming the line, the event and the field."""
    event = ee.AgreementExtended(id="x-1", date="2019-01-01", title="t", sources=QUOTE, agreement="a", term="5 years")
    line, _ = forge_line(1, {**data_of(event), "until": "2030-01-01"}, type_="agreement_extended")
    assert refused_at_load(tmp_path, line).startswith(f"{tmp_path / 'log.jsonl'}:1, event 'x-1', field 'term': ")


@pytest.mark.parametrize("date", ["2014-05", "2014", "2014-05-20/2014-05-22"])
def test_a_stored_coded_interaction_not_dated_to_a_day_is_refused_at_load(tmp_path: Path, date: str) -> None:
    """A coded interaction is one day's event: one dated to a month, a year or a range, written
    behind append's back, is refused at load, naming the line, the event and the field."""
    line, _ = forge_line(1, {**CODED, "date": date}, type_="coded_interaction")
    assert refused_at_load(tmp_path, line).startswith(f"{tmp_path / 'log.jsonl'}:1, event 'c-1', field 'date': ")
