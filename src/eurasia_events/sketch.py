"""Sketches: the compact form of an event that a loaded log keeps in memory.

A sketch holds the fields the views read (the event's fields without its sources, notes,
disputes and long free text), plus the record's ``seq``, the event's possible days
(``lo``, ``hi``) and the disputed fields and values, flat (``disputed``: a view
widens a disputed effective date as the date itself is widened). The log stores each
sketch as a plain tuple of text, numbers and tuples of them (dates, figures and the status
as their text): the cyclic garbage collector stops tracking such a tuple after one pass, so a million of them cost it
nothing, where a million objects made every full collection take seconds.

:func:`typed` views a stored tuple as a named tuple of its type (:func:`sketch_class`),
with the event's ``TYPE``, attribute names and value types, so the fold and the views
read a sketch as they read an :class:`~eurasia_events.events.Event`. The full event is
built from the stored record when it is asked for (``log.get``, ``log.events()``,
``log[i]``), with every check.

:meth:`Sketcher.build` reads a record's JSON data straight into a sketch, checking every
field as the event's constructor would: known and required fields, text, dates, figures
and their units, choices, entity and source ids, citations, disputes and each type's
cross-field rules. Anything it does not accept outright (a wrong type, a bad date) takes
the slow path: the full event is built, so an invalid record fails with the same error,
naming the field, as it always did. The builders are generated per type, the way attrs
generates ``__init__``, because a generic loop over fields costs more than everything
else a load does per record.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from .dates import PartialDate
from .events import _SLUG, EVENT_TYPES, Event, Status
from .quantities import Quantity

__all__ = ["DROPPED", "ID", "LO", "SEQ", "SEQ_BITS", "Sketch", "Sketcher", "sketch_class", "sketch_of", "sort_key",
           "typed"]

DROPPED: Final = frozenset({"sources", "notes", "disputes", "related", "expected", "purpose"})
"""Event fields a sketch leaves out: no view reads them, and they hold most of the bytes."""

Sketch = Any
"""A sketch: a plain tuple as stored, or its named-tuple view (see :func:`typed`)."""

# Positions in a stored sketch, for the code that handles many of them at once.
ID: Final = 1
SEQ: Final = -4
LO: Final = -3
SEQ_BITS: Final = 40
"""Bits of a sort key holding the sequence number (a log of up to 2**40 records)."""


def sort_key(sketch: tuple[Any, ...]) -> int:
    """Fold order, (earliest possible day, seq), packed in one int: it sorts and bisects
    several times faster than a tuple, and takes less memory."""
    key: int = (sketch[LO] << SEQ_BITS) | sketch[SEQ]
    return key


_CLASS_ATTRS: Final = ("binding", "in_force_on_signature", "term_from")
_STATUS: Final = {status.value: status for status in Status}


class _Slow(Exception):
    """The fast path declines: build the full event instead."""


class _SketchBase(tuple):  # type: ignore[type-arg]
    __slots__ = ()
    TYPE: str = ""
    lo: int
    hi: int
    _ENTITY_FIELDS: tuple[str, ...] = ()

    def entity_refs(self) -> Iterator[tuple[str, str]]:
        """Every ``(field, entity id)`` the event refers to, as :meth:`Event.entity_refs` gives them."""
        for name in self._ENTITY_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                yield name, value
            elif isinstance(value, tuple):
                for item in value:
                    yield name, item

    @property
    def span(self) -> tuple[int, int]:
        """The possible days, as ordinals: the date's, widened by disputed dates."""
        return self.lo, self.hi

    def disputed_values(self, field: str) -> tuple[str, ...]:
        """The values other sources give for a field, as :meth:`Event.disputed_values` gives them."""
        flat: tuple[str, ...] = self[-1]  # field, value, field, value...: no nested tuple to track
        return tuple(flat[i + 1] for i in range(0, len(flat), 2) if flat[i] == field)


