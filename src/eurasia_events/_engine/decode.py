"""The one decoding point: a stored record's bytes to a compact row, every check made.

Everything here is generated from the event declarations (the attrs fields of
:mod:`eurasia_events.events` and their ``shape`` metadata): per event type, a
:mod:`msgspec` struct checks the JSON in compiled code (types, required and unknown
fields, choices, entity and source ids, slugs, non-empty text), and a generated function
finishes the row with what needs Python (dates and figures, each distinct text checked
once; entity lists; disputes; the type's cross-field rule, ``__attrs_post_init__``, run on
the row). A record the structs refuse is decoded the slow way, building the attrs event,
so the error names the file, line, event and field as it always did.

The JSON Schema of each type is generated from the same declarations by :mod:`eurasia_events.schema`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Final, Literal, NamedTuple, TypeVar, Union

import attrs
import msgspec

from eurasia_events.codec import CURRENT_SCHEMA, MAX_LINE_BYTES, recorded_micros
from eurasia_events.dates import PartialDate
from eurasia_events.errors import EurasiaEventsError
from eurasia_events.events import DISPUTE_RANKS, EVENT_TYPES, Citation, Status, is_day
from eurasia_events.quantities import Quantity
from eurasia_events.sources import Source, citation_kind_problem

from .codegen import compile_function
from .rows import DROPPED, kept_fields, packed, row_class

__all__ = ["Decline", "RecordDecoder"]

_V = TypeVar("_V")

# Patterns cost msgspec a Python call each (a third of its time): slugs and text are only
# required non-empty here and checked by the finishing step with str methods.
_NONEMPTY: Final = Annotated[str, msgspec.Meta(min_length=1)]
_SLUG_CHARS: Final = "abcdefghijklmnopqrstuvwxyz0123456789._-"
_AMENDMENTS: Final = ("correction", "retraction")
_LAST: Final = DROPPED | {"reason", "changes"}  # a type's struct lists these fields last


class Decline(Exception):
    """The fast path declines: decode the slow way, which names the problem."""


class _Cited(NamedTuple):
    """A citation's values, as the source-kind rule reads them."""

    source: str
    quote: str
    record: str


def _literal(values: Iterable[str]) -> Any:
    """A literal set of ids; for an empty registry, text no id matches (a reference then
    declines to the full decode, which names it unknown)."""
    found = tuple(values)
    return Literal.__getitem__(found) if found else Annotated[str, msgspec.Meta(pattern="(?!)")]


def _field_type(field: attrs.Attribute[Any], entity: Any, source: Any) -> tuple[Any, Any]:
    """The msgspec type of a declared field, and its default (``msgspec.NODEFAULT`` if required)."""
    meta = field.metadata
    shape, codec = meta.get("shape"), meta.get("codec")
    required = field.default is attrs.NOTHING
    default: Any = msgspec.NODEFAULT if required else field.default
    kind: Any
    if shape == "slug":
        kind = _NONEMPTY
    elif shape == "slugs":
        kind = tuple[_NONEMPTY, ...]  # type: ignore[valid-type]
    elif shape == "choice":
        kind = Literal.__getitem__(tuple(meta["choices"]))
    elif shape == "choices":
        kind = tuple[Literal.__getitem__(tuple(meta["choices"])), ...]  # type: ignore[misc]
    elif shape == "entity":
        kind = entity
    elif shape == "entities":
        kind = Annotated[tuple[entity, ...], msgspec.Meta(min_length=1)] if required else tuple[entity, ...]
    elif codec == "status":
        kind = Literal.__getitem__(tuple(s.value for s in Status))
        default = default.value if isinstance(default, Status) else default
    elif codec in ("date", "quantity"):
        kind = str
    elif codec == "bool":
        kind = bool
    elif codec in ("int", "float"):
        lowest, highest = meta["bounds"]
        bounds = {"ge": lowest} if highest is None else {"ge": lowest, "le": highest}
        kind = Annotated[int if codec == "int" else float, msgspec.Meta(**bounds)]
    elif codec == "text":
        kind = _NONEMPTY if required else str
    elif codec == "citations":
        citation = _citation_struct(source)
        kind = (Annotated[tuple[citation, ...], msgspec.Meta(min_length=1)]  # type: ignore[valid-type]
                if required else tuple[citation, ...])  # type: ignore[valid-type]
    elif codec == "disputes":
        kind = tuple[_dispute_struct(source), ...]  # type: ignore[misc]
    elif codec == "changes":
        kind = Annotated[dict[str, Any], msgspec.Meta(min_length=1)]
    else:
        raise AssertionError(f"no decoding for field {field.name!r}")
    if default is None:
        kind = kind | None
    elif default is not msgspec.NODEFAULT and isinstance(default, tuple):
        default = ()
    return kind, default


