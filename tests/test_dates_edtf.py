"""EDTF edge cases (issue 14): ASCII digits, 'XX' precision, calendar edges, open vs unknown ends."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from eurasia_events import InvalidDateError, InvalidQuantityError, PartialDate, Precision, Quantity, Relation, to_day

# Level 0 and 1 examples of the `edtf` package's own tests, with its strict bounds:
# ixc/python-edtf, edtf/parser/tests.py (EXAMPLES and BAD_EXAMPLES), commit
# 077eac56bdcae7901f0c504ac7ed8c52aa110c39. Each row: text, edtf's strict (lower, upper) or
# None where edtf answers with infinity or an invented bound, then our (earliest, latest) or the
# refusal our error must name. Our bounds are the possible days: a qualifier widens by one unit
# of the precision ('%' too, where edtf widens twice), and an open or unknown end is unbounded
# (edtf guesses ten years for an unknown end; this library does not guess).
EDTF_LEVEL_0_1: list[tuple[str, tuple[str, str] | None, tuple[str, str] | str]] = [
    # level 0
    ("2001-02-03", ("2001-02-03", "2001-02-03"), ("2001-02-03", "2001-02-03")),
    ("2008-12", ("2008-12-01", "2008-12-31"), ("2008-12-01", "2008-12-31")),
    ("2008", ("2008-01-01", "2008-12-31"), ("2008-01-01", "2008-12-31")),
    ("-0999", ("-0999-01-01", "-0999-12-31"), "negative years are not supported"),
    ("0000", ("0000-01-01", "0000-12-31"), "year 0000 is not supported"),
    ("2001-02-03T09:30:01", ("2001-02-03", "2001-02-03"), "times of day are not supported"),
    ("2004-01-01T10:10:10Z", ("2004-01-01", "2004-01-01"), "times of day are not supported"),
    ("2004-01-01T10:10:10+05:00", ("2004-01-01", "2004-01-01"), "times of day are not supported"),
    ("1985-04-12T23:20:30", ("1985-04-12", "1985-04-12"), "times of day are not supported"),
    ("1964/2008", ("1964-01-01", "2008-12-31"), ("1964-01-01", "2008-12-31")),
    ("2004-06/2006-08", ("2004-06-01", "2006-08-31"), ("2004-06-01", "2006-08-31")),
    ("2004-02-01/2005-02-08", ("2004-02-01", "2005-02-08"), ("2004-02-01", "2005-02-08")),
    ("2004-02-01/2005-02", ("2004-02-01", "2005-02-28"), ("2004-02-01", "2005-02-28")),
    ("2004-02-01/2005", ("2004-02-01", "2005-12-31"), ("2004-02-01", "2005-12-31")),
    ("2005/2006-02", ("2005-01-01", "2006-02-28"), ("2005-01-01", "2006-02-28")),
    ("-2005/-1999-02", ("-2005-01-01", "-1999-02-28"), "negative years are not supported"),
    # level 1: uncertain / approximate
    ("1984?", ("1984-01-01", "1984-12-31"), ("1983-01-01", "1985-12-31")),
    ("2004-06-11?", ("2004-06-11", "2004-06-11"), ("2004-06-10", "2004-06-12")),
    ("2004-06?", ("2004-06-01", "2004-06-30"), ("2004-05-01", "2004-07-31")),
    ("1984~", ("1984-01-01", "1984-12-31"), ("1983-01-01", "1985-12-31")),
    ("1984%", ("1984-01-01", "1984-12-31"), ("1983-01-01", "1985-12-31")),
    # level 1: unspecified
    ("199X", ("1990-01-01", "1999-12-31"), "unspecified digits in the year"),
    ("19XX", ("1900-01-01", "1999-12-31"), "unspecified digits in the year"),
    ("1999-XX", ("1999-01-01", "1999-12-31"), ("1999-01-01", "1999-12-31")),
    ("1999-01-XX", ("1999-01-01", "1999-01-31"), ("1999-01-01", "1999-01-31")),
    ("1999-XX-XX", ("1999-01-01", "1999-12-31"), ("1999-01-01", "1999-12-31")),
    ("-0275~", ("-0275-01-01", "-0275-12-31"), "negative years are not supported"),
    ("-0001~", ("-0001-01-01", "-0001-12-31"), "negative years are not supported"),
    ("0000~", ("0000-01-01", "0000-12-31"), "year 0000 is not supported"),
    # level 1: extended intervals (blank = unknown end, '..' = open end)
    ("/2006", None, ("0001-01-01", "2006-12-31")),
    ("2004-06-01/", None, ("2004-06-01", "9999-12-31")),
    ("../2006", None, ("0001-01-01", "2006-12-31")),
    ("2004-01-01/..", None, ("2004-01-01", "9999-12-31")),
    ("1984~/2004-06", ("1984-01-01", "2004-06-30"), ("1983-01-01", "2004-06-30")),
    ("1984/2004-06~", ("1984-01-01", "2004-06-30"), ("1984-01-01", "2004-07-31")),
    ("1984?/2004%", ("1984-01-01", "2004-12-31"), ("1983-01-01", "2005-12-31")),
    ("1984~/2004~", ("1984-01-01", "2004-12-31"), ("1983-01-01", "2005-12-31")),
    ("1984-06?/2004-08?", ("1984-06-01", "2004-08-31"), ("1984-05-01", "2004-09-30")),
    ("1984-06-02?/2004-08-08~", ("1984-06-02", "2004-08-08"), ("1984-06-01", "2004-08-09")),
    ("1984-06-02?/", None, ("1984-06-01", "9999-12-31")),
    # level 1: years beyond four digits, seasons
    ("Y170000002", ("170000002-01-01", "170000002-12-31"), "years of more than four digits"),
    ("Y-170000002", ("-170000002-01-01", "-170000002-12-31"), "years of more than four digits"),
    ("2001-21", ("2001-03-01", "2001-05-31"), "seasons (21-24) are not supported"),
    ("2003-22", ("2003-06-01", "2003-08-31"), "seasons (21-24) are not supported"),
    ("2000-23", ("2000-09-01", "2000-11-30"), "seasons (21-24) are not supported"),
    ("2010-24", ("2010-12-01", "2010-12-31"), "seasons (21-24) are not supported"),
    # BAD_EXAMPLES (edtf refuses these too)
    ("not a edtf string", None, "expected EDTF dates"),
    ("2016-13-08", None, "month 13 is not 01..12"),
    ("2016-02-39", None, "day 39 is not 01..29"),
    ("-0000-01-01", None, "negative years are not supported"),
]


@pytest.mark.parametrize(("text", "strict", "ours"), EDTF_LEVEL_0_1, ids=[row[0] for row in EDTF_LEVEL_0_1])
def test_edtf_package_examples(text: str, strict: tuple[str, str] | None, ours: tuple[str, str] | str) -> None:
    """Each level 0/1 example of the edtf package parses to our possible days, or is refused naming why."""
    if isinstance(ours, str):
        with pytest.raises(InvalidDateError) as caught:
            PartialDate.parse(text)
        assert ours in str(caught.value)
        assert repr(text) in str(caught.value)
        return
    date = PartialDate.parse(text)
    assert (date.earliest.isoformat(), date.latest.isoformat()) == ours
    assert str(date) == text  # the text round-trips as written, blank ends included
    if strict is not None:
        # Unqualified, our possible days are edtf's strict bounds; qualified, they contain them.
        if date.qualified:
            assert ours[0] <= strict[0]
            assert ours[1] >= strict[1]
        else:
            assert ours == strict


@pytest.mark.parametrize("text", ["２０１５", "٢٠١٥-05", "2015-0５-08", "1985/２０００", "2015-05-0８~"])
def test_non_ascii_digits_are_refused(text: str) -> None:
    """Digits outside ASCII 0-9 are refused, not converted: '２０１５' is not the year 2015."""
    with pytest.raises(InvalidDateError, match="ASCII digit"):
        PartialDate.parse(text)


def test_to_day_refuses_non_ascii_digits() -> None:
    """An as-of day with non-ASCII digits is refused with the same reason."""
    with pytest.raises(InvalidDateError, match="ASCII digit"):
        to_day("２０１５-05-08")
    with pytest.raises(InvalidDateError, match="ASCII digit"):
        to_day("2015-05-0٨")


def test_quantity_refuses_non_ascii_digits() -> None:
    """The quantity parser (same class of regex) refuses '٣٨ bcm/yr' instead of reading 38."""
    assert str(Quantity.parse("38 bcm/yr")) == "38 bcm/yr"
    with pytest.raises(InvalidQuantityError):
        Quantity.parse("٣٨ bcm/yr")


@pytest.mark.parametrize(
    ("unspecified", "known"),
    [
        ("2015-05-XX~", "2015-05~"),
        ("2015-05-XX?", "2015-05?"),
        ("2019-XX%", "2019%"),
        ("2019-XX-XX~", "2019~"),
        ("2019-XX", "2019"),
        ("2015-05-XX", "2015-05"),
    ],
)
def test_xx_component_has_the_precision_before_it(unspecified: str, known: str) -> None:
    """'2015-05-XX~' has the possible days and precision of '2015-05~': an XX part is not known."""
    a, b = PartialDate.parse(unspecified), PartialDate.parse(known)
    assert (a.earliest, a.latest, a.precision) == (b.earliest, b.latest, b.precision)
    assert str(a) == unspecified  # the text still says what was written


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("9999-12-31~", "9999-12-30", "9999-12-31"),
        ("0001-01-01~", "0001-01-01", "0001-01-02"),
        ("9999-12%", "9999-11-01", "9999-12-31"),
        ("0001-01?", "0001-01-01", "0001-02-28"),
        ("9999~", "9998-01-01", "9999-12-31"),
        ("0001?", "0001-01-01", "0002-12-31"),
        ("9999-12-31?/..", "9999-12-30", "9999-12-31"),
        ("../0001-01-01~", "0001-01-01", "0001-01-02"),
    ],
)
def test_qualified_dates_at_the_calendar_edges_read(text: str, earliest: str, latest: str) -> None:
    """A qualified date at year 1 or 9999 stops at the calendar's end on that side only, and every read works."""
    date = PartialDate.parse(text)
    assert (date.earliest.isoformat(), date.latest.isoformat()) == (earliest, latest)
    assert date.relation_to("5000-01-01") in set(Relation)
    assert not date.exact
    assert PartialDate.parse(str(date)) == date


