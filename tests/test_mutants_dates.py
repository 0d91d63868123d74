"""Partial dates at the edges mutation testing found untested (docs/reliability.md, "Mutation testing")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eurasia_events import Instant, InvalidDateError, PartialDate, dates, to_instant
from eurasia_events.dates import MAX_ORDINAL, MIN_ORDINAL, add_years, ordinal_to_text, query_period


def _ord(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def _refusal(text: str) -> str:
    with pytest.raises(InvalidDateError) as caught:
        PartialDate.parse(text)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2015-05-08?", "2015-05-07", "2015-05-09"),
        ("2015-01~", "2014-12-01", "2015-02-28"),
        ("2015-12%", "2015-11-01", "2016-01-31"),
        ("2015?", "2014-01-01", "2016-12-31"),
        ("0001-01?", "0001-01-01", "0001-02-28"),
        ("0002-01?", "0001-12-01", "0002-02-28"),
        ("9999-10?", "9999-09-01", "9999-11-30"),
        ("2015~/2016", "2014-01-01", "2016-12-31"),
        ("2015/2016~", "2015-01-01", "2017-12-31"),
        ("2015/2015-06", "2015-01-01", "2015-06-30"),
    ],
)
def test_qualified_dates_widen_by_one_unit_each_way(text: str, earliest: str, latest: str) -> None:
    """A qualified day, month or year widens by exactly one unit each way, clipped at the calendar's ends."""
    date = PartialDate.parse(text)
    assert (str(date.earliest), str(date.latest)) == (earliest, latest)


def test_single_date_fields_and_interval_ends() -> None:
    """A single date is its own start and end; blank ends are unknown, '..' ends open."""
    single = PartialDate.parse("2015")
    assert single.end == single.start
    assert single.interval is False
    assert PartialDate.parse("/2018").start_unknown is True
    assert PartialDate.parse("/2018").end_unknown is False
    assert PartialDate.parse("1985/").end_unknown is True
    assert PartialDate.parse("1985/").start_unknown is False
    assert PartialDate.parse("../2018").start_unknown is False
    assert PartialDate.parse("2014/..").end_unknown is False
    assert str(PartialDate.parse("2015-05-XX")) == "2015-05-XX"


def test_constructor_from_text_and_from_fields() -> None:
    """PartialDate(text) equals parse(text); the field form keeps its keyword fields."""
    assert PartialDate("2015-05") == PartialDate.parse("2015-05")
    assert str(PartialDate("2015-05")) == "2015-05"
    assert repr(PartialDate("2015-05")) == "PartialDate('2015-05')"
    known = PartialDate.parse("/2018")
    rebuilt = PartialDate(known.start, known.end, True, known.earliest_ordinal, known.latest_ordinal,
                          start_unknown=True)
    assert rebuilt.start_unknown is True
    assert str(rebuilt) == "/2018"


