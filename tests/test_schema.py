"""JSON Schemas: every record of the bundled log and every command's JSON output validate against theirs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

import eurasia_events as ee
from eurasia_events.cli import _parser, main
from eurasia_events.events import EVENT_TYPES
from eurasia_events.query import VIEW_NAMES
from eurasia_events.schema import VIEW_ROWS, schema, schema_names

LOG_FILE = ee.bundled_path() / "log.jsonl"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def validator(name: str) -> jsonschema.Draft202012Validator:
    found = schema(name)
    jsonschema.Draft202012Validator.check_schema(found)
    return jsonschema.Draft202012Validator(found)


def errors(name: str, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator(name).iter_errors(data)]


def test_every_schema_is_a_valid_draft_2020_12_schema() -> None:
    """Each named schema is itself valid JSON Schema, and every event type has one."""
    names = schema_names()
    assert {f"event.{t}" for t in EVENT_TYPES} <= set(names)
    for name in names:
        jsonschema.Draft202012Validator.check_schema(schema(name))


def test_every_record_of_the_bundled_log_validates() -> None:
    """Each line of events/log.jsonl validates against the record schema and its type's event schema."""
    lines = LOG_FILE.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 100
    records = validator("record")
    for number, line in enumerate(lines, start=1):
        record = json.loads(line)
        problems = [e.message[:200] for e in records.iter_errors(record)]
        problems += errors(f"event.{record['type']}", record["data"])
        assert not problems, f"log.jsonl:{number}: {problems}"


@pytest.mark.parametrize(("change", "where"), [
    (lambda r: r["data"].update(colour="red"), "unknown field"),
    (lambda r: r["data"].update(kind="party"), "a kind outside the choices"),
    (lambda r: r["data"].update(date="2015-13"), "an impossible month pattern"),
    (lambda r: r["data"].pop("title"), "a missing required field"),
    (lambda r: r["data"].update(parties=["RU", "RU"]), "a party twice"),
    (lambda r: r["data"].update(sources=[]), "no source"),
    (lambda r: r.update(hash="x"), "a bad hash"),
])
def test_the_record_schema_refuses_what_the_codec_refuses(change: Any, where: str) -> None:
    """A meeting record with one thing wrong fails the schema (the schema is not vacuous)."""
    line = next(line for line in LOG_FILE.read_text(encoding="utf-8").splitlines() if '"type":"meeting"' in line)
    record = json.loads(line)
    check = validator("record")
    assert check.is_valid(record)
    change(record)
    assert not check.is_valid(record), where


def test_quantity_patterns_follow_the_declared_dimensions() -> None:
    """A loan's amount accepts money, refuses a gas volume; a supply contract's volume the reverse."""
    loan = validator("event.loan").schema["properties"]["amount"]
    money = jsonschema.Draft202012Validator(loan)
    assert money.is_valid("~6 billion USD")
    assert not money.is_valid("38 bcm/yr")
    contract = jsonschema.Draft202012Validator(schema("event.supply_contract")["properties"]["annual_volume"])
    assert contract.is_valid("38 bcm/yr")
    assert not contract.is_valid("38 USD")


def _json_commands() -> dict[str, argparse.ArgumentParser]:
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    return {name: p for name, p in commands.items()
            if any(a.dest == "format" and a.choices and "json" in a.choices for a in p._actions)}


# One invocation per command that prints JSON rows, with the schema it must satisfy; as-of
# views are added below, one per view.
CASES: list[tuple[str, list[str]]] = [
    ("timeline", ["timeline", "--from", "2014-01-01", "--to", "2016-12-31"]),
    ("diff", ["diff", "2014-01-01", "2016-01-01"]),
    ("series", ["series", "gas", "2012-01-01", "2020-01-01"]),
    ("series", ["series", "agreements", "2000-01-01", "2003-01-01"]),
    ("entities", ["entities"]),
    ("show", ["show", "2014-05-21-pos-gas-contract"]),
    ("coverage", ["coverage"]),
    ("between", ["between", "2015-05", "2015-06"]),
    ("since", ["since", "2025-01-01"]),
    ("history", ["history", "gazprom"]),
    ("as-of.designations", ["as-of", "2024-06-01", "designations", "--measure", "eu-2014-07-sectoral"]),
    *[(f"as-of.{view}", ["as-of", "2026-01-01", view]) for view in VIEW_NAMES],
]


# Commands whose JSON needs a log the bundled one is not (it holds no coded interaction):
# their output is validated against the schema where such a log is made.
ELSEWHERE = {"interactions": "tests/test_interactions.py::test_cli_prints_the_view_as_json"}


def test_every_json_command_has_a_schema_and_a_case() -> None:
    """Each sub-command taking --format json has an output schema and is exercised below."""
    names = set(schema_names())
    for command in _json_commands():
        if command == "as-of":
            assert {f"as-of.{v}" for v in VIEW_NAMES} <= names
            continue
        assert command in names, f"no schema for the JSON output of {command!r}"
        assert command in ELSEWHERE or any(args[0] == command for _, args in CASES), \
            f"no case runs {command!r} --format json"
    assert set(VIEW_NAMES) <= set(VIEW_ROWS)


@pytest.mark.parametrize(("name", "args"), CASES, ids=[" ".join(a) for _, a in CASES])
def test_every_json_output_validates_against_its_schema(name: str, args: list[str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON a command prints on the bundled log satisfies the schema `eurasia-events schema NAME` prints."""
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data, "an empty output proves nothing: pick a case with rows"
    assert not errors(name, data)[:5]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents are not beside the repository")
def test_coverage_by_source_json_validates(capsys: pytest.CaptureFixture[str]) -> None:
    """coverage --sources --format json satisfies the coverage.sources schema."""
    assert main(["coverage", "--sources", str(SEEDS), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data
    assert not errors("coverage.sources", data)[:5]


def test_schema_command_lists_and_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """`eurasia-events schema` lists the names; `schema NAME` prints that schema as JSON; an unknown name is exit 1."""
    assert main(["schema"]) == 0
    assert capsys.readouterr().out.split() == schema_names()
    assert main(["schema", "as-of.volumes"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["items"]["properties"]["annual_volume"] == {"$ref": "#/$defs/quantity"}
    assert main(["schema", "nope"]) == 1
    assert "no schema named 'nope'" in capsys.readouterr().err


def test_schemas_are_generated_from_the_declarations() -> None:
    """A field's doc and choices come from its attrs metadata, not a copy."""
    meeting = schema("event.meeting")
    field = next(f for f in ee.Meeting.__attrs_attrs__ if f.name == "kind")
    assert meeting["properties"]["kind"]["enum"] == list(field.metadata["choices"])
    assert meeting["properties"]["kind"]["description"] == field.metadata["doc"]
    assert set(meeting["required"]) == {f.name for f in attrs.fields(ee.Meeting) if f.default is attrs.NOTHING}
