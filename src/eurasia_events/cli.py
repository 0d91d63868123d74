"""The ``eurasia-events`` command line.

Data goes to stdout, messages to stderr. Exit 0 on success, 1 for invalid data or an
integrity failure, 2 for a usage error. Library errors print as one line, no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .__about__ import __version__
from .dates import Precision, to_day, to_instant
from .errors import (
    EurasiaEventsError,
    IntegrityError,
    InvalidEventError,
    LogFormatError,
    UnknownEntityError,
    UnknownEventError,
)
from .events import EVENT_TYPES
from .export import EXPORT_FORMATS, timelinejs, write_csv, write_html, write_jsonl
from .log import Log, bundled_path, load, open_store, parse_head, read_event_lines
from .postgres_store import PostgresStore, is_postgres_url
from .query import MEASURES, VIEW_NAMES
from .schema import VIEW_ROWS, schema, schema_names
from .sources import QuoteChecker, normalise_quote
from .sqlite_store import SQLiteStore
from .tables import FORMATS, dumps, human, render
from .views import View

__all__ = ["main"]

EXAMPLES = {
    "validate": "eurasia-events validate --sources ../shared/seeds --expect-head 192:<64 hex digits>",
    "timeline": "eurasia-events timeline --from 2014-01-01 --to 2015-12-31 --party Gazprom",
    "as-of": "eurasia-events as-of 2020-01-01 volumes --commodity pipeline_gas",
    "diff": "eurasia-events diff 2014-01-01 2016-01-01",
    "series": "eurasia-events series gas 2010-01-01 2030-01-01 --every year",
    "between": "eurasia-events between 2015-05 2015-06 --format markdown",
    "since": "eurasia-events since 2026-01-01 --known-at 2026-12-01T00:00:00Z",
    "history": "eurasia-events history treaty-good-neighbourliness-2001",
    "interactions": "eurasia-events --log events --log imported interactions --from 2014 --by month,direction",
    "show": "eurasia-events show 2014-05-21-pos-gas-contract",
    "entities": "eurasia-events entities novartis",
    "append": "eurasia-events --log my-log append --create --sources ../shared/seeds new-events.jsonl",
    "import": "eurasia-events import --format gdelt 20220204.export.CSV --into imported --between CN RU",
    "coverage": "eurasia-events coverage --sources ../shared/seeds",
    "repair": "eurasia-events repair events/",
    "convert": "eurasia-events convert events/log.jsonl big-log.sqlite",
    "export": "eurasia-events export --format csv --output events.csv",
    "init": "eurasia-events init postgresql://me@127.0.0.1:5432/events",
    "follow": "eurasia-events --log postgresql://me@127.0.0.1:5432/events follow --after 0",
    "schema": "eurasia-events schema as-of.volumes",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def _day(text: str) -> str:
    """An argparse type: a day, a month or a year (the library reads a month or a year by
    ``query_period``), checked while parsing so a bad one is a usage error (exit 2)."""
    try:
        to_day(text)
    except EurasiaEventsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _head(text: str) -> str:
    """An argparse type: a pinned head ``SEQ:HASH`` (of several logs: theirs, joined by commas), checked while
    parsing."""
    try:
        for part in text.split(","):
            parse_head(part)
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


_AS_OF_VIEWS = (*VIEW_NAMES, *(v for v in ("policies", "designations") if v not in VIEW_NAMES))
# The --columns of the command running (set by main): every command that prints rows reads it.
_COLUMNS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("columns", default=None)
# The --output of the command running (set by main): rows go to this file instead of stdout.
_OUTPUT: contextvars.ContextVar[str | None] = contextvars.ContextVar("output", default=None)


class _UsageError(Exception):
    """A mistake in the arguments found only once the data is known (an unknown column): exit 2."""


def _groups(text: str) -> str:
    """An argparse type: ``month,direction``, the groups of the interactions view, checked while parsing."""
    from .interactions import GROUPS

    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in GROUPS]
    if unknown:
        raise argparse.ArgumentTypeError(f"no group {unknown[0]!r}; expected some of {', '.join(GROUPS)}")
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"a group is named twice in {text!r}")
    return ",".join(names)


def _column_list(text: str) -> list[str]:
    """An argparse type: ``a,b,c``, column names in the order wanted."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected column names separated by commas, e.g. id,title")
    return names


def _width() -> int | None:
    """The width a table must fit: ``COLUMNS`` if set, else the terminal's; ``None`` (no limit) when
    stdout is not a terminal, so a table written to a file or a pager keeps every column."""
    if _OUTPUT.get() not in (None, "-"):
        return None
    if os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def _select(available: Sequence[str], what: str) -> list[str]:
    """The columns --columns chose (all when not given); an unknown one is a usage error."""
    chosen = _COLUMNS.get()
    if chosen is None:
        return list(available)
    unknown = [c for c in chosen if c not in available]
    if unknown:
        raise _UsageError(f"argument --columns: no column {unknown[0]!r} in {what}; expected some of "
                          f"{', '.join(available)}")
    return chosen


