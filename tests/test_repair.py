"""``eurasia-events repair`` on JSON Lines logs: it verifies every earlier record before it
touches a byte, removes only an incomplete final record or an unfinished batch, and keeps
a copy of what it removes."""

from __future__ import annotations

from pathlib import Path

import pytest

import eurasia_events as ee
from eurasia_events.cli import main
from logkit import copy_registries, valid_lines, write_log_dir

BOM = b"\xef\xbb\xbf"


def _copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("log.jsonl.removed-*"))


def _named_copy(err: str) -> Path:
    """The copy repair says it kept (the word after 'kept a copy in')."""
    return Path(err.split("kept a copy in ", 1)[1].split()[0].rstrip(".;"))


@pytest.mark.parametrize("content", [b"hello\nworld", b"hello", b"hello\nworld\n", b"{\"seq\":1}\n{\"a\":"],
                         ids=["two-lines", "one-line", "whole-lines", "json-lines"])
def test_repair_refuses_a_file_that_is_not_a_log(tmp_path: Path, content: bytes,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A file that is not a log is left byte for byte as it was, with exit 1 and no copy."""
    copy_registries(tmp_path)
    path = tmp_path / "log.jsonl"
    path.write_bytes(content)
    assert main(["repair", str(path)]) == 1
    assert path.read_bytes() == content
    assert _copies(tmp_path) == []
    assert "log.jsonl:1" in capsys.readouterr().err


def test_repair_with_a_corrupt_middle_record_touches_nothing(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A damaged record before a torn tail: exit 1 naming it, and the torn tail is not removed either."""
    path = write_log_dir(tmp_path, 3)
    damaged = path.read_bytes().replace(b"Meeting 1", b"Meeting 9")[:-30]
    path.write_bytes(damaged)
    assert main(["repair", str(tmp_path)]) == 1
    assert "log.jsonl:2: the record does not match its hash" in capsys.readouterr().err
    assert path.read_bytes() == damaged
    assert _copies(tmp_path) == []


def test_repair_after_a_byte_order_mark_keeps_the_first_record(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A log of one record after a byte order mark, lacking its newline: repair adds the newline, removes nothing."""
    copy_registries(tmp_path)
    path = tmp_path / "log.jsonl"
    (line,) = valid_lines(1)
    path.write_bytes(BOM + line)
    assert main(["repair", str(path)]) == 0
    assert path.read_bytes() == BOM + line + b"\n"
    assert "lacked its newline; added it" in capsys.readouterr().err
    assert len(ee.load(path)) == 1


def test_repair_after_a_byte_order_mark_removes_only_the_torn_record(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A byte order mark, a whole record and a torn one: only the torn bytes go, into a copy."""
    copy_registries(tmp_path)
    path = tmp_path / "log.jsonl"
    first, second = valid_lines(2)
    path.write_bytes(BOM + first + b"\n" + second[:50])
    assert main(["repair", str(path)]) == 0
    assert path.read_bytes() == BOM + first + b"\n"
    assert _named_copy(capsys.readouterr().err).read_bytes() == second[:50]


def test_repair_refuses_a_tampered_last_record_without_its_newline(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """An edited last record that also lost its newline is evidence, not a crash remnant: exit 1, left as found."""
    path = write_log_dir(tmp_path, 3)
    tampered = path.read_bytes()[:-1].replace(b"Meeting 2", b"Meeting 7")
    path.write_bytes(tampered)
    assert main(["repair", str(tmp_path)]) == 1
    assert "log.jsonl:3: the last record is complete (no final newline) but does not match its hash" in \
        capsys.readouterr().err
    assert path.read_bytes() == tampered
    assert _copies(tmp_path) == []


def test_repair_keeps_a_copy_of_the_torn_record_and_says_where(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Removing a torn last record writes its bytes to a copy named in the output; earlier records stay."""
    path = write_log_dir(tmp_path, 3)
    whole = path.read_bytes()
    start = whole.rindex(b"\n", 0, len(whole) - 1) + 1
    path.write_bytes(whole[:-25])
    assert main(["repair", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "removed an incomplete last record" in err
    copy = _named_copy(err)
    assert copy.read_bytes() == whole[start:-25]
    assert path.read_bytes() == whole[:start]
    assert _copies(tmp_path) == [copy]


def test_repair_refuses_a_last_record_that_does_not_follow(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A complete, hash-valid last line without a newline that is not the next record (here record 1
    again) is refused, not completed and not removed."""
    path = write_log_dir(tmp_path, 2)
    content = path.read_bytes() + valid_lines(1)[0]
    path.write_bytes(content)
    assert main(["repair", str(tmp_path)]) == 1
    assert "log.jsonl:3: the last record is complete but is not record 3" in capsys.readouterr().err
    assert path.read_bytes() == content


def test_repair_leaves_an_unfinished_batch_alone_when_the_log_before_it_is_damaged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A journal marks an unfinished batch, but an earlier record is damaged: exit 1, log and journal untouched."""
    path = write_log_dir(tmp_path, 2)
    damaged = path.read_bytes().replace(b"Meeting 0", b"Meeting 5")
    size = len(damaged)
    path.write_bytes(damaged + valid_lines(3)[2][:40])
    journal = tmp_path / "log.jsonl.journal"
    journal.write_bytes(b"eurasia-events batch journal: the log's size in bytes before the batch\n%d\n" % size)
    before = path.read_bytes()
    assert main(["repair", str(tmp_path)]) == 1
    assert "log.jsonl:1: the record does not match its hash" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert journal.exists()
    assert _copies(tmp_path) == []