def _stored_as(field: attrs.Attribute[Any]) -> str:
    """How a sketch keeps a field: dates, figures and the status as their text, so that a
    sketch holds only strings, numbers and tuples of them. The cyclic garbage collector
    stops tracking such tuples after one pass: a million sketches then cost it nothing,
    where a million tuples holding objects made every full collection take seconds."""
    codec = field.metadata.get("codec")
    return codec if codec in ("date", "quantity", "status") else "value"


def _text_property(index: int, stored: str) -> property:
    parse: Callable[[str], Any] = {"date": PartialDate.parse, "quantity": Quantity.parse,
                                   "status": _STATUS.__getitem__}[stored]

    def get(self: tuple[Any, ...]) -> Any:
        text = self[index]
        return None if text is None else parse(text)

    return property(get)


_CLASSES: dict[str, type] = {}


def sketch_class(type_: str) -> type:
    """The named tuple class of sketches of one event type (made once)."""
    found = _CLASSES.get(type_)
    if found is None:
        cls = EVENT_TYPES[type_]
        kept = [f for f in attrs.fields(cls) if f.name not in DROPPED]
        names = [f.name if _stored_as(f) == "value" else f"{f.name}_text" for f in kept]
        base = collections.namedtuple(  # type: ignore[misc]
            f"{cls.__name__}Sketch", ["tag", *names, "seq", "lo", "hi", "disputed"])
        body: dict[str, Any] = {
            "__slots__": (), "TYPE": type_, "__module__": __name__,
            "_ENTITY_FIELDS": tuple(f.name for f in kept if f.metadata.get("entity")),
            "_KEPT": tuple((f.name, _stored_as(f)) for f in kept),
        }
        for index, field in enumerate(kept, start=1):
            if _stored_as(field) != "value":
                body[field.name] = _text_property(index, _stored_as(field))
        for name in _CLASS_ATTRS:
            if name not in names and hasattr(cls, name):
                body[name] = getattr(cls, name)
        found = _CLASSES[type_] = type(base.__name__, (_SketchBase, base), body)
    return found


def _as_stored(value: Any, stored: str) -> Any:
    if value is None or stored == "value":
        return value
    return value.value if stored == "status" else str(value)


def typed(sketch: tuple[Any, ...]) -> Sketch:
    """A stored sketch viewed as the named tuple of its type (a sketch already typed is returned as is)."""
    if type(sketch) is not tuple:
        return sketch
    return tuple.__new__(_CLASSES.get(sketch[0]) or sketch_class(sketch[0]), sketch)


def sketch_of(event: Event, seq: int) -> tuple[Any, ...]:
    """The stored sketch of a full event."""
    cls = sketch_class(event.TYPE)
    values = [_as_stored(getattr(event, name), stored) for name, stored in cls._KEPT]  # type: ignore[attr-defined]
    lo, hi = event.span
    return (event.TYPE, *values, seq, lo, hi,
            tuple(text for d in event.disputes if d.rank != "deprecated" for text in (d.field, d.value)))


# --- checks the generated builders call; each raises _Slow (or anything) on a bad value ----


