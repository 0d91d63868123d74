"""As-of queries: each rule pinned on a small hand-written log, and the fast path checked
against a naive fold on random logs."""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.query import State
from eurasia_events.testing import events, log_batches

Q = [{"source": "seed-004", "quote": "q"}]


def add(log: ee.Log, *items: ee.Event | ee.Amendment, recorded: str | None = None) -> None:
    log.append(items, recorded=recorded)


def treaty(name: str) -> ee.TreatySigned:
    """A treaty signed on 2000-01-01, in force on signature."""
    return ee.TreatySigned(id=name, date="2000-01-01", title=name, sources=Q, agreement=name,
                           in_force_on_signature=True)


def ended(event_id: str, date: str, agreement: str, reason: str) -> ee.AgreementEnded:
    return ee.AgreementEnded(id=event_id, date=date, title=event_id, sources=Q, agreement=agreement, reason=reason)


def test_in_force_interval_and_expiry_from_a_term(memory_log: ee.Log) -> None:
    """Signed, then in force from entry into force, expired after the term; an extension moves the expiry."""
    add(memory_log,
        ee.TreatySigned(id="s", date="2001-07-16", title="treaty", sources=Q, agreement="t", kind="treaty",
                        term="20 years", parties=["RU", "CN"]),
        ee.EnteredIntoForce(id="f", date="2002-02-28", title="in force", sources=Q, agreement="t"))
    status = lambda day: memory_log.as_of(day).agreements().get(agreement="t")  # noqa: E731
    assert memory_log.as_of("2001-07-15").agreements().find(agreement="t") == []
    assert status("2001-07-16").status == "signed"
    assert status("2002-02-28").status == "in force"
    assert status("2002-02-28").in_force_until == "2022-02-28"
    assert status("2022-02-28").status == "expired"
    add(memory_log, ee.AgreementExtended(id="x", date="2021-06-28", title="extended", sources=Q, agreement="t",
                                         term="5 years"))
    assert status("2022-03-01").status == "in force"
    assert status("2022-03-01").in_force_until == "2027-02-28"
    assert status("2021-01-01").in_force_until == "2022-02-28"  # the extension had not happened yet
    assert status("2027-02-28").status == "expired"


def gas(event_id: str, date: str, volume: str, route: str | None, *, binding: bool = True, **extra: Any) -> ee.Event:
    if binding:
        return ee.SupplyContract(id=event_id, date=date, title=event_id, sources=Q, agreement=event_id,
                                 commodity="pipeline_gas", annual_volume=volume, route=route, **extra)
    return ee.Memorandum(id=event_id, date=date, title=event_id, sources=Q, agreement=event_id,
                         commodity="pipeline_gas", annual_volume=volume, route=route, **extra)


def test_volumes_add_across_routes_and_restate_within_one(memory_log: ee.Log) -> None:
    """Different routes add; a later document on the same route restates instead of adding."""
    add(memory_log,
        gas("memo", "2013-03-22", "38 bcm/yr", "power-of-siberia", binding=False),
        gas("east", "2014-05-21", "38 bcm/yr", "power-of-siberia", term="30 years"),
        gas("far", "2022-02-04", "10 bcm/yr", "far-eastern-route"))
    state = memory_log.as_of("2022-06-01")
    assert state.contracted("pipeline_gas").certain == ee.Quantity.parse("48 bcm/yr")
    assert state.contracted("pipeline_gas", binding=False).certain == ee.Quantity.parse("38 bcm/yr")
    assert state.contracted("pipeline_gas", binding=None).certain == ee.Quantity.parse("48 bcm/yr")
    rows = state.volumes("pipeline_gas", binding=None)
    assert rows.get(agreement="memo").counted is False
    assert rows.get(agreement="east").cumulative == ee.Quantity.parse("1140 bcm")
    add(memory_log, gas("far2", "2025-09-02", "12 bcm/yr", "far-eastern-route", supersedes=["far"]))
    later = memory_log.as_of("2025-12-31")
    assert later.contracted("pipeline_gas").certain == ee.Quantity.parse("50 bcm/yr")
    assert later.agreements().get(agreement="far").status == "superseded"


def test_founding_treaty_counts_from_entry_into_force(memory_log: ee.Log) -> None:
    """Founding members are members from entry into force, not signature; accessions from their date."""
    add(memory_log,
        ee.TreatySigned(id="sign", date="2014-05-29", title="EAEU treaty", sources=Q, agreement="eaeu-treaty",
                        kind="treaty", parties=["RU", "BY", "KZ"], founds="eaeu"),
        ee.EnteredIntoForce(id="force", date="2015-01-01", title="in force", sources=Q, agreement="eaeu-treaty"),
        ee.MembershipJoined(id="am", date="2015-01-02", title="Armenia", sources=Q, organisation="eaeu", member="AM"),
        ee.MembershipLeft(id="am-left", date="2030-01-01", title="hypothetical", sources=Q, organisation="eaeu",
                          member="AM", status="unconfirmed"))
    members = lambda day: sorted(r.member for r in memory_log.as_of(day).members("EAEU"))  # noqa: E731
    assert members("2014-12-31") == []
    assert members("2015-01-01") == ["BY", "KZ", "RU"]
    assert members("2015-01-02") == ["AM", "BY", "KZ", "RU"]
    assert members("2030-01-01") == ["BY", "KZ", "RU"]


