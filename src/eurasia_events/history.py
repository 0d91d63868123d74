"""Time ranges and histories: what happened between two days, since a day, and to one thing.

:func:`between` and :func:`since` list the events whose dates fall, or may fall, in a range
of days, each with ``inside``: ``"yes"`` when every possible day of the event is in the
range, ``"maybe"`` when only some are (a partial, qualified, disputed or open date that
straddles an end). Events certainly outside are left out, so ``"no"`` never shows.

:func:`history` lists every event touching an entity (as a party or in any entity field;
names and aliases resolve), an agreement, a measure or a project, with the state change
each made and when it was recorded, in valid-time order; given an event id, it lists the
records of that event and of its amendments, as ``Log.history`` always did.

Everything here reads the log through its public methods (``sketches``, ``get``,
``records_until``, ``as_of``); :class:`~eurasia_events.log.Log` delegates to it.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs

from .dates import MAX_ORDINAL, MIN_ORDINAL, DayLike, Instant, InstantLike, PartialDate, query_period, to_instant
from .errors import InvalidDateError, UnknownEntityError, UnknownEventError
from .events import (
    AgreementEnded,
    AgreementEvent,
    AgreementExtended,
    AgreementRelated,
    Correction,
    DealClosed,
    EnteredIntoForce,
    Event,
    Investment,
    Loan,
    MembershipJoined,
    MembershipLeft,
    PolicyMeasure,
    ProjectMilestone,
    Ratified,
    Record,
    Retraction,
    SanctionsDelisted,
    SanctionsExtended,
    SanctionsImposed,
    SanctionsLifted,
    SupplyLevel,
    SupplyStarted,
    TradeStatistic,
)
from .views import View, fields_of

if TYPE_CHECKING:
    from .log import Log

__all__ = ["HistoryRow", "RangeRow", "between", "history", "since"]

_DAY: Final = 1  # one day, in ordinals
_LONG: Final = 60  # characters of a changed value shown in a history row


@attrs.frozen(kw_only=True)
class RangeRow:
    """An event whose date falls, or may fall, in a range of days."""

    date: str
    """The event's date as given (EDTF)."""
    inside: str
    """``yes``: every possible day of the event is in the range; ``maybe``: only some are
    (events certainly outside are not listed)."""
    type: str
    id: str
    title: str
    parties: tuple[str, ...]
    status: str
    """``happened``, ``planned`` or ``unconfirmed``."""
    recorded: Instant
    """When the event's record entered the log (a later correction keeps this instant)."""

    @property
    def certain(self) -> bool:
        """Whether the event certainly falls in the range (``inside == "yes"``)."""
        return self.inside == "yes"


@attrs.frozen(kw_only=True)
class HistoryRow:
    """One step in the history of an entity, agreement, measure, project or event."""

    date: str
    """The valid date (EDTF): the event's as known, an amendment's target's, or the day a term ends."""
    type: str
    """The event type, ``correction`` or ``retraction``, or ``term_end`` for an expiry that
    follows from an agreement's term (no record states it)."""
    id: str
    """The event's or amendment's id (empty for ``term_end``)."""
    title: str
    change: str
    """The state change it made (``treaty-x: in force [signed -> in force until 2022-02-28]``),
    the fields a correction changed, or why an event was retracted."""
    recorded: Instant | None
    """When its record entered the log (``None`` for ``term_end``)."""
    record: Record | None = attrs.field(default=None, eq=False, repr=False)
    """The record itself (not a column): a row of an event id's history stands for a record."""

    @property
    def event(self) -> Any:
        """The record's event or amendment, as recorded (as ``Record.event``)."""
        return self._record().event

    @property
    def seq(self) -> int:
        """The record's sequence number."""
        return self._record().seq

    def _record(self) -> Record:
        if self.record is None:
            raise AttributeError(f"the {self.type} row of {self.title!r} stands for no record")
        return self.record


def _fields(cls: type) -> tuple[str, ...]:
    """The columns of a row class: its fields but the record an event-id history keeps."""
    return tuple(name for name in fields_of(cls) if name != "record")


def _known(known_at: InstantLike | None) -> str:
    return "" if known_at is None else f" (as known at {to_instant(known_at)})"


