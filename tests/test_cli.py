"""The command line through its real entry point: every sub-command, output formats, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import eurasia_events as ee
from eurasia_events.cli import EXAMPLES, _parser

BUNDLED = ee.bundled_path()
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


# Without COLUMNS, a table written to a pipe keeps every column (the tests set it where they mean to).
QUIET_ENV = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


def run(*args: str, stdin: str | None = None, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m eurasia_events.cli ARGS`` (the same ``main`` as the installed script)."""
    env = QUIET_ENV if columns is None else {**QUIET_ENV, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "eurasia_events.cli", *args], capture_output=True, text=True,
                          input=stdin, timeout=120, env=env)


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "error:" in lines[0]
    return lines[0]


@pytest.fixture
def log_copy(tmp_path: Path) -> Path:
    """A copy of the bundled log folder, for commands that write."""
    folder = tmp_path / "log"
    shutil.copytree(BUNDLED, folder)
    return folder


def test_installed_script_runs() -> None:
    """The `eurasia-events` console script answers an as-of question."""
    script = shutil.which("eurasia-events")
    if script is None:
        pytest.skip("the eurasia-events script is not on PATH (package not installed)")
    result = subprocess.run([script, "as-of", "2020-01-01"], capture_output=True, text=True, timeout=120,
                            env=QUIET_ENV)
    assert result.returncode == 0
    assert "power-of-siberia" in result.stdout


def test_every_sub_command_has_an_example_in_its_help() -> None:
    """Every sub-command's --help ends with a runnable example."""
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) == set(EXAMPLES)
    for name in ("as-of", "export"):
        result = run(name, "--help")
        assert result.returncode == 0
        assert f"example: {EXAMPLES[name]}" in result.stdout


