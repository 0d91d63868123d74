"""Columnar counts: summary(), series() and the view counts, made without rows, against full events.

The index keeps per-type columns (sort keys, latest possible days of the events that
happened) up to date as events come and go, and a query remembers what it works out from a
fold row with the days it holds on (:func:`eurasia_events.projections.steady`). These tests
ask one log for many days in a row, before and after retroactive appends, corrections and
retractions, and as known at earlier instants, and compare with the independent reference
model (tests/reference.py) or the naive fold of full events.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events import query
from eurasia_events._engine import index
from eurasia_events.projections import reached, steady
from eurasia_events.query import State
from logkit import new_log
from reference import Reference, known_events
from test_reference_model import CITE, days, known_ats, logs, rows

COUNTED = ("meetings", "sanctions", "projects", "agreements", "members", "supply")


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_summary_equals_reference_over_many_days(data: st.DataObject) -> None:
    """summary() on one log asked for many days in a row (what a query remembers reused across
    days) equals the reference model's, made from full events; live and as known at an instant."""
    with pytest.MonkeyPatch.context() as patch:
        # Checkpoints every few events: queries on different days share the fold rows they hold.
        patch.setattr(index, "CHECKPOINT_EVERY", 3)
        log, instants = data.draw(logs(pad=data.draw(st.sampled_from((0, 0, 300)))))
        known_at = data.draw(known_ats(instants))
        chosen = data.draw(st.lists(days(), min_size=2, max_size=4))
        for day in [*chosen, *reversed(chosen)]:
            ref = Reference(known_events(list(log), known_at), day, log.entities)
            assert rows(log.as_of(day, known_at=known_at).summary()) == ref.summary(), f"summary as of {day}"


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_series_counts_equal_view_counts(data: st.DataObject) -> None:
    """series() of a view name (counted without rows) gives each step the count of the view's
    rows, and series("gas") the total of the volumes view's rows."""
    patch = pytest.MonkeyPatch()
    patch.setattr(index, "CHECKPOINT_EVERY", data.draw(st.sampled_from((3, 256))))
    try:
        _check_series(data)
    finally:
        patch.undo()


def _check_series(data: st.DataObject) -> None:
    log, instants = data.draw(logs(pad=data.draw(st.sampled_from((0, 300)))))
    known_at = data.draw(known_ats(instants))
    every = data.draw(st.sampled_from(("year", "month")))
    for name in (*COUNTED, "gas", "oil"):
        found = log.series(name, "2009-06-01", "2017-06-01" if every == "year" else "2011-06-01", every=every,
                           known_at=known_at)
        for row in found:
            state = log.as_of(row.day, known_at=known_at)
            if name in ("gas", "oil"):
                totals = state.volumes("pipeline_gas" if name == "gas" else "oil").totals
                total = totals.get("annual volume", ee.Total(None, None))
                expected: tuple[Any, Any] = (total.certain, total.possible)
            else:
                view = state.view(name)
                made = view.rows  # the rows themselves, not the view's own count
                expected = (view.sure if view.sure is not None else sum(r.certain for r in made), len(made))
            assert (row.value, row.possible) == expected, f"{name} on {row.day}"


def _meeting(n: int, date: str, status: str = "happened") -> ee.Meeting:
    return ee.Meeting(id=f"m{n}", date=date, title="talks", sources=CITE, kind="talks", parties=("RU", "CN"),
                      status=status)


def _held(log: ee.Log, day: str, known_at: ee.Instant | None = None) -> tuple[int, int]:
    found = log.as_of(day, known_at=known_at).summary().get(item="meetings and forums held")
    return int(found.certain), int(found.possible)


def _held_naive(log: ee.Log, day: str, known_at: ee.Instant | None = None) -> tuple[int, int]:
    found = State(log, day, known_at, naive=True).summary().get(item="meetings and forums held")
    return int(found.certain), int(found.possible)


