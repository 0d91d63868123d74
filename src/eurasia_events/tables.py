"""Rows to text: tables for the terminal, markdown and HTML for notebooks, typed CSV and JSON.

This module is tabulate's only home, imported when a table is rendered rather than at
package import. Cells are rendered as given (``disable_numparse``), so ids and figures
such as ``38.0`` or ``042`` stay as written.

Two forms of a cell:

- **typed** (JSON and CSV): numbers stay numbers, booleans booleans; a quantity is
  ``{"value": 38, "unit": "bcm/yr"}`` (``"bound"`` added when the figure is ``~`` about,
  ``>`` more than or ``<`` less than); a date is ``{"text", "earliest", "latest"}`` (its
  text as the view gives it, and the first and last possible days, ``null`` for an open
  end); an uncertain count or total is ``{"certain", "possible"}``. The value of a
  quantity is the exact decimal written as a JSON number: an integer when whole, else
  the digits as stated (``42.876``), never rounded through a float. CSV splits a
  quantity column ``c`` into ``c_value``, ``c_unit`` and ``c_bound``, and a date column
  into ``c`` (text), ``c_earliest`` and ``c_latest``, whatever the other columns.
- **text** (table, markdown, HTML): humanised for reading: ``15 bn USD``, ``38 bcm/yr``,
  ``12,500 km``, ``yes``/``no``, lists joined by commas; every date range in one notation,
  ``START..END`` (``2005..2008``, ``..2013`` for on or before, ``2014-09..`` for open),
  shortened to whole months or years when its ends are month or year bounds.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, get_type_hints

from .dates import PartialDate
from .errors import EurasiaEventsError
from .quantities import Quantity

__all__ = ["DATE_COLUMNS", "FORMATS", "cell", "column_kinds", "dumps", "fit", "human", "human_date", "render",
           "typed", "typed_records"]

FORMATS: Final = ("table", "json", "csv", "markdown", "html")

DATE_COLUMNS: Final = frozenset({"date", "signed", "in_force_from", "in_force_until", "since", "level_since",
                                 "adopted", "effective", "until", "opened", "closed", "period", "reported"})
"""Columns of the views that hold a date's text (EDTF, or a range of possible days ``A..B``)."""

# When a table is too wide, these go first (lists of event ids, free text, detail), then
# the other columns from the right; the first column (the row's key) always stays.
_DROP_FIRST: Final = ("events", "ratified", "description", "sectors", "note", "level_event", "precision",
                      "certain_day", "aliases")
_OPEN_START, _OPEN_END = "0001-01-01", "9999-12-31"


def cell(value: Any) -> Any:
    """A JSON-friendly cell as text: dates and quantities as their text, lists kept (``to_records``)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [cell(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): cell(v) for k, v in value.items()}
    return str(value)


# --- kinds of columns ------------------------------------------------------------------


def column_kinds(columns: Sequence[str], row_type: type | None = None,
                 records: Iterable[Mapping[str, Any]] = (), view: str = "") -> dict[str, str]:
    """Each column's kind: ``quantity``, ``date``, ``count``, ``total``, ``fields``, ``summary`` or ``plain``.

    Read from the row type's annotations when given (so an empty view has the same CSV
    header as a full one), then from the values (a column typed ``Any`` holding quantities).
    """
    kinds = dict.fromkeys(columns, "plain")
    hints: dict[str, Any] = {}
    if row_type is not None:
        try:
            hints = {k: str(v) for k, v in get_type_hints(row_type).items()}
        except (NameError, TypeError):  # annotations that do not resolve: fall back to the values
            hints = {}
    for column in columns:
        hint = hints.get(column, "")
        if "Quantity" in hint:
            kinds[column] = "quantity"
        elif "Total" in hint:
            kinds[column] = "total"
        elif "Count" in hint:
            kinds[column] = "count"
        elif column in DATE_COLUMNS and (not hint or "str" in hint):
            kinds[column] = "date"
    for record in records:
        for column in columns:
            if kinds[column] == "plain":
                value = record.get(column)
                if isinstance(value, Quantity):
                    kinds[column] = "quantity"
                elif type(value).__name__ in ("Total", "Count"):
                    kinds[column] = type(value).__name__.lower()
    if view == "summary":
        kinds.update({c: "summary" for c in ("certain", "possible") if c in kinds})
        kinds["value"] = "plain"
    elif view == "diff":
        kinds.update({c: "fields" for c in ("before", "after") if c in kinds})
    return kinds


# --- typed cells (JSON, CSV) -----------------------------------------------------------


def _quantity(value: Quantity) -> dict[str, Any]:
    data: dict[str, Any] = {"value": value.value, "unit": value.unit}
    if value.bound:
        data["bound"] = value.bound
    return data


def _day_text(day: Any) -> str | None:
    text = day.isoformat()
    return None if text in (_OPEN_START, _OPEN_END) else str(text)


def date_bounds(text: str) -> tuple[str | None, str | None]:
    """The first and last possible days of a date's text (EDTF, or a range ``A..B``); ``None`` for an open end."""
    if "/" not in text and ".." in text:  # a range of possible days, as the views write it
        left, _sep, right = text.partition("..")
        first = PartialDate.parse(left).earliest if left else None
        last = PartialDate.parse(right).latest if right else None
        return (None if first is None else _day_text(first)), (None if last is None else _day_text(last))
    date = PartialDate.parse(text)
    return _day_text(date.earliest), _day_text(date.latest)


