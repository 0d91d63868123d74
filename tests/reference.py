"""An independent reference model of the built-in views (issue 13).

Computes every view of ``log.as_of(day, known_at=...)`` straight from the full event
objects, by the definitions in docs/concepts.md, docs/views.md, docs/queries.md,
curation/FORMAT.md and the view docstrings. It shares no fold, handler, checkpoint,
correction or view code with the library: from ``eurasia_events`` it takes only the event
classes, the value types (``PartialDate``, ``Quantity``) and the entity registry. It is
slow on purpose: plain loops over the events of each key, no caching.

Rows are plain dicts with the view's row fields; totals are ``(certain, possible)`` pairs.

Where the documents are silent the rule was read from the library's code and written here
again (each such place says so); dates are day ordinals, a span is ``(earliest, latest)``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from eurasia_events import (
    AgreementEnded,
    AgreementExtended,
    AgreementRelated,
    Announcement,
    CodedInteraction,
    Correction,
    DealClosed,
    EnteredIntoForce,
    EntityKind,
    EntityRegistry,
    Event,
    Forum,
    Investment,
    JointStatement,
    Loan,
    Meeting,
    MembershipJoined,
    MembershipLeft,
    Memorandum,
    PartialDate,
    PolicyMeasure,
    ProjectMilestone,
    Quantity,
    Ratified,
    Retraction,
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
from eurasia_events.quantities import UNITS

FIRST_DAY = dt.date.min.toordinal()
LAST_DAY = dt.date.max.toordinal()
NEVER = (LAST_DAY, LAST_DAY)
STEP_RANK = {"not yet signed": 0, "not yet adopted": 0, "signed": 1, "adopted": 1, "in force": 2}
"""How far along a status is: every end (expired, lifted, terminated...) after "in force"."""
PAST = {"restates": "restated", "implements": "implemented"}
SIGNINGS = (TreatySigned, JointStatement, Memorandum, SupplyContract)
NO_EFFECT = (Statement, CodedInteraction)
"""Types no view reads (docs/event-types.md): a statement is a claim, not a change of state; a
coded interaction is a dataset's record of contact (the timeline and the interaction counts
show it). The reference drops them before computing anything."""

# --- what is known at an instant ---------------------------------------------------------


def known_events(records: list[Any], known_at: Any = None) -> list[tuple[Event, int]]:
    """The events (with their record's seq) as the log stood at ``known_at`` (an Instant or
    None for everything): each record recorded at or before it taken in log order; a
    correction replaces the named fields of its target from then on; a retraction removes it.
    Returned in fold order: earliest possible day (widened by disputed dates), then seq."""
    limit = None if known_at is None else known_at.micros
    current: dict[str, tuple[Event, int]] = {}
    for record in records:
        if limit is not None and record.recorded.micros > limit:
            continue
        item = record.event
        if isinstance(item, Correction):
            if item.target in current:
                event, seq = current[item.target]
                current[item.target] = (attrs.evolve(event, **item.changes_dict()), seq)
        elif isinstance(item, Retraction):
            current.pop(item.target, None)
        else:
            current[item.id] = (item, record.seq)
    return sorted(current.values(), key=lambda pair: (span(pair[0])[0], pair[1]))


# --- days and spans ------------------------------------------------------------------------


def date_span(date: PartialDate | None, fallback: tuple[int, int]) -> tuple[int, int]:
    return fallback if date is None else (date.earliest_ordinal, date.latest_ordinal)


def disputed(event: Event, field: str) -> list[PartialDate]:
    """Dates other sources give for a field; deprecated disputes count for nothing."""
    return [PartialDate.parse(d.value) for d in event.disputes if d.field == field and d.rank != "deprecated"]


def widen(first: tuple[int, int], others: list[PartialDate]) -> tuple[int, int]:
    lo, hi = first
    for other in others:
        lo, hi = min(lo, other.earliest_ordinal), max(hi, other.latest_ordinal)
    return lo, hi


def span(event: Event) -> tuple[int, int]:
    """The event's possible days: its date, widened by the other dates sources give."""
    return widen(date_span(event.date, (0, 0)), disputed(event, "date"))


def field_span(event: Event, name: str, fallback: tuple[int, int]) -> tuple[int, int]:
    """A date field's possible days (``fallback`` when left out), widened by its disputes."""
    return widen(date_span(getattr(event, name), fallback), disputed(event, name))


def by(when: tuple[int, int], day: int) -> bool | None:
    """Did it happen on or before ``day``: True, False or None (uncertain)."""
    lo, hi = when
    if hi <= day:
        return True
    if lo > day:
        return False
    return None


def day_text(ordinal: int) -> str:
    return ".." if ordinal <= FIRST_DAY or ordinal >= LAST_DAY else dt.date.fromordinal(ordinal).isoformat()


def text(when: tuple[int, int]) -> str:
    """``2014-05-21`` for a day, ``2014-05-01..2014-05-31`` for a range, open ends blank."""
    if when[0] == when[1]:
        return day_text(when[0])
    lo, hi = day_text(when[0]), day_text(when[1])
    return f"{'' if lo == '..' else lo}..{'' if hi == '..' else hi}"


def plus_years(ordinal: int, years: Decimal) -> int:
    """The day ``years`` later; a fraction of a year counts as whole months; the day of the
    month is clipped to the month's length; open ends (near the calendar's ends) stay."""
    whole = int(years)
    months = int((years - whole) * 12)
    margin = 366 * (abs(whole) + 1)
    if ordinal >= LAST_DAY - margin or ordinal <= FIRST_DAY + margin:
        return ordinal
    d = dt.date.fromordinal(ordinal)
    year, month = d.year + whole, d.month
    month += months
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    if year > 9999:
        return LAST_DAY
    if year < 1:
        return FIRST_DAY
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1])).toordinal()


def add(total: Quantity | None, value: Quantity) -> Quantity:
    return value if total is None else total + value


# --- the reference -------------------------------------------------------------------------


