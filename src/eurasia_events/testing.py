"""Hypothesis strategies and assertion helpers for test suites built on this library.

Strategies generate *valid* values: partial dates, quantities, events of every type
whose entity and source references resolve in a given registry, and whole logs with
retroactive appends and amendments. Needs hypothesis only: ``pip install 'eurasia-events[testing]'``.

>>> from hypothesis import given
>>> from eurasia_events.testing import partial_dates
>>> @given(partial_dates())
... def test_bounds(d):
...     assert d.earliest <= d.latest
>>> test_bounds()
"""

from __future__ import annotations

import calendar
import difflib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from .codec import decode_event
from .dates import PartialDate, Precision
from .entities import EntityRegistry
from .errors import EurasiaEventsError, InvalidEventError
from .events import EVENT_TYPES, AgreementExtended, Amendment, Correction, Event, Retraction
from .log import Log
from .quantities import UNITS, Quantity
from .sources import SourceRegistry

__all__ = [
    "assert_as_of",
    "event_data",
    "events",
    "log_batches",
    "partial_dates",
    "quantities",
    "slugs",
]

QUALIFIERS = ("", "", "", "?", "~", "%")


@st.composite
def _point(draw: st.DrawFn, min_year: int = 1990, max_year: int = 2035, qualifiers: bool = True) -> str:
    year = draw(st.integers(min_year, max_year))
    text = f"{year:04d}"
    precision = draw(st.sampled_from(("year", "month", "day", "day")))
    if precision != "year":
        month = draw(st.integers(1, 12))
        text += f"-{month:02d}"
        if precision == "day":
            text += f"-{draw(st.integers(1, calendar.monthrange(year, month)[1])):02d}"
    return text + (draw(st.sampled_from(QUALIFIERS)) if qualifiers else "")


@st.composite
def partial_dates(draw: st.DrawFn, *, min_year: int = 1990, max_year: int = 2035, intervals: bool = True,
                  qualifiers: bool = True) -> PartialDate:
    """Valid partial dates: years, months, days, qualified, and intervals with open ends."""
    first = draw(_point(min_year, max_year, qualifiers))
    if not intervals or draw(st.integers(0, 3)):
        return PartialDate.parse(first)
    second = draw(_point(min_year, max_year, qualifiers))
    a, b = PartialDate.parse(first), PartialDate.parse(second)
    if a.start and b.start and a.start.bounds()[0] > b.start.bounds()[1]:
        first, second = second, first
    if PartialDate.parse(first).start.bounds()[0] > PartialDate.parse(second).start.bounds()[1]:  # type: ignore[union-attr]
        second = first
    shape = draw(st.sampled_from(("closed", "closed", "open-start", "open-end")))
    if shape == "open-start":
        return PartialDate.parse(f"../{second}")
    if shape == "open-end":
        return PartialDate.parse(f"{first}/..")
    return PartialDate.parse(f"{first}/{second}")


def quantities(units: Sequence[str] | None = None, *, positive: bool = True) -> st.SearchStrategy[Quantity]:
    """Quantities with exact decimal values (up to 3 decimal places) in the given units."""
    low = Decimal("0.001") if positive else Decimal("-1000000")
    values = st.decimals(min_value=low, max_value=Decimal("1000000"), places=3, allow_nan=False,
                         allow_infinity=False)
    return st.builds(Quantity, values, st.sampled_from(list(units or UNITS)), st.sampled_from(("", "", "~", ">")))


def slugs() -> st.SearchStrategy[str]:
    """Lowercase slugs usable as event, agreement or measure ids."""
    return st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True)


def _units_for(dimensions: Sequence[str]) -> list[str]:
    return [u for u, unit in UNITS.items() if any(unit.dimension.startswith(d) for d in dimensions)]


