"""What a query returns: views (tables of immutable rows) and the row types of each view.

A :class:`View` iterates over its rows, finds rows by field values, renders itself for
terminals (tabulate), notebooks (``_repr_html_``, ``_repr_markdown_``) and pandas, and
holds the view's totals. Every row type has ``certain`` where a date can straddle the day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import attrs

from .quantities import Quantity
from .tables import cell, human, render

__all__ = [
    "AgreementRow",
    "Count",
    "DesignationRow",
    "DiffRow",
    "FinanceRow",
    "MeetingRow",
    "MemberRow",
    "PolicyRow",
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
class Count:
    """A count that may be uncertain: how many certainly, and how many possibly.

    >>> str(Count(0, 1)), str(Count(2, 2))
    ('0 (possibly 1)', '2')
    """

    certain: int
    possible: int

    @property
    def exact(self) -> bool:
        """Whether the certain and possible counts agree."""
        return self.certain == self.possible

    def __str__(self) -> str:
        return str(self.certain) if self.exact else f"{self.certain} (possibly {self.possible})"


class View(Generic[R]):
    """Rows of one view on one day: iterable, indexable, and rendered in notebooks as a table.

    ``totals`` holds the view's totals (for example contracted volume per unit). ``rows``
    may be given as a function making them: they are then made when first read (shown,
    iterated, indexed), and ``size`` (with ``sure``) answers ``len`` and ``count`` before.
    A view is immutable.
    """

    __slots__ = ("_rows", "_size", "columns", "name", "sure", "title", "totals")
    name: str
    columns: tuple[str, ...]
    totals: Mapping[str, Any]
    title: str
    _rows: tuple[R, ...] | Callable[[], tuple[R, ...]]
    _size: int | None
    sure: int | None
    """How many rows certainly belong on the day; ``None``: the rows whose ``certain`` is true."""

    def __init__(self, name: str, rows: tuple[R, ...] | Callable[[], tuple[R, ...]], columns: tuple[str, ...],
                 totals: Mapping[str, Any] | None = None, title: str = "", sure: int | None = None, *,
                 size: int | None = None) -> None:
        for field, value in (("name", name), ("_rows", rows), ("columns", columns),
                             ("totals", {} if totals is None else totals), ("title", title), ("sure", sure),
                             ("_size", size if callable(rows) else None)):
            object.__setattr__(self, field, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a View is immutable: cannot set {name!r}")

    @property
    def rows(self) -> tuple[R, ...]:
        """The rows (made now if the view was given a function making them)."""
        found = self._rows
        if callable(found):
            made = found()
            object.__setattr__(self, "_rows", made)
            return made
        return found

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, View)
        return (self.name, self.rows, self.columns, self.totals, self.title, self.sure) == \
            (other.name, other.rows, other.columns, other.totals, other.title, other.sure)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"View(name={self.name!r}, rows={self.rows!r}, columns={self.columns!r}, totals={self.totals!r}, "
                f"title={self.title!r}, sure={self.sure!r})")

    @property
    def count(self) -> Count:
        """How many rows, certainly and possibly (a row may be there only if an uncertain date fell by the day)."""
        sure = self.sure
        if sure is None:
            sure = sum(1 for r in self.rows if getattr(r, "certain", True))
        return Count(sure, len(self))

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows) if self._size is None or not callable(self._rows) else self._size

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
        """The rows as text: ``table``, ``markdown``, ``html`` (humanised), ``csv`` or ``json`` (typed)."""
        values = [{c: getattr(r, c) for c in self.columns} for r in self.rows]
        text = render(self.columns, values, fmt, row_type=type(self.rows[0]) if self.rows else None, view=self.name)
        if fmt in ("table", "markdown") and self.totals:
            text += "\n\n" + "\n".join(f"total {k}: {human(v)}" for k, v in self.totals.items())
        return text

    def __str__(self) -> str:
        return (self.title + "\n" if self.title else "") + self.render("table")

    def _repr_html_(self) -> str:
        from .notebook import view_html  # the first rows, a count of the rest, the totals

        return view_html(self)

    def _repr_markdown_(self) -> str:
        return (f"**{self.title}**\n\n" if self.title else "") + self.render("markdown")

    def to_pandas(self) -> Any:
        """A pandas DataFrame with dates as datetimes and quantities as numbers plus a unit
        column (needs the ``pandas`` extra); see :func:`eurasia_events.notebook.to_pandas`."""
        from .notebook import to_pandas

        return to_pandas(self)

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table`` with a typed column per field, in the view's column order (needs
        the ``arrow`` extra): a date as its text plus ``_earliest`` and ``_latest`` days, a
        quantity as ``_value``, ``_unit`` and ``_bound``; see :mod:`eurasia_events.arrow`.

        >>> import eurasia_events as ee
        >>> table = ee.load().as_of("2016-01-01").members("eaeu").to_arrow()
        >>> table.column_names
        ['organisation', 'member', 'since', 'since_earliest', 'since_latest', 'certain', 'events']
        >>> str(table.schema.field("since_latest").type), table.column("member").to_pylist()
        ('date32[day]', ['BY', 'KZ', 'RU', 'AM', 'KG'])
        """
        from .arrow import view_table  # pyarrow is imported only here

        return view_table(self)

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
    ratified: tuple[str, ...] = ()
    """Each party's ratification by the day, as the UN Treaty Collection lists them:
    ``RU: State Duma, 2001-12-26`` (``?`` at the end when the day may fall before it)."""


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
    """Whether any of its volume counts in the total (each lineage of documents counts once)."""
    counted_volume: Quantity | None
    """The part of its volume that counts (all of it, or what later documents have not taken over)."""
    note: str
    """Why it does not count, or counts only in part: ``superseded by X``, ``amended by X``, ``restated by X``."""