def test_members_list_the_events_of_founding_treaties_in_one_order_whatever_the_fold_order(
        memory_log: ee.Log) -> None:
    """Two founding treaties in force on the same day: a member's events list them by agreement
    id, in the index (a corrected treaty keeps its key's place) as in a plain fold (where the
    correction's earlier date puts its key first)."""
    treaties = [ee.TreatySigned(id=f"sign-{x}", date=day, title=x, sources=Q, agreement=f"t-{x}", kind="treaty",
                                parties=["RU", "BY"], founds="eaeu") for x, day in (("b", "2014-01-01"),
                                                                                    ("a", "2014-06-01"))]
    forces = [ee.EnteredIntoForce(id=f"force-{x}", date="2015-01-01", title="in force", sources=Q, agreement=f"t-{x}")
              for x in "ab"]
    add(memory_log, *treaties, *forces, *[gas(f"c{i}", f"20{16 + i}-01-01", "1 bcm/yr", None) for i in range(6)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        len(memory_log.as_of("2030-01-01").agreements())
        add(memory_log, ee.Correction(id="fix-a", target="sign-a", reason="signed earlier",
                                      changes={"date": "2013-06-01"}))
        fast, naive = memory_log.as_of("2030-01-01"), State(memory_log, "2030-01-01", naive=True)
        assert list(fast.fold.agreements)[:2] != list(naive.fold.agreements)[:2]  # the fold orders differ
        for state in (fast, naive):
            assert state.members("eaeu").get(member="RU").events == ("force-a", "force-b")
        assert every_view(fast) == every_view(naive)


def reordered(log: ee.Log, earlier: ee.Event, later: ee.Event, date: str) -> tuple[State, State]:
    """``earlier``, ``later`` and six route-less contracts, queried once with checkpoints every 2
    events, then ``later`` corrected to ``date`` (before ``earlier``'s first day): the index keeps
    its key after ``earlier``'s, a plain fold puts it first. The two states on 2030-01-01."""
    add(log, earlier, later, *[gas(f"c{i}", f"20{16 + i}-01-01", "1 bcm/yr", None) for i in range(6)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        len(log.as_of("2030-01-01").agreements())
    add(log, ee.Correction(id="fix", target=later.id, reason="the date", changes={"date": date}))
    fast, naive = log.as_of("2030-01-01"), State(log, "2030-01-01", naive=True)
    assert list(fast.fold.agreements)[:2] == [earlier.id, later.id]
    assert list(naive.fold.agreements)[:2] == [later.id, earlier.id]
    return fast, naive


def test_a_volume_total_is_in_the_unit_of_its_first_row_whatever_the_fold_order(memory_log: ee.Log) -> None:
    """Documents of one dimension in two units (bcm/yr, m3/yr): the total is in the unit of the
    view's first row counted in it, in the index as in a plain fold; it once followed the
    document the fold met first."""
    fast, naive = reordered(memory_log, gas("b", "2014-01-01", "5000000000 m3/yr", "espo-pipeline"),
                            gas("a", "2014-06-01", "10 bcm/yr", "power-of-siberia"), "2013-06-01")
    for state in (fast, naive):
        assert state.volumes().rows[0].agreement == "c0"  # no route: first
        assert str(state.contracted()) == "21 bcm/yr"
    assert every_view(fast) == every_view(naive)


def test_of_equal_volumes_in_two_bounds_the_one_counted_does_not_depend_on_the_fold_order(
        memory_log: ee.Log) -> None:
    """Two contracts on one route whose dates leave open which is newer, "~10 bcm/yr" and "10
    bcm/yr": the route certainly counts the least (the exact one) and possibly the greatest
    (the approximate one, by bound), in the index as in a plain fold; the first met once won
    either tie."""
    fast, naive = reordered(memory_log, gas("b", "2014", "~10 bcm/yr", "power-of-siberia"),
                            gas("a", "2014-06-01", "10 bcm/yr", "power-of-siberia"), "2014?")
    for state in (fast, naive):
        total = state.contracted()
        assert (str(total.certain), str(total.possible)) == ("16 bcm/yr", "~16 bcm/yr")
    assert every_view(fast) == every_view(naive)


def test_sanctions_count_from_their_effective_date(memory_log: ee.Log) -> None:
    """Adopted on one day, in force from the effective date, gone when lifted."""
    add(memory_log,
        ee.SanctionsImposed(id="swift", date="2022-03-02", title="SWIFT", sources=Q, measure="swift", imposer="eu",
                            targets=["vtb"], description="SWIFT ban", effective="2022-03-12"),
        ee.SanctionsLifted(id="lift", date="2030-01-01", title="lifted", sources=Q, measure="swift"))
    assert memory_log.as_of("2022-03-05").sanctions().rows == ()
    pending = memory_log.as_of("2022-03-05").sanctions(in_force_only=False).get(measure="swift")
    assert (pending.status, pending.certain) == ("adopted", True)
    assert memory_log.as_of("2022-03-12").sanctions(target="vtb").get(measure="swift").certain
    assert memory_log.as_of("2030-01-01").sanctions(in_force_only=False).get(measure="swift").status == "lifted"


def test_a_target_s_sanctions_work_out_each_measure_s_designations_once() -> None:
    """Choosing the measures that designate a target reads their designations on the day; the
    rows shown reuse them rather than working them out again (per measure, once a call)."""
    log = ee.load()
    worked_out: list[str] = []
    designated = State._designated

    def counted(state: State, measure: Any) -> Any:
        worked_out.append(measure.measure)
        return designated(state, measure)

    with mock.patch.object(State, "_designated", counted):
        rows = log.as_of("2022-12-31").sanctions(target="vtb").rows
    assert rows
    assert {row.measure for row in rows} <= set(worked_out)
    assert sorted(worked_out) == sorted(set(worked_out))


def test_partial_dates_make_rows_uncertain(memory_log: ee.Log) -> None:
    """A month-precision start is absent before the month, uncertain during it, certain after."""
    add(memory_log, ee.SupplyStarted(id="first-gas", date="2019-12", title="first gas", sources=Q,
                                     commodity="pipeline_gas", route="power-of-siberia"))
    assert memory_log.as_of("2019-11-30").supply().rows == ()
    assert memory_log.as_of("2019-12-15").supply().get(route="power-of-siberia").certain is False
    assert memory_log.as_of("2019-12-31").supply().get(route="power-of-siberia").certain is True


def test_one_route_carrying_two_commodities_lists_them_in_one_order() -> None:
    """Rows tied on (opening, route) are ordered by commodity, whatever order the fold met them
    in (hypothesis found the fast path and a naive fold listing them differently)."""
    def rows(order: list[str]) -> list[tuple[str, str]]:
        log = fresh_log()
        for commodity in order:
            log.append([ee.SupplyStarted(id=f"first-{commodity}", date="2019-12", title="first", sources=Q,
                                         commodity=commodity, route="power-of-siberia")])
        return [(r.route, r.commodity) for r in log.as_of("2020-06-01").supply()]

    assert rows(["pipeline_gas", "oil"]) == rows(["oil", "pipeline_gas"]) == \
        [("power-of-siberia", "oil"), ("power-of-siberia", "pipeline_gas")]


def test_contested_dates_keep_both(memory_log: ee.Log) -> None:
    """Between two sources' dates the answer is uncertain; before both, absent; after both, certain."""
    add(memory_log, ee.MembershipJoined(
        id="kg", date="2015-08-12", title="Kyrgyzstan", sources=Q, organisation="eaeu", member="KG",
        disputes=[{"field": "date", "value": "2015-08-06", "source": "seed-002", "note": "other source"}]))
    members = lambda day: memory_log.as_of(day).members("eaeu")  # noqa: E731
    assert members("2015-08-05").rows == ()
    assert members("2015-08-08").get(member="KG").certain is False
    assert members("2015-08-12").get(member="KG").certain is True


def test_totals_separate_certain_from_possible(memory_log: ee.Log) -> None:
    """A contract signed 'some day in May' counts as possible, not certain, in mid-May."""
    add(memory_log, gas("a", "2014-05-01", "38 bcm/yr", "power-of-siberia"),
        gas("b", "2014-05", "10 bcm/yr", "far-eastern-route"))
    total = memory_log.as_of("2014-05-15").contracted()
    assert total.certain == ee.Quantity.parse("38 bcm/yr")
    assert total.possible == ee.Quantity.parse("48 bcm/yr")
    assert not total.exact


def test_corrections_and_retractions_under_known_at(memory_log: ee.Log) -> None:
    """Views follow corrections and retractions from when they were recorded, and not before."""
    add(memory_log, gas("a", "2014-05-21", "38 bcm/yr", "power-of-siberia"), recorded="2026-01-01T00:00:00Z")
    add(memory_log, ee.Correction(id="fix", target="a", reason="misread", changes={"annual_volume": "40 bcm/yr"}),
        recorded="2026-02-01T00:00:00Z")
    add(memory_log, ee.Retraction(id="drop", target="a", reason="not a contract"), recorded="2026-03-01T00:00:00Z")
    at = lambda known: memory_log.as_of("2020-01-01", known_at=known).contracted().certain  # noqa: E731
    assert at("2025-12-31T00:00:00Z") is None
    assert at("2026-01-15T00:00:00Z") == ee.Quantity.parse("38 bcm/yr")
    assert at("2026-02-15T00:00:00Z") == ee.Quantity.parse("40 bcm/yr")
    assert at(None) is None


def test_custom_projection(memory_log: ee.Log) -> None:
    """A projection of one's own: an initial state and one function per event type."""
    add(memory_log, gas("a", "2014-05-21", "38 bcm/yr", "power-of-siberia"),
        ee.Meeting(id="m", date="2014-05-20", title="summit", sources=Q, kind="summit", parties=["putin", "xi"]))
    routes = ee.Projection(initial=frozenset(), handlers={ee.SupplyContract: lambda s, e: s | {e.route}})
    assert memory_log.project(routes, as_of="2014-05-20") == frozenset()
    assert memory_log.project(routes, as_of="2014-05-21") == {"power-of-siberia"}


def test_diff_and_series(memory_log: ee.Log) -> None:
    """diff lists what entered between two days; series gives one value per step."""
    add(memory_log, gas("a", "2014-05-21", "38 bcm/yr", "power-of-siberia"),
        gas("b", "2022-02-04", "10 bcm/yr", "far-eastern-route"))
    changes = memory_log.diff("2020-01-01", "2023-01-01")
    assert [(r.view, r.key, r.change) for r in changes] == [("agreements", "b", "entered")]
    values = [r.value for r in memory_log.series("gas", "2013-01-01", "2023-01-01", every="year")]
    assert values[0] is None
    assert values[1] is None
    assert values[2] == ee.Quantity.parse("38 bcm/yr")
    assert values[-1] == ee.Quantity.parse("48 bcm/yr")


# --- properties ----------------------------------------------------------------------

ENTITIES = ["RU", "CN", "KZ", "AM", "eaeu", "gazprom", "cnpc", "power-of-siberia", "far-eastern-route", "yamal-lng"]
SOURCES = ["seed-000", "seed-004"]
DAYS = st.dates(min_value=dt.date(1989, 1, 1), max_value=dt.date(2032, 1, 1))


REGISTRIES = (ee.EntityRegistry.from_file(ee.bundled_path() / "entities.json"),
              ee.SourceRegistry.from_file(ee.bundled_path() / "sources.json"))


def fresh_log() -> ee.Log:
    return ee.Log(ee.MemoryStore(), entities=REGISTRIES[0], sources=REGISTRIES[1])


def every_view(state: State) -> dict[str, Any]:
    views = {
        "agreements": state.agreements(),
        "gas": state.volumes("pipeline_gas", binding=None),
        "oil": state.volumes("oil"),
        "supply": state.supply(),
        "members": state.members("eaeu"),
        "sanctions": state.sanctions(in_force_only=False),
        "projects": state.projects(),
        "finance": state.finance(),
        "meetings": state.meetings(),
        "trade": state.trade(),
        "summary": state.summary(),
    }
    return {name: (view.to_records(), {k: str(v) for k, v in view.totals.items()}) for name, view in views.items()}


def append_batches(log: ee.Log, batches: list[list[Any]], probe: dt.date | None = None) -> None:
    for number, batch in enumerate(batches):
        try:
            log.validate_new(batch)
        except ee.InvalidEventError:
            continue  # a drawn correction made its target invalid: skip that batch
        log.append(batch, recorded=f"2026-01-{number + 1:02d}T00:00:00Z")
        if probe is not None:
            # Warm the index so later appends patch or drop checkpoints in place: every
            # checkpoint after even batches, only those up to the probe day after odd ones
            # (so checkpoints are built further after a patch or a drop).
            if number % 2 == 0:
                log.as_of("2040-01-01").agreements()
            log.as_of(probe).agreements()


@settings(max_examples=40)
@given(log_batches(ENTITIES, SOURCES), st.lists(DAYS, min_size=1, max_size=3))
def test_fast_path_equals_naive_fold(batches: list[list[Any]], days: list[dt.date]) -> None:
    """For random logs appended in random (often retroactive) order, every view from the
    checkpointed path (checkpoints every 2 events, snapshots at least 3 checkpoints apart,
    runs of 2 deltas merged, retroactive events patched into later checkpoints) equals a naive
    fold of the filtered events."""
    memory_log = fresh_log()
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2), \
            mock.patch("eurasia_events._engine.index.SNAPSHOT_EVERY", 3), \
            mock.patch("eurasia_events._engine.index.MERGE_EVERY", 2):
        append_batches(memory_log, batches, probe=days[0])
        for day in days:
            assert every_view(memory_log.as_of(day)) == every_view(State(memory_log, day, naive=True))
    index = memory_log.engine.index()
    assert (index.every, index.snapshot_every, index.merge_every) == (2, 3, 2)
    for day in days:  # the same index, queried again after the spacings are back to normal
        assert every_view(memory_log.as_of(day)) == every_view(State(memory_log, day, naive=True))
    for number in range(len(batches)):
        known = f"2026-01-{number + 1:02d}T00:00:00Z"
        assert every_view(memory_log.as_of(days[0], known_at=known)) == every_view(
            State(memory_log, days[0], known, naive=True))


@settings(max_examples=40)
@given(log_batches(ENTITIES, SOURCES), DAYS, st.data())
def test_events_after_the_day_change_nothing(batches: list[list[Any]], day: dt.date,
                                             data: st.DataObject) -> None:
    """Adding an event whose earliest possible day is after D never changes the answer at D."""
    memory_log = fresh_log()
    append_batches(memory_log, batches)
    before = every_view(memory_log.as_of(day))
    # Dates from two years on: even a qualified year ("2017~") then starts after the day.
    later = data.draw(events(ENTITIES, SOURCES, event_id="later-event", min_year=day.year + 2, intervals=False))
    assert min([later.date.earliest_ordinal] + [d.earliest_ordinal for d in later.disputed_dates()]) > day.toordinal()
    memory_log.append([later])
    assert every_view(memory_log.as_of(day)) == before


@settings(max_examples=30)
@given(log_batches(ENTITIES, SOURCES, max_batches=3), DAYS)
def test_known_at_before_a_record_hides_it(batches: list[list[Any]], day: dt.date) -> None:
    """As known before the first append, the log is empty; as known at the last, it is the whole log."""
    memory_log = fresh_log()
    append_batches(memory_log, batches)
    empty = fresh_log()
    assert every_view(memory_log.as_of(day, known_at="2025-12-31T00:00:00Z")) == every_view(empty.as_of(day))
    assert every_view(memory_log.as_of(day, known_at="2027-01-01T00:00:00Z")) == every_view(memory_log.as_of(day))


def test_as_of_accepts_strings_dates_and_pendulum(memory_log: ee.Log) -> None:
    """The day may be text, a datetime.date or a pendulum date, or a year (its last day); a qualified one is refused."""
    import pendulum

    add(memory_log, gas("a", "2014-05-21", "38 bcm/yr", "power-of-siberia"))
    for day in ("2015-01-01", dt.date(2015, 1, 1), pendulum.date(2015, 1, 1)):
        assert memory_log.as_of(day).contracted().certain == ee.Quantity.parse("38 bcm/yr")
    assert memory_log.as_of("2015").day == pendulum.date(2015, 12, 31)
    with pytest.raises(ee.InvalidDateError, match="a month 'YYYY-MM'"):
        memory_log.as_of("2015~")


class _Written(dict):  # type: ignore[type-arg]
    """A fold state's map that notes every key a handler writes."""

    def __init__(self, name: str, into: set[tuple[str, Any]]) -> None:
        super().__init__()
        self.name, self.into = name, into

    def __setitem__(self, key: Any, value: Any) -> None:
        self.into.add((self.name, key))
        super().__setitem__(key, value)


@settings(max_examples=200)
@given(st.lists(events(ENTITIES, SOURCES), max_size=12))
def test_handlers_write_exactly_the_keys_they_declare(items: list[ee.Event]) -> None:
    """Folding each event writes exactly its declared keys, whether they exist yet or not: what
    checkpoint patching relies on (no other key can change), and what finding the events touching
    a key relies on (the checkpoints' deltas name every key their events touched)."""
    from eurasia_events.projections import FoldState, fold, touched

    written: set[tuple[str, Any]] = set()
    state = FoldState(**{f.name: _Written(f.name, written) for f in attrs.fields(FoldState)})
    for event in items:
        written.clear()
        fold(state, [event])
        assert written == set(touched(event)), event


def test_a_retroactive_event_patches_instead_of_refolding(memory_log: ee.Log) -> None:
    """An event dated before existing checkpoints, on a key nothing later touches, leaves them in place."""
    add(memory_log, *[gas(f"c{i}", f"20{10 + i}-01-01", "1 bcm/yr", None) for i in range(8)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        assert memory_log.as_of("2030-01-01").contracted().certain == ee.Quantity.parse("8 bcm/yr")
    index = memory_log.engine.index()
    built = len(index.bounds)
    add(memory_log, gas("old", "2005-01-01", "5 bcm/yr", "power-of-siberia"),
        ee.Meeting(id="old-summit", date="2005-06-01", title="summit", sources=Q, kind="summit"))
    assert len(index.bounds) == built  # patched, not dropped
    assert memory_log.as_of("2030-01-01").contracted().certain == ee.Quantity.parse("13 bcm/yr")
    add(memory_log, ee.AgreementEnded(id="end-c0", date="2004-01-01", title="ended", sources=Q, agreement="c0",
                                      reason="terminated"))
    assert len(index.bounds) == built  # an earlier event on a key touched later: its keys refolded, patched in
    assert memory_log.as_of("2030-01-01").agreements().get(agreement="c0").status == "terminated"


def test_corrections_and_retractions_patch_instead_of_refolding(memory_log: ee.Log) -> None:
    """A correction or a retraction of an early event on keys later events touch patches the
    later checkpoints (only its keys refolded): none is dropped, and the answers are a plain fold's."""
    add(memory_log, *[gas(f"c{i}", f"20{10 + i}-01-01", "1 bcm/yr", None) for i in range(8)],
        ee.EnteredIntoForce(id="f0", date="2017-06-01", title="f0", sources=Q, agreement="c0"))
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        memory_log.as_of("2030-01-01").agreements()
        memory_log.as_of("2031-01-01").agreements()
    index = memory_log.engine.index()
    built = len(index.bounds)
    add(memory_log, ee.Correction(id="fix-c0", target="c0", reason="r", changes={"annual_volume": "3 bcm/yr"}))
    add(memory_log, ee.Retraction(id="no-c1", target="c1", reason="r"))
    assert len(index.bounds) == built  # patched, not dropped
    later = memory_log.as_of("2030-01-01")
    assert later.contracted().certain == ee.Quantity.parse("9 bcm/yr")
    assert "c1" not in [row.agreement for row in later.agreements()]
    assert every_view(later) == every_view(State(memory_log, "2030-01-01", naive=True))


def test_views_count_before_making_rows(memory_log: ee.Log) -> None:
    """``len`` and ``count`` of a view whose rows are made when read agree with its rows."""
    add(memory_log, gas("a", "2014-05", "38 bcm/yr", None), gas("b", "2016-01-01", "1 bcm/yr", None))
    for view in (memory_log.as_of("2014-05-15").agreements(), memory_log.as_of("2020").agreements(party="RU")):
        count, size = view.count, len(view)
        assert (count, size) == (ee.Count(sum(r.certain for r in view.rows), len(view.rows)), len(view.rows))
    assert memory_log.as_of("2014-05-15").agreements().count == ee.Count(0, 1)


def test_checkpoints_built_after_a_patch_hold_the_patched_event(memory_log: ee.Log) -> None:
    """Checkpoints built to a middle day, a retroactive event patched into them, then a later
    day queried: the checkpoints built then (from the running state) include the patched event."""
    add(memory_log, *[gas(f"c{i}", f"20{10 + i}-01-01", "1 bcm/yr", None) for i in range(8)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        assert memory_log.as_of("2013-06-01").contracted().certain == ee.Quantity.parse("4 bcm/yr")
        built = len(memory_log.engine.index().bounds)
        add(memory_log, gas("old", "2005-01-01", "5 bcm/yr", "power-of-siberia"))
        assert len(memory_log.engine.index().bounds) == built  # patched, not dropped
        later = memory_log.as_of("2030-01-01")
        assert len(memory_log.engine.index().bounds) > built  # built further
    assert later.contracted().certain == ee.Quantity.parse("13 bcm/yr")
    assert every_view(later) == every_view(State(memory_log, "2030-01-01", naive=True))


def test_checkpoints_built_after_a_retraction_leave_the_retracted_agreement_out(memory_log: ee.Log) -> None:
    """Checkpoints built to a middle day, an earlier agreement retracted (its key patched as
    gone from the later checkpoints), then a later day queried: the checkpoints built then,
    each keeping only what its own stretch wrote, carry the retraction forward, and so do their
    runs merged into one layer each."""
    add(memory_log, *[gas(f"c{i}", f"20{10 + i}-01-01", "1 bcm/yr", None) for i in range(12)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2), \
            mock.patch("eurasia_events._engine.index.SNAPSHOT_EVERY", 100), \
            mock.patch("eurasia_events._engine.index.MERGE_EVERY", 2):  # no full copy after the first
        assert memory_log.as_of("2013-06-01").contracted().certain == ee.Quantity.parse("4 bcm/yr")
        built = len(memory_log.engine.index().bounds)
        add(memory_log, ee.Retraction(id="no-c1", target="c1", reason="r"))
        assert len(memory_log.engine.index().bounds) == built  # patched, not dropped
        later = memory_log.as_of("2030-01-01")
        assert len(memory_log.engine.index().bounds) > built + 2  # built further
    assert "c1" not in {row.agreement for row in later.agreements()}
    assert later.contracted().certain == ee.Quantity.parse("11 bcm/yr")
    assert every_view(later) == every_view(State(memory_log, "2030-01-01", naive=True))


def test_documents_on_one_route_signed_the_same_day_restate_by_id_whatever_the_fold_order(
        memory_log: ee.Log) -> None:
    """Of two documents on one route, signed the same day with no recorded relation, the one
    with the greater id restates the other, in the index (which keeps a key where its first
    event put it) as in a plain fold (where an event inserted earlier puts its key first)."""
    add(memory_log, gas("a", "2014-05-21", "38 bcm/yr", "power-of-siberia"),
        gas("b", "2014-05-21", "10 bcm/yr", "power-of-siberia"),
        *[gas(f"c{i}", f"20{15 + i}-01-01", "1 bcm/yr", None) for i in range(6)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        len(memory_log.as_of("2030-01-01").agreements())
        add(memory_log, ee.EnteredIntoForce(id="fb", date="2010-01-01", title="f", sources=Q, agreement="b"))
        fast, naive = memory_log.as_of("2030-01-01"), State(memory_log, "2030-01-01", naive=True)
        assert list(fast.fold.agreements)[:2] != list(naive.fold.agreements)[:2]  # the fold orders differ
        for state in (fast, naive):
            assert state.contracted().certain == ee.Quantity.parse("16 bcm/yr")
            assert state.volumes().get(agreement="a").note == "restated by b (same route; no recorded relation)"
        assert every_view(fast) == every_view(naive)


def test_only_the_two_latest_known_at_indexes_are_kept(memory_log: ee.Log) -> None:
    """A query index per past ``known_at`` instant is kept for the two used last (each is
    about 300 MB at a million events); an older instant's is let go and made again when asked,
    answering the same."""
    add(memory_log, gas("a", "2014-05-21", "38 bcm/yr", None), recorded="2026-01-01T00:00:00Z")
    add(memory_log, gas("b", "2015-05-21", "10 bcm/yr", None), recorded="2026-02-01T00:00:00Z")
    add(memory_log, gas("c", "2016-05-21", "5 bcm/yr", None), recorded="2026-03-01T00:00:00Z")
    instants = ["2026-01-15T00:00:00Z", "2026-02-15T00:00:00Z", "2026-03-15T00:00:00Z"]
    answers = [memory_log.as_of("2020-01-01", known_at=t).contracted().certain for t in instants]
    kept = [weakref.ref(memory_log.engine.index(ee.Instant.parse(t))) for t in instants]
    gc.collect()
    assert [ref() is not None for ref in kept] == [False, True, True]
    assert [memory_log.as_of("2020-01-01", known_at=t).contracted().certain for t in instants] == answers
    assert answers == [ee.Quantity.parse(q) for q in ("38 bcm/yr", "48 bcm/yr", "53 bcm/yr")]


def test_events_appended_at_the_end_patch_no_checkpoint(memory_log: ee.Log) -> None:
    """Checkpoints built over every event end before the last one, so events appended later
    in fold order fall after them all: no checkpoint is patched (a checkpoint ending after
    the last event took a patch for every append, into one merged layer growing without end)."""
    add(memory_log, *[gas(f"c{i}", f"20{10 + i}-01-01", "1 bcm/yr", None) for i in range(8)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        len(memory_log.as_of("2030-01-01").agreements())
        len(memory_log.as_of("2030-01-01").agreements())  # the second query builds to the end
        index = memory_log.engine.index()
        for i in range(3):
            add(memory_log, ee.EnteredIntoForce(id=f"f{i}", date=f"2020-0{i + 1}-01", title="f", sources=Q,
                                                agreement=f"c{i}"))
            assert all(patches == () for patches in index.patches)
            later = memory_log.as_of("2030-01-01")
            assert every_view(later) == every_view(State(memory_log, "2030-01-01", naive=True))
    assert len(index.bounds) > 3


def test_a_state_keeps_its_answer_after_later_appends(memory_log: ee.Log) -> None:
    """A State is the log as it stood when it was made: events appended afterwards, even
    dated before its day, do not show in its per-event views (grouped or not yet grouped)."""
    summit = ee.Meeting(id="s-1", date="2014-05-20", title="summit", sources=Q, kind="summit", parties=["RU", "CN"])
    add(memory_log, summit)
    grouped, ungrouped = memory_log.as_of("2015-01-01"), memory_log.as_of("2016-01-01")
    assert [r.event for r in grouped.meetings()] == ["s-1"]  # groups made before the append
    add(memory_log, ee.Meeting(id="s-0", date="2013-03-22", title="visit", sources=Q, kind="visit",
                               parties=["RU", "CN"]))
    assert [r.event for r in grouped.meetings()] == ["s-1"]
    assert [r.event for r in ungrouped.meetings()] == ["s-1"]
    assert [r.event for r in memory_log.as_of("2015-01-01").meetings()] == ["s-0", "s-1"]


def test_a_state_keeps_its_keyed_answers_after_later_appends(memory_log: ee.Log) -> None:
    """A State's fold is made when a view first reads it, from the events as they stood when
    the State was made: an agreement appended afterwards, dated before its day, does not show
    in it, whether it falls before the day's checkpoint or after."""
    add(memory_log, *[gas(f"c{i}", f"20{10 + i}-01-01", "1 bcm/yr", None) for i in range(7)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 4):
        len(memory_log.as_of("2030-01-01").agreements())  # a checkpoint after 4 events: the day's 2 more folded on top
        states = [memory_log.as_of("2015-06-01") for _ in range(2)]
        add(memory_log, gas("early", "2009-01-01", "5 bcm/yr", None), gas("late", "2015-03-01", "7 bcm/yr", None))
    for state in states:
        assert [row.agreement for row in state.agreements()] == [f"c{i}" for i in range(6)]
        assert state.contracted().certain == ee.Quantity.parse("6 bcm/yr")
    assert memory_log.as_of("2015-06-01").contracted().certain == ee.Quantity.parse("18 bcm/yr")


def test_counts_asked_again_on_a_day_follow_what_changed_since(memory_log: ee.Log) -> None:
    """The counts and totals a query works out on a day, kept for the next state on the same fold
    and day, are a plain fold's after a retroactive event, a correction, a retraction, and as known before."""
    day = "2030-01-01"

    def counts(state: State) -> tuple[Any, ...]:
        agreements = state.agreements()
        return (agreements.count, len(agreements), state.agreements(status="in force").count,
                str(state.contracted()), state.summary().to_records())

    def check(known_at: str | None = None) -> None:
        asked = [counts(memory_log.as_of(day, known_at=known_at)) for _ in range(2)]  # the second reuses the first's
        assert asked == [counts(State(memory_log, day, known_at, naive=True))] * 2

    add(memory_log, gas("a", "2014-05-21", "38 bcm/yr", "power-of-siberia"), recorded="2026-01-01T00:00:00Z")
    check()
    add(memory_log, gas("b", "2012-01-01", "10 bcm/yr", "far-eastern-route"), recorded="2026-02-01T00:00:00Z")
    check()
    add(memory_log, ee.Correction(id="fix", target="a", reason="misread", changes={"annual_volume": "40 bcm/yr"}),
        recorded="2026-03-01T00:00:00Z")
    check()
    add(memory_log, ee.Retraction(id="drop", target="b", reason="not a contract"), recorded="2026-04-01T00:00:00Z")
    check()
    check("2026-02-15T00:00:00Z")
    assert str(memory_log.as_of(day).contracted()) == "40 bcm/yr"
    # Two days with no event between share a fold, not their answers: the term ends between them.
    add(memory_log, ee.TreatySigned(id="s", date="2001-07-16", title="treaty", sources=Q, agreement="t",
                                    kind="treaty", term="20 years", parties=["RU", "CN"]),
        ee.EnteredIntoForce(id="f", date="2002-02-28", title="in force", sources=Q, agreement="t"))
    in_force = [memory_log.as_of(on).agreements(status="in force").count for on in ("2021-01-01", "2023-01-01")]
    assert in_force == [ee.Count(2, 2), ee.Count(1, 1)]


def test_project_lines_worked_out_before_follow_new_stages_and_days(memory_log: ee.Log) -> None:
    """A project's stage, remembered from an earlier fold or day, is a plain fold's after an
    unrelated retroactive event, on another day with the same stages (an opening some day in
    2019 is possible in June, certain in 2020), and after a retroactive stage."""
    def stage(event_id: str, date: str, reached: str) -> ee.Event:
        return ee.ProjectMilestone(id=event_id, date=date, title=event_id, sources=Q, project="power-of-siberia",
                                   stage=reached)

    def check() -> None:
        for day in ("2016-01-01", "2019-06-01", "2020-01-01", "2016-01-01"):
            rows = memory_log.as_of(day).projects().to_records()
            assert rows == State(memory_log, day, naive=True).projects().to_records(), day

    add(memory_log, stage("built", "2014-09-01", "construction_started"), stage("open", "2019", "opened"),
        *[ee.Meeting(id=f"m{i}", date=f"2020-0{i + 1}-01", title="talks", sources=Q, kind="talks") for i in range(5)])
    with mock.patch("eurasia_events._engine.index.CHECKPOINT_EVERY", 2):
        check()
    add(memory_log, ee.Meeting(id="early", date="2010-01-01", title="talks", sources=Q, kind="talks"))
    check()
    add(memory_log, stage("stop", "2015-06-01", "cancelled"))
    check()
    assert memory_log.as_of("2016-01-01").projects().get(project="power-of-siberia").stage == "cancelled"


def test_events_and_timeline_follow_each_event_s_own_date(memory_log: ee.Log) -> None:
    """A date disputed by another source widens when an event may have happened (views count
    it from the earlier day), but lists of events follow the event's own date."""
    a = ee.Meeting(id="a", date="2012-01-01", title="a", sources=Q, kind="talks", parties=["RU", "CN"])
    b = ee.Meeting(id="b", date="2013-01-01", title="b", sources=Q, kind="talks", parties=["RU", "CN"],
                   disputes=[{"field": "date", "value": "2011", "source": "seed-004"}])
    add(memory_log, a, b)
    assert [e.id for e in memory_log.events()] == [s.id for s in memory_log.sketches()] == ["a", "b"]
    assert [r.id for r in memory_log.timeline()] == ["a", "b"]
    rows = memory_log.as_of("2011-06-01").meetings()
    assert [(r.event, r.certain) for r in rows] == [("b", False)]


def test_agreements_refuse_an_unknown_status_and_resolve_a_party_by_name(memory_log: ee.Log) -> None:
    """A misspelt status is an error naming the statuses (it used to list nothing, silently);
    a party may be named by an alias, as the other views' parties are; an unknown one is named."""
    add(memory_log, gas("a", "2014-05-21", "38 bcm/yr", None, parties=["RU", "CN"]),
        gas("b", "2015-05-21", "5 bcm/yr", None, parties=["KZ", "CN"]))
    state = memory_log.as_of("2020-01-01")
    with pytest.raises(ee.EurasiaEventsError, match="unknown agreement status 'in-force'; expected one of signed, "):
        state.agreements(status="in-force")
    assert [r.agreement for r in state.agreements(party="Russian Federation")] == ["a"]
    assert state.agreements(party="russia").count == state.agreements(party="RU").count == ee.Count(1, 1)
    with pytest.raises(ee.UnknownEntityError, match="Rusia"):
        state.agreements(party="Rusia")
    with pytest.raises(ee.EurasiaEventsError, match=r"party: expected an entity's id, name or alias, got \['RU'\]"):
        state.agreements(party=["RU"])  # type: ignore[arg-type]


def test_an_answer_worked_out_before_an_expiry_does_not_hold_past_it_while_an_extension_is_uncertain(
        memory_log: ee.Log) -> None:
    """A ten-year treaty and a five-year extension dated "2009?" (2008 to 2010): an answer
    worked out on a day before the expiry counted without the extension (2010-01-01) holds
    only until it; asked after it on the same index, the treaty is possibly expired, as a
    plain fold says."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2000-01-01", title="t", sources=Q, agreement="t", in_force_on_signature=True,
                        term="10 years"),
        ee.AgreementExtended(id="x", date="2009?", title="x", sources=Q, agreement="t", term="5 years"))
    assert memory_log.as_of("2009-12-01").summary().get(item="agreements in force").value == "1"
    after = memory_log.as_of("2010-03-01")
    assert after.summary().get(item="agreements in force").value == "0 (possibly 1)"
    assert every_view(after) == every_view(State(memory_log, "2010-03-01", naive=True))


def test_an_extension_possibly_made_leaves_the_status_uncertain_after_the_expiry_without_it(
        memory_log: ee.Log) -> None:
    """A ten-year treaty and a five-year extension dated "2009?" (2008 to 2010): after the
    expiry counted without the extension, the treaty is possibly in force, possibly expired.
    The row said "in force", certain (the summary said possibly); and an answer worked out
    before that expiry must not hold past it on the same index."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2000-01-01", title="t", sources=Q, agreement="t", in_force_on_signature=True,
                        term="10 years"),
        ee.AgreementExtended(id="x", date="2009?", title="x", sources=Q, agreement="t", term="5 years"))
    before = memory_log.as_of("2009-12-01")
    assert before.agreements(status="in force").count == ee.Count(1, 1)
    after = memory_log.as_of("2010-03-01")
    row = after.agreements().get(agreement="t")
    assert (row.status, row.certain) == ("in force", False)
    assert after.agreements(status="in force").count == ee.Count(0, 1)
    assert after.summary().get(item="agreements in force").value == "0 (possibly 1)"
    assert every_view(after) == every_view(State(memory_log, "2010-03-01", naive=True))


def test_an_agreement_expired_with_or_without_an_uncertain_extension_is_certainly_expired(
        memory_log: ee.Log) -> None:
    """The same treaty extended by two years on a date that may fall in 2013 to 2015: on
    2015-06-01 it has expired whether or not the extension was made by then (2010 or 2012),
    so the row and the counts say so; the row said possibly."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2000-01-01", title="t", sources=Q, agreement="t", in_force_on_signature=True,
                        term="10 years"),
        ee.AgreementExtended(id="x", date="2014?", title="x", sources=Q, agreement="t", term="2 years"))
    state = memory_log.as_of("2015-06-01")
    row = state.agreements().get(agreement="t")
    assert (row.status, row.certain) == ("expired", True)
    assert state.agreements(status="expired").count == ee.Count(1, 1)
    assert every_view(state) == every_view(State(memory_log, "2015-06-01", naive=True))


def test_agreements_of_a_status_keep_every_agreement_possibly_of_that_status(memory_log: ee.Log) -> None:
    """A ten-year treaty of 2000 (day unknown), in force on signature, is in force or expired
    on 2010-06-01: agreements(status="in force") shows it, "in force", not certain, as the
    summary counts it; so does the "expired" filter. A treaty signed 2000-01-01 whose entry
    into force came some day of 2001 is, on 2001-06-01, signed or in force."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2000", title="t", sources=Q, agreement="t", in_force_on_signature=True,
                        term="10 years"),
        ee.TreatySigned(id="u", date="2000-01-01", title="u", sources=Q, agreement="u"),
        ee.EnteredIntoForce(id="f", date="2001", title="f", sources=Q, agreement="u"))
    state = memory_log.as_of("2010-06-01")
    assert [(r.status, r.certain) for r in state.agreements() if r.agreement == "t"] == [("expired", False)]
    for status in ("in force", "expired"):
        view = state.agreements(status=status)
        assert [(r.agreement, r.status, r.certain) for r in view if r.agreement == "t"] == [("t", status, False)]
    assert state.summary().get(item="agreements in force").value == "1 (possibly 2)"
    assert state.agreements(status="in force").count == ee.Count(1, 2)
    early = memory_log.as_of("2001-06-01")
    assert early.summary().get(item="agreements signed, not yet in force").value == "0 (possibly 1)"
    assert [(r.agreement, r.certain) for r in early.agreements(status="signed")] == [("u", False)]
    assert early.agreements(status="signed").count == ee.Count(0, 1)
    assert every_view(state) == every_view(State(memory_log, "2010-06-01", naive=True))


def test_an_agreement_terminated_or_expired_first_is_neither_in_force_nor_certainly_one(memory_log: ee.Log) -> None:
    """In force from 2005-03-01 for ten years (expiring 2015-03-01), terminated some day of
    2015: on 2015-06-01 it ended one way or the other, so it is not possibly in force; and
    which way is not known, so neither "terminated" nor "expired" is certain. Ending on the
    day it expires, the termination counts (listed first), certainly."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2005-03-01", title="t", sources=Q, agreement="t", in_force_on_signature=True,
                        term="10 years"),
        ended("e", "2015", "t", "terminated"),
        ee.TreatySigned(id="s", date="2005-03-01", title="s", sources=Q, agreement="s", in_force_on_signature=True,
                        term="10 years"),
        ended("f", "2015-03-01", "s", "terminated"))
    for day in ("2015-06-01", "2016-06-01"):
        state = memory_log.as_of(day)
        assert state.summary().get(item="agreements in force").value == "0"
        assert [(r.agreement, r.status, r.certain) for r in state.agreements()] == \
            [("s", "terminated", True), ("t", "terminated", False)]
        assert state.agreements(status="expired").count == ee.Count(0, 1)
        assert every_view(state) == every_view(State(memory_log, day, naive=True))


def test_a_measure_possibly_lifted_is_possibly_in_force_in_every_view(memory_log: ee.Log) -> None:
    """Imposed 2014-03-17, lifted some day of 2015: on 2015-06-01 it may still be in force.
    designations() said sberbank possibly designated while sanctions(), the summary and the
    series said no measure was in force, not even possibly."""
    add(memory_log,
        ee.SanctionsImposed(id="m", date="2014-03-17", title="m", sources=Q, measure="m-a", imposer="eu",
                            targets=["sberbank"], description="d"),
        ee.SanctionsLifted(id="l", date="2015", title="l", sources=Q, measure="m-a"))
    state = memory_log.as_of("2015-06-01")
    assert [(r.target, r.certain) for r in state.designations("m-a")] == [("sberbank", False)]
    assert [(r.measure, r.status, r.certain) for r in state.sanctions()] == [("m-a", "in force", False)]
    assert state.sanctions().count == ee.Count(0, 1)
    assert [(r.status, r.certain) for r in state.sanctions(in_force_only=False)] == [("lifted", False)]
    assert [(r.measure, r.certain) for r in state.sanctions(target="sberbank")] == [("m-a", False)]
    assert state.summary().get(item="sanctions measures in force").value == "0 (possibly 1)"
    point = memory_log.series("sanctions", "2015-06-01", "2015-06-01")[0]
    assert (point.value, point.possible) == (0, 1)
    assert every_view(state) == every_view(State(memory_log, "2015-06-01", naive=True))


def test_a_measure_lifted_or_expired_first_designates_no_one(memory_log: ee.Log) -> None:
    """Valid until 2015-03-01, lifted some day of 2015: on 2015-06-01 it is over one way or the
    other (no designations, none in force), and which way is not known ("lifted" was certain
    on 2016-06-01 though the measure may have expired first)."""
    add(memory_log,
        ee.SanctionsImposed(id="m", date="2014-03-17", title="m", sources=Q, measure="m-a", imposer="eu",
                            targets=["sberbank"], description="d", until="2015-03-01"),
        ee.SanctionsLifted(id="l", date="2015", title="l", sources=Q, measure="m-a"))
    for day in ("2015-06-01", "2016-06-01"):
        state = memory_log.as_of(day)
        assert list(state.designations("m-a")) == []
        assert state.sanctions().count == ee.Count(0, 0)
        assert [(r.status, r.certain) for r in state.sanctions(in_force_only=False)] == [("lifted", False)]
        assert every_view(state) == every_view(State(memory_log, day, naive=True))
    before = memory_log.as_of("2015-02-01")
    assert [(r.status, r.certain) for r in before.sanctions()] == [("in force", False)]


def test_a_member_whose_exit_is_dated_only_by_its_year_is_possibly_a_member(memory_log: ee.Log) -> None:
    """Armenia joined 2015-01-02 and left some day of 2016: on 2016-06-01 it may still be a
    member (the view had no row, the summary said none); a second accession dated only by
    its year leaves a certain member certain."""
    add(memory_log,
        ee.MembershipJoined(id="j", date="2015-01-02", title="j", sources=Q, organisation="eaeu", member="AM"),
        ee.MembershipLeft(id="l", date="2016", title="l", sources=Q, organisation="eaeu", member="AM"),
        ee.MembershipJoined(id="k", date="2015-01-02", title="k", sources=Q, organisation="eaeu", member="KZ"),
        ee.MembershipJoined(id="k2", date="2016", title="k2", sources=Q, organisation="eaeu", member="KZ"))
    state = memory_log.as_of("2016-06-01")
    assert [(r.member, r.since, r.certain) for r in state.members("eaeu")] == \
        [("AM", "2015-01-02", False), ("KZ", "2015-01-02", True)]
    assert [r.member for r in memory_log.as_of("2017-01-01").members("eaeu")] == ["KZ"]
    assert every_view(state) == every_view(State(memory_log, "2016-06-01", naive=True))


def test_a_route_possibly_halted_is_possibly_delivering(memory_log: ee.Log) -> None:
    """Deliveries from 2019-12-02, halted some day of 2022: on 2022-06-01 the route may still
    deliver (the summary said none); from 2023 it is halted. A halt on 2022-02-28 and a ramp-up
    some day of March 2022 leave the second route possibly halted on 2022-03-15 (it was
    certainly delivering), certainly delivering once the ramp-up certainly came."""
    second = {"route": "power-of-siberia-2", "commodity": "pipeline_gas", "sources": Q}
    add(memory_log,
        ee.SupplyStarted(id="o", date="2019-12-02", title="o", sources=Q, route="power-of-siberia",
                         commodity="pipeline_gas"),
        ee.SupplyLevel(id="h", date="2022", title="h", sources=Q, route="power-of-siberia",
                       commodity="pipeline_gas", stage="halted"),
        ee.SupplyStarted(id="o2", date="2019-12-02", title="o2", **second),
        ee.SupplyLevel(id="h2", date="2022-02-28", title="h2", stage="halted", **second),
        ee.SupplyLevel(id="r2", date="2022-03", title="r2", stage="ramp_up", **second))

    def delivering(day: str) -> tuple[str, str]:
        line = memory_log.as_of(day).summary().get(item="routes delivering")
        return line.certain, line.possible

    assert delivering("2022-06-01") == ("power-of-siberia-2", "power-of-siberia, power-of-siberia-2")
    assert delivering("2022-03-15") == ("none", "power-of-siberia, power-of-siberia-2")
    assert delivering("2023-06-01") == ("power-of-siberia-2", "power-of-siberia-2")
    for day in ("2022-03-15", "2022-06-01", "2023-06-01"):
        assert every_view(memory_log.as_of(day)) == every_view(State(memory_log, day, naive=True))
    # A ramp-up on the day of the halt may come before it: possibly halted for good.
    add(memory_log, ee.SupplyLevel(id="h3", date="2022-03", title="h3", stage="halted", **second),
        ee.SupplyLevel(id="r3", date="2022-03-31", title="r3", stage="ramp_up", **second))
    assert delivering("2022-06-01") == ("none", "power-of-siberia, power-of-siberia-2")


def test_a_project_stage_is_not_certain_while_another_may_have_come_after_it(memory_log: ee.Log) -> None:
    """Construction from 2014-09-01, completed 2016-03-01, suspended some day of 2016: on
    2017-01-01 the latest stage is "completed" or "suspended" (it was "completed", certain);
    a suspension certainly before the completion leaves "completed" certain."""
    add(memory_log,
        ee.ProjectMilestone(id="p1", date="2014-09-01", title="p", sources=Q, project="power-of-siberia",
                            stage="construction_started"),
        ee.ProjectMilestone(id="p2", date="2016", title="p", sources=Q, project="power-of-siberia", stage="suspended"),
        ee.ProjectMilestone(id="p3", date="2016-03-01", title="p", sources=Q, project="power-of-siberia",
                            stage="completed"),
        ee.ProjectMilestone(id="q1", date="2015", title="q", sources=Q, project="power-of-siberia-2",
                            stage="suspended"),
        ee.ProjectMilestone(id="q2", date="2016-03-01", title="q", sources=Q, project="power-of-siberia-2",
                            stage="completed"),
        # suspended some day of March 2016, completed on its last day: maybe the same day, after it
        ee.ProjectMilestone(id="r1", date="2016-03", title="r", sources=Q, project="espo-pipeline", stage="suspended"),
        ee.ProjectMilestone(id="r2", date="2016-03-31", title="r", sources=Q, project="espo-pipeline",
                            stage="completed"))
    state = memory_log.as_of("2017-01-01")
    assert [(r.project, r.stage, r.certain) for r in state.projects()] == \
        [("espo-pipeline", "completed", False), ("power-of-siberia", "completed", False),
         ("power-of-siberia-2", "completed", True)]
    line = state.summary().get(item="projects by stage")
    assert (line.certain, line.possible) == ("completed 1", "completed 3")
    assert every_view(state) == every_view(State(memory_log, "2017-01-01", naive=True))


def test_a_contract_possibly_not_yet_restated_on_its_route_possibly_still_counts(memory_log: ee.Log) -> None:
    """38 bcm/yr contracted in 2014; another contract on the route, 10 bcm/yr, signed some day
    of 2016. On 2016-06-01 the total is 38 or 10: it was "0 (possibly 10 bcm/yr)", leaving 38
    out of the possible; now the older one possibly counts until the newer is certainly in force
    (and one of the two counts, never both: possibly 38, not 48)."""
    def contract(name: str, date: str, volume: str) -> ee.SupplyContract:
        return ee.SupplyContract(id=name, date=date, title=name, sources=Q, agreement=name, annual_volume=volume,
                                 commodity="pipeline_gas", route="power-of-siberia", in_force_on_signature=True)

    add(memory_log, contract("a", "2014-05-21", "38 bcm/yr"), contract("b", "2016", "10 bcm/yr"))
    state = memory_log.as_of("2016-06-01")
    total = state.contracted()
    assert total.possible == ee.Quantity.parse("38 bcm/yr")
    assert state.volumes().get(agreement="a").note == "possibly restated by b (same route; no recorded relation)"
    later = memory_log.as_of("2017-06-01")
    assert str(later.contracted()) == "10 bcm/yr"
    assert later.volumes().get(agreement="a").note == "restated by b (same route; no recorded relation)"
    for day in ("2016-06-01", "2017-06-01"):
        assert every_view(memory_log.as_of(day)) == every_view(State(memory_log, day, naive=True))


def test_a_change_dated_only_by_its_year_may_come_after_a_dated_one(memory_log: ee.Log) -> None:
    """Armenia joined 2015-01-02, joined again some day of 2016, left 2016-06-01: if the second
    accession came in July, it is a member on 2016-09-01 (it had no row). Sberbank listed in
    2014, delisted some day of 2015, listed again 2015-06-01: if the delisting came in August,
    it is not designated on 2015-09-01 (its row was certain); the other way round (listed again
    some day of 2015, delisted 2015-06-01) it possibly is (it had no row)."""
    imposed = {"title": "m", "sources": Q, "imposer": "eu", "description": "d"}
    add(memory_log,
        ee.MembershipJoined(id="j1", date="2015-01-02", title="j", sources=Q, organisation="eaeu", member="AM"),
        ee.MembershipJoined(id="j2", date="2016", title="j", sources=Q, organisation="eaeu", member="AM"),
        ee.MembershipLeft(id="l", date="2016-06-01", title="l", sources=Q, organisation="eaeu", member="AM"),
        ee.SanctionsImposed(id="m", date="2014-03-17", measure="m-a", targets=["sberbank"], **imposed),
        ee.SanctionsDelisted(id="d", date="2015", title="d", sources=Q, measure="m-a", targets=["sberbank"]),
        ee.SanctionsExtended(id="x", date="2015-06-01", title="x", sources=Q, measure="m-a", targets=["sberbank"]),
        ee.SanctionsImposed(id="n", date="2014-03-17", measure="m-b", targets=["vtb"], **imposed),
        ee.SanctionsExtended(id="y", date="2015", title="y", sources=Q, measure="m-b", targets=["vtb"]),
        ee.SanctionsDelisted(id="e", date="2015-06-01", title="e", sources=Q, measure="m-b", targets=["vtb"]),
        # Belarus: left some day of 2015, joined again some day of June 2015: either may be last
        ee.MembershipJoined(id="b1", date="2014", title="b", sources=Q, organisation="eaeu", member="BY"),
        ee.MembershipLeft(id="b2", date="2015", title="b", sources=Q, organisation="eaeu", member="BY"),
        ee.MembershipJoined(id="b3", date="2015-06", title="b", sources=Q, organisation="eaeu", member="BY"))
    assert [(r.member, r.since, r.certain) for r in memory_log.as_of("2016-09-01").members("eaeu")] == \
        [("BY", "2015-06-01..2015-06-30", False), ("AM", "2016-01-01..2016-12-31", False)]
    state = memory_log.as_of("2015-09-01")
    assert [(r.target, r.since, r.certain) for r in state.designations("m-a")] == [("sberbank", "2015-06-01", False)]
    assert [(r.target, r.certain) for r in state.designations("m-b")] == [("vtb", False)]
    assert [r.certain for r in state.sanctions(target="sberbank")] == [False]
    for day in ("2015-09-01", "2016-09-01"):
        assert every_view(memory_log.as_of(day)) == every_view(State(memory_log, day, naive=True))


def test_a_supply_level_is_certain_only_when_no_other_level_may_come_after_it(memory_log: ee.Log) -> None:
    """Halted on 2022-03-01, plateau some day of 2022: on 2023-06-01 the latest level is the
    plateau if it came after March; the row said "halted", certain, and now says it not
    certain; a level certainly after both is certain."""
    route = {"route": "power-of-siberia", "commodity": "pipeline_gas", "sources": Q}
    add(memory_log, ee.SupplyStarted(id="o", date="2019-12-02", title="o", **route),
        ee.SupplyLevel(id="h", date="2022-03-01", title="h", stage="halted", **route),
        ee.SupplyLevel(id="p", date="2022", title="p", stage="plateau", **route))
    row = memory_log.as_of("2023-06-01").supply().get(route="power-of-siberia")
    assert (row.level_stage, row.level_certain) == ("halted", False)
    add(memory_log, ee.SupplyLevel(id="r", date="2023-01-15", title="r", stage="reduced", **route))
    row = memory_log.as_of("2023-06-01").supply().get(route="power-of-siberia")
    assert (row.level_stage, row.level_certain) == ("reduced", True)
    assert every_view(memory_log.as_of("2023-06-01")) == every_view(State(memory_log, "2023-06-01", naive=True))


def test_a_policy_not_certainly_decreed_is_not_certainly_in_effect(memory_log: ee.Log) -> None:
    """A visa-free regime decreed some day of May 2010, in effect from 2010-01-01: on
    2010-05-10 it may not have been granted yet (it was certain); from June it is."""
    add(memory_log, ee.PolicyMeasure(id="p", date="2010-05", title="p", sources=Q, measure="p-a", imposer="CN",
                                     beneficiary="RU", description="visa-free", effective="2010-01-01"))
    assert [(r.status, r.certain) for r in memory_log.as_of("2010-05-10").policies()] == [("in effect", False)]
    assert [(r.status, r.certain) for r in memory_log.as_of("2010-06-10").policies()] == [("in effect", True)]
    assert every_view(memory_log.as_of("2010-05-10")) == every_view(State(memory_log, "2010-05-10", naive=True))


def test_an_end_on_the_same_partial_days_as_the_signature_may_still_come_later(memory_log: ee.Log) -> None:
    """Signed some day of 2010 and terminated some day of 2010: on 2010-06-01 it may be signed
    and not yet ended (the two were read as one day). A treaty in force on signature, dated
    by its year, is never signed without being in force."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2010", title="t", sources=Q, agreement="t"),
        ended("e", "2010", "t", "terminated"),
        ee.TreatySigned(id="u", date="2010", title="u", sources=Q, agreement="u", in_force_on_signature=True))
    state = memory_log.as_of("2010-06-01")
    assert state.agreements(status="signed").count == ee.Count(0, 1)
    assert [r.agreement for r in state.agreements(status="signed")] == ["t"]
    assert state.summary().get(item="agreements in force").value == "0 (possibly 1)"
    assert every_view(state) == every_view(State(memory_log, "2010-06-01", naive=True))


def test_an_entry_into_force_of_its_own_on_the_signature_s_partial_days_may_come_later(
        memory_log: ee.Log) -> None:
    """Signed some day of 2010 and entered into force (an event of its own) some day of 2010:
    on 2010-06-01 it may be signed and not yet in force (the equal spans were read as one
    event). In force on signature, the two are one event: never signed and not in force,
    unless a later record gives the entry into force as an event of its own."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2010", title="t", sources=Q, agreement="t"),
        ee.EnteredIntoForce(id="f", date="2010", title="f", sources=Q, agreement="t"),
        ee.TreatySigned(id="u", date="2010", title="u", sources=Q, agreement="u", in_force_on_signature=True),
        ee.TreatySigned(id="v", date="2010", title="v", sources=Q, agreement="v", in_force_on_signature=True),
        ee.EnteredIntoForce(id="g", date="2010", title="g", sources=Q, agreement="v"),
        ee.EnteredIntoForce(id="h", date="2010", title="h", sources=Q, agreement="w"),  # recorded first
        ee.TreatySigned(id="w", date="2010", title="w", sources=Q, agreement="w"))
    state = memory_log.as_of("2010-06-01")
    assert [(r.agreement, r.certain) for r in state.agreements(status="signed")] == \
        [("t", False), ("v", False), ("w", False)]
    assert state.summary().get(item="agreements signed, not yet in force").value == "0 (possibly 3)"
    assert every_view(state) == every_view(State(memory_log, "2010-06-01", naive=True))


def test_extensions_whose_order_the_dates_leave_open_count_in_either_order(memory_log: ee.Log) -> None:
    """A ten-year treaty of 2000-01-01, extended some day of 2009 until 2020 and on 2009-06-01
    until 2015: either may have come last, so on 2017-06-01 it is in force or expired (it was
    certainly expired: the extensions counted in the order of their first days). The same
    with a five-year extension in place of the first: after the 2015 end date it gives 2020,
    before it nothing. The expiry shown spans both; by 2021 it is certainly expired."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2000-01-01", title="t", sources=Q, agreement="t", in_force_on_signature=True,
                        term="10 years"),
        ee.AgreementExtended(id="a", date="2009", title="a", sources=Q, agreement="t", until="2020-01-01"),
        ee.AgreementExtended(id="b", date="2009-06-01", title="b", sources=Q, agreement="t", until="2015-01-01"),
        ee.TreatySigned(id="s", date="2000-01-01", title="s", sources=Q, agreement="s", in_force_on_signature=True,
                        term="10 years"),
        ee.AgreementExtended(id="c", date="2009", title="c", sources=Q, agreement="s", term="5 years"),
        ee.AgreementExtended(id="d", date="2009-06-01", title="d", sources=Q, agreement="s", until="2015-01-01"))
    state = memory_log.as_of("2017-06-01")
    assert [(r.agreement, r.status, r.certain, r.in_force_until) for r in state.agreements()] == \
        [("s", "expired", False, "2015-01-01..2020-01-01"), ("t", "expired", False, "2015-01-01..2020-01-01")]
    assert state.agreements(status="in force").count == ee.Count(0, 2)
    assert state.summary().get(item="agreements in force").value == "0 (possibly 2)"
    assert every_view(state) == every_view(State(memory_log, "2017-06-01", naive=True))
    later = memory_log.as_of("2021-06-01")
    assert [(r.status, r.certain) for r in later.agreements()] == [("expired", True), ("expired", True)]
    # Before the second end date is made, the first counts alone: 2020 (t), 2010 + 5 (s).
    early = memory_log.as_of("2009-03-01")
    assert [(r.agreement, r.status, r.certain, r.in_force_until) for r in early.agreements()] == \
        [("s", "in force", True, "2015-01-01"), ("t", "in force", True, "2020-01-01")]


def test_extensions_on_the_same_day_may_come_in_either_order(memory_log: ee.Log) -> None:
    """Ties and bounds of the extension orders, each a ten-year treaty of 2000-01-01:
    "tie": until 2020 on 2009-06-01 and until 2015 some day of June 2009 (maybe the same day):
    either may be last. "term-after": until 2015 some day of June 2009 and five more years on
    2009-06-01, which may fall on that same day, after it. "term-before": the same with the
    five years on 2009-06-30, which may fall on that same day, before it. "forced": until 2015
    some day of 2009, but after the end date set on 2009-09-01 (until 2012) if last, so after
    the five years of March 2009: never 2020."""
    def treaty(name: str, *extensions: tuple[str, dict[str, str]]) -> list[ee.Event]:
        signed = ee.TreatySigned(id=name, date="2000-01-01", title=name, sources=Q, agreement=name,
                                 in_force_on_signature=True, term="10 years")
        return [signed, *(ee.AgreementExtended(id=f"{name}-{n}", date=date, title=name, sources=Q, agreement=name,
                                               **change) for n, (date, change) in enumerate(extensions))]
    add(memory_log,
        *treaty("tie", ("2009-06-01", {"until": "2020-01-01"}), ("2009-06", {"until": "2015-01-01"})),
        *treaty("term-after", ("2009-06", {"until": "2015-01-01"}), ("2009-06-01", {"term": "5 years"})),
        *treaty("term-before", ("2009-06", {"until": "2015-01-01"}), ("2009-06-30", {"term": "5 years"})),
        *treaty("forced", ("2009", {"until": "2015-01-01"}), ("2009-09-01", {"until": "2012-01-01"}),
                ("2009-03", {"term": "5 years"})))
    state = memory_log.as_of("2017-06-01")
    assert {r.agreement: (r.status, r.certain, r.in_force_until) for r in state.agreements()} == {
        "tie": ("expired", False, "2015-01-01..2020-01-01"),
        "term-after": ("expired", False, "2015-01-01..2020-01-01"),
        "term-before": ("expired", False, "2015-01-01..2020-01-01"),
        "forced": ("expired", True, "2012-01-01..2015-01-01")}
    assert every_view(state) == every_view(State(memory_log, "2017-06-01", naive=True))


def test_a_sanctions_act_holds_only_once_it_is_made(memory_log: ee.Log) -> None:
    """A renewal made some day of February 2015 moves the end of a measure valid until
    2015-01-31 to 2016, but only once made: on 2015-02-10 the measure is in force or expired
    (it was certainly in force, the end moved from the first day the act may have been made).
    A delisting dated 2012 and a lifting dated 2014, each effective from an earlier day, hold
    only from the act: rosneft is possibly still designated in June 2012, and the measure
    possibly in force in June 2014 (both were certainly over)."""
    add(memory_log,
        ee.SanctionsImposed(id="m", date="2014-03-17", title="m", sources=Q, measure="m-a", imposer="eu",
                            targets=["sberbank"], description="d", until="2015-01-31"),
        ee.SanctionsExtended(id="x", date="2015-02", title="x", sources=Q, measure="m-a", until="2016-01-31"),
        ee.SanctionsImposed(id="n", date="2010-01-01", title="n", sources=Q, measure="m-b", imposer="US",
                            targets=["gazprom", "rosneft"], description="d"),
        ee.SanctionsDelisted(id="d", date="2012", title="d", sources=Q, measure="m-b", targets=["rosneft"],
                             effective="2011-01-01"),
        ee.SanctionsLifted(id="l", date="2014", title="l", sources=Q, measure="m-b", effective="2010-06-01"))
    renewed = memory_log.as_of("2015-02-10")
    assert [(r.measure, r.status, r.certain, r.until) for r in renewed.sanctions()] == \
        [("m-a", "in force", False, "2016-01-31")]
    assert renewed.summary().get(item="sanctions measures in force").value == "0 (possibly 1)"
    assert [(r.target, r.certain) for r in renewed.designations("m-a")] == [("sberbank", False)]
    assert [(r.status, r.certain) for r in memory_log.as_of("2015-03-01").sanctions()] == [("in force", True)]
    delisting = memory_log.as_of("2012-06-01")
    assert [(r.target, r.certain) for r in delisting.designations("m-b")] == [("gazprom", True), ("rosneft", False)]
    lifting = memory_log.as_of("2014-06-01")
    assert [(r.measure, r.certain) for r in lifting.sanctions(imposer="US")] == [("m-b", False)]
    for day, state in (("2015-02-10", renewed), ("2012-06-01", delisting), ("2014-06-01", lifting)):
        assert every_view(state) == every_view(State(memory_log, day, naive=True))


def test_documents_on_one_route_whose_order_is_open_each_possibly_count(memory_log: ee.Log) -> None:
    """Two memoranda on one route with no recorded relation, signed some day of 2010 (10) and
    some day of February 2010 to 2011 (5; a source dates it 2011): either may be the newest,
    which restates the other, so in 2012 the route counts 5 or 10 (it counted 5, certainly,
    the later first day taken as the newer). Certainly: the lesser, 5 (0 would be true too but
    loose); possibly: the greater, 10 (it said 15, both added, which no reading gives); the note
    of each names the other."""
    add(memory_log,
        ee.Memorandum(id="a", date="2010", title="a", sources=Q, agreement="ag-a", commodity="oil",
                      route="power-of-siberia", annual_volume="10 bcm/yr"),
        ee.Memorandum(id="b", date="2010-02", title="b", sources=Q, agreement="ag-b", commodity="oil",
                      route="power-of-siberia", annual_volume="5 bcm/yr",
                      disputes=[{"field": "date", "value": "2011", "source": "seed-004"}]))
    state = memory_log.as_of("2012-06-01")
    view = state.volumes("oil", binding=None)
    assert [(r.agreement, r.counted_volume) for r in view] == \
        [("ag-a", ee.Quantity.parse("10 bcm/yr")), ("ag-b", ee.Quantity.parse("5 bcm/yr"))]
    assert [r.note.startswith("possibly restated by ag-") for r in view] == [True, True]
    total = state.contracted("oil", binding=None)
    assert (str(total.certain), str(total.possible)) == ("5 bcm/yr", "10 bcm/yr")
    assert every_view(state) == every_view(State(memory_log, "2012-06-01", naive=True))


def test_a_same_route_note_names_three_rivals_and_counts_the_rest(memory_log: ee.Log) -> None:
    """Five memoranda on one route, each signed some day of 2010: each may be the newest. A note
    named every rival (hundreds on a synthetic route); it names the first three by id and counts
    the others."""
    add(memory_log, *(ee.Memorandum(id=f"m{n}", date="2010", title=f"m{n}", sources=Q, agreement=f"ag-{n}",
                                    commodity="oil", route="power-of-siberia", annual_volume=f"{n} bcm/yr")
                      for n in range(1, 6)))
    state = memory_log.as_of("2012-06-01")
    notes = {r.agreement: r.note for r in state.volumes("oil", binding=None)}
    said = "(same route; signed on days that leave the order open)"
    assert notes["ag-1"] == f"possibly restated by ag-2, ag-3, ag-4 and 1 more {said}"
    assert notes["ag-3"] == f"possibly restated by ag-1, ag-2, ag-4 and 1 more {said}"
    assert notes["ag-5"] == f"possibly restated by ag-1, ag-2, ag-3 and 1 more {said}"
    total = state.contracted("oil", binding=None)
    assert (str(total.certain), str(total.possible)) == ("1 bcm/yr", "5 bcm/yr")
    assert every_view(state) == every_view(State(memory_log, "2012-06-01", naive=True))


def test_an_act_dated_possibly_before_the_measure_s_imposition_is_kept(memory_log: ee.Log) -> None:
    """A delisting dated "/2010" (any day up to 2010) of a measure imposed on 2010-01-01 may come
    after the imposition: in 2011 rosneft is possibly still designated, possibly not (the act,
    folded first, was dropped: certainly designated). A lifting certainly before the adoption
    (2005) had nothing to lift and stays dropped (nor is it among the measure's events), as does
    a delisting made in 2005 to take effect in 2011; no view shows a measure for acts alone."""
    add(memory_log,
        ee.SanctionsDelisted(id="d", date="/2010", title="d", sources=Q, measure="m-b", targets=["rosneft"]),
        ee.SanctionsLifted(id="l", date="2005", title="l", sources=Q, measure="m-b"),
        ee.SanctionsDelisted(id="g", date="2005", title="g", sources=Q, measure="m-b", targets=["gazprom"],
                             effective="2011-01-01"),
        ee.SanctionsImposed(id="n", date="2010-01-01", title="n", sources=Q, measure="m-b", imposer="US",
                            targets=["gazprom", "rosneft"], description="d"),
        ee.SanctionsLifted(id="x", date="2005", title="x", sources=Q, measure="m-never-imposed"))
    state = memory_log.as_of("2011-06-01")
    assert [(r.target, r.certain) for r in state.designations("m-b")] == [("gazprom", True), ("rosneft", False)]
    assert [(r.measure, r.status, r.certain, r.events) for r in state.sanctions(in_force_only=False)] == \
        [("m-b", "in force", True, ("n", "d"))]
    with pytest.raises(ee.EurasiaEventsError, match=r"known: m-b$"):
        state.designations("m-never-imposed")
    assert every_view(state) == every_view(State(memory_log, "2011-06-01", naive=True))


def test_two_ends_in_an_open_order_each_may_be_the_one_that_stands(memory_log: ee.Log) -> None:
    """Terminated on 2010-01-01 and, by another record, expired some day of 2010: the end
    recorded last by date stands, and which that is the dates leave open, so in 2011 the
    treaty is terminated or expired, neither certainly (it was certainly "terminated", the
    record met last by the fold). Expired on 2009-06-01, the terminated record certainly
    stands."""
    add(memory_log,
        treaty("t"),
        ended("e", "2010", "t", "expired"),
        ended("f", "2010-01-01", "t", "terminated"),
        treaty("s"),
        ended("g", "2009-06-01", "s", "expired"),
        ended("h", "2010-01-01", "s", "terminated"),
        # Terminated on 2010-12-31, and a later record: expired some day of 2010, maybe that day.
        treaty("u"),
        ended("i", "2010-12-31", "u", "terminated"),
        ended("j", "2010", "u", "expired"))
    state = memory_log.as_of("2011-06-01")
    assert {r.agreement: (r.status, r.certain) for r in state.agreements()} == \
        {"s": ("terminated", True), "t": ("terminated", False), "u": ("terminated", False)}
    assert state.agreements(status="expired").count == ee.Count(0, 2)
    assert every_view(state) == every_view(State(memory_log, "2011-06-01", naive=True))


def test_two_liftings_in_an_open_order_each_may_be_the_one_that_stands(memory_log: ee.Log) -> None:
    """Lifted on 2012-02-01 (a source says 2013), and by a lifting made some day of 2012 to take
    effect in 2014: if that one came last, the measure is in force until 2014, so on
    2013-12-31 it is possibly in force (it was certainly lifted: the fold met 2012-02-01 last)."""
    add(memory_log,
        ee.SanctionsImposed(id="m", date="2010-02-01", title="m", sources=Q, measure="m-a", imposer="eu",
                            targets=["sberbank"], description="d"),
        ee.SanctionsLifted(id="l", date="2012-02-01", title="l", sources=Q, measure="m-a",
                           disputes=[{"field": "date", "value": "2013", "source": "seed-004"}]),
        ee.SanctionsLifted(id="k", date="2012", title="k", sources=Q, measure="m-a", effective="2014-01-01"))
    state = memory_log.as_of("2013-12-31")
    assert [(r.measure, r.certain) for r in state.sanctions()] == [("m-a", False)]
    assert state.summary().get(item="sanctions measures in force").value == "0 (possibly 1)"
    assert every_view(state) == every_view(State(memory_log, "2013-12-31", naive=True))


def test_a_contract_term_from_deliveries_that_may_predate_it_may_run_from_its_planned_start(
        memory_log: ee.Log) -> None:
    """A one-year contract signed some day of 2012-2014 ("2013?"), its term from the start of
    deliveries (planned 2010), and deliveries begun some day of 2014: if they began before the
    signature, the term ran from the planned start and ended in 2011. On 2014-12-31 the
    contract is in force or expired (it was certainly in force, the term from 2014)."""
    add(memory_log,
        ee.SupplyStarted(id="d", date="2014", title="d", sources=Q, route="power-of-siberia",
                         commodity="pipeline_gas"),
        ee.SupplyContract(id="c", date="2013?", title="c", sources=Q, agreement="ag-b", seller="gazprom",
                          buyer="cnpc", commodity="pipeline_gas", annual_volume="5 bcm/yr", term="1 years",
                          route="power-of-siberia", start="2010", term_from="start", in_force_on_signature=True),
        # Signed on 2014-06-01, deliveries some day of 2014: they may have come after (it was
        # certainly expired, the term from 2010).
        ee.SupplyStarted(id="e", date="2014", title="e", sources=Q, route="yamal-lng", commodity="lng"),
        ee.SupplyContract(id="f", date="2014-06-01", title="f", sources=Q, agreement="ag-c", seller="gazprom",
                          buyer="cnpc", commodity="lng", annual_volume="5 bcm/yr", term="1 years",
                          route="yamal-lng", start="2010", term_from="start", in_force_on_signature=True),
        # Signed some day of 2015, deliveries not begun by 2015-06-01: if signed by then, the
        # deliveries come after it, so the term cannot have run from 2010.
        ee.SupplyContract(id="g", date="2015", title="g", sources=Q, agreement="ag-d", seller="gazprom",
                          buyer="cnpc", commodity="oil", annual_volume="5 bcm/yr", term="1 years",
                          route="espo-pipeline", start="2010", term_from="start", in_force_on_signature=True))
    state = memory_log.as_of("2014-12-31")
    assert [(r.agreement, r.status, r.certain) for r in state.agreements()] == \
        [("ag-b", "in force", False), ("ag-c", "in force", False)]
    assert every_view(state) == every_view(State(memory_log, "2014-12-31", naive=True))
    later = memory_log.as_of("2015-06-01")
    assert later.agreements(status="expired").count == ee.Count(0, 2)  # ag-b, ag-c; not ag-d


def test_a_contract_term_from_deliveries_possibly_expires_from_the_earlier_reading(memory_log: ee.Log) -> None:
    """Each reading of a term from deliveries that may predate the signature can give the
    earliest expiry. One-year contracts: signed "2011?" (2010-2012), deliveries some day of 2011,
    planned start 2012: signed in 2010 and supplied from January 2011, the term ran from then,
    so it is possibly expired on 2012-06-01 (the deliveries' reading is the earlier). Signed
    "2010?" (2009-2011), deliveries some day of 2011, planned start 2010: signed in May 2011
    after deliveries began, the term ran from the planned start and ended before June, so it
    is possibly expired on 2011-06-01 (the planned start's reading is the earlier)."""
    def contract(name: str, date: str, route: str, commodity: str, start: str) -> ee.SupplyContract:
        return ee.SupplyContract(id=name, date=date, title=name, sources=Q, agreement=name, seller="gazprom",
                                 buyer="cnpc", commodity=commodity, annual_volume="5 bcm/yr", term="1 years",
                                 route=route, start=start, term_from="start", in_force_on_signature=True)

    add(memory_log,
        ee.SupplyStarted(id="d", date="2011", title="d", sources=Q, route="power-of-siberia",
                         commodity="pipeline_gas"),
        contract("early-deliveries", "2011?", "power-of-siberia", "pipeline_gas", "2012"),
        ee.SupplyStarted(id="e", date="2011", title="e", sources=Q, route="yamal-lng", commodity="lng"),
        contract("early-plan", "2010?", "yamal-lng", "lng", "2010"))
    # ... and the latest: signed in 2012 after deliveries began in 2011, "early-deliveries" ran
    # from its planned start, some day of 2012, so on 2013-06-01 it may still be in force.
    for day, name in (("2012-06-01", "early-deliveries"), ("2011-06-01", "early-plan"),
                      ("2013-06-01", "early-deliveries")):
        state = memory_log.as_of(day)
        assert not state.agreements().get(agreement=name).certain, day
        assert name in [r.agreement for r in state.agreements(status="expired")], day  # possibly
        assert name in [r.agreement for r in state.agreements(status="in force")], day  # possibly
        assert every_view(state) == every_view(State(memory_log, day, naive=True))


def test_of_two_ends_on_one_single_day_the_one_recorded_later_stands(memory_log: ee.Log) -> None:
    """Terminated on 2010-01-01, then another record: expired on 2010-01-01. On one single day
    the record appended later is the later (as for two documents on a route, the tie is broken
    one way): certainly expired. Over a span ending on that day, the order stays open."""
    add(memory_log,
        treaty("t"),
        ended("e", "2010-01-01", "t", "terminated"),
        ended("f", "2010-01-01", "t", "expired"),
        treaty("s"),
        ended("g", "2009-12-31", "s", "terminated"),
        ended("h", "2009-12/2010-01-01", "s", "expired"))
    state = memory_log.as_of("2011-06-01")
    assert {r.agreement: (r.status, r.certain) for r in state.agreements()} == \
        {"t": ("expired", True), "s": ("terminated", False)}
    assert state.agreements(status="expired").count == ee.Count(1, 2)
    assert every_view(state) == every_view(State(memory_log, "2011-06-01", naive=True))


def test_a_new_end_date_possibly_not_yet_made_leaves_the_one_before_possible(memory_log: ee.Log) -> None:
    """A ten-year treaty of 2000, extended on 2005-01-01 until 2012-03-01, and again, some day of
    2012, until 2020. On 2012-06-01 the second extension may not be made yet: in force until
    2020, or expired since March, neither certainly (the later extension, counted, must not hide
    the earlier one when it may not have been made)."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2000-01-01", title="t", sources=Q, agreement="t", term="10 years",
                        in_force_on_signature=True),
        ee.AgreementExtended(id="a", date="2005-01-01", title="a", sources=Q, agreement="t", until="2012-03-01"),
        ee.AgreementExtended(id="b", date="2012", title="b", sources=Q, agreement="t", until="2020-01-01"))
    state = memory_log.as_of("2012-06-01")
    row = state.agreements().get(agreement="t")
    assert (row.status, row.certain, row.in_force_until) == ("in force", False, "2020-01-01")
    assert state.agreements(status="expired").count == ee.Count(0, 1)
    assert every_view(state) == every_view(State(memory_log, "2012-06-01", naive=True))


def test_a_same_day_document_is_restated_by_the_newest_one_certainly_in_force(memory_log: ee.Log) -> None:
    """Three contracts on one route, all signed on 2010-01-01 (the greater id is the newer): a and
    b in force on signature, c some day of 2010. On 2010-06-01 c may not be in force yet, so a is
    restated, certainly, by b: the newest one certainly in force, not the newest one."""
    def memo(name: str, **extra: Any) -> ee.SupplyContract:
        return ee.SupplyContract(id=name, date="2010-01-01", title=name, sources=Q, agreement=name,
                                 commodity="oil", route="power-of-siberia", annual_volume="5 bcm/yr", **extra)

    add(memory_log, memo("a", in_force_on_signature=True), memo("b", in_force_on_signature=True), memo("c"),
        ee.EnteredIntoForce(id="c-in-force", date="2010", title="c", sources=Q, agreement="c"))
    state = memory_log.as_of("2010-06-01")
    notes = {r.agreement: r.note for r in state.volumes("oil", binding=None)}
    assert notes["a"] == "restated by b (same route; no recorded relation)"
    assert notes["b"] == "possibly restated by c (same route; no recorded relation)"
    assert every_view(state) == every_view(State(memory_log, "2010-06-01", naive=True))


def test_which_contracts_count_their_term_from_the_first_deliveries(memory_log: ee.Log) -> None:
    """One-year contracts. Only a contract whose term runs from the start of deliveries, naming
    one, with a term, counts it from the first deliveries on its route, and only when they may
    have begun on or after its signature:

    - "by-signature": term from the signature (a start named, deliveries in 2016): expired in 2011;
    - "unnamed-start": term from the start, none named (deliveries in 2016): from its signature;
    - "after-deliveries": signed 2014-06-01, deliveries since 2010: from its planned start,
      2015-01-01, so in force on 2015-06-01, certainly;
    - "same-day": deliveries began on its signature day, 2014-06-01: from then, expired on
      2015-06-01 (its planned start, 2016, is not what it runs from);
    - "levels-only": the route's levels are recorded but not its opening: from its planned start;
    - "no-term": no term, so nothing to count: in force."""
    def contract(name: str, date: str, route: str, commodity: str, **extra: Any) -> ee.SupplyContract:
        return ee.SupplyContract(id=name, date=date, title=name, sources=Q, agreement=name, seller="gazprom",
                                 buyer="cnpc", commodity=commodity, annual_volume="5 bcm/yr", route=route,
                                 in_force_on_signature=True, **extra)

    def opened(name: str, date: str, route: str, commodity: str) -> ee.SupplyStarted:
        return ee.SupplyStarted(id=name, date=date, title=name, sources=Q, route=route, commodity=commodity)

    year = {"term": "1 years"}
    add(memory_log,
        contract("by-signature", "2010-01-01", "power-of-siberia", "pipeline_gas", start="2015",
                 term_from="signature", **year),
        opened("d1", "2016-01-01", "power-of-siberia", "pipeline_gas"),
        contract("unnamed-start", "2010-01-01", "espo-pipeline", "pipeline_gas", term_from="start", **year),
        opened("d0", "2016-01-01", "espo-pipeline", "pipeline_gas"),
        opened("d2", "2010-01-01", "yamal-lng", "lng"),
        contract("after-deliveries", "2014-06-01", "yamal-lng", "lng", start="2015-01-01", term_from="start", **year),
        opened("d3", "2014-06-01", "espo-pipeline", "oil"),
        contract("same-day", "2014-06-01", "espo-pipeline", "oil", start="2016-01-01", term_from="start", **year),
        ee.SupplyLevel(id="d4", date="2013", title="d4", sources=Q, route="power-of-siberia", commodity="oil",
                       stage="plateau"),
        contract("levels-only", "2014-01-01", "power-of-siberia", "oil", start="2015", term_from="start", **year),
        opened("d5", "2014", "power-of-siberia", "lng"),
        contract("no-term", "2014-06-01", "power-of-siberia", "lng", start="2014-01-01", term_from="start"))
    expected = {"2012-06-01": {"by-signature": ("expired", True), "unnamed-start": ("expired", True)},
                "2015-06-01": {"after-deliveries": ("in force", True), "same-day": ("expired", True)},
                "2016-06-01": {"levels-only": ("expired", False), "no-term": ("in force", True)}}
    for day, statuses in expected.items():
        state = memory_log.as_of(day)
        found = {r.agreement: (r.status, r.certain) for r in state.agreements()}
        assert {name: found[name] for name in statuses} == statuses, day
        assert every_view(state) == every_view(State(memory_log, day, naive=True))


def test_a_measure_in_force_on_adoption_by_one_source_may_take_effect_later_by_another(memory_log: ee.Log) -> None:
    """Adopted in January 2010 with no effective date of its own (in force on adoption), and a
    second source dating its effect "2010": on 2010-06-01 it is in force or adopted and not yet
    in force, neither certainly; in 2011, certainly in force."""
    add(memory_log, ee.SanctionsImposed(
        id="m", date="2010-01", title="m", sources=Q, measure="m-a", imposer="eu", targets=["RU"],
        description="measure", disputes=[{"field": "effective", "value": "2010", "source": "seed-001"}]))
    for day, certain in (("2010-06-01", False), ("2011-01-01", True)):
        state = memory_log.as_of(day)
        row = state.sanctions().get(measure="m-a")
        assert (row.status, row.certain, row.effective) == ("in force", certain, "2010-01-01..2010-12-31"), day
        assert every_view(state) == every_view(State(memory_log, day, naive=True))


def test_an_extension_lengthens_both_readings_of_a_term_from_deliveries(memory_log: ee.Log) -> None:
    """A one-year contract signed 2014-06-01, deliveries some day of 2014 (planned from 2010), its
    term extended by ten years on 2014-07-01: from the deliveries it runs to 2025, from the
    planned start to 2021. On 2022-06-01 it is in force or expired, neither certainly; in 2026,
    expired either way, certainly."""
    add(memory_log,
        ee.SupplyStarted(id="d", date="2014", title="d", sources=Q, route="power-of-siberia",
                         commodity="pipeline_gas"),
        ee.SupplyContract(id="c", date="2014-06-01", title="c", sources=Q, agreement="c", seller="gazprom",
                          buyer="cnpc", commodity="pipeline_gas", annual_volume="5 bcm/yr", term="1 years",
                          route="power-of-siberia", start="2010", term_from="start", in_force_on_signature=True),
        ee.AgreementExtended(id="x", date="2014-07-01", title="x", sources=Q, agreement="c", term="10 years"))
    state = memory_log.as_of("2022-06-01")
    row = state.agreements().get(agreement="c")
    assert (row.status, row.certain) == ("in force", False)
    assert state.agreements(status="expired").count == ee.Count(0, 1)
    assert every_view(state) == every_view(State(memory_log, "2022-06-01", naive=True))
    row = memory_log.as_of("2026-06-01").agreements().get(agreement="c")
    assert (row.status, row.certain) == ("expired", True)


def test_a_recorded_entry_into_force_stands_over_in_force_on_signature_in_either_order(memory_log: ee.Log) -> None:
    """A one-year treaty "in force on signature", signed some day from 2010 on, and an entry into
    force recorded as its own event, some day of 2010: the recorded entry into force stands, so
    in June 2012 the treaty is expired (or not yet signed), whichever record was appended first
    (recorded second, the signing replaced it: its term ran from a signature of any year)."""
    def signed(name: str) -> ee.TreatySigned:
        return ee.TreatySigned(id=name, date="2010/..", title=name, sources=Q, agreement=name, term="1 years",
                               in_force_on_signature=True)

    def in_force(name: str) -> ee.EnteredIntoForce:
        return ee.EnteredIntoForce(id=f"{name}-in-force", date="2010", title=name, sources=Q, agreement=name)

    # z: signed twice after its entry into force was recorded; the second signing keeps it too.
    add(memory_log, signed("x"), in_force("x"), in_force("y"), signed("y"), in_force("z"), signed("z"),
        attrs.evolve(signed("z"), id="z-again"))
    state = memory_log.as_of("2012-06-01")
    assert {r.agreement: (r.status, r.certain, r.in_force_from) for r in state.agreements()} == \
        dict.fromkeys(("x", "y", "z"), ("expired", False, "2010-01-01..2010-12-31"))
    assert state.agreements(status="in force").count == ee.Count(0, 0)
    assert every_view(state) == every_view(State(memory_log, "2012-06-01", naive=True))


def test_two_entries_into_force_in_an_open_order_each_may_be_the_one_that_stands(memory_log: ee.Log) -> None:
    """Signed in 2009; in force, by one record, on 2010-06-01, and by another, some day of 2010.
    The record last by date stands, so on 2010-08-01 the treaty is in force or not yet (it was
    certainly in force: the record the fold met last). With a ten-year term from its entry into
    force it is, in 2020, in force or expired, neither certainly."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2009-01-01", title="t", sources=Q, agreement="t", term="10 years",
                        term_from="entry_into_force"),
        ee.EnteredIntoForce(id="a", date="2010", title="a", sources=Q, agreement="t"),
        ee.EnteredIntoForce(id="b", date="2010-06-01", title="b", sources=Q, agreement="t"))
    for day, status in (("2010-08-01", "in force"), ("2020-08-01", "expired")):
        state = memory_log.as_of(day)
        row = state.agreements().get(agreement="t")
        assert (row.status, row.certain) == (status, False), day
        assert every_view(state) == every_view(State(memory_log, day, naive=True))
    assert memory_log.as_of("2021-01-01").agreements().get(agreement="t").certain


def test_two_entries_into_force_in_an_open_order_show_every_date_that_may_stand(memory_log: ee.Log) -> None:
    """The treaty above, in force by one record on 2010-06-01 and by another some day of 2010:
    the row says in force from some day of 2010, until some day of 2020 (the term counted from
    either), not the dates of the record the fold met last. Once a third entry into force is
    certainly made after both, it alone is shown."""
    add(memory_log,
        ee.TreatySigned(id="t", date="2009-01-01", title="t", sources=Q, agreement="t", term="10 years",
                        term_from="entry_into_force"),
        ee.EnteredIntoForce(id="a", date="2010", title="a", sources=Q, agreement="t"),
        ee.EnteredIntoForce(id="b", date="2010-06-01", title="b", sources=Q, agreement="t"),
        ee.EnteredIntoForce(id="c", date="2012-03-01", title="c", sources=Q, agreement="t"))
    for day in ("2010-08-01", "2011-08-01"):
        row = memory_log.as_of(day).agreements().get(agreement="t")
        assert (row.in_force_from, row.in_force_until) == ("2010-01-01..2010-12-31", "2020-01-01..2020-12-31"), day
    row = memory_log.as_of("2012-03-01").agreements().get(agreement="t")
    assert (row.in_force_from, row.in_force_until) == ("2012-03-01", "2022-03-01")


def test_a_later_record_not_yet_made_leaves_the_earlier_one_standing(memory_log: ee.Log) -> None:
    """Of two liftings, or two ends, the last made by the day stands. A measure lifted on
    2010-02-01 and again some day of 2012 with effect from 2012-12-01: on 2012-06-01 the second
    may not be made yet, so the first may stand (lifted), or the second (in force until December):
    neither certainly (it was certainly in force: the later act was read as made). A treaty
    terminated on 2010-02-01 and recorded expired some day of 2012: on 2012-06-01 possibly
    terminated. Once the later record is certainly made, it stands."""
    add(memory_log,
        ee.SanctionsImposed(id="m", date="2010-01-01", title="m", sources=Q, measure="m-a", imposer="eu",
                            targets=["RU"], description="measure"),
        ee.SanctionsLifted(id="l1", date="2010-02-01", title="l1", sources=Q, measure="m-a"),
        ee.SanctionsLifted(id="l2", date="2012", title="l2", sources=Q, measure="m-a", effective="2012-12-01"),
        treaty("t"), ended("e1", "2010-02-01", "t", "terminated"), ended("e2", "2012", "t", "expired"))
    state = memory_log.as_of("2012-06-01")
    assert state.sanctions().count == ee.Count(0, 1)
    assert state.agreements(status="terminated").count == ee.Count(0, 1)
    assert every_view(state) == every_view(State(memory_log, "2012-06-01", naive=True))
    later = memory_log.as_of("2013-01-02")
    assert later.sanctions().count == ee.Count(0, 0)
    assert later.agreements(status="expired").count == ee.Count(1, 1)


def test_the_status_shown_is_the_latest_any_reading_reaches(memory_log: ee.Log) -> None:
    """A row shows the latest status possibly reached, over every record that may stand. The
    measure lifted on 2010-02-01 and again some day of 2012 with effect from December is, in
    June 2012, possibly lifted (the first lifting standing): shown lifted, not "in force" (the
    fold's last lifting, not yet in effect). A half-year treaty in force by one record on
    2010-01-01 and by another some day from June 2010 is, in August 2010, possibly expired (the
    first standing, the second not made yet): shown expired, not "in force"."""
    add(memory_log,
        ee.SanctionsImposed(id="m", date="2010-01-01", title="m", sources=Q, measure="m-a", imposer="eu",
                            targets=["RU"], description="measure"),
        ee.SanctionsLifted(id="l1", date="2010-02-01", title="l1", sources=Q, measure="m-a"),
        ee.SanctionsLifted(id="l2", date="2012", title="l2", sources=Q, measure="m-a", effective="2012-12-01"),
        ee.TreatySigned(id="t", date="2009-01-01", title="t", sources=Q, agreement="t", term="0.5 years",
                        term_from="entry_into_force"),
        ee.EnteredIntoForce(id="a", date="2010-01-01", title="a", sources=Q, agreement="t"),
        ee.EnteredIntoForce(id="b", date="2010-06-01/2010-12-31", title="b", sources=Q, agreement="t"))
    state = memory_log.as_of("2012-06-01")
    assert [(r.status, r.certain) for r in state.sanctions(in_force_only=False)] == [("lifted", False)]
    assert every_view(state) == every_view(State(memory_log, "2012-06-01", naive=True))
    state = memory_log.as_of("2010-08-01")
    row = state.agreements().get(agreement="t")
    assert (row.status, row.certain) == ("expired", False)
    assert state.agreements(status="in force").count == ee.Count(0, 1)