@st.composite
def event_data(draw: st.DrawFn, cls: type[Event], entities: Sequence[str], sources: Sequence[str],
               event_id: str | None = None, agreement_ids: Sequence[str] = ("agr-a", "agr-b", "agr-c"),
               min_year: int = 1990, intervals: bool = True, datasets: Sequence[str] = ()) -> dict[str, Any]:
    """The JSON data of a valid event of type ``cls`` (optional fields drawn or left out).

    Dates fall in ``min_year``..2035; ``intervals=False`` leaves out intervals (and so open starts).
    A source in ``datasets`` is cited by a record, any other by a quote.
    """
    dates = partial_dates(min_year=min_year, intervals=intervals)
    data: dict[str, Any] = {}
    for field in attrs.fields(cls):
        meta = field.metadata
        shape = meta.get("shape")
        required = field.default is attrs.NOTHING
        if field.name == "id":
            data["id"] = event_id or draw(slugs())
            continue
        if not required and not draw(st.booleans()):
            continue
        if field.name in ("agreement", "measure"):
            value: Any = draw(st.sampled_from(list(agreement_ids)))
        elif field.name == "sources":
            source = draw(st.sampled_from(list(sources)))
            words = draw(st.text(min_size=1, max_size=20).filter(str.strip))
            value = [{"source": source, "record" if source in datasets else "quote": words}]
        elif field.name in ("disputes",):
            value = [{"field": "date", "value": str(draw(partial_dates(min_year=min_year, intervals=False))),
                      "source": draw(st.sampled_from(list(sources)))}]
            if draw(st.booleans()):
                value[0]["rank"] = draw(st.sampled_from(("normal", "deprecated")))
        elif field.name == "status":
            value = draw(st.sampled_from(("happened", "planned", "unconfirmed")))
        elif shape == "slug":
            value = draw(slugs())
        elif shape == "slugs":
            value = draw(st.lists(st.sampled_from(list(agreement_ids)), max_size=2, unique=True))
        elif shape == "choice":
            value = draw(st.sampled_from(list(meta["choices"])))
        elif shape == "choices":
            value = draw(st.lists(st.sampled_from(list(meta["choices"])), max_size=3, unique=True))
        elif shape == "entity":
            value = draw(st.sampled_from(list(entities)))
        elif shape == "entities":
            value = draw(st.lists(st.sampled_from(list(entities)), min_size=1, max_size=3, unique=True))
        elif shape == "date" and meta.get("day"):
            value = str(draw(partial_dates(min_year=min_year, intervals=False, qualifiers=False)
                             .filter(lambda d: d.precision is Precision.DAY)))
        elif shape == "date":
            value = str(draw(dates))
        elif shape == "code":  # its form chosen by a field drawn before it (required, so drawn)
            value = draw(st.from_regex(meta["forms"][data[meta["by"]]], fullmatch=True))
        elif shape == "quantity":
            units = _units_for(meta["dimensions"])
            quantity = draw(quantities(units))
            if quantity.unit == "%":
                quantity = Quantity(min(quantity.value, Decimal(100)), "%", quantity.bound)
            value = str(quantity)
        elif shape == "bool":
            value = draw(st.booleans())
        elif shape == "int":
            lowest, highest = meta["bounds"]
            value = draw(st.integers(lowest, highest or lowest + 9))
        elif shape == "float":
            value = draw(st.floats(*meta["bounds"], allow_nan=False))
        elif shape == "text":
            value = draw(st.text(min_size=1, max_size=30).filter(str.strip))
        else:
            continue
        data[field.name] = value
    return data