# -- ranges -------------------------------------------------------------------------------


def between(log: Log, start: DayLike, end: DayLike, *, known_at: InstantLike | None = None) -> View[RangeRow]:
    """Events whose dates fall, or may fall, from ``start`` to ``end`` (both included).

    A month or a year stands for all its days (``between("2015", "2015")`` is all of 2015).
    Each row's ``inside`` is ``yes`` or ``maybe``; ``view.count`` gives both counts.

    >>> from eurasia_events import load
    >>> view = load().between("2019-12-01", "2019-12-31")
    >>> [(row.id, row.inside) for row in view if row.type == "supply_started"]
    [('2019-12-02-power-of-siberia-first-gas', 'yes')]
    """
    first, last = query_period(start)[0], query_period(end)[1]
    if last < first:
        raise InvalidDateError(f"the range ends ({last}) before it starts ({first})")
    rows = _in_range(log, first.toordinal(), last.toordinal(), known_at)
    return View("between", rows, _fields(RangeRow), title=f"Events from {first} to {last}{_known(known_at)}")


def since(log: Log, day: DayLike, *, known_at: InstantLike | None = None) -> View[RangeRow]:
    """Events whose dates fall, or may fall, on or after ``day`` (a month or a year: its first day).

    >>> from eurasia_events import load
    >>> [row.inside for row in load().since("2026-02") if row.type == "agreement_extended"]
    ['yes']
    """
    first = query_period(day)[0]
    rows = _in_range(log, first.toordinal(), MAX_ORDINAL, known_at)
    return View("since", rows, _fields(RangeRow), title=f"Events since {first}{_known(known_at)}")


def _in_range(log: Log, lo: int, hi: int, known_at: InstantLike | None) -> tuple[RangeRow, ...]:
    rows = []
    for sketch in log.sketches(known_at):
        first, last = sketch.span  # the possible days, widened by disputed dates
        if last < lo or first > hi:
            continue
        inside = "yes" if lo <= first and last <= hi else "maybe"
        rows.append(RangeRow(date=str(sketch.date), inside=inside, type=sketch.TYPE, id=sketch.id,
                             title=sketch.title, parties=tuple(sketch.parties), status=sketch.status.value,
                             recorded=log[sketch.seq - 1].recorded))
    return tuple(rows)


# -- histories ----------------------------------------------------------------------------

# Fields holding a slug (not an entity) that an event shares with its agreement, measure or deal.
_SLUG_FIELDS: Final = ("agreement", "earlier", "supersedes", "measure", "deal", "subject")


def history(log: Log, name: str, *, known_at: InstantLike | None = None) -> View[HistoryRow]:
    """Every event touching ``name`` and every state change it made, in valid-time order.

    ``name`` is, first, an event id: the rows are then that event's record and the records
    of its corrections and retraction, in log order. Otherwise, it is an agreement, measure
    or deal slug, or an entity (id, name or alias): the rows are every event naming it (as
    a party, in any entity field, or as its agreement, measure or subject), each with the
    corrections and retraction of it, and for an agreement or a measure the status before
    and after each event, from the agreements and sanctions views; an agreement whose term
    runs out gets a ``term_end`` row. Only records made by ``known_at`` count.

    Raises:
        UnknownEventError: nothing in the log has that name; the message lists the closest.

    >>> from eurasia_events import load
    >>> rows = load().history("treaty-good-neighbourliness-2001")
    >>> [(row.date, row.type) for row in rows][:2]
    [('2001-07-16', 'treaty_signed'), ('2001-10-27', 'ratified')]
    """
    limit = None if known_at is None else to_instant(known_at)
    records = log.records_until(limit)
    first: dict[str, Record] = {}
    amendments: dict[str, list[Record]] = {}
    for record in records:
        event = record.event
        if isinstance(event, (Correction, Retraction)):
            amendments.setdefault(event.target, []).append(record)
        else:
            first[event.id] = record
    if name in first:
        rows = [_event_row(log, first[name], amendments.get(name, []), limit, None)]
        rows += _amendment_rows(log, first[name], amendments.get(name, []))
        return View("history", tuple(rows), _fields(HistoryRow), title=f"History of event {name}{_known(known_at)}")
    entity = _entity(log, name)
    slug = name.strip()
    matched = [record for record in first.values()
               if _touches(_as_event(record), slug, entity) or any(
                   _touches(_version(log, record, a, limit), slug, entity) for a in amendments.get(record.event.id, ())
                   if isinstance(a.event, Correction))]
    if not matched:
        raise UnknownEventError(_unknown_message(log, name, first, amendments))
    status_of = _status_reader(log, slug, matched, limit)
    keyed: list[tuple[tuple[int, int, int], HistoryRow]] = []
    for record in matched:
        own = amendments.get(record.event.id, [])
        row = _event_row(log, record, own, limit, status_of)
        lo = _date_lo(row.date)
        keyed.append(((lo, record.seq, 0), row))
        keyed.extend(((lo, record.seq, a.seq), a_row)
                     for a, a_row in zip(own, _amendment_rows(log, record, own), strict=True))
    if status_of is not None:
        keyed.extend(((_date_lo(row.date), MAX_ORDINAL, 0), row) for row in _term_ends(log, slug, keyed, limit))
    keyed.sort(key=lambda pair: pair[0])
    what = slug if entity is None or entity.lower() == slug.lower() else f"{slug} ({entity})"
    return View("history", tuple(row for _, row in keyed), _fields(HistoryRow),
                title=f"History of {what}{_known(known_at)}")


