"""JSON Schemas (draft 2020-12) of the log's records and of the command line's JSON outputs.

Generated when asked from the declarations themselves, so they cannot drift: each event
type's schema from its attrs fields and their metadata (``shape``, ``choices``,
``dimensions``, ``doc``), each view's output from its row class's annotations. ``eurasia-events
schema`` lists the names; ``eurasia-events schema NAME`` prints one.

>>> from eurasia_events.schema import schema, schema_names
>>> "record" in schema_names() and "event.meeting" in schema_names() and "as-of.volumes" in schema_names()
True
>>> schema("event.meeting")["properties"]["kind"]["enum"]
['summit', 'visit', 'talks', 'call']
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from typing import Any, Final, get_args, get_origin, get_type_hints

import attrs

from . import views
from .codec import CURRENT_SCHEMA
from .dates import Instant
from .errors import EurasiaEventsError
from .events import DISPUTE_RANKS, ENTITY_PATTERN, EVENT_TYPES, SLUG_PATTERN, Status
from .history import HistoryRow, RangeRow
from .interactions import InteractionRow
from .quantities import UNITS, Quantity
from .sources import SOURCE_KINDS, Source
from .tables import DATE_COLUMNS

__all__ = ["DIALECT", "VIEW_ROWS", "event_schema", "output_schema", "record_schema", "schema", "schema_names",
           "sources_schema"]

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

VIEW_ROWS: Final[dict[str, type]] = {
    "summary": views.SummaryRow, "agreements": views.AgreementRow, "volumes": views.VolumeRow,
    "supply": views.SupplyRow, "members": views.MemberRow, "sanctions": views.SanctionRow,
    "designations": views.DesignationRow, "policies": views.PolicyRow, "projects": views.ProjectRow,
    "finance": views.FinanceRow, "meetings": views.MeetingRow, "trade": views.TradeRow,
    "timeline": views.TimelineRow, "diff": views.DiffRow, "series": views.SeriesRow,
    "between": RangeRow, "since": RangeRow, "history": HistoryRow, "interactions": InteractionRow,
}
"""The row class of each view: the ``as-of`` views, and the commands printing a view of their own."""
_COMMAND_VIEWS: Final = ("timeline", "diff", "series", "between", "since", "history", "interactions")

# The forms the event fields accept, as events.py checks them (slugs, entity ids, EDTF).
_SLUG: Final = f"^({SLUG_PATTERN.pattern})$"
_ENTITY: Final = f"^({ENTITY_PATTERN.pattern})$"
_POINT: Final = r"[0-9]{4}(-(0[1-9]|1[0-2]|XX)(-(0[1-9]|[12][0-9]|3[01]|XX))?)?[?~%]?"
_EDTF: Final = rf"^({_POINT}|({_POINT}|\.\.)?/({_POINT}|\.\.)?)$"
_DAY: Final = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_HASH: Final = r"^[0-9a-f]{64}$"
_INSTANT: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$"
_SCALE: Final = r"(thousand|million|mn|billion|bn|trillion)"

_DEFS: Final[dict[str, Any]] = {
    "quantity": {
        "type": "object", "description": "A figure: the exact value (a JSON number), its unit and, if not exact, "
                                         "its bound (~ about, > more than, < less than).",
        "properties": {"value": {"type": "number"}, "unit": {"enum": list(UNITS)},
                       "bound": {"enum": ["~", ">", "<"]}},
        "required": ["value", "unit"], "additionalProperties": False,
    },
    "date": {
        "type": "object", "description": "A date: its text (EDTF, or a range of possible days START..END) and its "
                                         "first and last possible days (null for an open end).",
        "properties": {"text": {"type": "string"},
                       "earliest": {"type": ["string", "null"], "format": "date"},
                       "latest": {"type": ["string", "null"], "format": "date"}},
        "required": ["text", "earliest", "latest"], "additionalProperties": False,
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _quantity_text(dimensions: tuple[str, ...], positive: bool) -> dict[str, Any]:
    units = [u for u in UNITS if any(UNITS[u].dimension.startswith(d) for d in dimensions)] or list(UNITS)
    sign = "" if positive else "-?"
    pattern = (rf"^\s*[~<>]?\s*{sign}[0-9]+(\.[0-9]+)?\s*({_SCALE}\s+)?"
               rf"({'|'.join(re.escape(u) for u in units)})\s*$")
    return {"type": "string", "pattern": pattern, "description": f"NUMBER [million|billion] UNIT, unit one of "
                                                                  f"{', '.join(units)}"}


def _field_schema(field: attrs.Attribute[Any]) -> dict[str, Any]:
    meta: Mapping[str, Any] = field.metadata
    shape = meta.get("shape", "text")
    optional_text = field.default == ""
    out: dict[str, Any]
    if shape == "text":
        out = {"type": "string"} if optional_text else {"type": "string", "pattern": r"\S"}
    elif shape == "slug":
        out = {"type": "string", "pattern": _SLUG}
    elif shape == "slugs":
        out = {"type": "array", "items": {"type": "string", "pattern": _SLUG}}
    elif shape == "entity":
        out = {"type": "string", "pattern": _ENTITY}
    elif shape == "entities":
        out = {"type": "array", "items": {"type": "string", "pattern": _ENTITY}, "uniqueItems": True}
        if field.default is attrs.NOTHING:
            out["minItems"] = 1
    elif shape == "choice":
        out = {"enum": list(meta.get("choices", ()))}
    elif shape == "choices":
        out = {"type": "array", "items": {"enum": list(meta.get("choices", ()))}}
    elif shape == "bool":
        out = {"type": "boolean"}
    elif shape in ("int", "float"):
        lowest, highest = meta["bounds"]
        out = {"type": "integer" if shape == "int" else "number", "minimum": lowest}
        if highest is not None:
            out["maximum"] = highest
    elif shape == "date":
        out = {"type": "string", "pattern": _DAY if meta.get("day") else _EDTF}
    elif shape == "code":  # its form by the choice it depends on: see _code_forms
        out = {"type": "string", "pattern": r"\S"}
    elif shape == "quantity":
        out = _quantity_text(tuple(meta.get("dimensions", ())), bool(meta.get("positive", True)))
    elif shape == "status":
        out = {"enum": [s.value for s in Status]}
    elif shape == "citations":
        text = {"type": "string", "pattern": r"\S"}
        out = {"type": "array", "items": {
            "type": "object",
            "properties": {"source": text, "quote": text, "record": text, "locator": {"type": "string"}},
            "required": ["source"], "oneOf": [{"required": ["quote"]}, {"required": ["record"]}],
            "additionalProperties": False}}
        if field.default is attrs.NOTHING:
            out["minItems"] = 1
    elif shape == "disputes":
        nonempty: dict[str, Any] = {"type": "string", "minLength": 1}
        text = nonempty
        out = {"type": "array", "items": {
            "type": "object",
            "properties": {"field": text, "value": text, "source": text, "note": {"type": "string"},
                           "rank": {"enum": list(DISPUTE_RANKS)}},
            "required": ["field", "value", "source"], "additionalProperties": False}}
    elif shape == "changes":
        out = {"type": "object", "minProperties": 1, "propertyNames": {"not": {"enum": ["id", "type"]}}}
    else:  # a shape this module does not know yet: say so rather than guess
        raise EurasiaEventsError(f"no JSON Schema for field {field.name!r} of shape {shape!r}")
    if field.default is None:
        out = {"anyOf": [out, {"type": "null"}]}
    if meta.get("doc"):
        out = {"description": meta["doc"], **out}
    return out


def event_schema(type_: str) -> dict[str, Any]:
    """The schema of one event type's ``data`` (the flat object of a record, without ``type``),
    generated from the type's declaration; also :func:`eurasia_events.json_schema`.

    >>> import eurasia_events as ee
    >>> ee.json_schema("meeting")["required"]
    ['id', 'date', 'title', 'sources', 'kind']
    """
    cls = EVENT_TYPES.get(type_)
    if cls is None:
        raise EurasiaEventsError(f"unknown event type {type_!r}; expected one of {', '.join(EVENT_TYPES)}")
    fields = attrs.fields(cls)
    out = {
        "$schema": DIALECT, "title": type_, "description": (cls.__doc__ or "").strip().split("\n")[0],
        "type": "object",
        "properties": {f.name: _field_schema(f) for f in fields},
        "required": [f.name for f in fields if f.default is attrs.NOTHING],
        "additionalProperties": False,
    }
    forms = [form for f in fields if f.metadata.get("shape") == "code" for form in _code_forms(f)]
    if forms:
        out["allOf"] = forms
    return out


def _code_forms(field: attrs.Attribute[Any]) -> list[dict[str, Any]]:
    """A code's pattern for each value of the choice it depends on (``if`` that value, ``then`` that pattern)."""
    by = field.metadata["by"]
    return [{"if": {"properties": {by: {"const": value}}, "required": [by]},
             "then": {"properties": {field.name: {"pattern": f"^({form.pattern})$"}}}}
            for value, form in field.metadata["forms"].items()]


