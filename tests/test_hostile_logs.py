"""Logs that are missing, hostile or rewritten: each is refused with a library error (one line
and exit 1 on the command line), never read as an empty log, never a raw exception or a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import eurasia_events as ee
from eurasia_events.cli import main
from logkit import BUNDLED, RECORDED, copy_registries, forge_line, meeting, meeting_data, valid_lines, write_log_dir


def one_line_error(capsys: pytest.CaptureFixture[str], status: int, expected: int = 1) -> str:
    """The CLI's error line, checked to be one line with the expected exit status."""
    err = capsys.readouterr().err
    assert status == expected, err
    assert err.startswith("eurasia-events: error: "), err
    assert err.count("\n") == 1, f"one line, no traceback: {err!r}"
    return err


# -- 4. a missing log is an error, not an empty log ---------------------------------------


@pytest.mark.parametrize("name", ["typo.jsonl", "typo.sqlite", "no-such-folder"])
def test_load_refuses_a_missing_log(tmp_path: Path, name: str) -> None:
    """load() of a path where no log is raises LogNotFoundError (also a FileNotFoundError) and creates nothing."""
    with pytest.raises(ee.LogNotFoundError, match=name) as caught:
        ee.load(tmp_path / name)
    assert isinstance(caught.value, FileNotFoundError)
    assert list(tmp_path.iterdir()) == []


def test_load_refuses_a_folder_that_is_not_a_log(tmp_path: Path) -> None:
    """A folder holding registries but no log.jsonl nor log.sqlite is not an empty log."""
    copy_registries(tmp_path)
    with pytest.raises(ee.LogNotFoundError, match="not a log"):
        ee.load(tmp_path)
    assert not (tmp_path / "log.jsonl").exists()


@pytest.mark.parametrize("name", ["new.jsonl", "new.sqlite", "new-folder"])
def test_load_create_starts_an_empty_log(tmp_path: Path, name: str) -> None:
    """load(path, create=True) creates an empty log there, which a plain load() then reads."""
    log = ee.load(tmp_path / name, create=True)
    assert len(log) == 0
    log.append([meeting(1)], recorded=RECORDED)
    assert [r.event.id for r in ee.load(tmp_path / name)] == ["m-1"]
    if name == "new-folder":
        assert (tmp_path / name / "log.jsonl").is_file()


@pytest.mark.parametrize("args", [
    ["--log", "{tmp}/typo.jsonl", "validate"],
    ["validate", "--log", "{tmp}/typo.jsonl"],
    ["validate", "--log", "{tmp}"],  # a folder that is not a log
    ["--log", "{tmp}/typo.jsonl", "show", "m-0"],
    ["--log", "{tmp}/typo", "append", "{tmp}/new.jsonl"],
])
def test_cli_refuses_a_missing_log(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    """A --log naming no log gives one line and exit 1, and append without --create writes nothing."""
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps(meeting_data(1)) + "\n")
    status = main([arg.format(tmp=tmp_path) for arg in args])
    err = one_line_error(capsys, status)
    assert "no such log" in err or "not a log" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.jsonl"]


def test_cli_append_create_starts_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """append --create starts the log the first time; later appends need no flag."""
    for n in (1, 2):
        new = tmp_path / f"new{n}.jsonl"
        new.write_text(json.dumps(meeting_data(n)) + "\n")
    assert main(["--log", str(tmp_path / "mine"), "append", "--create", str(tmp_path / "new1.jsonl")]) == 0
    assert main(["--log", str(tmp_path / "mine"), "append", str(tmp_path / "new2.jsonl")]) == 0
    assert [r.event.id for r in ee.load(tmp_path / "mine")] == ["m-1", "m-2"]


# -- 5. raw exceptions and hangs -----------------------------------------------------------


