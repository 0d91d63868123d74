"""``eurasia-events coverage`` without ``--sources``: events per year and type, and how many
are dated to the day, so a curator sees where the log is thin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import eurasia_events as ee
from eurasia_events.cli import main
from logkit import copy_registries, meeting


@pytest.fixture
def small_log(tmp_path: Path) -> Path:
    """Five meetings (2014: a day, a month, an approximate year and days spanning the new
    year; 2015: a day) and a memorandum whose start is open (``../2013``: counted in 2013)."""
    copy_registries(tmp_path)
    log = ee.load(tmp_path / "log.jsonl", create=True)
    memo = ee.Memorandum(id="memo", date=ee.PartialDate.parse("../2013"), title="Memo", parties=("RU", "CN"),
                         agreement="memo-2013", kind="framework",
                         sources=(ee.Citation(source="seed-000", quote="q"),))
    log.append([meeting(1, date="2014-05-20"), meeting(2, date="2014-06"), meeting(3, date="2014~"),
                meeting(4, date="2015-01-01"), meeting(5, date="2014-12-30/2015-01-02"), memo])
    return tmp_path


def test_counts_per_year_and_type(small_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each event counts once, in the year its date is written with, and only day dates count as day precision."""
    assert main(["--log", str(small_log), "coverage", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {"year": 2013, "type": "memorandum", "events": 1, "day_precision": 0},
        {"year": 2014, "type": "meeting", "events": 4, "day_precision": 2},
        {"year": 2015, "type": "meeting", "events": 1, "day_precision": 1},
    ]


def test_table_ends_with_the_totals(small_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The table's last line adds up every year."""
    assert main(["--log", str(small_log), "coverage"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1].split()
    assert last == ["all", "6", "3"]