def _slugs(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not all(type(v) is str and _SLUG.fullmatch(v) for v in value):
        raise _Slow
    return tuple(value)


_DATE_TEXTS: dict[str, str] = {}  # each valid date text once, shared by every sketch holding it


def _date(value: Any) -> str:
    text = _DATE_TEXTS.get(value) if type(value) is str else None
    if text is None:
        PartialDate.parse(value)  # raises InvalidDateError on a bad date: a slow-path signal like any other
        text = value
        if len(_DATE_TEXTS) < 100_000:
            _DATE_TEXTS[text] = text
    return text


def _quantity_check(field: attrs.Attribute[Any]) -> Callable[[Any], str]:
    dimensions = field.metadata["dimensions"]
    positive = field.metadata.get("positive", True)
    seen: dict[str, str] = {}  # texts already checked, each kept once; figures repeat

    def check(value: Any) -> str:
        if type(value) is not str:
            raise _Slow
        text = seen.get(value)
        if text is None:
            found = Quantity.parse(value)
            if not any(found.dimension.startswith(d) for d in dimensions) or (positive and found.value <= 0):
                raise _Slow
            text = value
            if len(seen) < 10_000:
                seen[text] = text
        return text

    return check


def _choices_check(field: attrs.Attribute[Any]) -> Callable[[Any], tuple[str, ...]]:
    canonical = {c: c for c in field.metadata["choices"]}
    seen: dict[tuple[str, ...], tuple[str, ...]] = {}

    def check(value: Any) -> tuple[str, ...]:
        if type(value) is not list:
            raise _Slow
        key = tuple(value)
        found = seen.get(key)
        if found is None:
            found = seen[key] = tuple(canonical[v] for v in value)
        return found

    return check


# --- the generated builders -------------------------------------------------------------


_Builder = Callable[[dict[str, Any], int, Mapping[str, str], frozenset[str], Callable[[Any, bool], Any]], Sketch]
_BUILDERS: dict[str, _Builder] = {}


def _builder(type_: str) -> _Builder:
    """Generate the function that reads one type's JSON data into a stored sketch.

    Each field's check is written out in the function, as attrs writes ``__init__``:
    calling a function per field cost as much as all the rest.
    """
    found = _BUILDERS.get(type_)
    if found is not None:
        return found
    cls = EVENT_TYPES[type_]
    fields = attrs.fields(cls)
    namespace: dict[str, Any] = {
        "_Slow": _Slow, "SKETCH": sketch_class(type_), "TAG": type_, "EMPTY": (),
        "ALLOWED": frozenset(f.name for f in fields), "CITATION_OK": _citation_ok, "WIDENED": _widened,
        "SLUG": _SLUG.fullmatch, "SLUGS": _slugs, "DATE": _date, "PARSE_DATE": PartialDate.parse,
        "STATUS": {status.value: status.value for status in Status},
    }
    body = [
        "def build(d, seq, ent, src, entities):",
        "    if not d.keys() <= ALLOWED:",
        "        raise _Slow",
        "    cited = d['sources']",
        "    if type(cited) is not list or not cited or not all(CITATION_OK(c, src) for c in cited):",
        "        raise _Slow",
    ]
    names = []
    for field in fields:
        if field.name in ("sources", "disputes"):
            continue
        name = f"v_{field.name}"
        body.extend(_check_lines(field, name, namespace))
        if field.name not in DROPPED:
            names.append(name)
    body.append("    date = PARSE_DATE(v_date)")
    body.append("    disputes = d.get('disputes', EMPTY)")
    body.append("    if disputes is EMPTY or disputes == []:")
    body.append(f"        sketch = (TAG, {', '.join(names)}, seq, date.earliest_ordinal, date.latest_ordinal, EMPTY)")
    body.append("    else:")
    body.append("        lo, hi, pairs = WIDENED(disputes, src, date.earliest_ordinal, date.latest_ordinal)")
    body.append(f"        sketch = (TAG, {', '.join(names)}, seq, lo, hi, pairs)")
    if hasattr(cls, "__attrs_post_init__"):  # the type's own cross-field rules read the sketch alike
        namespace["POST_INIT"] = cls.__attrs_post_init__
        body.append("    POST_INIT(tuple.__new__(SKETCH, sketch))")
    body.append("    return sketch")
    exec("\n".join(body), namespace)  # generated from the event classes, never from data
    built: _Builder = namespace["build"]
    _BUILDERS[type_] = built
    return built


def _check_lines(field: attrs.Attribute[Any], name: str, namespace: dict[str, Any]) -> list[str]:
    """Source lines that read one field of ``d`` into ``name``, raising ``_Slow`` if it is not valid."""
    key, shape, codec = field.name, field.metadata.get("shape"), field.metadata.get("codec")
    required = field.default is attrs.NOTHING
    default = None if required else _as_stored(field.default, _stored_as(field))
    namespace[f"D_{key}"] = default
    get = f"d[{key!r}]" if required else f"d.get({key!r}, D_{key})"
    fail = "        raise _Slow"
    if shape == "entity":
        if required:
            return [f"    {name} = ent[d[{key!r}]]"]
        return [f"    {name} = d.get({key!r})", f"    if {name} is not None:", f"        {name} = ent[{name}]"]
    if shape == "entities":
        return [f"    {name} = entities({get}, {required})"]
    if shape == "slug":
        return [f"    {name} = {get}", f"    if type({name}) is not str or not SLUG({name}):", fail]
    if shape in ("slugs", "choices"):
        namespace[f"C_{key}"] = _slugs if shape == "slugs" else _choices_check(field)
        return [f"    {name} = d.get({key!r}, EMPTY)",
                f"    if {name} is not EMPTY:", f"        {name} = C_{key}({name})"]
    if shape == "choice":
        canonical = {c: c for c in field.metadata["choices"]}
        namespace[f"C_{key}"] = canonical | {None: None} if not required and default is None else canonical
        if required:
            return [f"    {name} = C_{key}[d[{key!r}]]"]
        return [f"    {name} = C_{key}[d[{key!r}]] if {key!r} in d else D_{key}"]
    if codec == "status":
        return [f"    {name} = STATUS[d[{key!r}]] if {key!r} in d else D_{key}"]
    if codec == "date":
        if required:
            return [f"    {name} = DATE(d[{key!r}])"]
        return [f"    {name} = d.get({key!r})", f"    if {name} is not None:", f"        {name} = DATE({name})"]
    if codec == "quantity":
        namespace[f"C_{key}"] = _quantity_check(field)
        if required:
            return [f"    {name} = C_{key}(d[{key!r}])"]
        return [f"    {name} = d.get({key!r})", f"    if {name} is not None:", f"        {name} = C_{key}({name})"]
    if codec == "bool":
        return [f"    {name} = {get}", f"    if type({name}) is not bool:", fail]
    if codec == "int":
        return [f"    {name} = d.get({key!r})",
                f"    if {name} is not None and (type({name}) is not int or {name} < 1):", fail]
    if codec == "text":
        empty = f" or not {name}.strip()" if required else ""
        return [f"    {name} = {get}", f"    if type({name}) is not str{empty}:", fail]
    raise AssertionError(f"no fast check for field {key!r}")


class Sketcher:
    """Reads records' JSON data into sketches for one log, with its registries' ids.

    >>> import eurasia_events as ee
    >>> log = ee.load()
    >>> sketcher = Sketcher(log.entities, log.sources)
    >>> stored = sketcher.build("meeting", {"id": "m-1", "date": "2014-05", "title": "Talks",
    ...     "sources": [{"source": "seed-000", "quote": "q"}], "parties": ["RU", "CN"], "kind": "talks"}, 7)
    >>> type(stored) is tuple
    True
    >>> s = typed(stored)
    >>> s.TYPE, s.seq, s.date, s.span == (s.date.earliest_ordinal, s.date.latest_ordinal), s.parties
    ('meeting', 7, PartialDate('2014-05'), True, ('RU', 'CN'))
    """

    def __init__(self, entities: Iterable[str], sources: Iterable[str]) -> None:
        self._entities: dict[str, str] = {e: e for e in entities}
        self._sources = frozenset(sources)
        self._lists: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._builders: dict[str, _Builder] = {}

    def build(self, type_: str, data: Any, seq: int) -> Sketch | None:
        """The sketch of valid data, or ``None`` when the fast path declines (build the event)."""
        build = self._builders.get(type_)
        if build is None:
            if type_ not in _EVENT_TAGS:
                return None  # amendments, and unknown types (the slow path names them)
            build = self._builders[type_] = _builder(type_)
        try:
            return build(data, seq, self._entities, self._sources, self.entities)
        except Exception:  # any surprise means: take the slow path, which names the field
            return None

    def amendment(self, type_: str, data: Any) -> tuple[str, str] | None:
        """``(id, target)`` of a correction's or retraction's valid data, or ``None`` when the
        fast path declines (build the amendment with every check)."""
        try:
            if type(data) is not dict or not data.keys() <= _AMENDMENT_KEYS[type_]:
                return None
            amendment_id, target, reason = data["id"], data["target"], data["reason"]
            if (type(amendment_id) is not str or not _SLUG.fullmatch(amendment_id) or type(target) is not str
                    or not _SLUG.fullmatch(target) or type(reason) is not str or not reason.strip()
                    or type(data.get("notes", "")) is not str):
                return None
            cited = data.get("sources", [])
            if type(cited) is not list or not all(_citation_ok(c, self._sources) for c in cited):
                return None
            if type_ == "correction":
                changes = data["changes"]
                if type(changes) is not dict or not changes or "id" in changes or "type" in changes:
                    return None
        except Exception:  # any surprise: the slow path names the field
            return None
        return amendment_id, target

    def entities(self, value: Any, at_least_one: bool) -> tuple[str, ...]:
        """A list of entity ids, checked, as a shared tuple of the registry's ids."""
        if value == () and not at_least_one:
            return ()  # left out
        if type(value) is not list:
            raise _Slow
        key = tuple(value)
        found = self._lists.get(key)
        if found is None:
            entities = self._entities
            found = tuple(entities[v] for v in value)
            if (at_least_one and not found) or len(set(found)) != len(found):
                raise _Slow
            if len(self._lists) < 100_000:
                self._lists[key] = found
        elif at_least_one and not found:
            raise _Slow
        return found


_EVENT_TAGS: Final = frozenset(tag for tag, cls in EVENT_TYPES.items() if issubclass(cls, Event))
_CITATION_KEYS: Final = frozenset({"source", "quote", "locator"})
_AMENDMENT_KEYS: Final = {
    tag: frozenset(f.name for f in attrs.fields(EVENT_TYPES[tag])) for tag in ("correction", "retraction")
}
_DISPUTE_KEYS: Final = frozenset({"field", "value", "source", "note", "rank"})


def _citation_ok(item: Any, sources: frozenset[str]) -> bool:
    if type(item) is not dict or not item.keys() <= _CITATION_KEYS or item["source"] not in sources:
        return False
    quote = item["quote"]
    return type(quote) is str and bool(quote.strip()) and type(item.get("locator", "")) is str


def _widened(disputes: Any, sources: frozenset[str], lo: int,
             hi: int) -> tuple[int, int, tuple[str, ...]]:
    """The span widened by the disputed dates, and the disputes' fields and values, flat
    (``field, value, field, value...``); raises _Slow for anything unusual."""
    if type(disputes) is not list:
        raise _Slow
    pairs: list[str] = []
    for item in disputes:
        if type(item) is not dict or not item.keys() <= _DISPUTE_KEYS or item["source"] not in sources:
            raise _Slow
        field, value = item["field"], item["value"]
        if (type(field) is not str or not field or type(value) is not str or not value
                or type(item.get("note", "")) is not str):
            raise _Slow
        rank = item.get("rank", "normal")
        if rank == "deprecated":
            continue  # refuted: kept in the record, used by no answer
        if rank != "normal":
            raise _Slow  # the constructor names the bad rank
        if field == "date":
            other = PartialDate.parse(value)
            lo, hi = min(lo, other.earliest_ordinal), max(hi, other.latest_ordinal)
        pairs.extend((field, value))
    return lo, hi, tuple(pairs)