@pytest.mark.parametrize("bad_type", [["meeting"], {"meeting": 1}, 7, None])
def test_a_record_type_that_is_not_text_is_a_format_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_type: Any) -> None:
    """A `type` that is a list or an object, hash valid: LogFormatError naming line and field; validate: one line."""
    copy_registries(tmp_path)
    first = valid_lines(1)[0]
    data = {k: v for k, v in meeting_data(2).items() if k != "type"}
    line, _ = forge_line(2, data, prev=json.loads(first)["hash"], type_=bad_type)  # the hash matches
    (tmp_path / "log.jsonl").write_bytes(first + b"\n" + line + b"\n")
    with pytest.raises(ee.LogFormatError, match=r"log\.jsonl:2: field 'type' must be text"):
        ee.load(tmp_path)
    assert "log.jsonl:2" in one_line_error(capsys, main(["--log", str(tmp_path), "validate"]))


BAD_ENTITIES: dict[str, Any] = {
    "an entry that is a number": [1],
    "an entry that is a list": [["RU", "Russia", "state"]],
    "id a number": [{"id": 5, "name": "Five", "kind": "company"}],
    "name a list": [{"id": "five", "name": ["Five"], "kind": "company"}],
    "kind a list": [{"id": "five", "name": "Five", "kind": ["company"]}],
    "aliases a number": [{"id": "five", "name": "Five", "kind": "company", "aliases": 5}],
    "aliases a string": [{"id": "five", "name": "Five", "kind": "company", "aliases": "Fiver"}],
    "an alias a number": [{"id": "five", "name": "Five", "kind": "company", "aliases": [5]}],
}

BAD_SOURCES: dict[str, Any] = {
    "an entry that is a number": [1],
    "an entry that is a string": ["seed-000"],
    "title a number": [{"id": "s", "title": 5, "publisher": "P", "file": "f.txt"}],
    "publisher a list": [{"id": "s", "title": "T", "publisher": ["P"], "file": "f.txt"}],
    "published a number": [{"id": "s", "title": "T", "publisher": "P", "file": "f.txt", "published": 2014}],
    "file a number": [{"id": "s", "title": "T", "publisher": "P", "file": 5}],
    "machine_translated a string": [{"id": "s", "title": "T", "publisher": "P", "file": "f.txt",
                                     "machine_translated": "no"}],
    "id an object": [{"id": {}, "title": "T", "publisher": "P", "file": "f.txt"}],
}


@pytest.mark.parametrize(("registry", "content"), [
    *(("entities.json", v) for v in BAD_ENTITIES.values()),
    *(("sources.json", v) for v in BAD_SOURCES.values()),
    ("entities.json", "[" * 100_000 + "]" * 100_000),
], ids=[*(f"entities: {k}" for k in BAD_ENTITIES), *(f"sources: {k}" for k in BAD_SOURCES), "deep nesting"])
def test_a_bad_registry_is_an_invalid_event_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], registry: str, content: Any) -> None:
    """A malformed entities.json or sources.json gives InvalidEventError naming the file, never AttributeError."""
    write_log_dir(tmp_path, 1)
    # The bad entry follows every bundled one, so the log's own references still resolve.
    text = content if isinstance(content, str) else json.dumps(
        json.loads((BUNDLED / registry).read_text(encoding="utf-8")) + content)
    (tmp_path / registry).write_text(text)
    where = registry if isinstance(content, str) else f"{registry} entry "
    with pytest.raises(ee.InvalidEventError, match=where):
        ee.load(tmp_path)
    assert where in one_line_error(capsys, main(["--log", str(tmp_path), "validate"]))


@pytest.mark.parametrize("recorded", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                      "0001-01-01T00:00:00.000000+23:59"])
def test_an_instant_outside_the_printable_years_is_refused_at_load(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], recorded: str) -> None:
    """A `recorded` that UTC pushes outside years 1-9999 is refused when read, so show never overflows."""
    copy_registries(tmp_path)
    line, _ = forge_line(1, {k: v for k, v in meeting_data(0).items() if k != "type"}, recorded=recorded)
    (tmp_path / "log.jsonl").write_bytes(line + b"\n")
    with pytest.raises(ee.LogFormatError, match=r"log\.jsonl:1: .*outside the years 1 to 9999"):
        ee.load(tmp_path)
    one_line_error(capsys, main(["--log", str(tmp_path), "show", "m-0"]))


