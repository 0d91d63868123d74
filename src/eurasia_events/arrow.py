"""Views and the log as Arrow tables, and Parquet files of them (the ``arrow`` extra).

:meth:`View.to_arrow() <eurasia_events.views.View.to_arrow>` and
:meth:`Log.to_arrow() <eurasia_events.log.Log.to_arrow>` build a ``pyarrow.Table`` whose
columns are typed from the declarations (a view's row class, each event type's attrs
fields), never guessed from the values, so an empty answer has the same schema as a full
one and a new event type gets its columns without a change here. pyarrow is imported only
when a table is built; without it these raise :class:`~eurasia_events.errors.MissingExtraError`
naming the extra (``pip install 'eurasia-events[arrow]'``).

How a field becomes columns (``c`` is its name):

- a date (a :class:`~eurasia_events.dates.PartialDate`, or a view's date text: EDTF or a
  range ``A..B``): ``c`` (the text, as the view or the log gives it), ``c_earliest`` and
  ``c_latest`` (``date32``: the first and last possible days; null for an open or unknown end);
- a quantity: ``c_value`` (``float64``), ``c_unit`` (string) and ``c_bound`` (``~``, ``>``
  or ``<`` when the figure is not exact, else null);
- an uncertain count (:class:`~eurasia_events.views.Count`): ``c_certain`` and
  ``c_possible`` (``int64``); a total: ``c_certain``, ``c_possible`` (``float64``), ``c_unit``;
- an instant (when a record entered the log): ``timestamp[us, UTC]``;
- a tuple of text (parties, events, targets): ``list<string>``;
- text, a choice or a status: ``string``; ``bool``, ``int`` (``int64``), ``float``
  (``float64``) as themselves; ``None`` is null. A series' ``day`` is one ``date32`` column.
- anything else (a column typed ``Any`` is typed from its values first): its text.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import json
import operator
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Union, get_args, get_origin, get_type_hints

import attrs

from .__about__ import __version__
from .dates import MAX_ORDINAL, MIN_ORDINAL, Instant, InstantLike, PartialDate, to_instant
from .errors import EurasiaEventsError, MissingExtraError
from .events import EVENT_TYPES, Event
from .quantities import Quantity
from .tables import DATE_COLUMNS, date_bounds, dumps, typed
from .views import Count, Total

if TYPE_CHECKING:
    from .log import Log
    from .views import View

__all__ = ["EVENT_COLUMNS", "event_columns", "log_table", "records_table", "view_table", "write_parquet"]

Progress = Callable[[int], None]
"""Called with the number of events done so far (for a progress indicator)."""

DAY_COLUMNS: Final = frozenset({"day"})
"""Columns of the views that hold one whole day (a series' ``day``): a single ``date32`` column."""

EVENT_COLUMNS: Final = ("id", "type", "date", "date_earliest", "date_latest", "precision", "span_earliest",
                        "span_latest", "title", "parties", "status", "sources", "citations", "recorded", "seq",
                        "amended", "related", "disputes", "notes")
"""The columns every event has in :func:`log_table`, before the columns of each type's own fields."""

_EPOCH_ORDINAL: Final = _dt.date(1970, 1, 1).toordinal()
_ENVELOPE: Final = frozenset(f.name for f in attrs.fields(Event))
_CITATION_PARTS: Final = ("source", "kind", "version", "address", "quote", "record", "locator")
_DISPUTE_PARTS: Final = ("field", "value", "source", "note", "rank")


def _pyarrow() -> Any:
    """The ``pyarrow`` module, or a :class:`MissingExtraError` naming the extra to install."""
    import importlib

    try:
        return importlib.import_module("pyarrow")
    except ImportError:
        raise MissingExtraError("to_arrow() and the Parquet export need pyarrow, which is not installed: "
                                "pip install 'eurasia-events[arrow]'") from None


# --- kinds -------------------------------------------------------------------------------


def _hint_kind(hint: Any) -> str | None:
    """A declared type's kind (``None``: not told by the declaration, e.g. ``Any``)."""
    options = set(get_args(hint)) if isinstance(hint, types.UnionType) or get_origin(hint) is Union else {hint}
    options.discard(type(None))
    if options and options <= {int, float, Decimal} and options != {int}:  # a float, or a number of either kind
        return "float"
    if len(options) != 1:
        return None
    base = options.pop()
    if get_origin(base) is tuple:
        return "list" if all(arg in (str, Ellipsis) for arg in get_args(base)) else None
    if not isinstance(base, type):
        return None
    found: str | None = None
    for cls, kind in ((bool, "bool"), (int, "int"), (str, "text"),
                      (PartialDate, "date"), (Quantity, "quantity"), (Instant, "instant"), (Count, "count"),
                      (Total, "total"), (enum.Enum, "text")):
        if issubclass(base, cls):
            found = kind
            break
    return found


def _value_kind(values: Iterable[Any]) -> str:
    """The kind of a column declared ``Any``, from the values it holds (``null`` when none)."""
    kinds = {_one_kind(v) for v in values if v is not None}
    return functools.reduce(_merge, sorted(kinds)) if kinds else "null"


def _one_kind(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "list" if all(isinstance(x, str) for x in value) else "json"
    return _hint_kind(type(value)) or "json"  # bool, int, float, text, a quantity, a count, a date...


def _merge(first: str, second: str) -> str:
    """One kind for a column two event types declare differently (a number, else text)."""
    if first == second:
        return first
    if {first, second} <= {"int", "float"}:
        return "float"
    return "json"


# --- cells to Arrow arrays -----------------------------------------------------------------


def _day(ordinal: int | None) -> int | None:
    """A day ordinal as days since 1970 (``date32``); an open or unknown end is null."""
    if ordinal is None or ordinal <= MIN_ORDINAL or ordinal >= MAX_ORDINAL:
        return None
    return ordinal - _EPOCH_ORDINAL


def _text_bounds(value: Any) -> tuple[int | None, int | None]:
    """The possible days of a date's text (EDTF or ``A..B``), or of a PartialDate, as ordinals."""
    if isinstance(value, PartialDate):
        return value.earliest_ordinal, value.latest_ordinal
    if not isinstance(value, str):
        return None, None
    try:
        first, last = date_bounds(value)
    except EurasiaEventsError:  # not a date after all: the text stays, the bounds are null
        return None, None
    return (None if first is None else _dt.date.fromisoformat(first).toordinal(),
            None if last is None else _dt.date.fromisoformat(last).toordinal())


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (Mapping, list, tuple)):
        return dumps(typed(value), indent=None)
    return str(value)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _columns(pa: Any, name: str, kind: str, values: Sequence[Any]) -> list[tuple[str, Any]]:
    """The Arrow columns of one field (see the module's rules), named and typed."""
    if values and values.count(None) == len(values):  # a field no row has (most of a wide table): nulls at once
        return [(column, pa.nulls(len(values), array.type)) for column, array in _spread(pa, name, kind, [])]
    return _spread(pa, name, kind, values)


def _spread(pa: Any, name: str, kind: str, values: Sequence[Any]) -> list[tuple[str, Any]]:
    string, f64, i64, day = pa.string(), pa.float64(), pa.int64(), pa.date32()
    if kind == "date":
        bounds = [_text_bounds(v) for v in values]
        return [(name, pa.array([_text(v) for v in values], string)),
                (f"{name}_earliest", pa.array([_day(lo) for lo, _ in bounds], day)),
                (f"{name}_latest", pa.array([_day(hi) for _, hi in bounds], day))]
    if kind == "day":
        return [(name, pa.array([_day(_text_bounds(v)[0]) for v in values], day))]
    if kind == "quantity":
        quantities = [v if isinstance(v, Quantity) else None for v in values]
        return [(f"{name}_value", pa.array([None if q is None else float(q.value) for q in quantities], f64)),
                (f"{name}_unit", pa.array([None if q is None else q.unit for q in quantities], string)),
                (f"{name}_bound", pa.array([q.bound if q is not None and q.bound else None for q in quantities],
                                           string))]
    if kind == "count":
        return [(f"{name}_certain", pa.array([getattr(v, "certain", None) for v in values], i64)),
                (f"{name}_possible", pa.array([getattr(v, "possible", None) for v in values], i64))]
    if kind == "total":
        parts = [(getattr(v, "certain", None), getattr(v, "possible", None)) for v in values]
        units = [next((q.unit for q in pair if isinstance(q, Quantity)), None) for pair in parts]
        return [(f"{name}_certain", pa.array([_number(getattr(c, "value", None)) for c, _ in parts], f64)),
                (f"{name}_possible", pa.array([_number(getattr(p, "value", None)) for _, p in parts], f64)),
                (f"{name}_unit", pa.array(units, string))]
    if kind == "instant":
        return [(name, pa.array([getattr(v, "micros", None) for v in values], pa.timestamp("us", tz="UTC")))]
    if kind == "list":
        try:
            return [(name, pa.array(values, pa.list_(string)))]
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # items other than text: their text
            return [(name, pa.array([None if v is None else [_text(x) for x in v] for v in values],
                                    pa.list_(string)))]
    if kind == "bool":
        return [(name, pa.array(values, pa.bool_()))]
    if kind == "int":
        return [(name, pa.array(values, i64))]
    if kind == "float":
        return [(name, pa.array([_number(v) for v in values], f64))]
    if kind == "null":
        return [(name, pa.nulls(len(values)))]
    try:  # text, json
        return [(name, pa.array(values, string))]
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # an enum, a number, a mapping...: its text
        return [(name, pa.array([_text(v) for v in values], string))]


def _table(pa: Any, built: Iterable[tuple[str, Any]], metadata: Mapping[str, Any]) -> Any:
    names, arrays = [], []
    for name, array in built:
        names.append(name)
        arrays.append(array)
    described = json.dumps({"version": __version__, **metadata}, ensure_ascii=False)
    # from_arrays, not pa.table(): that one asks whether the data is a DataFrame, importing pandas
    return pa.Table.from_arrays(arrays, names=names, metadata={"eurasia_events": described})


# --- views ---------------------------------------------------------------------------------


def _row_hints(row_type: type | None) -> dict[str, Any]:
    if row_type is None:
        return {}
    try:
        return get_type_hints(row_type)
    except (NameError, TypeError):  # annotations that do not resolve: the values decide
        return {}


def records_table(columns: Sequence[str], records: Sequence[Mapping[str, Any]], *,
                  row_type: type | None = None, metadata: Mapping[str, Any] | None = None) -> Any:
    """Rows (dicts of cells) as a typed ``pyarrow.Table``: each column typed from ``row_type``'s
    annotations where it declares one, else from the values (see the module for the rules)."""
    pa = _pyarrow()
    hints = _row_hints(row_type)
    built: list[tuple[str, Any]] = []
    for column in columns:
        values = [record.get(column) for record in records]
        kind = _hint_kind(hints[column]) if column in hints else None
        if kind is None:
            kind = _value_kind(values)
        if kind == "text" and column in DATE_COLUMNS:
            kind = "date"
        elif kind == "text" and column in DAY_COLUMNS:
            kind = "day"
        built.extend(_columns(pa, column, kind, values))
    return _table(pa, built, metadata or {})


def view_table(view: View[Any], columns: Sequence[str] | None = None) -> Any:
    """A view as a typed ``pyarrow.Table``, its columns in the view's order (or ``columns``'),
    its name, title and totals kept in the schema's metadata: JSON under the key ``eurasia_events``."""
    from .schema import VIEW_ROWS  # the row class of an empty view

    rows = view.rows
    row_type = type(rows[0]) if rows else VIEW_ROWS.get(view.name)
    chosen = list(view.columns if columns is None else columns)
    records = [{c: getattr(r, c) for c in chosen} for r in rows]
    # the totals as the json format writes them (exact decimals as JSON numbers)
    totals = json.loads(dumps({k: typed(v) for k, v in view.totals.items()}, indent=None))
    return records_table(chosen, records, row_type=row_type,
                         metadata={"view": view.name, "title": view.title, "totals": totals})


# --- the log -------------------------------------------------------------------------------


def event_columns() -> dict[str, str]:
    """Each event type's own fields, by name, with their kind: the union of every type in
    :data:`~eurasia_events.events.EVENT_TYPES` (read when called, so a new type counts).

    A field two types declare with different kinds becomes text (or a float, for an int
    and a float).

    >>> cols = event_columns()
    >>> cols["annual_volume"], cols["targets"], cols["effective"], cols["persons"]
    ('quantity', 'list', 'date', 'int')
    """
    found: dict[str, str] = {}
    for cls in EVENT_TYPES.values():
        if not issubclass(cls, Event):
            continue
        hints = _row_hints(cls)
        for field in attrs.fields(cls):
            if field.name in _ENVELOPE:
                continue
            kind = _hint_kind(hints.get(field.name)) or _CODEC_KINDS.get(str(field.metadata.get("codec")), "json")
            found[field.name] = _merge(found[field.name], kind) if field.name in found else kind
    return found


_CODEC_KINDS: Final = {"text": "text", "list": "list", "bool": "bool", "int": "int", "float": "float",
                       "date": "date", "quantity": "quantity", "status": "text"}


def _fits(kind: str, constant: Any) -> bool:
    """Whether a constant a type declares (``binding = False``) can fill a column of this kind."""
    if isinstance(constant, bool):
        return kind == "bool"
    if isinstance(constant, int):
        return kind in ("int", "float")
    if isinstance(constant, float):
        return kind == "float"
    return isinstance(constant, str) and kind in ("text", "json")


def _readers(cls: type, own: Mapping[str, str]) -> dict[str, Callable[[Any], Any]]:
    """How to read each column of :func:`event_columns` from an event of type ``cls``: its field,
    or a constant the type declares instead (``binding = False``); a column it lacks is left out."""
    fields = attrs.fields_dict(cls)
    found: dict[str, Callable[[Any], Any]] = {}
    for name, kind in own.items():
        if name in fields:
            found[name] = operator.attrgetter(name)
            continue
        declared = getattr(cls, name, None)  # a constant, a method or property, or nothing
        if declared is not None and not callable(declared) and _fits(kind, declared):
            found[name] = _constant(declared)
    return found


def _constant(value: Any) -> Callable[[Any], Any]:
    def read(_event: Any) -> Any:
        return value

    return read


def _events(log: Log, known_at: InstantLike | None) -> Iterator[tuple[Event, int, int, int | None]]:
    """Each event as known at ``known_at``, in the order of :meth:`Log.events`, with its record's
    seq, when that record was appended and when the event was last corrected (microseconds).

    A combined log has one engine over its logs' records, numbered through the union."""
    instant = None if known_at is None else to_instant(known_at)
    limit = None if instant is None else instant.micros
    engine = log.engine
    recorded = engine.recorded
    amended: dict[str, int] = {}
    for index, micros in enumerate(recorded):
        target = engine.amended(index)  # a retraction's target is not live: only corrections count
        if target is not None and (limit is None or micros <= limit):
            amended[target] = max(micros, amended.get(target, micros))
    for row in engine.typed_rows(instant):
        event = engine.event(row, instant)  # built one at a time, as the table is filled
        yield event, row.seq, recorded[row.seq - 1], amended.get(event.id)


def _citations(log: Log, event: Event) -> list[dict[str, str | None]]:
    cited = []
    for citation in event.sources:
        source = log.sources.get(citation.source)
        parts = {"source": citation.source,
                 "kind": getattr(source, "kind", "document") if source is not None else None,
                 "version": getattr(source, "version", "") if source is not None else None,
                 "address": (source.address or source.file) if source is not None else None,
                 "quote": citation.quote, "record": getattr(citation, "record", ""), "locator": citation.locator}
        cited.append({k: (v or None) for k, v in parts.items()})  # a part the citation lacks is null
    return cited


def log_table(log: Log, *, known_at: InstantLike | None = None, progress: Progress | None = None) -> Any:
    """Every event as known at ``known_at`` (default: now) as one wide, typed ``pyarrow.Table``.

    One row per event (corrections applied, retractions left out), in the order of
    :meth:`Log.events`: the columns of :data:`EVENT_COLUMNS`, then each type's own fields
    (:func:`event_columns`), null where a type has no such field. A constant a type
    declares instead of a field (a joint statement is never ``binding``) fills its column.
    """
    pa = _pyarrow()
    string, day = pa.string(), pa.date32()
    when = pa.timestamp("us", tz="UTC")
    citation_type = pa.list_(pa.struct([(part, string) for part in _CITATION_PARTS]))
    dispute_type = pa.list_(pa.struct([(part, string) for part in _DISPUTE_PARTS]))
    columns: dict[str, list[Any]] = {name: [] for name in EVENT_COLUMNS if not name.startswith(("date_", "span_"))}
    spans: list[tuple[int, int]] = []
    found: list[Event] = []
    for done, (event, seq, recorded, amended) in enumerate(_events(log, known_at), start=1):
        found.append(event)
        spans.append(event.span)
        for name, value in (
            ("id", event.id), ("type", event.TYPE), ("date", event.date), ("precision", event.date.precision.value),
            ("title", event.title), ("parties", list(event.parties)), ("status", event.status.value),
            ("sources", list(dict.fromkeys(c.source for c in event.sources))), ("citations", _citations(log, event)),
            ("recorded", recorded), ("seq", seq), ("amended", amended), ("related", list(event.related)),
            ("disputes", [{k: (getattr(d, k) or None) for k in _DISPUTE_PARTS} for d in event.disputes]),
            ("notes", event.notes),
        ):
            columns[name].append(value)
        if progress is not None:
            progress(done)
    own = event_columns()
    readers = {cls: _readers(cls, own) for cls in {type(event) for event in found}}
    values: dict[str, list[Any]] = {}
    for name in own:  # column by column: a column no type present has is nulls, made at once
        plan = {cls: reader.get(name) for cls, reader in readers.items()}
        if not any(plan.values()):
            values[name] = [None] * len(found)
            continue
        values[name] = [None if (read := plan[type(event)]) is None else read(event) for event in found]
    built: list[tuple[str, Any]] = []
    for name in EVENT_COLUMNS:
        if name == "date":
            built.extend(_columns(pa, "date", "date", columns["date"]))
        elif name == "span_earliest":
            built.append((name, pa.array([_day(lo) for lo, _ in spans], day)))
        elif name == "span_latest":
            built.append((name, pa.array([_day(hi) for _, hi in spans], day)))
        elif name in ("date_earliest", "date_latest"):
            continue
        elif name in ("recorded", "amended"):
            built.append((name, pa.array(columns[name], when)))
        elif name == "seq":
            built.append((name, pa.array(columns[name], pa.int64())))
        elif name in ("parties", "sources", "related"):
            built.append((name, pa.array(columns[name], pa.list_(string))))
        elif name == "citations":
            built.append((name, pa.array(columns[name], citation_type)))
        elif name == "disputes":
            built.append((name, pa.array(columns[name], dispute_type)))
        else:
            built.append((name, pa.array(columns[name], string)))
    taken = {name for name, _ in built}
    for name, kind in own.items():
        for column, array in _columns(pa, name, kind, values[name]):
            # a type's field named like a column above keeps its values under a longer name
            built.append((f"field_{column}" if column in taken else column, array))
    metadata = {"table": "events", "known_at": None if known_at is None else str(to_instant(known_at))}
    return _table(pa, built, metadata)


def write_parquet(table: Any, path: str | Path) -> None:
    """Write an Arrow table (from :func:`view_table` or :func:`log_table`) as a Parquet file."""
    _pyarrow()
    import importlib

    parquet = importlib.import_module("pyarrow.parquet")
    parquet.write_table(table, str(path))
