"""Typed events: validation at construction, and the JSON codec's round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.codec import decode_event, encode_event
from eurasia_events.testing import events

ENTITIES = ["RU", "CN", "KZ", "gazprom", "cnpc", "eaeu", "putin", "power-of-siberia"]
SOURCES = ["seed-000", "seed-004"]
CITE = [{"source": "seed-004", "quote": "a quote"}]


@pytest.mark.parametrize("cls", [c for c in ee.EVENT_TYPES.values() if issubclass(c, ee.Event)])
def test_every_event_type_round_trips(cls: type[ee.Event]) -> None:
    """decode(encode(e)) == e for every event type (examples drawn per type)."""

    @given(events(ENTITIES, SOURCES, types=[cls]))
    def check(event: ee.Event) -> None:
        assert decode_event(event.TYPE, encode_event(event)) == event

    check()


@given(st.data())
def test_amendments_round_trip(data: st.DataObject) -> None:
    """Corrections and retractions round trip too, nested JSON values included."""
    value = data.draw(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                                   lambda inner: st.lists(inner, max_size=3)
                                   | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8))
    correction = ee.Correction(id="c1", target="e1", reason="typo", changes={"notes": value})
    assert decode_event("correction", encode_event(correction)) == correction
    assert correction.changes_dict() == {"notes": value}
    retraction = ee.Retraction(id="r1", target="e1", reason="duplicate")
    assert decode_event("retraction", encode_event(retraction)) == retraction


def contract(**changes) -> ee.SupplyContract:
    fields = {"id": "c", "date": "2014-05-21", "title": "t", "sources": CITE, "agreement": "a",
              "commodity": "pipeline_gas", "annual_volume": "38 bcm/yr", "parties": ["RU", "CN"]}
    fields.update(changes)
    return ee.SupplyContract(**fields)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"annual_volume": "-38 bcm/yr"}, "annual_volume", "positive"),
        ({"annual_volume": "0 bcm/yr"}, "annual_volume", "positive"),
        ({"annual_volume": "38 USD"}, "annual_volume", "does not fit"),
        ({"date": "2015-02-30"}, "date", "day 30"),
        ({"sources": []}, "sources", "at least one source"),
        ({"sources": [{"source": "seed-004", "quote": " "}]}, "sources", "verbatim"),
        ({"commodity": "uranium"}, "commodity", "expected one of"),
        ({"parties": ["Russia"]}, "parties", "entity ids"),
        ({"binding": "yes"}, "binding", "true or false"),
        ({"id": "Bad Id"}, "id", "slug"),
    ],
)
def test_construction_validates_and_names_id_and_field(changes, field: str, words: str) -> None:
    """Invalid fields raise InvalidEventError naming the event id and the field."""
    with pytest.raises(ee.InvalidEventError, match=words) as caught:
        contract(**changes)
    assert caught.value.field == field
    assert f"field {field!r}" in str(caught.value)
    if field != "id":
        assert caught.value.event_id == "c"


def test_end_before_start_is_refused() -> None:
    """A sanction ending before it takes effect is invalid."""
    with pytest.raises(ee.InvalidEventError, match="before it starts") as caught:
        ee.SanctionsImposed(id="s", date="2022-03-02", title="t", sources=CITE, measure="m", imposer="RU",
                            targets=["CN"], description="d", until="2021")
    assert caught.value.field == "until"


def test_events_are_frozen() -> None:
    """There is no way to edit an event in place."""
    event = contract()
    with pytest.raises(AttributeError):
        event.title = "other"  # type: ignore[misc]


def test_unknown_type_and_fields_are_named() -> None:
    """The decoder names unknown types, unknown fields and missing fields."""
    with pytest.raises(ee.InvalidEventError, match="unknown event type 'summit'"):
        decode_event("summit", {"id": "x"})
    with pytest.raises(ee.InvalidEventError, match="unknown field 'venue'"):
        decode_event("meeting", {"id": "x", "venue": "Moscow"})
    with pytest.raises(ee.InvalidEventError, match="missing required field") as caught:
        decode_event("meeting", {"id": "x", "date": "2015", "title": "t", "sources": CITE})
    assert caught.value.field == "kind"


def test_a_deprecated_dispute_is_kept_but_widens_nothing() -> None:
    """A refuted value (rank deprecated) stays in the record and its JSON, but no date is widened by it."""
    base = {"id": "m", "date": "2024-12-27", "title": "t", "kind": "talks",
            "sources": [{"source": "seed-000", "quote": "q"}]}
    normal = ee.Meeting(**base, disputes=[{"field": "date", "value": "2023", "source": "seed-002"}])
    refuted = ee.Meeting(**base, disputes=[{"field": "date", "value": "2023", "source": "seed-002",
                                            "rank": "deprecated"}])
    assert normal.span[0] < refuted.span[0] == refuted.date.earliest_ordinal
    assert refuted.disputes[0].to_json()["rank"] == "deprecated"
    assert refuted.disputed_values("date") == ()
    with pytest.raises(ee.InvalidEventError, match="rank"):
        ee.Meeting(**base, disputes=[{"field": "date", "value": "2023", "source": "seed-002", "rank": "preferred"}])
