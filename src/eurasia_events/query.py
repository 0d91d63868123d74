"""As-of queries: the state of the relationship at the end of a day, and as known at an instant.

``log.as_of(day, known_at=...)`` returns a :class:`State`, whose methods are the built-in
views. Each view is a :class:`View`: immutable rows (each with ``certain``), totals, and
renderings for terminals and notebooks.

Speed: a query reads the engine's checkpoint index (:mod:`eurasia_events._engine.index`)
through a :class:`~eurasia_events._engine.index.DayView`: the rows that may have happened
by the day and the fold state on it.
"""

from __future__ import annotations

import collections
import functools
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Sized
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar

import attrs

from ._engine.gc import bulk, paused
from ._engine.index import Basis, DayView
from ._engine.rows import Row, row_class, typed
from .dates import DayLike, InstantLike, PartialDate, query_period, to_day, to_instant
from .entities import EntityKind
from .errors import EurasiaEventsError
from .events import Event
from .projections import (
    MEASURE_STEPS,
    AgreementState,
    FoldState,
    LevelReached,
    MeasureState,
    Projection,
    ProjectState,
    Span,
    SupplyState,
    Trail,
    add_possible,
    agreement_facts,
    certainly_after,
    fold,
    furthest,
    is_pending,
    may_anchor,
    may_be_last,
    measure_until,
    reached,
    shown_in_force,
    span_text,
    steady,
    switched_on,
    term_anchor,
    trail_items,
    walk,
)
from .quantities import UNITS, Quantity
from .views import (
    AgreementRow,
    Count,
    DesignationRow,
    DiffRow,
    FinanceRow,
    MeetingRow,
    MemberRow,
    PolicyRow,
    ProjectRow,
    SanctionRow,
    SeriesRow,
    SummaryRow,
    SupplyRow,
    TimelineRow,
    Total,
    TradeRow,
    View,
    VolumeRow,
    fields_of,
)

if TYPE_CHECKING:
    from .log import Log

__all__ = ["AGREEMENT_STATUSES", "MEASURES", "TIMELINE_INTERACTIONS", "VIEW_NAMES", "State", "as_of", "diff",
           "project", "series", "timeline"]

# --- the state on a day --------------------------------------------------------------