@st.composite
def events(draw: st.DrawFn, entities: EntityRegistry | Sequence[str], sources: SourceRegistry | Sequence[str],
           types: Sequence[type[Event]] | None = None, event_id: str | None = None, *,
           min_year: int = 1990, intervals: bool = True) -> Event:
    """Valid events of the given types (default: every event type) referring to known entities and sources.

    ``min_year`` and ``intervals`` bound the dates drawn (see :func:`event_data`).
    """
    pool = [c for c in EVENT_TYPES.values() if issubclass(c, Event)] if types is None else list(types)
    cls = draw(st.sampled_from(pool))
    datasets = [k for k, s in sources.items() if s.kind == "dataset"] if isinstance(sources, SourceRegistry) else []
    data = draw(event_data(cls, list(entities), list(sources), event_id, min_year=min_year, intervals=intervals,
                           datasets=datasets))
    if cls is AgreementExtended and ("term" in data) == ("until" in data):
        # exactly one of the two: keep the term, or draw one if neither was drawn
        data.pop("until", None)
        data.setdefault("term", str(draw(quantities(["years"]))))
    for _ in range(3):
        try:
            event = decode_event(cls.TYPE, data)
            break
        except InvalidEventError as error:
            # A cross-field rule (an end before its start) broken by an optional field:
            # drop that field rather than teach every rule to the strategy.
            if error.field not in data or attrs.fields_dict(cls)[error.field].default is attrs.NOTHING:
                raise
            del data[error.field]
    else:
        raise AssertionError(f"could not build a valid {cls.TYPE} from {data}")
    assert isinstance(event, Event)
    return event


@st.composite
def log_batches(draw: st.DrawFn, entities: EntityRegistry | Sequence[str], sources: SourceRegistry | Sequence[str],
                max_batches: int = 4, max_events: int = 8,
                types: Sequence[type[Event]] | None = None) -> list[list[Event | Amendment]]:
    """Batches to append in order: events with dates in any order (so later batches are often
    retroactive), and corrections and retractions of earlier events."""
    batches: list[list[Event | Amendment]] = []
    alive: list[Event] = []
    counter = 0
    for _ in range(draw(st.integers(1, max_batches))):
        batch: list[Event | Amendment] = []
        for _ in range(draw(st.integers(1, max_events))):
            counter += 1
            choice = draw(st.integers(0, 9)) if alive else 0
            if choice == 8:
                target = draw(st.sampled_from(alive))
                batch.append(Retraction(id=f"r{counter}", target=target.id, reason="test"))
                alive.remove(target)
            elif choice == 9:
                target = draw(st.sampled_from(alive))
                new_date = str(draw(partial_dates()))
                try:
                    corrected = attrs.evolve(target, date=PartialDate.parse(new_date))
                except EurasiaEventsError:
                    continue  # the new date breaks a cross-field rule of the target: no correction
                changes: Any = {"date": new_date}  # the converter freezes the JSON object
                batch.append(Correction(id=f"c{counter}", target=target.id, reason="test", changes=changes))
                alive[alive.index(target)] = corrected
            else:
                event = draw(events(entities, sources, types=types, event_id=f"e{counter}"))
                batch.append(event)
                alive.append(event)
        batches.append(batch)
    return batches


def assert_as_of(log: Log, day: Any, view: str, expected: Sequence[dict[str, Any]], *,
                 known_at: Any = None, **options: Any) -> None:
    """Assert a view's rows on a day, comparing only the keys given in ``expected``.

    Fails with a readable diff of the rows (as the JSON records of the view), and on a key
    the view does not have (a misspelt key would otherwise compare as missing on both sides).

    >>> import eurasia_events as ee
    >>> assert_as_of(ee.load(), "2016-01-01", "members",
    ...              [{"member": m} for m in ["AM", "BY", "KG", "KZ", "RU"]], organisation="eaeu")
    """
    found = log.as_of(day, known_at=known_at).view(view, **options)
    records = found.to_records()
    keys = sorted({k for row in expected for k in row})
    unknown = [k for k in keys if k not in found.columns]
    if unknown:
        raise AssertionError(f"{view} has no column {', '.join(map(repr, unknown))}; "
                             f"its columns are {', '.join(found.columns)}")
    actual = sorted((tuple((k, row.get(k)) for k in keys) for row in records), key=repr)
    wanted = sorted((tuple((k, row.get(k)) for k in keys) for row in expected), key=repr)
    if actual != wanted:
        lines = difflib.unified_diff([repr(dict(r)) for r in wanted], [repr(dict(r)) for r in actual],
                                     "expected", f"{view} as of {day}", lineterm="")
        raise AssertionError("\n" + "\n".join(lines))
