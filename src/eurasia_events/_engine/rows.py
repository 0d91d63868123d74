"""Compact rows: the in-memory form of an event, and the only module that knows their layout.

A row holds the fields the views read (an event's fields without its sources, notes,
disputes and long free text; dates, figures and the status as their text), then its
``key`` (its place in fold order: see :func:`sort_key`; the record's ``seq`` is read off
it), the event's possible days ``lo`` and ``hi`` (its date widened by disputed dates) and
``disputed``, the disputed fields and values, flat. It is stored as a plain tuple of
text, numbers and tuples of them, which the cyclic garbage collector stops tracking after
one pass. :func:`typed` views one as the named tuple of its type
(:func:`row_class`), with the event's ``TYPE``, attribute names and value types, so the
fold and the views read rows and events alike. The full event is built from the stored
record when asked for.

An amendment is kept as ``(tag, id, target, seq)`` (:class:`AmendmentRow`).
"""

from __future__ import annotations

import collections
import functools
import operator
from collections.abc import Callable, Iterator
from typing import Any, Final, NamedTuple

import attrs

from eurasia_events.dates import PartialDate
from eurasia_events.events import EVENT_TYPES, Event, Status
from eurasia_events.quantities import Quantity

__all__ = ["DROPPED", "AmendmentRow", "Row", "event_id", "packed", "renumbered", "row_class", "row_of",
           "seq_of", "sort_key", "typed"]

DROPPED: Final = frozenset({"sources", "notes", "disputes", "related", "expected", "purpose",
                            "text", "place", "initiator_name", "recipient_name"})
"""Event fields a row leaves out: no view reads them, and they hold most of the bytes (the
last four are a coded interaction's dataset text: a million of them in an imported log)."""

Row = Any
"""A row: a plain tuple as stored, or its named-tuple view (see :func:`typed`)."""

_SEQ_BITS: Final = 40  # a sort key's low bits: the sequence number (logs of up to 2**40 records)
_AFTER_EVERY_SEQ: Final = (1 << _SEQ_BITS) - 1


class AmendmentRow(NamedTuple):
    """A correction or retraction as stored: no view reads more of it."""

    tag: str
    id: str
    target: str
    seq: int


def event_id(row: tuple[Any, ...]) -> str:
    """The id of an event's (or amendment's) row."""
    found: str = row[1]
    return found


def seq_of(row: tuple[Any, ...]) -> int:
    """The ``seq`` of the record an event's row was read from."""
    found: int = row[-4] & _AFTER_EVERY_SEQ
    return found


def renumbered(row: tuple[Any, ...], seq: int) -> tuple[Any, ...]:
    """A stored row (an event's, or an amendment's ``(tag, id, target, seq)``) with another ``seq``:
    how a log combining several numbers their records."""
    if row[0] in ("correction", "retraction"):
        return (*row[:3], seq)
    return (*row[:-4], packed(row[-3], seq), *row[-3:])


def packed(lo: int, seq: int) -> int:
    """The sort key of an event whose earliest possible day is ``lo``, read from record ``seq``:
    fold order, (earliest possible day, seq), packed in one int. It sorts and bisects several
    times faster than a tuple, and takes less memory."""
    return (lo << _SEQ_BITS) | seq


sort_key: Final[Callable[[tuple[Any, ...]], int]] = operator.itemgetter(-4)
"""An event row's place in fold order (:func:`packed`), which the row keeps: read, not computed
(a rebuild sorts a million rows by it, and the index keeps an array of them)."""


def key_after(day: int) -> int:
    """The sort key just after every event whose earliest possible day is ``day``."""
    return (day << _SEQ_BITS) | _AFTER_EVERY_SEQ


_CLASS_ATTRS: Final = ("binding", "in_force_on_signature", "term_from")
_STATUS: Final = {status.value: status for status in Status}


class _RowBase(tuple):  # type: ignore[type-arg]
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
    def seq(self) -> int:
        """The ``seq`` of the record the row was read from."""
        return seq_of(self)

    @property
    def span(self) -> tuple[int, int]:
        """The possible days, as ordinals: the date's, widened by disputed dates."""
        return self.lo, self.hi

    def disputed_values(self, field: str) -> tuple[str, ...]:
        """The values other sources give for a field, as :meth:`Event.disputed_values` gives them."""
        flat: tuple[str, ...] = self[-1]  # field, value, field, value...: no nested tuple to track
        return tuple(flat[i + 1] for i in range(0, len(flat), 2) if flat[i] == field)


def stored_as(field: attrs.Attribute[Any]) -> str:
    """How a row keeps a field: dates, figures and the status as their text (see the module)."""
    codec = field.metadata.get("codec")
    return codec if codec in ("date", "quantity", "status") else "value"


def kept_fields(type_: str) -> tuple[attrs.Attribute[Any], ...]:
    """The declared fields a row of this type keeps, in row order."""
    return tuple(f for f in attrs.fields(EVENT_TYPES[type_]) if f.name not in DROPPED)


def _text_property(index: int, stored: str) -> property:
    parse: Callable[[str], Any] = {"date": PartialDate.parse, "quantity": Quantity.parse,
                                   "status": _STATUS.__getitem__}[stored]

    def get(self: tuple[Any, ...]) -> Any:
        text = self[index]
        return None if text is None else parse(text)

    return property(get)


@functools.cache
def row_class(type_: str) -> type:
    """The named tuple class viewing rows of one event type (made once)."""
    cls = EVENT_TYPES[type_]
    kept = kept_fields(type_)
    names = [f.name if stored_as(f) == "value" else f"{f.name}_text" for f in kept]
    base = collections.namedtuple(  # type: ignore[misc]
        f"{cls.__name__}Row", ["tag", *names, "key", "lo", "hi", "disputed"])
    body: dict[str, Any] = {
        "__slots__": (), "TYPE": type_, "__module__": __name__,
        "_ENTITY_FIELDS": tuple(f.name for f in kept if f.metadata.get("entity")),
        "_KEPT": tuple((f.name, stored_as(f)) for f in kept),
    }
    for index, field in enumerate(kept, start=1):
        if stored_as(field) != "value":
            body[field.name] = _text_property(index, stored_as(field))
    for name in _CLASS_ATTRS:
        if name not in names and hasattr(cls, name):
            body[name] = getattr(cls, name)
    return type(base.__name__, (_RowBase, base), body)


def typed(row: tuple[Any, ...]) -> Row:
    """A stored row viewed as the named tuple of its type (a row already typed is returned as is)."""
    return row if type(row) is not tuple else tuple.__new__(row_class(row[0]), row)


def _as_stored(value: Any, stored: str) -> Any:
    if value is None or stored == "value":
        return value
    return value.value if stored == "status" else str(value)


def row_of(event: Event, seq: int) -> tuple[Any, ...]:
    """The stored row of a full event."""
    values = [_as_stored(getattr(event, f.name), stored_as(f)) for f in kept_fields(event.TYPE)]
    lo, hi = event.span
    return (event.TYPE, *values, packed(lo, seq), lo, hi,
            tuple(text for d in event.disputes if d.rank != "deprecated" for text in (d.field, d.value)))
