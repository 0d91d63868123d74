"""Notebook helpers: HTML displays, views as pandas DataFrames, timelines and series as figures.

``Log``, ``State``, ``Event`` and every ``View`` display in Jupyter through the ``*_html``
functions here (their ``_repr_html_`` delegates): the first rows of a table, a count of
the rest, and the totals. :func:`interactive_timeline` is the plotly timeline of
:mod:`eurasia_events.timeline_html` (extra ``eurasia-events[timeline]``).

pandas (extra ``eurasia-events[pandas]``) and matplotlib (extra ``eurasia-events[plot]``)
are imported only when a function here needs them; without them, these functions raise
:class:`~eurasia_events.errors.MissingExtraError` naming the extra to install.

>>> import eurasia_events as ee
>>> from eurasia_events.notebook import plot_timeline
>>> fig = plot_timeline(ee.load().as_of("2020-01-01"))
>>> fig.axes[0].get_title()
'China–Russia relations as of 2020-01-01'
"""

from __future__ import annotations

import datetime as _dt
import enum
import html
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .dates import to_day
from .errors import MissingExtraError
from .events import Forum, Meeting
from .projections import Span, agreement_status, hull, may_be_last, shown_in_force, term_anchor, trail_items
from .quantities import Quantity
from .views import Count

if TYPE_CHECKING:
    from .events import Event
    from .log import Log
    from .query import State
    from .views import View

__all__ = [
    "MAX_ROWS",
    "agreement_intervals",
    "event_html",
    "interactive_timeline",
    "log_html",
    "plot_series",
    "plot_timeline",
    "project_intervals",
    "state_html",
    "to_pandas",
    "view_html",
]

MAX_ROWS: Final = 20
"""How many rows a table shows in a notebook before counting the rest."""

Interval = tuple[Span, Span, bool]
"""``(possible start days, possible end days, open-ended)``, days as ordinals; an open
interval ends on the state's day."""

_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_BUILDING: Final = ("construction_started",)
_BUILT: Final = ("completed", "opened", "suspended", "cancelled")


def _require(module: str, extra: str, feature: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{feature} needs {module.split('.')[0]}, which is not installed: "
            f"pip install 'eurasia-events[{extra}]'"
        ) from None


def _figure(figsize: tuple[float, float]) -> tuple[Any, Any]:
    # A Figure without pyplot: no global figure list to leak or warn about, no backend
    # to pick, nothing shown; notebooks display the returned figure.
    _require("matplotlib", "plot", "plotting")
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