class State:
    """The relationship at the end of ``day``, as the log stood at ``known_at``.

    Each method is a view; rows carry ``certain`` (False when a partial, qualified or
    disputed date straddles the day).
    """

    def __init__(self, log: Log, day: DayLike, known_at: InstantLike | None = None, *, naive: bool = False) -> None:
        self.log = log
        self.day = to_day(day)
        self.known_at = None if known_at is None else to_instant(known_at)
        self._ordinal = self.day.toordinal()
        self._view: DayView | None = None
        # Per fold row (by id): what was worked out from it, and the days it holds on (see _facts);
        # the index's, shared by the queries on it, unless the state is naive.
        self._memo: dict[int, Any] = {}
        if naive:
            # The reference answer: a plain fold of every event that may have happened by the day,
            # sorted here again, by its own key, independently of the index's order.
            rows = sorted((typed(r) for r in log.engine.rows(self.known_at)), key=lambda s: (s.lo, s.seq))
            self._naive = [r for r in rows if r.lo <= self._ordinal]
            self._count = len(self._naive)
            self._fold = fold(FoldState(), self._naive)
        else:
            # A query costs the events since a checkpoint; the rows are taken only by the views that need them.
            self._view = log.engine.day(self._ordinal, self.known_at)
            self._count = self._view.count
            self._memo = self._view.memo

    @functools.cached_property
    def sketches(self) -> list[Row]:
        """Typed rows of the events that may have happened by the day, in fold order (no event is built)."""
        return self._naive if self._view is None else [typed(s) for s in self._view.rows()]

    def _of(self, *tags: str) -> list[Row]:
        """Typed rows of the events of these types that may have happened by the day."""
        if self._view is None:
            return [r for r in self._naive if r.TYPE in tags]
        return self._view.of(frozenset(tags))

    def _stored(self, *tags: str) -> list[Row]:
        """Rows as stored (no typed view made) of the events of these types that happened by the day."""
        found = [r for r in self._naive if r.TYPE in tags] if self._view is None else \
            self._view.of(frozenset(tags), as_stored=True)
        status = {tag: row_class(tag)._fields.index("status_text") for tag in tags}  # type: ignore[attr-defined]
        return [r for r in found if r[status[r[0]]] == "happened"]

    def _held(self, *tags: str) -> Count:
        """How many events of these types that happened (by status) certainly, and possibly,
        took place by the day: from the index's columns (a naive state counts its rows)."""
        if self._view is None:
            found = self._stored(*tags)
            return Count(sum(r.hi <= self._ordinal for r in found), len(found))
        return Count(*self._view.held(frozenset(tags)))

    def _view_count(self, name: str) -> Count:
        """The count of a view by name (as :meth:`view` names it, with its default options),
        without making its rows where the view allows."""
        if name == "meetings":
            return self._held("meeting", "forum")
        if name == "sanctions":
            return self._sanctions_count()
        if name == "projects":
            lines = self._project_lines()
            return Count(sum(line[4] for _, line in lines), len(lines))
        return self.view(name).count

    @functools.cached_property
    def events(self) -> list[Event]:
        """Events that may have happened by the day, in fold order (each built in full)."""
        return [self.log.engine.event(row, self.known_at) for row in self.sketches]

    @functools.cached_property
    def fold(self) -> FoldState:
        """The keyed views' fold state on the day: this state's own copy (the dicts copied, their
        immutable values shared), so changing it changes no answer."""
        return self._fold.copy()

    @functools.cached_property
    def _fold(self) -> FoldState:
        """The fold state the views read, shared with later queries on the same layers: never changed."""
        assert self._view is not None
        return self._view.fold

    def __repr__(self) -> str:
        known = f", known_at={self.known_at}" if self.known_at else ""
        return f"<State as of {self.day}{known}: {self._count} events may have happened>"

    def _repr_html_(self) -> str:
        from .notebook import state_html  # the notebook display: the day and the summary

        return state_html(self)

    def _title(self, what: str) -> str:
        known = f" (as known at {self.known_at})" if self.known_at else ""
        return f"{what} as of {self.day}{known}"

    # -- agreements and volumes ----------------------------------------------------------

    @bulk
    def agreements(self, *, status: str | None = None, party: str | None = None) -> View[AgreementRow]:
        """Treaties, statements, memoranda and contracts signed by the day, with their status.

        Status is one of: signed, in force, expired, terminated, suspended, superseded: the
        latest possibly reached, certain when it is the only status the agreement may have.
        ``status=`` keeps the agreements that may have that status on the day, each row saying
        it (certain when it is the only one). A party is an entity's id, name or alias. The
        rows are made when first read; ``len`` and ``count`` do not need them.
        """
        if status is not None and status not in AGREEMENT_STATUSES:
            raise EurasiaEventsError(f"unknown agreement status {status!r}; expected one of "
                                     f"{', '.join(AGREEMENT_STATUSES)}")
        if party is not None:
            if not isinstance(party, str):
                raise EurasiaEventsError(f"party: expected an entity's id, name or alias, got {party!r}")
            party = self.log.entities.resolve(party).id
        chosen: _Shown = self._once(("agreements", status, party),
                                    lambda: _Shown(*self._chosen(self._fold.agreements.values(), status, party)))

        def make() -> tuple[AgreementRow, ...]:
            with paused():
                rows = []
                for row in chosen:
                    state, certain, until = self._status(row)
                    in_force = shown_in_force(row, self._ordinal)
                    if status is not None:  # possibly that status: said so, certain when it is the only one
                        state, certain = status, self._possible(row) == {status}
                    rows.append(AgreementRow(
                        agreement=row.agreement, title=row.title, kind=row.kind, status=state, certain=certain,
                        binding=row.binding, parties=row.parties, signed=span_text(row.signed),
                        in_force_from=None if in_force is None else span_text(in_force),
                        in_force_until=None if until is None else span_text(until),
                        commodity=row.commodity, annual_volume=row.annual_volume, events=row.events,
                        ratified=self._ratified(row.agreement),
                    ))
                rows.sort(key=lambda r: (r.signed, r.agreement))
                return tuple(rows)

        return View("agreements", make, fields_of(AgreementRow), title=self._title("Agreements"), sure=chosen.sure,
                    size=len(chosen))

    def _chosen(self, rows: Iterable[AgreementState], status: str | None, party: str | None
                ) -> tuple[list[AgreementState], int]:
        """Those of the fold rows that :meth:`agreements` shows, and how many are certain."""
        day = self._ordinal
        chosen: list[AgreementState] = []
        sure = 0
        for row in rows:
            signed = row.signed
            if day < signed[0] or (party is not None and party not in row.parties):
                continue  # certainly not signed by the day, or another party's
            if status is not None:
                possible = self._possible(row)
                if status not in possible:
                    continue
                sure += possible == {status}
            else:
                sure += signed[1] <= day
            chosen.append(row)
        return chosen, sure

    def _anchor(self, row: AgreementState) -> Span | None:
        return term_anchor(row, self._fold.supply, self._ordinal)

    def _facts(self, row: AgreementState) -> _AgreementFacts:
        """The agreement's status on the day (its term counted from the event it names) and
        every status it may have, remembered with the days they hold on (see :func:`steady`)."""
        found: _AgreementFacts | None = self._recall(row)
        if found is not None and (found[3] is _NO_ANCHOR or found[3] == self._anchor(row)):
            return found
        anchor = self._anchor(row)
        status, possible, (lo, hi) = agreement_facts(row, self._ordinal, anchor)
        found = (row, lo, hi, anchor if may_anchor(row) else _NO_ANCHOR, status, possible)
        self._remember(found)
        return found

    def _recall(self, row: Any) -> Any:
        """What a query remembered of a fold row, ``(row, lo, hi, ...)``, if it holds on the day
        (``lo <= day < hi``), else ``None``."""
        found = self._memo.get(id(row))
        return found if found is not None and found[0] is row and found[1] <= self._ordinal < found[2] else None

    def _remember(self, facts: tuple[Any, ...]) -> None:
        """Remember ``(row, lo, hi, ...)`` for the queries on the index (see :meth:`_recall`)."""
        memo = self._memo
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()  # rows replaced since: dropped with the rest, the others are soon back
        memo[id(facts[0])] = facts

    @functools.cached_property
    def _shared(self) -> dict[Hashable, Any]:
        """What was worked out from the fold and the day alone (counts, totals), for every state
        on the same fold and day: kept in the memo for the last :data:`_DAYS_KEPT` days asked
        (fewer if they hold more than :data:`_ENTRIES_KEPT` entries), each for the last fold
        asked on it, and brought up to date when a later fold differs from it in few keys (see
        :meth:`_patched`).

        A fold is never changed while anything reads it (a retroactive event makes a new one,
        or, once nothing holds the last one, changes its dicts under a new state object).
        A day's slot refers to it weakly: it keeps no fold alive, and a fold made later at the
        same address never passes for it.
        """
        fold, view = self._fold, self._view
        days: dict[int, _Slot] = self._memo.setdefault(id(_SHARED), {})
        found = days.pop(self._ordinal, None)  # put back last: the most recently asked
        if found is None or found.fold() is not fold:
            patched: dict[Hashable, Any] = {}
            if found is not None and found.basis is not None and view is not None:
                changed = view.changes(found.basis)  # None: too much changed to patch
                if changed is not None:
                    patched = self._patched(found.shared, changed)
            found = _Slot(weakref.ref(fold), patched, None if view is None else view.made.basis())
        days[self._ordinal] = found
        while len(days) > _DAYS_KEPT or (len(days) > 1 and sum(map(_entries, days.values())) > _ENTRIES_KEPT):
            del days[next(iter(days))]
        return found.shared

    def _patched(self, earlier: dict[Hashable, Any], changed: dict[str, dict[Any, Any]]) -> dict[Hashable, Any]:
        """What :attr:`_shared` held for an earlier fold on the same day, brought up to date by
        the keys whose values may differ (each with its value in that fold, see
        :meth:`~eurasia_events._engine.index.DayView.changes`): the entries worked out
        row by row, from what each row gives, and those read off state no changed key is
        in; the others are worked out again when asked.

        An agreement's status may count its term from the start of deliveries on its route
        (:func:`~eurasia_events.projections.term_anchor`): a change to the supply state that
        opens, closes or moves a route's opening leaves no agreement's entry to patch. Other
        changes to it (a level reached, or a route's state folded again with the same opening,
        as a retroactive milestone of its project does) leave the agreements as they were.
        """
        @functools.cache  # each entry below reads the same rows
        def rows(field: str) -> tuple[list[Any], list[Any]]:  # the changed keys' rows: in the earlier fold, in this one
            found = getattr(self._fold, field)
            return ([row for row in changed[field].values() if row is not None],
                    [found[key] for key in changed[field] if key in found])

        @functools.cache
        def agreements_changed() -> list[AgreementState]:  # the changed agreements' rows, before and after
            before, after = rows("agreements")
            return [*before, *after]

        supply = self._fold.supply
        openings_moved = any(_opening(before) != _opening(supply.get(key)) for key, before in changed["supply"].items())
        shared: dict[Hashable, Any] = {}
        for key, value in earlier.items():
            if key == "sanctions count":
                gone, came = map(self._sanctions_count_now, rows("measures"))
                shared[key] = Count(value.certain - gone.certain + came.certain,
                                    value.possible - gone.possible + came.possible)
            elif key == "supply lines":  # read off the supply state alone
                if not changed["supply"]:
                    shared[key] = value
            elif isinstance(key, tuple) and key[0] == "founding":  # the founding treaties, read off their rows
                if not any(row.founds == key[1] for row in agreements_changed()):
                    shared[key] = value
            elif openings_moved:
                continue
            elif key == "status tally":
                less, more = map(self._status_tally, rows("agreements"))
                tally = collections.Counter(value)
                tally.subtract(less)
                tally.update(more)
                shared[key] = {found: n for found, n in tally.items() if n}
            elif isinstance(key, tuple) and key[0] == "agreements":
                old_rows, new_rows = rows("agreements")
                shared[key] = value.patched(self._chosen(old_rows, *key[1:]), self._chosen(new_rows, *key[1:]))
            elif isinstance(key, tuple) and key[0] in ("contracted", "volume names"):  # a commodity's plan
                if not _volumes_touched(earlier.get(("volume names", key[1])), key[1], agreements_changed()):
                    shared[key] = value
            elif isinstance(key, tuple) and key[0] == "volume documents":
                docs = dict(value)  # the plan reads them in no set order (see _volume_plan)
                for name in changed["agreements"]:
                    docs.pop(name, None)
                docs.update(self._volume_documents(rows("agreements")[1], key[1]))
                shared[key] = docs
        return shared

    def _once(self, key: Hashable, work: Callable[[], _T]) -> _T:
        """``work()``, done once for the fold and the day (see :attr:`_shared`): read it, never change it."""
        shared = self._shared
        if key not in shared:
            shared[key] = work()
        found: _T = shared[key]
        return found

    def _status(self, row: AgreementState) -> tuple[str, bool, Span | None]:
        """The agreement's status on the day, its term counted from the event it names."""
        return self._facts(row)[4]

    def _possible(self, row: AgreementState) -> frozenset[str]:
        """Every status the agreement may have on the day."""
        return self._facts(row)[5]

    def _agreement_counts(self, *statuses: str) -> list[Count]:
        """How many agreements certainly and possibly have each status on the day."""
        certain, possible = [0] * len(statuses), [0] * len(statuses)
        for found, n in self._once("status tally", lambda: self._status_tally(self._fold.agreements.values())).items():
            for at, status in enumerate(statuses):
                if status in found:
                    possible[at] += n
                    certain[at] += n if len(found) == 1 else 0
        return [Count(*pair) for pair in zip(certain, possible, strict=True)]

    def _status_tally(self, rows: Iterable[AgreementState]) -> dict[frozenset[str], int]:
        """How many of the agreements have each set of possible statuses on the day: a handful
        of sets (one pass; those not signed yet are not counted)."""
        day = self._ordinal
        recall, facts = self._recall, self._facts
        tally: dict[frozenset[str], int] = {}
        for row in rows:
            if day < row.signed[0]:
                continue  # not signed yet: no status counted
            found = recall(row)
            if found is None or found[3] is not _NO_ANCHOR:
                found = facts(row)
            tally[found[5]] = tally.get(found[5], 0) + 1
        return tally

    @bulk
    def volumes(self, commodity: str = "pipeline_gas", *, binding: bool | None = True) -> View[VolumeRow]:
        """Contracted annual supply of a commodity per agreement, and the total, each lineage counted once.

        ``binding=True`` counts binding supply contracts; ``False`` every other document
        stating a volume (memoranda, frameworks, heads of agreement, including a memorandum
        called "legally binding", which is not a sales contract); ``None`` both.

        Documents form lineages through recorded relations (``agreement_related`` events
        and ``supersedes`` fields): an amendment joins its agreement, whose newest document
        in the view counts for all; a document restating or implementing another takes over
        its volume (or the ``part`` named), and a superseded or replaced one counts no more.
        Two documents on one route with no recorded relation are presumed to restate: the
        newest counts. Each row says whether it counts, how much, and why not.
        """
        day = self._ordinal
        docs, counted_volume, notes, shown = self._volume_plan(commodity, binding)
        rows = []
        sure = 0
        for name, (row, state, certain, _) in docs.items():
            if not shown(row):
                continue
            assert row.annual_volume is not None
            high = counted_volume.get(name, (None, None))[1]
            term = None if row.term is None else Quantity(row.term, "years")
            rows.append(VolumeRow(
                agreement=row.agreement, kind=row.kind, route=row.route, commodity=commodity, binding=row.binding,
                status=state, certain=certain, annual_volume=row.annual_volume, term=term,
                cumulative=None if term is None else row.annual_volume * term, counted=high is not None,
                counted_volume=high, note=notes.get(name, ""),
            ))
            sure += reached(row.signed, day) is True
        rows.sort(key=lambda r: (r.route or "", r.agreement))
        totals = _volume_totals(docs, counted_volume, shown)
        what = {True: "binding contracts", False: "memoranda and frameworks", None: "all documents"}[binding]
        return View("volumes", tuple(rows), fields_of(VolumeRow), totals,
                    title=self._title(f"Contracted {commodity} ({what})"), sure=sure)

    def _volume_plan(self, commodity: str, binding: bool | None) -> tuple[
            dict[str, _Doc], dict[str, tuple[Quantity | None, Quantity | None]], dict[str, str],
            Callable[[AgreementState], bool]]:
        """What :meth:`volumes` shows, without its rows: the documents (fold row, status,
        whether certain, possible statuses), the volume each lineage head counts (certain,
        possible), the notes, and which documents the view shows.

        Nothing here depends on the order the documents come in (a retroactive change puts the
        documents it touched last, see :meth:`_patched`): groups are sorted, the newest is
        chosen by dates and ids, and totals are in the unit of the first row (see
        :func:`_volume_totals`)."""
        day = self._ordinal
        docs: dict[str, _Doc] = self._once(("volume documents", commodity),
                                           lambda: self._volume_documents(self._fold.agreements.values(), commodity))

        def shown(row: AgreementState) -> bool:
            return binding is None or (row.kind == "supply_contract" and row.binding) == binding

        def alive(name: str) -> tuple[bool, bool]:
            """Whether a document certainly, and possibly, is in force on the day."""
            _, _, _, found = docs[name]
            return found == {"in force"}, "in force" in found

        # Amendments join the agreement they amend: one group per lineage root.
        root: dict[str, str] = {name: name for name in docs}

        def find(name: str) -> str:
            while root[name] != name:
                name = root[name]
            return name

        for name, (row, *_) in docs.items():
            for relation, later, span, _ in row.relations:
                if relation == "amends" and later in docs and reached(span, day) is not False:
                    root[find(later)] = find(name)
        groups: dict[str, list[str]] = {}
        for name in docs:
            groups.setdefault(find(name), []).append(name)

        notes: dict[str, str] = {}
        counted_volume: dict[str, tuple[Quantity | None, Quantity | None]] = {}  # head -> (certain, possible)
        for members in groups.values():
            if len(members) > 1:
                members.sort(key=lambda n: (docs[n][0].signed, n))
            visible = [n for n in members if shown(docs[n][0])]
            possible_heads = [n for n in visible if alive(n)[1]]
            certain_heads = [n for n in visible if alive(n)[0]]
            for name in members:
                if docs[name][1] == "superseded" and docs[name][3] == {"superseded"}:
                    row = docs[name][0]
                    by = row.superseded_by[1] if row.superseded_by else "?"
                    kind = next((r for r, later, _, _ in row.relations if later == by), "supersedes")
                    notes[name] = f"{'replaced' if kind == 'replaces' else 'superseded'} by {by}"
            if not possible_heads:
                continue
            head = possible_heads[-1]
            for name in visible:
                if name != head and name not in notes:
                    notes[name] = f"amended by {head}"
            high = docs[head][0].annual_volume
            low = docs[certain_heads[-1]][0].annual_volume if certain_heads else None
            if low is not None and high is not None and low.dimension != high.dimension:
                low = None  # documents of one lineage in different units: nothing is certain
            elif low is not None and high is not None and not alive(head)[0]:
                low, high = min(low, high), max(low, high)
            elif not certain_heads:
                low = None
            # What later documents restating or implementing this lineage take over.
            taken: list[tuple[str, str, Quantity | None, bool]] = []
            for name in members:
                for relation, later, span, part in docs[name][0].relations:
                    if relation not in ("restates", "implements") or reached(span, day) is False:
                        continue
                    later_row = self._fold.agreements.get(later)
                    if later_row is None or reached(later_row.signed, day) is False:
                        continue
                    found = self._possible(later_row)
                    if not found & {"in force", "superseded"}:
                        continue
                    firm = reached(span, day) is True and found <= {"in force", "superseded"}
                    taken.append((relation, later, part, firm))
            certain_left = _remaining(low, [part for _, _, part, _ in taken])
            possible_left = _remaining(high, [part for _, _, part, firm in taken if firm])
            if taken:
                said = ", ".join(f"{'' if part is None else f'{part} '}{_PAST[relation]} by {later}"
                                 for relation, later, part, _ in taken)
                notes[head] = said if possible_left is None else f"partly: {said}"
            counted_volume[head] = (certain_left, possible_left)

        # Documents on one route with no recorded relation: the newest restates the others (of
        # two signed on the same day, the greater id: not whichever the fold met first). Where the
        # signatures leave open which is newest, each that may be possibly counts, and the route
        # certainly counts the least of them.
        on_route: dict[str, list[str]] = {}
        for head in counted_volume:
            route = docs[head][0].route
            if route is not None and counted_volume[head][1] is not None:
                on_route.setdefault(route, []).append(head)

        for heads in on_route.values():
            _restate_on_route(heads, docs, counted_volume, notes)
        return docs, counted_volume, notes, shown

    def _volume_documents(self, rows: Iterable[AgreementState], commodity: str) -> dict[str, _Doc]:
        """Those of the fold rows that :meth:`volumes` reads for a commodity (whatever ``binding``):
        each document stating a volume, signed possibly by the day, possibly in force or superseded."""
        day = self._ordinal
        docs: dict[str, _Doc] = {}
        for row in rows:
            if row.annual_volume is None or row.commodity != commodity or reached(row.signed, day) is False:
                continue
            facts = self._facts(row)
            (state, certain, _), found = facts[4], facts[5]
            if found & {"in force", "superseded"}:
                docs[row.agreement] = (row, state, certain, found)
        return docs

    @bulk
    def contracted(self, commodity: str = "pipeline_gas", *, binding: bool | None = True) -> Total:
        """The total contracted annual volume (certain and possible); zero-free ``None`` if none.

        The total of :meth:`volumes`, worked out without making its rows.
        """
        def work() -> Total:
            docs, counted_volume, _, shown = self._volume_plan(commodity, binding)
            total: Total = _volume_totals(docs, counted_volume, shown).get("annual volume", Total(None, None))
            self._once(("volume names", commodity), lambda: _names_related(docs))  # what keeps it (see _patched)
            return total

        return self._once(("contracted", commodity, binding), work)

    # -- supply, members, sanctions, projects --------------------------------------------

    @bulk
    def supply(self) -> View[SupplyRow]:
        """Routes delivering by the day (from their first ``supply_started``), with their design
        capacity, and the latest level reached by the day (``supply_level``: ramp-up, plateau,
        reduced, halted), each at its own date: a level never re-dates the opening.

        >>> import eurasia_events as ee
        >>> row = ee.load().as_of("2025-06-30").supply().get(route="power-of-siberia")
        >>> row.since, str(row.design_capacity), row.level_stage, row.level_since
        ('2019-12-02', '38 bcm/yr', 'plateau', '2024-12-01')
        """
        rows = [SupplyRow(route=route, commodity=commodity, since=since, certain=certain, design_capacity=design,
                          event=supply.event, level=None if level is None else level.level,
                          level_stage=None if level is None else level.stage,
                          level_since=None if level is None else span_text(level.span),
                          level_certain=None if level is None else _level_certain(supply, level, self._ordinal),
                          level_event=None if level is None else level.event)
                for route, commodity, supply, since, certain, design, level in self._supply_lines()]
        rows.sort(key=lambda r: (r.since or "", r.route, r.commodity))  # one route may carry several
        return View("supply", tuple(rows), fields_of(SupplyRow), title=self._title("Supply"))

    def _supply_lines(self) -> list[tuple[str, str, SupplyState, str | None, bool, Quantity | None,
                                          LevelReached | None]]:
        """What :meth:`supply` shows, unsorted, without its rows: per route delivering, its route,
        commodity, fold row, opening (text), whether certain, design capacity and latest level."""
        return self._once("supply lines", self._supply_lines_now)

    def _supply_lines_now(self) -> list[tuple[str, str, SupplyState, str | None, bool, Quantity | None,
                                              LevelReached | None]]:
        lines = []
        for (route, commodity), supply in self._fold.supply.items():
            levels = _levels(supply, self._ordinal)
            levels.sort(key=lambda item: item.span)  # stable: a tie keeps fold order
            design = supply.capacity
            for item in levels:
                design = item.capacity or design
            if supply.since is not None:
                since, certain = span_text(supply.since), bool(reached(supply.since, self._ordinal))
            elif levels:  # the opening is not in the log: deliveries are under way once a level is
                since, certain = None, bool(reached(levels[0].span, self._ordinal))
            else:
                continue
            lines.append((route, commodity, supply, since, certain, design, levels[-1] if levels else None))
        return lines

    @bulk
    def members(self, organisation: str = "eaeu") -> View[MemberRow]:
        """Member states of an organisation on the day.

        Founding members count from the founding treaty's entry into force (not its
        signature); others from their accession taking effect, until they leave.
        """
        organisation = self.log.entities.resolve(organisation).id
        rows = [MemberRow(organisation=organisation, member=member, since=span_text(since), certain=certain,
                          events=events) for member, since, certain, events in self._member_lines(organisation)]
        rows.sort(key=lambda r: (r.since, r.member))
        return View("members", tuple(rows), fields_of(MemberRow),
                    title=self._title(f"Members of {self.log.entities[organisation].name}"))

    def _founding_now(self, organisation: str) -> list[AgreementState]:
        """The treaties founding an organisation, by agreement id, not in the fold's key order
        (which a retroactive event can change): their items on one day stay in one order through
        the stable sort of :meth:`_member_lines`."""
        return sorted((row for row in self._fold.agreements.values() if row.founds == organisation),
                      key=lambda row: row.agreement)

    def _member_lines(self, organisation: str) -> list[tuple[str, Span, bool, tuple[str, ...]]]:
        """What :meth:`members` shows, unsorted, without its rows: per member, since when,
        whether certain, and the events read."""
        changes: dict[str, list[tuple[str, Span, str]]] = {}
        for row in self._once(("founding", organisation), lambda: self._founding_now(organisation)):
            if row.in_force is not None:
                for party in row.parties:
                    if self.log.entities.get(party) and self.log.entities[party].kind is EntityKind.STATE:
                        changes.setdefault(party, []).append(("joined", row.in_force, row.events[-1]))
        for (org, member), stored in self._fold.memberships.items():
            if org == organisation:
                changes.setdefault(member, []).extend(trail_items(stored))
        lines = []
        for member, items in changes.items():
            items.sort(key=lambda item: item[1])
            # Two readings bound the truth, as for designations: every accession and exit that may
            # have happened by the day, and only those that certainly have. A member in both:
            # certain; in one: possible (an exit dated only by its year leaves a member possibly in).
            readings: list[Span | None] = []
            for strict in (False, True):
                since: Span | None = None
                for change, span, _ in items:
                    seen = reached(span, self._ordinal)
                    if seen is False or (strict and seen is None):
                        continue
                    if change == "left":
                        since = None
                    elif since is None:
                        since = span
                readings.append(since)
            # Whether a member, in any order the dates allow (a second accession dated only by
            # its year may have come after an exit); since: as the readings say, where they do.
            _, certainly, last = switched_on(((change, span) for change, span, _ in items), self._ordinal, "joined")
            if last is not None:  # else certainly not a member
                events = tuple(e for _, span, e in items if reached(span, self._ordinal) is not False)
                lines.append((member, readings[1] or readings[0] or last, certainly, events))
        return lines

    def _ratified(self, agreement: str) -> tuple[str, ...]:
        """Each party's ratification of an agreement possibly made by the day, in date order."""
        found = [item for item in trail_items(self._fold.ratifications.get(agreement))
                 if reached(item[2], self._ordinal) is not False]
        found.sort(key=lambda item: (item[2], item[0]))
        return tuple(f"{party}: {body}, {span_text(span)}{'' if reached(span, self._ordinal) else '?'}"
                     for party, body, span, _ in found)

    def _measure_status(self, m: MeasureState) -> tuple[str, bool, frozenset[str], Span | None]:
        """A measure's status on the day (adopted, in force, lifted, expired: the latest possibly
        reached), whether certain (the only status it may have), every status it may have, and
        its last day in force counting every renewal possibly made (:func:`measure_until`),
        remembered with the days they hold on (see :func:`steady`)."""
        found = self._recall(m)
        if found is None:
            day, possible = self._ordinal, set[str]()
            until, may_end = measure_until(m, day)
            milestones = [("adopted", m.adopted), ("in force", m.effective)]
            lifted = [] if m.lifted is None else [("lifted", m.lifted)]
            ends = [*lifted, *_expired(until)]
            latest = walk(milestones, ends, day, "adopted")
            if may_end != until:
                ends = [*lifted, *_expired(may_end)]
            cut = add_possible(milestones, ends, day, possible, "not yet adopted", joined=m.effective_on_adoption)
            if len(m.liftings) > 1:  # the last lifting by date stands, and which is may be open
                expired = ends[len(lifted):]
                for _, effect in may_be_last(m.liftings, day):
                    if effect != m.lifted:
                        reading = walk(milestones, [("lifted", effect), *_expired(until)], day, "adopted")
                        latest = furthest(latest, reading, MEASURE_STEPS)
                        cut.extend(add_possible(milestones, [("lifted", effect), *expired], day, possible,
                                                "not yet adopted", joined=m.effective_on_adoption))
                cut.extend(span for pair in m.liftings for span in pair)
            spans = (m.adopted, m.effective, m.lifted, *(span for _, span in _expired(until)),
                     *(span for _, span in _expired(may_end)), *(span for span, _ in m.renewals), *cut)
            lo, hi = steady(spans, day)
            found = (m, lo, hi, (latest, possible == {latest}, frozenset(possible), until))
            self._remember(found)
        status: tuple[str, bool, frozenset[str], Span | None] = found[3]
        return status

    def _designated(self, m: MeasureState) -> _Designated:
        """Entities possibly designated under a measure on the day: whether certainly, since when, by which events.

        Designated possibly when a listing may be the last change by the day, certainly when a
        listing certainly took effect and no delisting may come after it (see :func:`switched_on`).
        Since: the listing in force reading every change that may have taken effect by the day,
        or only those that certainly have (the latter first).
        """
        changes: dict[str, list[tuple[str, Span, str]]] = {}
        for entity, change, span, event_id in m.designations:
            changes.setdefault(entity, []).append((change, span, event_id))
        found = {}
        for entity, items in changes.items():
            items.sort(key=lambda item: item[1])
            readings = []
            for strict in (False, True):
                listed: tuple[Span, ...] | None = None
                for change, span, _ in items:
                    seen = reached(span, self._ordinal)
                    if seen is False or (strict and seen is None):
                        continue
                    listed = (span,) if change == "listed" else None
                readings.append(listed)
            # Whether designated, in any order the dates allow (a delisting dated only by its year
            # may have come after a relisting); since: as the readings say, where they do.
            _, certainly, last = switched_on(((change, span) for change, span, _ in items), self._ordinal, "listed")
            if last is None:
                continue  # certainly not designated
            since = (readings[1] or readings[0] or (last,))[0]
            events = tuple(e for _, span, e in items if reached(span, self._ordinal) is not False)
            found[entity] = (certainly, since, events)
        return found

    def _persons(self, m: MeasureState) -> Count | None:
        """Persons designated under a measure by the day, where the acts give numbers."""
        if not m.persons:
            return None
        low = high = 0
        for number, span in m.persons:
            seen = reached(span, self._ordinal)
            if seen is False:
                continue
            # A listing counts for sure only once certain; a delisting lowers the sure count as soon as possible.
            if number > 0:
                low += number if seen else 0
                high += number
            else:
                low += number
                high += number if seen else 0
        return Count(max(low, 0), max(high, 0))

    @bulk
    def sanctions(self, *, imposer: str | None = None, target: str | None = None,
                  in_force_only: bool = True) -> View[SanctionRow]:
        """Sanctions measures on the day, keyed on their effective date (not only adoption).

        ``target`` (an entity id, name or alias) keeps the measures that designate that
        entity by name on the day: country-wide measures naming only ``RU`` do not list a
        bank. A row is certain when the measure certainly is in force and the target
        certainly designated. With ``in_force_only=False`` also measures adopted but not yet
        effective, expired or lifted.
        """
        who = None if target is None else self.log.entities.resolve(target).id
        by = None if imposer is None else self.log.entities.resolve(imposer).id
        chosen = self._sanctions_chosen(who, by, in_force_only=in_force_only)

        def make() -> tuple[SanctionRow, ...]:
            with paused():
                return self._sanction_rows(chosen)

        return View("sanctions", make, fields_of(SanctionRow), title=self._title("Sanctions"),
                    sure=sum(certain for _, _, certain, _ in chosen), size=len(chosen))

    def _sanctions_count(self) -> Count:
        """How many sanctions measures certainly, and possibly, are in force on the day: the
        count of :meth:`sanctions` (all imposers and targets), without its rows."""
        return self._once("sanctions count", lambda: self._sanctions_count_now(self._fold.measures.values()))

    def _sanctions_count_now(self, measures: Iterable[MeasureState]) -> Count:
        """How many of the measures certainly, and possibly, are in force on the day."""
        certain = possible = 0
        for m in measures:  # (a row of acts awaiting their imposition is never in force)
            found = self._measure_status(m)[2]
            if "in force" in found:
                possible += 1
                certain += len(found) == 1
        return Count(certain, possible)

    def _sanctions_chosen(self, who: str | None, by: str | None, *, in_force_only: bool
                          ) -> list[tuple[MeasureState, str, bool, _Designated | None]]:
        """The measures :meth:`sanctions` shows, each with the status its row says, whether certain,
        and its designations on the day when choosing it read them (for ``target``)."""
        chosen = []
        for m in self._fold.measures.values():
            if (by is not None and m.imposer != by) or is_pending(m):
                continue
            status, certain, found, _ = self._measure_status(m)
            if in_force_only:  # possibly in force: said so, certain when it is the only status it may have
                if "in force" not in found:
                    continue
                status, certain = "in force", len(found) == 1
            designations = None
            if who is not None:  # designating the target on the day
                if status == "adopted":
                    if who not in m.targets:
                        continue
                else:
                    designations = self._designated(m)
                    if who not in designations:
                        continue
                    certain = certain and designations[who][0]
            chosen.append((m, status, certain, designations))
        return chosen

    def _sanction_rows(self, chosen: list[tuple[MeasureState, str, bool, _Designated | None]]
                       ) -> tuple[SanctionRow, ...]:
        rows = []
        for m, status, certain, designations in chosen:
            until = self._measure_status(m)[3]
            persons = self._persons(m)
            if status == "adopted":
                targets = m.targets
            else:  # designated on the day, as choosing it read them (for a target) or read now
                targets = tuple(self._designated(m) if designations is None else designations)
            rows.append(SanctionRow(
                measure=m.measure, imposer=m.imposer, status=status, certain=certain, targets=targets,
                adopted=span_text(m.adopted), effective=span_text(m.effective),
                until=None if until is None else span_text(until), sectors=m.sectors,
                description=m.description, events=m.events, persons=None if persons is None else persons.certain,
            ))
        rows.sort(key=lambda r: (r.effective, r.measure))
        return tuple(rows)

    @bulk
    def designations(self, measure: str) -> View[DesignationRow]:
        """Who a sanctions measure designates on the day: one row per entity, with extensions
        and delistings applied from their effective dates.

        No rows before the measure takes effect or after it is certainly lifted or expired;
        rows are uncertain while either may have happened. ``totals["persons"]`` (a
        :class:`Count`) is the number of persons designated, where the acts give it.
        """
        m = self._fold.measures.get(measure)
        if m is None or is_pending(m):
            adopted = sorted(name for name, row in self._fold.measures.items() if not is_pending(row))
            known = ", ".join(adopted) or "none"
            raise EurasiaEventsError(f"no sanctions measure {measure!r} adopted by {self.day}; known: {known}")
        found = self._measure_status(m)[2]
        rows = []
        totals: dict[str, Any] = {}
        if "in force" in found:
            in_force = len(found) == 1
            for entity, (certain, since, events) in self._designated(m).items():
                known_entity = self.log.entities.get(entity)
                rows.append(DesignationRow(
                    measure=measure, target=entity, kind=known_entity.kind.value if known_entity else "unknown",
                    since=span_text(since), certain=certain and in_force, events=events))
            persons = self._persons(m)
            if persons is not None:
                totals["persons"] = persons if in_force else Count(0, persons.possible)
        rows.sort(key=lambda r: (r.since, r.target))
        return View("designations", tuple(rows), fields_of(DesignationRow), totals,
                    title=self._title(f"Designations under {measure}"))

    @bulk
    def policies(self, *, imposer: str | None = None, beneficiary: str | None = None,
                 in_effect_only: bool = True) -> View[PolicyRow]:
        """Unilateral policy measures (visa-free regimes...) in effect on the day.

        A measure is in effect from its effective date to its ``until`` inclusive, over any
        of its terms (renewals add terms). With ``in_effect_only=False`` also measures
        announced but not yet effective, and those that ended.
        """
        by = None if imposer is None else self.log.entities.resolve(imposer).id
        to = None if beneficiary is None else self.log.entities.resolve(beneficiary).id
        rows = []
        day = self._ordinal
        for measure, trail in self._fold.policies.items():
            terms = trail_items(trail)
            first = terms[0]
            if (by is not None and first.imposer != by) or (to is not None and first.beneficiary != to):
                continue
            possible = certain = False
            shown = terms[-1]
            for term in terms:
                started = reached(term.effective, day)
                ended = None if term.until is None else reached((term.until[0] + 1, term.until[1] + 1), day)
                if started is not False and ended is not True:
                    possible, shown = True, term
                    # certain: certainly made (a grant may take effect before it is made), started, not ended
                    certain = certain or (started is True and (term.until is None or ended is False)
                                          and reached(term.decreed, day) is True)
            if possible:
                status = "in effect"
            elif all(reached(t.effective, day) is False for t in terms):
                status, certain = "announced", reached(first.decreed, day) is True
            else:
                status, certain = "ended", reached(first.decreed, day) is True
            if in_effect_only and status != "in effect":
                continue
            rows.append(PolicyRow(
                measure=measure, imposer=shown.imposer, beneficiary=shown.beneficiary, status=status,
                certain=certain, effective=span_text(shown.effective),
                until=None if shown.until is None else span_text(shown.until), title=shown.title,
                events=tuple(t.event for t in terms)))
        rows.sort(key=lambda r: (r.effective, r.measure))
        return View("policies", tuple(rows), fields_of(PolicyRow), title=self._title("Policy measures"))

    @bulk
    def projects(self) -> View[ProjectRow]:
        """Projects with the latest stage reached by the day (``announced`` for plans only)."""
        rows = []
        sure = 0
        for p, (stage, span, certain, opened, surely, events) in self._project_lines():
            sure += surely
            rows.append(ProjectRow(project=p.project, stage=stage, since=span_text(span), certain=certain,
                                   opened=None if opened is None else span_text(opened),
                                   capacity=p.capacity, length=p.length, events=events))
        rows.sort(key=lambda r: r.project)
        return View("projects", tuple(rows), fields_of(ProjectRow), title=self._title("Projects"), sure=sure)

    def _project_lines(self) -> list[tuple[ProjectState, _ProjectLine]]:
        """What :meth:`projects` shows, unsorted, without its rows: per project entity with a stage
        possibly reached by the day, its fold row and :meth:`_project_line`."""
        lines = []
        for p in self._fold.projects.values():
            entity = self.log.entities.get(p.project)
            if entity is None or entity.kind is not EntityKind.PROJECT:
                continue
            line = self._project_line(p)
            if line is not None:
                lines.append((p, line))
        return lines

    def _project_line(self, p: ProjectState) -> _ProjectLine | None:
        """A project's latest stage by the day, with its span, whether certain, its opening,
        whether some stage was certainly reached, and the events possibly read (``None``:
        no stage possibly reached); remembered with the days it holds on (see :func:`steady`)."""
        found = self._recall(p)
        if found is None:
            # A new fold folds its last events again, making new rows for the projects they touch:
            # a project's trail (thousands of stages) is compared with the one last worked out
            # until the two meet, not read whole again.
            seen = self._memo.setdefault(id(_PROJECTS), {})
            last = seen.get(p.project)
            if last is not None and last[1] <= self._ordinal < last[2] and _same_trail(last[0].stages, p.stages):
                found = (p, *last[1:])
            else:
                day, stages = self._ordinal, trail_items(p.stages)
                lo, hi = steady((span for _, span, _ in stages), day)
                found = (p, lo, hi, _project_line(stages, day))
            self._remember(found)
            seen[p.project] = found
        line: _ProjectLine | None = found[3]
        return line

    # -- per-event views -------------------------------------------------------------------

    def _certain(self, event: Row) -> bool:
        return bool(reached(event.span, self._ordinal))

    @bulk
    def finance(self) -> View[FinanceRow]:
        """Loans, credit lines and investments signed by the day, each with its closing.

        A deal is signed on its date; it closes (the stake changes hands, the loan is drawn)
        on its date when recorded as ``completion="closed"``, or on a later ``deal_closed``
        event; a record that does not say counts as possibly closed. ``totals`` holds, per
        currency (never converted), the amount signed (key ``USD``...) and the amount closed
        (key ``closed USD``...), and ``shares``: per project, the stake each investor holds,
        a :class:`Total` counting closed deals only (certain: certainly closed by the day;
        possible: possibly closed, or not said). A seller's stake shrinks only if the log
        records what it held.
        """
        day = self._ordinal
        deals: list[tuple[Row, str, Span | None]] = []  # each deal shown, its stage and closing
        money: dict[str, list[_Sum | None]] = {}  # per key: [certain, possible]
        shares: dict[str, dict[str, tuple[Decimal, Decimal]]] = {}
        closings: dict[str, list[Row]] = {}
        for event in self._of("deal_closed"):
            if event.status_text == "happened" and event.lo <= day:
                closings.setdefault(event.deal, []).append(event)

        def count(key: str, amount: Quantity, certain: bool) -> None:
            sums = money.get(key)
            if sums is None:
                sums = money[key] = [None, None]
            if certain:
                sums[0] = _Sum.plus(sums[0], amount)
            sums[1] = _Sum.plus(sums[1], amount)

        for event in self._of("loan", "investment"):
            if event.status_text != "happened":
                continue
            certain = event.hi <= day
            closed_by = closings.get(event.id, [])
            # What was paid or drawn by the day, each part with whether it certainly was: a
            # loan drawn in tranches closes once per tranche (a closing naming no amount is
            # the whole deal).
            closed_parts: list[tuple[Quantity | None, bool]]
            if event.completion == "closed":
                closed_span: Span | None = event.span
                closed_parts = [(event.amount, True)]
            elif closed_by:
                closed_span = min(e.span for e in closed_by)
                if any(e.amount_text is None for e in closed_by):
                    closed_parts = [(event.amount, closed_span[1] <= day)]
                else:
                    closed_parts = [(e.amount, e.hi <= day) for e in closed_by]
            else:
                closed_span, closed_parts = None, [(event.amount, False)]
            if closed_span is not None:
                stage, closed_sure, closed_maybe = "closed", closed_span[1] <= day, True
            elif event.completion == "signed":
                stage, closed_sure, closed_maybe = "signed", False, False
            else:
                stage, closed_sure, closed_maybe = "not stated", False, True
            deals.append((event, stage, closed_span))
            if event.TYPE == "investment" and event.stake_text is not None and closed_maybe:
                # Bounds: a buyer certainly holds what certainly closed; a seller certainly
                # keeps only what possibly did not close.
                stake = event.stake.value
                holders = shares.setdefault(event.project, {})
                low, high = holders.get(event.investor, (Decimal(0), Decimal(0)))
                holders[event.investor] = (low + (stake if closed_sure else 0), high + stake)
                if event.seller in holders:
                    low, high = holders[event.seller]
                    holders[event.seller] = (low - stake, high - (stake if closed_sure else 0))
            if event.amount_text is not None:
                amount = event.amount
                count(amount.unit, amount, certain)
            for part, part_sure in closed_parts:
                if part is not None and closed_maybe:
                    count(f"closed {part.unit}", part, certain and closed_sure and part_sure)

        def make() -> tuple[FinanceRow, ...]:
            with paused():
                rows = []
                for event, stage, closed_span in deals:
                    common = {"event": event.id, "date": _date_text(event.date_text), "amount": event.amount,
                              "certain": event.hi <= day, "title": event.title, "stage": stage,
                              "closed": None if closed_span is None else span_text(closed_span)}
                    if event.TYPE == "loan":
                        rows.append(FinanceRow(kind=event.kind, source_of_funds=event.lender,
                                               recipient=event.borrower, project=event.project, stake=None,
                                               **common))
                    else:
                        rows.append(FinanceRow(kind="investment", source_of_funds=event.investor,
                                               recipient=event.project, project=event.project, stake=event.stake,
                                               **common))
                return tuple(rows)

        totals: dict[str, Any] = {unit: Total(*(None if part is None else part.total() for part in sums))
                                  for unit, sums in sorted(money.items())}
        if shares:
            totals["shares"] = {
                project: {investor: Total(Quantity(low, "%") if low > 0 else None, Quantity(high, "%"))
                          for investor, (low, high) in holders.items() if high > 0}
                for project, holders in shares.items()}
        return View("finance", make, fields_of(FinanceRow), totals, title=self._title("Finance"),
                    sure=sum(event.hi <= day for event, _, _ in deals), size=len(deals))

    @bulk
    def meetings(self, participant: str | None = None) -> View[MeetingRow]:
        """Summits, visits, talks and forums held by the day; filter by a participant (name or alias)."""
        who = None if participant is None else self.log.entities.resolve(participant).id
        day = self._ordinal

        def held() -> list[Row]:
            return [e for e in self._of("meeting", "forum")
                    if e.status_text == "happened" and (who is None or who in e.parties)]

        found = None if who is None else held()  # a participant's: filtered once, for the count and the rows

        def make() -> tuple[MeetingRow, ...]:
            with paused():
                return tuple(MeetingRow(event=e.id, date=_date_text(e.date_text),
                                        kind="forum" if e.TYPE == "forum" else e.kind, title=e.title,
                                        location=e.location, parties=e.parties, certain=e.hi <= day)
                             for e in (held() if found is None else found))

        count = self._held("meeting", "forum") if found is None else (  # all: from the index's columns
            Count(sum(e.hi <= day for e in found), len(found)))
        return View("meetings", make, fields_of(MeetingRow), title=self._title("Meetings"),
                    sure=count.certain, size=count.possible)

    @bulk
    def trade(self) -> View[TradeRow]:
        """The latest figure each reporter gave for periods ending by the day: one row per
        period, flow, direction, scope and reporter.

        China's and Russia's customs report the same trade differently; their figures sit
        side by side and never replace each other. No total is offered: to add figures use
        :meth:`trade_total`, which refuses to mix reporters, flows, scopes, units or
        overlapping periods.
        """
        day = self._ordinal
        latest: dict[tuple[str, str, str | None, str | None, str, str | None], Row] = {}
        for e in self._of("trade_statistic"):
            period = _date_text(e.period_text)
            if PartialDate.parse(period).earliest_ordinal > day:
                continue  # a period certainly not ended by the day
            latest[(period, e.flow, e.exporter, e.importer, e.commodity or "all goods", e.reporter)] = e

        def certain(e: Row) -> bool:
            return e.hi <= day and PartialDate.parse(e.period_text).latest_ordinal <= day

        def make() -> tuple[TradeRow, ...]:
            with paused():
                rows = [TradeRow(event=e.id, period=period, flow=e.flow, exporter=e.exporter, importer=e.importer,
                                 value=e.value, change=e.change, reported=_date_text(e.date_text),
                                 certain=certain(e), reporter=e.reporter, scope=scope)
                        for (period, _, _, _, scope, _), e in latest.items()]
                rows.sort(key=lambda r: (PartialDate.parse(r.period).earliest_ordinal, r.flow, r.scope,
                                         r.reporter or ""))
                return tuple(rows)

        return View("trade", make, fields_of(TradeRow), title=self._title("Trade"),
                    sure=sum(map(certain, latest.values())), size=len(latest))

    def trade_total(self, rows: Iterable[TradeRow]) -> Total:
        """The sum of trade figures that measure the same thing over periods that do not overlap.

        Every row must have the same reporter, scope and unit, and either every row is a
        total or every row is one direction of trade (exports or imports, with its exporter
        and importer); rows in one direction must cover separate periods. Anything else
        (China's figure plus Russia's, exports plus a total, a year plus one of its months)
        raises :class:`~eurasia_events.errors.EurasiaEventsError` naming the two rows. One
        reporter's exports and imports for a period add up to its turnover. Rows not certain
        on the day count in ``possible`` only.

        >>> import eurasia_events as ee
        >>> state = ee.load().as_of("2018-06-01")
        >>> str(state.trade_total(state.trade().find(event="2017-cn-exports-russia")))
        '42876000000 USD'
        """
        chosen = list(rows)
        if not chosen:
            raise EurasiaEventsError("trade_total needs at least one row of the trade view")
        first = chosen[0]
        spans: list[tuple[Span, TradeRow]] = []
        sure: Quantity | None = None
        maybe: Quantity | None = None
        for row in chosen:
            for name in ("reporter", "scope"):
                if getattr(row, name) != getattr(first, name):
                    msg = (f"cannot add trade figures of different {name}s: {row.event} ({name}={getattr(row, name)}) "
                           f"and {first.event} ({name}={getattr(first, name)}); choose rows with one reporter "
                           f"and scope")
                    raise EurasiaEventsError(msg)
            if (row.flow == "total") != (first.flow == "total"):
                msg = (f"cannot add a total to one direction of trade: {row.event} ({row.flow}) and "
                       f"{first.event} ({first.flow}); choose totals only, or exports and imports only")
                raise EurasiaEventsError(msg)
            if row.flow != "total" and (row.exporter is None or row.importer is None):
                msg = (f"cannot add {row.event}: its {row.flow} row does not say who exported to whom "
                       "(exporter and importer), so its direction is unknown")
                raise EurasiaEventsError(msg)
            if row.value.unit != first.value.unit:
                msg = (f"cannot add trade figures in {row.value.unit} ({row.event}) and {first.value.unit} "
                       f"({first.event}); units are never converted")
                raise EurasiaEventsError(msg)
            period = PartialDate.parse(row.period)
            span = (period.earliest_ordinal, period.latest_ordinal)
            for other_span, other in spans:
                same_way = (other.exporter, other.importer) == (row.exporter, row.importer)
                if same_way and span[0] <= other_span[1] and other_span[0] <= span[1]:
                    msg = (f"cannot add trade figures over overlapping periods: {row.event} ({row.period}) and "
                           f"{other.event} ({other.period}); a period would be counted twice")
                    raise EurasiaEventsError(msg)
            spans.append((span, row))
            maybe = _add(maybe, row.value)
            if row.certain:
                sure = _add(sure, row.value)
        return Total(sure, maybe)

    @bulk
    def summary(self) -> View[Any]:
        """One screen: counts and headline figures of every view.

        Worked out from the fold state and the per-type columns: no view's rows are made.
        """
        # In the order of the views' rows: supply by (opening, route), members by (since, member).
        supply = []
        for route, commodity, state, since, certain, _, _ in self._supply_lines():
            maybe_halted, surely_halted = _halted(state, self._ordinal)
            if not surely_halted:
                supply.append((since or "", route, commodity, certain and not maybe_halted))
        supply.sort(key=lambda line: line[:3])
        members = sorted(((span_text(since), member, certain)
                          for member, since, certain, _ in self._member_lines(self.log.entities.resolve("eaeu").id)),
                         key=lambda line: line[:2])
        stages = [(line[0], line[2]) for _, line in self._project_lines()]
        delivering = ", ".join(route for _, route, _, certain in supply if certain) or "none"
        routes = ", ".join(route for _, route, _, _ in supply) or "none"
        in_eaeu = ", ".join(member for _, member, certain in members if certain) or "none"
        eaeu = ", ".join(member for _, member, _ in members) or "none"
        in_force, signed = self._agreement_counts("in force", "signed")
        all_stages = _stages(stage for stage, _ in stages)
        lines: list[tuple[str, str, str, str]] = [
            ("agreements in force", *_pair(in_force)),
            ("agreements signed, not yet in force", *_pair(signed)),
            ("contracted pipeline gas (binding)", *_pair(self.contracted("pipeline_gas"))),
            ("contracted oil (binding)", *_pair(self.contracted("oil"))),
            ("routes delivering", routes, delivering, routes),
            ("EAEU members", eaeu, in_eaeu, eaeu),
            ("sanctions measures in force", *_pair(self._sanctions_count())),
            ("projects by stage", all_stages, _stages(stage for stage, certain in stages if certain), all_stages),
            ("meetings and forums held", *_pair(self._held("meeting", "forum"))),
        ]
        rows = tuple(SummaryRow(item=item, value=value, certain=sure, possible=maybe)
                     for item, value, sure, maybe in lines)
        return View("summary", rows, fields_of(SummaryRow), title=self._title("Summary"))

    def view(self, name: str, **options: Any) -> View[Any]:
        """A view by name, as the command line asks for it."""
        method = getattr(self, name.replace("-", "_"), None)
        if name not in VIEW_NAMES or method is None:
            raise EurasiaEventsError(f"unknown view {name!r}; expected one of {', '.join(VIEW_NAMES)}")
        return method(**options)  # type: ignore[no-any-return]