@functools.cache
def _citation_struct(source: Any) -> Any:
    # Which of quote and record a citation holds, and whether that fits its source's kind,
    # is checked by the finishing step (Shared.cited).
    return msgspec.defstruct(
        "Citation", [("source", source), ("quote", str, ""), ("record", str, ""), ("locator", str, "")],
        kw_only=True, forbid_unknown_fields=True)


@functools.cache
def _dispute_struct(source: Any) -> Any:
    return msgspec.defstruct(
        "Dispute", [("field", _NONEMPTY), ("value", _NONEMPTY), ("source", source), ("note", str, ""),
                    ("rank", Literal.__getitem__(DISPUTE_RANKS), "normal")],
        kw_only=True, forbid_unknown_fields=True)


@functools.cache
def data_struct(type_: str, entity: Any, source: Any) -> Any:
    """The struct of one type's JSON data; fields in row order, the dropped ones last."""
    cls = EVENT_TYPES[type_]
    specs = []
    for field in sorted(attrs.fields(cls), key=lambda f: f.name in _LAST):
        kind, default = _field_type(field, entity, source)
        specs.append((field.name, kind) if default is msgspec.NODEFAULT else (field.name, kind, default))
    return msgspec.defstruct(f"{cls.__name__}Data", specs, kw_only=True, forbid_unknown_fields=True)


# --- the finishing step, generated per type ---------------------------------------------


@functools.cache
def _finisher(type_: str) -> Callable[..., tuple[Any, ...]]:
    """Generate the function turning one type's decoded struct into its stored row: the
    checks msgspec leaves to Python, then the row."""
    if type_ in _AMENDMENTS:
        return functools.partial(_amendment, type_)
    cls = EVENT_TYPES[type_]
    namespace: dict[str, Any] = {"Decline": Decline, "TAG": type_, "ROW": row_class(type_), "SLUG": _SLUG_CHARS,
                                "PACKED": packed}
    lines = ["def finish(s, seq, c):"]
    for field in attrs.fields(cls):
        name, shape, codec = field.name, field.metadata.get("shape"), field.metadata.get("codec")
        required = field.default is attrs.NOTHING
        if shape == "slug":  # non-empty (msgspec); only slug characters, not starting with . _ -
            lines += [f"    if s.{name}.strip(SLUG) or s.{name}[0] in '._-':", "        raise Decline"]
        elif shape == "slugs":
            lines += [f"    if s.{name} and not c.slugs(s.{name}):", "        raise Decline"]
        elif codec == "text" and required and shape != "choice":
            lines += [f"    if s.{name}.isspace():", "        raise Decline"]
        elif codec == "citations":
            lines += [f"    for item in s.{name}:", "        if c.cited(item.source, item.quote, item.record):",
                      "            raise Decline"]
    values = []
    for field in kept_fields(type_):
        name, shape, codec = field.name, field.metadata.get("shape"), field.metadata.get("codec")
        if codec == "date":
            lines.append("    v_date, lo, hi = c.date(s.date)" if name == "date"  # required: never None
                         else f"    v_{name} = s.{name} if s.{name} is None else c.date(s.{name})[0]")
            if field.metadata.get("day"):
                lines += [f"    if v_{name} is not None and not c.day(v_{name}):", "        raise Decline"]
        elif codec == "quantity":
            namespace[f"Q_{name}"] = (tuple(field.metadata["dimensions"]), field.metadata.get("positive", True))
            lines.append(f"    v_{name} = s.{name} if s.{name} is None else c.quantity(s.{name}, *Q_{name})")
        elif shape == "entities":
            lines.append(f"    v_{name} = c.entities(s.{name})")
        elif shape in ("slugs", "choices"):
            lines.append(f"    v_{name} = c.shared(s.{name})")
        elif field.metadata.get("repeated"):
            named = f"c.named(s.{name}, s.id)" if name in _naming(type_) else f"s.{name}"
            lines.append(f"    v_{name} = s.{name} if s.{name} is None else c.text({named})")
        elif name in _naming(type_):
            lines.append(f"    v_{name} = c.named(s.{name}, s.id)")
        else:
            lines.append(f"    v_{name} = s.{name}")
        values.append(f"v_{name}")
    lines += ["    disputed = ()",
              "    if s.disputes:",
              "        lo, hi, disputed = c.widened(s.disputes, lo, hi)",
              f"    row = (TAG, {', '.join(values)}, PACKED(lo, seq), lo, hi, disputed)"]
    if hasattr(cls, "__attrs_post_init__"):  # the type's own cross-field rule, read off the row
        namespace["POST_INIT"] = cls.__attrs_post_init__
        lines.append("    POST_INIT(tuple.__new__(ROW, row))")
    lines.append("    return row")
    return compile_function("finish", lines, namespace, about=type_)