def test_unknown_end_is_not_an_open_end() -> None:
    """'1985/' (end unknown) prints back as '1985/', differs from '1985/..' (open), and bounds the same days."""
    unknown, open_ = PartialDate.parse("1985/"), PartialDate.parse("1985/..")
    assert str(unknown) == "1985/"
    assert str(open_) == "1985/.."
    assert unknown != open_
    assert unknown.end_unknown
    assert not open_.end_unknown
    assert (unknown.earliest, unknown.latest) == (open_.earliest, open_.latest)
    assert unknown.latest.isoformat() == "9999-12-31"
    # Neither guesses when the interval ended: any day after its start stays uncertain.
    for day in ("1985-06-01", "2100-01-01"):
        assert unknown.relation_to(day) is Relation.UNCERTAIN
        assert open_.relation_to(day) is Relation.UNCERTAIN
    assert unknown.relation_to("1984-12-31") is Relation.AFTER


def test_unknown_start_is_not_an_open_start() -> None:
    """'/2006' (start unknown) prints back as '/2006' and differs from '../2006' (open)."""
    unknown, open_ = PartialDate.parse("/2006"), PartialDate.parse("../2006")
    assert str(unknown) == "/2006"
    assert unknown != open_
    assert unknown.start_unknown
    assert not open_.start_unknown
    assert unknown.earliest.isoformat() == "0001-01-01"
    assert unknown.relation_to("2006-12-31") is Relation.ON_OR_BEFORE
    assert unknown.relation_to("1900-01-01") is Relation.UNCERTAIN


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2015-05-08T10:00", "times of day are not supported"),
        ("2015-05-08 10:00", "times of day are not supported"),
        ("1990/2015-05-08T10:00Z", "times of day are not supported"),
        ("-0044", "negative years are not supported"),
        ("2015-21", "seasons (21-24) are not supported"),
        ("2015-24~", "seasons (21-24) are not supported"),
        ("2015-33", "seasons, quarters and halves (25-41) are not supported"),
        ("201X", "unspecified digits in the year"),
        ("2004?-06-11", "qualifier"),
        ("[1667, 1668]", "sets of dates"),
        ("/", "both ends are open or unknown"),
        ("../", "both ends are open or unknown"),
    ],
)
def test_unsupported_edtf_says_what(text: str, reason: str) -> None:
    """A refused EDTF feature is named in the error, with the text and what is accepted."""
    with pytest.raises(InvalidDateError) as caught:
        PartialDate.parse(text)
    message = str(caught.value)
    assert reason in message
    assert repr(text) in message
    assert "expected EDTF dates" in message