def test_validate() -> None:
    """validate verifies the chain and reports counts on stderr, exit 0."""
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert "records verified" in result.stderr
    assert result.stdout == ""


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not beside the repository")
def test_validate_quotes_against_the_seeds() -> None:
    """validate --sources checks every quote against its seed file."""
    result = run("validate", "--sources", str(SEEDS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unverified quotes" in result.stderr


def test_validate_reports_a_tampered_log(log_copy: Path) -> None:
    """A changed byte in a record is an integrity failure: exit 1, one line."""
    path = log_copy / "log.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"summit"', b'"talks"', 1))
    one_line_error(run("--log", str(log_copy), "validate"), 1)


def test_timeline_filters_and_formats() -> None:
    """timeline filters by period, kind and party (an alias), and prints CSV and JSON."""
    result = run("timeline", "--from", "2014-01-01", "--to", "2014-12-31", "--party", "Gazprom", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    assert all(r["date"] and r["precision"] for r in rows)
    assert any(r["id"] == "2014-05-21-pos-gas-contract" for r in rows)
    rows = json.loads(run("timeline", "--kind", "forum", "--format", "json").stdout)
    assert {r["type"] for r in rows} == {"forum"}


def test_as_of_views_and_formats() -> None:
    """as-of prints each view in each format; entity options accept names."""
    assert "contracted pipeline gas" in run("as-of", "2020-01-01").stdout
    members = json.loads(run("as-of", "2016-01-01", "members", "--organisation", "Eurasian Economic Union",
                             "--format", "json").stdout)
    assert sorted(m["member"] for m in members) == ["AM", "BY", "KG", "KZ", "RU"]
    markdown = run("as-of", "2020-01-01", "volumes", "--format", "markdown").stdout
    assert markdown.startswith("| agreement")
    meetings = json.loads(run("as-of", "2020-01-01", "meetings", "--participant", "Xi Jinping",
                              "--format", "json").stdout)
    assert meetings
    assert all("xi" in " ".join(m["parties"]).lower() for m in meetings)


def test_diff_and_series() -> None:
    """diff lists what entered between two days; series gives a value per year."""
    rows = json.loads(run("diff", "2014-01-01", "2016-01-01", "--format", "json").stdout)
    assert any(r["view"] == "members" and r["key"] == "AM" and r["change"] == "entered" for r in rows)
    series = json.loads(run("series", "gas", "2018-01-01", "2021-01-01", "--format", "json").stdout)
    assert [r["day"] for r in series] == ["2018-01-01", "2019-01-01", "2020-01-01", "2021-01-01"]
    assert series[-1]["value"] == {"value": 38, "unit": "bcm/yr"}


def test_show_and_entities() -> None:
    """show prints an event with its sources; entities finds by alias."""
    result = run("show", "2014-05-21-pos-gas-contract")
    assert result.returncode == 0
    assert "source" in result.stdout
    found = json.loads(run("entities", "novartis", "--format", "json").stdout)
    assert [e["id"] for e in found] == ["novatek"]


def test_export_csv_has_the_researcher_columns() -> None:
    """export --format csv: one row per event with dates, bounds, precision, sources and recorded instant."""
    result = run("export", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(ee.load().events())
    row = next(r for r in rows if r["id"] == "2014-05-21-pos-gas-contract")
    assert (row["date"], row["earliest"], row["latest"], row["precision"]) == (
        "2014-05-21", "2014-05-21", "2014-05-21", "day")
    assert "annual_volume=38 bcm/yr" in row["quantities"]
    assert row["sources"]
    assert row["source_addresses"]
    assert row["recorded"].endswith("Z")


def test_export_jsonl_round_trips_through_append(tmp_path: Path) -> None:
    """export --format jsonl writes what append reads: appending it to an empty log gives the same events."""
    exported = run("export", "--format", "jsonl", "--output", str(tmp_path / "all.jsonl"))
    assert exported.returncode == 0, exported.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "log.jsonl").write_bytes(b"")
    result = run("--log", str(empty), "append", str(tmp_path / "all.jsonl"))
    assert result.returncode == 0, result.stderr
    assert sorted(ee.load(empty).events(), key=lambda e: e.id) == sorted(ee.load().events(), key=lambda e: e.id)


def test_export_timelinejs_shape() -> None:
    """export --format timelinejs: {title, events, eras}; partial dates keep only the known parts."""
    data = json.loads(run("export", "--format", "timelinejs").stdout)
    assert set(data) == {"title", "events", "eras"}
    slides = {s["unique_id"]: s for s in data["events"]}
    assert slides["2014-05-21-pos-gas-contract"]["start_date"] == {"year": 2014, "month": 5, "day": 21}
    month = next(s for s in data["events"] if s["start_date"].get("month") and "day" not in s["start_date"])
    assert set(month["start_date"]) == {"year", "month"}
    assert all(s["text"]["headline"] and s["group"] and s["display_date"] for s in data["events"])
    assert all(set(e) >= {"start_date", "end_date", "text"} for e in data["eras"])


def test_append_valid_file(log_copy: Path, tmp_path: Path) -> None:
    """append adds a valid file's events and reports on stderr."""
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"type": "meeting", "id": "test-2031-summit", "date": "2031-05", "kind": "summit",
                               "title": "A summit", "parties": ["CN", "RU"],
                               "sources": [{"source": "seed-004", "quote": "words"}]}) + "\n")
    before = len(ee.load(log_copy))
    result = run("--log", str(log_copy), "append", str(new))
    assert result.returncode == 0, result.stderr
    assert len(ee.load(log_copy)) == before + 1


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json\n", "not valid JSON"),
    ('{"type": "meeting", "id": "x-1", "date": "2031-13", "kind": "summit", "title": "t", '
     '"sources": [{"source": "seed-004", "quote": "q"}]}\n', "date"),
    ('{"type": "meeting", "id": "x-2", "date": "2031", "kind": "summit", "title": "t", "parties": ["atlantis"], '
     '"sources": [{"source": "seed-004", "quote": "q"}]}\n', "unknown entity"),
    ('{"type": "meeting", "id": "2014-05-21-pos-gas-contract", "date": "2031", "kind": "summit", "title": "t", '
     '"sources": [{"source": "seed-004", "quote": "q"}]}\n', "duplicate"),
])
def test_append_refuses_bad_files_and_leaves_the_log_unchanged(log_copy: Path, tmp_path: Path, content: str,
                                                               expected: str) -> None:
    """A malformed or invalid file appends nothing: exit 1, one line naming the problem, log bytes unchanged."""
    good = json.dumps({"type": "meeting", "id": "fine-2031", "date": "2031", "kind": "summit", "title": "t",
                       "sources": [{"source": "seed-004", "quote": "q"}]})
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good + "\n" + content)
    before = (log_copy / "log.jsonl").read_bytes()
    line = one_line_error(run("--log", str(log_copy), "append", str(bad)), 1)
    assert expected in line
    assert "bad.jsonl:2" in line
    assert (log_copy / "log.jsonl").read_bytes() == before


