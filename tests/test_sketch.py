"""The one decoding point (msgspec structs generated from the declarations) agrees with
the full event, and never accepts data that building the event refuses."""

from __future__ import annotations

import gc
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events._engine.decode import RecordDecoder
from eurasia_events._engine.rows import row_of, typed
from eurasia_events.codec import decode_event, encode_event
from eurasia_events.events import EVENT_TYPES, Event
from eurasia_events.testing import event_data, events

REGISTRIES = (ee.load().entities, ee.load().sources)
ENTITIES, SOURCES = sorted(REGISTRIES[0]), sorted(REGISTRIES[1])
DECODER = RecordDecoder(ENTITIES, SOURCES)
EVENT_CLASSES = [cls for cls in EVENT_TYPES.values() if issubclass(cls, Event)]


def _full(type_: str, data: Any) -> Event | None:
    """The event built with every check, or None if it is invalid (the log's own checks included)."""
    try:
        event = decode_event(type_, data)
    except ee.EurasiaEventsError:
        return None
    assert isinstance(event, Event)
    refs_ok = all(entity in REGISTRIES[0] for _, entity in event.entity_refs())
    return event if refs_ok and all(c.source in REGISTRIES[1] for c in event.sources) else None


@given(events(ENTITIES, SOURCES), st.integers(1, 10**9))
def test_fast_path_equals_the_sketch_of_the_full_event(event: Event, seq: int) -> None:
    data = encode_event(event)
    fast = DECODER.data(event.TYPE, data, seq)
    expected = row_of(event, seq)
    assert fast == expected
    assert type(expected) is tuple
    view = typed(expected)
    for name, _stored in type(view)._KEPT:
        assert getattr(view, name) == getattr(event, name), name
    assert (view.TYPE, view.seq, view.span) == (event.TYPE, seq, event.span)
    assert sorted(view.entity_refs()) == sorted(event.entity_refs())


DISPUTES = st.lists(st.fixed_dictionaries(
    {"field": st.sampled_from(["date", "annual_volume", "", 3]), "value": st.sampled_from(["2014", "2015-13", "", "x"]),
     "source": st.sampled_from(["seed-000", "nowhere", ""])},
    optional={"note": st.sampled_from(["", "n", 5]), "extra": st.just("x")}), max_size=2)
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8), DISPUTES,
                 st.sampled_from(["RU", "2015-02-30", "2015-13", "-3 bcm/yr", "0 %", "150 %", "happened", "talks",
                                  "seed-000", "", " ", "2014", "38 bcm/yr", "5 years", "eu", "10 billion USD"]),
                 st.lists(st.sampled_from(["RU", "CN", "RU", "atlantis", "energy"]), max_size=3))


AMENDMENT = st.fixed_dictionaries(
    {"id": st.sampled_from(["fix-1", "Fix 1", ""]), "target": st.sampled_from(["m-1", "", "M"]),
     "reason": st.sampled_from(["typo", "", " ", 4])},
    optional={"sources": st.sampled_from([[], [{"source": "seed-000", "quote": "q"}], [{"source": "x", "quote": "q"}],
                                           [{"source": "seed-000", "quote": ""}], "x"]),
              "notes": st.sampled_from(["", None]), "changes": st.sampled_from([{}, {"title": "T"}, {"id": "x"}, []]),
              "venue": st.just("x")})


@settings(max_examples=max(300, settings().max_examples))
@given(st.sampled_from(["correction", "retraction"]), AMENDMENT)
def test_fast_amendment_check_never_accepts_what_the_full_check_refuses(tag: str, data: dict[str, Any]) -> None:
    fast = DECODER.data(tag, data, 1)
    if fast is not None:
        event = decode_event(tag, data)  # raises if the fast check let something invalid through
        assert fast == (tag, event.id, event.target, 1)
        assert all(c.source in REGISTRIES[1] for c in event.sources)


@settings(max_examples=max(400, settings().max_examples))  # cheap examples: many of them
@given(st.sampled_from(EVENT_CLASSES), st.data())
def test_fast_path_never_accepts_what_the_full_event_refuses(cls: type[Event], data: st.DataObject) -> None:
    """Damage valid data: one field replaced by junk, dropped, or added; the fast path either
    declines or gives exactly the sketch of the (then valid) full event."""
    values = data.draw(event_data(cls, ENTITIES, SOURCES))
    names = [f.name for f in attrs.fields(cls)] + ["venue", "disputes"]
    name = data.draw(st.sampled_from(names))
    if data.draw(st.booleans()):
        values[name] = data.draw(JUNK)
    else:
        values.pop(name, None)
    fast = DECODER.data(cls.TYPE, values, 1)
    if fast is not None:
        full = _full(cls.TYPE, values)
        assert full is not None, f"the fast path accepted invalid data: {values}"
        assert fast == row_of(full, 1)


def test_sketches_leave_the_garbage_collector_nothing_to_track() -> None:
    """A sketch holds only text, numbers and tuples of them, so collections untrack it (a
    tuple holding a tuple still tracked may need a second pass)."""
    log = ee.load()
    gc.collect()
    gc.collect()
    stored = list(log.engine.rows())
    assert len(stored) > 100
    assert [s for s in stored if gc.is_tracked(s)] == []


@pytest.mark.parametrize("name", ["date", "annual_volume", "status", "term"])
def test_a_sketch_gives_typed_values(name: str) -> None:
    log = ee.load()
    sketch = next(s for s in log.sketches() if s.TYPE == "supply_contract" and s.term_text is not None)
    assert getattr(sketch, name) == getattr(log.get(sketch.id), name)


def test_a_required_choice_is_not_optional() -> None:
    """Found by the property test above: a required choice (a meeting's kind) given as null."""
    data = {"id": "m-1", "date": "2014", "title": "t", "sources": [{"source": "seed-000", "quote": "q"}],
            "kind": None}
    assert DECODER.data("meeting", data, 1) is None
    assert _full("meeting", data) is None
    optional = {**data, "kind": "memorandum", "agreement": "a", "commodity": None}
    assert DECODER.data("memorandum", optional, 1) == row_of(decode_event("memorandum", optional), 1)
