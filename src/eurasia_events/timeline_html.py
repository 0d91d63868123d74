"""An interactive timeline of the log: a plotly figure, and one self-contained offline HTML page.

One lane per agreement (or project, sanctions measure, route...) or per actor; a point for
an event known to the day, a solid bar for a span known to the day, and a pale hatched bar
over every day an event may fall on when its date is partial (a month, a year, a qualified
or open date). Sanctions regimes are background bands, one colour per imposer. Hovering an
item shows its title, date, sources and quotes; two menus filter by event type and party.
Coded interactions (imported dataset records) are drawn as their monthly counts: bars per
month and direction in a panel under the lanes, on the same dates.

plotly (extra ``eurasia-events[timeline]``) is imported only when a figure is built; the
page embeds plotly's JavaScript, so it opens with no network.

>>> import eurasia_events as ee
>>> from eurasia_events.timeline_html import event_ids, timeline_figure
>>> fig = timeline_figure(ee.load(), start="2014-01-01", end="2014-12-31")
>>> len(event_ids(fig)) == len(ee.load().timeline(start="2014-01-01", end="2014-12-31"))
True
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TextIO

from .dates import MAX_ORDINAL, DayLike, InstantLike, PartialDate, Precision, ordinal_to_text, to_day
from .errors import EurasiaEventsError, MissingExtraError

if TYPE_CHECKING:
    from .events import Event
    from .log import Log

__all__ = ["LANES", "event_ids", "figure_html", "timeline_figure", "timeline_html", "write_timeline_html"]

LANES: Final = ("agreement", "actor")
"""How events are grouped into lanes: by the agreement, project, measure or route they
concern (``agreement``), or by the actor leading them (``actor``)."""

Progress = Callable[[int], None]

_DAY_MS: Final = 86_400_000
# The field naming what an event is about, in order of preference (lanes="agreement").
_SUBJECT_FIELDS: Final = ("agreement", "project", "measure", "route", "organisation", "deal", "subject", "name")
# Lanes for events that name no subject: one per family of types.
_FAMILY: Final = {"meeting": "summits and visits", "trade_statistic": "trade statistics", "statement": "statements",
                  "loan": "finance", "investment": "finance", "coded_interaction": "coded interactions (datasets)"}
# Entity kinds passed over when choosing an event's leading actor (lanes="actor").
_STATES: Final = ("state",)
_QUOTE_CHARS: Final = 220
_WRAP: Final = 90


def _plotly() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise MissingExtraError("the interactive timeline needs plotly, which is not installed: "
                                "pip install 'eurasia-events[timeline]'") from None
    return go


def _wrap(text: str, width: int = _WRAP) -> str:
    """Hover text lines of at most ``width`` characters (plotly does not wrap hover labels)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "<br>".join(html.escape(part) for part in lines)


def _lane(log: Log, event: Event, lanes: str) -> str:
    if lanes == "actor":
        kinds = {p: getattr(log.entities.get(p), "kind", None) for p in event.parties}
        lead = next((p for p in event.parties if getattr(kinds[p], "value", "state") not in _STATES),
                    event.parties[0] if event.parties else "")
        entity = log.entities.get(lead)
        return entity.name if entity else lead or "(no party)"
    for field in _SUBJECT_FIELDS:
        value = getattr(event, field, None)
        if isinstance(value, str) and value:
            return value
    return _FAMILY.get(event.TYPE, event.TYPE.replace("_", " "))