@attrs.frozen(kw_only=True)
class SupplyRow:
    """A route delivering on the day."""

    route: str
    commodity: str
    since: str | None
    """When deliveries started (the route's first ``supply_started``); ``None`` if the log
    holds levels on the route but not its opening."""
    certain: bool
    """Whether deliveries had certainly started by the day."""
    design_capacity: Quantity | None
    """The route's design capacity: as stated when deliveries started, or as a later level
    event (an expansion) changed it by the day. Never the rate delivered: see ``level``."""
    event: str | None
    """The opening (first delivery) event."""
    level: Quantity | None
    """The rate of deliveries at the latest level reached by the day, if stated (none when halted)."""
    level_stage: str | None
    """That level's stage: ``ramp_up``, ``plateau``, ``reduced`` or ``halted`` (``None`` for a level
    recorded, in older logs, as a later ``supply_started``)."""
    level_since: str | None
    """When that level was reached."""
    level_certain: bool | None
    """Whether that level was certainly reached by the day (its date may fall after it)."""
    level_event: str | None
    """The event recording that level."""

    @property
    def capacity(self) -> Quantity | None:
        """The design capacity, under the name this column had before ``design_capacity``."""
        return self.design_capacity


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
    """Who it targets on the day: the entities possibly designated by then (those the
    measure names, while it is adopted but not yet effective)."""
    status: str
    certain: bool
    adopted: str
    effective: str
    until: str | None
    sectors: tuple[str, ...]
    description: str
    events: tuple[str, ...]
    persons: int | None = None
    """Persons designated by the day, where the acts give the number (certainly; see the
    designations view for what is possible)."""


@attrs.frozen(kw_only=True)
class DesignationRow:
    """An entity designated under a sanctions measure on the day."""

    measure: str
    target: str
    kind: str
    """The entity's kind: state, company, person, organisation..."""
    since: str
    """When its designation took effect (the measure's effective date, or the extension's)."""
    certain: bool
    events: tuple[str, ...]


@attrs.frozen(kw_only=True)
class PolicyRow:
    """A unilateral policy measure (a visa-free regime...) and its status on the day."""

    measure: str
    imposer: str
    beneficiary: str
    status: str
    """``in effect``, ``announced`` (not yet effective) or ``ended``."""
    certain: bool
    effective: str
    until: str | None
    title: str
    events: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ProjectRow:
    """A project and the stage it had reached on the day."""

    project: str
    stage: str
    since: str
    certain: bool
    opened: str | None
    """When it opened (its first opening, which later deliveries never move), if by the day."""
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
    stage: str = "not stated"
    """``signed`` (not closed by the day), ``closed`` (possibly closed by the day) or
    ``not stated`` (the record does not say whether it closed: counted as possibly held)."""
    closed: str | None = None
    """When it closed, if it possibly has by the day."""


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
    """The latest figure a reporter gave for a period ending by the day.

    Figures of different reporters, flows or scopes are different measurements: they sit
    side by side and are never added (see :meth:`~eurasia_events.query.State.trade_total`).
    """

    event: str
    period: str
    flow: str
    exporter: str | None
    importer: str | None
    value: Quantity
    change: Quantity | None
    reported: str
    certain: bool
    reporter: str | None = None
    """Who reported it (``china-customs``, ``russia-customs``...); ``None`` if not recorded."""
    scope: str = "all goods"
    """Goods covered: ``all goods`` or a commodity group."""


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


def fields_of(cls: type) -> tuple[str, ...]:
    """The column names of a row class, in order."""
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
    count: int | None = attrs.field(default=None, metadata={"optional": True})
    """How many coded interactions a row of type ``interactions`` counts (one month, one
    direction); ``None`` for an event. A column only when the timeline has such rows."""


@attrs.frozen(kw_only=True)
class SummaryRow:
    """One line of the summary: the value, and what is certain and what possible on the day."""

    item: str
    value: str
    certain: str
    possible: str
