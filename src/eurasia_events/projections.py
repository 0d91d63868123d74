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

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Generic, NamedTuple, TypeVar

import attrs

from ._engine.codegen import compile_function
from ._engine.rows import row_class, typed
from .dates import MAX_ORDINAL, MIN_ORDINAL, PartialDate, add_years, ordinal_to_text
from .errors import EurasiaEventsError
from .events import (
    AgreementEnded,
    AgreementEvent,
    AgreementExtended,
    AgreementRelated,
    Announcement,
    CodedInteraction,
    DealClosed,
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
    PolicyMeasure,
    ProjectMilestone,
    Ratified,
    SanctionsDelisted,
    SanctionsExtended,
    SanctionsImposed,
    SanctionsLifted,
    Statement,
    SupplyContract,
    SupplyLevel,
    SupplyStarted,
    TradeStatistic,
    TreatySigned,
)
from .quantities import Quantity

__all__ = ["Projection", "Span", "span_of"]

Relation = tuple[str, str, "Span", Quantity | None]
"""How a later agreement relates to an earlier one: ``(relation, later agreement, span, part)``."""

S = TypeVar("S")
T = TypeVar("T")
Span = tuple[int, int]
NEVER: Span = (MAX_ORDINAL, MAX_ORDINAL)


def span_of(event: Event) -> Span:
    """The possible days of an event (or a sketch of one): its date, widened by every disputed date."""
    return _interned(event.span)


def _interned(span: Span) -> Span:
    """One tuple for every equal span: the fold keeps hundreds of thousands of spans, most of
    them the same few thousand days and months (a tenth of the query index at a million events
    when each was its own tuple)."""
    found = _SPANS.setdefault(span, span)
    if len(_SPANS) > _SPANS_KEPT:
        _SPANS.clear()  # equal spans then share less, never answer differently
    return found


_SPANS: dict[Span, Span] = {}
_SPANS_KEPT: Final = 1 << 18  # a million-event log has about 40,000 distinct spans


def _date_span(date: Any, fallback: Span) -> Span:
    return fallback if date is None else _interned((date.earliest_ordinal, date.latest_ordinal))


def field_span(event: Any, name: str, fallback: Span) -> Span:
    """The possible days of a date field of an event (or sketch), ``fallback`` when it is
    left out, widened by the dates other sources give for that field (its disputes)."""
    span = _date_span(getattr(event, name), fallback)
    for text in event.disputed_values(name):
        try:
            other = PartialDate.parse(text)
        except EurasiaEventsError:
            continue  # a dispute that gives no date (older records were not checked) cannot widen
        span = _interned((min(span[0], other.earliest_ordinal), max(span[1], other.latest_ordinal)))
    return span


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
    relations: tuple[Relation, ...] = ()
    """Later agreements relating to this one (restating, amending, superseding it), in fold order."""
    names_start: bool = False
    """Whether the contract names a start of deliveries (its term then runs from the first deliveries)."""
    endings: tuple[tuple[Span, str], ...] = ()
    """Every end recorded (``agreement_ended``), in fold order; ``ended`` is the last. Where
    their dates leave open which came last, each that may have is weighed."""
    in_force_on_signature: bool = False
    """Whether the entry into force is the signature itself (one event, reached together), not
    an event of its own that may come later on the same partial days."""
    entries: tuple[Span, ...] = ()
    """Every entry into force recorded as its own event (``entered_into_force``), in fold order;
    ``in_force`` is then the last, and a signing "in force on signature" does not replace it,
    whichever the fold meets first. Where their dates leave open which came last, each that may
    have is weighed."""


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
    """The last day in force as imposed (``None``: no end date); renewals may move it, see
    :func:`measure_until`."""
    lifted: Span | None = None
    events: tuple[str, ...] = ()
    designations: tuple[tuple[str, str, Span, str], ...] = ()
    """``(entity, "listed" or "delisted", span, event id)``, in fold order; the measure's own
    targets are listed from its effective date."""
    persons: tuple[tuple[int, Span], ...] = ()
    """Persons designated (positive) or delisted (negative), each from its span."""
    renewals: tuple[tuple[Span, Span], ...] = ()
    """``(days of the act, new last day)`` of each extension that moves the end date, in fold
    order; :data:`NEVER` for a renewal with no end date."""
    liftings: tuple[tuple[Span, Span], ...] = ()
    """``(days of the act, days it takes effect)`` of every lifting, in fold order; ``lifted`` is
    the last. Where their dates leave open which came last, each that may have is weighed."""
    waiting: tuple[Any, ...] = ()
    """Acts the fold met before the imposition (on a row never adopted): see :func:`_measure_of`."""
    effective_on_adoption: bool = True
    """Whether the measure took effect with its adoption (no effective date of its own): then
    the two are reached together, else the effect may come later on the same partial days."""


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