def _entity(log: Log, name: str) -> str | None:
    try:
        return log.entities.resolve(name).id
    except UnknownEntityError:
        return None


def _as_event(record: Record) -> Event:
    assert isinstance(record.event, Event)
    return record.event


def _touches(event: Event | None, slug: str, entity: str | None) -> bool:
    if event is None:
        return False
    if entity is not None and any(e == entity for _, e in event.entity_refs()):
        return True
    for field in _SLUG_FIELDS:
        value = getattr(event, field, None)
        if value == slug or (isinstance(value, tuple) and slug in value):
            return True
    return False


def _version(log: Log, record: Record, amendment: Record, limit: Instant | None) -> Event | None:
    """The event as it stood once ``amendment`` was recorded (``None`` once retracted)."""
    if isinstance(amendment.event, Retraction):
        return None
    at = amendment.recorded if limit is None or amendment.recorded < limit else limit
    try:
        return log.get(record.event.id, known_at=at)
    except UnknownEventError:
        return None


def _current(log: Log, record: Record, own: list[Record], limit: Instant | None) -> tuple[Event, str]:
    """The event as known at ``limit`` (or, if retracted by then, just before), and a note."""
    retraction = next((a for a in own if isinstance(a.event, Retraction)), None)
    if retraction is None:
        return log.get(record.event.id, known_at=limit), ""
    before = Instant(retraction.recorded.micros - 1)
    assert isinstance(retraction.event, Retraction)
    return log.get(record.event.id, known_at=before), f" (retracted: {retraction.event.reason})"


def _event_row(log: Log, record: Record, own: list[Record], limit: Instant | None,
               status_of: Callable[[Event], str] | None) -> HistoryRow:
    event, note = _current(log, record, own, limit)
    change = describe(event)
    if status_of is not None and not note:
        moved = status_of(event)
        change = f"{change} [{moved}]" if change and moved else change or moved
    return HistoryRow(date=str(event.date), type=event.TYPE, id=event.id, title=event.title,
                      change=(change + note).strip(), recorded=record.recorded, record=record)


def _amendment_rows(log: Log, record: Record, own: list[Record]) -> list[HistoryRow]:
    """One row per correction or retraction of an event, dated as the event it amends."""
    rows = []
    previous = _as_event(record)
    for amendment in own:
        fix = amendment.event
        if isinstance(fix, Correction):
            after = log.get(previous.id, known_at=amendment.recorded)
            changed = [_changed(field, previous, after) for field, _value in fix.changes]
            change = "; ".join(changed) + f" ({fix.reason})"
            date = str(after.date)
            previous = after
        else:
            assert isinstance(fix, Retraction)
            change, date = f"retracted: {fix.reason}", str(previous.date)
        rows.append(HistoryRow(date=date, type=fix.TYPE, id=fix.id, title=previous.title, change=change,
                               recorded=amendment.recorded, record=amendment))
    return rows


