"""Figures with their units, kept exact.

A :class:`Quantity` holds a :class:`~decimal.Decimal` and a unit, so a stated figure
stays what the source said (``42.876 + 41.195`` is ``84.071``). Quantities of different
dimensions (gas volume and oil mass, dollars and roubles) never add: there is no hidden
currency conversion.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final, overload

import attrs

from .errors import InvalidQuantityError, UnitMismatchError

__all__ = ["UNITS", "Quantity", "Unit"]


@attrs.frozen
class Unit:
    """A unit: its symbol, its dimension, its size in the dimension's base unit."""

    symbol: str
    dimension: str
    factor: Decimal
    per_year: bool = False


def _units() -> dict[str, Unit]:
    table = [
        ("bcm", "gas volume", "1e9"),
        ("m3", "gas volume", "1"),
        ("Mt", "mass", "1e6"),
        ("t", "mass", "1"),
        ("km", "length", "1"),
        ("%", "share", "1"),
        ("years", "duration", "1"),
    ]
    units = {sym: Unit(sym, dim, Decimal(f)) for sym, dim, f in table}
    for sym, dim, f in table[:4]:
        units[f"{sym}/yr"] = Unit(f"{sym}/yr", f"{dim} per year", Decimal(f), per_year=True)
    for currency in ("USD", "EUR", "RUB", "CNY"):
        # Each currency is its own dimension: USD + RUB is an error, not a number.
        units[currency] = Unit(currency, f"money ({currency})", Decimal(1))
    return units


UNITS: Final[dict[str, Unit]] = _units()
"""Every unit this library knows, by symbol."""

_SCALES: Final = {"thousand": "1e3", "million": "1e6", "mn": "1e6", "billion": "1e9", "bn": "1e9", "trillion": "1e12"}
# The unit does not start with a digit, so "38" is refused as a number without a unit, not read as 3 of unit "8".
_TEXT = re.compile(
    r"\s*([~<>]?)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(?:(thousand|million|mn|billion|bn|trillion)\s+)?([^\s0-9.]\S*)\s*"
)
_BOUNDS: Final = {"": "", "~": "about", ">": "more than", "<": "less than"}


_PARSED: dict[str, Quantity] = {}
_PARSED_LIMIT: Final = 100_000


