"""Which rows of an event dataset are between two given actors, and in which direction.

A :class:`Dyad` names two entities of the registry (``Dyad("CN", "RU", log.entities)``)
and recognises a dataset row whose one side is the first and the other side the second,
either way round. A side is recognised

- by its country field, for a state: ICEWS writes country names ("China", "Russian
  Federation"), GDELT the 3-letter CAMEO country code of the actor ("CHN", "RUS"),
  POLECAT ISO 3166-1 alpha-3 codes (several, separated by ``;``, when an actor has more
  than one). A state's names and aliases in the registry and its alpha-3 code (the table
  below) are what a country field is compared with;
- by its actor name, for any entity: the name equals the entity's name or one of its
  aliases, case and spacing ignored ("CHINA", "Beijing", "VLADIMIR PUTIN" only if the
  registry lists the spelling).

The alpha-3 codes of the registry's states follow ISO 3166-1 (ISO 3166 Maintenance
Agency, https://www.iso.org/iso-3166-country-codes.html); for these states the CAMEO
country codes GDELT writes in ``Actor1CountryCode`` are the same letters, and ICEWS's
country names map to them as in Philip Schrodt's ``countrynames.txt`` ("translates
country names to ISO-3166-alpha-3", https://github.com/openeventdata/text_to_CAMEO).

Reading a million-row file is dominated by the rows outside the dyad, so a dyad also
gives byte strings (:meth:`Dyad.needles`) that every line of one of its rows must
contain; the readers search the raw bytes for them before splitting or decoding a line
(:func:`eurasia_events.interchange.formats.read_rows`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import attrs

from eurasia_events.entities import EntityKind, EntityRegistry
from eurasia_events.errors import InvalidEventError

if TYPE_CHECKING:
    from eurasia_events.interchange.formats import DatasetRow

__all__ = ["ISO_ALPHA3", "Dyad", "DyadMatch"]

ISO_ALPHA3: dict[str, str] = {
    # registry id (ISO 3166-1 alpha-2) -> ISO 3166-1 alpha-3 (= CAMEO country code for these)
    "AM": "ARM",
    "AU": "AUS",
    "BY": "BLR",
    "CA": "CAN",
    "CH": "CHE",
    "CN": "CHN",
    "ES": "ESP",
    "GB": "GBR",
    "JP": "JPN",
    "KG": "KGZ",
    "KZ": "KAZ",
    "MN": "MNG",
    "NO": "NOR",
    "RU": "RUS",
    "TR": "TUR",
    "UA": "UKR",
    "US": "USA",
    "UZ": "UZB",
}
"""ISO 3166-1 alpha-3 codes of the registry's states, by registry id (alpha-2)."""

_PRINTABLE_RUN = re.compile(rb"[\x21-\x7e]+")


def _normal(text: str) -> str:
    # the registry's own normalisation (entities._normal): spacing collapsed, case folded
    return " ".join(text.split()).casefold()


@attrs.frozen
class DyadMatch:
    """The two sides of a row that is between the dyad's entities."""

    initiator: str
    """Registry id of the row's source (ICEWS Source, GDELT Actor1, POLECAT Actor)."""
    recipient: str
    """Registry id of the row's target (ICEWS Target, GDELT Actor2, POLECAT Recipient)."""

    @property
    def direction(self) -> str:
        """``"CN->RU"``: initiator first."""
        return f"{self.initiator}->{self.recipient}"


