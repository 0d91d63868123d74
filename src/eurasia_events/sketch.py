"""Sketches: the compact form of an event that a loaded log keeps in memory.

A sketch holds the fields the views read (the event's fields without its sources, notes,
disputes and long free text), plus the record's ``seq`` and the event's possible days
(``lo``, ``hi``). The log stores each sketch as a plain tuple of text, numbers and
tuples of them (dates, figures and the status as their text): the cyclic garbage
collector stops tracking such a tuple after one pass, so a million of them cost it
nothing, where a million objects made every full collection take seconds.

:func:`typed` views a stored tuple as a named tuple of its type (:func:`sketch_class`),
with the event's ``TYPE``, attribute names and value types, so the fold and the views
read a sketch as they read an :class:`~eurasia_events.events.Event`. The full event is
built from the stored record when it is asked for (``log.get``, ``log.events()``,
``log[i]``), with every check.

:meth:`Sketcher.build` reads a record's JSON data straight into a sketch, checking what
is cheap to check: known and required fields, dates, figures and their units, choices,
entity and source ids, and each type's cross-field rules. Anything else, or anything
unusual (a disputed date, a wrong type), takes the slow path: the full event is built,
so an invalid record fails with the same error, naming the field, as it always did. The
builders are generated per type, the way attrs generates ``__init__``, because a generic
loop over fields costs more than everything else a load does per record.
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
_MISSING: Final[Any] = object()


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
    return (event.TYPE, *values, seq, lo, hi, bool(event.disputes))


# --- fast checks, one per field shape; each raises _Slow (or anything) on a bad value -------


def _text(value: Any) -> str:
    if type(value) is not str or not value.strip():
        raise _Slow
    return value


def _optional_text(value: Any) -> str:
    if type(value) is not str:
        raise _Slow
    return value


def _slug(value: Any) -> str:
    if type(value) is not str or _SLUG.fullmatch(value) is None:
        raise _Slow
    return value


def _slugs(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not all(type(v) is str and _SLUG.fullmatch(v) for v in value):
        raise _Slow
    return tuple(value)


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise _Slow
    return value


def _number(value: Any) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value < 1:
        raise _Slow
    return value


_DATE_TEXTS: dict[str, str] = {}  # each valid date text once, shared by every sketch holding it


def _date(value: Any) -> str:
    text = _DATE_TEXTS.get(value) if type(value) is str else None
    if text is None:
        PartialDate.parse(value)  # raises InvalidDateError on a bad date: a slow-path signal like any other
        text = value
        if len(_DATE_TEXTS) < 100_000:
            _DATE_TEXTS[text] = text
    return text


def _status(value: Any) -> str:
    return _STATUS[value].value


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


def _choice_check(field: attrs.Attribute[Any]) -> Callable[[Any], str]:
    canonical = {c: c for c in field.metadata["choices"]}

    def check(value: Any) -> str:
        found: str = canonical[value]
        return found

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


def _optional(check: Callable[[Any], Any], default: Any) -> Callable[[Any], Any]:
    def optional(value: Any) -> Any:
        if value is _MISSING:
            return default
        if value is None and default is None:
            return None
        return check(value)

    return optional


# --- the generated builders -------------------------------------------------------------


def _field_check(field: attrs.Attribute[Any]) -> tuple[str, Callable[[Any], Any] | None]:
    """How to check one field: (``"entity"``/``"entities"`` for the per-log id checks, or a function)."""
    shape, codec = field.metadata.get("shape"), field.metadata.get("codec")
    if shape in ("entity", "entities"):
        return shape, None
    if shape == "slug":
        return "value", _slug
    if shape == "slugs":
        return "value", _slugs
    if shape == "choice":
        return "value", _choice_check(field)
    if shape == "choices":
        return "value", _choices_check(field)
    if codec == "date":
        return "value", _date
    if codec == "quantity":
        return "value", _quantity_check(field)
    if codec == "status":
        return "value", _status
    if codec == "bool":
        return "value", _flag
    if codec == "int":
        return "value", _number
    if codec == "text":
        required = field.default is attrs.NOTHING
        return "value", _text if required else _optional_text
    raise AssertionError(f"no fast check for field {field.name!r}")


_Builder = Callable[[dict[str, Any], int, Mapping[str, str], "Sketcher"], Sketch]
_BUILDERS: dict[str, _Builder] = {}


def _builder(type_: str) -> _Builder:
    """Generate the function that reads one type's JSON data into a sketch."""
    found = _BUILDERS.get(type_)
    if found is not None:
        return found
    cls = EVENT_TYPES[type_]
    fields = attrs.fields(cls)
    namespace: dict[str, Any] = {
        "_Slow": _Slow, "_MISSING": _MISSING, "SKETCH": sketch_class(type_), "TAG": type_,
        "ALLOWED": frozenset(f.name for f in fields) - {"disputes"},
        "REQUIRED": frozenset(f.name for f in fields if f.default is attrs.NOTHING),
        "TEXT": _optional_text, "SLUGS": _slugs,
    }
    body = [
        "def build(d, seq, ent, sketcher):",
        "    if not d.keys() <= ALLOWED or not REQUIRED <= d.keys():",
        "        raise _Slow",
        "    sketcher.check_sources(d['sources'])",
    ]
    for name, dropped_check in (("notes", "TEXT(d.get('notes', ''))"), ("expected", "TEXT(d['expected'])"),
                                ("purpose", "TEXT(d.get('purpose', ''))"), ("related", "SLUGS(d.get('related', []))")):
        if any(f.name == name for f in fields):
            body.append(f"    {dropped_check}")
    args = []
    for field in fields:
        if field.name in DROPPED:
            continue
        how, check = _field_check(field)
        required = field.default is attrs.NOTHING
        value = f"d[{field.name!r}]" if required else f"d.get({field.name!r}, _MISSING)"
        if how == "entity":
            args.append(f"ent[{value}]" if required else f"sketcher.optional_entity({value})")
        elif how == "entities":
            at_least_one = "True" if required else "False"
            args.append(f"sketcher.entities({value}, {at_least_one})")
        else:
            assert check is not None
            default = _as_stored(field.default, _stored_as(field)) if not required else None
            namespace[f"C_{field.name}"] = check if required else _optional(check, default)
            args.append("date_text" if field.name == "date" else f"C_{field.name}({value})")
    body.append("    date_text = C_date(d['date'])")
    body.append("    date = PARSE_DATE(date_text)")
    namespace["PARSE_DATE"] = PartialDate.parse
    body.append(f"    sketch = (TAG, {', '.join(args)}, seq, date.earliest_ordinal, date.latest_ordinal, False)")
    if hasattr(cls, "__attrs_post_init__"):  # the type's own cross-field rules read the sketch alike
        namespace["POST_INIT"] = cls.__attrs_post_init__
        body.append("    POST_INIT(tuple.__new__(SKETCH, sketch))")
    body.append("    return sketch")
    exec("\n".join(body), namespace)  # generated from the event classes, never from data
    built: _Builder = namespace["build"]
    _BUILDERS[type_] = built
    return built


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

    def build(self, type_: str, data: Any, seq: int) -> Sketch | None:
        """The sketch of valid data, or ``None`` when the fast path declines (build the event)."""
        if type_ not in _EVENT_TAGS:
            return None  # amendments, and unknown types (the slow path names them)
        try:
            return _builder(type_)(data, seq, self._entities, self)
        except Exception:  # any surprise means: take the slow path, which names the field
            return None

    def check_sources(self, value: Any) -> None:
        if type(value) is not list or not value:
            raise _Slow
        sources = self._sources
        for item in value:
            if type(item) is not dict or item["source"] not in sources or not item.keys() <= _CITATION_KEYS:
                raise _Slow
            quote = item["quote"]
            if type(quote) is not str or not quote.strip() or type(item.get("locator", "")) is not str:
                raise _Slow

    def optional_entity(self, value: Any) -> str | None:
        if value is _MISSING or value is None:
            return None
        return self._entities[value]

    def entities(self, value: Any, at_least_one: bool) -> tuple[str, ...]:
        if value is _MISSING:
            if at_least_one:
                raise _Slow
            return ()
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

