"""Quantities: exact decimals, units, and refusing to mix dimensions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given

from eurasia_events import InvalidQuantityError, Quantity, UnitMismatchError
from eurasia_events.testing import quantities


def test_stated_figures_stay_exact() -> None:
    """42.876 + 41.195 is 84.071, not a float approximation."""
    total = Quantity.parse("42.876 billion USD") + Quantity.parse("41.195 billion USD")
    assert total == Quantity(Decimal("84071000000"), "USD")
    assert total.describe() == "84.071 billion USD"
    assert str(Quantity.parse("42.876 bcm") + Quantity.parse("41.195 bcm")) == "84.071 bcm"


def test_rate_times_duration_is_an_amount() -> None:
    """38 bcm/yr for 30 years is 1140 bcm; a rate times a rate is an error."""
    assert Quantity.parse("38 bcm/yr") * Quantity.parse("30 years") == Quantity.parse("1140 bcm")
    assert Quantity.parse("30 years") * Quantity.parse("15 Mt/yr") == Quantity.parse("450 Mt")
    with pytest.raises(UnitMismatchError):
        Quantity.parse("38 bcm/yr") * Quantity.parse("38 bcm/yr")


@pytest.mark.parametrize(("left", "right"), [("1 bcm/yr", "1 Mt/yr"), ("5 USD", "5 RUB"), ("1 km", "1 %")])
def test_incompatible_units_do_not_add(left: str, right: str) -> None:
    """No hidden conversion: different dimensions (and currencies) raise UnitMismatchError."""
    with pytest.raises(UnitMismatchError, match="cannot add"):
        Quantity.parse(left) + Quantity.parse(right)


def test_same_dimension_converts() -> None:
    """Units of one dimension convert exactly (bcm and m3, Mt and t)."""
    assert Quantity.parse("1 bcm") + Quantity.parse("500000000 m3") == Quantity.parse("1.5 bcm")
    assert Quantity.parse("15 Mt/yr").to("t/yr") == Quantity.parse("15000000 t/yr")


@pytest.mark.parametrize("text", ["38", "bcm", "38 furlongs", "1e5 USD", "NaN USD", "38 bcm /yr", ""])
def test_invalid_text(text: str) -> None:
    """Unparseable quantities raise InvalidQuantityError naming the text."""
    with pytest.raises(InvalidQuantityError):
        Quantity.parse(text)


def test_bounds_are_kept() -> None:
    """'more than' and 'about' survive parsing and printing."""
    q = Quantity.parse(">176 billion USD")
    assert q.bound == ">"
    assert str(q) == ">176000000000 USD"
    assert q.describe() == "more than 176 billion USD"
    assert Quantity.parse(str(q)) == q


@given(quantities(["bcm/yr"]), quantities(["bcm/yr"]), quantities(["bcm/yr"]))
def test_addition_laws(a: Quantity, b: Quantity, c: Quantity) -> None:
    """Addition within a unit is commutative and associative in value, exactly."""
    assert (a + b).value == (b + a).value
    assert ((a + b) + c).value == (a + (b + c)).value
    assert (a + b - b).value == a.value


@given(quantities())
def test_text_round_trip(q: Quantity) -> None:
    """parse(str(q)) == q for every unit and bound."""
    assert Quantity.parse(str(q)) == q


@given(quantities(["USD", "EUR", "RUB", "CNY"]), quantities(["USD", "EUR", "RUB", "CNY"]))
def test_currencies_never_mix(a: Quantity, b: Quantity) -> None:
    """Two amounts add only in the same currency."""
    if a.unit == b.unit:
        assert (a + b).unit == a.unit
    else:
        with pytest.raises(UnitMismatchError):
            a + b
