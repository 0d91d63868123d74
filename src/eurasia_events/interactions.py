"""Counts of coded interactions (events imported from ICEWS, GDELT or POLECAT), by month,
code family, quad class and direction, with their mean intensity.

A coded interaction (``coded_interaction``) is one dataset record: who did what to whom
on a day, in the dataset's coding (CAMEO or PLOVER). One record says little; their counts
month by month say how intense contact was. :func:`interactions` counts them without
building a single event: it reads the engine's compact rows, so a log of a million
imported events answers in a second or two.

Groups:

- ``month``: ``YYYY-MM``, the month of the interaction's day. Its possible days are read,
  so one whose date another source disputes, reaching into another month, is counted
  under ``uncertain``, never guessed into a month (a coded interaction is dated to the
  day, so nothing else lands there).
- ``family``: a CAMEO code's root (its first two digits) with the root's name in the
  CAMEO codebook (``04 Consult``); a PLOVER event type as it is (``consult``).
- ``quad_class``: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
  4 material conflict (``None`` when the dataset gives none).
- ``direction``: ``CN->RU`` from the initiator's and recipient's registry ids; a side the
  importer did not recognise is ``?``.

Each row's ``count`` is a :class:`~eurasia_events.views.Count`: the interactions that
certainly fall in the period, and those that may (a date straddling ``start`` or ``end``);
without a period the two agree. ``intensity`` is the mean ICEWS intensity or GDELT
Goldstein score (-10..10) of the interactions counted that carry one, to two decimals.

>>> import eurasia_events as ee
>>> view = ee.load().interactions()   # the curated log holds no coded interactions
>>> view.columns, len(view)
(('month', 'family', 'direction', 'count', 'intensity'), 0)
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._engine.gc import bulk
from ._engine.rows import row_class
from .cameo import CAMEO_ROOTS
from .dates import DayLike, Instant, InstantLike, query_period, to_instant
from .errors import EurasiaEventsError
from .views import Count, View

if TYPE_CHECKING:
    from .log import Log

__all__ = ["CAMEO_ROOTS", "CODED", "DEFAULT_BY", "GROUPS", "UNCERTAIN", "InteractionRow", "cameo_family",
           "direction", "family", "interactions", "mean_intensity", "month_of", "monthly", "stored_rows"]

CODED: Final = "coded_interaction"
"""The event type counted."""

GROUPS: Final = ("month", "family", "quad_class", "direction")
"""What interactions can be grouped by, in the order of a row's columns."""

DEFAULT_BY: Final = ("month", "family", "direction")

UNCERTAIN: Final = "uncertain"
"""The month of an interaction whose date may fall in more than one month."""



@attrs.frozen(kw_only=True)
class InteractionRow:
    """Coded interactions of one group (month, family, quad class, direction): how many, and how intense.

    A view grouped by some of the four has only those as columns; the others hold ``""``
    (``None`` for ``quad_class``).
    """

    month: str = attrs.field(default="", metadata={"optional": True})
    """``YYYY-MM``, or ``uncertain`` for a date that may fall in more than one month."""
    family: str = attrs.field(default="", metadata={"optional": True})
    """The CAMEO root with its name (``04 Consult``) or the PLOVER event type (``consult``)."""
    quad_class: int | None = attrs.field(default=None, metadata={"optional": True})
    """1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict."""
    direction: str = attrs.field(default="", metadata={"optional": True})
    """Initiator and recipient, ``CN->RU`` (``?`` for a side not recognised)."""
    count: Count
    """How many interactions certainly fall in the period, and how many may."""
    intensity: Decimal | None
    """Their mean intensity (ICEWS) or Goldstein score (GDELT), -10..10; ``None`` if none has one."""


def cameo_family(code: str) -> str:
    """The family of a CAMEO code: its root and the root's name.

    >>> cameo_family("0874"), cameo_family("163")
    ('08 Yield', '16 Reduce relations')
    """
    root = code[:2]
    name = CAMEO_ROOTS.get(root)
    return f"{root} {name}" if name else root


def family(scheme: str, code: str) -> str:
    """The family of a code in its scheme: a CAMEO root with its name, or the PLOVER event type.

    >>> family("cameo", "042"), family("plover", "consult")
    ('04 Consult', 'consult')
    """
    return cameo_family(code) if scheme == "cameo" else code


def direction(initiator: str, recipient: str) -> str:
    """``CN->RU``; a side not recognised is ``?``.

    >>> direction("CN", ""), direction("", "RU")
    ('CN->?', '?->RU')
    """
    return f"{initiator or '?'}->{recipient or '?'}"