def _hover(log: Log, event: Event, open_start: bool, open_end: bool) -> str:
    date = event.date
    when = str(date)
    if not date.exact:
        first = "open start" if open_start else ordinal_to_text(date.earliest_ordinal)
        last = "open end" if open_end else ordinal_to_text(date.latest_ordinal)
        when += f" (possible days: {first} to {last})"
    parts = [f"<b>{_wrap(event.title)}</b>", html.escape(when),
             html.escape(f"{event.TYPE.replace('_', ' ')}, {event.status.value}"
                         + (f"; parties: {', '.join(event.parties)}" if event.parties else ""))]
    if event.disputes:
        parts.append(html.escape(f"disputed: {', '.join(d.field for d in event.disputes)}"))
    for citation in event.sources:
        source = log.sources.get(citation.source)
        name = f"{source.title} ({source.publisher})" if source else citation.source
        if not citation.quote:  # a dataset's record
            parts.append(f"<i>{_wrap('Source: ' + name)}</i><br>{_wrap('record ' + citation.record)}")
            continue
        quote = " ".join(citation.quote.split())
        if len(quote) > _QUOTE_CHARS:
            quote = quote[:_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"
        parts.append(f"<i>{_wrap('Source: ' + name)}</i><br>{_wrap('“' + quote + '”')}")
    return "<br>".join(parts)


def _span(text: str) -> tuple[int, int]:
    """The possible days of a view's date cell: a partial date, or ``A..B`` (a day in between;
    ``A..``: some day from A on, or never)."""
    first, _, last = text.partition("..") if "/" not in text and not text.startswith("..") else (text, "", "")
    if text.endswith("..") and not last:
        return PartialDate.parse(first).earliest_ordinal, MAX_ORDINAL
    return PartialDate.parse(first).earliest_ordinal, PartialDate.parse(last or first).latest_ordinal


def _sanction_bands(log: Log, last: int, known_at: InstantLike | None) -> dict[str, list[tuple[int, int]]]:
    """Per imposer, the periods some measure of theirs was in effect (overlaps merged)."""
    periods: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in log.as_of(ordinal_to_text(last), known_at=known_at).sanctions():
        begin = _span(row.effective)[0]
        end = min(_span(row.until)[1], last) if row.until else last
        if end >= begin:
            periods[row.imposer].append((begin, end))
    merged: dict[str, list[tuple[int, int]]] = {}
    for imposer, spans in periods.items():
        out: list[tuple[int, int]] = []
        for begin, end in sorted(spans):
            if out and begin <= out[-1][1] + 1:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((begin, end))
        merged[imposer] = out
    return merged


def timeline_figure(log: Log, *, start: DayLike | None = None, end: DayLike | None = None,
                    known_at: InstantLike | None = None, lanes: str = "agreement",
                    title: str = "China–Russia relations", progress: Progress | None = None,
                    interactions: str = "month") -> Any:
    """The events that may fall in ``start``..``end`` as an interactive plotly Figure
    (needs the ``timeline`` extra). The same events as ``log.timeline(start=..., end=...)``.

    Coded interactions (imported dataset records) are drawn, by default, as their monthly
    counts: bars per month and direction in a panel under the lanes, on the same dates.

    Args:
        log: the log.
        start, end: the period (default: every event).
        known_at: as the log stood at this instant.
        lanes: ``agreement`` (one lane per agreement, project, measure or route; other
            events by family) or ``actor`` (per leading actor: the first party that is
            not a state, else the first party).
        title: the figure's title.
        progress: called with the number of events drawn so far.
        interactions: ``month`` (counts per month and direction, in the panel), ``each``
            (every coded interaction drawn as an event) or ``none``.

    Returns:
        A ``plotly.graph_objects.Figure``; each event is one item whose ``customdata``
        starts with the event id (see :func:`event_ids`).
    """
    if lanes not in LANES:
        raise EurasiaEventsError(f"unknown lanes {lanes!r}; expected one of {', '.join(LANES)}")
    go = _plotly()
    from plotly.colors import qualitative

    palette = [*qualitative.Dark24, *qualitative.Alphabet]  # 50 distinguishable colours, one per event type
    shown_rows = log.timeline(start=start, end=end, known_at=known_at, interactions=interactions)
    wanted = [row.id for row in shown_rows if row.type != "interactions"]
    counts_by_month = [row for row in shown_rows if row.type == "interactions"]
    if known_at is None:  # only the events drawn are built (an imported log holds a million others)
        events = [log.get(i) for i in wanted]
    else:
        by_id = {event.id: event for event in log.events(known_at)}
        events = [by_id[i] for i in wanted]
    finite = [d for e in events for d in (e.date.earliest_ordinal, e.date.latest_ordinal)
              if not (e.date.start is None and d == e.date.earliest_ordinal)
              and not (e.date.end is None and d == e.date.latest_ordinal)]
    finite += [d for row in counts_by_month for d in _span(row.date)]
    lo = to_day(start).toordinal() if start is not None else min(finite, default=to_day("2000-01-01").toordinal())
    hi = to_day(end).toordinal() if end is not None else max(finite, default=lo)
    hi = max(hi, lo)

    # One trace per (type, shape): the type menu toggles traces, the party menu swaps their items.
    items: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    lane_first: dict[str, int] = {}
    for done, event in enumerate(events, start=1):
        date = event.date
        open_start, open_end = date.start is None, date.end is None
        first = max(date.earliest_ordinal, lo) if open_start else date.earliest_ordinal
        last = min(date.latest_ordinal, hi) if open_end else date.latest_ordinal
        last = max(last, first)
        lane = _lane(log, event, lanes)
        lane_first[lane] = min(lane_first.get(lane, first), first)
        if date.exact:
            shape = "day"
        elif (date.interval and not open_start and not open_end and not date.qualified
              and date.precision is Precision.DAY):
            shape = "span"  # an EDTF interval of days: the event lasted from one to the other
        else:
            shape = "possible"
        trace = items[(event.TYPE, shape)]
        trace["y"].append(lane)
        trace["parties"].append(set(event.parties))
        trace["customdata"].append([event.id, _hover(log, event, open_start, open_end)])
        if shape == "day":
            trace["x"].append(ordinal_to_text(first))
            trace["symbol"].append("circle-open" if event.disputes else "circle")
        else:
            trace["base"].append(ordinal_to_text(first))
            trace["x"].append((last + 1 - first) * _DAY_MS)
        if progress is not None:
            progress(done)

    types = sorted({kind for kind, _ in items})
    colour = {kind: palette[i % len(palette)] for i, kind in enumerate(types)}
    fig = go.Figure()
    keys = sorted(items, key=lambda k: (k[0], ("span", "possible", "day").index(k[1])))
    shown: set[str] = set()
    for kind, shape in keys:
        data = items[(kind, shape)]
        common = {"name": kind.replace("_", " "), "legendgroup": kind, "showlegend": kind not in shown,
                  "y": data["y"], "customdata": data["customdata"], "meta": {"shape": shape, "type": kind},
                  "hovertemplate": "%{customdata[1]}<extra></extra>"}
        shown.add(kind)
        if shape == "day":
            fig.add_trace(go.Scatter(x=data["x"], mode="markers", **common,
                                     marker={"color": colour[kind], "size": 10, "symbol": data["symbol"],
                                             "line": {"width": 1.5, "color": colour[kind]}}))
        else:
            possible = shape == "possible"
            fig.add_trace(go.Bar(x=data["x"], base=data["base"], orientation="h", **common, width=0.6,
                                 marker={"color": colour[kind], "opacity": 0.45 if possible else 0.9,
                                         "line": {"width": 1, "color": colour[kind]},
                                         "pattern": {"shape": "/" if possible else "", "fgcolor": colour[kind]}}))
    event_traces = len(fig.data)
    panel = _interaction_bars(go, fig, counts_by_month, qualitative.Set2)  # not an event type's colour
    count_traces = len(fig.data) - event_traces

    bands = _sanction_bands(log, hi, known_at)
    band_colours = qualitative.Pastel1
    for i, (imposer, spans) in enumerate(sorted(bands.items())):
        entity = log.entities.get(imposer)
        name = f"sanctions by {entity.name if entity else imposer}"
        fill = band_colours[i % len(band_colours)]
        for begin, end_ in spans:
            fig.add_vrect(x0=ordinal_to_text(max(begin, lo)), x1=ordinal_to_text(min(end_ + 1, hi + 1)),
                          fillcolor=fill, opacity=0.35, line_width=0, layer="below")
        # A legend entry for the band (shapes have none).
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                                 marker={"symbol": "square", "size": 14, "color": fill},
                                 meta={"shape": "band", "type": "sanctions"}))

    counts = Counter(p for kind_shape in keys for parties in items[kind_shape]["parties"] for p in parties)
    counts.update(p for row in counts_by_month for p in row.parties)  # a month's bar is an item too
    parties = [p for p, n in counts.most_common() if n >= 2][:25]

    def visible(kind: str | None) -> list[bool]:
        return [kind is None or trace.meta["type"] == kind or trace.meta["shape"] in ("band", "counts")
                for trace in fig.data]

    def subset(party: str | None) -> dict[str, list[Any]]:
        # Each trace's items with the party, whole (a blank item draws as NaN in plotly.js).
        picked = [[i for i, ps in enumerate(items[k]["parties"]) if party is None or party in ps] for k in keys]
        out: dict[str, list[Any]] = {name: [] for name in ("x", "y", "base", "customdata", "marker.symbol")}
        for k, keep in zip(keys, picked, strict=True):
            data = items[k]
            for name in out:
                source = data[name.removeprefix("marker.")]
                out[name].append([source[i] for i in keep] if source else None)
        for trace in fig.data[event_traces : event_traces + count_traces]:  # a direction with the party, or none
            kept = party is None or party in trace.meta["parties"]
            out["x"].append(list(trace.x) if kept else [None])
            out["y"].append(list(trace.y) if kept else [None])
            out["customdata"].append(list(trace.customdata) if kept else None)
            out["base"].append(None)
            out["marker.symbol"].append(None)
        for name, values in out.items():  # the bands' legend entries stay as they are
            values.extend([[None] if name in ("x", "y") else None] * (len(fig.data) - event_traces - count_traces))
        return out

    def party_label(party: str) -> str:
        entity = log.entities.get(party)
        return f"{entity.name if entity else party} ({counts[party]})"

    lane_order = sorted(lane_first, key=lambda lane: (lane_first[lane], lane))
    x_range = [ordinal_to_text(lo - 30), ordinal_to_text(hi + 30)]
    # Replacing x data makes plotly.js guess the axis type again (and take durations for
    # numbers): the party menu restates it.
    y_range = [len(lane_order) - 0.5, -0.5]  # the first lane on top; plotly's autorange pads by several lanes
    keep_axis = {"xaxis.type": "date", "xaxis.range": x_range, "yaxis.range": y_range}
    # Above the date labels of the top axis.
    menu = {"direction": "down", "showactive": True, "xanchor": "left", "yanchor": "bottom", "y": 1.0,
            "pad": {"b": 30}}
    counted = sum(row.count or 0 for row in counts_by_month)
    fig.update_layout(
        title={"text": html.escape(f"{title}: {len(events)} events"
                                   + (f", {counted} coded interactions counted by month" if counted else "")
                                   + (f" as known at {known_at}" if known_at else "")), "x": 0.01},
        height=max(520, 22 * len(lane_order) + 220) + (200 if panel else 0),
        barmode="overlay",
        hovermode="closest",
        hoverlabel={"align": "left"},
        xaxis={"type": "date", "range": x_range, "side": "top",
               "showgrid": True},
        yaxis={"categoryorder": "array", "categoryarray": lane_order, "range": y_range, "type": "category",
               "tickfont": {"size": 10}, "automargin": True},
        legend={"title": {"text": "event type"}, "font": {"size": 10}},
        margin={"t": 150},
        updatemenus=[
            {**menu, "x": 0.0, "name": "type",
             "buttons": [{"label": "all types", "method": "restyle", "args": [{"visible": visible(None)}]}]
             + [{"label": kind.replace("_", " "), "method": "restyle", "args": [{"visible": visible(kind)}]}
                for kind in types]},
            {**menu, "x": 0.25, "name": "party",
             "buttons": [{"label": "all parties", "method": "update", "args": [subset(None), keep_axis]}]
             + [{"label": party_label(p), "method": "update", "args": [subset(p), keep_axis]} for p in parties]},
        ],
        annotations=[{"text": f"{label}:", "x": x, "xref": "paper", "xanchor": "right", "y": 1.0, "yref": "paper",
                      "yanchor": "bottom", "yshift": 36, "showarrow": False}
                     for label, x in (("type", 0.0), ("party", 0.25))],
    )
    if panel:  # the lanes above, the monthly counts below, on one date axis
        fig.update_layout(yaxis={"domain": [0.24, 1.0]},
                          yaxis2={"domain": [0.0, 0.18], "anchor": "x", "title": {"text": "interactions"},
                                  "rangemode": "tozero"})
    return fig


