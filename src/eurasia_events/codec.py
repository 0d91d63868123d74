"""Events to JSON and back, and the byte format of one log record.

A record is one line of JSON::

    {"seq":1,"recorded":"2026-11-26T15:00:00.000000Z","schema":1,"type":"meeting",
     "prev":"<64 hex>","data":{...},"hash":"<64 hex>"}

``hash`` is the SHA-256 of the line's own bytes up to ``,"hash"`` followed by ``}``, so
it covers ``prev`` (the previous record's hash) and the chain can be checked over raw
bytes without parsing JSON. Older schema versions are upgraded on read by upcasters.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

import attrs

from .dates import Instant
from .errors import EurasiaEventsError, InvalidDateError, InvalidEventError, LogFormatError
from .events import EVENT_TYPES, Amendment, Correction, Event, Record

__all__ = [
    "CURRENT_SCHEMA",
    "GENESIS",
    "MAX_LINE_BYTES",
    "Upcaster",
    "decode_event",
    "decode_record",
    "encode_event",
    "encode_record",
    "loads",
    "parse_record",
    "recorded_micros",
    "verify_line",
]

CURRENT_SCHEMA: Final = 1
GENESIS: Final = "0" * 64
"""The ``prev`` of the first record."""
MAX_LINE_BYTES: Final = 1_000_000
"""A record longer than this is refused (guards memory against hostile input)."""
_HASH_TAIL: Final = len(b',"hash":"') + 64 + len(b'"}')

Upcaster: TypeAlias = Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]
"""Upgrades ``(type, data)`` written with schema N to schema N + 1."""


def encode_event(event: Event | Amendment) -> dict[str, Any]:
    """The event's fields as JSON values, leaving out fields that hold their default."""
    data: dict[str, Any] = {}
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        if field.default is not attrs.NOTHING and value == field.default:
            continue
        data[field.name] = _to_json(field.metadata.get("codec", "text"), value)
    return data


def _to_json(codec: str, value: Any) -> Any:
    if value is None or codec in ("text", "int", "float", "bool"):
        return value
    if codec == "list":
        return list(value)
    if codec in ("date", "quantity"):
        return str(value)
    if codec in ("citations", "disputes"):
        return [item.to_json() for item in value]
    if codec == "status":
        return value.value
    if codec == "changes":
        return Correction.thaw(value)
    raise AssertionError(f"no JSON form for codec {codec!r}")


def decode_event(type_: str, data: Any, *, file: str | None = None, line: int | None = None) -> Event | Amendment:
    """Build the typed event from its ``type`` tag and JSON data; errors name file, line, id, field."""
    event_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    cls = EVENT_TYPES.get(type_) if isinstance(type_, str) else None
    if cls is None:
        raise InvalidEventError(
            f"unknown event type {type_!r}; expected one of {', '.join(EVENT_TYPES)}",
            event_id=event_id, field="type", file=file, line=line,
        )
    if not isinstance(data, dict):
        raise InvalidEventError("event data must be a JSON object", field="data", file=file, line=line)
    fields, required = _shape(cls)
    for key in data:
        if key not in fields:
            raise InvalidEventError(
                f"unknown field {key!r} for type {type_!r}; expected one of {', '.join(fields)}",
                event_id=event_id, field=key, file=file, line=line,
            )
    for name in required:
        if name not in data:
            raise InvalidEventError(
                f"missing required field for type {type_!r}", event_id=event_id, field=name, file=file, line=line
            )
    try:
        return cls(**data)
    except InvalidEventError as error:
        raise error.located(file, line) from None
    except EurasiaEventsError as error:
        raise InvalidEventError(str(error), event_id=event_id, file=file, line=line) from None


_SHAPES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {}


def _shape(cls: type[Event] | type[Amendment]) -> tuple[frozenset[str], tuple[str, ...]]:
    # Field names and required fields per class, read once: attrs.fields_dict builds a dict per call.
    shape = _SHAPES.get(cls.TYPE)
    if shape is None:
        fields = attrs.fields(cls)
        shape = _SHAPES[cls.TYPE] = (frozenset(f.name for f in fields),
                                     tuple(f.name for f in fields if f.default is attrs.NOTHING))
    return shape


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_record(seq: int, recorded: Instant, event: Event | Amendment, prev: str) -> tuple[bytes, str]:
    """The record's line (with the final newline) and its hash."""
    body = (
        f'{{"seq":{seq},"recorded":"{recorded.isoformat()}","schema":{CURRENT_SCHEMA},'
        f'"type":{_canonical(event.TYPE)},"prev":"{prev}","data":{_canonical(encode_event(event))}'
    )
    digest = hashlib.sha256((body + "}").encode("utf-8")).hexdigest()
    return (body + f',"hash":"{digest}"}}\n').encode("utf-8"), digest


def verify_line(raw: bytes) -> str | None:
    """The hash a line claims if its bytes match it, else ``None``. ``raw`` excludes the newline."""
    if len(raw) <= _HASH_TAIL or not raw.endswith(b'"}') or raw[-_HASH_TAIL:-66] != b',"hash":"':
        return None
    claimed = raw[-66:-2]
    if hashlib.sha256(raw[:-_HASH_TAIL] + b"}").hexdigest().encode("ascii") != claimed:
        return None
    return claimed.decode("ascii")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _loads(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)


try:  # orjson parses a record about three times faster than the standard library
    import orjson