def record_schema() -> dict[str, Any]:
    """The schema of one line of the log (schema version :data:`~eurasia_events.codec.CURRENT_SCHEMA`)."""
    defs = {}
    conditions = []
    for type_ in EVENT_TYPES:
        data = event_schema(type_)
        data.pop("$schema")
        defs[type_] = data
        conditions.append({"if": {"properties": {"type": {"const": type_}}},
                           "then": {"properties": {"data": _ref(type_)}}})
    return {
        "$schema": DIALECT, "title": "record", "description": "One line of the log: an event and its place in the "
                                                              "hash chain.",
        "type": "object",
        "properties": {
            "seq": {"type": "integer", "minimum": 1},
            "recorded": {"type": "string", "pattern": _INSTANT},
            "schema": {"type": "integer", "minimum": 0, "maximum": CURRENT_SCHEMA},
            "type": {"enum": list(EVENT_TYPES)},
            "prev": {"type": "string", "pattern": _HASH},
            "data": {"type": "object"},
            "hash": {"type": "string", "pattern": _HASH},
        },
        "required": ["seq", "recorded", "schema", "type", "prev", "data", "hash"],
        "additionalProperties": False,
        "allOf": conditions,
        "$defs": defs,
    }


def sources_schema() -> dict[str, Any]:
    """The schema of a source registry (``sources.json``): a list of documents and datasets.

    >>> sources_schema()["items"]["properties"]["kind"]["enum"]
    ['document', 'dataset']
    """
    text: dict[str, Any] = {"type": "string"}
    given: dict[str, Any] = {"type": "string", "pattern": r"\S"}
    properties: dict[str, Any] = {
        "id": {"type": "string", "pattern": _SLUG}, "title": given, "publisher": given,
        "published": {"type": "string", "pattern": _EDTF}, "address": text, "file": text, "language": text,
        "machine_translated": {"type": "boolean"}, "retrieved": text,
        "kind": {"enum": list(SOURCE_KINDS)}, "version": text,
    }
    assert set(properties) == {f.name for f in attrs.fields(Source)}, "the schema follows Source's fields"
    properties["kind"]["description"] = "`document` (cited by a verbatim quote) or `dataset` (cited by a record)."
    properties["version"]["description"] = "The release of a dataset, e.g. `GDELT 2.0` or `Dataverse V30`."
    return {
        "$schema": DIALECT, "title": "sources", "description": "A source registry: the documents and datasets "
                                                              "events cite, by id.",
        "type": "array",
        "items": {
            "type": "object", "properties": properties,
            "required": ["id", "title", "publisher"],
            "anyOf": [{"required": ["address"], "properties": {"address": {"minLength": 1}}},
                      {"required": ["file"], "properties": {"file": {"minLength": 1}}}],
            "if": {"properties": {"kind": {"const": "dataset"}}, "required": ["kind"]},
            "then": {"required": ["address"], "properties": {"address": {"minLength": 1}}},
            "additionalProperties": False,
        },
    }