def _interaction_bars(go: Any, fig: Any, rows: list[Any], palette: list[str]) -> bool:
    """Add the monthly counts of coded interactions (timeline rows of type ``interactions``) as
    bars, one trace per direction side by side in each month, on a second y axis; whether any."""
    by_direction: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_direction[row.id.split(":", 2)[2]].append(row)
    width = len(by_direction)
    for i, (sides, found) in enumerate(sorted(by_direction.items())):
        starts = [PartialDate.parse(row.date).earliest_ordinal for row in found]
        days = [PartialDate.parse(row.date).latest_ordinal - first + 1 for row, first in zip(found, starts,
                                                                                          strict=True)]
        # Each direction takes its share of the month: bars side by side whatever the layout's barmode.
        fig.add_trace(go.Bar(
            x=[ordinal_to_text(first) for first in starts], y=[row.count for row in found], yaxis="y2",
            width=[n * _DAY_MS / width for n in days], offset=[n * _DAY_MS * i / width for n in days],
            name=f"interactions {sides}", marker={"color": palette[i % len(palette)]},
            customdata=[[row.id, html.escape(f"{row.date}: {row.title}")] for row in found],
            hovertemplate="%{customdata[1]}<extra></extra>",
            meta={"shape": "counts", "type": "interactions", "parties": sorted({p for r in found for p in r.parties})}))
    return bool(by_direction)