def test_coverage_repair_and_convert(log_copy: Path, tmp_path: Path) -> None:
    """repair on a sound log changes nothing; convert copies to SQLite; coverage runs over the seeds."""
    before = (log_copy / "log.jsonl").read_bytes()
    assert run("repair", str(log_copy)).returncode == 0
    assert (log_copy / "log.jsonl").read_bytes() == before
    result = run("convert", str(log_copy), str(tmp_path / "copy.sqlite"))
    assert result.returncode == 0, result.stderr
    assert len(ee.load(tmp_path / "copy.sqlite")) == len(ee.load(log_copy))
    if SEEDS.is_dir():
        coverage = run("coverage", "--sources", str(SEEDS))
        assert coverage.returncode == 0
        assert "dated sentences not cited" in coverage.stdout


@pytest.mark.parametrize(("args", "code", "words"), [
    (["timeline", "--party", "atlantis"], 1, "unknown entity 'atlantis'"),
    (["as-of", "2020-01-01", "meetings", "--participant", "nobody-at-all"], 1, "unknown entity"),
    (["as-of", "2020-01-01", "members", "--organisation", "atlantis"], 1, "unknown entity"),
    (["as-of", "2020-13-01"], 2, "invalid date"),
    (["as-of", "2020-05~"], 2, "a month 'YYYY-MM'"),
    (["diff", "2014-01-01", "yesterday"], 2, "invalid day"),
    (["series", "gas", "2010-01-01", "2030-02-30"], 2, "argument end"),
    (["timeline", "--from", "2014-1-1"], 2, "argument --from"),
    (["as-of", "2020-01-01", "--known-at", "noon"], 2, "argument --known-at"),
    (["as-of", "2020-01-01", "nosuchview"], 2, "invalid choice"),
    (["export", "--format", "xml"], 2, "invalid choice"),
    (["nosuchcommand"], 2, "invalid choice"),
    ([], 2, "required"),
    (["show", "no-such-event"], 1, "no event 'no-such-event'"),
    (["entities", "zzzzqqqq"], 1, "no entity matches"),
    (["--log", "/nonexistent/folder", "validate"], 1, "no such log"),
    (["append", "/nonexistent/new.jsonl"], 1, "cannot read"),
    (["export", "--output", "/nonexistent/dir/out.csv"], 1, "No such file"),
])
def test_bad_input_is_one_line_and_the_right_exit_code(args: list[str], code: int, words: str) -> None:
    """User mistakes give one line on stderr, no traceback; exit 2 for usage, 1 for data."""
    assert words in one_line_error(run(*args), code)