_SUMMARY_FIGURE: Final = {"anyOf": [{"type": "integer"}, _ref("quantity"),
                                    {"type": "array", "items": {"type": "string"}},
                                    {"type": "object", "additionalProperties": {"type": "integer"}},
                                    {"type": "null"}]}
_DIFF_SIDE: Final = {"anyOf": [{"type": "object"}, {"type": "null"}],
                     "description": "The row's status, stage and certainty on that day (null: not in the view)."}
_SERIES_VALUE: Final = {"anyOf": [_ref("quantity"), {"type": "integer"}, {"type": "null"}]}


def _column(view: str, name: str, hint: Any) -> dict[str, Any]:
    if view == "summary" and name in ("certain", "possible"):
        return _SUMMARY_FIGURE
    if view == "diff" and name in ("before", "after"):
        return _DIFF_SIDE
    if view == "series" and name in ("value", "possible"):
        return _SERIES_VALUE
    options = set(get_args(hint)) if isinstance(hint, types.UnionType) else {hint}
    nullable = type(None) in options
    options.discard(type(None))
    base = options.pop() if len(options) == 1 else None
    out: dict[str, Any]
    if base is Quantity:
        out = _ref("quantity")
    elif get_origin(base) is tuple:
        out = {"type": "array", "items": {"type": "string"}}
    elif base is bool:
        out = {"type": "boolean"}
    elif base is int:
        out = {"type": "integer"}
    elif base is Instant:
        out = {"type": "string", "pattern": _INSTANT}
    elif base is str and name in DATE_COLUMNS:
        out = _ref("date")
    elif base is str:
        out = {"type": "string"}
    else:  # Any, or a union of several types: not constrained
        out = {}
    return {"anyOf": [out, {"type": "null"}]} if nullable else out