def month_of(lo: int, hi: int) -> str:
    """The month (``YYYY-MM``) of the possible days ``lo``..``hi`` (ordinals), or ``uncertain``
    when they reach into more than one month.

    >>> day = _dt.date(2020, 5, 31).toordinal()
    >>> month_of(day, day), month_of(day, day + 1)
    ('2020-05', 'uncertain')
    """
    first, last = _dt.date.fromordinal(lo), _dt.date.fromordinal(hi)
    if (first.year, first.month) != (last.year, last.month):
        return UNCERTAIN
    return f"{first.year:04d}-{first.month:02d}"


def _groups(by: Iterable[str] | str) -> tuple[str, ...]:
    chosen = tuple(name.strip() for name in by.split(",")) if isinstance(by, str) else tuple(by)
    chosen = tuple(name for name in chosen if name)
    for name in chosen:
        if name not in GROUPS:
            raise EurasiaEventsError(f"cannot group interactions by {name!r}; expected some of {', '.join(GROUPS)}")
    if len(set(chosen)) != len(chosen):
        raise EurasiaEventsError(f"a group is named twice in {', '.join(chosen)}")
    return chosen


def stored_rows(log: Log, known_at: Instant | None) -> Iterator[tuple[Any, ...]]:
    """The stored rows of the coded interactions as known at ``known_at`` (no event is built;
    a log combining several has one engine fed from its members')."""
    for row in log.engine.rows(known_at):
        if row[0] == CODED:
            yield row


def monthly(rows: Iterable[tuple[Any, ...]], first: int | None = None, last: int | None = None,
            party: str | None = None) -> tuple[dict[tuple[str, str, str], list[Any]], list[tuple[Any, ...]]]:
    """What the timeline shows of stored coded-interaction rows: per (month, initiator,
    recipient), how many may fall in ``first``..``last`` (ordinals) and involve ``party``, and
    the sum (in billionths, see :func:`mean_intensity`) and number of their intensities; and,
    not filtered, the rows whose month is uncertain (the timeline lists those on their own)."""
    i_lo, i_hi, _, _, _, i_from, i_to, i_intensity = _positions()
    i_parties = row_class(CODED)._fields.index("parties")  # type: ignore[attr-defined]
    months: dict[int, str] = {}
    counted: dict[tuple[str, str, str], list[Any]] = {}
    single = []
    for row in rows:
        lo, hi = row[i_lo], row[i_hi]
        if lo != hi and month_of(lo, hi) == UNCERTAIN:
            single.append(row)
            continue
        if (first is not None and hi < first) or (last is not None and lo > last):
            continue
        initiator, recipient = row[i_from] or "", row[i_to] or ""
        if party is not None and party not in row[i_parties] and party not in (initiator, recipient):
            continue
        month = months.get(lo)
        if month is None:
            month = months[lo] = month_of(lo, lo)
        key = (month, initiator, recipient)
        tally = counted.get(key)
        if tally is None:
            tally = counted[key] = [0, 0, 0]
        tally[0] += 1
        value = row[i_intensity]
        if value is not None:
            tally[1] += round(value * _BILLION)
            tally[2] += 1
    return counted, single


def _positions() -> tuple[int, ...]:
    fields: tuple[str, ...] = row_class(CODED)._fields  # type: ignore[attr-defined]
    return tuple(fields.index(name) for name in ("lo", "hi", "scheme", "code", "quad_class", "initiator",
                                                 "recipient", "intensity"))


def mean_intensity(billionths: int, n: int) -> Decimal | None:
    """The mean of ``n`` intensities whose sum is ``billionths`` (each added as
    ``round(intensity * 10**9)``: exact for figures of up to 9 decimals, however many), to 2
    places, a tie rounded half-even, in a fixed decimal context whatever the caller's (adding
    floats drifts: ``3.5 / 20`` as floats rounds down to 0.17, and 50,000 times 0.015 summed
    as floats no longer ties).

    >>> mean_intensity(sum(round(v * 10**9) for v in [0.015] * 50_000), 50_000)
    Decimal('0.02')
    """
    return None if n == 0 else _DECIMAL.divide(Decimal(billionths).scaleb(-9), n).quantize(_CENT, context=_DECIMAL)


_BILLION: Final = 10**9
_CENT: Final = Decimal("0.01")
_DECIMAL: Final = Context(prec=28, rounding=ROUND_HALF_EVEN)


