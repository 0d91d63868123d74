"""Query days: a year or a month wherever a day is asked, by one rule (``query_period``):
an as-of day is the period's last day, a range covers the whole period."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from contextlib import redirect_stdout

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.cli import main
from eurasia_events.query import VIEW_NAMES

LOG = ee.load()


@given(st.integers(1, 9999), st.integers(1, 12))
def test_a_month_stands_for_its_days(year: int, month: int) -> None:
    """'YYYY-MM' covers the 1st to the month's last day; as an as-of day it is the last day."""
    last = calendar.monthrange(year, month)[1]
    text = f"{year:04d}-{month:02d}"
    assert ee.query_period(text) == (pendulum.Date(year, month, 1), pendulum.Date(year, month, last))
    assert ee.to_day(text) == pendulum.Date(year, month, last)


def test_a_year_and_a_day_stand_for_their_days() -> None:
    """'YYYY' covers 1 January to 31 December; a day (text or date) is the period of itself."""
    assert ee.query_period("2024") == (pendulum.Date(2024, 1, 1), pendulum.Date(2024, 12, 31))
    assert ee.to_day(" 2024 ") == pendulum.Date(2024, 12, 31)
    assert ee.to_day("2024-02") == pendulum.Date(2024, 2, 29)
    assert ee.query_period(dt.date(2022, 6, 1)) == (pendulum.Date(2022, 6, 1),) * 2
    assert ee.query_period("2022-06-01") == (pendulum.Date(2022, 6, 1),) * 2


@pytest.mark.parametrize("text", ["2022~", "2022-06?", "2022-XX", "2022/2023", "22", "2022-6", "2022-13", ""])
def test_qualified_or_malformed_periods_are_refused(text: str) -> None:
    """A query names a period exactly: qualified, unspecified, interval or malformed text is an InvalidDateError."""
    with pytest.raises(ee.InvalidDateError, match="invalid"):
        ee.query_period(text)


def test_as_of_a_year_is_as_of_its_last_day() -> None:
    """log.as_of('2022') answers every view exactly as log.as_of('2022-12-31'); a month as its last day."""
    year, day = LOG.as_of("2022"), LOG.as_of("2022-12-31")
    assert year.day == day.day == pendulum.Date(2022, 12, 31)
    for name in VIEW_NAMES:
        assert year.view(name).to_records() == day.view(name).to_records(), name
    assert LOG.as_of("2015-02").day == pendulum.Date(2015, 2, 28)


def test_ranges_cover_the_whole_period() -> None:
    """timeline and series take a start period's first day and an end period's last day."""
    month = LOG.timeline(start="2022-06", end="2022-06").to_records()
    assert month == LOG.timeline(start="2022-06-01", end="2022-06-30").to_records()
    assert month  # the bundled log has events in June 2022
    assert LOG.timeline(start="2014", end="2015").to_records() == LOG.timeline(
        start="2014-01-01", end="2015-12-31").to_records()
    series = LOG.series("gas", "2010", "2012", every="month")
    assert (series[0].day, series[-1].day, len(series)) == ("2010-01-01", "2012-12-01", 36)
    assert series.to_records() == LOG.series("gas", "2010-01-01", "2012-12-31", every="month").to_records()


def test_diff_and_known_at_take_the_end_of_a_period() -> None:
    """diff between two years compares their last days; known_at='2026' is the log at the end of 2026."""
    assert LOG.diff("2014", "2015").to_records() == LOG.diff("2014-12-31", "2015-12-31").to_records()
    assert ee.to_instant("2026") == ee.to_instant("2026-12-31")


def test_from_day_still_wants_a_day() -> None:
    """PartialDate.from_day refuses a month: a date known to the day is not guessed from a period."""
    assert str(ee.PartialDate.from_day("2015-05-08")) == "2015-05-08"
    with pytest.raises(ee.InvalidDateError, match="whole day"):
        ee.PartialDate.from_day("2015-05")


def cli(*args: str) -> str:
    """Run the command line in-process and return its stdout (exit 0 asserted)."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(list(args)) == 0
    return out.getvalue()


@pytest.mark.parametrize(("period", "days"), [
    (("as-of", "2022", "members"), ("as-of", "2022-12-31", "members")),
    (("as-of", "2020-01-01", "--known-at", "2026"), ("as-of", "2020-01-01", "--known-at", "2026-12-31")),
    (("diff", "2014", "2015-06"), ("diff", "2014-12-31", "2015-06-30")),
    (("series", "gas", "2010", "2011-06", "--every", "month"),
     ("series", "gas", "2010-01-01", "2011-06-30", "--every", "month")),
    (("timeline", "--from", "2022-06", "--to", "2022"), ("timeline", "--from", "2022-06-01", "--to", "2022-12-31")),
])
def test_every_cli_day_argument_takes_a_period(period: tuple[str, ...], days: tuple[str, ...]) -> None:
    """Each day argument of the command line reads a year or a month by the same rule as the library."""
    assert cli(*period) == cli(*days)
