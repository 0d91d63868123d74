"""What a query returns: views (tables of immutable rows) and the row types of each view.

A :class:`View` iterates over its rows, finds rows by field values, renders itself for
terminals (tabulate), notebooks (``_repr_html_``, ``_repr_markdown_``) and pandas, and
holds the view's totals. Every row type has ``certain`` where a date can straddle the day.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

import attrs

from .quantities import Quantity
from .tables import cell, render

__all__ = [
    "AgreementRow",
    "DiffRow",
    "FinanceRow",
    "MeetingRow",
    "MemberRow",
    "ProjectRow",
    "SanctionRow",
    "SeriesRow",
    "SummaryRow",
    "SupplyRow",
    "TimelineRow",
    "Total",
    "TradeRow",
    "View",
    "VolumeRow",
]

R = TypeVar("R")


@attrs.frozen
class Total:
    """A total that may be uncertain: what certainly counts, and what possibly counts."""

    certain: Quantity | None
    possible: Quantity | None

    @property
    def exact(self) -> bool:
        """Whether the certain and possible totals agree."""
        return self.certain == self.possible

    def __str__(self) -> str:
        if self.exact:
            return str(self.certain)
        return f"{self.certain or 0} (possibly {self.possible})"


@attrs.frozen
class View(Generic[R]):
    """Rows of one view on one day: iterable, indexable, and rendered in notebooks as a table.

    ``totals`` holds the view's totals (for example contracted volume per unit).
    """

    name: str
    rows: tuple[R, ...]
    columns: tuple[str, ...]
    totals: Mapping[str, Any] = attrs.field(factory=dict)
    title: str = ""

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> R:
        return self.rows[index]

    def find(self, **fields: Any) -> list[R]:
        """Rows whose fields equal the given values: ``view.find(member="AM")``."""
        return [r for r in self.rows if all(getattr(r, k) == v for k, v in fields.items())]

    def get(self, **fields: Any) -> R:
        """The one row matching, or a ``KeyError`` listing what there is."""
        found = self.find(**fields)
        if len(found) != 1:
            raise KeyError(f"{len(found)} rows of {self.name} match {fields}")
        return found[0]

    def to_records(self) -> list[dict[str, Any]]:
        """Rows as JSON-friendly dicts (the documented JSON shape), plus nothing else."""
        return [{c: cell(getattr(r, c)) for c in self.columns} for r in self.rows]

    def render(self, fmt: str = "table") -> str:
        """The rows as text: ``table``, ``markdown``, ``html``, ``csv`` or ``json``."""
        text = render(self.columns, self.to_records(), fmt)
        if fmt in ("table", "markdown") and self.totals:
            text += "\n\n" + "\n".join(f"total {k}: {v}" for k, v in self.totals.items())
        return text

    def __str__(self) -> str:
        return (self.title + "\n" if self.title else "") + self.render("table")

    def _repr_html_(self) -> str:
        heading = f"<p><b>{self.title}</b></p>" if self.title else ""
        return heading + self.render("html")

    def _repr_markdown_(self) -> str:
        return (f"**{self.title}**\n\n" if self.title else "") + self.render("markdown")

    def to_pandas(self) -> Any:
        """A pandas DataFrame with dates as datetimes and quantities as numbers plus a unit
        column (needs the ``pandas`` extra); see :func:`eurasia_events.notebook.to_pandas`."""
        from .notebook import to_pandas

        return to_pandas(self)

    def plot(self, **options: Any) -> Any:
        """A series drawn as a matplotlib Figure (needs the ``plot`` extra); see
        :func:`eurasia_events.notebook.plot_series`."""
        from .notebook import plot_series

        return plot_series(self, **options)


@attrs.frozen(kw_only=True)
class AgreementRow:
    """An agreement and its status on the day."""

    agreement: str
    title: str
    kind: str
    status: str
    certain: bool
    binding: bool
    parties: tuple[str, ...]
    signed: str
    in_force_from: str | None
    in_force_until: str | None
    commodity: str | None
    annual_volume: Quantity | None
    events: tuple[str, ...]


@attrs.frozen(kw_only=True)
class VolumeRow:
    """Contracted annual supply under one agreement on the day."""

    agreement: str
    kind: str
    route: str | None
    commodity: str
    binding: bool
    status: str
    certain: bool
    annual_volume: Quantity
    term: Quantity | None
    cumulative: Quantity | None
    counted: bool
    note: str


@attrs.frozen(kw_only=True)
class SupplyRow:
    """A route delivering on the day."""

    route: str
    commodity: str
    since: str
    certain: bool
    capacity: Quantity | None
    event: str


@attrs.frozen(kw_only=True)
class MemberRow:
    """A member of an organisation on the day."""

    organisation: str
    member: str
    since: str
    certain: bool
    events: tuple[str, ...]


@attrs.frozen(kw_only=True)
class SanctionRow:
    """A sanctions measure and its status on the day."""

    measure: str
    imposer: str
    targets: tuple[str, ...]
    status: str
    certain: bool
    adopted: str
    effective: str
    until: str | None
    sectors: tuple[str, ...]
    description: str
    events: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ProjectRow:
    """A project and the stage it had reached on the day."""

    project: str
    stage: str
    since: str
    certain: bool
    capacity: Quantity | None
    length: Quantity | None
    events: tuple[str, ...]


@attrs.frozen(kw_only=True)
class FinanceRow:
    """A loan, credit line, investment or stake committed by the day."""

    event: str
    date: str
    kind: str
    source_of_funds: str
    recipient: str
    project: str | None
    amount: Quantity | None
    stake: Quantity | None
    certain: bool
    title: str


@attrs.frozen(kw_only=True)
class MeetingRow:
    """A summit, visit, talks or forum held by the day."""

    event: str
    date: str
    kind: str
    title: str
    location: str
    parties: tuple[str, ...]
    certain: bool


@attrs.frozen(kw_only=True)
class TradeRow:
    """The latest reported figure for a period ending by the day."""

    event: str
    period: str
    flow: str
    exporter: str | None
    importer: str | None
    value: Quantity
    change: Quantity | None
    reported: str
    certain: bool


@attrs.frozen(kw_only=True)
class DiffRow:
    """What changed in a view between two days."""

    view: str
    key: str
    change: str
    before: str
    after: str


@attrs.frozen(kw_only=True)
class SeriesRow:
    """The value of a measure on one day."""

    day: str
    value: Any
    possible: Any
    certain: bool


def _fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(cls))


@attrs.frozen(kw_only=True)
class TimelineRow:
    """One event on a timeline."""

    date: str
    precision: str
    type: str
    id: str
    title: str
    parties: tuple[str, ...]
    status: str
    certain_day: bool


@attrs.frozen(kw_only=True)
class SummaryRow:
    """One line of the summary."""

    item: str
    value: str