def _date_lo(text: str) -> int:
    return PartialDate.parse(text).earliest_ordinal


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return ", ".join(_text(v) for v in value) or "none"
    text = str(value.value if isinstance(value, enum.Enum) else value)
    return text if len(text) <= _LONG else text[: _LONG - 3] + "..."


def _changed(field: str, before: Event, after: Event) -> str:
    """One field a correction changed; long text (sources, notes) by name only."""
    if field in ("sources", "notes", "disputes"):
        return f"{field} revised"
    return f"{field}: {_text(getattr(before, field, None))} -> {_text(getattr(after, field, None))}"


def _unknown_message(log: Log, name: str, first: dict[str, Record], amendments: dict[str, list[Record]]) -> str:
    names: set[str] = set(first) | set(amendments)
    for record in first.values():
        for field in _SLUG_FIELDS:
            value = getattr(record.event, field, None)
            if isinstance(value, str):
                names.add(value)
            elif isinstance(value, tuple):
                names.update(value)
    close = difflib.get_close_matches(name.strip().lower(), sorted(names), n=3, cutoff=0.6)
    close += log.entities.closest(name)
    hint = f"; closest: {', '.join(close[:5])}" if close else ""
    return f"no event, agreement, measure or entity named {name!r} in the log{hint}"


# -- status before and after each event, from the views -----------------------------------


def _status_reader(log: Log, slug: str, matched: Iterable[Record],
                   limit: Instant | None) -> Callable[[Event], str] | None:
    """For an agreement or measure slug: a function giving ``before -> after`` for an event."""
    kinds = {"agreement" if getattr(r.event, "agreement", None) == slug else
             "measure" if getattr(r.event, "measure", None) == slug else "" for r in matched}
    if "agreement" in kinds:
        def brief(day: int) -> str:
            return _agreement_brief(log, slug, day, limit)
        field = "agreement"
    elif "measure" in kinds:
        def brief(day: int) -> str:
            return _measure_brief(log, slug, day, limit)
        field = "measure"
    else:
        return None

    def moved(event: Event) -> str:
        if getattr(event, field, None) != slug:
            return ""
        lo, hi = event.span
        before = brief(lo - _DAY) if lo - _DAY > MIN_ORDINAL else "none"
        after = brief(hi) if hi < MAX_ORDINAL else before
        return "" if before == after else f"{before} -> {after}"

    return moved


