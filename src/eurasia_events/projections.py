"""Projections: pure folds from events to state, and the rows each view shows on a day.

Events are folded in order of their earliest possible day, then sequence number. The
fold state of the keyed views (agreements, members, sanctions, projects, supply, stakes)
depends only on *which* events are folded, never on the as-of day; the day enters when
rows are rendered, by comparing it with the date spans the state keeps. That split lets
:mod:`eurasia_events.query` checkpoint fold states along the date axis.

A date span is a pair of day ordinals ``(lo, hi)``: the earliest and latest possible day
of an event, widened by qualifiers and by other sources' disputed dates.

A projection of your own is a :class:`Projection`: an initial state and one function per
event type, each returning the new state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, Generic, NamedTuple, TypeVar

import attrs

from ._gc import paused_gc
from .dates import MAX_ORDINAL, add_years, ordinal_to_text
from .events import (
    AgreementEnded,
    AgreementEvent,
    AgreementExtended,
    Announcement,
    EnteredIntoForce,
    Event,
    Forum,
    Investment,
    JointStatement,
    Loan,
    Meeting,
    MembershipJoined,
    MembershipLeft,
    Memorandum,
    ProjectMilestone,
    SanctionsExtended,
    SanctionsImposed,
    SanctionsLifted,
    SupplyContract,
    SupplyStarted,
    TradeStatistic,
    TreatySigned,
)
from .quantities import Quantity
from .sketch import sketch_class, typed

__all__ = ["Projection", "Span", "span_of"]

S = TypeVar("S")
Span = tuple[int, int]
NEVER: Span = (MAX_ORDINAL, MAX_ORDINAL)


def span_of(event: Event) -> Span:
    """The possible days of an event (or a sketch of one): its date, widened by every disputed date."""
    return event.span


def _date_span(date: Any, fallback: Span) -> Span:
    return fallback if date is None else (date.earliest_ordinal, date.latest_ordinal)


def reached(span: Span, day: int) -> bool | None:
    """True if certainly reached by ``day``, False if certainly not, None if uncertain."""
    if span[1] <= day:
        return True
    if day < span[0]:
        return False
    return None


def span_text(span: Span) -> str:
    """``2014-05-21`` for a day, ``2014-05-01..2014-05-31`` for a range."""
    if span[0] == span[1]:
        return ordinal_to_text(span[0])
    lo, hi = ordinal_to_text(span[0]), ordinal_to_text(span[1])
    return f"{'' if lo == '..' else lo}..{'' if hi == '..' else hi}"


@attrs.frozen
class Projection(Generic[S]):
    """A fold of your own: an initial state and one function per event type.

    Each handler takes the state and an event and returns the new state; events of
    types without a handler are skipped. Handlers are matched by ``isinstance``, so a
    handler for :class:`~eurasia_events.events.Event` sees every event.

    >>> import eurasia_events as ee
    >>> count = ee.Projection(initial=0, handlers={ee.Meeting: lambda n, e: n + 1})
    >>> ee.load().project(count, as_of="2020-01-01") > 0
    True
    """

    initial: S
    """The state before any event (never mutated: handlers return new states)."""
    handlers: Mapping[type[Event], Callable[[S, Event], S]]
    """Event type to function ``(state, event) -> new state``."""

    def fold(self, events: list[Event]) -> S:
        """Apply the handlers to the events in order."""
        state = self.initial
        table = list(self.handlers.items())
        for event in events:
            for cls, handler in table:
                if isinstance(event, cls):
                    state = handler(state, event)
        return state


# --- fold state of the keyed views ---------------------------------------------------


class AgreementState(NamedTuple):
    """What the log says about one agreement, with date spans (day-independent)."""

    agreement: str
    kind: str
    title: str
    parties: tuple[str, ...]
    binding: bool
    signed: Span
    in_force: Span | None
    term: Decimal | None
    term_from: str
    start: Span | None
    extensions: tuple[tuple[Span, Decimal | None, Span | None], ...] = ()
    ended: tuple[Span, str] | None = None
    superseded_by: tuple[Span, str] | None = None
    commodity: str | None = None
    route: str | None = None
    annual_volume: Quantity | None = None
    events: tuple[str, ...] = ()
    founds: str | None = None


class MeasureState(NamedTuple):
    """One sanctions measure."""

    measure: str
    imposer: str
    targets: tuple[str, ...]
    description: str
    sectors: tuple[str, ...]
    adopted: Span
    effective: Span
    until: Span | None
    lifted: Span | None = None
    events: tuple[str, ...] = ()


Trail = tuple[Any, Any] | None
"""An immutable list that grows at its end in constant time: ``(newest item, older trail)``,
``None`` when empty. A fold state's history of stages or memberships can hold thousands
of items; copying a tuple on each event made the fold quadratic."""


def push(trail: Trail, item: Any) -> Trail:
    """The trail with ``item`` added at the end (the old one is unchanged and shared)."""
    return (item, trail)


def trail_items(trail: Trail) -> list[Any]:
    """The items of a trail, oldest first.

    >>> trail_items(push(push(None, "a"), "b"))
    ['a', 'b']
    """
    items = []
    while trail is not None:
        items.append(trail[0])
        trail = trail[1]
    items.reverse()
    return items


class ProjectState(NamedTuple):
    """Stages a project reached, each with its span, in fold order."""

    project: str
    stages: Trail  # of (stage, span, event id)
    capacity: Quantity | None = None
    length: Quantity | None = None


@attrs.frozen(kw_only=True)
class FoldState:
    """The state of every keyed view; dicts are private to the fold and copied at checkpoints."""

    agreements: dict[str, AgreementState] = attrs.field(factory=dict)
    memberships: dict[tuple[str, str], Trail] = attrs.field(factory=dict)  # of (change, span, event id)
    measures: dict[str, MeasureState] = attrs.field(factory=dict)
    projects: dict[str, ProjectState] = attrs.field(factory=dict)
    supply: dict[tuple[str, str], tuple[Span, Quantity | None, str]] = attrs.field(factory=dict)

    def copy(self) -> FoldState:
        """A checkpoint: the dicts are copied, their (immutable) values shared."""
        return FoldState(
            agreements=dict(self.agreements),
            memberships=dict(self.memberships),
            measures=dict(self.measures),
            projects=dict(self.projects),
            supply=dict(self.supply),
        )


def _stub(agreement: str, event: Event) -> AgreementState:
    # A later event about an agreement whose signature is not in the log.
    return AgreementState(agreement=agreement, kind="agreement", title=agreement, parties=event.parties,
                          binding=True, signed=NEVER, in_force=None, term=None, term_from="entry_into_force",
                          start=None)


def _on_signed(state: FoldState, event: AgreementEvent) -> None:
    span = span_of(event)
    tag = event.TYPE
    term = event.term
    agreement = event.agreement
    previous = state.agreements.get(agreement)
    state.agreements[agreement] = AgreementState(
        agreement=agreement,
        kind=tag if tag in ("supply_contract", "joint_statement") else getattr(event, "kind", tag),
        title=event.title,
        parties=event.parties,
        binding=bool(event.binding),
        signed=span,
        in_force=span if event.in_force_on_signature else (previous.in_force if previous else None),
        term=None if term is None else term.value,
        term_from=event.term_from,
        start=_date_span(getattr(event, "start", None), span) if tag == "supply_contract" else None,
        extensions=previous.extensions if previous else (),
        ended=previous.ended if previous else None,
        superseded_by=previous.superseded_by if previous else None,
        commodity=getattr(event, "commodity", None),
        route=getattr(event, "route", None),
        annual_volume=getattr(event, "annual_volume", None),
        events=(previous.events if previous else ()) + (event.id,),
        founds=getattr(event, "founds", None),
    )
    for old in event.supersedes:
        row = state.agreements.get(old) or _stub(old, event)
        state.agreements[old] = row._replace(superseded_by=(span, agreement))


def _on_in_force(state: FoldState, event: EnteredIntoForce) -> None:
    row = state.agreements.get(event.agreement) or _stub(event.agreement, event)
    state.agreements[event.agreement] = row._replace(in_force=span_of(event), events=(*row.events, event.id))


def _on_extended(state: FoldState, event: AgreementExtended) -> None:
    row = state.agreements.get(event.agreement) or _stub(event.agreement, event)
    until = None if event.until is None else _date_span(event.until, NEVER)
    extension = (span_of(event), event.term.value if event.term else None, until)
    state.agreements[event.agreement] = row._replace(extensions=(*row.extensions, extension),
                                                     events=(*row.events, event.id))


def _on_ended(state: FoldState, event: AgreementEnded) -> None:
    row = state.agreements.get(event.agreement) or _stub(event.agreement, event)
    state.agreements[event.agreement] = row._replace(ended=(span_of(event), event.reason),
                                                     events=(*row.events, event.id))


def _membership(state: FoldState, org: str, member: str, change: str, span: Span, event_id: str) -> None:
    key = (org, member)
    state.memberships[key] = push(state.memberships.get(key), (change, span, event_id))


def _on_joined(state: FoldState, event: MembershipJoined) -> None:
    _membership(state, event.organisation, event.member, "joined", span_of(event), event.id)


def _on_left(state: FoldState, event: MembershipLeft) -> None:
    _membership(state, event.organisation, event.member, "left", span_of(event), event.id)


def _on_sanctions(state: FoldState, event: SanctionsImposed) -> None:
    adopted = span_of(event)
    state.measures[event.measure] = MeasureState(
        measure=event.measure, imposer=event.imposer, targets=event.targets, description=event.description,
        sectors=event.sectors, adopted=adopted, effective=_date_span(event.effective, adopted),
        until=None if event.until is None else _date_span(event.until, NEVER), events=(event.id,),
    )


def _on_sanctions_extended(state: FoldState, event: SanctionsExtended) -> None:
    row = state.measures.get(event.measure)
    if row is None:
        return  # an extension of a measure the log does not record: nothing to extend
    until = None if event.until is None else _date_span(event.until, NEVER)
    state.measures[event.measure] = row._replace(until=until, events=(*row.events, event.id))


def _on_sanctions_lifted(state: FoldState, event: SanctionsLifted) -> None:
    row = state.measures.get(event.measure)
    if row is None:
        return
    lifted = _date_span(event.effective, span_of(event))
    state.measures[event.measure] = row._replace(lifted=lifted, events=(*row.events, event.id))


def _on_milestone(state: FoldState, event: ProjectMilestone) -> None:
    row = state.projects.get(event.project) or ProjectState(project=event.project, stages=None)
    state.projects[event.project] = ProjectState(
        project=row.project,
        stages=push(row.stages, (event.stage, span_of(event), event.id)),
        capacity=event.capacity or row.capacity,
        length=event.length or row.length,
    )


def _on_announcement(state: FoldState, event: Announcement) -> None:
    # A plan shows its subject as "announced"; the projects view keeps only subjects that
    # are project entities, so plans about agreements or organisations drop out there.
    row = state.projects.get(event.subject) or ProjectState(project=event.subject, stages=None)
    state.projects[event.subject] = ProjectState(project=row.project, capacity=row.capacity, length=row.length,
                                                 stages=push(row.stages, ("announced", span_of(event), event.id)))


def _on_supply(state: FoldState, event: SupplyStarted) -> None:
    # Deliveries starting on a route also mean the route (a project) is open.
    project = state.projects.get(event.route) or ProjectState(project=event.route, stages=None)
    state.projects[event.route] = ProjectState(project=project.project, capacity=project.capacity,
                                               length=project.length,
                                               stages=push(project.stages, ("opened", span_of(event), event.id)))
    key = (event.route, event.commodity)
    found = state.supply.get(key)  # handlers read the state only through get (see query._Overlay)
    if found is None:
        state.supply[key] = (span_of(event), event.capacity, event.id)
    else:
        span, capacity, first = found
        state.supply[key] = (span, event.capacity or capacity, first)


def _not_folded(state: FoldState, event: Event) -> None:
    # Meetings, forums, loans, investments and trade figures are read straight from the
    # events by the per-event views; the keyed state has nothing to keep for them.
    return None


FOLD_HANDLERS: dict[str, Callable[[FoldState, Any], None]] = {
    TreatySigned.TYPE: _on_signed,
    JointStatement.TYPE: _on_signed,
    Memorandum.TYPE: _on_signed,
    SupplyContract.TYPE: _on_signed,
    EnteredIntoForce.TYPE: _on_in_force,
    AgreementExtended.TYPE: _on_extended,
    AgreementEnded.TYPE: _on_ended,
    MembershipJoined.TYPE: _on_joined,
    MembershipLeft.TYPE: _on_left,
    SanctionsImposed.TYPE: _on_sanctions,
    SanctionsExtended.TYPE: _on_sanctions_extended,
    SanctionsLifted.TYPE: _on_sanctions_lifted,
    ProjectMilestone.TYPE: _on_milestone,
    Announcement.TYPE: _on_announcement,
    SupplyStarted.TYPE: _on_supply,
    Meeting.TYPE: _not_folded,
    Forum.TYPE: _not_folded,
    Loan.TYPE: _not_folded,
    Investment.TYPE: _not_folded,
    TradeStatistic.TYPE: _not_folded,
}
"""One function per event type tag: ``(state, event) -> None``, updating the privately owned state.
Each reads an event or its sketch (:mod:`eurasia_events.sketch`) alike, and reads the
state's dicts only with ``get`` (the query index folds into overlays that support just that)."""