class LevelReached(NamedTuple):
    """A level deliveries on a route reached (a ``supply_level`` event, or in older logs a
    later ``supply_started``), at its own date."""

    span: Span
    level: Quantity | None
    stage: str | None
    """``None`` for a later ``supply_started``, which states no stage."""
    capacity: Quantity | None
    """The route's design capacity from then, when the event says it changed."""
    event: str


class SupplyState(NamedTuple):
    """Deliveries on one route: the opening (its first ``supply_started``), with the design
    capacity stated then, and each level reached (ramp-up, plateau...), each at its own date."""

    since: Span | None
    """``None`` while the log holds levels for the route but no opening."""
    capacity: Quantity | None
    event: str | None
    levels: Trail = None  # of LevelReached


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
    supply: dict[tuple[str, str], SupplyState] = attrs.field(factory=dict)
    ratifications: dict[str, Trail] = attrs.field(factory=dict)  # of (party, body, span, event id)
    policies: dict[str, Trail] = attrs.field(factory=dict)  # of PolicyTerm

    def copy(self) -> FoldState:
        """A checkpoint: the dicts are copied, their (immutable) values shared."""
        return FoldState(
            agreements=dict(self.agreements),
            memberships=dict(self.memberships),
            measures=dict(self.measures),
            projects=dict(self.projects),
            supply=dict(self.supply),
            ratifications=dict(self.ratifications),
            policies=dict(self.policies),
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
    # An entry into force recorded as its own event stands over "in force on signature",
    # whichever of the two the fold meets first (their dates may leave the order open).
    recorded = previous is not None and bool(previous.entries)
    joined = bool(event.in_force_on_signature) and not recorded
    state.agreements[agreement] = AgreementState(
        agreement=agreement,
        kind=tag if tag in ("supply_contract", "joint_statement") else getattr(event, "kind", tag),
        title=event.title,
        parties=event.parties,
        binding=bool(event.binding),
        signed=span,
        in_force=span if joined else (previous.in_force if previous else None),
        term=None if term is None else term.value,
        term_from=event.term_from,
        start=_date_span(getattr(event, "start", None), span) if tag == "supply_contract" else None,
        extensions=previous.extensions if previous else (),
        ended=previous.ended if previous else None,
        endings=previous.endings if previous else (),
        superseded_by=previous.superseded_by if previous else None,
        commodity=getattr(event, "commodity", None),
        route=getattr(event, "route", None),
        annual_volume=getattr(event, "annual_volume", None),
        events=(previous.events if previous else ()) + (event.id,),
        founds=getattr(event, "founds", None),
        relations=previous.relations if previous else (),
        names_start=getattr(event, "start", None) is not None,
        in_force_on_signature=joined,
        entries=previous.entries if previous else (),
    )
    for old in event.supersedes:
        row = state.agreements.get(old) or _stub(old, event)
        # The earliest supersession ends the old document; a later one keeps it ended.
        earlier = row.superseded_by
        first = earlier if earlier is not None and earlier[0] <= span else (span, agreement)
        state.agreements[old] = row._replace(superseded_by=first,
                                             relations=(*row.relations, ("supersedes", agreement, span, None)))


def _on_related(state: FoldState, event: AgreementRelated) -> None:
    # Kept on the earlier agreement's row: the only key this handler touches.
    span = span_of(event)
    row = state.agreements.get(event.earlier) or _stub(event.earlier, event)
    row = row._replace(relations=(*row.relations, (event.relation, event.agreement, span, event.part)),
                       events=(*row.events, event.id))
    if event.relation in ("supersedes", "replaces") and (row.superseded_by is None or span < row.superseded_by[0]):
        row = row._replace(superseded_by=(span, event.agreement))
    state.agreements[event.earlier] = row


def _on_in_force(state: FoldState, event: EnteredIntoForce) -> None:
    row = state.agreements.get(event.agreement) or _stub(event.agreement, event)
    span = span_of(event)
    state.agreements[event.agreement] = row._replace(in_force=span, in_force_on_signature=False,
                                                     entries=(*row.entries, span), events=(*row.events, event.id))


def _on_extended(state: FoldState, event: AgreementExtended) -> None:
    row = state.agreements.get(event.agreement) or _stub(event.agreement, event)
    until = None if event.until is None else _date_span(event.until, NEVER)
    extension = (span_of(event), event.term.value if event.term else None, until)
    state.agreements[event.agreement] = row._replace(extensions=(*row.extensions, extension),
                                                     events=(*row.events, event.id))


def _on_ended(state: FoldState, event: AgreementEnded) -> None:
    row = state.agreements.get(event.agreement) or _stub(event.agreement, event)
    ended = (span_of(event), event.reason)
    state.agreements[event.agreement] = row._replace(ended=ended, endings=(*row.endings, ended),
                                                     events=(*row.events, event.id))


def _membership(state: FoldState, org: str, member: str, change: str, span: Span, event_id: str) -> None:
    key = (org, member)
    state.memberships[key] = push(state.memberships.get(key), (change, span, event_id))


def _on_joined(state: FoldState, event: MembershipJoined) -> None:
    _membership(state, event.organisation, event.member, "joined", span_of(event), event.id)


def _on_left(state: FoldState, event: MembershipLeft) -> None:
    _membership(state, event.organisation, event.member, "left", span_of(event), event.id)


def _on_sanctions(state: FoldState, event: SanctionsImposed) -> None:
    # Adoption and effect are kept apart, each widened by its own disputes: a disputed
    # effective date leaves the measure uncertain between the dates sources give.
    adopted = span_of(event)
    effective = field_span(event, "effective", adopted)
    row = MeasureState(
        measure=event.measure, imposer=event.imposer, targets=event.targets, description=event.description,
        sectors=event.sectors, adopted=adopted, effective=effective,
        until=None if event.until is None else field_span(event, "until", NEVER), events=(event.id,),
        designations=tuple((target, "listed", effective, event.id) for target in event.targets),
        persons=((event.persons, effective),) if event.persons else (),
        effective_on_adoption=event.effective is None,
    )
    pending = state.measures.get(event.measure)
    state.measures[event.measure] = row
    if pending is not None and is_pending(pending):
        for act in pending.waiting:
            if span_of(act)[1] >= adopted[0]:  # else it came before: nothing to act on
                FOLD_HANDLERS[act.TYPE](state, act)


def _measure_of(state: FoldState, event: Any) -> MeasureState | None:
    """The measure an act applies to; ``None`` when the fold has not met its imposition (the
    act may be dated before it: a delisting of "/2010", imposed 2010-01-01): the act then waits
    on a row never adopted (:func:`is_pending`, shown by no view) for the imposition, which
    takes over the acts that may come on or after its adoption."""
    row = state.measures.get(event.measure)
    if row is not None and not is_pending(row):
        return row
    state.measures[event.measure] = MeasureState(
        measure=event.measure, imposer="", targets=(), description="", sectors=(), adopted=NEVER,
        effective=NEVER, until=None, waiting=(*(row.waiting if row else ()), event))
    return None


def is_pending(row: MeasureState) -> bool:
    """Whether the row holds only acts on a measure whose imposition the fold has not met."""
    return row.adopted == NEVER


def _in_effect(event: Any) -> Span:
    """The days from which a sanctions act holds: its effective date, but never before the act
    is made (a lifting dated 2014 and effective from 2010 lifts nothing in 2012)."""
    made = span_of(event)
    effective = field_span(event, "effective", made)
    return max(made[0], effective[0]), max(made[1], effective[1])


def _on_sanctions_extended(state: FoldState, event: SanctionsExtended) -> None:
    row = _measure_of(state, event)
    if row is None:
        return
    start = _in_effect(event)
    renewals = row.renewals
    if event.until is not None:
        renewals = (*renewals, (span_of(event), field_span(event, "until", NEVER)))
    elif not (event.targets or event.sectors or event.persons):
        # A widening that names no expiry keeps the old one; a bare renewal (the only kind
        # there was before targets could be added) has no end date.
        renewals = (*renewals, (span_of(event), NEVER))
    state.measures[event.measure] = row._replace(
        renewals=renewals, events=(*row.events, event.id),
        sectors=row.sectors + tuple(s for s in event.sectors if s not in row.sectors),
        designations=row.designations + tuple((target, "listed", start, event.id) for target in event.targets),
        persons=row.persons + (((event.persons, start),) if event.persons else ()),
    )


def _on_sanctions_delisted(state: FoldState, event: SanctionsDelisted) -> None:
    row = _measure_of(state, event)
    if row is None:
        return
    start = _in_effect(event)
    state.measures[event.measure] = row._replace(
        events=(*row.events, event.id),
        designations=row.designations + tuple((target, "delisted", start, event.id) for target in event.targets),
        persons=row.persons + (((-event.persons, start),) if event.persons else ()),
    )


def _on_sanctions_lifted(state: FoldState, event: SanctionsLifted) -> None:
    row = _measure_of(state, event)
    if row is None:
        return
    lifted = _in_effect(event)
    state.measures[event.measure] = row._replace(lifted=lifted, liftings=(*row.liftings, (span_of(event), lifted)),
                                                 events=(*row.events, event.id))


class PolicyTerm(NamedTuple):
    """One term of a unilateral policy measure (its first grant, or a renewal)."""

    imposer: str
    beneficiary: str
    description: str
    title: str
    effective: Span
    until: Span | None
    event: str
    decreed: Span
    """The days of the act itself (a grant may take effect before it is made)."""


def _on_policy(state: FoldState, event: PolicyMeasure) -> None:
    effective = field_span(event, "effective", span_of(event))
    until = None if event.until is None else field_span(event, "until", NEVER)
    term = PolicyTerm(imposer=event.imposer, beneficiary=event.beneficiary, description=event.description,
                      title=event.title, effective=effective, until=until, event=event.id,
                      decreed=span_of(event))
    state.policies[event.measure] = push(state.policies.get(event.measure), term)


def _on_ratified(state: FoldState, event: Ratified) -> None:
    # Kept apart from the agreement's row: a ratification of an agreement whose signature
    # the log lacks makes no agreement row, and the signing handlers need not carry it.
    state.ratifications[event.agreement] = push(state.ratifications.get(event.agreement),
                                                (event.party, event.body, span_of(event), event.id))


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
    # The first deliveries on a route open it (a project stage, at their own date). Older
    # logs recorded a level reached (ramp-up, plateau) as a later supply_started on the
    # route: it is read as a level of no stated stage, never as a new opening.
    key = (event.route, event.commodity)
    found = state.supply.get(key)  # handlers read the state only through get (see query._Overlay)
    project = state.projects.get(event.route) or ProjectState(project=event.route, stages=None)
    if found is None or found.since is None:
        state.supply[key] = SupplyState(since=span_of(event), capacity=event.capacity, event=event.id,
                                        levels=found.levels if found else None)
        stage = "opened"
    else:
        level = LevelReached(span=span_of(event), level=event.capacity, stage=None, capacity=None, event=event.id)
        state.supply[key] = found._replace(levels=push(found.levels, level))
        stage = "delivering"
    state.projects[event.route] = ProjectState(project=project.project, capacity=project.capacity,
                                               length=project.length,
                                               stages=push(project.stages, (stage, span_of(event), event.id)))


def _on_level(state: FoldState, event: SupplyLevel) -> None:
    # A level is no project stage and never opens the route: a level folded before any
    # opening (dated earlier, or the opening is not in the log) leaves the opening unknown.
    key = (event.route, event.commodity)
    found = state.supply.get(key) or SupplyState(since=None, capacity=None, event=None)
    level = LevelReached(span=span_of(event), level=event.level, stage=event.stage, capacity=event.capacity,
                         event=event.id)
    state.supply[key] = found._replace(levels=push(found.levels, level))


def _not_folded(state: FoldState, event: Event) -> None:
    # Meetings, forums, loans, investments, closings and trade figures are read straight
    # from the events by the per-event views; the keyed state has nothing to keep for them.
    # Statements are claims, never a change of state: only the timeline shows them. Coded
    # interactions (imported dataset records) change no state either: the timeline and the
    # interaction counts read them.
    return None


FOLD_HANDLERS: dict[str, Callable[[FoldState, Any], None]] = {
    TreatySigned.TYPE: _on_signed,
    JointStatement.TYPE: _on_signed,
    Memorandum.TYPE: _on_signed,
    SupplyContract.TYPE: _on_signed,
    EnteredIntoForce.TYPE: _on_in_force,
    AgreementExtended.TYPE: _on_extended,
    AgreementEnded.TYPE: _on_ended,
    AgreementRelated.TYPE: _on_related,
    MembershipJoined.TYPE: _on_joined,
    MembershipLeft.TYPE: _on_left,
    SanctionsImposed.TYPE: _on_sanctions,
    SanctionsExtended.TYPE: _on_sanctions_extended,
    SanctionsLifted.TYPE: _on_sanctions_lifted,
    SanctionsDelisted.TYPE: _on_sanctions_delisted,
    PolicyMeasure.TYPE: _on_policy,
    Ratified.TYPE: _on_ratified,
    ProjectMilestone.TYPE: _on_milestone,
    Announcement.TYPE: _on_announcement,
    SupplyStarted.TYPE: _on_supply,
    SupplyLevel.TYPE: _on_level,
    Meeting.TYPE: _not_folded,
    Forum.TYPE: _not_folded,
    Loan.TYPE: _not_folded,
    Investment.TYPE: _not_folded,
    TradeStatistic.TYPE: _not_folded,
    DealClosed.TYPE: _not_folded,
    Statement.TYPE: _not_folded,
    CodedInteraction.TYPE: _not_folded,
}
"""One function per event type tag: ``(state, event) -> None``, updating the privately owned state.
Each reads an event or its compact row (:mod:`eurasia_events._engine.rows`) alike, and reads the
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
    AgreementRelated.TYPE: (("agreements", ("earlier",), False),),
    MembershipJoined.TYPE: (("memberships", ("organisation", "member"), False),),
    MembershipLeft.TYPE: (("memberships", ("organisation", "member"), False),),
    SanctionsImposed.TYPE: (("measures", ("measure",), False),),
    SanctionsExtended.TYPE: (("measures", ("measure",), False),),
    SanctionsLifted.TYPE: (("measures", ("measure",), False),),
    SanctionsDelisted.TYPE: (("measures", ("measure",), False),),
    PolicyMeasure.TYPE: (("policies", ("measure",), False),),
    Ratified.TYPE: (("ratifications", ("agreement",), False),),
    ProjectMilestone.TYPE: (("projects", ("project",), False),),
    Announcement.TYPE: (("projects", ("subject",), False),),
    SupplyStarted.TYPE: (("projects", ("route",), False), ("supply", ("route", "commodity"), False)),
    SupplyLevel.TYPE: (("supply", ("route", "commodity"), False),),
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
        fields = row_class(tag)._fields  # type: ignore[attr-defined]
        parts = []
        for field, names, many in TOUCHES.get(tag, ()):
            at = [fields.index(name) for name in names]
            if many:
                parts.append(f"*(({field!r}, value) for value in s[{at[0]}])")
            elif len(at) == 1:
                parts.append(f"({field!r}, s[{at[0]}])")
            else:
                parts.append(f"({field!r}, ({', '.join(f's[{i}]' for i in at)}))")
        found = _TOUCHERS[tag] = compile_function(
            "touches", ["def touches(s):", f"    return ({''.join(part + ', ' for part in parts)})"], {}, about=tag)
    return found


def fold(state: FoldState, events: list[Any]) -> FoldState:
    """Apply events (or sketches, as stored or typed), in order, to a privately owned state
    (returned for chaining)."""
    handlers = FOLD_HANDLERS
    skipped = _PER_EVENT
    for event in events:
        if type(event) is tuple:
            if event[0] in skipped:
                continue
            event = typed(event)
        handlers[event.TYPE](state, event)
    return state


def term_anchor(row: AgreementState, supply: Mapping[tuple[str, str], SupplyState], day: int) -> Span | None:
    """The days a supply contract's term runs from, when it runs from the start of deliveries
    and the contract names one.

    That is the first delivery event on the contract's route and commodity, with that
    event's own uncertainty. Before deliveries have started (by ``day``), the start is some
    day after ``day``, no earlier than planned: an open span. ``None`` for any other
    agreement, or when deliveries on the route certainly began before the contract was signed
    (its own start is not recorded; where they may have, :func:`expiry` weighs both), or when
    the log holds levels on the route but not its opening:
    the term then counts from its planned start or entry into force.
    """
    if not may_anchor(row):
        return None
    found = supply.get((row.route, row.commodity))  # type: ignore[arg-type]  # may_anchor: both set
    if found is None:
        planned = row.start or row.signed
        return max(planned[0], day + 1), MAX_ORDINAL
    if found.since is not None and found.since[1] >= row.signed[0]:
        return found.since  # deliveries possibly began after the signature (if not certainly: see expiry)
    return None


_add_years: Callable[[int, Any], int] = functools.lru_cache(maxsize=1 << 16)(add_years)
""":func:`~eurasia_events.dates.add_years`, remembered: every status of every agreement asks it."""


def expiry(row: AgreementState, day: int, anchor: Span | None = None) -> tuple[Span | None, Span | None]:
    """When the agreement expires, by what is known on ``day``: ``(counted, possible)``.

    ``counted`` counts every extension possibly made by ``day``; ``possible`` also leaves out,
    one by one, those not certainly made. Extensions apply in the order of their dates, and
    where their dates leave that order open, in every order they allow: the last new end date
    stands, lengthened by the extensions that come after it. Each is one span, from the
    earliest expiry those readings give to the latest (``None``: no term, nothing sets one;
    an end at :data:`MAX_ORDINAL`: possibly never). ``anchor`` is what the term runs from when
    it is an event of its own (see :func:`term_anchor`).
    """
    if row.term is None:
        base = None
    else:
        origin = {"signature": row.signed, "entry_into_force": row.in_force, "start": row.start or row.in_force}
        start = anchor or origin.get(row.term_from) or row.in_force or row.signed
        base = (_add_years(start[0], row.term), _add_years(start[1], row.term))
    counted, possible = _expiries(base, row.extensions, day)
    if anchor is not None and anchor[1] != MAX_ORDINAL and anchor[0] < row.signed[1]:
        # The deliveries may have begun before the signature: the term then runs from the
        # planned start (or entry into force), as when the contract's own start is not recorded.
        _, other = expiry(row, day)
        # A term: every reading has an expiry.
        assert possible is not None
        assert other is not None
        possible = min(possible[0], other[0]), max(possible[1], other[1])
    return counted, possible


def measure_until(row: MeasureState, day: int) -> tuple[Span | None, Span | None]:
    """A sanctions measure's last day in force, by what is known on ``day``: ``(counted,
    possible)`` as :func:`expiry` reads an agreement's, its renewals in place of extensions
    (``None``: no end date; an end at :data:`MAX_ORDINAL`: possibly none)."""
    if not row.renewals:
        return row.until, row.until
    counted, possible = _expiries(row.until, [(span, None, until) for span, until in row.renewals], day)
    return (None if counted == NEVER else counted), (None if possible == NEVER else possible)


def _expiries(base: Span | None, extensions: Iterable[tuple[Span, Any, Span | None]], day: int
              ) -> tuple[Span | None, Span | None]:
    """``(counted, possible)`` expiries from ``base`` and the extensions possibly made by ``day``."""
    made = [(span, years, until, reached(span, day)) for span, years, until in extensions]
    made = [item for item in made if item[3] is not False]
    if not made:
        return base, base
    if all(seen for *_, seen in made) and all(made[i][0][1] < made[i + 1][0][0] for i in range(len(made) - 1)):
        counted = _extended(base, made)  # one order, every extension certain: the common case
        return counted, counted
    return _expiry_range(base, made, day, optional=False), _expiry_range(base, made, day, optional=True)


def _extended(base: Span | None, extensions: Iterable[tuple[Span, Any, Span | None, Any]]) -> Span | None:
    """``base`` as the extensions, applied in this order, leave it."""
    for _, years, until, _ in extensions:
        if until is not None:
            base = until
        elif base is not None and years is not None:
            base = (_add_years(base[0], years), _add_years(base[1], years))
    return base


def _expiry_range(base: Span | None, made: list[tuple[Span, Any, Span | None, bool | None]], day: int, *,
                  optional: bool) -> Span | None:
    """The span from the earliest to the latest expiry the extensions ``made`` (possibly, by
    ``day``) allow in any order their dates allow; with ``optional``, those not certainly made
    may also be left out.

    The expiry is the new end date set last (``base`` if none), lengthened by the extensions
    by a term that come after it. For each candidate: the latest expiry places it as early as
    it can come (after every new end date certainly made) with every term extension that may
    come after it; the earliest places it as late as it can come, with only the term extensions
    that must come after it. On one same day, either order.
    """
    def sure(item: tuple[Any, ...]) -> bool:
        return not optional or item[3] is True

    ends = [item for item in made if item[2] is not None]
    terms = [item for item in made if item[2] is None]
    readings: list[tuple[Span | None, list[Any], list[Any]]] = []
    if not any(sure(item) for item in ends):  # no new end date made: the term, lengthened
        readings.append((base, [item for item in terms if sure(item)], terms))
    for end in ends:
        others = [item[0][0] for item in ends if item is not end and sure(item)]
        latest = min(end[0][1], day)
        if any(first > latest for first in others):
            continue  # a new end date certainly made must come after it: never the last
        earliest = max([end[0][0], *others])
        must = [item for item in terms if sure(item) and item[0][0] > latest]
        may = [item for item in terms if min(item[0][1], day) >= earliest]
        readings.append((end[2], must, may))
    found = [(_extended(start, must), _extended(start, may)) for start, must, may in readings if start is not None]
    if not found:
        return None  # no term, and no new end date made
    low = min(earliest[0] for earliest, _ in found if earliest is not None)
    high = max(latest[1] for _, latest in found if latest is not None)
    if len(found) < len(readings):
        high = MAX_ORDINAL  # a reading with no end date: possibly never expires
    return low, high


def _milestones(row: AgreementState, until: Span | None) -> tuple[list[tuple[str, Span]], list[tuple[str, Span]]]:
    """The agreement's milestones to its entry into force and its terminal ones (ended,
    superseded, expired on ``until``)."""
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
    return milestones, terminal


AGREEMENT_STEPS: Final = ("not yet signed", "signed", "in force")
MEASURE_STEPS: Final = ("not yet adopted", "adopted", "in force")


def furthest(first: str, second: str, steps: Sequence[str]) -> str:
    """Of the statuses two readings reach, the later along ``steps`` (an end comes after every
    step; of two ends, the first given stands).

    >>> furthest("in force", "lifted", MEASURE_STEPS), furthest("expired", "terminated", AGREEMENT_STEPS)
    ('lifted', 'expired')
    """
    def rank(status: str) -> int:
        return steps.index(status) if status in steps else len(steps)

    return second if rank(second) > rank(first) else first


def walk(milestones: list[tuple[str, Span]], terminal: list[tuple[str, Span]], day: int, before: str) -> str:
    """The last milestone possibly reached by ``day`` (``before`` if none), the terminal
    milestone that may begin first counted."""
    if terminal:
        milestones = [*milestones, min(terminal, key=lambda item: item[1][0])]
    status = before
    for name, span in milestones:
        if reached(span, day) is False:
            break
        status = name
    return status


def add_possible(milestones: list[tuple[str, Span]], terminal: list[tuple[str, Span]], day: int,
                 found: set[str], before: str, *, joined: bool = False) -> list[Span]:
    """Add to ``found`` every status the milestones leave possible on ``day``: in each order
    their dates allow. Returns the terminal spans as cut (for :func:`steady`).

    ``joined``: the first two milestones are one event (in force on signature), never reached
    one without the other. Two events on the same partial days may be reached one by one.

    Of the terminal milestones, any that may come first ends the line: its days cut at the
    last day another may come on (it came before that one; on the same day, the one listed
    first counts). A treaty expiring on 1 March 2015 and terminated some day of 2015 is, in
    June 2015, terminated or expired, not in force.
    """
    orders = [[*milestones, *terminal]]
    if len(terminal) > 1:
        orders = []
        for at, (name, span) in enumerate(terminal):
            last = min(other[1] - (index < at) for index, (_, other) in enumerate(terminal) if index != at)
            if span[0] <= last:
                orders.append([*milestones, (name, (span[0], min(span[1], last)))])
    for order in orders:
        if reached(order[0][1], day) is not True:
            found.add(before)
        for index, (name, span) in enumerate(order):
            if reached(span, day) is False:
                break
            later = order[index + 1] if index + 1 < len(order) else None
            if joined and index == 0 and later is not None and later[1] == span and len(milestones) > 1:
                continue  # reached together: one event
            if later is None or reached(later[1], day) is not True:
                found.add(name)
    return [order[-1][1] for order in orders]


def switched_on(changes: Iterable[tuple[str, Span]], day: int, on: str) -> tuple[bool, bool, Span | None]:
    """Whether a state that dated changes switch on (``on``) and off is possibly, and
    certainly, on by ``day``, in any order their dates allow; and the days of a change that may
    have switched it on last (``None`` if none).

    A change may be the last by the day when it can fall on a day no earlier than every
    change of the other kind certainly made by then (the same day: either order).
    """
    made = [(kind, span) for kind, span in changes if span[0] <= day]
    ons = [span for kind, span in made if kind == on]
    offs = [span for kind, span in made if kind != on]

    def last(candidates: list[Span], rivals: list[Span]) -> list[Span]:
        floor = max((span[0] for span in rivals if span[1] <= day), default=MIN_ORDINAL)
        return [span for span in candidates if max(span[0], floor) <= min(span[1], day)]

    witnesses = last(ons, offs)
    certainly = any(span[1] <= day for span in ons) and not last(offs, ons)
    return bool(witnesses), certainly, max(witnesses) if witnesses else None


def agreement_status(row: AgreementState, day: int, anchor: Span | None = None) -> tuple[str, bool, Span | None]:
    """Status on ``day`` (signed, in force, expired, terminated, superseded...), whether
    certain, and the expiry counted (see :func:`agreement_facts`)."""
    return agreement_facts(row, day, anchor)[0]


def agreement_facts(row: AgreementState, day: int, anchor: Span | None = None
                    ) -> tuple[tuple[str, bool, Span | None], frozenset[str], tuple[int, int]]:
    """``((status, certain, expiry), possible statuses, (lo, hi))`` on ``day``, the milestones
    read once; the answer holds on the days ``lo <= d < hi`` (see :func:`steady`).

    The status is the last milestone possibly reached by the day, every extension possibly
    made counted, in the furthest reading of the records that may stand (two entries into
    force or ends in an open order); the expiry spans the one counted from each. It is
    certain only when it is the one status the agreement may have: a ten-year treaty
    extended on a date that may come after its tenth year is possibly expired, not certainly
    in force, and once expired with or without the extension it is certainly expired.
    """
    expires, may_expire = expiry(row, day, anchor)
    milestones, terminal = _milestones(row, expires)
    status = walk(milestones, terminal, day, "not yet signed")
    found: set[str] = set()
    # Every span read: the expiries move only where an extension's reached() does, or where a
    # day passes an extension's first day (what may come after what), so they hold as long.
    spans: list[Span | None] = [row.signed, row.in_force, row.ended and row.ended[0],
                                row.superseded_by and row.superseded_by[0], expires, may_expire]
    spans.extend(span for span, _, _ in row.extensions)
    if may_expire != expires:
        milestones, terminal = _milestones(row, may_expire)
    spans.extend(add_possible(milestones, terminal, day, found, "not yet signed", joined=row.in_force_on_signature))
    shown = [expires]  # the expiry counted from each entry into force that may stand
    if len(row.entries) > 1 or len(row.endings) > 1:
        # Two ends, or two entries into force, recorded: the last made by the day stands, and
        # which that is the dates may leave open: each that may be is weighed, with each of the
        # other kind (one of each is the row itself, weighed above).
        entries: list[Span | None] = [*standing_entries(row, day)]
        endings: list[tuple[Span, str] | None] = [*may_be_last(row.endings, day)]
        endings = endings or [row.ended]
        spans.extend(row.entries)
        spans.extend(span for span, _ in row.endings)
        for in_force in entries:
            counted, other_expires = expiry(row._replace(in_force=in_force), day, anchor) \
                if in_force != row.in_force else (expires, may_expire)
            shown.append(counted)
            for ended in endings:
                if (in_force, ended) == (row.in_force, row.ended):
                    continue  # weighed above
                other = row._replace(in_force=in_force, ended=ended)
                status = furthest(status, walk(*_milestones(other, counted), day, "not yet signed"), AGREEMENT_STEPS)
                spans.append(other_expires)
                milestones, terminal = _milestones(other, other_expires)
                spans.extend(add_possible(milestones, terminal, day, found, "not yet signed",
                                          joined=row.in_force_on_signature))
    possible = frozenset(found)
    return (status, possible == {status}, hull(shown)), possible, steady(spans, day)


def standing_entries(row: AgreementState, day: int) -> list[Span | None]:
    """The agreement's entries into force that may be the one standing on ``day`` (see
    :func:`may_be_last`): ``[row.in_force]`` unless two or more are recorded."""
    if len(row.entries) < 2:
        return [row.in_force]
    return [span for span, _ in may_be_last([(span, None) for span in row.entries], day)] or [row.in_force]


def shown_in_force(row: AgreementState, day: int) -> Span | None:
    """The days the agreement entered into force, as a row shows them on ``day``: from the
    earliest to the latest day of each entry into force that may be the one standing."""
    return hull(standing_entries(row, day))


def hull(spans: Iterable[Span | None]) -> Span | None:
    """The days from the earliest start to the latest end of the spans (``None`` items are left
    out; ``None`` if nothing is left).

    >>> hull([(10, 20), None, (5, 12)])
    (5, 20)
    """
    found = [span for span in spans if span is not None]
    return (min(lo for lo, _ in found), max(hi for _, hi in found)) if found else None


def certainly_after(later: Span, earlier: Span, *, tie: bool) -> bool:
    """Whether ``later`` certainly comes after ``earlier``: it starts after ``earlier`` ends or,
    both being one same single day, ``tie`` says so (the rule that orders such a pair: fold
    order, stage rank, the greater id).

    >>> certainly_after((5, 9), (1, 4), tie=False), certainly_after((4, 9), (1, 4), tie=True)
    (True, False)
    >>> certainly_after((3, 3), (3, 3), tie=True), certainly_after((3, 3), (3, 3), tie=False)
    (True, False)
    """
    return later[0] > earlier[1] or (tie and later[0] == later[1] == earlier[0] == earlier[1])


def may_be_last(items: Sequence[tuple[Span, T]], day: int) -> list[tuple[Span, T]]:
    """The items (records of one fact, in fold order) that may be the last made by ``day``: no
    other certainly made by then certainly comes after it (later days, or on one same single
    day, later in fold order). One that certainly comes after but may not be made yet leaves
    the earlier standing until it is.

    >>> may_be_last([((3, 3), "first"), ((3, 3), "second"), ((1, 2), "before")], 10)
    [((3, 3), 'second')]
    >>> may_be_last([((3, 3), "first"), ((5, 20), "maybe later")], 10)
    [((3, 3), 'first'), ((5, 20), 'maybe later')]
    """
    return [item for i, item in enumerate(items)
            if not any(other[0][1] <= day and certainly_after(other[0], item[0], tie=j > i)
                       for j, other in enumerate(items) if j != i)]


_FAR: Final = 1 << 62  # beyond every day


def steady(spans: Iterable[Span | None], day: int) -> tuple[int, int]:
    """The days ``lo <= d < hi`` around ``day`` on which :func:`reached` answers as on ``day``
    for every span (``None`` items are skipped): it changes only on a span's first and last day.

    >>> steady([(10, 20), (30, 30)], 25)
    (20, 30)
    """
    lo, hi = -_FAR, _FAR
    for span in spans:
        if span is None:
            continue
        # Compared here, not with max() and min(): a project's thousands of stages pass through.
        for edge in span:
            if edge <= day:
                if edge > lo:
                    lo = edge
            elif edge < hi:
                hi = edge
    return lo, hi


def may_anchor(row: AgreementState) -> bool:
    """Whether :func:`term_anchor` may give the agreement an anchor (on some day, with some supply)."""
    return not (row.term is None or row.kind != "supply_contract" or row.term_from != "start"
                or not row.names_start or row.route is None or row.commodity is None)