def event_ids(fig: Any) -> list[str]:
    """The ids of the events drawn in a figure from :func:`timeline_figure`, in trace order."""
    return [row[0] for trace in fig.data if trace.meta and trace.meta.get("shape") not in ("band", "counts")
            for row in trace.customdata]


def figure_html(fig: Any) -> str:
    """A figure from :func:`timeline_figure` as one self-contained HTML page: plotly's
    JavaScript is embedded (about 3.5 MB), so the page opens with no network."""
    return str(fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False}))


def timeline_html(log: Log, **options: Any) -> str:
    """The interactive timeline as one self-contained HTML page (see :func:`figure_html`).
    Options as for :func:`timeline_figure`."""
    return figure_html(timeline_figure(log, **options))


def write_timeline_html(log: Log, out: TextIO, *, start: DayLike | None = None, end: DayLike | None = None,
                        known_at: InstantLike | None = None, lanes: str = "agreement",
                        progress: Progress | None = None, interactions: str = "month") -> int:
    """Write the interactive timeline page to ``out``; return how many events it draws (monthly
    counts of coded interactions are not events)."""
    fig = timeline_figure(log, start=start, end=end, known_at=known_at, lanes=lanes, progress=progress,
                          interactions=interactions)
    out.write(figure_html(fig))
    return len(event_ids(fig))