except ImportError:  # pragma: no cover - a platform without orjson's wheels
    loads: Callable[[bytes], Any] = _loads
else:
    def loads(raw: bytes) -> Any:
        """Parse JSON bytes; like ``json.loads`` but refusing NaN and Infinity, as orjson does."""
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            # The standard library's message names the problem more plainly (and UTF-8 errors).
            return _loads(raw)


_KEYS: Final = ("seq", "recorded", "schema", "type", "prev", "data", "hash")
_KEY_SET: Final = frozenset(_KEYS)
_EPOCH: Final = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
_MICROSECOND: Final = _dt.timedelta(microseconds=1)
# An instant must print as a UTC date-time (years 1 to 9999): one that an offset pushes
# outside would load, then break every reader that shows it.
_FIRST_MICROS: Final = (_dt.datetime(1, 1, 1, tzinfo=_dt.UTC) - _EPOCH) // _MICROSECOND
_LAST_MICROS: Final = (_dt.datetime.max.replace(tzinfo=_dt.UTC) - _EPOCH) // _MICROSECOND


def recorded_micros(text: str) -> int:
    """Microseconds since the epoch of a ``recorded`` text (ISO 8601 with a zone), between
    years 1 and 9999 in UTC."""
    try:
        moment = _dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        micros = Instant.parse(text).micros  # raises, naming the problem
    else:
        micros = (moment - _EPOCH) // _MICROSECOND
    if not _FIRST_MICROS <= micros <= _LAST_MICROS:
        raise InvalidDateError(f"instant {text!r} is outside the years 1 to 9999 in UTC")
    return micros


def _where(file: str | None, line: int | None) -> str:
    return f"{file}:{line}" if file is not None else f"line {line}"


def parse_record(
    raw: bytes,
    *,
    file: str | None = None,
    line: int | None = None,
    upcasters: Mapping[int, Upcaster] | None = None,
) -> tuple[int, int, int, str, dict[str, Any] | Any, str]:
    """Check one line's envelope: ``(seq, recorded micros, schema, type, data, prev)``, data upcast.

    The event inside is not built: see :func:`decode_record` for that.
    """
    if len(raw) > MAX_LINE_BYTES:
        raise LogFormatError(f"{_where(file, line)}: record of {len(raw)} bytes exceeds the limit of {MAX_LINE_BYTES}")
    try:
        obj = loads(raw)
    except UnicodeDecodeError as error:
        raise LogFormatError(f"{_where(file, line)}: not valid UTF-8 at byte {error.start}") from None
    except RecursionError:
        raise LogFormatError(f"{_where(file, line)}: JSON nested too deeply") from None
    except ValueError as error:
        raise LogFormatError(f"{_where(file, line)}: not a JSON record: {error}") from None
    if type(obj) is not dict:
        raise LogFormatError(f"{_where(file, line)}: a record must be a JSON object")
    if obj.keys() != _KEY_SET:
        missing = [k for k in _KEYS if k not in obj]
        raise LogFormatError(
            f"{_where(file, line)}: a record needs exactly the keys {', '.join(_KEYS)}; missing {missing}")
    seq, schema, type_, data = obj["seq"], obj["schema"], obj["type"], obj["data"]
    if type(seq) is not int or seq < 1:
        raise LogFormatError(f"{_where(file, line)}: 'seq' must be a positive integer, got {_brief(seq)}")
    if type(schema) is not int or not 0 <= schema <= CURRENT_SCHEMA:
        raise LogFormatError(
            f"{_where(file, line)}: unsupported schema version {_brief(schema)} "
            f"(this library reads up to {CURRENT_SCHEMA})"
        )
    recorded, prev = obj["recorded"], obj["prev"]
    if type(recorded) is not str or type(prev) is not str:
        raise LogFormatError(f"{_where(file, line)}: 'recorded' and 'prev' must be text")
    try:
        micros = recorded_micros(recorded)
    except EurasiaEventsError as error:
        raise LogFormatError(f"{_where(file, line)}: {error}") from None
    for version in range(schema, CURRENT_SCHEMA):
        upcast = (upcasters or {}).get(version)
        if upcast is None:
            raise LogFormatError(f"{_where(file, line)}: no upcaster from schema {version} to {version + 1}")
        type_, data = upcast(type_, data)
    if type(type_) is not str:  # a list or an object would reach dict lookups keyed by type
        raise LogFormatError(
            f"{_where(file, line)}: field 'type' must be text naming an event type, got {_brief(type_)}")
    return seq, micros, schema, type_, data, prev


def _brief(value: Any) -> str:
    """A bad value for a message: its repr, cut short (hostile values can be huge)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def decode_record(
    raw: bytes,
    *,
    file: str | None = None,
    line: int | None = None,
    upcasters: Mapping[int, Upcaster] | None = None,
) -> tuple[Record, str]:
    """Parse one line (no newline) into a :class:`Record` and its ``prev`` hash.

    The hash is checked by the caller (see :func:`verify_line`); this checks the shape and
    builds the event with every check.
    """
    seq, micros, schema, type_, data, prev = parse_record(raw, file=file, line=line, upcasters=upcasters)
    event = decode_event(type_, data, file=file, line=line)
    record = Record(seq=seq, recorded=Instant(micros), schema=schema, event=event, hash=raw[-66:-2].decode("ascii"))
    return record, prev