_PER_EVENT: frozenset[str] = frozenset(tag for tag, handler in FOLD_HANDLERS.items() if handler is _not_folded)


_AGREEMENT: Final = (("agreements", ("agreement",), False), ("agreements", ("supersedes",), True))

TOUCHES: dict[str, tuple[tuple[str, tuple[str, ...], bool], ...]] = {
    TreatySigned.TYPE: _AGREEMENT,
    JointStatement.TYPE: _AGREEMENT,
    Memorandum.TYPE: _AGREEMENT,
    SupplyContract.TYPE: _AGREEMENT,
    EnteredIntoForce.TYPE: _AGREEMENT[:1],
    AgreementExtended.TYPE: _AGREEMENT[:1],
    AgreementEnded.TYPE: _AGREEMENT[:1],
    MembershipJoined.TYPE: (("memberships", ("organisation", "member"), False),),
    MembershipLeft.TYPE: (("memberships", ("organisation", "member"), False),),
    SanctionsImposed.TYPE: (("measures", ("measure",), False),),
    SanctionsExtended.TYPE: (("measures", ("measure",), False),),
    SanctionsLifted.TYPE: (("measures", ("measure",), False),),
    ProjectMilestone.TYPE: (("projects", ("project",), False),),
    Announcement.TYPE: (("projects", ("subject",), False),),
    SupplyStarted.TYPE: (("projects", ("route",), False), ("supply", ("route", "commodity"), False)),
}
"""The keys of the fold state each handler reads and writes, per event type: ``(state
field, fields of the event making the key, whether that field holds many keys)``. A
handler touches no other key, so the fold is decomposable by key: the query index uses
this to patch checkpoints for a retroactive event instead of refolding everything after it."""


