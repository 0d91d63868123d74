"""PartialDate and Quantity accept their text, as their reprs show, and keep every other way of building one."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given

import eurasia_events as ee
from eurasia_events.testing import partial_dates, quantities


@given(partial_dates())
def test_partial_date_repr_round_trips(date: ee.PartialDate) -> None:
    """eval(repr(d)) == d for every valid partial date: PartialDate('2014-05') parses its text."""
    assert eval(repr(date), {"PartialDate": ee.PartialDate}) == date
    assert ee.PartialDate(str(date)) == ee.PartialDate.parse(str(date))


@given(quantities(positive=False))
def test_quantity_repr_round_trips(quantity: ee.Quantity) -> None:
    """eval(repr(q)) == q for every valid quantity: Quantity('38 bcm/yr') parses its text."""
    assert eval(repr(quantity), {"Quantity": ee.Quantity}) == quantity


def test_text_constructors_give_the_parsed_values() -> None:
    """The text forms equal parse's values, with the same errors for bad text."""
    date = ee.PartialDate("2014-05")
    assert (date.earliest.isoformat(), date.latest.isoformat(), date.precision) == (
        "2014-05-01", "2014-05-31", ee.Precision.MONTH)
    assert ee.Quantity("~6 billion USD") == ee.Quantity(Decimal("6e9"), "USD", "~")
    with pytest.raises(ee.InvalidDateError, match="month 13"):
        ee.PartialDate("2014-13")
    with pytest.raises(ee.InvalidDateError, match="expected a string"):
        ee.PartialDate(2014)  # type: ignore[call-overload]
    with pytest.raises(ee.InvalidQuantityError, match="invalid quantity '38'"):
        ee.Quantity("38")


def test_other_constructions_still_work() -> None:
    """Quantities from parts (a text value included), keyword fields and attrs.evolve build as before."""
    assert ee.Quantity("38", "bcm/yr") == ee.Quantity(38, unit="bcm/yr") == ee.Quantity.parse("38 bcm/yr")
    assert attrs.evolve(ee.Quantity("38 bcm/yr"), bound=">") == ee.Quantity.parse(">38 bcm/yr")
    assert str(attrs.evolve(ee.PartialDate("2014-05"), end_unknown=True)) == "2014-05"
    meeting = ee.Meeting(id="m", date="2014-05", title="t", kind="summit", parties=("CN", "RU"),
                         sources=[{"source": "seed-000", "quote": "q"}])
    assert meeting.date == ee.PartialDate("2014-05")
