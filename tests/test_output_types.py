"""Typed JSON and CSV, humanised tables fitted to a width, one notation for date ranges."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eurasia_events as ee
from eurasia_events.cli import main
from eurasia_events.quantities import Quantity
from eurasia_events.tables import dumps, fit, human_date, render

LOG = ee.load()


def test_json_quantities_are_exact_numbers_with_units() -> None:
    """A quantity is {"value": number, "unit"} in JSON, its decimal digits kept exactly; a bound is kept."""
    text = render(["a", "b", "c"], [{"a": Quantity.parse("42.876 billion USD"), "b": Quantity.parse("0.1 bcm"),
                                     "c": Quantity.parse("~10 Mt/yr")}], "json")
    row = json.loads(text, parse_float=Decimal)[0]
    assert row["a"] == {"value": 42876000000, "unit": "USD"}
    assert row["b"] == {"value": Decimal("0.1"), "unit": "bcm"}
    assert row["c"] == {"value": 10, "unit": "Mt/yr", "bound": "~"}


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_dumps_writes_every_decimal_as_an_exact_json_number(value: Decimal) -> None:
    """Any finite Decimal survives dumps -> json.loads(parse_float=Decimal) unchanged, as a number."""
    loaded = json.loads(dumps({"v": value}), parse_float=Decimal, parse_int=Decimal)["v"]
    assert isinstance(loaded, Decimal)
    assert loaded == value


def test_view_json_is_typed() -> None:
    """Volumes give quantities, booleans and dates with bounds; the summary gives counts as numbers."""
    volumes = json.loads(LOG.as_of("2020-01-01").volumes("pipeline_gas").render("json"))
    row = next(r for r in volumes if r["agreement"] == "gazprom-cnpc-eastern-2014")
    assert row["annual_volume"] == {"value": 38, "unit": "bcm/yr"}
    assert row["binding"] is True
    summary = {r["item"]: r for r in json.loads(LOG.as_of("2000-01-01").summary().render("json"))}
    assert (summary["agreements in force"]["certain"], summary["agreements in force"]["possible"]) == (0, 1)
    assert summary["agreements in force"]["value"] == "0 (possibly 1)"


def test_json_dates_carry_their_text_and_possible_days() -> None:
    """A partial date becomes {"text", "earliest", "latest"}; an open end is null."""
    timeline = json.loads(LOG.timeline(kind="forum").render("json"))
    first = timeline[0]["date"]
    assert first == {"text": "2017-05-14/2017-05-15", "earliest": "2017-05-14", "latest": "2017-05-15"}
    agreements = json.loads(LOG.as_of("2020-01-01").agreements().render("json"))
    outline = next(r for r in agreements if r["agreement"] == "space-cooperation-outline-2013-2017")
    assert outline["signed"] == {"text": "..2013-12-31", "earliest": None, "latest": "2013-12-31"}


def test_diff_rows_have_structured_before_and_after() -> None:
    """diff's before/after are objects with typed fields (null when the row is absent), not 'k=v' text."""
    rows = json.loads(LOG.diff("2014-01-01", "2016-01-01").render("json"))
    entered = next(r for r in rows if r["change"] == "entered" and r["view"] == "agreements")
    assert entered["before"] is None
    assert isinstance(entered["after"]["certain"], bool)
    assert isinstance(entered["after"]["status"], str)


def test_csv_splits_quantities_and_dates_into_typed_columns() -> None:
    """CSV: a quantity column c gives c_value, c_unit, c_bound; a date column gives c, c_earliest, c_latest."""
    rows = list(csv.DictReader(io.StringIO(LOG.as_of("2024-01-01").finance().render("csv"))))
    loan = next(r for r in rows if r["event"] == "2009-02-17-cdb-rosneft-loan")
    assert (loan["amount_value"], loan["amount_unit"], loan["amount_bound"]) == ("15000000000", "USD", "")
    assert (loan["date"], loan["date_earliest"], loan["date_latest"]) == ("2009-02-17", "2009-02-17", "2009-02-17")
    assert "amount" not in loan


def test_an_empty_view_has_the_same_csv_header_as_a_full_one(capsys: pytest.CaptureFixture[str]) -> None:
    """The command line takes the CSV header from the view's row type, so no rows does not change the columns."""
    assert main(["as-of", "1990-01-01", "volumes", "--format", "csv"]) == 0
    empty = capsys.readouterr().out.splitlines()
    assert main(["as-of", "2020-01-01", "volumes", "--format", "csv"]) == 0
    full = capsys.readouterr().out.splitlines()
    assert len(empty) == 1 < len(full)
    assert empty[0] == full[0]
    assert "annual_volume_value" in empty[0]


def test_tables_humanise_amounts_and_use_one_range_notation() -> None:
    """Tables show 15 bn USD, never 15000000000 USD, and write every range START..END (no '/')."""
    table = LOG.as_of("2024-01-01").finance().render("table")
    assert "15 bn USD" in table
    assert "15000000000" not in table
    assert "2005..2008" in table
    dates = [line.split()[1] for line in table.splitlines()[2:] if line.strip() and not line.startswith("total")]
    assert dates
    assert not [d for d in dates if "/" in d]


def test_human_date_collapses_whole_months_and_years() -> None:
    """A range of possible days that covers whole months or years reads as those months or years."""
    assert human_date("2014-05-01..2014-05-31") == "2014-05"
    assert human_date("2014-01-01..2015-12-31") == "2014..2015"
    assert human_date("2014-05-03..2014-05-31") == "2014-05-03..2014-05"
    assert human_date("2014-05-21") == "2014-05-21"


def test_fit_keeps_every_line_within_the_width_and_the_key_whole() -> None:
    """A fitted table is no wider than asked; the first column stays; hidden columns are named."""
    view = LOG.as_of("2020-01-01").agreements()
    told: list[list[str]] = []
    values = [{c: getattr(r, c) for c in view.columns} for r in view.rows]
    text = render(view.columns, values, "table", row_type=type(view.rows[0]), width=100, hidden=told.append)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert text.startswith("agreement")
    assert "treaty-good-neighbourliness-2001" in text
    assert told
    assert told[0][:2] == ["events", "ratified"]
    assert "events" not in text.splitlines()[0]


def test_fit_leaves_a_narrow_table_alone() -> None:
    """A table that fits is returned unchanged, nothing hidden."""
    columns, body, hidden = fit(["a", "b"], [["1", "2"]], 80)
    assert (columns, body, hidden) == (["a", "b"], [["1", "2"]], [])