def touched(event: Any) -> tuple[tuple[str, Any], ...]:
    """The ``(state field, key)`` pairs an event, or a sketch, reads and writes (none for
    the per-event views' events)."""
    if type(event) is tuple:
        return _stored_toucher(event[0])(event)
    found: list[tuple[str, Any]] = []
    for field, names, many in TOUCHES.get(event.TYPE, ()):
        values = [getattr(event, name) for name in names]
        if many:
            found.extend((field, value) for value in values[0])
        else:
            found.append((field, values[0] if len(values) == 1 else tuple(values)))
    return tuple(found)


_TOUCHERS: dict[str, Callable[[tuple[Any, ...]], tuple[tuple[str, Any], ...]]] = {}


def _stored_toucher(tag: str) -> Callable[[tuple[Any, ...]], tuple[tuple[str, Any], ...]]:
    """:func:`touched` for a stored sketch, generated from :data:`TOUCHES` with the fields'
    positions: the index asks it of every event, and viewing each sketch as typed first
    cost more than the rest of building the index."""
    found = _TOUCHERS.get(tag)
    if found is None:
        fields = sketch_class(tag)._fields  # type: ignore[attr-defined]
        parts = []
        for field, names, many in TOUCHES.get(tag, ()):
            at = [fields.index(name) for name in names]
            if many:
                parts.append(f"*(({field!r}, value) for value in s[{at[0]}])")
            elif len(at) == 1:
                parts.append(f"({field!r}, s[{at[0]}])")
            else:
                parts.append(f"({field!r}, ({', '.join(f's[{i}]' for i in at)}))")
        namespace: dict[str, Any] = {}
        exec(f"def touches(s):\n    return ({''.join(part + ', ' for part in parts)})", namespace)
        found = _TOUCHERS[tag] = namespace["touches"]
    return found