def _date(value: Any) -> Any:
    if not isinstance(value, str):
        return typed(value)
    try:
        earliest, latest = date_bounds(value)
    except EurasiaEventsError:  # not a date after all: keep the text
        return value
    return {"text": value, "earliest": earliest, "latest": latest}


_INT = re.compile(r"-?[0-9]+")
_STAGE = re.compile(r"(.+) ([0-9]+)")


def _summary(value: Any) -> Any:
    """A summary figure from its text: a count, a quantity, a list of ids, counts by stage, or null."""
    if not isinstance(value, str):
        return typed(value)
    if value == "none":
        return None
    if _INT.fullmatch(value):
        return int(value)
    try:
        return _quantity(Quantity.parse(value))
    except EurasiaEventsError:
        pass
    parts = value.split(", ")
    stages = [_STAGE.fullmatch(p) for p in parts]
    if all(stages):
        return {m.group(1): int(m.group(2)) for m in stages if m}
    return parts


def _fields(value: Any) -> Any:
    """A diff side from its text ``status=in force, certain=True``: an object, or null when absent."""
    if not isinstance(value, str):
        return typed(value)
    if not value:
        return None
    if value == "present":
        return {}
    data: dict[str, Any] = {}
    for part in value.split(", "):
        key, _sep, text = part.partition("=")
        data[key] = {"True": True, "False": False, "None": None}.get(text, text)
    return data


def typed(value: Any, kind: str = "plain") -> Any:
    """A cell for JSON: numbers, booleans, quantities ``{"value", "unit"}``, dates ``{"text", "earliest", "latest"}``.

    >>> dumps(typed(Quantity.parse("~6 billion USD")), indent=None)
    '{"value": 6000000000, "unit": "USD", "bound": "~"}'
    >>> typed("2015-05", "date")
    {'text': '2015-05', 'earliest': '2015-05-01', 'latest': '2015-05-31'}
    """
    if kind == "date":
        return _date(value)
    if kind == "summary":
        return _summary(value)
    if kind == "fields":
        return _fields(value)
    if value is None or isinstance(value, (bool, int, str, Decimal)):
        return value
    if isinstance(value, Quantity):
        return _quantity(value)
    if isinstance(value, (list, tuple)):
        return [typed(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): typed(v) for k, v in value.items()}
    if hasattr(value, "certain") and hasattr(value, "possible"):  # Total, Count
        return {"certain": typed(value.certain), "possible": typed(value.possible)}
    return str(value)


