"""The ``eurasia-events`` command line.

Data goes to stdout, messages to stderr. Exit 0 on success, 1 for invalid data or an
integrity failure, 2 for a usage error. Library errors print as one line, no traceback.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .dates import to_day, to_instant
from .errors import EurasiaEventsError, IntegrityError, LogFormatError, UnknownEntityError
from .events import EVENT_TYPES
from .export import EXPORT_FORMATS, timelinejs, write_csv, write_jsonl
from .log import Log, bundled_path, load, open_store, read_event_lines
from .query import VIEW_NAMES
from .sources import normalise_quote
from .sqlite_store import SQLiteStore
from .tables import FORMATS, render
from .views import View

__all__ = ["main"]

EXAMPLES = {
    "validate": "eurasia-events validate --sources ../shared/seeds",
    "timeline": "eurasia-events timeline --from 2014-01-01 --to 2015-12-31 --party Gazprom",
    "as-of": "eurasia-events as-of 2020-01-01 volumes --commodity pipeline_gas",
    "diff": "eurasia-events diff 2014-01-01 2016-01-01",
    "series": "eurasia-events series gas 2010-01-01 2030-01-01 --every year",
    "show": "eurasia-events show 2014-05-21-pos-gas-contract",
    "entities": "eurasia-events entities novartis",
    "append": "eurasia-events append new-events.jsonl",
    "coverage": "eurasia-events coverage --sources ../shared/seeds",
    "repair": "eurasia-events repair events/",
    "convert": "eurasia-events convert events/log.jsonl big-log.sqlite",
    "export": "eurasia-events export --format csv --output events.csv",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def _day(text: str) -> str:
    """An argparse type: a whole day, checked while parsing so a bad one is a usage error (exit 2)."""
    try:
        to_day(text)
    except EurasiaEventsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _instant(text: str) -> str:
    """An argparse type: an instant (ISO 8601, or a day), checked while parsing."""
    try:
        to_instant(text)
    except EurasiaEventsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


class _Progress:
    """A one-line progress indicator on stderr, drawn only when stderr is a terminal.

    Piped or redirected, it prints nothing, so logs and scripts see only the real messages.
    """

    def __init__(self, label: str, total: int | None = None, stream: Any = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.label, self.total, self._drawn = label, total, 0.0
        self.update(0, force=True)

    def update(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self._drawn < 0.1):  # redraw at most ten times a second
            return
        self._drawn = now
        count = f" {done}/{self.total}" if self.total else (f" {done}" if done else "")
        self.stream.write(f"\r\033[K{self.label}...{count}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="eurasia-events", description="The China-Russia relationship as an append-only event log.")
    parser.add_argument("--log", help="log folder or .jsonl file (default: the bundled curated log)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=f"example: {EXAMPLES[name]}")
        p.add_argument("--log", default=argparse.SUPPRESS, help="log folder or .jsonl file")
        return p

    def formats(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=[f for f in FORMATS if f != "html"], default="table")

    p = command("validate", "verify the log's hash chain, every event, and (with --sources) every quote")
    p.add_argument("--sources", help="folder of source files: check every quote of a source with a 'file'")
    p = command("timeline", "events in date order")
    p.add_argument("--from", dest="start", type=_day, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", type=_day, help="last day (YYYY-MM-DD)")
    p.add_argument("--kind", choices=list(EVENT_TYPES), help="event type")
    p.add_argument("--party", help="entity id, name or alias")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("as-of", "the state at the end of a day")
    p.add_argument("day", type=_day, help="YYYY-MM-DD")
    p.add_argument("view", nargs="?", default="summary", choices=VIEW_NAMES)
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant (ISO 8601, or a day)")
    p.add_argument("--commodity", default="pipeline_gas", help="for volumes: pipeline_gas, oil, lng, ...")
    p.add_argument("--binding", choices=["yes", "no", "all"], default="yes", help="for volumes")
    p.add_argument("--organisation", default="eaeu", help="for members: entity id, name or alias")
    p.add_argument("--participant", help="for meetings: entity id, name or alias")
    formats(p)
    p = command("diff", "what changed between two days")
    p.add_argument("before", type=_day, help="YYYY-MM-DD")
    p.add_argument("after", type=_day, help="YYYY-MM-DD")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("series", "a measure on each day of a period")
    p.add_argument("measure", help="gas, oil, lng, gas-all, or a view name (row count)")
    p.add_argument("start", type=_day, help="first day (YYYY-MM-DD)")
    p.add_argument("end", type=_day, help="last day (YYYY-MM-DD)")
    p.add_argument("--every", choices=["year", "month", "day"], default="year")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("show", "one event: fields, sources and quotes, amendments")
    p.add_argument("event_id")
    p = command("entities", "look up entities by id, name or alias")
    p.add_argument("query", nargs="?")
    formats(p)
    p = command("append", "validate a JSON Lines file of new events and append it atomically")
    p.add_argument("file")
    p.add_argument("--expected-last-seq", type=int, help="fail unless the log still ends at this record")
    p = command("export", "every event as currently known: CSV, JSON Lines (the form append reads), TimelineJS")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    p.add_argument("--output", "-o", help="file to write (default: stdout)")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    p = command("coverage", "per source document: events citing it, and dated sentences no event cites")
    p.add_argument("--sources", required=True, help="folder of source files")
    p.add_argument("--source", help="only this source id")
    p = command("repair", "remove an incomplete last record left by a crash (never a complete one)")
    p.add_argument("path", nargs="?", help="log folder, .jsonl or .sqlite file")
    p = command("convert", "copy a log to another store (.jsonl or .sqlite), verifying the hash chain on both sides")
    p.add_argument("src", help="log folder, .jsonl or .sqlite file to read")
    p.add_argument("dest", help=".jsonl or .sqlite file to create (must not hold records yet)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    handler = globals()["_cmd_" + args.command.replace("-", "_")]
    try:
        return int(handler(args))
    except BrokenPipeError:
        return 0
    except EurasiaEventsError as error:
        print(f"eurasia-events: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # an unwritable --output, a full disk: the user's to fix, no traceback
        print(f"eurasia-events: error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1


def _log(args: argparse.Namespace) -> Log:
    progress = _Progress(f"reading and verifying {args.log or 'the bundled log'}")
    try:
        return load(args.log)
    finally:
        progress.close()


def _print_view(view: View[Any], fmt: str) -> int:
    print(view.render(fmt) if fmt != "table" else str(view))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    log = _log(args)
    log.verify()  # every record and every event built in full, with every check
    events = log.sketches()
    print(f"{log.store.location}: {len(log)} records verified, {len(events)} events, "
          f"{len(log.entities)} entities, {len(log.sources)} sources", file=sys.stderr)
    if args.sources is None:
        return 0
    missing = check_quotes(log, Path(args.sources))
    for line in missing:
        print(line)
    print(f"{len(missing)} unverified quotes", file=sys.stderr)
    return 1 if missing else 0


def check_quotes(log: Log, folder: Path) -> list[str]:
    """Every quote attributed to a source with a ``file`` in ``folder`` that the file does not contain."""
    texts: dict[str, str | None] = {}
    problems = []
    progress = _Progress("checking quotes", len(log))
    for done, record in enumerate(log, start=1):
        progress.update(done)
        event = record.event
        for citation in event.sources:
            source = log.sources[citation.source]
            if not source.file:
                continue
            if source.id not in texts:
                path = folder / source.file
                texts[source.id] = normalise_quote(path.read_text(encoding="utf-8")) if path.is_file() else None
            text = texts[source.id]
            if text is None:
                problems.append(f"{event.id}\t{source.id}\tfile {source.file} not found in {folder}")
            elif normalise_quote(citation.quote) not in text:
                problems.append(f"{event.id}\t{source.id}\tquote not found: {citation.quote[:80]!r}")
    progress.close()
    return problems


def _cmd_timeline(args: argparse.Namespace) -> int:
    view = _log(args).timeline(start=args.start, end=args.end, kind=args.kind, party=args.party,
                               known_at=args.known_at)
    return _print_view(view, args.format)


def _cmd_as_of(args: argparse.Namespace) -> int:
    state = _log(args).as_of(args.day, known_at=args.known_at)
    options: dict[str, Any] = {}
    if args.view == "volumes":
        options = {"commodity": args.commodity, "binding": {"yes": True, "no": False, "all": None}[args.binding]}
    elif args.view == "members":
        options = {"organisation": args.organisation}
    elif args.view == "meetings" and args.participant:
        options = {"participant": args.participant}
    return _print_view(state.view(args.view, **options), args.format)


def _cmd_diff(args: argparse.Namespace) -> int:
    return _print_view(_log(args).diff(args.before, args.after, known_at=args.known_at), args.format)


def _cmd_series(args: argparse.Namespace) -> int:
    view = _log(args).series(args.measure, args.start, args.end, every=args.every, known_at=args.known_at)
    return _print_view(view, args.format)


def _cmd_show(args: argparse.Namespace) -> int:
    from .codec import encode_event

    log = _log(args)
    for record in log.history(args.event_id):
        print(f"record {record.seq}, recorded {record.recorded}, {record.event.TYPE}")
        print(json.dumps(encode_event(record.event), ensure_ascii=False, indent=1))
        for citation in record.event.sources:
            source = log.sources[citation.source]
            print(f"  source {source.id}: {source.title} ({source.publisher}, {source.published or 'n.d.'}) "
                  f"{source.address or source.file}")
            print(f"    \u201c{citation.quote}\u201d")
    try:
        current = log.get(args.event_id)
        print(f"as currently known: {current.title} ({current.date})")
    except EurasiaEventsError as error:
        print(str(error))
    return 0


def _cmd_entities(args: argparse.Namespace) -> int:
    log = _log(args)
    found = list(log.entities.values()) if not args.query else log.entities.search(args.query)
    if not found:
        raise UnknownEntityError(f"no entity matches {args.query!r}")
    records = [{"id": e.id, "name": e.name, "kind": e.kind.value, "aliases": list(e.aliases)} for e in found]
    print(render(["id", "name", "kind", "aliases"], records, args.format))
    return 0


def _cmd_append(args: argparse.Namespace) -> int:
    log = _log(args)
    progress = _Progress(f"validating and appending {args.file}")
    try:
        found = read_event_lines(args.file)
        events = [event for event, _ in found]
        log.validate_new(events, [location for _, location in found])
        records = log.append(events, expected_last_seq=args.expected_last_seq)
    finally:
        progress.close()
    print(f"appended {len(records)} records to {log.store.location} "
          f"(now {len(log)} records)", file=sys.stderr)
    return 0


_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def _sentences(text: str) -> list[str]:
    flat = normalise_quote(text)
    # Sentences, and clauses after a semicolon: a quote often covers only the dated clause.
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\u201c\"(])|(?<=;)\s+", flat) if s.strip()]


def coverage(log: Log, folder: Path) -> list[dict[str, Any]]:
    """Per source with a file: how many events cite it, and its dated sentences no quote covers."""
    report = []
    quotes: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for event in log.events():
        for citation in event.sources:
            quotes.setdefault(citation.source, []).append(normalise_quote(citation.quote))
        for source_id in {c.source for c in event.sources}:
            counts[source_id] = counts.get(source_id, 0) + 1
    for source in log.sources.values():
        if not source.file or not (folder / source.file).is_file():
            continue
        cited = quotes.get(source.id, [])
        joined = " | ".join(cited)  # "|" keeps word runs from spanning two quotes
        uncited = [
            s for s in _sentences((folder / source.file).read_text(encoding="utf-8"))
            if _YEAR.search(s) and not any(q in s for q in cited) and not _overlaps(s, joined)
        ]
        report.append({"source": source.id, "file": source.file, "events": counts.get(source.id, 0),
                       "uncited": uncited})
    return report


def _overlaps(sentence: str, quotes: str, window: int = 6) -> bool:
    """Whether a run of ``window`` consecutive words of the sentence is quoted (quotes often
    cross sentence boundaries, so whole-sentence containment misses them)."""
    words = _bare(sentence).split()
    quotes = _bare(quotes)
    if len(words) <= window:
        return " ".join(words) in quotes
    return any(" ".join(words[i : i + window]) in quotes for i in range(len(words) - window + 1))


def _bare(text: str) -> str:
    """Words only: punctuation dropped, spaces collapsed (quotes end mid-sentence)."""
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _cmd_coverage(args: argparse.Namespace) -> int:
    for item in coverage(_log(args), Path(args.sources)):
        if args.source and item["source"] != args.source:
            continue
        print(f"{item['source']} ({item['file']}): {item['events']} events, "
              f"{len(item['uncited'])} dated sentences not cited")
        for sentence in item["uncited"]:
            print(f"  - {sentence}")
    return 0


def _cmd_repair(args: argparse.Namespace) -> int:
    from .codec import verify_line

    target = Path(args.path or args.log or bundled_path())
    store = open_store(target)
    if isinstance(store, SQLiteStore):
        # SQLite commits whole transactions, so a crash cannot leave half a record.
        problem = store.integrity_check()
        if problem != "ok":
            raise IntegrityError(f"{store.location}: SQLite reports damage it cannot repair here: {problem}")
        print(f"{store.location}: nothing to repair (SQLite commits whole transactions)", file=sys.stderr)
        load(target)
        return 0
    if not store.path.is_file():
        raise LogFormatError(f"{store.location}: no such log file")
    with store.locked():
        tail = store.torn_tail()
        if not tail:
            print(f"{store.location}: nothing to repair", file=sys.stderr)
        elif verify_line(tail.removesuffix(b"\r")) is not None:
            store.append_lines([b"\n"])
            print(f"{store.location}: the last record was complete but lacked its newline; added it",
                  file=sys.stderr)
        else:
            store.cut_tail(len(tail))
            print(f"{store.location}: removed an incomplete last record of {len(tail)} bytes: {tail[:60]!r}...",
                  file=sys.stderr)
    load(target)  # prove the result verifies
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    source = load(args.src)  # verifies every record of the source
    dest = open_store(args.dest)
    if Path(dest.location).resolve() == Path(source.store.location).resolve():
        raise LogFormatError(f"{dest.location}: source and destination are the same log")
    lines = source.store.read_lines(0)
    with dest.locked():
        held = len(dest.read_lines(0))
        if held:
            raise LogFormatError(f"{dest.location}: already holds {held} records; convert writes only a new, "
                                 "empty log")
        # The records' exact bytes move, never re-encoded, so hashes and links stay valid.
        dest.append_lines([line + b"\n" for line in lines])
    copy = Log(dest, entities=source.entities, sources=source.sources)
    if [r.hash for r in copy] != [r.hash for r in source]:
        raise IntegrityError(f"{dest.location}: the copy differs from {source.store.location}")
    print(f"{source.store.location} -> {dest.location}: {len(copy)} records copied and verified", file=sys.stderr)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    log = _log(args)
    progress = _Progress(f"exporting {args.format}", len(log.events(args.known_at)))
    out = sys.stdout if args.output is None else open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        if args.format == "csv":
            write_csv(log, out, known_at=args.known_at, progress=progress.update)
        elif args.format == "jsonl":
            write_jsonl(log, out, known_at=args.known_at, progress=progress.update)
        else:
            json.dump(timelinejs(log, known_at=args.known_at, progress=progress.update), out, ensure_ascii=False,
                      indent=1)
            out.write("\n")
    finally:
        progress.close()
        if out is not sys.stdout:
            out.close()
    if args.output is not None:
        print(f"{args.output}: wrote {progress.total} events as {args.format}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