def test_appending_to_a_read_only_log_is_a_library_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Appending to a log the process may not write raises LogFormatError, not PermissionError."""
    path = write_log_dir(tmp_path, 1)
    path.chmod(0o444)
    real_open = os.open

    def no_write(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        # root ignores file modes: refuse writes to the log as the kernel would for anyone else
        if Path(file) == path and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_write)
    before = path.read_bytes()
    log = ee.load(tmp_path)  # reading a read-only log is fine
    with pytest.raises(ee.LogFormatError, match=r"log\.jsonl"):
        log.append([meeting(1)], recorded=RECORDED)
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps(meeting_data(1)) + "\n")
    one_line_error(capsys, main(["--log", str(tmp_path), "append", str(new)]))
    assert path.read_bytes() == before


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # A subprocess with a timeout: a regression here would hang, and must fail instead.
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("where", ["folder", "file"])
def test_a_fifo_as_the_log_is_refused_without_blocking(tmp_path: Path, where: str) -> None:
    """A FIFO where the log should be is refused at once (not read, which would block for ever)."""
    copy_registries(tmp_path)
    fifo = tmp_path / ("log.jsonl" if where == "folder" else "pipe.jsonl")
    os.mkfifo(fifo)
    target = tmp_path if where == "folder" else fifo
    code = ("import sys, eurasia_events as ee\ntry:\n    ee.load(sys.argv[1])\n"
            "except ee.LogFormatError as error:\n    print(error)")
    assert "not a regular file" in _run("-c", code, str(target)).stdout
    result = _run("-m", "eurasia_events.cli", "--log", str(target), "validate")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "not a regular file" in result.stderr


def test_a_fifo_swapped_in_after_loading_is_refused_without_blocking(tmp_path: Path) -> None:
    """A log file replaced by a FIFO after it was opened is refused when read again, not waited on."""
    copy_registries(tmp_path)
    code = ("import os, sys, eurasia_events as ee\n"
            "log = ee.load(sys.argv[1], create=True)\n"
            "os.remove(sys.argv[1]); os.mkfifo(sys.argv[1])\n"
            "try:\n    list(log.store.iter_lines())\n"
            "except ee.LogFormatError as error:\n    print(error)")
    assert "not a regular file" in _run("-c", code, str(tmp_path / "log.jsonl")).stdout


def test_a_dangling_log_symlink_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A log.jsonl linking to nothing is refused by load and by append (even --create); nothing is written there."""
    folder = tmp_path / "log"
    copy_registries(folder)
    outside = tmp_path / "outside.jsonl"
    (folder / "log.jsonl").symlink_to(outside)
    for create in (False, True):
        with pytest.raises(ee.LogFormatError, match="symbolic link"):
            ee.load(folder, create=create)
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps(meeting_data(1)) + "\n")
    one_line_error(capsys, main(["--log", str(folder), "append", "--create", str(new)]))
    assert not outside.exists()


def test_a_symlink_to_a_real_log_is_read(tmp_path: Path) -> None:
    """A log.jsonl that links to a log file is read as that log (links are refused only when they dangle)."""
    real = write_log_dir(tmp_path / "real", 2)
    folder = tmp_path / "linked"
    copy_registries(folder)
    (folder / "log.jsonl").symlink_to(real)
    assert len(ee.load(folder)) == 2


# -- 7. anchoring the head -----------------------------------------------------------------


def _rewritten(count: int) -> list[bytes]:
    """A whole chain of ``count`` records, consistent in itself, with other content."""
    log = ee.Log(ee.MemoryStore(), entities=ee.EntityRegistry.from_file(BUNDLED / "entities.json"),
                 sources=ee.SourceRegistry.from_file(BUNDLED / "sources.json"))
    for n in range(count):
        log.append([meeting(n, title=f"Rewritten {n}")], recorded=RECORDED)
    return log.store.read_lines()


def test_validate_prints_the_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """validate prints the head as SEQ:HASH, the last record's number and hash."""
    path = write_log_dir(tmp_path, 3)
    last = json.loads(path.read_bytes().splitlines()[-1])
    assert main(["--log", str(tmp_path), "validate"]) == 0
    assert f"head 3:{last['hash']}" in capsys.readouterr().err
    assert ee.load(tmp_path).head == f"3:{last['hash']}"