def typed_records(columns: Sequence[str], records: Sequence[Mapping[str, Any]],
                  kinds: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Rows as typed JSON values, column by column (see :func:`typed`)."""
    kinds = column_kinds(columns, records=records) if kinds is None else kinds
    return [{c: typed(r.get(c), kinds.get(c, "plain")) for c in columns} for r in records]


def _number(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def dumps(data: Any, indent: int | None = 1) -> str:
    """JSON text in which each :class:`~decimal.Decimal` is written as an exact JSON number.

    >>> dumps({"value": Decimal("42.876"), "whole": Decimal("38.0")}, indent=None)
    '{"value": 42.876, "whole": 38}'
    """
    marks: dict[str, str] = {}
    token = secrets.token_hex(8)  # so that no text in the data can pass for a mark

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            key = f"\x00{token}{len(marks)}\x00"
            marks[key] = _number(value)
            return key
        if isinstance(value, Mapping):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [mark(v) for v in value]
        return value

    # A NUL never survives json.dumps unescaped, so the marks cannot collide with real text.
    text = json.dumps(mark(data), ensure_ascii=False, indent=indent)
    if not marks:
        return text
    return re.sub(rf'"\\u0000({token}[0-9]+)\\u0000"', lambda m: marks[f"\x00{m.group(1)}\x00"], text)


def _csv_header(columns: Sequence[str], kinds: Mapping[str, str]) -> list[str]:
    header = []
    for c in columns:
        kind = kinds.get(c, "plain")
        if kind == "quantity":
            header += [f"{c}_value", f"{c}_unit", f"{c}_bound"]
        elif kind == "date":
            header += [c, f"{c}_earliest", f"{c}_latest"]
        elif kind in ("count", "total"):
            header += [f"{c}_certain", f"{c}_possible"]
        else:
            header.append(c)
    return header


def _csv_cells(value: Any, kind: str) -> list[str]:
    if kind == "quantity":
        if not isinstance(value, Quantity):
            return ["", "", ""] if value is None else [str(value), "", ""]
        return [_number(value.value), value.unit, value.bound]
    if kind == "date":
        data = _date(value)
        if isinstance(data, dict):
            return [data["text"], data["earliest"] or "..", data["latest"] or ".."]
        return [_flat(value), "", ""]
    if kind in ("count", "total"):
        return [human(getattr(value, "certain", None)), human(getattr(value, "possible", None))]
    return [_flat(value)]


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_flat(v) for v in value)
    if isinstance(value, Decimal):
        return _number(value)
    return str(value)


# --- text cells (table, markdown, HTML) -------------------------------------------------

_SCALES: Final = ((Decimal("1e12"), "tn"), (Decimal("1e9"), "bn"), (Decimal("1e6"), "mn"))


def human(value: Any, kind: str = "plain") -> str:
    """A cell as text for reading: ``15 bn USD``, ``yes``, ``a, b``, dates in one notation.

    >>> human(Quantity.parse("15000000000 USD")), human(Quantity.parse(">12500 km")), human(True)
    ('15 bn USD', '>12,500 km', 'yes')
    """
    if value is None:
        return ""
    if kind == "date" and isinstance(value, str):
        return human_date(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Quantity):
        number, scale = value.value, ""
        if value.dimension.startswith("money"):
            for size, word in _SCALES:
                if abs(number) >= size:
                    number, scale = number / size, f" {word}"
                    break
        text = _number(number)
        if not scale and abs(number) >= 10_000:
            whole, _sep, fraction = text.partition(".")
            text = f"{int(whole):,}" + (f".{fraction}" if fraction else "")
        return f"{value.bound}{text}{scale} {value.unit}"
    if isinstance(value, (list, tuple)):
        return ", ".join(human(v) for v in value)
    if type(value).__name__ in ("Total", "Count") and hasattr(value, "exact"):
        if value.exact:
            return human(value.certain) or "0"
        return f"{human(value.certain) or '0'} (possibly {human(value.possible)})"
    return str(value)


_RANGE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _short(day: str, end: bool) -> str:
    """A range's end day shortened to the month or year it bounds (the last day of a year is the year)."""
    match = _RANGE.fullmatch(day)
    if match is None:
        return day
    date = PartialDate.parse(day)
    for text in (match.group(1), f"{match.group(1)}-{match.group(2)}"):
        bound = PartialDate.parse(text)
        if (bound.latest if end else bound.earliest) == (date.latest if end else date.earliest):
            return text
    return day


def human_date(text: str) -> str:
    """A date's text in the tables' one notation for ranges, ``START..END``.

    >>> [human_date(t) for t in ("2015-05~", "2005/2008", "2005-01-01..2008-12-31", "..2013-12-31",
    ...                           "2014-05-01..2014-05-31", "2014-09/..", "1985/")]
    ['2015-05~', '2005..2008', '2005..2008', '..2013', '2014-05', '2014-09..', '1985..?']
    """
    if "/" in text:
        left, _sep, right = text.partition("/")
        start = "" if left == ".." else (left or "?")
        end = "" if right == ".." else (right or "?")
        return f"{start}..{end}"
    if ".." not in text:
        return text
    left, _sep, right = text.partition("..")
    start, end = _short(left, end=False) if left else "", _short(right, end=True) if right else ""
    if start and start == end:
        return start
    return f"{start}..{end}"


def fit(columns: Sequence[str], body: Sequence[Sequence[str]], width: int) -> tuple[list[str], list[list[str]],
                                                                                   list[str]]:
    """Columns and cells that fit ``width`` characters as a ``simple`` table, and the columns hidden.

    The rule: first every cell longer than a third of the width (at least 16 characters)
    is cut with ``…``, but the key's (the first column's, which a reader copies into the
    next command) only past half the width; then, while the table is still too wide, the columns holding lists
    of event ids and free text (``events``, ``ratified``, ``description``, ``sectors``,
    ``note``...) are hidden; then the widest other column is cut, down to 16 characters; then
    the other columns are hidden from the right. The first column (the row's key) always
    stays, cut to the width if it must be.
    """
    cols = list(columns)
    rows = [list(r) for r in body]
    cap = max(16, width // 3)

    def cut(text: str, limit: int) -> str:
        return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"

    def total() -> int:
        widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
        return sum(widths) + 2 * (len(widths) - 1)

    if total() <= width:
        return cols, rows, []
    # The key is cut only past half the width: a reader copies it into the next command.
    rows = [[cut(r[0], max(16, width // 2))] + [cut(text, cap) for text in r[1:]] for r in rows]
    hidden: list[str] = []

    def hide(names: list[str]) -> None:
        for name in names:
            if total() <= width:
                return
            at = cols.index(name)
            hidden.append(cols.pop(at))
            for r in rows:
                r.pop(at)

    hide([c for c in _DROP_FIRST if c in cols[1:]])
    while total() > width:
        widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(cols)]
        widest = max(range(1, len(cols)), key=lambda i: widths[i], default=0)
        if widest == 0:
            break
        limit = max(widths[widest] - (total() - width), 16, len(cols[widest]))
        if limit >= widths[widest]:
            break
        for r in rows:
            r[widest] = cut(r[widest], limit)
    hide(list(reversed(cols[1:])))
    if total() > width:
        rows = [[cut(text, width)] for r in rows for text in r[:1]]
    return cols, rows, hidden


def render(columns: Sequence[str], records: Sequence[Mapping[str, Any]], fmt: str = "table", *,
           row_type: type | None = None, view: str = "", width: int | None = None,
           hidden: Callable[[list[str]], None] | None = None) -> str:
    """Render row dicts in one of :data:`FORMATS`: typed for ``json`` and ``csv``, humanised text otherwise.

    ``records`` hold the rows' values (quantities, dates' text, lists...). ``row_type`` (the
    view's row class) and ``view`` (its name) tell the kind of each column; ``width`` fits a
    ``table`` to that many characters (see :func:`fit`), and ``hidden`` is told which
    columns that left out.

    >>> print(render(["id", "volume"], [{"id": "042", "volume": Quantity.parse("38.0 bcm/yr")}], "markdown"))
    | id   | volume    |
    |:-----|:----------|
    | 042  | 38 bcm/yr |
    >>> print(render(["id", "volume"], [{"id": "042", "volume": Quantity.parse("38.0 bcm/yr")}], "csv"))
    id,volume_value,volume_unit,volume_bound
    042,38,bcm/yr,
    <BLANKLINE>
    """
    kinds = column_kinds(columns, row_type, records, view)
    if fmt == "json":
        return dumps(typed_records(columns, records, kinds))
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_csv_header(columns, kinds))
        for record in records:
            writer.writerow([text for c in columns for text in _csv_cells(record.get(c), kinds.get(c, "plain"))])
        return out.getvalue()
    import tabulate  # imported when rendering, so `import eurasia_events` stays fast

    table = {"table": "simple", "markdown": "pipe", "html": "html"}.get(fmt)
    if table is None:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    head = list(columns)
    body = [[human(record.get(c), kinds.get(c, "plain")) for c in columns] for record in records]
    if fmt == "table" and width is not None:
        head, body, left_out = fit(head, body, width)
        if hidden is not None and left_out:
            hidden(left_out)
    return str(tabulate.tabulate(body, headers=head, tablefmt=table, disable_numparse=True))