def _day(ordinal: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(ordinal).isoformat()


def _agreement_brief(log: Log, slug: str, day: int, limit: Instant | None) -> str:
    found = log.as_of(_day(day), known_at=limit).agreements().find(agreement=slug)
    if not found:
        return "none"
    row = found[0]
    until = f" until {row.in_force_until}" if row.in_force_until and row.status in ("signed", "in force") else ""
    return f"{row.status}{until}" + ("" if row.certain else "?")


def _measure_brief(log: Log, slug: str, day: int, limit: Instant | None) -> str:
    state = log.as_of(_day(day), known_at=limit)
    found = state.sanctions(in_force_only=False).find(measure=slug) or state.policies().find(measure=slug)
    if not found:
        return "none"
    row = found[0]
    until = f" until {row.until}" if row.until and row.status != "lifted" else ""
    return f"{row.status}{until}" + ("" if row.certain else "?")


def _term_ends(log: Log, slug: str, keyed: list[tuple[tuple[int, int, int], HistoryRow]],
               limit: Instant | None) -> list[HistoryRow]:
    """A ``term_end`` row for each day an agreement's term ran out with nothing extending it."""
    ends: set[str] = set()
    for _key, row in keyed:
        if row.type in ("correction", "retraction"):
            continue
        for day in (_date_lo(row.date), PartialDate.parse(row.date).latest_ordinal):
            if MIN_ORDINAL < day < MAX_ORDINAL:
                found = log.as_of(_day(day), known_at=limit).agreements().find(agreement=slug)
                if found and found[0].in_force_until and found[0].status == "in force":
                    ends.add(found[0].in_force_until)
    rows = []
    for end in sorted(ends):
        # An expiry is a day or a span of possible days ("2048-01-01..2048-12-31"); an open
        # span ("2048-01-01..": the anchor has not happened yet) has no last day to look past.
        last = end.rpartition("..")[2] if ".." in end else end
        if not last:
            continue
        after = query_period(last)[1].toordinal() + _DAY
        found = log.as_of(_day(after), known_at=limit).agreements().find(agreement=slug)
        if found and found[0].status == "expired":
            rows.append(HistoryRow(date=end, type="term_end", id="", title=f"{slug}: its term ends",
                                   change=f"in force until {end} -> expired" + ("" if found[0].certain else "?"),
                                   recorded=None))
    return rows


# -- what an event changes, per type ------------------------------------------------------


def _opt(label: str, value: Any) -> str:
    return "" if value is None or value == () else f", {label} {_text(value)}"


def _agreement_signed(e: Any) -> str:
    volume = f", {e.annual_volume} of {e.commodity}" if getattr(e, "annual_volume", None) else ""
    return (f"{e.agreement}: signed" + (" and in force" if e.in_force_on_signature else "")
            + _opt("term", e.term) + volume + _opt("supersedes", e.supersedes))


_DESCRIBE: Final[dict[type, Callable[[Any], str]]] = {
    EnteredIntoForce: lambda e: f"{e.agreement}: in force",
    AgreementExtended: lambda e: f"{e.agreement}: extended" + _opt("by", e.term) + _opt("until", e.until),
    AgreementEnded: lambda e: f"{e.agreement}: {e.reason}",
    AgreementRelated: lambda e: f"{e.agreement} {e.relation} {e.earlier}" + _opt("part", e.part),
    Ratified: lambda e: f"{e.agreement}: ratified by {e.party} ({e.body})",
    MembershipJoined: lambda e: f"{e.organisation}: {e.member} joins",
    MembershipLeft: lambda e: f"{e.organisation}: {e.member} leaves",
    SanctionsImposed: lambda e: (f"{e.measure}: adopted by {e.imposer}" + _opt("effective", e.effective)
                                 + _opt("until", e.until) + _opt("targets", e.targets)),
    SanctionsExtended: lambda e: (f"{e.measure}: extended" + _opt("effective", e.effective)
                                  + _opt("until", e.until) + _opt("adds targets", e.targets)),
    SanctionsLifted: lambda e: f"{e.measure}: lifted" + _opt("effective", e.effective),
    SanctionsDelisted: lambda e: f"{e.measure}: delists {_text(e.targets)}" + _opt("effective", e.effective),
    PolicyMeasure: lambda e: (f"{e.measure}: {e.imposer} for {e.beneficiary}" + _opt("effective", e.effective)
                              + _opt("until", e.until)),
    ProjectMilestone: lambda e: f"{e.project}: {e.stage.replace('_', ' ')}" + _opt("capacity", e.capacity),
    SupplyStarted: lambda e: f"{e.route}: deliveries start" + _opt("capacity", e.capacity),
    SupplyLevel: lambda e: f"{e.route}: {e.stage.replace('_', ' ')}" + _opt("level", e.level),
    Loan: lambda e: f"{e.lender} lends {e.amount} to {e.borrower}" + _opt("for", e.project),
    Investment: lambda e: (f"{e.investor} invests in {e.project}" + _opt("stake", e.stake)
                           + _opt("amount", e.amount)),
    DealClosed: lambda e: f"{e.deal}: closed" + _opt("amount", e.amount),
    TradeStatistic: lambda e: f"{e.flow} {e.period}: {e.value}" + _opt("change", e.change),
}


def describe(event: Event) -> str:
    """The state change an event makes, in words (empty for a meeting, a statement, an announcement).

    >>> import eurasia_events as ee
    >>> cite = [{"source": "seed-004", "quote": "q"}]
    >>> describe(ee.MembershipJoined(id="j", date="2015-01-02", title="t", sources=cite,
    ...                              organisation="eaeu", member="AM"))
    'eaeu: AM joins'
    """
    if isinstance(event, AgreementEvent):
        return _agreement_signed(event)
    for cls in type(event).__mro__:
        if cls in _DESCRIBE:
            return _DESCRIBE[cls](event)
    return ""