class Dyad:
    """Two registry entities; recognises the dataset rows between them, in either direction.

    Args:
        a: the first entity: an id, name or alias (``"CN"``, ``"China"``, ``"PRC"``).
        b: the second entity, likewise.
        entities: the registry that resolves them (``log.entities``).

    Raises:
        UnknownEntityError: a name the registry does not know (the message lists the closest).
        InvalidEventError: both names are the same entity.

    >>> import eurasia_events as ee
    >>> dyad = Dyad("China", "Russian Federation", ee.load().entities)
    >>> dyad.a, dyad.b
    ('CN', 'RU')
    >>> dyad.sides("Vladimir Putin", "Russian Federation", "CHINA", "").direction
    'RU->CN'
    """

    __slots__ = ("_keys_a", "_keys_b", "_known", "_names_a", "_names_b", "_needles_a", "_needles_b", "a", "b")

    def __init__(self, a: str, b: str, entities: EntityRegistry) -> None:
        first, second = entities.resolve(a), entities.resolve(b)
        if first.id == second.id:
            raise InvalidEventError(f"a dyad needs two different entities; {a!r} and {b!r} are both {first.id!r}")
        self.a: str = first.id
        """Registry id of the first entity."""
        self.b: str = second.id
        """Registry id of the second entity."""
        self._names_a, self._keys_a = self._keys(entities, first.id)
        self._names_b, self._keys_b = self._keys(entities, second.id)
        self._needles_a = _needles(entities, first.id)
        self._needles_b = _needles(entities, second.id)
        # Actors recur (a dataset names the same few thousand again and again): each
        # (name, country) pair is worked out once, up to _KNOWN_LIMIT pairs.
        self._known: dict[tuple[str, str, bool], frozenset[str]] = {}

    @staticmethod
    def _keys(entities: EntityRegistry, entity_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """(names an actor field may hold, values a country field may hold) for an entity."""
        entity = entities[entity_id]
        names = frozenset(_normal(n) for n in (entity.name, *entity.aliases))
        if entity.kind is not EntityKind.STATE:
            return names, frozenset()
        alpha3 = ISO_ALPHA3.get(entity.id)
        return names, names | ({alpha3.casefold()} if alpha3 else set())

    def __repr__(self) -> str:
        return f"Dyad({self.a!r}, {self.b!r})"

    def needles(self) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        """Byte strings that a raw line holding side a (first) and side b (second) contains.

        Each is lower-case ASCII where the key has ASCII letters, so a line lowered with
        :meth:`bytes.lower` contains at least one needle of each side whenever
        :meth:`sides` recognises the row (exotic case variants of names written wholly
        in non-Latin script aside). Lines lacking either are skipped unread.
        """
        return self._needles_a, self._needles_b

    def which(self, name: str, country: str, *, lists: bool = False) -> frozenset[str]:
        """The dyad's entity ids that an actor (its name and its country field) is.

        With ``lists`` the fields are ``;``-separated lists (POLECAT), any item counting.
        """
        key = (name, country, lists)
        known = self._known.get(key)
        if known is None:
            if len(self._known) >= _KNOWN_LIMIT:
                self._known.clear()
            known = self._known[key] = self._which(name, country, lists)
        return known

    def _which(self, name: str, country: str, lists: bool) -> frozenset[str]:
        found: set[str] = set()
        names = _parts(name) if lists else (_normal(name),)
        countries = _parts(country) if lists else (_normal(country),)
        for entity_id, name_keys, country_keys in ((self.a, self._names_a, self._keys_a),
                                                   (self.b, self._names_b, self._keys_b)):
            if any(n in name_keys for n in names) or any(c in country_keys for c in countries):
                found.add(entity_id)
        return frozenset(found)

    def sides(self, source_name: str, source_country: str, target_name: str, target_country: str, *,
              lists: bool = False) -> DyadMatch | None:
        """The dyad match for a row's two actors, or ``None`` when the row is not between them.

        When a side is both entities (an actor listed with both countries), the reading
        with the dyad's first entity as initiator wins. ``lists``: as for :meth:`which`.
        """
        source = self.which(source_name, source_country, lists=lists)
        if not source:
            return None
        target = self.which(target_name, target_country, lists=lists)
        if self.a in source and self.b in target:
            return DyadMatch(self.a, self.b)
        if self.b in source and self.a in target:
            return DyadMatch(self.b, self.a)
        return None

    def match(self, row: DatasetRow) -> DyadMatch | None:
        """The dyad match for a dataset row (see :meth:`sides`), or ``None``."""
        return self.sides(row.source_name, row.source_country, row.target_name, row.target_country,
                          lists=row.dataset == "polecat")

    def direction(self, row: DatasetRow) -> str | None:
        """``"CN->RU"`` (initiator first) for a row between the two, else ``None``."""
        found = self.match(row)
        return found.direction if found is not None else None


_KNOWN_LIMIT = 100_000
"""How many actors a :class:`Dyad` remembers before it starts again (memory stays bounded)."""


def _parts(field: str) -> tuple[str, ...]:
    return tuple(_normal(part) for part in field.split(";"))


def _needles(entities: EntityRegistry, entity_id: str) -> tuple[bytes, ...]:
    """As few byte strings as cover every name of the entity (see :func:`_choices`)."""
    entity = entities[entity_id]
    texts: list[str] = [entity.name, *entity.aliases]
    alpha3 = ISO_ALPHA3.get(entity.id) if entity.kind is EntityKind.STATE else None
    if alpha3:
        texts.append(alpha3)
    # first what must be taken (other scripts, one-word names: shortest first), then the names
    # whose words may already be covered
    choices = sorted((_choices(text) for text in texts),
                     key=lambda c: (not c[0], len(c[1]) > 1, min(map(len, c[1]))))
    chosen: set[bytes] = set()
    for required, options in choices:
        if required:  # every option is a spelling variant that must be caught
            chosen.update(options)
        elif not any(needle in option for option in options for needle in chosen):
            chosen.add(max(options, key=len))
    # a needle holding another is implied by it: keep the shorter
    return tuple(sorted(n for n in chosen if not any(m != n and m in n for m in chosen)))


def _choices(text: str) -> tuple[bool, frozenset[bytes]]:
    """Byte strings that spellings of ``text`` (equal after case folding and spacing) contain.

    ``(False, runs)``: the runs of printable ASCII in ``text``, lowered (taken before case
    folding, which turns some letters into ASCII ones: "ß" into "ss"); every spelling
    holds each run, lowered alike by :meth:`bytes.lower`, so any one run will do.
    ``(True, variants)``: for a name wholly in another script, its longest word in the
    usual case variants, all of which are needed.
    """
    runs = _PRINTABLE_RUN.findall(text.encode("utf-8"))
    if runs:
        return False, frozenset(run.lower() for run in runs)
    word = max(text.split(), key=len)
    return True, frozenset(v.encode("utf-8").lower() for v in (word, word.lower(), word.upper(), word.title(),
                                                              word.casefold()))