# --- HTML displays -------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _table(columns: Sequence[str], records: Sequence[Mapping[str, Any]]) -> str:
    """An HTML table, cells escaped and kept as written (no padding, no number parsing)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_text(r.get(c)))}</td>" for c in columns) + "</tr>"
                   for r in records)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rest(shown: int, total: int, what: str, hint: str) -> str:
    if total <= shown:
        return ""
    return f"<p><i>… and {total - shown} more {what} ({total} in all; {hint})</i></p>"


def view_html(view: View[Any], *, max_rows: int = MAX_ROWS) -> str:
    """A view as HTML for notebooks: its title, its first ``max_rows`` rows, a count of the
    rest, and its totals.

    >>> import eurasia_events as ee
    >>> page = view_html(ee.load().timeline(), max_rows=3)
    >>> page.count("<tr>"), "more rows" in page
    (4, True)
    """
    records = view.to_records()
    count = view.count
    heading = f"<p><b>{html.escape(view.title)}</b>" if view.title else "<p>"
    heading += f" ({count} rows)</p>" if not count.exact else f" ({len(records)} rows)</p>"
    table = _table(view.columns, records[:max_rows]) if records else "<p><i>no rows</i></p>"
    totals = "".join(f"<p>total {html.escape(str(k))}: {html.escape(str(v))}</p>" for k, v in view.totals.items())
    return heading + table + _rest(min(max_rows, len(records)), len(records), "rows",
                                   "iterate the view or call to_pandas() for all") + totals


def log_html(log: Log, *, max_rows: int = 10) -> str:
    """A log as HTML: where it is stored, records and events, the span of dates, the head
    hash, and the first records.

    >>> import eurasia_events as ee
    >>> "records" in log_html(ee.load())
    True
    """
    events = log.events()
    span = ""
    days = [d for e in events for d in (e.date.earliest_ordinal, e.date.latest_ordinal)
            if not (e.date.start is None and d == e.date.earliest_ordinal)
            and not (e.date.end is None and d == e.date.latest_ordinal)]
    if days:
        span = f", dated {_date(min(days))} to {_date(max(days))}"
    records = list(log[:max_rows])
    rows = [{"seq": r.seq, "recorded": str(r.recorded), "type": r.event.TYPE, "id": r.event.id,
             "title": getattr(r.event, "title", "")} for r in records]
    summary = (f"<p><b>Log</b> {html.escape(str(log.location))}: {len(log)} records, {len(events)} events"
               f"{span}; head <code>{html.escape(log.head[:16])}…</code></p>")
    table = _table(("seq", "recorded", "type", "id", "title"), rows) if rows else ""
    return summary + table + _rest(len(rows), len(log), "records", "log.timeline() lists the events by date")


def state_html(state: State, *, max_rows: int = MAX_ROWS) -> str:
    """A state as HTML: the day (and the instant it is known at) and its summary.

    >>> import eurasia_events as ee
    >>> state_html(ee.load().as_of("2020-01-01")).startswith("<p><b>State as of 2020-01-01</b>")
    True
    """
    known = f" as known at {state.known_at}" if state.known_at else ""
    heading = f"<p><b>State as of {state.day}</b>{html.escape(known)}: {len(state.events)} events may have happened</p>"
    return heading + view_html(state.summary(), max_rows=max_rows)


def event_html(event: Event) -> str:
    """An event as HTML: its title, a table of its fields, and its sources with their quotes.

    >>> import eurasia_events as ee
    >>> page = event_html(ee.load().get("2014-05-21-pos-gas-contract"))
    >>> "<blockquote>" in page and "supply_contract" in page
    True
    """
    import attrs

    rows = []
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        if field.name in ("title", "sources") or value in (None, (), ""):
            continue
        if field.name == "disputes":
            value = [f"{d.field}: {d.value} ({d.source})" for d in value]
        rows.append({"field": field.name, "value": value})
    quotes = "".join(f"<p>{html.escape(c.source)}{' ' + html.escape(c.locator) if c.locator else ''}:</p>"
                     + (f"<blockquote>{html.escape(' '.join(c.quote.split()))}</blockquote>" if c.quote
                        else f"<p>record {html.escape(c.record)}</p>")  # a dataset's record: no quote
                     for c in event.sources)
    return (f"<p><b>{html.escape(event.title)}</b> ({html.escape(event.TYPE)}, {html.escape(str(event.date))})</p>"
            + _table(("field", "value"), [{"field": "type", "value": event.TYPE}, *rows]) + quotes)


def interactive_timeline(log: Log, **options: Any) -> Any:
    """The interactive plotly timeline (needs the ``timeline`` extra): a Figure that a
    notebook displays; see :func:`eurasia_events.timeline_html.timeline_figure`."""
    from .timeline_html import timeline_figure

    return timeline_figure(log, **options)


# --- pandas -----------------------------------------------------------------------------


def to_pandas(view: View[Any]) -> Any:
    """The view's rows as a DataFrame with proper dtypes (needs the ``pandas`` extra).

    A column whose values are all whole days (``YYYY-MM-DD``) becomes ``datetime64``; a
    column of quantities becomes a float column plus ``<column>_unit``; a column of counts
    (:class:`~eurasia_events.views.Count`) two int columns ``<column>_certain`` and
    ``<column>_possible``; partial dates
    and spans (``2014-05``, ``2014-05-01..2014-05-31``) stay text, as written.

    >>> import eurasia_events as ee
    >>> df = ee.load().series("gas", "2015-01-01", "2025-01-01").to_pandas()
    >>> df["day"].dtype.kind, str(df["value"].dtype), df["value_unit"].dropna().unique().tolist()
    ('M', 'float64', ['bcm/yr'])
    """
    pd = _require("pandas", "pandas", "to_pandas()")
    data: dict[str, Any] = {}
    for column in view.columns:
        values = [getattr(row, column) for row in view.rows]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, Count) for v in present):  # two int columns, as to_arrow makes them
            for part in ("certain", "possible"):
                data[f"{column}_{part}"] = pd.Series([getattr(v, part) for v in values], dtype="int64")
        elif present and all(isinstance(v, Quantity) for v in present):
            data[column] = pd.Series([float(v.value) if v is not None else None for v in values], dtype="float64")
            data[f"{column}_unit"] = pd.Series([v.unit if v is not None else None for v in values], dtype="object")
        elif present and all(isinstance(v, str) and _DAY.fullmatch(v) for v in present):
            data[column] = pd.to_datetime(pd.Series(values, dtype="object"), format="%Y-%m-%d")
        elif present and all(isinstance(v, bool) for v in present) and len(present) == len(values):
            data[column] = pd.Series(values, dtype="bool")
        elif present and all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in present):
            data[column] = pd.Series([None if v is None else float(v) for v in values], dtype="float64")
        elif present and all(isinstance(v, str) for v in present):
            data[column] = pd.Series(values, dtype="object")
        else:
            data[column] = pd.Series([v if isinstance(v, (str, bool, tuple)) or v is None else str(v)
                                      for v in values], dtype="object")
    if view.name == "timeline" and "date" in data:
        data = _with_bounds(pd, data, view)
    return pd.DataFrame(data, index=pd.RangeIndex(len(view.rows)))


def _with_bounds(pd: Any, data: dict[str, Any], view: View[Any]) -> dict[str, Any]:
    """Timeline columns plus ``earliest`` and ``latest``: the possible days as datetimes
    (``NaT`` for an open or unknown end), after ``date``."""
    from .dates import PartialDate

    bounds: dict[str, list[str | None]] = {"earliest": [], "latest": []}
    for row in view.rows:
        date = PartialDate.parse(row.date)
        bounds["earliest"].append(None if date.start is None else date.earliest.isoformat())
        bounds["latest"].append(None if date.end is None else date.latest.isoformat())
    out: dict[str, Any] = {}
    for column, values in data.items():
        out[column] = values
        if column == "date":
            for name, days in bounds.items():
                out[name] = pd.to_datetime(pd.Series(days, dtype="object"), format="%Y-%m-%d")
    return out


# --- intervals ---------------------------------------------------------------------------


def _interval(start: Span, end: Span | None, last: int) -> Interval:
    if end is None or end[0] > last:
        return start, (last, last), True
    return start, (max(end[0], start[0]), max(end[1], start[0])), False


def agreement_intervals(state: State) -> dict[str, Interval]:
    """Each agreement in force at some point by the state's day: when it was in force.

    The end is the expiry, termination or supersession, or the state's day if still in force.
    """
    last = state.day.toordinal()
    found = {}
    for row in state.fold.agreements.values():
        start = shown_in_force(row, last)
        if start is None or start[0] > last:
            continue
        _, _, until = agreement_status(row, last, term_anchor(row, state.fold.supply, last))
        ended = hull(span for span, _ in may_be_last(row.endings, last))  # each end that may stand
        ends = [span for span in (until, ended,
                                  row.superseded_by[0] if row.superseded_by else None) if span is not None]
        end = min(ends, key=lambda span: span[0]) if ends else None
        found[row.agreement] = _interval(start, end, last)
    return found


def project_intervals(state: State) -> dict[str, Interval]:
    """Each project whose construction started by the state's day: its construction period."""
    last = state.day.toordinal()
    found = {}
    for project in state.fold.projects.values():
        stages = trail_items(project.stages)
        starts = [span for stage, span, _ in stages if stage in _BUILDING and span[0] <= last]
        if not starts:
            continue
        start = min(starts)
        ends = [span for stage, span, _ in stages if stage in _BUILT and span[0] >= start[0]]
        found[project.project] = _interval(start, min(ends) if ends else None, last)
    return found