def test_progress_only_on_a_terminal(tmp_path: Path) -> None:
    """Long work draws progress when stderr is a terminal, and prints none when it is piped."""
    piped = run("export", "--output", str(tmp_path / "a.csv"))
    assert "\r" not in piped.stderr
    assert piped.stderr.strip() == f"{tmp_path / 'a.csv'}: wrote {len(ee.load().events())} events as csv"
    seen = _stderr_on_a_terminal("export", "--output", str(tmp_path / "b.csv"))
    assert b"\r\x1b[Kexporting csv..." in seen
    assert (tmp_path / "b.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()


def test_tables_fit_the_width_and_columns_choose() -> None:
    """A table fits COLUMNS (hidden columns named on stderr); --columns picks and orders; a bad name is exit 2."""
    fitted = run("as-of", "2020-01-01", "agreements", columns=80)
    assert fitted.returncode == 0, fitted.stderr
    assert max(len(line) for line in fitted.stdout.splitlines()) <= 80
    assert "hidden to fit 80 characters: events, ratified" in fitted.stderr
    wide = run("as-of", "2020-01-01", "agreements")  # piped, no COLUMNS: every column
    assert wide.stderr == ""
    assert "ratified" in wide.stdout.splitlines()[1]
    chosen = run("as-of", "2020-01-01", "agreements", "--columns", "status,agreement", "--format", "csv")
    assert chosen.stdout.splitlines()[0] == "status,agreement"
    line = one_line_error(run("as-of", "2020-01-01", "agreements", "--columns", "status,colour"), 2)
    assert "no column 'colour'" in line


def test_every_command_that_prints_rows_takes_format_and_columns() -> None:
    """show, coverage, entities, timeline, as-of, diff, series (and the later row commands) take
    --format table|json|csv|markdown and --columns."""
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    row_commands = {"show", "coverage", "entities", "timeline", "as-of", "diff", "series"}
    for name, parser in commands.items():
        options = {a.dest: a for a in parser._actions}
        if name not in row_commands and "columns" not in options:
            continue  # export, follow...: formats of their own
        assert set(options["format"].choices or ()) >= {"table", "json", "csv", "markdown"}, name
        assert "columns" in options, name
        row_commands.discard(name)
    assert not row_commands


def test_as_of_sanctions_filters_by_imposer_and_target() -> None:
    """as-of sanctions --imposer EU --target Sberbank (aliases resolve) keeps the EU's measures on Sberbank."""
    everything = json.loads(run("as-of", "2024-06-01", "sanctions", "--format", "json").stdout)
    rows = json.loads(run("as-of", "2024-06-01", "sanctions", "--imposer", "EU", "--target", "Sberbank",
                          "--format", "json").stdout)
    assert rows
    assert len(rows) < len(everything)
    assert all(r["imposer"] == "eu" and "sberbank" in r["targets"] for r in rows)
    designated = json.loads(run("as-of", "2024-06-01", "designations", "--measure", rows[0]["measure"],
                                "--format", "json").stdout)
    assert "sberbank" in {r["target"] for r in designated}
    assert "--measure" in one_line_error(run("as-of", "2024-06-01", "designations"), 2)


def test_show_and_coverage_take_format() -> None:
    """show --format json gives the event, its records and sources; coverage --format csv gives rows."""
    shown = json.loads(run("show", "2014-05-21-pos-gas-contract", "--format", "json").stdout)
    assert shown["current"]["type"] == "supply_contract"
    assert shown["history"][0]["seq"] >= 1
    assert shown["sources"][0]["quote"]
    fields = list(csv.DictReader(io.StringIO(run("show", "2014-05-21-pos-gas-contract", "--format", "csv").stdout)))
    assert {"field": "annual_volume", "value": "38 bcm/yr"} in fields
    rows = list(csv.DictReader(io.StringIO(run("coverage", "--format", "csv").stdout)))
    assert rows[0].keys() == {"year", "type", "events", "day_precision"}


def _stderr_on_a_terminal(*args: str) -> bytes:
    """Run the command line with stderr on a pseudo-terminal; what it drew there."""
    master, slave = pty.openpty()
    try:
        subprocess.run([sys.executable, "-m", "eurasia_events.cli", *args], stdout=subprocess.DEVNULL,
                       stderr=slave, timeout=120, check=True, env=QUIET_ENV)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    return seen


def test_series_and_loading_draw_progress_only_on_a_terminal() -> None:
    """series draws its count of days (and loading its line) on a terminal; piped, stderr stays empty."""
    args = ("series", "gas", "2010-01-01", "2012-01-01", "--every", "month")
    seen = _stderr_on_a_terminal(*args)
    assert b"\r\x1b[Kreading and verifying the bundled log..." in seen
    assert b"\r\x1b[Kcomputing gas on 25 days... 25/25" in seen
    piped = run(*args)
    assert piped.returncode == 0
    assert piped.stderr == ""