def _print_rows(columns: Sequence[str], records: Sequence[dict[str, Any]], fmt: str, *, what: str,
                row_type: type | None = None, view: str = "") -> str:
    """Rows rendered for stdout: chosen columns, typed JSON/CSV, a table fitted to the terminal;
    for parquet, written to --output (and no text)."""
    chosen = _select(columns, what)
    if fmt == "parquet":
        from .arrow import records_table

        _write_parquet(records_table(chosen, records, row_type=row_type, metadata={"view": view or what}), what)
        return ""

    def hidden(names: list[str]) -> None:
        print(f"({len(names)} column{'s' * (len(names) > 1)} hidden to fit {_width()} characters: {', '.join(names)}; "
              f"--columns chooses, COLUMNS=400 widens)", file=sys.stderr)

    return render(chosen, records, fmt, row_type=row_type, view=view, width=_width() if fmt == "table" else None,
                  hidden=hidden)


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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--log", action="append", help="log folder, .jsonl or .sqlite file, or postgresql:// URL "
                                                        "(default: the bundled curated log); given several times, "
                                                        "the logs are read as one")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=f"example: {EXAMPLES[name]}")
        p.add_argument("--log", action="append", default=argparse.SUPPRESS,
                       help="log folder, .jsonl or .sqlite file, or postgresql:// URL; given several times, the "
                            "logs are read as one (these replace the --log options before the command)")
        return p

    def formats(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=[*(f for f in FORMATS if f != "html"), "parquet"], default="table",
                       help="table (humanised, fitted to the terminal), json or csv (typed), markdown, or "
                            "parquet (typed columns; needs --output and the arrow extra)")
        p.add_argument("--columns", type=_column_list, metavar="A,B,...",
                       help="only these columns, in this order (default: all, a table hiding what does not fit)")
        p.add_argument("--output", "-o", dest="rows_output", metavar="FILE",
                       help="file to write (default: stdout; parquet needs one)")

    p = command("validate", "verify the log's hash chain, every event, and (with --sources) every quote")
    p.add_argument("--sources", help="folder of source files: check every quote of a source with a 'file'")
    p.add_argument("--expect-head", type=_head, metavar="SEQ:HASH",
                   help="fail unless the log still holds this record (as an earlier validate printed its head)")
    p = command("timeline", "events in date order")
    p.add_argument("--from", dest="start", type=_day, help="first day (YYYY-MM-DD; a month or year: its first day)")
    p.add_argument("--to", dest="end", type=_day, help="last day (YYYY-MM-DD; a month or year: its last day)")
    p.add_argument("--kind", choices=list(EVENT_TYPES), help="event type")
    p.add_argument("--party", help="entity id, name or alias")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    p.add_argument("--interactions", choices=["month", "each", "none"], default="month",
                   help="coded interactions: counted per month and direction (default), each listed, or none")
    formats(p)
    p = command("as-of", "the state at the end of a day")
    p.add_argument("day", type=_day, help="YYYY-MM-DD, or YYYY-MM or YYYY for the end of that month or year")
    p.add_argument("view", nargs="?", default="summary", choices=_AS_OF_VIEWS)
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant (ISO 8601, or a day)")
    p.add_argument("--commodity", default="pipeline_gas", help="for volumes: pipeline_gas, oil, lng, ...")
    p.add_argument("--binding", choices=["yes", "no", "all"], default="yes", help="for volumes")
    p.add_argument("--organisation", default="eaeu", help="for members: entity id, name or alias")
    p.add_argument("--participant", help="for meetings: entity id, name or alias")
    p.add_argument("--imposer", help="for sanctions and policies: entity id, name or alias")
    p.add_argument("--target", help="for sanctions: only measures designating this entity (id, name or alias)")
    p.add_argument("--beneficiary", help="for policies: entity id, name or alias")
    p.add_argument("--measure", help="for designations (required): the sanctions measure's id")
    formats(p)
    p = command("diff", "what changed between two days")
    p.add_argument("before", type=_day, help="YYYY-MM-DD (a month or year: its end)")
    p.add_argument("after", type=_day, help="YYYY-MM-DD (a month or year: its end)")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("series", "a measure on each day of a period")
    p.add_argument("measure", help="gas, oil, lng, gas-all, or a view name (row count)")
    p.add_argument("start", type=_day, help="first day (YYYY-MM-DD; a month or year: its first day)")
    p.add_argument("end", type=_day, help="last day (YYYY-MM-DD; a month or year: its last day)")
    p.add_argument("--every", choices=["year", "month", "day"], default="year")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("between", "events whose dates fall, or may fall, in a range of days (inside: yes or maybe)")
    p.add_argument("start", type=_day, help="first day: YYYY-MM-DD, or a month YYYY-MM or year YYYY (its first day)")
    p.add_argument("end", type=_day, help="last day: YYYY-MM-DD, or a month or year (its last day)")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("since", "events whose dates fall, or may fall, on or after a day (inside: yes or maybe)")
    p.add_argument("day", type=_day, help="YYYY-MM-DD, or a month YYYY-MM or year YYYY (its first day)")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("history", "every event and state change of an entity, agreement, measure or project, "
                           "in valid-time order with recorded times; or an event id's records")
    p.add_argument("name", help="entity id, name or alias; agreement, measure or deal slug; or event id")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("interactions", "counts of coded interactions (imported dataset records) by month, code family, "
                                "quad class and direction, with their mean intensity")
    p.add_argument("--from", dest="start", type=_day, help="first day (YYYY-MM-DD; a month or year: its first day)")
    p.add_argument("--to", dest="end", type=_day, help="last day (YYYY-MM-DD; a month or year: its last day)")
    p.add_argument("--by", type=_groups, default="month,family,direction", metavar="A,B,...",
                   help="group by some of month, family, quad_class, direction, in this order "
                        "(default: month,family,direction; '' counts every interaction in one row)")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    formats(p)
    p = command("show", "one event: fields, sources and quotes, amendments")
    p.add_argument("event_id")
    formats(p)
    p = command("entities", "look up entities by id, name or alias")
    p.add_argument("query", nargs="?")
    formats(p)
    p = command("append", "validate a JSON Lines file of new events and append it atomically")
    p.add_argument("file")
    p.add_argument("--expected-last-seq", type=int, help="fail unless the log still ends at this record")
    p.add_argument("--create", action="store_true", help="start a new, empty log at --log if there is none")
    p.add_argument("--sources", help="folder of source files: refuse, before writing, a quote its file lacks")
    p = command("import", "import ICEWS, GDELT or POLECAT event files into a log of their own: the records between "
                          "two entities, as coded interactions and, where the code means the same, typed events")
    p.add_argument("--format", dest="dataset", required=True, choices=["icews", "gdelt", "polecat"],
                   help="the dataset the files come from")
    p.add_argument("files", nargs="+", metavar="FILE", help="dataset files (.gz and one-file .zip read directly)")
    p.add_argument("--into", required=True, metavar="LOG",
                   help="the imported log: a folder (created if missing), .jsonl or .sqlite file; not the curated log")
    p.add_argument("--between", nargs=2, required=True, metavar=("A", "B"),
                   help="keep the records between these two entities (ids, names or aliases), either way round")
    p.add_argument("--from", dest="start", type=_day, help="first day kept (a month or year: its first day)")
    p.add_argument("--to", dest="end", type=_day, help="last day kept (a month or year: its last day)")
    p.add_argument("--version", dest="dataset_version", metavar="TEXT",
                   help="the dataset's release (e.g. 'Dataverse V37'), recorded in its source")
    p.add_argument("--skip-bad", action="store_true",
                   help="import the good rows of files with bad rows, listing the bad ones (default: import nothing)")
    p.add_argument("--report", choices=["text", "json"], default="text",
                   help="text: a summary on stderr; json: the report on stdout")
    p = command("export", "every event as currently known: CSV, JSON Lines (the form append reads), TimelineJS, "
                          "an interactive timeline in one offline HTML page, or Parquet (typed columns)")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    p.add_argument("--output", "-o", help="file to write (default: stdout; parquet needs one)")
    p.add_argument("--known-at", type=_instant, help="as the log stood at this instant")
    p = command("coverage", "events per year and type, and how many are dated to the day; with --sources, "
                            "per source document: events citing it, and dated sentences no event cites")
    p.add_argument("--sources", help="folder of source files: report per source document instead")
    p.add_argument("--source", help="with --sources: only this source id")
    formats(p)
    p = command("schema", "JSON Schemas: of a log record, of each event type, of each command's --format json output")
    p.add_argument("name", nargs="?", help="a schema's name (default: list the names)")
    p = command("repair", "remove an incomplete last record left by a crash (never a complete one)")
    p.add_argument("path", nargs="?", help="log folder, .jsonl or .sqlite file")
    p = command("convert", "copy a log to another store (.jsonl or .sqlite), verifying the hash chain on both sides")
    p.add_argument("src", help="log folder, .jsonl or .sqlite file to read")
    p.add_argument("dest", help=".jsonl or .sqlite file to create, or postgresql:// URL of a log made by init "
                                "(must not hold records yet)")
    p = command("init", "create an empty log: a PostgreSQL log's tables (a read never creates them), or a file")
    p.add_argument("target", nargs="?", help="postgresql:// URL, log folder, .jsonl or .sqlite file (default: --log)")
    p = command("follow", "print records as they are appended, by this or any other process, until interrupted")
    p.add_argument("--after", type=int, metavar="SEQ", help="start after this record (default: only new records)")
    p.add_argument("--format", choices=["text", "jsonl"], default="text",
                   help="text: seq, recorded, type, id, title per line; jsonl: each record as stored")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between looks at a file or SQLite log")
    p.add_argument("--timeout", type=float, help="stop after this many seconds without a new record")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = None
    try:
        args = _parser().parse_args(argv)
        return _run(args)
    except KeyboardInterrupt:  # Ctrl-C, even while the parser is made: one line, no traceback
        print(_interrupted(args), file=sys.stderr)
        return 130