def _amendment(tag: str, data: Any, seq: int, shared: Shared) -> tuple[Any, ...]:
    """An amendment's row ``(tag, id, target, seq)``, after the checks msgspec leaves to Python."""
    if (not shared.slugs((data.id, data.target)) or data.reason.isspace()
            or any(shared.cited(item.source, item.quote, item.record) for item in data.sources)
            or (tag == "correction" and ("id" in data.changes or "type" in data.changes))):
        raise Decline
    return (tag, data.id, shared.named(data.target, data.id), seq)


@functools.cache
def _naming(tag: str) -> frozenset[str]:
    """The fields of a type that name an event, or what its first event's id names (an
    agreement, a measure): the keys its handler reads (:data:`~eurasia_events.projections.TOUCHES`)
    other than entities, whose strings are shared already (:meth:`Shared.entities`)."""
    from eurasia_events.projections import TOUCHES  # imports this package's rows

    entity = {f.name for f in kept_fields(tag) if f.metadata.get("entity")}
    return frozenset(names[0] for _, names, many in TOUCHES.get(tag, ())
                     if len(names) == 1 and not many and names[0] not in entity)


def _kept(cache: dict[Any, _V], key: Any, value: _V) -> _V:
    """``value``, remembered under ``key`` unless ``cache`` is full: a log of distinct values
    must not grow it without end."""
    if len(cache) < 100_000:
        cache[key] = value
    return value


def _date(text: str) -> tuple[str, int, int]:
    try:
        date = PartialDate.parse(text)
    except EurasiaEventsError:
        raise Decline from None
    return text, date.earliest_ordinal, date.latest_ordinal


def _quantity(text: str, dimensions: tuple[str, ...], positive: bool) -> str:
    try:
        value = Quantity.parse(text)
    except EurasiaEventsError:
        raise Decline from None
    if not any(value.dimension.startswith(d) for d in dimensions) or (positive and value.value <= 0):
        raise Decline
    return text


class Shared:
    """Checks that need Python, made once per distinct value; each returns the first equal
    value seen, so the rows holding it share one object (a million rows hold a few thousand
    dates). A plain dict lookup first: hits are most calls, and ``functools.lru_cache``
    measured slower here."""

    def __init__(self, kinds: Mapping[str, str] | None = None,
                 ids: Mapping[str, tuple[Any, ...]] | None = None) -> None:
        self._kinds = dict(kinds or {})  # source id -> kind (a source not listed is a document)
        self._ids: Mapping[str, tuple[Any, ...]] = {} if ids is None else ids
        self._cited: dict[tuple[str, bool, bool, bool], bool] = {}
        self._dates: dict[str, tuple[str, int, int]] = {}
        self._days: dict[str, bool] = {}
        self._quantities: dict[tuple[str, tuple[str, ...], bool], str] = {}
        self._tuples: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.texts: dict[str, str] = {}
        self._entities: dict[tuple[str, ...], tuple[str, ...]] = {}

    def date(self, text: str) -> tuple[str, int, int]:
        """The date's text and its possible days (ordinals)."""
        found = self._dates.get(text)
        return _kept(self._dates, text, _date(text)) if found is None else found

    def day(self, text: str) -> bool:
        """Whether a valid date's text is one day (:func:`~eurasia_events.events.is_day`)."""
        found = self._days.get(text)
        return _kept(self._days, text, is_day(PartialDate.parse(text))) if found is None else found

    def quantity(self, text: str, dimensions: tuple[str, ...], positive: bool) -> str:
        """A figure's text, of one of the ``dimensions`` and positive if asked."""
        key = (text, dimensions, positive)
        found = self._quantities.get(key)
        return _kept(self._quantities, key, _quantity(*key)) if found is None else found

    def text(self, value: str) -> str:
        """A repeated text (a field declared ``repeated``): the first equal one seen."""
        found = self.texts.get(value)
        return _kept(self.texts, value, value) if found is None else found

    def named(self, name: str | None, own: str) -> str | None:
        """A name of an event (an amendment's target, an agreement or measure named by its first
        event's id): the string of the id it equals, the record's ``own`` or one the log holds
        (``ids``, by id), so the rows share it; at a million events, 230,000 copies of 72 bytes."""
        if name == own:
            return own
        found = self._ids.get(name)  # type: ignore[arg-type]  # None: not found
        return name if found is None else found[1]

    def shared(self, items: tuple[Any, ...]) -> tuple[Any, ...]:
        found = self._tuples.get(items)
        return _kept(self._tuples, items, items) if found is None else found

    def entities(self, items: tuple[str, ...]) -> tuple[str, ...]:
        """Entity ids, each listed once (else the constructor names the one listed twice)."""
        found = self._entities.get(items)
        if found is None:
            if len(set(items)) != len(items):
                raise Decline
            found = _kept(self._entities, items, items)
        return found

    def cited(self, source: str, quote: str, record: str) -> bool:
        """Whether a citation breaks a rule: :meth:`Citation.problem` or its source's kind
        (:func:`~eurasia_events.sources.citation_kind_problem`). With the source an id and the
        values text (the struct's types), the answer depends only on the source and which of
        quote and record are empty or blank: asked once per such case."""
        key = (source, not quote, not record, (quote or record).isspace())
        found = self._cited.get(key)
        if found is None:
            found = self._cited[key] = (
                Citation.problem(source, quote, record) is not None
                or citation_kind_problem(self._kinds.get(source, "document"),
                                         _Cited(source, quote, record)) is not None)
        return found

    @staticmethod
    def slugs(items: tuple[str, ...]) -> bool:
        return all(not v.strip(_SLUG_CHARS) and v[0] not in "._-" for v in items)

    def widened(self, disputes: tuple[Any, ...], lo: int, hi: int) -> tuple[int, int, tuple[str, ...]]:
        """The span widened by the disputed dates, and the disputes' fields and values, flat."""
        pairs: list[str] = []
        for item in disputes:
            if item.rank == "deprecated":
                continue  # refuted: kept in the record, used by no answer
            if item.field == "date":
                _, other_lo, other_hi = self.date(item.value)
                lo, hi = min(lo, other_lo), max(hi, other_hi)
            pairs.extend((item.field, item.value))
        return lo, hi, tuple(pairs)