def fold(state: FoldState, events: list[Any]) -> FoldState:
    """Apply events (or sketches, as stored or typed), in order, to a privately owned state
    (returned for chaining)."""
    handlers = FOLD_HANDLERS
    skipped = _PER_EVENT
    with paused_gc():  # many new objects and no cycles: see eurasia_events._gc
        for event in events:
            if type(event) is tuple:
                if event[0] in skipped:
                    continue
                event = typed(event)
            handlers[event.TYPE](state, event)
    return state


def expiry(row: AgreementState, day: int) -> tuple[Span | None, bool]:
    """When the agreement expires, counting extensions possibly made by ``day``.

    Returns the expiry span (``None`` if it has no term) and whether every extension
    counted is certain by ``day``.
    """
    if row.term is None:
        base = None
    else:
        origin = {"signature": row.signed, "entry_into_force": row.in_force, "start": row.start or row.in_force}
        start = origin.get(row.term_from) or row.in_force or row.signed
        base = (add_years(start[0], row.term), add_years(start[1], row.term))
    certain = True
    for span, years, until in row.extensions:
        seen = reached(span, day)
        if seen is False:
            continue
        certain = certain and bool(seen)
        if until is not None:
            base = until
        elif base is not None and years is not None:
            base = (add_years(base[0], years), add_years(base[1], years))
    return base, certain


def agreement_status(row: AgreementState, day: int) -> tuple[str, bool, Span | None]:
    """Status on ``day`` (signed, in force, expired, terminated, superseded...) and whether certain."""
    until, extensions_certain = expiry(row, day)
    milestones: list[tuple[str, Span]] = [("signed", row.signed)]
    if row.in_force is not None:
        milestones.append(("in force", row.in_force))
    terminal: list[tuple[str, Span]] = []
    if row.ended is not None:
        terminal.append((row.ended[1], row.ended[0]))
    if row.superseded_by is not None:
        terminal.append(("superseded", row.superseded_by[0]))
    if until is not None and row.in_force is not None:
        terminal.append(("expired", until))
    if terminal:
        milestones.append(min(terminal, key=lambda item: item[1][0]))
    status, certain = "not yet signed", True
    for index, (name, span) in enumerate(milestones):
        seen = reached(span, day)
        if seen is False:
            break
        status = name
        later = milestones[index + 1] if index + 1 < len(milestones) else None
        certain = bool(seen) and (later is None or reached(later[1], day) is False)
    if status == "expired" or (until is not None and reached(until, day) is None):
        certain = certain and extensions_certain
    return status, certain, until