def _plain(value: Decimal) -> str:
    """Decimal as plain digits, no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _decimal(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@attrs.frozen(repr=False, init=False)
class Quantity:
    """A figure with a unit, optionally bounded (``~`` about, ``>`` more than, ``<`` less than).

    Build one from text, ``Quantity("38 bcm/yr")`` (as its repr shows) or :meth:`parse`
    (which shares one value per distinct text), or from its parts, ``Quantity(38, "bcm/yr")``.

    >>> Quantity.parse("42.876 billion USD") + Quantity.parse("41.195 billion USD")
    Quantity('84071000000 USD')
    >>> Quantity.parse("38 bcm/yr") * Quantity.parse("30 years")
    Quantity('1140 bcm')
    """

    value: Decimal = attrs.field(converter=_decimal)
    """The number, exact."""
    unit: str = attrs.field()
    """A symbol from :data:`UNITS`."""
    bound: str = attrs.field(default="")
    """``""`` exact, ``"~"`` about, ``">"`` more than, ``"<"`` less than."""

    @overload
    def __init__(self, text: str, /) -> None: ...

    @overload
    def __init__(self, value: Decimal | int | str, unit: str, bound: str = "") -> None: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Text alone (``Quantity("~6 billion USD")``), or a value, a unit and an optional bound."""
        if len(args) == 1 and not kwargs and isinstance(args[0], str):
            args = attrs.astuple(Quantity.parse(args[0]), recurse=False)
        self.__attrs_init__(*args, **kwargs)

    @value.validator
    def _check_value(self, _: attrs.Attribute[Decimal], value: Decimal) -> None:
        if not value.is_finite():
            raise InvalidQuantityError(f"invalid quantity value {value}: it must be a finite number")

    @unit.validator
    def _check_unit(self, _: attrs.Attribute[str], unit: str) -> None:
        if unit not in UNITS:
            raise InvalidQuantityError(f"unknown unit {unit!r}: expected one of {', '.join(UNITS)}")

    @bound.validator
    def _check_bound(self, _: attrs.Attribute[str], bound: str) -> None:
        if bound not in _BOUNDS:
            raise InvalidQuantityError(f"invalid bound {bound!r}: expected '', '~', '>' or '<'")

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """Parse ``"38 bcm/yr"``, ``"~6 billion USD"``, ``">176 billion USD"``, ``"9.9 %"``."""
        found = _PARSED.get(text) if isinstance(text, str) else None
        if found is None:
            found = cls._parse(text)
            if len(_PARSED) < _PARSED_LIMIT:
                _PARSED[text] = found  # figures repeat; the value is immutable, so share it
        return found

    @classmethod
    def _parse(cls, text: str) -> Quantity:
        match = _TEXT.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise InvalidQuantityError(
                f"invalid quantity {text!r}: expected 'NUMBER [million|billion] UNIT', "
                f"optionally after '~', '>' or '<', e.g. '38 bcm/yr' or '~6 billion USD'"
            )
        bound, number, scale, unit = match.groups()
        value = Decimal(number)
        if scale:
            value = value * Decimal(_SCALES[scale])
        return cls(value.normalize() if value == value.to_integral() else value, unit, bound)

    @property
    def dimension(self) -> str:
        """What the unit measures, e.g. ``'gas volume per year'`` or ``'money (USD)'``."""
        return UNITS[self.unit].dimension

    def to(self, unit: str) -> Quantity:
        """The same quantity in another unit of the same dimension (``bcm`` to ``m3``)."""
        target = UNITS.get(unit)
        if target is None:
            raise InvalidQuantityError(f"unknown unit {unit!r}: expected one of {', '.join(UNITS)}")
        if target.dimension != self.dimension:
            raise UnitMismatchError(f"cannot convert {self} to {unit}: {self.dimension} is not {target.dimension}")
        value = self.value * UNITS[self.unit].factor / target.factor
        return Quantity(value, unit, self.bound)

    def _combined_bound(self, other: Quantity) -> str:
        return self.bound if self.bound == other.bound else "~"

    def __add__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        if other.dimension != self.dimension:
            raise UnitMismatchError(f"cannot add {other} to {self}: {other.dimension} is not {self.dimension}")
        right = other.to(self.unit)
        return Quantity(self.value + right.value, self.unit, self._combined_bound(other))

    def __radd__(self, other: object) -> Quantity:
        if other == 0:  # lets sum() start from its default 0
            return self
        return NotImplemented

    def __sub__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self + (-other)

    def __neg__(self) -> Quantity:
        return Quantity(-self.value, self.unit, self.bound)

    def __mul__(self, other: object) -> Quantity:
        if isinstance(other, (int, Decimal)) and not isinstance(other, bool):
            return Quantity(self.value * other, self.unit, self.bound)
        if not isinstance(other, Quantity):
            return NotImplemented
        rate, duration = (self, other) if UNITS[self.unit].per_year else (other, self)
        if not UNITS[rate.unit].per_year or duration.unit != "years":
            raise UnitMismatchError(
                f"cannot multiply {self} by {other}: only a rate per year times years gives an amount"
            )
        amount_unit = rate.unit.removesuffix("/yr")
        return Quantity(rate.value * duration.value, amount_unit, rate._combined_bound(duration))

    __rmul__ = __mul__

    def _compare_key(self, other: Quantity) -> tuple[Decimal, Decimal]:
        if other.dimension != self.dimension:
            raise UnitMismatchError(f"cannot compare {self} with {other}: {self.dimension} is not {other.dimension}")
        return self.value * UNITS[self.unit].factor, other.value * UNITS[other.unit].factor

    def __lt__(self, other: Quantity) -> bool:
        left, right = self._compare_key(other)
        return left < right

    def __le__(self, other: Quantity) -> bool:
        left, right = self._compare_key(other)
        return left <= right

    def __str__(self) -> str:
        return f"{self.bound}{_plain(self.value)} {self.unit}"

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def describe(self) -> str:
        """Human text with a scale word: ``'more than 176 billion USD'``."""
        value = self.value
        scale = ""
        for word, size in (("trillion", Decimal("1e12")), ("billion", Decimal("1e9")), ("million", Decimal("1e6"))):
            if abs(value) >= size and UNITS[self.unit].dimension.startswith("money"):
                value, scale = value / size, f" {word}"
                break
        prefix = _BOUNDS[self.bound] + " " if self.bound else ""
        return f"{prefix}{_plain(value)}{scale} {self.unit}"

