"""Partial dates (EDTF), three-valued comparison, and recorded instants."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from eurasia_events import Instant, InvalidDateError, PartialDate, Precision, Relation, to_day, to_instant
from eurasia_events.testing import partial_dates


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2015", "2015-01-01", "2015-12-31", Precision.YEAR),
        ("2015-05", "2015-05-01", "2015-05-31", Precision.MONTH),
        ("2016-02", "2016-02-01", "2016-02-29", Precision.MONTH),
        ("2015-05-08", "2015-05-08", "2015-05-08", Precision.DAY),
        ("2017-05-14/2017-05-15", "2017-05-14", "2017-05-15", Precision.DAY),
        ("2019-XX", "2019-01-01", "2019-12-31", Precision.YEAR),  # an XX month is not known
        ("2015-05~", "2015-04-01", "2015-06-30", Precision.MONTH),
        ("2015?", "2014-01-01", "2016-12-31", Precision.YEAR),
        ("2015-05-08%", "2015-05-07", "2015-05-09", Precision.DAY),
        ("2014-09/..", "2014-09-01", "9999-12-31", Precision.MONTH),
        ("../2018", "0001-01-01", "2018-12-31", Precision.YEAR),
    ],
)
def test_bounds_and_precision(text: str, earliest: str, latest: str, precision: Precision) -> None:
    """Each accepted form knows its earliest and latest possible day and its precision."""
    date = PartialDate.parse(text)
    assert date.earliest.isoformat() == earliest
    assert date.latest.isoformat() == latest
    assert date.precision is precision
    assert isinstance(date.earliest, pendulum.Date)


@pytest.mark.parametrize("text", ["2015-13", "2015-02-30", "May 2015", "", "  ", "2015-5", "2015/2014",
                                  "../..", "2015-05-08T10:00", "0000", "2015??", "2015/2016/2017"])
def test_invalid_text_names_it(text: str) -> None:
    """Invalid text raises InvalidDateError (a ValueError) naming the text and what is accepted."""
    with pytest.raises(InvalidDateError) as caught:
        PartialDate.parse(text)
    assert repr(text) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_three_valued_comparison() -> None:
    """A month-precision date is uncertain inside its month, certain outside it."""
    may = PartialDate.parse("2015-05")
    assert may.relation_to("2015-04-30") is Relation.AFTER
    assert may.relation_to("2015-05-01") is Relation.UNCERTAIN
    assert may.relation_to("2015-05-30") is Relation.UNCERTAIN
    assert may.relation_to("2015-05-31") is Relation.ON_OR_BEFORE
    assert may.relation_to(dt.date(2016, 1, 1)) is Relation.ON_OR_BEFORE


def test_qualifier_makes_nearby_days_uncertain() -> None:
    """A qualified day is uncertain on the days around it, certain further away."""
    day = PartialDate.parse("2015-05-08~")
    assert day.relation_to("2015-05-08") is Relation.UNCERTAIN
    assert day.relation_to("2015-05-07") is Relation.UNCERTAIN
    assert day.relation_to("2015-05-09") is Relation.ON_OR_BEFORE
    assert PartialDate.parse("2015-05-08").relation_to("2015-05-08") is Relation.ON_OR_BEFORE


@given(partial_dates())
@example(PartialDate.parse("2016-02-29"))
@example(PartialDate.parse("../2018"))
@example(PartialDate.parse("9999~"))
def test_format_round_trip_and_order(date: PartialDate) -> None:
    """parse(str(d)) == d, and earliest <= latest."""
    assert PartialDate.parse(str(date)) == date
    assert date.earliest <= date.latest


@given(partial_dates(), st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_relation_consistent_with_bounds(date: PartialDate, day: dt.date) -> None:
    """The three answers agree with the possible days: on-or-before iff latest <= day, after iff day < earliest."""
    relation = date.relation_to(day)
    assert (relation is Relation.ON_OR_BEFORE) == (date.latest <= day)
    assert (relation is Relation.AFTER) == (day < date.earliest)


@given(partial_dates(qualifiers=False, intervals=False))
def test_unqualified_point_bounds_match_the_calendar(date: PartialDate) -> None:
    """Without qualifiers, bounds are exactly the stated year, month or day."""
    assert date.start is not None
    first, last = date.earliest, date.latest
    assert first.year == last.year == date.start.year
    if date.precision is Precision.YEAR:
        assert (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)
    elif date.precision is Precision.MONTH:
        assert first.day == 1
        assert (last + dt.timedelta(days=1)).day == 1


def test_to_day_refuses_qualified_periods() -> None:
    """An as-of day names a period: '2015-05~' and '2015-XX' are refused rather than guessed."""
    assert to_day("2015-05-08") == pendulum.Date(2015, 5, 8)
    assert to_day(dt.datetime(2015, 5, 8, 23, 0)) == pendulum.Date(2015, 5, 8)
    for text in ("2015-05~", "2015-XX", "2015/2016", "2015-5"):
        with pytest.raises(InvalidDateError, match="a month 'YYYY-MM'"):
            to_day(text)


def test_instant_is_utc_and_distinct_from_dates() -> None:
    """Instants parse ISO text with a zone, refuse naive text, and order by time."""
    a = Instant.parse("2026-11-26T15:00:00Z")
    b = Instant.parse("2026-11-26T16:00:00+01:00")
    assert a == b
    assert a.to_datetime().timezone_name == "UTC"
    with pytest.raises(InvalidDateError, match="no time zone"):
        Instant.parse("2026-11-26T15:00:00")
    assert to_instant("2026-11-26") == Instant.parse("2026-11-26T23:59:59.999999Z")
    assert Instant.parse(a.isoformat()) == a
    assert not isinstance(a, dt.date)
