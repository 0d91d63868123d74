"""Actors and things the events talk about, looked up by id or by any alias.

The registry is data (``events/entities.json``), reviewable like the log. Ids are ISO
3166-1 alpha-2 codes for states (``RU``, ``CN``) and lowercase slugs for everything else
(``gazprom``, ``eaeu``, ``putin``). Garbled spellings from machine translation are
aliases of the real entity, never entities of their own.
"""

from __future__ import annotations

import difflib
import enum
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .errors import InvalidEventError, UnknownEntityError

__all__ = ["Entity", "EntityKind", "EntityRegistry"]

_STATE_ID = re.compile(r"[A-Z]{2}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


class EntityKind(enum.Enum):
    """What sort of actor an entity is."""

    STATE = "state"
    ORGANISATION = "organisation"
    COMPANY = "company"
    BANK = "bank"
    FUND = "fund"
    PERSON = "person"
    AGENCY = "agency"
    PROJECT = "project"


def read_registry(path: str | Path, what: str) -> list[Any]:
    """The JSON list a registry file holds; errors name the file."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except RecursionError:
        raise InvalidEventError(f"{path}: cannot read the {what}: JSON nested too deeply") from None
    except (OSError, ValueError) as error:  # ValueError: bad JSON, bad UTF-8, an integer too long to read
        raise InvalidEventError(f"{path}: cannot read the {what}: {error}") from None
    if not isinstance(records, list):
        raise InvalidEventError(f"{path}: the {what} must be a JSON list")
    return records


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


# Converters are plain functions rather than the types themselves: attrs reads a converter's
# signature, and a built-in's (``tuple``, an enum) is parsed from text, which costs the first
# import 2-3 ms (``tokenize`` compiles its patterns).
def _kind(value: str) -> EntityKind:
    return EntityKind(value)


def _aliases(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Entity:
    """One actor: a state, an organisation, a company, a bank, a fund, a person, a project."""

    id: str
    """``RU`` for a state (ISO 3166-1 alpha-2), a lowercase slug otherwise."""
    name: str
    """Display name."""
    kind: EntityKind = attrs.field(converter=_kind)
    """What sort of actor it is."""
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_aliases)
    """Other names, including garbled spellings found in sources."""

    def __attrs_post_init__(self) -> None:
        for name in ("id", "name"):
            if type(getattr(self, name)) is not str:
                raise InvalidEventError(f"entity {name} must be text, got {getattr(self, name)!r:.80}", field=name)
        for alias in self.aliases:
            if type(alias) is not str:
                raise InvalidEventError(f"entity {self.id!r}: an alias must be text, got {alias!r:.80}",
                                        field="aliases")
        pattern = _STATE_ID if self.kind is EntityKind.STATE else _SLUG
        if not pattern.fullmatch(self.id):
            want = "two upper-case letters (ISO 3166-1)" if self.kind is EntityKind.STATE else "a lowercase slug"
            raise InvalidEventError(f"entity id {self.id!r} must be {want}", field="id")
        if not self.name.strip():
            raise InvalidEventError(f"entity {self.id!r} has an empty name", field="name")


@attrs.frozen
class EntityRegistry(Mapping[str, Entity]):
    """All known entities; a mapping from id to :class:`Entity` that also resolves aliases.

    >>> reg = EntityRegistry.from_records([{"id": "novatek", "name": "Novatek",
    ...     "kind": "company", "aliases": ["Novartis"]}])
    >>> reg.resolve("  NOVARTIS ").id
    'novatek'
    """

    _by_id: dict[str, Entity]
    _by_name: dict[str, str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, str] = {}
        for entity in self._by_id.values():
            for name in (entity.id, entity.name, *entity.aliases):
                key = _normal(name)
                owner = by_name.setdefault(key, entity.id)
                if owner != entity.id:
                    raise InvalidEventError(
                        f"entity {entity.id!r}: name or alias {name!r} already belongs to {owner!r}"
                    )
        object.__setattr__(self, "_by_name", by_name)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, file: str | None = None) -> EntityRegistry:
        """Build from plain dicts (as stored in ``entities.json``)."""
        by_id: dict[str, Entity] = {}
        for index, record in enumerate(records):
            where = f"{file or 'entities'} entry {index}"
            if not isinstance(record, Mapping):
                raise InvalidEventError(f"{where}: expected an object with id, name, kind, aliases; got {record!r:.80}")
            aliases = record.get("aliases", ())
            if not isinstance(aliases, (list, tuple)):  # a bare string would become one alias per letter
                raise InvalidEventError(f"{where}: 'aliases' must be a list of names, got {aliases!r:.80}")
            try:
                entity = Entity(id=record["id"], name=record["name"], kind=record["kind"], aliases=aliases)
            except KeyError as missing:
                raise InvalidEventError(f"{where}: missing field {missing}") from None
            except (TypeError, ValueError) as error:  # a kind that is not one, an unhashable value
                raise InvalidEventError(f"{where}: {error}") from None
            if entity.id in by_id:
                raise InvalidEventError(f"{where}: duplicate entity id {entity.id!r}")
            by_id[entity.id] = entity
        return cls(by_id)

    @classmethod
    def from_file(cls, path: str | Path) -> EntityRegistry:
        """Read a JSON list of entities."""
        return cls.from_records(read_registry(path, "entity registry"), file=str(path))

    def to_records(self) -> list[dict[str, Any]]:
        """Plain dicts, as stored."""
        return [
            {"id": e.id, "name": e.name, "kind": e.kind.value, "aliases": list(e.aliases)}
            for e in self._by_id.values()
        ]

    def __getitem__(self, entity_id: str) -> Entity:
        try:
            return self._by_id[entity_id]
        except KeyError:
            raise self._unknown(entity_id) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def resolve(self, name: str) -> Entity:
        """The entity whose id, name or alias is ``name`` (case and spacing ignored)."""
        entity_id = self._by_name.get(_normal(name))
        if entity_id is None:
            raise self._unknown(name)
        return self._by_id[entity_id]

    def search(self, query: str) -> list[Entity]:
        """Entities whose id, name or an alias contains ``query``, then close spellings."""
        needle = _normal(query)
        found = [e for e in self._by_id.values() if any(needle in _normal(n) for n in (e.id, e.name, *e.aliases))]
        if not found:
            close = difflib.get_close_matches(needle, self._by_name, n=5, cutoff=0.6)
            found = list({self._by_name[c]: self._by_id[self._by_name[c]] for c in close}.values())
        return found

    def closest(self, name: str, n: int = 3) -> list[str]:
        """Display strings of the closest known names, for error messages."""
        close = difflib.get_close_matches(_normal(name), self._by_name, n=3 * n, cutoff=0.5)
        ids = list(dict.fromkeys(self._by_name[c] for c in close))[:n]
        return [f"{i} ({self._by_id[i].name})" for i in ids]

    def _unknown(self, name: str) -> UnknownEntityError:
        close = self.closest(name)
        hint = f"; closest: {', '.join(close)}" if close else ""
        return UnknownEntityError(f"unknown entity {name!r}{hint}")