AGREEMENT_STATUSES: Final = ("signed", "in force", "expired", "terminated", "suspended", "superseded")
"""What :meth:`State.agreements` accepts as ``status``: the statuses an agreement can have on a day."""
VIEW_NAMES: Final = ("summary", "agreements", "volumes", "supply", "members", "sanctions", "projects", "finance",
                     "meetings", "trade", "policies")
_STAGE_RANK: Final = {"announced": 0, "proposed": 1, "planned": 2, "construction_started": 3, "suspended": 4,
                      "completed": 5, "opened": 6, "cancelled": 7}


def _pair(value: Total | Count) -> tuple[str, str, str]:
    """A count or a total as text: in full, certain, possible (``none`` for no quantity)."""
    if isinstance(value, Count):
        return str(value), str(value.certain), str(value.possible)
    if value.possible is None:
        return "none", "none", "none"
    return str(value), str(value.certain or "none"), str(value.possible)


def _stages(stages: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for stage in stages:
        counts[stage] = counts.get(stage, 0) + 1
    return ", ".join(f"{stage} {n}" for stage, n in sorted(counts.items())) or "none"


@functools.lru_cache(maxsize=1 << 16)
def _date_text(text: str) -> str:
    """A stored date's text as the rows show it (:class:`PartialDate`'s own spelling)."""
    return str(PartialDate.parse(text))


@attrs.frozen
class _Shown:
    """The fold rows a view shows (in no set order) and how many certainly: those chosen from
    a fold, less those ``dropped`` (by key) and with those ``added`` since, as later folds
    changed them (see :meth:`State._patched`): not copied whole for each change."""

    rows: list[AgreementState]
    sure: int
    dropped: frozenset[str] = frozenset()
    added: dict[str, AgreementState] = attrs.field(factory=dict)

    def __len__(self) -> int:
        return len(self.rows) - len(self.dropped) + len(self.added)

    def __iter__(self) -> Iterator[AgreementState]:
        if self.dropped:
            yield from (row for row in self.rows if row.agreement not in self.dropped)
        else:
            yield from self.rows
        yield from self.added.values()

    def patched(self, gone: tuple[list[AgreementState], int], came: tuple[list[AgreementState], int]) -> _Shown:
        """Less the rows ``gone`` (shown, so among them; with how many were certain), plus
        those that ``came``; the lists merged once the changes are a large share of them."""
        added, dropped = dict(self.added), set(self.dropped)
        for row in gone[0]:
            if added.pop(row.agreement, None) is None:
                dropped.add(row.agreement)  # shown from the list
        added.update((row.agreement, row) for row in came[0])
        shown = _Shown(self.rows, self.sure - gone[1] + came[1], frozenset(dropped), added)
        return shown if len(dropped) + len(added) <= len(self.rows) // 8 else _Shown(list(shown), shown.sure)


class _Sum(NamedTuple):
    """Amounts of one unit added up: their value, and the bound they share (``~`` if theirs
    differ), as adding the quantities one by one gives it, without a quantity for each step."""

    value: Decimal
    unit: str
    bound: str

    @staticmethod
    def plus(total: _Sum | None, amount: Quantity) -> _Sum:
        if total is None:
            return _Sum(amount.value, amount.unit, amount.bound)
        assert amount.unit == total.unit  # the key says the unit
        return _Sum(total.value + amount.value, total.unit, total.bound if total.bound == amount.bound else "~")

    def total(self) -> Quantity:
        return Quantity(self.value, self.unit, self.bound)


def _add(total: Quantity | None, value: Quantity) -> Quantity:
    return value if total is None else total + value


_PAST: Final = {"restates": "restated", "implements": "implemented"}


_Doc = tuple[AgreementState, str, bool, frozenset[str]]
"""A document :meth:`State.volumes` reads: its fold row, status, whether certain, possible statuses."""
_AgreementFacts = tuple[AgreementState, int, int, Any, tuple[str, bool, Span | None], frozenset[str]]
"""What :meth:`State._facts` remembers of an agreement: its fold row, the days ``lo <= d < hi``
it holds on, the term anchor it was worked out with (:data:`_NO_ANCHOR` if it never has one),
its status and its possible statuses (:func:`agreement_facts`)."""
_Designated = dict[str, tuple[bool, Span, tuple[str, ...]]]
"""Per entity possibly designated under a measure on a day: whether certainly, since when, by which events."""
_NO_ANCHOR: Final[Any] = object()
_SHARED: Final = object()
"""Its id is the memo's key for :attr:`State._shared` (no fold row can have it: it lives as long as the module)."""
_DAYS_KEPT: Final = 32
"""Days whose :attr:`State._shared` slot the memo keeps at most (the least recently asked goes first)."""
_ENTRIES_KEPT: Final = 1 << 19
"""Entries the slots of the days kept may hold together (see :func:`_entries`); past that the
least recently asked days go, all but the last. A list of agreements shown is one entry each
(8 bytes: a million events hold about 150,000 agreements), a document of a volume plan one
(about 90 bytes): after the bench's queries at a million events, 22 days held 48 MB."""
_PROJECTS: Final = object()
"""Its id is the memo's key for the project lines last worked out, by project (see :meth:`State._project_line`)."""
_T = TypeVar("_T")
_MEMO_LIMIT: Final = 1 << 19  # entries of a query index's memo before it is cleared


class _Slot(NamedTuple):
    """A day's entry of :attr:`State._shared`: the fold (weakly), what was worked out on it, and what it was made of."""

    fold: weakref.ref[FoldState]
    shared: dict[Hashable, Any]
    basis: Basis | None  # None for a naive state's fold (never patched)


def _entries(slot: _Slot) -> int:
    """What a day's slot holds: the length of each list, dict or count worked out, 1 for anything else."""
    return sum(len(value) if isinstance(value, Sized) else 1 for value in slot.shared.values())


def _expired(until: Span | None) -> list[tuple[str, Span]]:
    """A measure's "expired" end for its last day in force (none without one): a measure valid
    until a day is still in force on that day, expired from the next."""
    return [] if until is None else [("expired", (until[0] + 1, until[1] + 1))]


_NAMED: Final = 3
"""Rivals a same-route note names (a synthetic route holds hundreds)."""


def _restate_on_route(heads: list[str], docs: dict[str, _Doc],
                      counted: dict[str, tuple[Quantity | None, Quantity | None]], notes: dict[str, str]) -> None:
    """The documents on one route with no recorded relation: the newest restates the others (of
    two signed on the same single day, the greater id). Each that no other was certainly signed
    after may be the newest and possibly counts; the route certainly counts the least of them
    (kept on the one that is newest by first days). An older one possibly counts until one
    certainly signed after it is certainly in force (or since superseded). Linear in the heads
    (a synthetic route holds thousands): "certainly after" (:func:`certainly_after`, the tie
    broken by the greater id) is a later first day than the last day, or the same single day and
    a greater id, so the latest first day and, per single day, the greatest id answer it for all."""
    signed = {head: docs[head][0].signed for head in heads}
    firm = [head for head in heads if docs[head][3] <= {"in force", "superseded"}]

    def after_all(among: list[str]) -> tuple[int, dict[int, str], str | None]:
        """The latest first day, the greatest id per single day, and the newest (by days, id)."""
        latest = max((signed[h][0] for h in among), default=-1)
        single: dict[int, str] = {}
        for h in among:
            lo, hi = signed[h]
            if lo == hi and h > single.get(lo, ""):
                single[lo] = h
        newest = max(among, key=lambda h: (signed[h], h)) if among else None
        return latest, single, newest

    def followed(head: str, latest: int, single: dict[int, str]) -> bool:
        lo, hi = signed[head]
        return latest > hi or (lo == hi and single.get(lo, "") > head)

    latest, single, newest = after_all(heads)
    firm_latest, firm_single, firm_newest = after_all(firm)
    candidates = [h for h in heads if not followed(h, latest, single)]
    least = _least([counted[h][0] for h in candidates])
    open_order = set(candidates)
    named = sorted(candidates)[:_NAMED + 1]  # a note names a few rivals, then counts the rest
    for head in heads:
        high = counted[head][1]
        if head in open_order:
            if len(candidates) > 1:
                others = ", ".join([c for c in named if c != head][:_NAMED])
                if len(candidates) - 1 > _NAMED:
                    others += f" and {len(candidates) - 1 - _NAMED} more"
                said = f"possibly restated by {others} (same route; signed on days that leave the order open)"
                notes[head] = f"{notes[head]}; {said}" if head in notes else said
                counted[head] = (least if head == newest else None, high)
            continue
        settled = followed(head, firm_latest, firm_single)
        if not settled:
            restater = newest
        elif firm_latest > signed[head][1]:
            restater = firm_newest  # the newest firm one has the latest first day: certainly after
        else:
            restater = firm_single[signed[head][0]]  # only one of the same single day, a greater id
        maybe = "" if settled else "possibly "
        notes[head] = f"{maybe}restated by {restater} (same route; no recorded relation)"
        counted[head] = (None, None if settled else high)


def _least(volumes: list[Quantity | None]) -> Quantity | None:
    """The least of the volumes, ``None`` if any is (nothing certain) or their units differ."""
    if not volumes or any(v is None for v in volumes) or len({v.dimension for v in volumes if v}) > 1:
        return None
    return min((v for v in volumes if v is not None), key=_magnitude)


def _magnitude(value: Quantity) -> tuple[Decimal, str, str]:
    """A volume's size in its dimension's base unit, then its bound and unit: of two equal
    volumes in different units or bounds, which is greater does not depend on their order."""
    return value.value * UNITS[value.unit].factor, value.bound, value.unit


def _volume_totals(docs: dict[str, _Doc], counted: dict[str, tuple[Quantity | None, Quantity | None]],
                   shown: Callable[[AgreementState], bool]) -> dict[str, Any]:
    """The totals of :meth:`State.volumes`: per unit dimension (never mixed), the certain and
    possible volume counted, the commodity's usual unit (that of the view's first row) first.

    On one route, whatever the dates turn out to be, one document counts (the newest in force
    restates the others, see :func:`_restate_on_route`): the route adds the greatest volume
    any of them possibly counts, not their sum.

    Each total is in the unit of the first row counted in it, in the view's order (``bcm/yr``
    and ``m3/yr`` are one dimension): never that of whichever document the fold met first, an
    order that depends on how the log was queried.
    """
    sums: dict[str, tuple[Quantity | None, Quantity | None]] = {}  # dimension -> (certain, possible)
    highs: dict[tuple[str, str | None, str], Quantity] = {}  # (dimension, route, document) -> greatest
    units: dict[str, tuple[tuple[str, str], str]] = {}  # dimension -> (the first row counted in it, its unit)
    first: tuple[str, str] | None = None
    main = ""
    for name, (row, *_) in docs.items():
        if not shown(row):
            continue
        assert row.annual_volume is not None
        order = (row.route or "", row.agreement)  # the view's row order
        if first is None or order < first:
            first, main = order, row.annual_volume.dimension
        low, high = counted.get(name, (None, None))
        for value in (low, high):
            if value is not None and (value.dimension not in units or order < units[value.dimension][0]):
                units[value.dimension] = (order, value.unit)
        if low is not None:
            certain, possible = sums.get(low.dimension, (None, None))
            sums[low.dimension] = (_add(certain, low), possible)
        if high is not None:
            sums.setdefault(high.dimension, (None, None))
            key = (high.dimension, row.route, "" if row.route is not None else name)
            highs[key] = high if key not in highs else max(highs[key], high, key=_magnitude)
    for (dimension, _, _), high in highs.items():
        certain, possible = sums[dimension]
        sums[dimension] = (certain, _add(possible, high))
    totals: dict[str, Any] = {}
    if first is not None:
        # One total in the commodity's usual unit; a document in another unit gets its own.
        for dimension, (low, high) in sorted(sums.items(), key=lambda item: item[0] != main):
            unit = units[dimension][1]
            low, high = (value if value is None or value.unit == unit else value.to(unit) for value in (low, high))
            totals["annual volume" if not totals else f"annual volume ({unit})"] = Total(low, high)
        totals.setdefault("annual volume", Total(None, None))
    return totals


_ProjectLine = tuple[str, Span, bool, Span | None, bool, tuple[str, ...]]
"""A project on a day: its stage, since when, whether certain, its opening, whether some stage
was certainly reached, the events possibly read (see :meth:`State._project_line`)."""


def _project_line(stages: list[tuple[str, Span, str]], day: int) -> _ProjectLine | None:
    possible = [item for item in stages if reached(item[1], day) is not False]
    if not possible:
        return None
    # A plan ("announced") never hides a stage actually reached; among real stages the
    # latest by date wins (ties: the more advanced stage). Deliveries after the first
    # ("delivering": ramp-up, plateau) are no stage: the opening keeps its own date.
    real = [item for item in possible if item[0] not in ("announced", "delivering")] or possible
    real.sort(key=lambda item: (item[1][0], _STAGE_RANK.get(item[0], 0)))
    stage, span, _ = real[-1]
    # Certain: reached, every real stage known to be reached or not, and every other stage
    # reached certainly before this one (on the same single day, the more advanced counts).
    certain = bool(reached(span, day)) and all(
        reached(s, day) is not None for st, s, _ in stages if st not in ("announced", "delivering")
    ) and all(st == stage or certainly_after(span, s, tie=True) for st, s, _ in real)
    openings = [s for st, s, _ in possible if st == "opened"]
    surely = any(reached(s, day) for _, s, _ in possible)
    return (stage, span, bool(certain), min(openings) if openings else None, bool(surely),
            tuple(eid for _, _, eid in possible))


def _names_related(docs: dict[str, _Doc]) -> frozenset[str]:
    """The agreements the relations of a volume plan's documents name (see :func:`_volumes_touched`)."""
    return frozenset(later for row, *_ in docs.values() for _, later, _, _ in row.relations)


def _volumes_touched(related: frozenset[str] | None, commodity: str, changed: list[AgreementState]) -> bool:
    """Whether agreements changed (their rows before and after the change) may change what a
    commodity's volume plan worked out (see :meth:`State._volume_plan`): one of the commodity (a
    document of the plan, or one that may become one), or one the relations of its documents
    name (``related``: a restating or implementing agreement whose status counts there)."""
    return (related is None or any(row.commodity == commodity for row in changed)
            or not related.isdisjoint(row.agreement for row in changed))


def _opening(supply: SupplyState | None) -> tuple[Span | None] | None:
    """What :func:`~eurasia_events.projections.term_anchor` reads of a route's supply state:
    whether the log holds it, and its opening (``None`` while it holds levels only)."""
    return None if supply is None else (supply.since,)


def _levels(supply: SupplyState, day: int) -> list[LevelReached]:
    """The levels on a route possibly reached by ``day``, in fold order (a later
    ``supply_started`` with no capacity, in older logs, states no level at all)."""
    return [item for item in trail_items(supply.levels) if reached(item.span, day) is not False
            and (item.stage is not None or item.level is not None)]


def _level_certain(supply: SupplyState, level: LevelReached, day: int) -> bool:
    """Whether a level is certainly the latest reached by ``day``: reached, and every other
    level possibly reached certainly before it."""
    return bool(reached(level.span, day)) and all(
        other is level or certainly_after(level.span, other.span, tie=True) for other in _levels(supply, day))


def _halted(supply: SupplyState, day: int) -> tuple[bool, bool]:
    """Whether deliveries on a route are possibly, and certainly, halted on ``day``: a halt
    possibly reached that no other level certainly follows, or a halt certainly reached that
    every other level possibly reached certainly comes before (a level of the same day may come
    either side of it)."""
    levels = _levels(supply, day)
    halts = [item for item in levels if item.stage == "halted"]
    others = [item for item in levels if item.stage != "halted"]
    possibly = any(not any(o.span[0] > h.span[1] and reached(o.span, day) for o in others) for h in halts)
    certainly = any(reached(h.span, day) and all(o.span[1] < h.span[0] for o in others) for h in halts)
    return possibly, certainly


def _same_trail(a: Trail, b: Trail) -> bool:
    """Whether two trails hold equal items: compared from the newest until they meet (their
    older items then are the same objects), never recursively (a trail nests thousands deep)."""
    while a is not b:
        if a is None or b is None or a[0] != b[0]:
            return False
        a, b = a[1], b[1]
    return True


def _remaining(volume: Quantity | None, parts: list[Quantity | None]) -> Quantity | None:
    """What is left of a volume after parts are taken over (``None`` in a list: all that remains);
    ``None`` when nothing is left."""
    for part in parts:
        if volume is None or part is None:
            return None
        if part.dimension != volume.dimension:
            continue  # a part in another unit (oil for gas) takes nothing: never added to a mismatched total
        volume = volume - part
    return volume if volume is not None and volume.value > 0 else None


# --- entry points used by Log ----------------------------------------------------------


def as_of(log: Log, day: DayLike, *, known_at: InstantLike | None = None) -> State:
    """The state at the end of ``day`` (see :class:`State`)."""
    return State(log, day, known_at)


def project(log: Log, projection: Projection[Any], *, as_of: DayLike, known_at: InstantLike | None = None) -> Any:
    """Run a projection of your own over the events that may have happened by ``as_of``."""
    return projection.fold(State(log, as_of, known_at).events)


TIMELINE_INTERACTIONS: Final = ("month", "each", "none")
"""How a timeline shows coded interactions: counted per month and direction (``month``), one
row each (``each``), or not at all (``none``)."""


def timeline(log: Log, *, start: DayLike | None = None, end: DayLike | None = None, kind: str | None = None,
             party: str | None = None, known_at: InstantLike | None = None,
             interactions: str = "month") -> View[TimelineRow]:
    """Events in date order (earliest possible day), optionally within ``start``..``end``
    (events that may fall in the period), of one type, with one party.

    Coded interactions (imported dataset records) are counted, by default, one row per month
    and direction (type ``interactions``, with a ``count`` column) at the start of the month,
    beside the curated events; ``interactions="each"`` lists every one, ``"none"`` leaves them
    out. One whose date may fall in more than one month is listed on its own. The ``count``
    column stands whenever the log holds coded interactions and they are counted, whatever
    the period, so that one log's timelines share their columns.
    """
    from .events import EVENT_TYPES
    from .interactions import CODED, direction, mean_intensity, monthly

    if kind is not None and kind not in EVENT_TYPES:
        raise EurasiaEventsError(f"unknown event type {kind!r}; expected one of {', '.join(EVENT_TYPES)}")
    if interactions not in TIMELINE_INTERACTIONS:
        raise EurasiaEventsError(f"unknown interactions {interactions!r}; expected one of "
                                 f"{', '.join(TIMELINE_INTERACTIONS)}")
    # A month or a year given as an end covers its whole period (query_period).
    lo = None if start is None else query_period(start)[0].toordinal()
    hi = None if end is None else query_period(end)[1].toordinal()
    who = None if party is None else log.entities.resolve(party).id
    # Coded interactions apart, as stored: an imported log holds a million, counted per month
    # without typing or sorting each (the others are typed and put in a reader's order, as
    # Log.sketches gives them).
    others: list[tuple[Any, ...]] = []
    coded: list[tuple[Any, ...]] = []
    for stored in log.engine.rows(None if known_at is None else to_instant(known_at)):
        (coded if stored[0] == CODED else others).append(stored)
    # The count column stands whenever monthly counts may be asked of this log, whatever the
    # period: one log's timelines share one schema (Parquet files of two periods concatenate).
    counts_column = interactions == "month" and bool(coded)
    if kind is not None:  # the others of another type are passed over below
        others, coded = (others, []) if kind != CODED else ([], coded)
    # Per (month, initiator, recipient): how many coded interactions, and the sum and number of intensities.
    counted: dict[tuple[str, str, str], list[Any]] = {}
    if interactions == "month":
        counted, coded = monthly(coded, lo, hi, who)
    elif interactions == "none":
        coded = []
    sketches = [typed(r) for r in (*others, *coded)]
    sketches.sort(key=lambda s: (s.date.earliest_ordinal, s.seq))
    rows: list[tuple[int, TimelineRow]] = []
    for event in sketches:
        span = event.span
        if (lo is not None and span[1] < lo) or (hi is not None and span[0] > hi):
            continue
        if (kind is not None and kind != event.TYPE) or (who is not None and who not in _involved(event)):
            continue
        rows.append((2 * event.date.earliest_ordinal + 1, TimelineRow(
            date=str(event.date), precision=event.date.precision.value, type=event.TYPE, id=event.id,
            title=event.title, parties=event.parties, status=event.status.value,
            certain_day=event.date.exact and not event.disputed)))
    columns = fields_of(TimelineRow)
    if not counts_column:
        return View("timeline", tuple(row for _, row in rows), tuple(c for c in columns if c != "count"),
                    title="Timeline")
    for (month, initiator, recipient), (n, total, rated) in sorted(counted.items()):
        sides = direction(initiator, recipient)
        mean = f", mean intensity {mean_intensity(total, rated)}" if rated else ""
        first_day = PartialDate.parse(month).earliest_ordinal
        # A month's count goes before the events of its first day (a stable sort keeps theirs).
        rows.append((2 * first_day, TimelineRow(
            date=month, precision="month", type="interactions", id=f"interactions:{month}:{sides}",
            title=f"{n} coded interaction{'s' * (n != 1)} {sides}{mean}",
            parties=tuple(dict.fromkeys(p for p in (initiator, recipient) if p)), status="happened",
            certain_day=False, count=n)))
    rows.sort(key=lambda item: item[0])
    return View("timeline", tuple(row for _, row in rows), columns, title="Timeline")


def _involved(event: Row) -> set[str]:
    return {entity for _, entity in event.entity_refs()}


def _row_key(row: Any) -> str:
    for name in ("agreement", "measure", "member", "project", "route", "event"):
        if hasattr(row, name):
            return str(getattr(row, name))
    return str(getattr(row, "item", row))


def diff(log: Log, before: DayLike, after: DayLike, *, known_at: InstantLike | None = None,
         views: Iterable[str] = ("agreements", "members", "sanctions", "projects", "supply", "meetings",
                                 "finance")) -> View[DiffRow]:
    """What entered, left or changed in each view between two days."""
    a, b = State(log, before, known_at), State(log, after, known_at)
    rows = []
    for name in views:
        old = {_row_key(r): r for r in a.view(name)}
        new = {_row_key(r): r for r in b.view(name)}
        for key in sorted(old.keys() | new.keys()):
            left, right = old.get(key), new.get(key)
            if left is None:
                rows.append(DiffRow(view=name, key=key, change="entered", before="", after=_brief(right)))
            elif right is None:
                rows.append(DiffRow(view=name, key=key, change="left", before=_brief(left), after=""))
            elif _brief(left) != _brief(right):
                rows.append(DiffRow(view=name, key=key, change="changed", before=_brief(left), after=_brief(right)))
    return View("diff", tuple(rows), fields_of(DiffRow), title=f"Changes from {a.day} to {b.day}")


def _brief(row: Any) -> str:
    parts = [f"{k}={getattr(row, k)}" for k in ("status", "stage", "certain") if hasattr(row, k)]
    return ", ".join(parts) if parts else "present"


MEASURES: Final[dict[str, Callable[[State], Any]]] = {
    "gas": lambda s: s.contracted("pipeline_gas"),
    "oil": lambda s: s.contracted("oil"),
    "lng": lambda s: s.contracted("lng"),
    "gas-all": lambda s: s.contracted("pipeline_gas", binding=None),
}


def series(log: Log, measure: str | Callable[[State], Any], start: DayLike, end: DayLike, *,
           every: str = "year", known_at: InstantLike | None = None) -> View[SeriesRow]:
    """The value of a measure on each day from ``start`` to ``end`` (every year, month or day).

    ``measure`` is a callable taking a :class:`State`, or a view name (its row count), or
    ``"gas"``, ``"oil"``, ``"lng"`` (binding contracted annual volume), ``"gas-all"``.
    """
    if every not in ("year", "month", "day"):
        raise EurasiaEventsError(f"unknown step {every!r}; expected year, month or day")
    first, last = query_period(start)[0], query_period(end)[1]  # a month or year: its whole period
    if last < first:
        raise EurasiaEventsError(f"series ends ({last}) before it starts ({first})")
    compute: Callable[[State], Any]
    if callable(measure):
        compute = measure
        label = getattr(measure, "__name__", "value")
    elif measure in MEASURES:
        compute, label = MEASURES[measure], measure
    elif measure in VIEW_NAMES:
        def compute(state: State, name: str = measure) -> Count:
            return state._view_count(name)

        label = measure
    else:
        raise EurasiaEventsError(f"unknown measure {measure!r}; expected a callable, gas, oil, lng, gas-all "
                                 f"or a view name ({', '.join(VIEW_NAMES)})")
    rows = []
    day = first
    with log.engine.sweep(None if known_at is None else to_instant(known_at)):
        while day <= last:
            value = compute(State(log, day, known_at))
            if isinstance(value, (Total, Count)):
                rows.append(SeriesRow(day=day.isoformat(), value=value.certain, possible=value.possible,
                                      certain=value.exact))
            else:
                rows.append(SeriesRow(day=day.isoformat(), value=value, possible=value, certain=True))
            day = day.add(**{f"{every}s": 1})
    return View("series", tuple(rows), fields_of(SeriesRow), title=f"{label} from {first} to {last} every {every}")