@pytest.mark.parametrize("spacing", [4, 256])
def test_meeting_columns_follow_appends_corrections_and_retractions(
        monkeypatch: pytest.MonkeyPatch, spacing: int) -> None:
    """The count of meetings held, read from the index's columns, stays that of a plain fold of
    the full events after retroactive appends, a status corrected both ways, a date widened,
    a retraction, and as known at each earlier instant."""
    monkeypatch.setattr(index, "CHECKPOINT_EVERY", spacing)
    log = new_log(ee.MemoryStore())
    log.append([_meeting(n, f"{2010 + n % 6}-0{1 + n % 9}-1{n % 10}") for n in range(40)])
    days = ("2009-12-31", "2012-03-15", "2014-01-01", "2016-12-31", "2020-01-01")
    steps: list[list[Any]] = [
        [_meeting(100, "2011-05"), _meeting(101, "2013", status="planned"), _meeting(102, "2015-02-02")],
        [ee.Correction(id="c1", target="m3", reason="test", changes={"status": "planned"})],
        [ee.Correction(id="c2", target="m101", reason="test", changes={"status": "happened"})],
        [ee.Correction(id="c3", target="m5", reason="test", changes={"date": "2011/2015"})],
        [ee.Retraction(id="r1", target="m7", reason="test"), _meeting(103, "2011-05-12?")],
    ]
    first = {day: _held(log, day) for day in days}  # the columns made before the changes
    for batch in steps:
        log.append(batch)
        for day in days:
            assert _held(log, day) == _held_naive(log, day), f"after {batch[0].id}, as of {day}"
    assert first != {day: _held(log, day) for day in days}
    for known_at in [r.recorded for r in log][::7]:
        for day in days:
            assert _held(log, day, known_at) == _held_naive(log, day, known_at), f"known at {known_at}, {day}"


def test_same_day_after_an_append_past_the_last_checkpoint(memory_log: ee.Log) -> None:
    """A query on the same day after an append past the last checkpoint sees the event (the fold
    on top of the checkpoint is remembered only for the same events on the same layers)."""
    memory_log.append([ee.TreatySigned(id="t1", date="2015-01-01", title="t", sources=CITE, agreement="ag-1",
                                       parties=("RU", "CN"))])
    assert memory_log.as_of("2020-01-01").summary().get(item="agreements signed, not yet in force").value == "1"
    memory_log.append([ee.TreatySigned(id="t2", date="2016-01-01", title="t", sources=CITE, agreement="ag-2",
                                       parties=("RU", "CN"))])
    assert memory_log.as_of("2020-01-01").summary().get(item="agreements signed, not yet in force").value == "2"
    # A correction leaves the number of events by the day as it was: the fold is made again all the same.
    memory_log.append([ee.Correction(id="c1", target="t2", reason="test", changes={"in_force_on_signature": True})])
    assert memory_log.as_of("2020-01-01").summary().get(item="agreements in force").value == "1"


def test_series_counts_on_the_bundled_log() -> None:
    """On the bundled log, series() of each view name gives every month the count of the view's rows."""
    log = ee.load()
    for name in COUNTED:
        for row in log.series(name, "2019-01-01", "2024-12-01", every="month"):
            view = log.as_of(row.day).view(name)
            made = view.rows
            expected = (view.sure if view.sure is not None else sum(r.certain for r in made), len(made))
            assert (row.value, row.possible) == expected, f"{name} on {row.day}"


def test_summary_makes_no_view_rows_or_typed_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """summary() is worked out from the fold state and the columns: no view row and no typed
    row is made (each maker is replaced by one that fails), and its text is unchanged."""
    log = ee.load()
    expected = str(log.as_of("2024-05-16").summary())

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("summary() made a row")

    for name in ("SupplyRow", "MemberRow", "ProjectRow", "SanctionRow", "VolumeRow", "MeetingRow", "AgreementRow",
                 "typed"):
        monkeypatch.setattr(query, name, refuse)
    assert str(log.as_of("2024-05-16").summary()) == expected
    assert str(log.as_of("2025-05-16").summary())  # another day, nothing remembered for it