def test_expect_head_accepts_the_same_or_a_grown_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pinned head is accepted while the log holds that record at that place, also after appends."""
    write_log_dir(tmp_path, 3)
    pin = ee.load(tmp_path).head
    ee.load(tmp_path, expect_head=pin).append([meeting(7)], recorded=RECORDED)
    assert len(ee.load(tmp_path, expect_head=pin)) == 4
    assert main(["--log", str(tmp_path), "validate", "--expect-head", pin]) == 0
    assert "holds the expected head" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["rewritten", "cut", "cut and regrown"])
def test_expect_head_refuses_a_rewritten_or_cut_log(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str) -> None:
    """A chain rewritten consistently, or cut (even cut and appended to again), verifies but fails the pinned head."""
    path = write_log_dir(tmp_path, 3)
    pin = ee.load(tmp_path).head
    lines = {"rewritten": _rewritten(3), "cut": valid_lines(2), "cut and regrown": valid_lines(2)}[damage]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    if damage == "cut and regrown":
        ee.load(tmp_path).append([meeting(9)], recorded=RECORDED)
    assert ee.load(tmp_path).verify() >= 2  # the chain itself verifies: only the pin can tell
    with pytest.raises(ee.IntegrityError, match=r"pinned"):
        ee.load(tmp_path, expect_head=pin)
    assert "pinned" in one_line_error(capsys, main(["--log", str(tmp_path), "validate", "--expect-head", pin]))


@pytest.mark.parametrize("pin", ["3", "3:abc", "0:" + "0" * 64, "x:" + "a" * 64, "3:" + "g" * 64])
def test_a_malformed_pin_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], pin: str) -> None:
    """A pin that is not SEQ:HASH is InvalidHeadError in the library and a usage error (exit 2) in the CLI."""
    write_log_dir(tmp_path, 3)
    with pytest.raises(ee.InvalidHeadError, match="SEQ:HASH"):
        ee.load(tmp_path, expect_head=pin)
    with pytest.raises(SystemExit) as caught:
        main(["--log", str(tmp_path), "validate", "--expect-head", pin])
    assert caught.value.code == 2
    assert "SEQ:HASH" in capsys.readouterr().err


# -- 9. append checks quotes before writing --------------------------------------------------


def _seed_folder(tmp_path: Path) -> Path:
    """A folder holding seed-000's file with a known sentence."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    source = ee.SourceRegistry.from_file(BUNDLED / "sources.json")["seed-000"]
    (seeds / source.file).write_text("Russia  and China\nsigned the gas deal in 2014.\n", encoding="utf-8")
    return seeds


def test_append_sources_refuses_a_made_up_quote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """append --sources refuses, before writing anything, a quote the seed file does not hold; it names where."""
    path = write_log_dir(tmp_path / "log", 1)
    seeds = _seed_folder(tmp_path)
    new = tmp_path / "new.jsonl"
    good = meeting_data(1, sources=[{"source": "seed-000", "quote": "Russia and China signed the gas deal"}])
    bad = meeting_data(2, sources=[{"source": "seed-000", "quote": "a sentence nobody wrote"}])
    new.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    before = path.read_bytes()
    err = one_line_error(capsys, main(["--log", str(tmp_path / "log"), "append", "--sources", str(seeds), str(new)]))
    for word in ("new.jsonl:2", "'m-2'", "'sources'", "seed-000", "a sentence nobody wrote"):
        assert word in err
    assert path.read_bytes() == before


def test_append_sources_accepts_real_quotes(tmp_path: Path) -> None:
    """append --sources appends events whose quotes the seed files hold (whitespace normalised)."""
    write_log_dir(tmp_path / "log", 1)
    seeds = _seed_folder(tmp_path)
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps(meeting_data(
        1, sources=[{"source": "seed-000", "quote": "Russia and China signed the gas deal"}])) + "\n")
    assert main(["--log", str(tmp_path / "log"), "append", "--sources", str(seeds), str(new)]) == 0
    assert main(["--log", str(tmp_path / "log"), "validate", "--sources", str(seeds)]) == 1  # m-0's quote is made up
    assert len(ee.load(tmp_path / "log")) == 2
