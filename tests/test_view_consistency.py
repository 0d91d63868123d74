"""Cross-view consistency: the same log and day must give the same certainty in every view.

Two families of properties, over random logs (the strategies of test_reference_model):

* **Agreement between views**: a summary line and the view it summarises (counts, certain
  and possible lists), a filtered view and the rows of the unfiltered one, a designation and
  its measure, a target's sanctions and the measure's designations, a total and the view
  it totals, ``known_at`` at the last record and no ``known_at``.
* **Soundness under refinement**: a partial, qualified or disputed date stands for a set of
  possible days. Pinning every date of the log to one of its possible days gives a world the
  log allows; what the log's answer says is certain must hold in that world (``certain``),
  and what holds in that world must be possible in the log's answer. This is what
  docs/concepts.md and docs/views.md define: ``certain`` is false when a date straddles
  the day "so the row may or may not hold"; counts and totals keep what certainly and what
  possibly holds.

The cases they found are pinned down as plain tests in test_query.py.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
from typing import Any

import attrs
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.projections import field_span, span_of
from logkit import new_log
from test_reference_model import (
    MEASURES,
    build,
    days,
    edges,
    envelope,
    fields,
    known_ats,
    logs,
)

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much], report_multiple_bugs=False,
                    derandomize=not THOROUGH)
"""The same examples on every default run (CI stays green or red for a reason); the thorough
profile searches afresh each time, and that is where new cases are found."""
WORLDS = settings(SETTINGS, max_examples=max(60, settings().max_examples * 4), report_multiple_bugs=False)
"""The refinement properties: small logs, fast examples, so several times the default number."""
Q = [{"source": "seed-004", "quote": "q"}]
RECORDED = "2026-01-01T00:00:00Z"


def summary_item(state: Any, item: str) -> Any:
    return state.summary().get(item=item)


def count_text(count: ee.Count) -> tuple[str, str]:
    return str(count.certain), str(count.possible)


def names(items: Any) -> str:
    return ", ".join(items) or "none"


@st.composite
def a_log_and_days(draw: st.DrawFn) -> tuple[ee.Log, list[dt.date], ee.Instant | None]:
    log, instants = draw(logs())
    near = edges(log)
    chosen = [draw(st.sampled_from(near) if draw(st.integers(0, 3)) else days()) for _ in range(3)]
    return log, chosen, draw(known_ats(instants))


# --- 1. agreement between views ---------------------------------------------------------------------------


@SETTINGS
@given(a_log_and_days())
def test_summary_agreement_counts_equal_the_filtered_views_counts(case: Any) -> None:
    """"agreements in force" and "agreements signed, not yet in force" are the counts of
    agreements(status="in force") and agreements(status="signed") (docs/views.md: every count
    is a Count, the view's count and the summary's certain and possible columns)."""
    log, chosen, known_at = case
    for day in chosen:
        state = log.as_of(day, known_at=known_at)
        for item, status in (("agreements in force", "in force"), ("agreements signed, not yet in force", "signed")):
            line = summary_item(state, item)
            view = state.agreements(status=status)
            assert (line.certain, line.possible) == count_text(view.count), \
                f"{item} on {day}: summary {line.value!r}, agreements(status={status!r}).count {view.count}: " \
                f"{[(r.agreement, r.status, r.certain) for r in state.agreements()]}"


@SETTINGS
@given(a_log_and_days())
def test_summary_counts_equal_the_views_counts(case: Any) -> None:
    """The summary's sanctions, meetings, members, routes, projects and contracted lines equal
    the views they summarise."""
    log, chosen, known_at = case
    for day in chosen:
        state = log.as_of(day, known_at=known_at)
        where = f"on {day}"
        sanctions = state.sanctions()
        line = summary_item(state, "sanctions measures in force")
        assert (line.certain, line.possible) == count_text(sanctions.count), where
        assert sanctions.count == ee.Count(sum(r.certain for r in sanctions), len(sanctions)), where
        line = summary_item(state, "meetings and forums held")
        assert (line.certain, line.possible) == count_text(state.meetings().count), where
        members = state.members("eaeu")
        line = summary_item(state, "EAEU members")
        assert line.possible == names(r.member for r in members), where
        assert line.certain == names(r.member for r in members if r.certain), where
        projects = state.projects()
        line = summary_item(state, "projects by stage")
        stages: dict[str, int] = {}
        sure: dict[str, int] = {}
        for row in projects:
            stages[row.stage] = stages.get(row.stage, 0) + 1
            if row.certain:
                sure[row.stage] = sure.get(row.stage, 0) + 1
        assert line.possible == (", ".join(f"{s} {n}" for s, n in sorted(stages.items())) or "none"), where
        assert line.certain == (", ".join(f"{s} {n}" for s, n in sorted(sure.items())) or "none"), where
        for commodity, item in (("pipeline_gas", "contracted pipeline gas (binding)"),
                                ("oil", "contracted oil (binding)")):
            total = state.contracted(commodity)
            assert total == state.volumes(commodity).totals.get("annual volume", ee.Total(None, None)), where
            line = summary_item(state, item)
            assert line.value == ("none" if total.possible is None else str(total)), where


@SETTINGS
@given(a_log_and_days())
def test_summary_routes_delivering_keep_every_route_possibly_delivering(case: Any) -> None:
    """"routes delivering": a route the supply view shows, not certainly halted, is possibly
    delivering; certainly delivering only when its opening is certain and no halt is possible.
    A route whose halt is uncertain may still deliver: it must stay among the possible routes,
    unless the log holds another halt on it (the row is then uncertain which halt came last,
    while the route may be certainly halted)."""
    log, chosen, known_at = case
    halts = collections.Counter(e.route for e in log.events() if isinstance(e, ee.SupplyLevel) and e.stage == "halted")
    for day in chosen:
        state = log.as_of(day, known_at=known_at)
        rows = list(state.supply())
        line = summary_item(state, "routes delivering")
        possible = {r.route for r in rows
                    if r.level_stage != "halted" or (not r.level_certain and halts[r.route] == 1)}
        shown = set() if line.possible == "none" else set(line.possible.split(", "))
        assert possible <= shown, f"on {day}: summary {line.possible!r}, supply " \
            f"{[(r.route, r.certain, r.level_stage, r.level_certain) for r in rows]}"
        certain = set() if line.certain == "none" else set(line.certain.split(", "))
        # (a route carrying two commodities is one name: one of its rows is enough)
        assert all(any(r.certain and r.level_stage != "halted" for r in rows if r.route == route)
                   for route in certain), day


@SETTINGS
@given(a_log_and_days())
def test_designations_agree_with_their_measure(case: Any) -> None:
    """A measure designating anyone on the day is possibly in force, so sanctions() shows it; a
    designation is certain only if its measure certainly is in force (a sanctions row
    certain); sanctions(target=t) shows a measure in force exactly when its designations show
    t, with the same certainty."""
    log, chosen, known_at = case
    for day in chosen:
        state = log.as_of(day, known_at=known_at)
        in_force = {r.measure: r for r in state.sanctions()}
        for measure in MEASURES:
            try:
                view = state.designations(measure)
            except ee.EurasiaEventsError:
                continue
            if len(view):
                assert measure in in_force, f"on {day}: {measure} designates {[r.target for r in view]} " \
                    f"but sanctions() does not show it: {list(state.sanctions(in_force_only=False))}"
            for row in view:
                if row.certain:
                    assert in_force[measure].certain, (day, measure, row.target)
            if measure not in in_force:
                continue
            for row in view:
                found = [r for r in state.sanctions(target=row.target) if r.measure == measure]
                assert len(found) == 1, (day, measure, row.target)
                assert found[0].certain == row.certain, (day, measure, row.target)


@SETTINGS
@given(a_log_and_days())
def test_known_at_the_last_record_is_the_same_as_no_known_at(case: Any) -> None:
    """As known at (or after) the last record, every view is the one without known_at; before
    the first record, no view has rows."""
    log, chosen, _ = case
    assume(len(log) > 0)  # no record to be known at
    last = max(record.recorded for record in log)
    first = min(record.recorded for record in log)
    for day in chosen:
        now, then = log.as_of(day), log.as_of(day, known_at=last)
        later = log.as_of(day, known_at=ee.Instant(last.micros + 86_400_000_000))
        for name in ("summary", "agreements", "supply", "sanctions", "projects", "finance", "meetings", "trade",
                     "policies"):
            assert list(now.view(name)) == list(then.view(name)) == list(later.view(name)), (day, name)
        assert list(now.members("eaeu")) == list(then.members("eaeu")), day
        before = log.as_of(day, known_at=ee.Instant(first.micros - 1))
        assert all(len(before.view(n)) == 0 for n in ("agreements", "sanctions", "projects", "meetings")), day


# --- 2. soundness under refinement ------------------------------------------------------------------------

SIGNINGS = (ee.TreatySigned, ee.JointStatement, ee.Memorandum, ee.SupplyContract)
REFINED_THEMES = (
    (ee.TreatySigned, ee.SupplyContract, ee.Memorandum, ee.EnteredIntoForce, ee.EnteredIntoForce,
     ee.AgreementExtended, ee.AgreementExtended, ee.AgreementEnded, ee.AgreementRelated, ee.SupplyStarted),
    (ee.SanctionsImposed, ee.SanctionsImposed, ee.SanctionsExtended, ee.SanctionsExtended, ee.SanctionsLifted,
     ee.SanctionsDelisted, ee.SanctionsDelisted),
    (ee.MembershipJoined, ee.MembershipJoined, ee.MembershipLeft, ee.MembershipLeft),
    (ee.ProjectMilestone, ee.ProjectMilestone, ee.ProjectMilestone, ee.Announcement, ee.SupplyStarted),
    (ee.PolicyMeasure,),
    (ee.SupplyStarted, ee.SupplyLevel, ee.SupplyLevel, ee.SupplyLevel),
)
LOW, HIGH = dt.date(2005, 1, 1).toordinal(), dt.date(2025, 12, 31).toordinal()


def first_key(event: ee.Event) -> Any:
    """What an event creates that a second event of its kind would overwrite in fold order (so
    that a world's answer never depends on which of two records of one fact the fold met last)."""
    if isinstance(event, SIGNINGS):
        return ("agreement", event.agreement)
    if isinstance(event, ee.SanctionsImposed):
        return ("measure", event.measure)
    if isinstance(event, ee.SupplyStarted):
        return ("opening", event.route, event.commodity)
    return None


@st.composite
def small_logs(draw: st.DrawFn, themes: tuple[int, ...]) -> list[ee.Event]:
    """A few events of one theme, each fact recorded once, all happened (not planned)."""
    types = REFINED_THEMES[draw(st.sampled_from(themes))]
    found: list[ee.Event] = []
    seen: set[Any] = set()
    for n in range(draw(st.integers(1, 7))):
        cls = draw(st.sampled_from(types))
        data = {"id": f"e{n}", **draw(envelope(cls)), **draw(fields(cls, ()))}
        data["status"] = "happened"
        event = build(cls, data)
        if event is None:
            continue
        if draw(st.integers(0, 3)):
            event = focus(event)  # one organisation, member, measure, target, project: so events meet
            if event is None:
                continue
        key = first_key(event)
        if key is not None and key in seen:
            continue
        seen.add(key)
        found.append(event)
    return found


FOCUS = {"organisation": "eaeu", "member": "AM", "measure": "m-a", "project": "power-of-siberia",
         "route": "power-of-siberia", "subject": "power-of-siberia"}


def focus(event: ee.Event) -> ee.Event | None:
    """The event about the one organisation, member, measure, target, project and route."""
    changes: dict[str, Any] = {k: v for k, v in FOCUS.items() if hasattr(event, k)}
    if isinstance(event, (ee.SanctionsImposed, ee.SanctionsDelisted)) or \
            (isinstance(event, ee.SanctionsExtended) and event.targets):
        changes["targets"] = ("sberbank",)
    if hasattr(event, "commodity") and isinstance(event, (ee.SupplyStarted, ee.SupplyLevel)):
        changes["commodity"] = "pipeline_gas"
    try:
        return attrs.evolve(event, **changes)
    except ee.InvalidEventError:
        return None


def date_fields(event: ee.Event) -> list[str]:
    return [f.name for f in attrs.fields(type(event))
            if isinstance(getattr(event, f.name), ee.PartialDate) and f.name not in ("period", "expected_by")]


@st.composite
def world(draw: st.DrawFn, events: list[ee.Event], day: dt.date) -> list[ee.Event]:
    """The events with every date pinned to one of its possible days (disputes settled)."""
    target = day.toordinal()
    pinned = []
    # Two events pinned to one day happen in the order of their records, which the log does not
    # say: days another date already takes are avoided where the event has others.
    used = {span[0] for e in events for n in date_fields(e) if (span := field_span(e, n, (0, 0)))[0] == span[1]}
    for event in events:
        changes: dict[str, Any] = {"disputes": ()}
        for name in date_fields(event):
            lo, hi = field_span(event, name, (0, 0))
            if lo == hi:
                changes[name] = getattr(event, name)
                continue
            near = {max(lo, LOW), max(lo, LOW) + 1, min(hi, HIGH), min(hi, HIGH) - 1, target - 1, target, target + 1,
                    (lo + hi) // 2}
            inside = sorted(d for d in near if lo <= d <= hi and LOW <= d <= HIGH)
            if not inside:
                inside = [max(lo, LOW) if lo > LOW else min(hi, HIGH)]
            inside = [d for d in inside if d not in used] or inside
            chosen = draw(st.sampled_from(inside))
            used.add(chosen)
            changes[name] = ee.PartialDate.parse(dt.date.fromordinal(chosen).isoformat())
        try:
            pinned.append(attrs.evolve(event, **changes))
        except ee.InvalidEventError:
            assume(False)  # not a world the event allows (an end before its start)
    return pinned


def log_of(events: list[ee.Event]) -> ee.Log:
    log = new_log(ee.MemoryStore())
    log.append(events, recorded=RECORDED)
    return log


def edge_days(events: list[ee.Event]) -> list[dt.date]:
    found = set()
    for event in events:
        for name in date_fields(event):
            lo, hi = field_span(event, name, (0, 0))
            for d in (lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, (lo + hi) // 2):
                if LOW < d < HIGH:
                    found.add(dt.date.fromordinal(d))
    return sorted(found) or [dt.date(2014, 1, 1)]


@st.composite
def refinements(draw: st.DrawFn, *themes: int) -> tuple[list[ee.Event], dt.date, list[ee.Event]]:
    events = draw(small_logs(themes or tuple(range(len(REFINED_THEMES)))))
    assume(events)
    day = draw(st.sampled_from(edge_days(events)))
    return events, day, draw(world(events, day))


def within(count: ee.Count, value: ee.Count, what: str) -> None:
    message = f"{what}: the log says {count}, a world it allows says {value}"
    assert count.certain <= value.certain, message
    assert value.possible <= count.possible, message


def sets(rows: Any, key: Any) -> tuple[set[Any], set[Any]]:
    """The keys certainly shown, and possibly shown."""
    return {key(r) for r in rows if r.certain}, {key(r) for r in rows}


def narrower(log_rows: Any, world_rows: Any, key: Any, what: str) -> None:
    sure, maybe = sets(log_rows, key)
    world_sure, world_maybe = sets(world_rows, key)
    assert sure <= world_sure, f"{what}: certain in the log, not in a world it allows: {sure - world_sure}"
    assert world_maybe <= maybe, f"{what}: in a world the log allows, not possible in the log: {world_maybe - maybe}"


def show(events: list[ee.Event]) -> str:
    return "\n".join(f"  {type(e).__name__} {e.id} {e.date}"
                     + "".join(f" {n}={getattr(e, n)}" for n in date_fields(e) if n != "date")
                     + "".join(f" {k}={v}" for k, v in attrs.asdict(e, recurse=False).items()
                               if k in ("agreement", "measure", "member", "stage", "project", "targets", "reason",
                                        "term", "route", "relation", "earlier", "in_force_on_signature", "term_from",
                                        "organisation", "supersedes", "annual_volume"))
                     + (f" disputes={[(d.field, d.value) for d in e.disputes]}" if e.disputes else "")
                     for e in events)


def log_and_world(case: tuple[list[ee.Event], dt.date, list[ee.Event]]) -> tuple[Any, Any, str]:
    """The log's state and the world's on the day, and where (for messages)."""
    events, day, pinned = case
    return (log_of(events).as_of(day), log_of(pinned).as_of(day),
            f"on {day}\nlog:\n{show(events)}\nworld:\n{show(pinned)}")


@WORLDS
@given(refinements(0))
def test_agreement_statuses_hold_in_every_world_the_log_allows(case: Any) -> None:
    """An agreement's certain status is its status in every world the log allows; the
    summary's agreement counts bound the world's."""
    state, truth, where = log_and_world(case)
    world_rows = {r.agreement: r for r in truth.agreements()}
    for row in state.agreements():
        if row.certain:
            message = f"{row.agreement} certainly {row.status}, in a world " \
                f"{getattr(world_rows.get(row.agreement), 'status', 'absent')} {where}"
            assert row.agreement in world_rows, message
            assert world_rows[row.agreement].status == row.status, message
    assert {r.agreement for r in truth.agreements()} <= {r.agreement for r in state.agreements()}, where
    for item in ("agreements in force", "agreements signed, not yet in force"):
        line, fact = summary_item(state, item), summary_item(truth, item)
        within(ee.Count(int(line.certain), int(line.possible)), ee.Count(int(fact.certain), int(fact.possible)),
               f"{item} {where}")


@WORLDS
@given(refinements(1))
def test_sanctions_and_designations_hold_in_every_world_the_log_allows(case: Any) -> None:
    events, _, pinned = case
    # An act on a measure comes after its imposition (docs/concepts.md): dated possibly before
    # it, it is read as after, so a world placing it before is not one the log allows.
    imposed = {e.measure: (span_of(e), span_of(p)[0]) for e, p in zip(events, pinned, strict=True)
               if isinstance(e, ee.SanctionsImposed)}
    assume(all(span_of(p)[0] >= imposed[e.measure][1] for e, p in zip(events, pinned, strict=True)
               if not isinstance(e, ee.SanctionsImposed) and getattr(e, "measure", None) in imposed
               and span_of(e)[1] >= imposed[e.measure][0][0]))
    state, truth, where = log_and_world(case)
    narrower(state.sanctions(), truth.sanctions(), lambda r: r.measure, f"sanctions in force {where}")
    within(state.sanctions().count, truth.sanctions().count, f"sanctions count {where}")
    for measure in MEASURES:
        try:
            mine = list(state.designations(measure))
        except ee.EurasiaEventsError:
            mine = []
        try:
            theirs = list(truth.designations(measure))
        except ee.EurasiaEventsError:
            theirs = []
        narrower(mine, theirs, lambda r: r.target, f"designations {measure} {where}")


@WORLDS
@given(refinements(2))
def test_members_hold_in_every_world_the_log_allows(case: Any) -> None:
    state, truth, where = log_and_world(case)
    for org in ("eaeu", "sco"):
        narrower(state.members(org), truth.members(org), lambda r: r.member, f"members {org} {where}")


@WORLDS
@given(refinements(3))
def test_project_stages_hold_in_every_world_the_log_allows(case: Any) -> None:
    state, truth, where = log_and_world(case)
    # A row shows one stage: the latest possibly reached. Certain: that stage in every world;
    # possible: the project (not its stage) shown in every world.
    sure = {(r.project, r.stage) for r in state.projects() if r.certain}
    assert sure <= {(r.project, r.stage) for r in truth.projects()}, f"projects {where}"
    assert {r.project for r in truth.projects()} <= {r.project for r in state.projects()}, f"projects {where}"


@WORLDS
@given(refinements(4, 5))
def test_policies_and_supply_hold_in_every_world_the_log_allows(case: Any) -> None:
    state, truth, where = log_and_world(case)
    narrower(state.policies(), truth.policies(), lambda r: r.measure, f"policies {where}")
    narrower(state.supply(), truth.supply(), lambda r: r.route, f"supply {where}")
    for row in state.supply():
        other = [r for r in truth.supply() if r.route == row.route and r.commodity == row.commodity]
        if row.level_certain and other:
            assert other[0].level_stage == row.level_stage, \
                f"{row.route} level certainly {row.level_stage}, in a world {other[0].level_stage} {where}"
    line, fact = summary_item(state, "routes delivering"), summary_item(truth, "routes delivering")
    split = lambda text: set() if text == "none" else set(text.split(", "))  # noqa: E731
    message = f"routes delivering: log {line.value!r} (certain {line.certain!r}), world {fact.value!r} {where}"
    assert split(line.certain) <= split(fact.certain), message
    assert split(fact.possible) <= split(line.possible), message


def as_number(value: ee.Quantity | None) -> Any:
    return 0 if value is None else value.value


@WORLDS
@given(refinements(0))
def test_contracted_totals_bound_every_world_the_log_allows(case: Any) -> None:
    state, truth, where = log_and_world(case)
    for commodity in ("pipeline_gas", "oil"):
        for binding in (True, None):
            mine = state.volumes(commodity, binding=binding).totals
            theirs = truth.volumes(commodity, binding=binding).totals
            if len(mine) > 1 or len(theirs) > 1:
                continue  # totals in several units: keys differ by unit
            low, high = mine.get("annual volume", ee.Total(None, None)).certain, \
                mine.get("annual volume", ee.Total(None, None)).possible
            fact = theirs.get("annual volume", ee.Total(None, None))
            units = {q.unit for q in (low, high, fact.certain, fact.possible) if q is not None}
            if len(units) > 1:
                continue
            message = f"contracted {commodity} binding={binding}: log {low}..{high}, world " \
                f"{fact.certain}..{fact.possible} {where}"
            assert as_number(low) <= as_number(fact.certain), message
            assert as_number(fact.possible) <= as_number(high), message