@bulk  # tallies and rows are many objects and no cycle: no collection rescanning the log meanwhile
def interactions(log: Log, start: DayLike | None = None, end: DayLike | None = None, *,
                 by: Iterable[str] | str = DEFAULT_BY, known_at: InstantLike | None = None) -> View[InteractionRow]:
    """Counts of coded interactions grouped by any of month, family, quad class and direction.

    Args:
        log: the log (or a log combining several).
        start, end: the period (a month or a year: its first or last day); an interaction
            counts, possibly, when its date may fall in it (see ``count``).
        by: the groups, in the order of the columns and of the sort (a sequence, or text
            ``"month,direction"``); ``()``: one row, every interaction.
        known_at: as the log stood at this instant.

    Returns:
        A view named ``interactions``: one :class:`InteractionRow` per group met, sorted by
        the groups; its ``totals`` hold the count of every interaction.

    Raises:
        EurasiaEventsError: an unknown group, or a period ending before it starts.
    """
    groups = _groups(by)
    first = None if start is None else query_period(start)[0].toordinal()
    last = None if end is None else query_period(end)[1].toordinal()
    if first is not None and last is not None and last < first:
        raise EurasiaEventsError(f"the period ends ({end}) before it starts ({start})")
    instant = None if known_at is None else to_instant(known_at)
    i_lo, i_hi, i_scheme, i_code, i_quad, i_from, i_to, i_intensity = _positions()
    # The row fields each group reads as stored, taken at once by one itemgetter; a tally per
    # distinct (month, those fields), named and rolled up to the groups at the end: per row,
    # one key and one lookup, and no name or text made.
    raw = {"family": (i_scheme, i_code), "quad_class": (i_quad,), "direction": (i_from, i_to)}
    picked = [i for group in groups if group != "month" for i in raw[group]]
    pick = operator.itemgetter(*picked) if picked else None
    by_month = "month" in groups
    months: dict[int, str] = {}
    tallies: dict[Any, list[Any]] = {}
    for row in stored_rows(log, instant):
        lo, hi = row[i_lo], row[i_hi]
        if (first is not None and hi < first) or (last is not None and lo > last):
            continue
        key: Any = None if pick is None else pick(row)
        if by_month:
            month = months.get(lo) if lo == hi else month_of(lo, hi)
            if month is None:
                month = months[lo] = month_of(lo, lo)
            key = (month, key)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = [0, 0, 0, 0]
        tally[0] += (first is None or lo >= first) and (last is None or hi <= last)
        tally[1] += 1
        value = row[i_intensity]
        if value is not None:
            tally[2] += round(value * _BILLION)
            tally[3] += 1

    # Each group's value from its stored fields, made once per distinct fields.
    namers: dict[str, Any] = {"family": lambda f: family(*f), "quad_class": lambda f: f[0],
                              "direction": lambda f: direction(*f)}
    # Per group other than month: where its fields sit in a key, and its names made so far.
    parts: list[tuple[str, int, int, dict[Any, Any]]] = []
    at = 0
    for group in groups:
        if group != "month":
            parts.append((group, at, at + len(raw[group]), {}))
            at += len(raw[group])
    rolled: dict[tuple[Any, ...], list[Any]] = {}
    for key, tally in tallies.items():
        month, fields = key if by_month else ("", key)
        fields = (fields,) if len(picked) == 1 else fields
        values = {"month": month}
        for group, begin, stop, made in parts:
            part = fields[begin:stop]
            name = made.get(part, made)
            if name is made:
                name = made[part] = namers[group](part)
            values[group] = name
        group_key = tuple(values[group] for group in groups)
        total = rolled.get(group_key)
        if total is None:
            rolled[group_key] = list(tally)
        else:
            for i, value in enumerate(tally):
                total[i] += value

    quad = groups.index("quad_class") if "quad_class" in groups else -1

    def order(item: tuple[tuple[Any, ...], list[Any]]) -> tuple[Any, ...]:
        # Months sort as text ("uncertain" after every YYYY-MM); a missing quad class last.
        key = item[0]
        return key if quad < 0 else (*key[:quad], 5 if key[quad] is None else key[quad], *key[quad + 1 :])

    rows = tuple(InteractionRow(**dict(zip(groups, key, strict=True)), count=Count(t[0], t[1]),
                                intensity=mean_intensity(t[2], t[3]))
                 for key, t in sorted(rolled.items(), key=order))
    certain = sum(t[0] for t in rolled.values())
    possible = sum(t[1] for t in rolled.values())
    period = "" if first is None and last is None else \
        f", {start if start is not None else '..'} to {end if end is not None else '..'}"
    known = f" (as known at {instant})" if instant is not None else ""
    title = f"Coded interactions{' by ' + ', '.join(groups) if groups else ''}{period}{known}"
    return View("interactions", rows, (*groups, "count", "intensity"),
                totals={"interactions": Count(certain, possible)}, title=title)