def _record_struct(type_: str, data: Any) -> Any:
    """The struct of one type's whole record: the envelope, tagged by its ``type``, around the
    type's data struct. A union of these decodes a line in one call, the type picking the struct."""
    return msgspec.defstruct(
        f"{type_}Record", [("seq", Annotated[int, msgspec.Meta(ge=1)]), ("recorded", str),
                           ("schema", Literal[1]),  # older schemas are upcast on the slow path
                           ("prev", str), ("data", data), ("hash", str)],
        tag_field="type", tag=type_, forbid_unknown_fields=True)


_recorded_micros: Final = functools.lru_cache(maxsize=1)(recorded_micros)  # a batch shares its instant
assert CURRENT_SCHEMA == 1, "the envelope's schema literal follows CURRENT_SCHEMA"


class RecordDecoder:
    """Decodes records into rows for one log's registries of entity and source ids.

    ``sources`` is the source registry (a mapping of ids to :class:`~eurasia_events.Source`),
    or only the ids, every source then a document. ``ids``: the log's live events by id (their
    rows), whose id strings the rows naming them share (see :meth:`Shared.named`).
    """

    def __init__(self, entities: Iterable[str], sources: Iterable[str] | Mapping[str, Source], *,
                 ids: Mapping[str, tuple[Any, ...]] | None = None) -> None:
        entity, source = _literal(sorted(entities)), _literal(sorted(sources))
        self._data = {tag: data_struct(tag, entity, source) for tag in EVENT_TYPES}
        records = {_record_struct(tag, struct): tag for tag, struct in self._data.items()}
        self._records = msgspec.json.Decoder(Union[tuple(records)])  # noqa: UP007
        self._finishers = {tag: _finisher(tag) for tag in EVENT_TYPES}
        self._tags = {struct: (tag, self._finishers[tag]) for struct, tag in records.items()}
        kinds = {key: found.kind for key, found in sources.items()} if isinstance(sources, Mapping) else {}
        self._shared = Shared(kinds, ids)

    def line(self, raw: bytes) -> tuple[int, int, str, str, tuple[Any, ...]] | None:
        """``(seq, recorded micros, prev, type, row)`` of a well-formed current record, or
        ``None`` when the fast path declines (read it the slow way for the precise error)."""
        if len(raw) > MAX_LINE_BYTES:
            return None
        try:
            record = self._records.decode(raw)
            tag, finish = self._tags[type(record)]
            row = finish(record.data, record.seq, self._shared)
            micros = _recorded_micros(record.recorded)
        except Exception:  # any surprise: the slow path names the problem
            return None
        return record.seq, micros, record.prev, tag, row

    def settle(self) -> None:
        """Forget the repeated texts seen so far: the rows hold one of each, and the cache would
        hold a slot for each (a batch of records shares its texts; batches need not)."""
        self._shared.texts.clear()

    def data(self, type_: str, data: Any, seq: int) -> tuple[Any, ...] | None:
        """The row of one type's JSON data (a correction's merge), or ``None`` if the fast path declines."""
        try:
            return self._finishers[type_](msgspec.convert(data, self._data[type_]), seq, self._shared)
        except Exception:
            return None