def _rows(view: str, row_type: type) -> dict[str, Any]:
    hints = get_type_hints(row_type)
    names = [f.name for f in attrs.fields(row_type) if f.eq]  # eq=False marks a field that is no column
    # metadata "optional": a column only some views have (an interactions view's groups).
    required = [f.name for f in attrs.fields(row_type) if f.eq and not f.metadata.get("optional")]
    return {"type": "object", "description": (row_type.__doc__ or "").strip().split("\n")[0],
            "properties": {n: _column(view, n, hints[n]) for n in names},
            "required": required, "additionalProperties": False}


_OTHER_OUTPUTS: Final[dict[str, dict[str, Any]]] = {
    "entities": {"type": "array", "items": {
        "type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                         "kind": {"type": "string"},
                                         "aliases": {"type": "array", "items": {"type": "string"}}},
        "required": ["id", "name", "kind", "aliases"], "additionalProperties": False}},
    "coverage": {"type": "array", "items": {
        "type": "object", "properties": {"year": {"type": "integer"}, "type": {"type": "string"},
                                         "events": {"type": "integer"}, "day_precision": {"type": "integer"}},
        "required": ["year", "type", "events", "day_precision"], "additionalProperties": False}},
    "coverage.sources": {"type": "array", "items": {
        "type": "object", "properties": {"source": {"type": "string"}, "file": {"type": "string"},
                                         "events": {"type": "integer"},
                                         "uncited": {"type": "array", "items": {"type": "string"}}},
        "required": ["source", "file", "events", "uncited"], "additionalProperties": False}},
    "show": {"type": "object", "properties": {
        "id": {"type": "string"},
        "current": {"anyOf": [{"type": "object", "required": ["type", "title", "date"]}, {"type": "null"}],
                    "description": "The event as currently known (type and fields), null if retracted."},
        "history": {"type": "array", "items": {
            "type": "object", "properties": {"seq": {"type": "integer"}, "recorded": {"type": "string"},
                                             "type": {"enum": list(EVENT_TYPES)}, "data": {"type": "object"}},
            "required": ["seq", "recorded", "type", "data"], "additionalProperties": False}},
        "sources": {"type": "array", "items": {
            "type": "object", "properties": {k: {"type": ["string", "null"]} for k in (
                "source", "title", "publisher", "published", "address", "quote", "record", "locator")},
            "required": ["source", "quote"]}}},
        "required": ["id", "current", "history", "sources"], "additionalProperties": False},
}


def output_schema(name: str) -> dict[str, Any]:
    """The schema of a command's ``--format json`` output: ``as-of.VIEW``, a command printing a
    view (``timeline``, ``diff``, ``series``, ``between``, ``since``, ``history``, ``interactions``),
    ``entities``, ``show``, ``coverage`` or ``coverage.sources``."""
    view = name.removeprefix("as-of.")
    if (name.startswith("as-of.") and view in VIEW_ROWS and view not in _COMMAND_VIEWS) or name in _COMMAND_VIEWS:
        body: dict[str, Any] = {"type": "array", "items": _rows(view, VIEW_ROWS[view])}
    elif name in _OTHER_OUTPUTS:
        body = dict(_OTHER_OUTPUTS[name])
    else:
        raise EurasiaEventsError(f"no schema named {name!r}; expected one of {', '.join(schema_names())}")
    return {"$schema": DIALECT, "title": name, **body, "$defs": dict(_DEFS)}


def schema_names() -> list[str]:
    """Every schema's name: ``record``, ``event.TYPE`` for each event type, ``sources`` (a source
    registry), and each command's JSON output."""
    views_as_of = [f"as-of.{v}" for v in VIEW_ROWS if v not in _COMMAND_VIEWS]
    return (["record"] + [f"event.{t}" for t in EVENT_TYPES] + ["sources"] + views_as_of
            + [*_COMMAND_VIEWS, *_OTHER_OUTPUTS])


def schema(name: str) -> dict[str, Any]:
    """The schema called ``name`` (see :func:`schema_names`)."""
    if name == "record":
        return record_schema()
    if name == "sources":
        return sources_schema()
    if name.startswith("event."):
        return event_schema(name.removeprefix("event."))
    return output_schema(name)
