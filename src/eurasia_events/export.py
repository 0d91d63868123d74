"""Flat exports of the log: CSV for spreadsheets, JSON Lines, TimelineJS JSON, and an interactive HTML timeline.

The CSV has one row per event as currently known (corrections applied, retractions
left out), with the columns a researcher expects. JSON Lines writes each event as the
flat object ``eurasia-events append`` reads, so an export can seed another log.
TimelineJS JSON (``{title, events, eras}``) feeds a web timeline: partial dates map to
its ``year`` / ``month`` / ``day`` fields natively. ``html`` is the interactive timeline of
:mod:`eurasia_events.timeline_html`, one page that opens offline.

>>> import io, eurasia_events as ee
>>> from eurasia_events.export import write_csv
>>> out = io.StringIO()
>>> write_csv(ee.load(), out)
>>> out.getvalue().splitlines()[0]
'id,type,date,earliest,latest,precision,parties,title,quantities,status,sources,source_addresses,quotes,records,recorded,amended'
"""

from __future__ import annotations

import csv
import html
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, TextIO

import attrs

from .codec import encode_event
from .dates import InstantLike, PartialDate, ordinal_to_text
from .events import Event, Forum, Meeting
from .notebook import project_intervals  # imports matplotlib and pandas only when they are used
from .quantities import Quantity

if TYPE_CHECKING:
    from .log import Log

__all__ = ["CSV_COLUMNS", "EXPORT_FORMATS", "event_records", "timelinejs", "write_csv", "write_html", "write_jsonl"]

EXPORT_FORMATS: Final = ("csv", "jsonl", "timelinejs", "html", "parquet")
"""The formats of ``eurasia-events export``; ``parquet`` is written by :mod:`eurasia_events.arrow`."""
CSV_COLUMNS: Final = ("id", "type", "date", "earliest", "latest", "precision", "parties", "title", "quantities",
                      "status", "sources", "source_addresses", "quotes", "records", "recorded", "amended")

Progress = Callable[[int], None]
"""Called with the number of events done so far (for a progress indicator)."""

# TimelineJS groups: one row band per family of event types.
_GROUPS: Final = {
    "meeting": "meetings", "forum": "meetings",
    "treaty_signed": "agreements", "joint_statement": "agreements", "memorandum": "agreements",
    "supply_contract": "agreements", "entered_into_force": "agreements", "agreement_extended": "agreements",
    "agreement_ended": "agreements",
    "supply_started": "energy", "supply_level": "energy", "project_milestone": "projects",
    "loan": "finance", "investment": "finance",
    "sanctions_imposed": "sanctions", "sanctions_extended": "sanctions", "sanctions_lifted": "sanctions",
    "membership_joined": "membership", "membership_left": "membership",
    "trade_statistic": "trade", "announcement": "plans",
}


def _recorded(log: Log, known_at: InstantLike | None) -> tuple[dict[str, str], dict[str, str]]:
    """When each event was first recorded, and when it was last corrected."""
    first: dict[str, str] = {}
    amended: dict[str, str] = {}
    for record in log.records_until(known_at):
        target = getattr(record.event, "target", None)
        if target is None:
            first.setdefault(record.event.id, str(record.recorded))
        else:
            amended[target] = str(record.recorded)
    return first, amended


def _quantities(event: Event) -> str:
    return "; ".join(f"{f.name}={getattr(event, f.name)}" for f in attrs.fields(type(event))
                     if isinstance(getattr(event, f.name), Quantity))


def event_records(log: Log, *, known_at: InstantLike | None = None,
                  progress: Progress | None = None) -> Iterator[dict[str, str]]:
    """One flat dict per event (the CSV columns), in date order."""
    first, amended = _recorded(log, known_at)
    events = sorted(log.events(known_at), key=lambda e: (e.date.earliest_ordinal, e.id))
    for done, event in enumerate(events, start=1):
        sources = [log.sources.get(c.source) for c in event.sources]
        yield {
            "id": event.id,
            "type": event.TYPE,
            "date": str(event.date),
            "earliest": ordinal_to_text(event.date.earliest_ordinal),
            "latest": ordinal_to_text(event.date.latest_ordinal),
            "precision": event.date.precision.value,
            "parties": "; ".join(event.parties),
            "title": event.title,
            "quantities": _quantities(event),
            "status": event.status.value,
            "sources": "; ".join(c.source for c in event.sources),
            "source_addresses": "; ".join((s.address or s.file) if s else "" for s in sources),
            "quotes": " | ".join(" ".join(c.quote.split()) for c in event.sources if c.quote),
            # an imported event's provenance: the dataset record, and its story or article
            "records": " | ".join(f"{c.source}:{c.record}" + (f" ({c.locator})" if c.locator else "")
                                  for c in event.sources if c.record),
            "recorded": first.get(event.id, ""),
            "amended": amended.get(event.id, ""),
        }
        if progress is not None:
            progress(done)