LAZY = (("meetings", {}), ("meetings", {"participant": "Putin"}), ("trade", {}), ("finance", {}),
        ("sanctions", {}), ("sanctions", {"in_force_only": False}), ("sanctions", {"target": "Sberbank"}),
        ("sanctions", {"imposer": "eu", "in_force_only": False}))


@pytest.mark.parametrize("day", ["2001-07-16", "2014-05-21", "2018-06-01", "2022-03-01", "2024-05-16"])
def test_view_counts_make_no_row_and_agree_with_the_rows(day: str) -> None:
    """len() and count of the meetings, trade, finance and sanctions views make no row (each
    maker fails); made afterwards, the rows agree with them, and finance's totals are the same."""
    log = ee.load()
    counted = {}
    with pytest.MonkeyPatch.context() as patch:
        for name in ("MeetingRow", "TradeRow", "FinanceRow", "SanctionRow"):
            refused = type(name, (getattr(query, name),), {"__init__": lambda *_, **__: pytest.fail("a row was made")})
            patch.setattr(query, name, refused)
        state = log.as_of(day)
        for name, options in LAZY:
            view = getattr(state, name)(**options)
            counted[name, repr(options)] = (len(view), view.count, view.totals)
    state = log.as_of(day)
    for name, options in LAZY:
        view = getattr(state, name)(**options)
        made = view.rows
        assert counted[name, repr(options)] == (
            len(made), ee.Count(sum(r.certain for r in made), len(made)), view.totals), (name, options)
        assert len(made) or name == "sanctions" or day < "2014", (name, day)  # not vacuous


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)), max_size=6), st.integers(-5, 90))
def test_steady_days_keep_every_reached(spans: list[tuple[int, int]], day: int) -> None:
    """On every day steady() gives around a day, reached() answers as on that day, for every span;
    and the days just outside answer differently for some span."""
    pairs = [(lo, lo + width) for lo, width in spans]
    lo, hi = steady(pairs, day)
    assert lo <= day < hi
    for other in range(max(lo, -10), min(hi, 100)):
        assert [reached(s, other) for s in pairs] == [reached(s, day) for s in pairs]
    for edge in (lo - 1, hi):
        if -10 < edge < 100:
            assert [reached(s, edge) for s in pairs] != [reached(s, day) for s in pairs]


def test_steady_days_of_an_extended_agreement(memory_log: ee.Log) -> None:
    """An agreement's status remembered on one day is not reused past its expiry, nor past an
    extension that moves it: each day's summary equals the naive fold's."""
    memory_log.append([
        ee.TreatySigned(id="t1", date="2001-07-16", title="t", sources=CITE, agreement="ag-1", parties=("RU", "CN"),
                        term="20 years", in_force_on_signature=True),
        ee.AgreementExtended(id="x1", date="2021-06-28", title="x", sources=CITE, agreement="ag-1", term="5 years"),
    ])
    for day in ("2010-01-01", "2021-06-27", "2021-07-16", "2021-07-17", "2026-07-16", "2026-07-17", "2030-01-01",
                "2021-07-17", "2010-01-01"):
        got = rows(memory_log.as_of(day).summary())
        assert got == rows(State(memory_log, day, naive=True).summary()), day


def test_changing_a_states_fold_changes_no_later_answer() -> None:
    """Queries on the same checkpoint share one flattened fold; ``state.fold`` is the state's
    own copy, so a caller emptying it (or folding "what if" events into it) changes nothing."""
    log = ee.load()
    before = log.as_of("2020-01-01")
    expected = (before.agreements().to_records(), before.summary().to_records())
    before.fold.agreements.clear()
    before.fold.supply.clear()
    for day in ("2020-01-01", "2020-01-02"):
        again = log.as_of(day)
        assert (again.agreements().to_records(), again.summary().to_records()) == expected
    assert before.agreements().to_records() == expected[0]  # the state's own answers too