def test_parse_shares_one_value_per_text_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse() returns the same object for a repeated text, and keeps no more texts than the limit."""
    monkeypatch.setattr(dates, "_PARSED", {})
    assert PartialDate.parse("2011-03") is PartialDate.parse("2011-03")
    monkeypatch.setattr(dates, "_PARSED", {})
    monkeypatch.setattr(dates, "_PARSED_LIMIT", 0)
    PartialDate.parse("2011-04")
    assert dates._PARSED == {}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2015-05-08T10:00", "times of day are not supported; give the day alone ('YYYY-MM-DD')"),
        ("-1", "negative years are not supported"),
        ("Y20000", "years of more than four digits ('Y...') are not supported"),
        ("{2015,2016}", "sets of dates ('[...]', '{...}') are not supported"),
        ("199X", "unspecified digits in the year (such as '199X') are not supported; "
                 "only a whole month or day may be 'XX'"),
        ("2015-5?1", "a qualifier ('?', '~' or '%') goes once, at the end; qualifying one component is not supported"),
    ],
)
def test_refusals_name_the_unsupported_feature(text: str, reason: str) -> None:
    """Each EDTF feature left out is named, verbatim, before the accepted forms."""
    assert _refusal(text) == f"invalid date {text!r}: {reason}; expected {dates.ACCEPTED}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2015-XX-05", "a known day needs a known month"),
        ("2015-25", "seasons, quarters and halves (25-41) are not supported"),
        ("2015-41", "seasons, quarters and halves (25-41) are not supported"),
        ("2015-42", "month 42 is not 01..12"),
        ("2015/2016/2017", "an interval has one '/'"),
    ],
)
def test_refusals_name_the_bad_component(text: str, reason: str) -> None:
    """A malformed month, day or interval is named in the error."""
    assert f"invalid date {text!r}: {reason}" in _refusal(text)


@pytest.mark.parametrize("text", ["-", "-XX", "19X", "2015-XXX", "hello"])
def test_refusals_without_a_named_feature(text: str) -> None:
    """Text that is no supported feature gets the plain message, with no reason guessed."""
    assert _refusal(text) == f"invalid date {text!r}: expected {dates.ACCEPTED}"


def test_refusals_of_non_text_name_the_value() -> None:
    """Non-string dates, days and instants are refused with a message that names the value."""
    with pytest.raises(InvalidDateError, match="expected a string"):
        PartialDate.parse(5)  # type: ignore[arg-type]
    with pytest.raises(InvalidDateError, match=r"invalid date '2015-13': month 13"):
        query_period("2015-13")
    with pytest.raises(InvalidDateError, match=r"invalid day 3\.5: expected"):
        query_period(3.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidDateError, match="expected ISO 8601 with a zone"):
        Instant.parse("garbage")
    with pytest.raises(InvalidDateError, match="a naive datetime has no zone"):
        Instant.from_datetime(dt.datetime(2020, 1, 1))
    with pytest.raises(InvalidDateError, match="expected ISO 8601 text or a datetime"):
        to_instant(5)  # type: ignore[arg-type]


def test_instants_convert_both_ways() -> None:
    """Text with 'T' or a space, and aware datetimes, become the same instant; it converts back in UTC."""
    moment = pendulum.datetime(2026, 11, 26, 15, tz="UTC")
    instant = Instant.parse("2026-11-26T15:00:00Z")
    assert to_instant("2026-11-26T15:00:00Z") == instant
    assert to_instant("2026-11-26 15:00:00+00:00") == instant
    assert to_instant(moment) == instant
    back = instant.to_datetime()
    assert back == moment
    assert back.timezone_name == "UTC"
    now = Instant.now().to_datetime()
    assert abs((now - pendulum.now("UTC")).total_seconds()) < 60


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        ("2015-01-15", 1, "2016-01-15"),
        ("2015-01-15", "1.5", "2016-07-15"),
        ("2015-01-15", "1.99", "2016-12-15"),
    ],
)
def test_add_years_counts_fractions_as_whole_months(day: str, years: object, expected: str) -> None:
    """Whole years and the whole months of a fraction are both added."""
    assert add_years(_ord(day), years) == _ord(expected)


def test_add_years_leaves_ends_of_the_calendar_open() -> None:
    """A day within |years|+1 years (of 366 days) of the calendar's end stays as it is; one day further moves."""
    for ordinal, years in [(MAX_ORDINAL, -1), (MIN_ORDINAL, 1), (MAX_ORDINAL - 732, 1), (MIN_ORDINAL + 732, -1)]:
        assert add_years(ordinal, years) == ordinal
    inside = MAX_ORDINAL - 733
    assert add_years(inside, 1) == pendulum.Date.fromordinal(inside).add(years=1).toordinal()
    inside = MIN_ORDINAL + 733
    assert add_years(inside, -1) == pendulum.Date.fromordinal(inside).add(years=-1).toordinal()


@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
       st.integers(-120, 120), st.integers(0, 11), st.booleans())
def test_add_years_counts_as_pendulum_does(day: dt.date, whole: int, months: int, negative: bool) -> None:
    """Any day plus any whole years and months (a fraction of a year, either sign) is the day
    pendulum's Date.add gives; past the calendar's ends, the end itself."""
    sign = -1 if negative else 1
    fraction = (months * 10 ** 8 + 11) // 12  # months/12 in 8 digits, rounded up: 12 times it is >= months
    years = f"{'-' if negative else ''}{abs(whole)}.{fraction:08d}"
    ordinal = day.toordinal()
    amount = Decimal(years)
    assert int(amount) == sign * abs(whole)
    assert int((amount - int(amount)) * 12) == sign * months
    if ordinal >= MAX_ORDINAL - 366 * (abs(whole) + 1) or ordinal <= MIN_ORDINAL + 366 * (abs(whole) + 1):
        return  # an open end: test_add_years_leaves_ends_of_the_calendar_open
    try:
        expected = pendulum.Date.fromordinal(ordinal).add(years=sign * abs(whole), months=sign * months).toordinal()
    except (OverflowError, ValueError):
        expected = MAX_ORDINAL if not negative else MIN_ORDINAL
    assert add_years(ordinal, years) == expected


def test_ordinal_to_text_prints_open_ends() -> None:
    """The calendar's first and last days print as '..'; the days next to them as ISO text."""
    assert ordinal_to_text(MIN_ORDINAL) == ".."
    assert ordinal_to_text(MAX_ORDINAL) == ".."
    assert ordinal_to_text(MIN_ORDINAL + 1) == "0001-01-02"
    assert ordinal_to_text(MAX_ORDINAL - 1) == "9999-12-30"