def write_csv(log: Log, out: TextIO, *, known_at: InstantLike | None = None,
              progress: Progress | None = None) -> None:
    """Write the events as CSV (:data:`CSV_COLUMNS`, one row per event) to ``out``."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in event_records(log, known_at=known_at, progress=progress):
        writer.writerow(row)


def write_jsonl(log: Log, out: TextIO, *, known_at: InstantLike | None = None,
                progress: Progress | None = None) -> None:
    """Write the events, one flat JSON object (with ``type``) a line: the form ``append`` reads."""
    events = sorted(log.events(known_at), key=lambda e: (e.date.earliest_ordinal, e.id))
    for done, event in enumerate(events, start=1):
        out.write(json.dumps({"type": event.TYPE, **encode_event(event)}, ensure_ascii=False) + "\n")
        if progress is not None:
            progress(done)


def write_html(log: Log, out: TextIO, *, known_at: InstantLike | None = None,
               progress: Progress | None = None) -> None:
    """Write the interactive timeline (one self-contained, offline HTML page; needs the
    ``timeline`` extra) to ``out``: see :mod:`eurasia_events.timeline_html`."""
    from .timeline_html import write_timeline_html  # plotly is imported only here

    write_timeline_html(log, out, known_at=known_at, progress=progress)


def _point(date: PartialDate, end: bool) -> dict[str, int] | None:
    point = date.end if end else date.start
    if point is None:
        return None
    out = {"year": point.year}
    if point.month is not None and not point.month_x:
        out["month"] = point.month
        if point.day is not None and not point.day_x:
            out["day"] = point.day
    return out


def _display(date: PartialDate) -> str:
    def point(p: Any) -> str:
        text = str(p.format())
        mark = text[-1]
        if mark in "~?%":
            text = ("c. " if mark in "~%" else "") + text[:-1] + (" (uncertain)" if mark in "?%" else "")
        return text

    if not date.interval:
        return point(date.start)
    if date.start is None:
        return f"by {point(date.end)}"
    if date.end is None:
        return f"from {point(date.start)}"
    return f"{point(date.start)} to {point(date.end)}"


def _slide_dates(date: PartialDate) -> dict[str, Any]:
    start, end = _point(date, False), _point(date, True)
    if start is None:  # an open start ("../2013"): TimelineJS needs a start, so the end stands for it
        start, end = end, None
    slide: dict[str, Any] = {"start_date": start}
    if date.interval and end is not None and end != start:
        slide["end_date"] = end
    return slide


def timelinejs(log: Log, *, known_at: InstantLike | None = None, title: str = "China–Russia relations",
               progress: Progress | None = None) -> dict[str, Any]:
    """The events as TimelineJS JSON: ``{title, events, eras}``.

    Eras are the construction periods of projects (from construction start to completion,
    opening, suspension or cancellation).

    >>> import eurasia_events as ee
    >>> data = timelinejs(ee.load())
    >>> sorted(data), data["events"][0]["start_date"]["year"] > 1990
    (['eras', 'events', 'title'], True)
    """
    slides = []
    events = sorted(log.events(known_at), key=lambda e: (e.date.earliest_ordinal, e.id))
    for done, event in enumerate(events, start=1):
        sources = []
        for citation in event.sources:
            source = log.sources.get(citation.source)
            name = html.escape(source.title if source else citation.source)
            address = source.address if source else ""
            sources.append(f'<a href="{html.escape(address)}">{name}</a>' if address else name)
        body = [f"<p>{html.escape(event.TYPE.replace('_', ' '))}"
                + (f" ({event.status.value})" if event.status.value != "happened" else "")
                + (f"; parties: {html.escape(', '.join(event.parties))}" if event.parties else "") + "</p>"]
        if isinstance(event, (Meeting, Forum)) and event.location:
            body.append(f"<p>{html.escape(event.location)}</p>")
        body.append(f"<p>Sources: {'; '.join(sources)}</p>")
        slides.append({
            **_slide_dates(event.date),
            "display_date": _display(event.date),
            "text": {"headline": html.escape(event.title), "text": "".join(body)},
            "group": _GROUPS.get(event.TYPE, "other"),
            "unique_id": event.id,
        })
        if progress is not None:
            progress(done)
    return {"title": {"text": {"headline": html.escape(title),
                               "text": f"<p>{len(slides)} events from the eurasia-events log</p>"}},
            "events": slides, "eras": _eras(log, known_at, events)}


def _eras(log: Log, known_at: InstantLike | None, events: list[Event]) -> list[dict[str, Any]]:
    if not events:
        return []
    # The eras run to the last day any event names (open ends excluded), never to "today".
    last = max(d for e in events for d in (e.date.earliest_ordinal, e.date.latest_ordinal)
               if ordinal_to_text(d) != "..")
    eras = []
    for project, (begin, end, _open) in project_intervals(log.as_of(ordinal_to_text(last),
                                                                            known_at=known_at)).items():
        entity = log.entities.get(project)
        eras.append({
            "start_date": _day_dict(begin[0]), "end_date": _day_dict(end[1]),
            "text": {"headline": html.escape(entity.name if entity else project)},
        })
    return eras


def _day_dict(ordinal: int) -> dict[str, int]:
    year, month, day = (int(part) for part in ordinal_to_text(ordinal).split("-"))
    return {"year": year, "month": month, "day": day}