@st.composite
def _point_texts(draw: st.DrawFn) -> str:
    year = draw(st.one_of(st.integers(1, 9999), st.sampled_from((1, 2, 1985, 9998, 9999))))
    text = f"{year:04d}"
    shape = draw(st.sampled_from(("year", "month", "day", "month-x", "day-x", "both-x")))
    if shape in ("month", "day", "day-x"):
        month = draw(st.integers(1, 12))
        text += f"-{month:02d}"
        if shape == "day":
            text += f"-{draw(st.integers(1, calendar.monthrange(year, month)[1])):02d}"
        elif shape == "day-x":
            text += "-XX"
    elif shape == "month-x":
        text += "-XX"
    elif shape == "both-x":
        text += "-XX-XX"
    return text + draw(st.sampled_from(("", "", "?", "~", "%")))


@st.composite
def _edtf_dates(draw: st.DrawFn) -> PartialDate:
    """Points with XX parts and qualifiers at any year, and intervals with closed, open and unknown ends."""
    first = draw(_point_texts())
    shape = draw(st.sampled_from(("point", "closed", "open-start", "open-end", "unknown-start", "unknown-end")))
    if shape == "point":
        return PartialDate.parse(first)
    if shape == "open-start":
        return PartialDate.parse(f"../{first}")
    if shape == "open-end":
        return PartialDate.parse(f"{first}/..")
    if shape == "unknown-start":
        return PartialDate.parse(f"/{first}")
    if shape == "unknown-end":
        return PartialDate.parse(f"{first}/")
    second = draw(_point_texts())
    try:
        return PartialDate.parse(f"{first}/{second}")
    except InvalidDateError:  # second ends before first starts, so the other order is valid
        return PartialDate.parse(f"{second}/{first}")


@given(_edtf_dates(), st.dates())
@example(PartialDate.parse("9999-12-31~"), dt.date(9999, 12, 31))
@example(PartialDate.parse("0001-01-01~"), dt.date(1, 1, 1))
@example(PartialDate.parse("1985/"), dt.date(2000, 1, 1))
@example(PartialDate.parse("/2006"), dt.date(2000, 1, 1))
@example(PartialDate.parse("2015-05-XX~/.."), dt.date(2015, 4, 1))
def test_text_round_trip_and_every_read_works(date: PartialDate, day: dt.date) -> None:
    """parse(str(d)) == d (open and unknown ends kept apart), and earliest, latest and relation_to never fail."""
    again = PartialDate.parse(str(date))
    assert again == date
    assert str(again) == str(date)
    assert (again.start_unknown, again.end_unknown) == (date.start_unknown, date.end_unknown)
    assert date.earliest <= date.latest
    relation = date.relation_to(day)
    assert (relation is Relation.ON_OR_BEFORE) == (date.latest <= day)
    assert (relation is Relation.AFTER) == (day < date.earliest)
    assert date.precision in set(Precision)