def _interrupted(args: argparse.Namespace | None) -> str:
    """What a command interrupted outside its own handling says: before the arguments were read,
    nothing was done; after, only that it was interrupted (``import`` says more itself)."""
    return "interrupted: nothing was done" if args is None else f"eurasia-events {args.command}: interrupted"


def _run(args: argparse.Namespace) -> int:
    handler = globals()["_cmd_" + args.command.replace("-", "_")]
    _COLUMNS.set(getattr(args, "columns", None))
    _OUTPUT.set(getattr(args, "rows_output", None))
    try:
        _check_output(args)
        if args.command in _ONE_LOG:
            _one_log(args)  # before anything is read: several --log are for the commands that only read
        with _stdout_to(_OUTPUT.get(), getattr(args, "format", None)):
            return int(handler(args))
    except BrokenPipeError:
        return 0
    except _UsageError as error:
        print(f"eurasia-events {args.command}: error: {error}", file=sys.stderr)
        return 2
    except EurasiaEventsError as error:
        print(f"eurasia-events: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # an unwritable --output, a full disk: the user's to fix, no traceback
        print(f"eurasia-events: error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1


# Commands that write a log, or print one chain's records: each takes one --log.
_ONE_LOG = frozenset({"append", "repair", "convert", "init", "follow"})


def _log(args: argparse.Namespace, *, create: bool = False) -> Log:
    """The log --log names (the bundled one by default); several --log read as one, for commands that only read."""
    paths: list[str | None] = [_one_log(args)] if args.command in _ONE_LOG or create else list(args.log or [None])
    progress = _Progress(f"reading and verifying {' + '.join(args.log) if args.log else 'the bundled log'}")
    try:
        return load(*paths, create=create)  # a --log that names no log is an error, not an empty log
    finally:
        progress.close()


def _one_log(args: argparse.Namespace) -> str | None:
    """The one --log of a command that writes a log (or follows one chain); several are a usage error."""
    given = getattr(args, "log", None) or []
    if len(given) > 1:
        raise _UsageError(f"argument --log: {args.command} works on one log, and {len(given)} are given "
                          f"({', '.join(given)}); several --log are read as one only by the commands that read")
    return given[0] if given else None


def _print_view(view: View[Any], fmt: str) -> int:
    if fmt == "parquet":  # typed as View.to_arrow() types it, totals and title in the file's metadata
        from .arrow import view_table

        what = f"the {view.name} view"
        _write_parquet(view_table(view, _select(view.columns, what)), what)
        return 0
    records = [{c: getattr(r, c) for c in view.columns} for r in view.rows]
    row_type = VIEW_ROWS.get(view.name) or (type(view.rows[0]) if view.rows else None)
    text = _print_rows(view.columns, records, fmt, what=f"the {view.name} view", row_type=row_type, view=view.name)
    if fmt == "table" and view.title:
        text = f"{view.title}\n{text}"
    if fmt in ("table", "markdown") and view.totals:
        text += "\n\n" + "\n".join(f"total {k}: {human(v)}" for k, v in view.totals.items())
    _emit(text)
    return 0


def _emit(text: str) -> None:
    """Print output on stdout, ending in exactly one newline (CSV text already ends in one);
    nothing for no text (the rows went to a Parquet file)."""
    if text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _check_output(args: argparse.Namespace) -> None:
    """Refuse, before any work, a Parquet file asked for on stdout."""
    output = getattr(args, "rows_output", getattr(args, "output", None))
    if getattr(args, "format", None) == "parquet" and output in (None, "-"):
        raise _UsageError("--format parquet writes a binary file, not text for a terminal or a pipe: "
                          "give --output FILE (e.g. -o answer.parquet)")


@contextlib.contextmanager
def _stdout_to(output: str | None, fmt: str | None) -> Iterator[None]:
    """Rows printed in a text format go to ``--output`` when given (a Parquet file is written apart)."""
    if output in (None, "-") or fmt == "parquet":
        yield
        return
    with open(output, "w", encoding="utf-8", newline="") as out, contextlib.redirect_stdout(out):
        yield


def _write_parquet(table: Any, what: str) -> None:
    """Write an Arrow table to --output as Parquet, and say so on stderr."""
    from .arrow import write_parquet  # pyarrow is imported only here

    output = _OUTPUT.get()
    assert output is not None  # _check_output refused parquet without --output
    write_parquet(table, output)
    print(f"{output}: wrote {table.num_rows} row{'s' * (table.num_rows != 1)} of {what} as parquet", file=sys.stderr)


def _cmd_validate(args: argparse.Namespace) -> int:
    log = _log(args)
    if args.expect_head is not None:
        log.check_head(args.expect_head)  # first: a rewritten chain verifies, so nothing else would notice
    log.verify()  # every record and every event built in full, with every check
    events = log.sketches()
    print(f"{log.location}: {len(log)} records verified, {len(events)} events, "
          f"{len(log.entities)} entities, {len(log.sources)} sources", file=sys.stderr)
    # The head pins the whole chain: noted down, it lets a later --expect-head catch a rewrite or a cut.
    print(f"head {log.head}" + (" (holds the expected head)" if args.expect_head else ""), file=sys.stderr)
    if args.sources is None:
        return 0
    missing = check_quotes(log, Path(args.sources))
    for line in missing:
        print(line)
    print(f"{len(missing)} unverified quotes", file=sys.stderr)
    return 1 if missing else 0


def check_quotes(log: Log, folder: Path) -> list[str]:
    """Every quote attributed to a source with a ``file`` in ``folder`` that the file does not contain."""
    checker = QuoteChecker(log.sources, folder)
    problems = []
    progress = _Progress("checking quotes", len(log))
    for done, record in enumerate(log, start=1):
        progress.update(done)
        event = record.event
        for citation in event.sources:
            problem = checker.problem(citation.source, citation.quote)
            if problem is not None:
                problems.append(f"{event.id}\t{citation.source}\t{problem}")
    progress.close()
    return problems


def _cmd_timeline(args: argparse.Namespace) -> int:
    view = _log(args).timeline(start=args.start, end=args.end, kind=args.kind, party=args.party,
                               known_at=args.known_at, interactions=args.interactions)
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
    elif args.view == "sanctions":
        options = {"imposer": args.imposer, "target": args.target}
    elif args.view == "policies":
        options = {"imposer": args.imposer, "beneficiary": args.beneficiary}
    elif args.view == "designations":
        if not args.measure:
            raise _UsageError("the designations view needs --measure MEASURE (a sanctions measure's id, as the "
                              "sanctions view lists them)")
        return _print_view(state.designations(args.measure), args.format)
    return _print_view(state.view(args.view, **options), args.format)


def _cmd_diff(args: argparse.Namespace) -> int:
    return _print_view(_log(args).diff(args.before, args.after, known_at=args.known_at), args.format)


def _cmd_series(args: argparse.Namespace) -> int:
    log = _log(args)
    measure: Any = args.measure
    steps = _steps(args.start, args.end, args.every)
    progress = _Progress(f"computing {args.measure} on {steps} days", steps)
    if measure in MEASURES or measure in VIEW_NAMES:
        measure = _Counted(measure, progress)
    try:
        view = log.series(measure, args.start, args.end, every=args.every, known_at=args.known_at)
    finally:
        progress.close()
    return _print_view(view, args.format)


class _Counted:
    """A named series measure that counts the days computed, so a long series shows progress."""

    def __init__(self, name: str, progress: _Progress) -> None:
        self.__name__, self.progress, self.done = name, progress, 0  # the series' title uses __name__

    def __call__(self, state: Any) -> Any:
        self.done += 1
        self.progress.update(self.done, force=self.done == self.progress.total)  # the last step always shows
        if self.__name__ in MEASURES:
            return MEASURES[self.__name__](state)
        return state.view(self.__name__).count  # a view name: its row count, as series computes it


def _steps(start: str, end: str, every: str) -> int:
    """How many days a series computes (for the progress count)."""
    first, last = to_day(start), to_day(end)
    if last < first:
        return 0
    months = (last.year - first.year) * 12 + last.month - first.month
    return {"year": months // 12, "month": months, "day": (last - first).days}[every] + 1


def _cmd_between(args: argparse.Namespace) -> int:
    return _print_view(_log(args).between(args.start, args.end, known_at=args.known_at), args.format)


def _cmd_since(args: argparse.Namespace) -> int:
    return _print_view(_log(args).since(args.day, known_at=args.known_at), args.format)


def _cmd_history(args: argparse.Namespace) -> int:
    return _print_view(_log(args).history(args.name, known_at=args.known_at), args.format)


def _cmd_interactions(args: argparse.Namespace) -> int:
    view = _log(args).interactions(args.start, args.end, by=args.by, known_at=args.known_at)
    return _print_view(view, args.format)


def _cmd_show(args: argparse.Namespace) -> int:
    from .codec import encode_event

    log = _log(args)
    try:
        rows = log.history(args.event_id)
    except UnknownEventError:
        raise UnknownEventError(f"no event {args.event_id!r} in the log") from None
    if not rows or rows[0].id != args.event_id:  # a name other than an event id: that is 'history'
        raise UnknownEventError(f"no event {args.event_id!r} in the log; 'eurasia-events history "
                                f"{args.event_id}' lists the events touching it")
    records = [row.record for row in rows if row.record is not None]
    try:
        current: Any = log.get(args.event_id)
    except EurasiaEventsError as error:
        current = error
    if args.format != "table":
        cited = [(c, log.sources.get(c.source)) for r in records for c in r.event.sources]
        sources = [{"source": c.source, "title": s and s.title, "publisher": s and s.publisher,
                    "published": s and (str(s.published) if s.published else None),
                    "address": s and (s.address or s.file), "quote": c.quote, "record": c.record,
                    "locator": c.locator} for c, s in cited]
        data = {"id": args.event_id,
                "current": None if isinstance(current, Exception) else {"type": current.TYPE,
                                                                        **encode_event(current)},
                "history": [{"seq": r.seq, "recorded": str(r.recorded), "type": r.event.TYPE,
                             "data": encode_event(r.event)} for r in records],
                "sources": sources}
        if args.format == "json":
            print(dumps(data))
            return 0
        # csv and markdown: the fields of the event as currently known (or of its last record), one per row
        fields = data["current"] or (data["history"][-1]["data"] if data["history"] else {})
        rows_out = [{"field": k, "value": v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}
                    for k, v in fields.items()]
        _emit(_print_rows(["field", "value"], rows_out, args.format, what="show"))
        return 0
    for record in records:
        print(f"record {record.seq}, recorded {record.recorded}, {record.event.TYPE}")
        print(json.dumps(encode_event(record.event), ensure_ascii=False, indent=1))
        for citation in record.event.sources:
            source = log.sources[citation.source]
            print(f"  source {source.id}: {source.title} ({source.publisher}, {source.published or 'n.d.'}) "
                  f"{source.address or source.file}")
            print(f"    \u201c{citation.quote}\u201d" if citation.quote else f"    record {citation.record}")
            if citation.locator:
                print(f"    at {citation.locator}")
    if isinstance(current, Exception):
        print(str(current))
    else:
        print(f"as currently known: {current.title} ({current.date})")
    return 0


def _cmd_entities(args: argparse.Namespace) -> int:
    log = _log(args)
    found = list(log.entities.values()) if not args.query else log.entities.search(args.query)
    if not found:
        raise UnknownEntityError(f"no entity matches {args.query!r}")
    records = [{"id": e.id, "name": e.name, "kind": e.kind.value, "aliases": list(e.aliases)} for e in found]
    _emit(_print_rows(["id", "name", "kind", "aliases"], records, args.format, what="entities"))
    return 0


def _cmd_append(args: argparse.Namespace) -> int:
    found = read_event_lines(args.file)  # first: a bad input file must not create a log
    log = _log(args, create=args.create)
    progress = _Progress(f"validating and appending {args.file}")
    try:
        events = [event for event, _ in found]
        log.validate_new(events, [location for _, location in found])
        if args.sources is not None:
            # Before writing: a record is permanent, and a made-up quote in it would fail
            # 'validate --sources' for ever after.
            checker = QuoteChecker(log.sources, Path(args.sources))
            for event, (file, line) in found:
                for citation in event.sources:
                    problem = checker.problem(citation.source, citation.quote)
                    if problem is not None:
                        raise InvalidEventError(f"source {citation.source!r}: {problem}; nothing was appended",
                                                event_id=event.id, field="sources", file=file, line=line)
        records = log.append(events, expected_last_seq=args.expected_last_seq)
    finally:
        progress.close()
    print(f"appended {len(records)} records to {log.store.location} "
          f"(now {len(log)} records)", file=sys.stderr)
    return 0


_YEAR = re.compile(r"\b(19[5-9][0-9]|20[0-4][0-9])\b")


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
            if citation.quote:  # a dataset's record has none
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


def coverage_by_year(log: Log) -> list[dict[str, Any]]:
    """Per year and event type: how many events the log holds, and how many are dated to
    the day, so gaps show. An event counts in the year its date starts; one with an
    unknown or open start (``../2013``) in the year it ends."""
    counts: dict[tuple[int, str], list[int]] = {}
    for sketch in log.sketches():
        date = sketch.date
        point = date.start or date.end  # the year as written, not widened by a qualifier
        assert point is not None
        year = point.year
        tally = counts.setdefault((year, sketch.TYPE), [0, 0])
        tally[0] += 1
        tally[1] += date.precision is Precision.DAY
    return [{"year": year, "type": type_, "events": n, "day_precision": days}
            for (year, type_), (n, days) in sorted(counts.items())]


def _cmd_import(args: argparse.Namespace) -> int:
    progress = None
    try:
        progress = _Progress(f"importing {len(args.files)} {args.dataset} file(s) into {args.into}")
        from .dates import query_period
        from .interchange.importer import import_files  # the readers are needed by this command only

        start = None if args.start is None else query_period(args.start)[0]
        end = None if args.end is None else query_period(args.end)[1]
        report = import_files(args.files, args.dataset, into=args.into, dyad=tuple(args.between), start=start,
                              end=end, version=args.dataset_version, skip_bad=args.skip_bad)
    except KeyboardInterrupt:  # the import appends in one batch (see import_files): interrupted, it wrote nothing
        if progress is not None:
            progress.close()
        print(f"interrupted: nothing was imported; {args.into} is as it was", file=sys.stderr)
        return 130
    progress.close()
    try:
        if args.report == "json":
            print(dumps(report.to_json()))
        else:
            print(report.summary(), file=sys.stderr)
    except KeyboardInterrupt:  # the import is done: say what it did
        print(f"interrupted after the import: {report.summary()}", file=sys.stderr)
        return 130
    if not report.version:
        print("note: the dataset's version was not given: pass --version to record which release this is",
              file=sys.stderr)
    return 0


def _cmd_coverage(args: argparse.Namespace) -> int:
    if args.sources is None:
        rows = coverage_by_year(_log(args))
        if args.format == "table":  # a total line under the table, as the views have
            rows.append({"year": "all", "type": "", "events": sum(r["events"] for r in rows),
                         "day_precision": sum(r["day_precision"] for r in rows)})
        _emit(_print_rows(["year", "type", "events", "day_precision"], rows, args.format, what="coverage"))
        return 0
    report = [item for item in coverage(_log(args), Path(args.sources))
              if not args.source or item["source"] == args.source]
    if args.format != "table":
        _emit(_print_rows(["source", "file", "events", "uncited"], report, args.format, what="coverage"))
        return 0
    for item in report:
        print(f"{item['source']} ({item['file']}): {item['events']} events, "
              f"{len(item['uncited'])} dated sentences not cited")
        for sentence in item["uncited"]:
            print(f"  - {sentence}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    if args.name is None:
        print("\n".join(schema_names()))
        return 0
    print(dumps(schema(args.name)))
    return 0


def _cmd_repair(args: argparse.Namespace) -> int:
    # Imports kept here: repair is the only command that needs them.
    from .codec import GENESIS, decode_record, verify_line
    from .errors import TornTailError

    given = args.path or _one_log(args)
    if is_postgres_url(given):
        # A transaction commits whole, so a crash cannot leave half a record.
        verified = load(given)
        print(f"{verified.store.location}: nothing to repair (PostgreSQL commits whole transactions); "
              f"{len(verified)} records verified", file=sys.stderr)
        return 0
    target = Path(given or bundled_path())
    store = open_store(target)
    if isinstance(store, PostgresStore):  # not reached: a URL is handled above
        raise LogFormatError(f"{store.location}: not a log file")
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
    # Under the writers' lock, nothing is changed until every earlier record is verified:
    # load() reads the committed log (up to an unfinished batch's journal), and raises
    # TornTailError only after every record before an incomplete last line has passed.
    with store.exclusive():
        batch = store.pending()
        try:
            log = load(target)
        except TornTailError:
            if batch is not None:
                raise LogFormatError(f"{store.location}: the log is torn before the unfinished batch its journal "
                                     f"{store.journal} marks; nothing changed; inspect it by hand") from None
            log = None
        if batch is not None:
            copy = store.roll_back()
            removed = "nothing (it wrote no bytes)" if copy is None else f"{copy.stat().st_size} bytes"
            print(f"{store.location}: rolled back a batch a writer left unfinished after record {len(log or ())} "
                  f"(byte {batch}): removed {removed}" + ("" if copy is None else f"; kept a copy in {copy}"),
                  file=sys.stderr)
        elif log is not None:
            print(f"{store.location}: nothing to repair", file=sys.stderr)
        else:
            start, tail = store.tail()
            data = store.path.read_bytes()[:start]
            before = data.count(b"\n")  # records before the tail, all verified by load()
            last = data[:-1].rsplit(b"\n", 1)[-1].removeprefix(b"\xef\xbb\xbf").removesuffix(b"\r")
            prev = (verify_line(last) or "?") if before else GENESIS
            seq = before + 1
            where = f"{store.location}:{seq}"
            if verify_line(tail.removesuffix(b"\r")) is not None:
                # Complete and matching its hash: only the newline is missing. Complete it,
                # if it is the record that follows; never delete a complete record.
                record, record_prev = decode_record(tail.removesuffix(b"\r"), file=store.location, line=seq)
                if record.seq != seq or record_prev != prev:
                    raise IntegrityError(f"{where}: the last record is complete but is not record {seq} linked to "
                                         f"record {before} (it says seq {record.seq}); nothing changed")
                store.complete_tail()
                try:
                    load(target)
                except EurasiaEventsError:
                    store.uncomplete_tail()  # the check failed: leave the bytes exactly as found
                    raise
                print(f"{store.location}: the last record was complete but lacked its newline; added it",
                      file=sys.stderr)
                return 0
            if _whole_json(tail):
                raise IntegrityError(f"{where}: the last record is complete (no final newline) but does not match "
                                     "its hash: it was edited, not cut short by a crash; nothing changed")
            if not _record_prefix(tail, seq, prev):
                raise LogFormatError(f"{where}: the last line is incomplete but is not the start of record {seq} "
                                     f"({tail[:60]!r}); not what a crash leaves; nothing changed")
            copy = store.cut_tail(start)
            print(f"{store.location}: removed an incomplete last record of {len(tail)} bytes: {tail[:60]!r}...; "
                  f"kept a copy in {copy}", file=sys.stderr)
    load(target)  # prove the result verifies
    return 0


def _whole_json(raw: bytes) -> bool:
    """Whether ``raw`` is a whole JSON object (a record cut short never is: it closes only at its end)."""
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, RecursionError):
        return False


def _record_prefix(tail: bytes, seq: int, prev: str) -> bool:
    """Whether ``tail`` could be the start of record ``seq`` linked to ``prev``, as a crash mid-write leaves it."""
    head = f'{{"seq":{seq},"recorded":"'.encode()
    if not (tail.startswith(head) or head.startswith(tail)):
        return False
    at = tail.find(b'"prev":"')
    if at < 0:
        return True
    link = tail[at + 8 : at + 8 + 64]
    return prev.encode().startswith(link)


def _cmd_convert(args: argparse.Namespace) -> int:
    source = load(args.src)  # verifies every record of the source
    dest = open_store(args.dest)
    if isinstance(dest, PostgresStore) or isinstance(source.store, PostgresStore):
        same = dest.location == source.store.location
    else:
        same = Path(dest.location).resolve() == Path(source.store.location).resolve()
    if same:
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


def _cmd_init(args: argparse.Namespace) -> int:
    target = args.target or _one_log(args)
    if target is None:
        raise LogFormatError("init: name the log to create: a postgresql:// URL, a folder, a .jsonl or .sqlite file")
    if is_postgres_url(target):
        store = PostgresStore(target)
        created = store.init()
        held = len(store.read_lines())
        store.close()
        print(f"{store.location}: " + (f"created an empty log in schema {store.schema}" if created else
              f"already holds a log ({held} records); nothing changed"), file=sys.stderr)
        return 0
    log = load(target, create=True)
    print(f"{log.store.location}: a log of {len(log)} records", file=sys.stderr)
    return 0


def _cmd_follow(args: argparse.Namespace) -> int:
    log = _log(args)
    if args.after is not None and args.after < 0:
        raise LogFormatError(f"--after {args.after}: expected a record number, 0 or more")
    try:
        for record in log.follow(after_seq=args.after, poll=args.poll, timeout=args.timeout):
            if args.format == "jsonl":
                line = log.store.line(record.seq - 1).decode("utf-8")
            else:
                title = getattr(record.event, "title", "") or ""
                line = f"{record.seq}\t{record.recorded}\t{record.event.TYPE}\t{record.event.id}\t{title}"
            print(line, flush=True)
    except KeyboardInterrupt:  # the usual way to stop following
        pass
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    log = _log(args)
    progress = _Progress(f"exporting {args.format}", len(log.events(args.known_at)))
    if args.format == "parquet":  # a binary file, never stdout (_check_output refused that)
        from .arrow import log_table, write_parquet  # pyarrow is imported only here

        try:
            table = log_table(log, known_at=args.known_at, progress=progress.update)
        finally:
            progress.close()
        write_parquet(table, args.output)
        print(f"{args.output}: wrote {table.num_rows} events as parquet", file=sys.stderr)
        return 0
    out = sys.stdout if args.output is None else open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115
    try:
        if args.format == "csv":
            write_csv(log, out, known_at=args.known_at, progress=progress.update)
        elif args.format == "jsonl":
            write_jsonl(log, out, known_at=args.known_at, progress=progress.update)
        elif args.format == "html":
            write_html(log, out, known_at=args.known_at, progress=progress.update)
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
