"""The entity registry: ids, aliases, lookups and helpful errors."""

from __future__ import annotations

import pytest

from eurasia_events import EntityKind, EntityRegistry, InvalidEventError, UnknownEntityError


def test_lookup_by_alias_ignores_case_and_spacing(registries) -> None:
    """Ids, names and aliases resolve, whatever the case and spacing."""
    entities, _ = registries
    assert entities.resolve("  NOVARTIS ").id == "novatek"
    assert entities.resolve("novatec").id == "novatek"
    assert entities.resolve("russian   federation").id == "RU"
    assert entities.resolve("RU").kind is EntityKind.STATE


def test_unknown_name_suggests_closest(registries) -> None:
    """An unknown name raises UnknownEntityError (a KeyError) with the closest matches."""
    entities, _ = registries
    with pytest.raises(UnknownEntityError, match="closest: gazprom") as caught:
        entities.resolve("Gasprom")
    assert isinstance(caught.value, KeyError)


def test_ids_follow_the_conventions() -> None:
    """States use ISO alpha-2 upper case; everything else a lowercase slug."""
    with pytest.raises(InvalidEventError, match="ISO 3166"):
        EntityRegistry.from_records([{"id": "rus", "name": "Russia", "kind": "state"}])
    with pytest.raises(InvalidEventError, match="lowercase slug"):
        EntityRegistry.from_records([{"id": "Gazprom", "name": "Gazprom", "kind": "company"}])


def test_an_alias_belongs_to_one_entity() -> None:
    """A garbled spelling cannot point at two entities."""
    records = [
        {"id": "novatek", "name": "Novatek", "kind": "company", "aliases": ["Novartis"]},
        {"id": "novartis", "name": "Novartis AG", "kind": "company"},
    ]
    with pytest.raises(InvalidEventError, match="already belongs"):
        EntityRegistry.from_records(records)


def test_bundled_registry_round_trips(registries) -> None:
    """The registry written back gives the same registry."""
    entities, _ = registries
    assert EntityRegistry.from_records(entities.to_records()) == entities
    assert len(entities) > 50
