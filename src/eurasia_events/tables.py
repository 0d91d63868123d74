"""Rows to text: tables for the terminal, markdown and HTML for notebooks, CSV and JSON.

This module is tabulate's only home, imported when a table is rendered rather than at
package import. Cells are rendered as given (``disable_numparse``), so ids and figures
such as ``38.0`` or ``042`` stay as written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["FORMATS", "cell", "render"]

FORMATS: Final = ("table", "json", "csv", "markdown", "html")


def cell(value: Any) -> Any:
    """A JSON-friendly cell: text for dates and quantities, lists joined for tables elsewhere."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [cell(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): cell(v) for k, v in value.items()}
    return str(value)


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value)
    return str(value)


def render(columns: Sequence[str], records: Sequence[Mapping[str, Any]], fmt: str = "table") -> str:
    """Render row dicts (already passed through :func:`cell`) in one of :data:`FORMATS`.

    >>> print(render(["id", "volume"], [{"id": "042", "volume": "38.0 bcm/yr"}], "markdown"))
    | id   | volume      |
    |:-----|:------------|
    | 042  | 38.0 bcm/yr |
    """
    if fmt == "json":
        return json.dumps([{c: r.get(c) for c in columns} for r in records], ensure_ascii=False, indent=1)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for record in records:
            writer.writerow([_flat(record.get(c)) for c in columns])
        return out.getvalue()
    import tabulate  # imported when rendering, so `import eurasia_events` stays fast

    table = {"table": "simple", "markdown": "pipe", "html": "html"}.get(fmt)
    if table is None:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    body = [[_flat(record.get(c)) for c in columns] for record in records]
    return str(tabulate.tabulate(body, headers=list(columns), tablefmt=table, disable_numparse=True))