class Reference:
    """The views on ``day`` (a date) computed from ``events`` as :func:`known_events` gives them."""

    def __init__(self, events: list[tuple[Event, int]], day: dt.date, entities: EntityRegistry) -> None:
        self.day = day.toordinal()
        self.entities = entities
        # Only the events that may have happened by the day count, in fold order.
        self.events = [e for e, _ in events if span(e)[0] <= self.day and not isinstance(e, NO_EFFECT)]

    def of(self, *types: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, types)]

    # -- agreements ------------------------------------------------------------------------

    def agreement(self, name: str) -> dict[str, Any] | None:
        """What the events say about one agreement, read in fold order (None if nothing)."""
        row: dict[str, Any] | None = None
        recorded: tuple[int, int] | None = None  # the last entry into force read, as its own event

        def stub(event: Event) -> dict[str, Any]:
            # An agreement known only from later events: never signed in the log.
            return {"kind": "agreement", "title": name, "parties": event.parties, "binding": True,
                    "signed": NEVER, "in_force": None, "term": None, "term_from": "entry_into_force",
                    "start": None, "extensions": [], "ended": None, "endings": [], "superseded_by": None,
                    "commodity": None,
                    "route": None, "annual_volume": None, "events": [], "founds": None, "relations": [],
                    "names_start": False, "one_event": False, "entries": []}

        for e in self.events:
            when = span(e)
            if isinstance(e, SIGNINGS) and e.agreement == name:
                old = row
                kind = e.TYPE if isinstance(e, (SupplyContract, JointStatement)) else e.kind
                row = {"kind": kind, "title": e.title, "parties": e.parties, "binding": bool(e.binding),
                       "signed": when,
                       "in_force": when if e.in_force_on_signature else (old["in_force"] if old else None),
                       "term": None if e.term is None else e.term.value, "term_from": e.term_from,
                       "start": date_span(e.start, when) if isinstance(e, SupplyContract) else None,
                       "extensions": old["extensions"] if old else [], "ended": old["ended"] if old else None,
                       "endings": old["endings"] if old else [],
                       "superseded_by": old["superseded_by"] if old else None,
                       "commodity": getattr(e, "commodity", None), "route": getattr(e, "route", None),
                       "annual_volume": getattr(e, "annual_volume", None),
                       "events": [*(old["events"] if old else []), e.id], "founds": getattr(e, "founds", None),
                       "relations": old["relations"] if old else [],
                       "names_start": getattr(e, "start", None) is not None,
                       "entries": old["entries"] if old else [],
                       "one_event": bool(e.in_force_on_signature)}  # signed and in force together
            if isinstance(e, SIGNINGS) and name in e.supersedes:
                row = row or stub(e)
                earlier = row["superseded_by"]
                keep = earlier is not None and earlier[0] <= when  # the earliest supersession stands
                row = {**row, "superseded_by": earlier if keep else (when, e.agreement),
                       "relations": [*row["relations"], ("supersedes", e.agreement, when, None)]}
            if isinstance(e, (EnteredIntoForce, AgreementExtended, AgreementEnded)) and e.agreement == name:
                row = row or stub(e)
                row = {**row, "events": [*row["events"], e.id]}
                if isinstance(e, EnteredIntoForce):
                    row["in_force"] = when
                    row["entries"] = [*row["entries"], when]
                    row["one_event"] = False
                elif isinstance(e, AgreementExtended):
                    row["extensions"] = [*row["extensions"], (when, None if e.term is None else e.term.value,
                                                              None if e.until is None else date_span(e.until, NEVER))]
                else:
                    row["ended"] = (when, e.reason)
                    row["endings"] = [*row["endings"], (when, e.reason)]
            if isinstance(e, EnteredIntoForce) and e.agreement == name:
                recorded = when
            if isinstance(e, SIGNINGS) and e.agreement == name and recorded is not None and row is not None:
                # An entry into force recorded as its own event beats "in force on signature",
                # in any order: the last such record read so far.
                row = {**row, "in_force": recorded, "one_event": False}
            if isinstance(e, AgreementRelated) and e.earlier == name:
                row = row or stub(e)
                row = {**row, "events": [*row["events"], e.id],
                       "relations": [*row["relations"], (e.relation, e.agreement, when, e.part)]}
                # Library rule (silent in the docs): the earliest supersession by a relation wins.
                if e.relation in ("supersedes", "replaces") and (row["superseded_by"] is None
                                                                 or when < row["superseded_by"][0]):
                    row["superseded_by"] = (when, e.agreement)
        return row

    def agreement_names(self) -> list[str]:
        names: dict[str, None] = {}
        for e in self.events:
            if isinstance(e, SIGNINGS):
                names[e.agreement] = None
                names.update(dict.fromkeys(e.supersedes))
            elif isinstance(e, (EnteredIntoForce, AgreementExtended, AgreementEnded)):
                names[e.agreement] = None
            elif isinstance(e, AgreementRelated):
                names[e.earlier] = None
        return list(names)

    def rows_of_agreements(self) -> dict[str, dict[str, Any]]:
        found = {}
        for name in self.agreement_names():
            row = self.agreement(name)
            if row is not None:
                found[name] = row
        return found

    def anchor(self, row: dict[str, Any]) -> tuple[int, int] | None:
        """What a supply contract's term runs from when it counts from the start of deliveries
        and names a start: the route's opening, or (not yet open) some day after today."""
        if row["term"] is None or row["kind"] != "supply_contract" or row["term_from"] != "start" \
                or not row["names_start"] or row["route"] is None or row["commodity"] is None:
            return None
        deliveries = self.of(SupplyStarted, SupplyLevel)
        deliveries = [e for e in deliveries if (e.route, e.commodity) == (row["route"], row["commodity"])]
        if not deliveries:
            planned = row["start"] or row["signed"]
            return max(planned[0], self.day + 1), LAST_DAY
        openings = [e for e in deliveries if isinstance(e, SupplyStarted)]
        if openings and span(openings[0])[1] >= row["signed"][0]:  # possibly after the signature
            return span(openings[0])
        return None

    def expiry(self, row: dict[str, Any], every: bool) -> tuple[int, int] | None:
        """From the earliest to the latest expiry of every world the day allows: each extension
        possibly made by the day made (``every``) or, if not certainly made, also left out;
        those made in every order their dates allow (each by the day, none before the one
        before it; same day: either order), each new end date replacing the expiry, each
        term adding to it. An end of LAST_DAY: possibly never expires."""
        if row["term"] is None:
            return self.ends(None, row["extensions"], every)
        named = {"signature": row["signed"], "entry_into_force": row["in_force"],
                 "start": row["start"] or row["in_force"]}.get(row["term_from"])
        anchor = self.anchor(row)
        starts = [anchor or named or row["in_force"] or row["signed"]]
        if not every and anchor is not None and anchor[1] != LAST_DAY and anchor[0] < row["signed"][1]:
            # The deliveries may have come before the signature: then the term runs as if the
            # contract named no start of its own.
            starts.append(named or row["in_force"] or row["signed"])
        found = [self.ends((plus_years(start[0], row["term"]), plus_years(start[1], row["term"])),
                           row["extensions"], every) for start in starts]
        ends = [end for end in found if end is not None]
        if not ends:
            return None
        last = LAST_DAY if len(ends) < len(found) else max(end[1] for end in ends)
        return min(end[0] for end in ends), last

    def ends(self, until: tuple[int, int] | None, extensions: list[Any], every: bool) -> tuple[int, int] | None:
        """From the earliest to the latest end of every world: ``until`` as the extensions
        ``(when, years, new end)`` possibly made by the day leave it (see :meth:`expiry`); None
        in a world: no end; an end of LAST_DAY: possibly none."""
        extensions = [x for x in extensions if by(x[0], self.day) is not False]
        ends: set[tuple[int, int] | None] = set()

        def place(done: tuple[int, ...], after: int, now: tuple[int, int] | None) -> None:
            if all(i in done or (not every and by(extensions[i][0], self.day) is None)
                   for i in range(len(extensions))):
                ends.add(now)  # every other extension left out: not yet made by the day
            for i, (when, years, new_until) in enumerate(extensions):
                if i in done or max(after, when[0]) > min(when[1], self.day):
                    continue
                if new_until is not None:
                    then = new_until
                elif now is not None and years is not None:
                    then = (plus_years(now[0], years), plus_years(now[1], years))
                else:
                    then = now
                place((*done, i), max(after, when[0]), then)

        place((), -1, until)
        found = [e for e in ends if e is not None]
        if not found:
            return None
        return min(e[0] for e in found), (LAST_DAY if None in ends else max(e[1] for e in found))

    def milestones(self, row: dict[str, Any], every: bool = True) -> tuple[list[Any], list[Any], Any]:
        """The steps to entry into force, the ends (terminated, superseded, expired...) and the
        expiry (:meth:`expiry`)."""
        until = self.expiry(row, every)
        steps = [("signed", row["signed"])]
        if row["in_force"] is not None:
            steps.append(("in force", row["in_force"]))
        ends = []
        if row["ended"] is not None:
            ends.append((row["ended"][1], row["ended"][0]))
        if row["superseded_by"] is not None:
            ends.append(("superseded", row["superseded_by"][0]))
        if until is not None and row["in_force"] is not None:
            ends.append(("expired", until))
        return steps, ends, until

    @staticmethod
    def first_end(steps: list[Any], ends: list[Any]) -> list[Any]:
        """The steps and the end that begins first (ties: listed first)."""
        return [*steps, min(ends, key=lambda item: item[1][0])] if ends else steps

    @staticmethod
    def orders(steps: list[Any], ends: list[Any]) -> list[list[Any]]:
        """The steps followed by each end that may come before every other end, its days
        cut where it must have come before another: no later than the last day of an end
        listed after it, before the last day of one listed before it (same-day ties go to
        the end listed first)."""
        if len(ends) < 2:
            return [steps + ends]
        found = []
        for i, (name, when) in enumerate(ends):
            cut = when[1]
            for j, (_, other) in enumerate(ends):
                if j > i:
                    cut = min(cut, other[1])
                elif j < i:
                    cut = min(cut, other[1] - 1)
            if when[0] <= cut:
                found.append([*steps, (name, (when[0], cut))])
        return found

    def walk(self, steps: list[Any], status: str, certain: bool) -> tuple[str, bool]:
        """The last step reached by the day (else ``status``), and whether that is certain: it
        was surely reached and the next surely not."""
        for i, (name, when) in enumerate(steps):
            seen = by(when, self.day)
            if seen is False:
                break
            status = name
            nxt = steps[i + 1] if i + 1 < len(steps) else None
            certain = seen is True and (nxt is None or by(nxt[1], self.day) is False)
        return status, certain

    def status(self, row: dict[str, Any]) -> tuple[str, bool, Any]:
        """The agreement's status on the day: the latest step possibly reached in any reading
        (each entry into force and end that may stand), every extension possibly made counted;
        certain when it is the only status the agreement may have (:meth:`statuses`)."""
        steps, ends, until = self.milestones(row)
        status, _ = self.walk(self.first_end(steps, ends), "not yet signed", True)
        for in_force in self.entries(row):
            for ended in self.may_stand(row["endings"]) or [row["ended"]]:
                steps, ends, _ = self.milestones({**row, "in_force": in_force, "ended": ended})
                other, _ = self.walk(self.first_end(steps, ends), "not yet signed", True)
                status = other if STEP_RANK.get(other, 9) > STEP_RANK.get(status, 9) else status
        return status, self.statuses(row) == {status}, until

    def statuses(self, row: dict[str, Any]) -> set[str]:
        """Every status the agreement may have on the day."""
        steps, ends, _ = self.milestones(row, every=False)
        found = self.possible(steps, ends, "not yet signed", row["one_event"])
        endings = self.may_stand(row["endings"]) or [row["ended"]]
        for in_force in self.entries(row):
            for ended in endings:
                if (in_force, ended) != (row["in_force"], row["ended"]):
                    steps, ends, _ = self.milestones({**row, "in_force": in_force, "ended": ended}, every=False)
                    found |= self.possible(steps, ends, "not yet signed", row["one_event"])
        return found

    def may_stand(self, items: list[Any]) -> list[Any]:
        """Several records of one fact (ends, entries into force): the last made by the day
        stands (same single day: the one met later); each that nothing certainly made by the
        day certainly follows may be it."""
        kept = []
        for i, item in enumerate(items):
            when = item[0]
            followed = False
            for j, other in enumerate(items):
                if j == i or by(other[0], self.day) is not True:
                    continue
                one_day = when[0] == when[1] == other[0][0] == other[0][1]
                followed = followed or other[0][0] > when[1] or (one_day and j > i)
            if not followed:
                kept.append(item)
        return kept

    def entries(self, row: dict[str, Any]) -> list[Any]:
        """The entries into force that may be the one standing on the day (the row's own if it
        records fewer than two)."""
        return [when for when, in self.may_stand([(when,) for when in row["entries"]])] or [row["in_force"]]

    def shown(self, row: dict[str, Any]) -> tuple[Any, Any]:
        """What a row says of the entry into force and the expiry: from the earliest to the
        latest day of every entry into force that may stand, and of the expiry counted from each."""
        ins = [when for when in self.entries(row) if when is not None]
        untils = [self.expiry({**row, "in_force": when}, True) for when in (ins or [row["in_force"]])]
        untils = [until for until in untils if until is not None]

        def hull(spans: list[tuple[int, int]]) -> Any:
            return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None
        return hull(ins), hull(untils)

    def possible(self, steps: list[Any], ends: list[Any], before: str, one_event: bool) -> set[str]:
        """Every step the day may be at, in each order the ends' dates allow (``before``: none yet);
        ``one_event``: the first two steps are one event, reached together."""
        found = set()
        for order in self.orders(steps, ends):
            if by(order[0][1], self.day) is not True:
                found.add(before)
            for i, (name, when) in enumerate(order):
                if by(when, self.day) is False:
                    break
                nxt = order[i + 1] if i + 1 < len(order) else None
                if one_event and i == 0 and len(steps) > 1:
                    continue  # one event (in force on signature): never signed and not in force
                if nxt is None or by(nxt[1], self.day) is not True:
                    found.add(name)
        return found

    def ratified(self, name: str) -> tuple[str, ...]:
        acts = [e for e in self.of(Ratified) if e.agreement == name and by(span(e), self.day) is not False]
        acts.sort(key=lambda e: (span(e), e.party))
        return tuple(f"{e.party}: {e.body}, {text(span(e))}{'' if by(span(e), self.day) else '?'}" for e in acts)

    def agreements(self, status: str | None = None, party: str | None = None) -> tuple[list[dict[str, Any]], int]:
        rows, sure = [], 0
        for name, row in self.rows_of_agreements().items():
            if by(row["signed"], self.day) is False:
                continue
            state, certain, _ = self.status(row)
            in_force, until = self.shown(row)
            if status is not None:  # the agreements possibly of that status, each row saying it
                found = self.statuses(row)
                state, certain = status, found == {status}
                if status not in found:
                    continue
            if party is not None and party not in row["parties"]:
                continue
            sure += by(row["signed"], self.day) is True and certain if status is not None \
                else by(row["signed"], self.day) is True
            rows.append({"agreement": name, "title": row["title"], "kind": row["kind"], "status": state,
                         "certain": certain, "binding": row["binding"], "parties": row["parties"],
                         "signed": text(row["signed"]),
                         "in_force_from": None if in_force is None else text(in_force),
                         "in_force_until": None if until is None else text(until),
                         "commodity": row["commodity"], "annual_volume": row["annual_volume"],
                         "events": tuple(row["events"]), "ratified": self.ratified(name)})
        rows.sort(key=lambda r: (r["signed"], r["agreement"]))
        return rows, sure

    def agreement_count(self, status: str) -> tuple[int, int]:
        certain = possible = 0
        for row in self.rows_of_agreements().values():
            if by(row["signed"], self.day) is False:
                continue
            found = self.statuses(row)
            possible += status in found
            certain += found == {status}
        return certain, possible

    # -- volumes ---------------------------------------------------------------------------

    def volumes(self, commodity: str = "pipeline_gas", binding: bool | None = True) -> tuple[list[dict], dict]:
        """Each document stating a volume of the commodity, in force or superseded (possibly),
        with what counts: one count per lineage, as docs/queries.md describes."""
        day = self.day
        every = self.rows_of_agreements()
        docs: dict[str, dict[str, Any]] = {}
        for name, row in every.items():
            if row["annual_volume"] is None or row["commodity"] != commodity or by(row["signed"], day) is False:
                continue
            found = self.statuses(row)
            if found & {"in force", "superseded"}:
                state, certain, _ = self.status(row)
                docs[name] = {**row, "state": state, "certain": certain, "found": found}

        def shown(doc: dict[str, Any]) -> bool:
            return binding is None or (doc["kind"] == "supply_contract" and doc["binding"]) == binding

        # Lineages: an amendment (possibly made by the day) joins the agreement it amends.
        lineage = {name: {name} for name in docs}
        for name, doc in docs.items():
            for relation, later, when, _ in doc["relations"]:
                if relation == "amends" and later in docs and by(when, day) is not False:
                    merged = lineage[name] | lineage[later]
                    for member in merged:
                        lineage[member] = merged
        # Groups in the order their first member was first mentioned (the library's dict order,
        # which breaks ties between heads on one route below).
        order = {name: i for i, name in enumerate(every)}
        groups = sorted({frozenset(group) for group in lineage.values()}, key=lambda g: min(order[n] for n in g))

        notes: dict[str, str] = {}
        counted: dict[str, tuple[Quantity | None, Quantity | None]] = {}
        for group in groups:
            members = sorted(group, key=lambda n: (docs[n]["signed"], n))
            visible = [n for n in members if shown(docs[n])]
            maybe_alive = [n for n in visible if "in force" in docs[n]["found"]]
            surely_alive = [n for n in visible if docs[n]["found"] == {"in force"}]
            for name in members:
                doc = docs[name]
                if doc["state"] == "superseded" and doc["found"] == {"superseded"}:
                    later = doc["superseded_by"][1] if doc["superseded_by"] else "?"
                    how = next((r for r, other, _, _ in doc["relations"] if other == later), "supersedes")
                    notes[name] = f"{'replaced' if how == 'replaces' else 'superseded'} by {later}"
            if not maybe_alive:
                continue
            head = maybe_alive[-1]
            for name in visible:
                if name != head and name not in notes:
                    notes[name] = f"amended by {head}"
            high = docs[head]["annual_volume"]
            low = docs[surely_alive[-1]]["annual_volume"] if surely_alive else None
            if low is not None and low.dimension != high.dimension:
                low = None
            elif low is not None and docs[head]["found"] != {"in force"}:
                low, high = min(low, high), max(low, high)
            taken = []
            for name in members:
                for relation, later, when, part in docs[name]["relations"]:
                    if relation not in ("restates", "implements") or by(when, day) is False:
                        continue
                    other = every.get(later)
                    if other is None or by(other["signed"], day) is False:
                        continue
                    found = self.statuses(other)
                    if not found & {"in force", "superseded"}:
                        continue
                    firm = by(when, day) is True and found <= {"in force", "superseded"}
                    taken.append((relation, later, part, firm))
            left_low = remaining(low, [part for _, _, part, _ in taken])
            left_high = remaining(high, [part for _, _, part, firm in taken if firm])
            if taken:
                said = ", ".join(f"{'' if part is None else f'{part} '}{PAST[relation]} by {later}"
                                 for relation, later, part, _ in taken)
                notes[head] = said if left_high is None else f"partly: {said}"
            counted[head] = (left_low, left_high)

        # One route, no recorded relation: the newest document (latest signature; same day: the
        # greater id) restates the rest. Each that may be the newest (none certainly signed after
        # it) possibly counts; for sure, the least of those. An older one possibly counts until one
        # certainly signed after it is certainly in force (or superseded).
        def surely_after(a: str, b: str) -> bool:
            (a_lo, a_hi), (b_lo, b_hi) = docs[a]["signed"], docs[b]["signed"]
            if a_lo == a_hi == b_lo == b_hi:
                return a > b
            return a_lo > b_hi

        routes: dict[str, list[str]] = {}
        for head, (_, high) in counted.items():
            if docs[head]["route"] is not None and high is not None:
                routes.setdefault(docs[head]["route"], []).append(head)
        for heads in routes.values():
            latest = sorted(heads, key=lambda h: (docs[h]["signed"], h))[-1]
            maybe_newest = [h for h in heads if all(not surely_after(o, h) for o in heads if o != h)]
            floor = [counted[h][0] for h in maybe_newest]
            sure_floor = None if None in floor or len({q.dimension for q in floor}) != 1 else min(floor)
            for head in heads:
                high = counted[head][1]
                if head in maybe_newest:
                    if len(maybe_newest) == 1:
                        continue
                    rest = sorted(set(maybe_newest) - {head})
                    rivals = ", ".join(rest[:3]) + (f" and {len(rest) - 3} more" if len(rest) > 3 else "")
                    note = f"possibly restated by {rivals} (same route; signed on days that leave the order open)"
                    notes[head] = f"{notes[head]}; {note}" if head in notes else note
                    counted[head] = (sure_floor if head == latest else None, high)
                    continue
                firm = [o for o in heads if surely_after(o, head) and docs[o]["found"] <= {"in force", "superseded"}]
                later = max(firm, key=lambda h: (docs[h]["signed"], h)) if firm else latest
                notes[head] = f"{'' if firm else 'possibly '}restated by {later} (same route; no recorded relation)"
                counted[head] = (None, None if firm else high)

        rows = []
        sums: dict[str, list[Quantity | None]] = {}
        # Whatever the dates, one document on a route counts (the newest in force): a route's
        # possible share is the greatest of its documents', not their sum.
        route_high: dict[tuple[str, str], Quantity] = {}
        units: dict[str, str] = {}  # dimension -> the unit of the first row (in the view's order) counted in it
        for name, doc in sorted(docs.items(), key=lambda item: (item[1]["route"] or "", item[0])):
            if shown(doc):
                for value in counted.get(name, (None, None)):
                    if value is not None:
                        units.setdefault(value.dimension, value.unit)
        for name, doc in docs.items():
            if not shown(doc):
                continue
            low, high = counted.get(name, (None, None))
            term = None if doc["term"] is None else Quantity(doc["term"], "years")
            rows.append({"agreement": name, "kind": doc["kind"], "route": doc["route"], "commodity": commodity,
                         "binding": doc["binding"], "status": doc["state"], "certain": doc["certain"],
                         "annual_volume": doc["annual_volume"], "term": term,
                         "cumulative": None if term is None else doc["annual_volume"] * term,
                         "counted": high is not None, "counted_volume": high, "note": notes.get(name, "")})
            for value, at in ((low, 0), (high, 1)):
                if value is not None:
                    pair = sums.setdefault(value.dimension, [None, None])
                    if at == 1:
                        key = (doc["route"] or f"no route: {name}", value.dimension)
                        # Of equal volumes, the greater by bound, then unit: not by order.
                        route_high[key] = max(route_high.get(key, value), value,
                                              key=lambda q: (q.value * UNITS[q.unit].factor, q.bound, q.unit))
                    else:
                        pair[at] = add(pair[at], value)
        for (_, dimension), value in route_high.items():
            sums[dimension][1] = add(sums[dimension][1], value)
        rows.sort(key=lambda r: (r["route"] or "", r["agreement"]))
        totals: dict[str, tuple[Any, Any]] = {}
        if rows:
            main = rows[0]["annual_volume"].dimension
            for dimension, (low, high) in sorted(sums.items(), key=lambda item: item[0] != main):
                low, high = (None if value is None else value.to(units[dimension]) for value in (low, high))
                key = "annual volume" if not totals else f"annual volume ({units[dimension]})"
                totals[key] = (low, high)
            totals.setdefault("annual volume", (None, None))
        return rows, totals

    def contracted(self, commodity: str = "pipeline_gas", binding: bool | None = True) -> tuple[Any, Any]:
        return self.volumes(commodity, binding)[1].get("annual volume", (None, None))

    # -- supply and projects ---------------------------------------------------------------

    def halted(self, route: str, commodity: str) -> tuple[bool, bool]:
        """Whether deliveries on the route are possibly halted on the day (a halt possibly made
        that no other level certainly follows) and certainly (a halt certainly made after every
        other level possibly reached)."""
        items = [e for e in self.of(SupplyStarted, SupplyLevel) if (e.route, e.commodity) == (route, commodity)]
        opening = next((e for e in items if isinstance(e, SupplyStarted)), None)
        levels = []
        for e in items:
            if e is opening or by(span(e), self.day) is False:
                continue
            if isinstance(e, SupplyLevel) and (e.stage is not None or e.level is not None):
                levels.append((span(e), e.stage))
            elif isinstance(e, SupplyStarted) and e.capacity is not None:
                levels.append((span(e), None))  # a later opening (older logs): its capacity a level
        possibly = certainly = False
        for when, stage in levels:
            if stage != "halted":
                continue
            rest = [other for other, kind in levels if kind != "halted"]
            possibly = possibly or not any(o[0] > when[1] and by(o, self.day) is True for o in rest)
            certainly = certainly or (by(when, self.day) is True and all(o[1] < when[0] for o in rest))
        return possibly, certainly

    def supply(self) -> list[dict[str, Any]]:
        keys: dict[tuple[str, str], None] = {}
        for e in self.of(SupplyStarted, SupplyLevel):
            keys[(e.route, e.commodity)] = None
        rows = []
        for route, commodity in keys:
            items = [e for e in self.of(SupplyStarted, SupplyLevel) if (e.route, e.commodity) == (route, commodity)]
            openings = [e for e in items if isinstance(e, SupplyStarted)]
            opening = openings[0] if openings else None
            # Levels: every supply_level, and (older logs) each supply_started after the first.
            levels = []
            for e in items:
                if isinstance(e, SupplyLevel):
                    levels.append((span(e), e.level, e.stage, e.capacity, e.id))
                elif e is not opening:
                    levels.append((span(e), e.capacity, None, None, e.id))
            levels = [item for item in levels if by(item[0], self.day) is not False
                      and (item[2] is not None or item[1] is not None)]
            levels.sort(key=lambda item: item[0])
            design = None if opening is None else opening.capacity
            for item in levels:
                design = item[3] or design
            if opening is not None:
                since, certain = text(span(opening)), by(span(opening), self.day) is True
            elif levels:
                since, certain = None, by(levels[0][0], self.day) is True
            else:
                continue
            last = levels[-1] if levels else None
            rows.append({"route": route, "commodity": commodity, "since": since, "certain": certain,
                         "design_capacity": design, "event": None if opening is None else opening.id,
                         "level": last and last[1], "level_stage": last and last[2],
                         "level_since": last and text(last[0]),
                         "level_certain": None if last is None else by(last[0], self.day) is True and all(
                             other[0][1] < last[0][0] or other[0][0] == other[0][1] == last[0][0] == last[0][1]
                             for other in levels if other is not last),
                         "level_event": last and last[4]})
        rows.sort(key=lambda r: (r["since"] or "", r["route"]))
        return rows

    RANK: ClassVar[dict[str, int]] = {"announced": 0, "proposed": 1, "planned": 2, "construction_started": 3,
                                      "suspended": 4, "completed": 5, "opened": 6, "cancelled": 7}

    def projects(self) -> tuple[list[dict[str, Any]], int]:
        stages: dict[str, list[tuple[str, tuple[int, int], str]]] = {}
        sizes: dict[str, list[Any]] = {}
        opened_keys: set[tuple[str, str]] = set()
        for e in self.events:
            if isinstance(e, ProjectMilestone):
                stages.setdefault(e.project, []).append((e.stage, span(e), e.id))
                size = sizes.setdefault(e.project, [None, None])
                size[0], size[1] = e.capacity or size[0], e.length or size[1]
            elif isinstance(e, Announcement):
                stages.setdefault(e.subject, []).append(("announced", span(e), e.id))
            elif isinstance(e, SupplyStarted):
                # The first deliveries on a route and commodity open the project; later ones deliver.
                first = (e.route, e.commodity) not in opened_keys
                opened_keys.add((e.route, e.commodity))
                stages.setdefault(e.route, []).append(("opened" if first else "delivering", span(e), e.id))
        rows, sure = [], 0
        for project, items in stages.items():
            entity = self.entities.get(project)
            if entity is None or entity.kind is not EntityKind.PROJECT:
                continue
            possible = [item for item in items if by(item[1], self.day) is not False]
            if not possible:
                continue
            real = [item for item in possible if item[0] not in ("announced", "delivering")] or possible
            stage, when, _ = max(real, key=lambda item: (item[1][0], self.RANK.get(item[0], 0)))
            # max keeps the first of equals; the library keeps the last in fold order: pick the last.
            ties = [item for item in real if (item[1][0], self.RANK.get(item[0], 0))
                    == (when[0], self.RANK.get(stage, 0))]
            stage, when, _ = ties[-1]
            real_all = [item for item in items if item[0] not in ("announced", "delivering")]
            # ...and every other stage possibly reached certainly came before (one single day: by rank)
            before = all(st == stage or s[1] < when[0] or (s[0] == s[1] == when[0] == when[1]) for st, s, _ in real)
            certain = by(when, self.day) is True and all(by(s, self.day) is not None for _, s, _ in real_all) \
                and before
            openings = [s for st, s, _ in possible if st == "opened"]
            sure += any(by(s, self.day) is True for _, s, _ in possible)
            size = sizes.get(project, [None, None])
            rows.append({"project": project, "stage": stage, "since": text(when), "certain": certain,
                         "opened": text(min(openings)) if openings else None, "capacity": size[0],
                         "length": size[1], "events": tuple(eid for _, _, eid in possible)})
        rows.sort(key=lambda r: r["project"])
        return rows, sure

    # -- members ---------------------------------------------------------------------------

    def members(self, organisation: str = "eaeu") -> list[dict[str, Any]]:
        org = self.entities.resolve(organisation).id
        changes: dict[str, list[tuple[str, tuple[int, int], str]]] = {}
        for row in self.rows_of_agreements().values():
            if row["founds"] == org and row["in_force"] is not None:
                for party in row["parties"]:
                    entity = self.entities.get(party)
                    if entity is not None and entity.kind is EntityKind.STATE:
                        changes.setdefault(party, []).append(("joined", row["in_force"], row["events"][-1]))
        for e in self.of(MembershipJoined, MembershipLeft):
            if e.organisation == org:
                change = "joined" if isinstance(e, MembershipJoined) else "left"
                changes.setdefault(e.member, []).append((change, span(e), e.id))
        rows = []
        for member, items in changes.items():
            items.sort(key=lambda item: item[1])
            may = sure = None  # member since, every possible act counted / only certain acts
            for change, when, _ in items:
                seen = by(when, self.day)
                if seen is not False:
                    may = None if change == "left" else may or when
                if seen is True:
                    sure = None if change == "left" else sure or when
            maybe, surely, last = self.on_off(items, "joined")
            if maybe:
                events = tuple(e for _, when, e in items if by(when, self.day) is not False)
                rows.append({"organisation": org, "member": member, "since": text(sure or may or last),
                             "certain": surely, "events": events})
        rows.sort(key=lambda r: (r["since"], r["member"]))
        return rows

    # -- sanctions -------------------------------------------------------------------------

    def measures(self) -> dict[str, dict[str, Any]]:
        """Each sanctions measure as its acts leave it (a new imposition starts it afresh). Acts
        met before the measure's first imposition (dated possibly before it) wait for it; it
        takes over those dated possibly on or after its adoption, the others act on nothing."""
        found: dict[str, dict[str, Any]] = {}
        waiting: dict[str, list[Any]] = {}

        def act_on(m: dict[str, Any], e: Any) -> None:
            m["events"] = (*m["events"], e.id)
            # An act holds from its effective date once it is made: the later of the two.
            act, effective = span(e), field_span(e, "effective", span(e))
            start = (max(act[0], effective[0]), max(act[1], effective[1]))
            if isinstance(e, SanctionsExtended):
                if e.until is not None:
                    m["renewals"] = [*m["renewals"], (act, field_span(e, "until", NEVER))]
                elif not (e.targets or e.sectors or e.persons):
                    m["renewals"] = [*m["renewals"], (act, None)]  # a bare renewal: no end date
                m["sectors"] = m["sectors"] + tuple(s for s in e.sectors if s not in m["sectors"])
                m["designations"] = m["designations"] + [(t, "listed", start, e.id) for t in e.targets]
                m["persons"] = m["persons"] + ([(e.persons, start)] if e.persons else [])
            elif isinstance(e, SanctionsDelisted):
                m["designations"] = m["designations"] + [(t, "delisted", start, e.id) for t in e.targets]
                m["persons"] = m["persons"] + ([(-e.persons, start)] if e.persons else [])
            else:
                m["lifted"] = start
                m["liftings"] = [*m["liftings"], (act, start)]

        for e in self.of(SanctionsImposed, SanctionsExtended, SanctionsDelisted, SanctionsLifted):
            m = found.get(e.measure)
            if isinstance(e, SanctionsImposed):
                adopted = span(e)
                effective = field_span(e, "effective", adopted)
                found[e.measure] = {
                    "measure": e.measure, "imposer": e.imposer, "targets": e.targets,
                    "description": e.description, "sectors": e.sectors, "adopted": adopted,
                    "effective": effective,
                    "until": None if e.until is None else field_span(e, "until", NEVER), "lifted": None,
                    "renewals": [], "liftings": [],
                    "events": (e.id,), "designations": [(t, "listed", effective, e.id) for t in e.targets],
                    "persons": [(e.persons, effective)] if e.persons else [],
                    # Adopted and in force together, unless a source disputes that with a date
                    # of its own for the effect (then it may come later).
                    "one_event": e.effective is None and effective == adopted}
                if m is None:
                    for act in waiting.pop(e.measure, []):
                        if span(act)[1] >= adopted[0]:
                            act_on(found[e.measure], act)
                continue
            if m is None:
                waiting.setdefault(e.measure, []).append(e)
            else:
                act_on(m, e)
        return found

    def measure_until(self, m: dict[str, Any], every: bool) -> tuple[int, int] | None:
        """The measure's last day in force, from the earliest to the latest its renewals allow
        (:meth:`ends`, with NEVER for no end date); None: no end date in any world."""
        found = self.ends(m["until"] or NEVER, [(when, None, until or NEVER) for when, until in m["renewals"]], every)
        return None if found is None or found[0] == LAST_DAY else found

    def measure_status(self, m: dict[str, Any]) -> tuple[str, bool, set[str]]:
        """The latest step possibly reached, whether certain (the only status possible) and
        every status possible (in each order the ends' dates allow)."""
        steps = [("adopted", m["adopted"]), ("in force", m["effective"])]
        # Several liftings ((act, effect) each): the last made by the day stands.
        standing = [start for _, start in self.may_stand(m["liftings"]) if start != m["lifted"]]
        status = found = None
        for every in (True, False):  # the status counts every renewal possibly made; possible: any
            ends = [("lifted", m["lifted"])] if m["lifted"] is not None else []
            until = self.measure_until(m, every)
            expired = [] if until is None else [("expired", (until[0] + 1, until[1] + 1))]  # from the day after
            ends.extend(expired)
            if every:  # the latest step any reading possibly reaches
                status, _ = self.walk(self.first_end(steps, ends), "adopted", True)
                for start in standing:
                    other, _ = self.walk(self.first_end(steps, [("lifted", start), *expired]), "adopted", True)
                    status = other if STEP_RANK.get(other, 9) > STEP_RANK.get(status, 9) else status
                continue
            found = self.possible(steps, ends, "not yet adopted", m["one_event"])
            for start in standing:
                found |= self.possible(steps, [("lifted", start), *expired], "not yet adopted", m["one_event"])
        return status, found == {status}, found

    def may_be_last(self, when: tuple[int, int], rivals: list[tuple[int, int]]) -> bool:
        """Can a change on these days fall by the day, on or after every rival certainly made by then?"""
        if by(when, self.day) is False:
            return False
        earliest = when[0]
        for rival in rivals:
            if by(rival, self.day) is True:
                earliest = max(earliest, rival[0])
        return earliest <= min(when[1], self.day)

    def on_off(self, items: list[Any], on: str) -> tuple[bool, bool, Any]:
        """Possibly on, certainly on, and the latest-ending change that may have switched it on last."""
        ons = [when for change, when, _ in items if change == on]
        offs = [when for change, when, _ in items if change != on]
        last = [when for when in ons if self.may_be_last(when, offs)]
        surely = any(by(when, self.day) is True for when in ons) and \
            not any(self.may_be_last(when, ons) for when in offs)
        return bool(last), surely, max(last) if last else None

    def designated(self, m: dict[str, Any]) -> dict[str, tuple[bool, tuple[int, int], tuple[str, ...]]]:
        per: dict[str, list[tuple[str, tuple[int, int], str]]] = {}
        for entity, change, when, event_id in m["designations"]:
            per.setdefault(entity, []).append((change, when, event_id))
        found = {}
        for entity, items in per.items():
            items = sorted(items, key=lambda item: item[1])
            may = sure = None  # the listing in force if every possible act counted / only certain acts
            for change, when, _ in items:
                seen = by(when, self.day)
                if seen is not False:
                    may = when if change == "listed" else None
                if seen is True:
                    sure = when if change == "listed" else None
            maybe, surely, last = self.on_off(items, "listed")
            if not maybe:
                continue
            events = tuple(e for _, when, e in items if by(when, self.day) is not False)
            found[entity] = (surely, sure or may or last, events)
        return found

    def persons(self, m: dict[str, Any]) -> tuple[int, int] | None:
        if not m["persons"]:
            return None
        low = high = 0
        for number, when in m["persons"]:
            seen = by(when, self.day)
            if seen is False:
                continue
            if number > 0:
                low, high = low + (number if seen else 0), high + number
            else:
                low, high = low + number, high + (number if seen else 0)
        return max(low, 0), max(high, 0)

    def sanctions(self, imposer: str | None = None, target: str | None = None,
                  in_force_only: bool = True) -> list[dict[str, Any]]:
        who = None if target is None else self.entities.resolve(target).id
        imposed_by = None if imposer is None else self.entities.resolve(imposer).id
        rows = []
        for m in self.measures().values():
            if imposed_by is not None and m["imposer"] != imposed_by:
                continue
            status, certain, found = self.measure_status(m)
            if in_force_only:
                if "in force" not in found:
                    continue
                status, certain = "in force", found == {"in force"}
            named = self.designated(m)
            targets = m["targets"] if status == "adopted" else tuple(named)
            if who is not None:
                if who not in targets:
                    continue
                certain = certain and (status == "adopted" or named[who][0])
            persons = self.persons(m)
            rows.append({"measure": m["measure"], "imposer": m["imposer"], "targets": targets, "status": status,
                         "certain": certain, "adopted": text(m["adopted"]), "effective": text(m["effective"]),
                         "until": None if (until := self.measure_until(m, True)) is None else text(until),
                         "sectors": m["sectors"],
                         "description": m["description"], "events": m["events"],
                         "persons": None if persons is None else persons[0]})
        rows.sort(key=lambda r: (r["effective"], r["measure"]))
        return rows

    def designations(self, measure: str) -> tuple[list[dict[str, Any]], dict[str, tuple[int, int]]] | None:
        """None when no such measure was adopted by the day (the library raises)."""
        m = self.measures().get(measure)
        if m is None:
            return None
        found = self.measure_status(m)[2]
        rows, totals = [], {}
        if "in force" in found:
            in_force = found == {"in force"}
            for entity, (certain, since, events) in self.designated(m).items():
                known = self.entities.get(entity)
                rows.append({"measure": measure, "target": entity, "kind": known.kind.value if known else "unknown",
                             "since": text(since), "certain": certain and in_force, "events": events})
            persons = self.persons(m)
            if persons is not None:
                totals["persons"] = persons if in_force else (0, persons[1])
        rows.sort(key=lambda r: (r["since"], r["target"]))
        return rows, totals

    # -- policies --------------------------------------------------------------------------

    def policies(self, imposer: str | None = None, beneficiary: str | None = None,
                 in_effect_only: bool = True) -> list[dict[str, Any]]:
        granted_by = None if imposer is None else self.entities.resolve(imposer).id
        granted_to = None if beneficiary is None else self.entities.resolve(beneficiary).id
        terms: dict[str, list[Any]] = {}
        for e in self.of(PolicyMeasure):
            terms.setdefault(e.measure, []).append(e)
        rows = []
        for measure, acts in terms.items():
            first = acts[0]
            if (granted_by is not None and first.imposer != granted_by) or \
                    (granted_to is not None and first.beneficiary != granted_to):
                continue
            possible = certain = False
            shown = acts[-1]
            for act in acts:
                start = field_span(act, "effective", span(act))
                until = None if act.until is None else field_span(act, "until", NEVER)
                started = by(start, self.day)
                ended = None if until is None else by((until[0] + 1, until[1] + 1), self.day)
                if started is not False and ended is not True:
                    possible, shown = True, act
                    made = by(span(act), self.day) is True  # the act itself may come after its effective date
                    certain = certain or (started is True and (until is None or ended is False) and made)
            if possible:
                status = "in effect"
            elif all(by(field_span(a, "effective", span(a)), self.day) is False for a in acts):
                status, certain = "announced", by(span(first), self.day) is True
            else:
                status, certain = "ended", by(span(first), self.day) is True
            if in_effect_only and status != "in effect":
                continue
            until = None if shown.until is None else field_span(shown, "until", NEVER)
            rows.append({"measure": measure, "imposer": shown.imposer, "beneficiary": shown.beneficiary,
                         "status": status, "certain": certain,
                         "effective": text(field_span(shown, "effective", span(shown))),
                         "until": None if until is None else text(until), "title": shown.title,
                         "events": tuple(a.id for a in acts)})
        rows.sort(key=lambda r: (r["effective"], r["measure"]))
        return rows

    # -- per-event views -------------------------------------------------------------------

    def finance(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        happened = [e for e in self.events if e.status.value == "happened"]
        closings: dict[str, list[DealClosed]] = {}
        for e in happened:
            if isinstance(e, DealClosed):
                closings.setdefault(e.deal, []).append(e)
        rows = []
        money: dict[str, list[Quantity | None]] = {}
        shares: dict[str, dict[str, list[Decimal]]] = {}

        def count(key: str, amount: Quantity, certain: bool) -> None:
            pair = money.setdefault(key, [None, None])
            pair[0] = add(pair[0], amount) if certain else pair[0]
            pair[1] = add(pair[1], amount)

        for e in happened:
            if not isinstance(e, (Loan, Investment)):
                continue
            certain = by(span(e), self.day) is True
            closes = closings.get(e.id, [])
            if e.completion == "closed":
                closed, parts = span(e), [(e.amount, True)]
            elif closes:
                closed = min(span(c) for c in closes)
                if any(c.amount is None for c in closes):
                    parts = [(e.amount, by(closed, self.day) is True)]
                else:
                    parts = [(c.amount, by(span(c), self.day) is True) for c in closes]
            else:
                closed, parts = None, [(e.amount, False)]
            if closed is not None:
                stage, closed_sure, closed_maybe = "closed", by(closed, self.day) is True, True
            elif e.completion == "signed":
                stage, closed_sure, closed_maybe = "signed", False, False
            else:
                stage, closed_sure, closed_maybe = "not stated", False, True
            row = {"event": e.id, "date": str(e.date), "amount": e.amount, "certain": certain, "title": e.title,
                   "stage": stage, "closed": None if closed is None else text(closed)}
            if isinstance(e, Loan):
                row.update(kind=e.kind, source_of_funds=e.lender, recipient=e.borrower, project=e.project,
                           stake=None)
            else:
                row.update(kind="investment", source_of_funds=e.investor, recipient=e.project, project=e.project,
                           stake=e.stake)
                if e.stake is not None and closed_maybe:
                    holders = shares.setdefault(e.project, {})
                    mine = holders.setdefault(e.investor, [Decimal(0), Decimal(0)])
                    mine[0] += e.stake.value if closed_sure else 0
                    mine[1] += e.stake.value
                    if e.seller in holders:  # a seller's stake shrinks only if the log records it
                        theirs = holders[e.seller]
                        theirs[0] -= e.stake.value
                        theirs[1] -= e.stake.value if closed_sure else 0
            rows.append(row)
            if e.amount is not None:
                count(e.amount.unit, e.amount, certain)
            for part, part_sure in parts:
                if part is not None and closed_maybe:
                    count(f"closed {part.unit}", part, certain and closed_sure and part_sure)
        totals: dict[str, Any] = {key: tuple(pair) for key, pair in sorted(money.items())}
        if shares:
            totals["shares"] = {project: {investor: (Quantity(low, "%") if low > 0 else None, Quantity(high, "%"))
                                          for investor, (low, high) in holders.items() if high > 0}
                                for project, holders in shares.items()}
        return rows, totals

    def meetings(self, participant: str | None = None) -> list[dict[str, Any]]:
        who = None if participant is None else self.entities.resolve(participant).id
        return [{"event": e.id, "date": str(e.date), "kind": "forum" if isinstance(e, Forum) else e.kind,
                 "title": e.title, "location": e.location, "parties": e.parties,
                 "certain": by(span(e), self.day) is True}
                for e in self.of(Meeting, Forum)
                if e.status.value == "happened" and (who is None or who in e.parties)]

    def trade(self) -> list[dict[str, Any]]:
        latest: dict[tuple[Any, ...], dict[str, Any]] = {}
        for e in self.of(TradeStatistic):
            period = (e.period.earliest_ordinal, e.period.latest_ordinal)
            if by(period, self.day) is False:
                continue
            scope = e.commodity or "all goods"
            key = (str(e.period), e.flow, e.exporter, e.importer, scope, e.reporter)
            latest[key] = {"event": e.id, "period": str(e.period), "flow": e.flow, "exporter": e.exporter,
                           "importer": e.importer, "value": e.value, "change": e.change, "reported": str(e.date),
                           "certain": by(span(e), self.day) is True and period[1] <= self.day,
                           "reporter": e.reporter, "scope": scope}
        return sorted(latest.values(), key=lambda r: (PartialDate.parse(r["period"]).earliest_ordinal, r["flow"],
                                                       r["scope"], r["reporter"] or ""))

    # -- summary ---------------------------------------------------------------------------

    def summary(self) -> list[dict[str, Any]]:
        def count(pair: tuple[int, int]) -> tuple[str, str, str]:
            whole = str(pair[0]) if pair[0] == pair[1] else f"{pair[0]} (possibly {pair[1]})"
            return whole, str(pair[0]), str(pair[1])

        def total(pair: tuple[Any, Any]) -> tuple[str, str, str]:
            low, high = pair
            if high is None:
                return "none", "none", "none"
            whole = str(low) if low == high else f"{low or 0} (possibly {high})"
            return whole, str(low or "none"), str(high)

        def stages(rows: list[dict[str, Any]]) -> str:
            counts: dict[str, int] = {}
            for row in rows:
                counts[row["stage"]] = counts.get(row["stage"], 0) + 1
            return ", ".join(f"{stage} {n}" for stage, n in sorted(counts.items())) or "none"

        supply = []
        for row in self.supply():
            maybe_halted, surely_halted = self.halted(row["route"], row["commodity"])
            if not surely_halted:
                supply.append({**row, "certain": row["certain"] and not maybe_halted})
        members = self.members("eaeu")
        projects, _ = self.projects()
        sanctions = self.sanctions()
        meetings = self.meetings()
        routes = ", ".join(r["route"] for r in supply) or "none"
        eaeu = ", ".join(r["member"] for r in members) or "none"
        lines = [
            ("agreements in force", *count(self.agreement_count("in force"))),
            ("agreements signed, not yet in force", *count(self.agreement_count("signed"))),
            ("contracted pipeline gas (binding)", *total(self.contracted("pipeline_gas"))),
            ("contracted oil (binding)", *total(self.contracted("oil"))),
            ("routes delivering", routes, ", ".join(r["route"] for r in supply if r["certain"]) or "none", routes),
            ("EAEU members", eaeu, ", ".join(r["member"] for r in members if r["certain"]) or "none", eaeu),
            ("sanctions measures in force", *count((sum(r["certain"] for r in sanctions), len(sanctions)))),
            ("projects by stage", stages(projects), stages([r for r in projects if r["certain"]]), stages(projects)),
            ("meetings and forums held", *count((sum(r["certain"] for r in meetings), len(meetings)))),
        ]
        return [{"item": item, "value": value, "certain": sure, "possible": maybe}
                for item, value, sure, maybe in lines]


def remaining(volume: Quantity | None, parts: list[Quantity | None]) -> Quantity | None:
    """What is left of a volume after later documents take parts of it (``None``: all of it)."""
    for part in parts:
        if volume is None or part is None:
            return None
        if part.dimension != volume.dimension:
            continue
        volume = volume - part
    return volume if volume is not None and volume.value > 0 else None