# --- plots ---------------------------------------------------------------------------


def _date(ordinal: int) -> _dt.date:
    return _dt.date.fromordinal(ordinal)


def plot_timeline(log_or_state: Log | State, *, as_of: Any = None, known_at: Any = None,
                  start: Any = None, agreements: bool = True, projects: bool = True, meetings: bool = True,
                  max_agreements: int | None = 40, ax: Any = None) -> Any:
    """Agreements and projects as bars over their in-force or construction periods, summits
    and forums as markers. Needs the ``plot`` extra (matplotlib).

    Dates that are not known to the day (a month, a year, a qualified or disputed date) are
    drawn hatched and pale: the bar or marker covers every day they may fall on.

    Args:
        log_or_state: a :class:`~eurasia_events.log.Log` (then ``as_of`` is required) or a
            :class:`~eurasia_events.query.State`.
        as_of: the last day shown, for a log.
        known_at: as the log stood at this instant, for a log.
        start: the first day shown (default: the earliest event drawn).
        max_agreements: draw at most this many agreements (the most recently in force).
        ax: a matplotlib Axes to draw on (default: a new figure).

    Returns:
        The matplotlib Figure (nothing is shown: display it, or ``fig.savefig(path)``).
    """
    # Told apart by shape, not imported: query calls into this module, never the reverse.
    if not hasattr(log_or_state, "as_of"):
        state: State = log_or_state
    else:
        if as_of is None:
            raise TypeError("plot_timeline(log, ...) needs as_of=DAY (nothing here defaults to today)")
        state = log_or_state.as_of(as_of, known_at=known_at)
    fig, ax = _figure((12, 7)) if ax is None else (ax.figure, ax)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    bars: list[tuple[str, str, Interval]] = []
    if agreements:
        found = sorted(agreement_intervals(state).items(), key=lambda item: item[1][0])
        if max_agreements is not None:
            found = found[-max_agreements:]
        bars += [("agreement", name, span) for name, span in found]
    if projects:
        bars += [("project", name, span) for name, span in sorted(project_intervals(state).items(),
                                                                  key=lambda item: item[1][0])]
    colours = {"agreement": "tab:blue", "project": "tab:orange", "meeting": "tab:green", "forum": "tab:purple"}
    first = state.day.toordinal()
    labels = []
    for y, (kind, name, (begin, end, _open)) in enumerate(bars):
        first = min(first, begin[0])
        # Solid where the days are certain, pale and hatched over the days a start or end may fall on.
        if end[0] > begin[1]:
            ax.broken_barh([(begin[1], end[0] - begin[1])], (y - 0.35, 0.7), facecolors=colours[kind],
                           edgecolor=colours[kind])
        fuzzy = [(lo, hi - lo) for lo, hi in (begin, end) if hi > lo]
        if fuzzy:
            ax.broken_barh(fuzzy, (y - 0.35, 0.7), facecolors=colours[kind], alpha=0.35, hatch="///",
                           edgecolor=colours[kind])
        labels.append(name)
    marks_y = len(bars)
    if meetings:
        for event in state.events:
            if not isinstance(event, (Meeting, Forum)) or event.status.value != "happened":
                continue
            lo, hi = event.date.earliest_ordinal, event.date.latest_ordinal
            if lo < first and start is None:
                first = lo
            kind = "forum" if isinstance(event, Forum) else "meeting"
            exact = event.date.exact and not event.disputes
            middle = (lo + hi) / 2
            y = marks_y + (1 if kind == "forum" else 0)
            if not exact:
                ax.hlines(y, lo, hi, colors=colours[kind], alpha=0.4, linewidth=3)
            ax.plot([middle], [y], marker="o" if kind == "meeting" else "D", linestyle="none",
                    color=colours[kind], markerfacecolor=colours[kind] if exact else "none", markersize=7)
        labels += ["summits and visits", "forums"]
    lo_limit = _dt.date.fromordinal(first).toordinal() if start is None else _to_ordinal(start)
    ax.set_xlim(lo_limit - 60, state.day.toordinal() + 60)
    ax.set_ylim(-1, len(labels))
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    years = range(_date(lo_limit).year, state.day.year + 1, max(1, (state.day.year - _date(lo_limit).year) // 12))
    ax.set_xticks([_dt.date(y, 1, 1).toordinal() for y in years], [str(y) for y in years])
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"China–Russia relations as of {state.day}"
                 + (f" (as known at {state.known_at})" if state.known_at else ""))
    ax.legend(handles=[
        Patch(facecolor=colours["agreement"], label="agreement in force"),
        Patch(facecolor=colours["project"], label="project under construction"),
        Patch(facecolor="grey", alpha=0.35, hatch="///", label="date not known to the day"),
        Line2D([], [], marker="o", linestyle="none", color=colours["meeting"], label="summit or visit"),
        Line2D([], [], marker="D", linestyle="none", color=colours["forum"], label="forum"),
        Line2D([], [], marker="o", linestyle="none", color="grey", markerfacecolor="none",
               label="hollow: day not known"),
    ], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
    return fig


def _to_ordinal(day: Any) -> int:
    return int(to_day(day).toordinal())


def plot_series(view: View[Any], *, ax: Any = None, label: str | None = None) -> Any:
    """A series view (``log.series(...)``) as a step line: the certain value, and the possible
    value where it differs. Needs the ``plot`` extra. Returns the Figure.

    >>> import eurasia_events as ee
    >>> fig = ee.load().series("gas", "2010-01-01", "2030-01-01").plot()
    >>> fig.axes[0].get_ylabel()
    'bcm/yr'
    """
    if "day" not in view.columns or "value" not in view.columns:
        raise TypeError(f"plot() draws series views (rows with day and value); {view.name!r} has "
                        f"{', '.join(view.columns)}")
    fig, ax = _figure((9, 4)) if ax is None else (ax.figure, ax)
    days = [_dt.date.fromisoformat(row.day) for row in view.rows]
    units = {v.unit for row in view.rows for v in (row.value, row.possible) if isinstance(v, Quantity)}
    if len(units) > 1:
        raise TypeError(f"cannot plot a series mixing units: {', '.join(sorted(units))}")

    def number(value: Any) -> float:
        if value is None:
            return 0.0
        return float(value.value if isinstance(value, Quantity) else value)

    certain = [number(row.value) for row in view.rows]
    possible = [number(row.possible) for row in view.rows]
    ax.step(days, certain, where="post", label=label or "certain", color="tab:blue")
    if possible != certain:
        ax.step(days, possible, where="post", label="possible", color="tab:blue", linestyle="--", alpha=0.6)
        ax.fill_between(days, certain, possible, step="post", alpha=0.15, color="tab:blue", hatch="//")
    ax.set_ylabel(units.pop() if units else "count")
    ax.set_title(view.title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
