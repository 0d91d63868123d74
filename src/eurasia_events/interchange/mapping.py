"""Which dataset codes become which of the library's event types: one table.

:data:`MAPPING` is the only place the correspondence is written down: the importer reads
it (:func:`lookup`) and ``docs/interchange.md`` shows it as rendered by
:func:`mapping_markdown` (a test checks that the page holds exactly that text). Every row
of a dataset becomes a :class:`~eurasia_events.events.CodedInteraction`; a row whose code
(and PLOVER mode) the table maps becomes, besides, one typed event with the same meaning,
linked to the coded interaction by ``related``.

Sources: the CAMEO codebook (Schrodt, *CAMEO Conflict and Mediation Event Observations
Event and Actor Codebook*, version 1.1b3, March 2012, as GDELT ships its code names in
``CAMEO.eventcodes.txt``) and the PLOVER manual (Open Event Data Alliance, *PLOVER:
Political Language Ontology for Verifiable Event Records*, draft 0.7b1,
``github.com/openeventdata/PLOVER``, file ``PLOVER_MANUAL.tex``, with the crosswalk
``CAMEO2PLOVER-2021.txt`` of the same repository).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from eurasia_events.cameo import CAMEO_NAMES, cameo_name

__all__ = [
    "CAMEO_NAMES",
    "FILLS",
    "MAPPING",
    "MappingRow",
    "cameo_name",
    "lookup",
    "mapping_markdown",
]

ANY: Final = "*"
"""A row's ``code`` (or ``mode``) that stands for any other value."""


@attrs.frozen(kw_only=True)
class MappingRow:
    """One row of the mapping table."""

    scheme: str
    """``cameo`` or ``plover``."""
    code: str
    """The CAMEO code (leading zeros kept) or the PLOVER event type; ``*`` for any other."""
    mode: str = ""
    """The PLOVER mode the row needs (``*``: any mode); empty for CAMEO."""
    type: str
    """The library type made besides the coded interaction, or ``coded_interaction`` for none."""
    values: tuple[tuple[str, Any], ...] = ()
    """Fields the typed event always gets, as ``(field, value)``: the constructor reads them."""
    note: str
    """Why: the meaning in the dataset's codebook, and why it is (or is not) the same as the type's."""


FILLS: Final[Mapping[str, str]] = {
    "meeting": "parties = both sides; location = the row's place",
    "treaty_signed": "agreement = the event's id; parties = both sides",
    "sanctions_imposed": ("measure = the event's id; imposer = the initiator; targets = [the recipient]; "
                          "description = the event text, else the code's name"),
    "coded_interaction": "",
}
"""How each type's other fields are filled from the row (the same for every row of that type)."""

_NO_CLAIM = ("News coding says an agreement was signed, not what it binds or whether it is in force: "
             "`binding` and `in_force_on_signature` take the values that claim least, so the agreements "
             "view shows it signed, not in force, until an `entered_into_force` event says otherwise.")

MAPPING: Final[tuple[MappingRow, ...]] = (
    MappingRow(scheme="cameo", code="041", type="meeting", values=(("kind", "call"),),
               note="Discuss by telephone: a call between the two sides."),
    MappingRow(scheme="cameo", code="042", type="meeting", values=(("kind", "visit"),),
               note="Make a visit: the initiator visits the recipient."),
    MappingRow(scheme="cameo", code="043", type="meeting", values=(("kind", "visit"),),
               note="Host a visit: the initiator hosts the recipient."),
    MappingRow(scheme="cameo", code="044", type="meeting", values=(("kind", "talks"),),
               note="Meet at a 'third' location: talks away from either side's ground."),
    MappingRow(scheme="cameo", code="046", type="meeting", values=(("kind", "talks"),),
               note="Engage in negotiation: talks between the two sides."),
    MappingRow(scheme="cameo", code="057", type="treaty_signed",
               values=(("kind", "agreement"), ("binding", False), ("in_force_on_signature", False)),
               note=f"Sign formal agreement. {_NO_CLAIM}"),
    MappingRow(scheme="cameo", code="163", type="sanctions_imposed",
               note="Impose embargo, boycott, or sanctions: the initiator imposes a measure on the recipient."),
    MappingRow(scheme="cameo", code=ANY, type="coded_interaction",
               note="Every other code (statements, appeals, intents, threats, force...): no library type "
                    "has its meaning."),
    MappingRow(scheme="plover", code="consult", mode="visit", type="meeting", values=(("kind", "visit"),),
               note="CONSULT, mode visit: the source actor visits, the recipient hosts (PLOVER manual, "
                    "table of CONSULT modes)."),
    MappingRow(scheme="plover", code="consult", mode="host", type="meeting", values=(("kind", "visit"),),
               note="CONSULT, mode host: the source hosts a visit (the crosswalk's mode for CAMEO 043)."),
    MappingRow(scheme="plover", code="consult", mode="third-party", type="meeting", values=(("kind", "talks"),),
               note="CONSULT, mode third-party: a meeting hosted by a third party."),
    MappingRow(scheme="plover", code="consult", mode="phone", type="meeting", values=(("kind", "call"),),
               note="CONSULT, mode phone: consultation by phone or another remote medium."),
    MappingRow(scheme="plover", code="consult", mode=ANY, type="coded_interaction",
               note="CONSULT with no mode, or mode multilateral (a meeting in an alliance or IGO): a "
                    "consultation of unknown form, or not between the two sides alone."),
    MappingRow(scheme="plover", code="agree", mode=ANY, type="coded_interaction",
               note="AGREE is an offer, promise or intent to cooperate (\"including promises to sign or "
                    "ratify agreements\") and has no modes; a signing itself is SUPPORT, which has none "
                    "either (CAMEO 057 becomes SUPPORT in the crosswalk). No PLOVER code says an agreement "
                    "was signed, so none becomes `treaty_signed`."),
    MappingRow(scheme="plover", code="sanction", mode=ANY, type="coded_interaction",
               note="SANCTION is any reduction of relations (\"not confined to formal sanctions\"); its "
                    "modes are convict, cancel, expel, withdraw and sever, none of them a sanctions measure, "
                    "and the crosswalk files CAMEO 163 under COERCE, mode restrict, which also covers "
                    "restrictions on political freedoms. So none becomes `sanctions_imposed`."),
    MappingRow(scheme="plover", code=ANY, mode=ANY, type="coded_interaction",
               note="Every other event type: no library type has its meaning."),
)
"""The mapping table, in the order the docs show it."""

_BY_KEY: Final[dict[tuple[str, str, str], MappingRow]] = {(r.scheme, r.code, r.mode): r for r in MAPPING}
assert len(_BY_KEY) == len(MAPPING), "two rows of the mapping table have the same key"


def lookup(scheme: str, code: str, mode: str = "") -> MappingRow:
    """The row of the table that decides a code (and, for PLOVER, its mode).

    >>> lookup("cameo", "042").values
    (('kind', 'visit'),)
    >>> lookup("cameo", "190").type
    'coded_interaction'
    >>> lookup("plover", "consult", "phone").values
    (('kind', 'call'),)
    """
    if scheme == "plover":
        for key in ((scheme, code, mode), (scheme, code, ANY), (scheme, ANY, ANY)):
            if key in _BY_KEY:
                return _BY_KEY[key]
    return _BY_KEY.get((scheme, code, "")) or _BY_KEY[("cameo", ANY, "")]


# --- code names ------------------------------------------------------------------------

# CAMEO_NAMES and cameo_name live in eurasia_events.cameo (the interactions view names
# families with them too, without importing the importer).


# --- the table in the docs ---------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _code_cell(row: MappingRow) -> str:
    if row.code == ANY:
        return "any other"
    if row.scheme == "cameo":
        return f"`{row.code}` {cameo_name(row.code)}"
    return f"`{row.code}`"


def _value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def fields_text(row: MappingRow) -> str:
    """The docs' "fields" cell: the fixed values, then how the type's other fields are filled."""
    parts = [f"{name} = {_value(value)}" for name, value in row.values]
    if FILLS[row.type]:
        parts.append(FILLS[row.type])
    return "; ".join(parts) or "—"


def mapping_markdown() -> str:
    """The mapping table as ``docs/interchange.md`` shows it (a Markdown table)."""
    lines = ["| scheme | code | mode | becomes | fields | why |", "|---|---|---|---|---|---|"]
    for row in MAPPING:
        mode = "any" if row.mode == ANY else (f"`{row.mode}`" if row.mode else "")
        becomes = "coded interaction only" if row.type == "coded_interaction" else f"`{row.type}`"
        lines.append("| " + " | ".join(_cell(c) for c in (
            row.scheme, _code_cell(row), mode, becomes, fields_text(row), row.note)) + " |")
    return "\n".join(lines) + "\n"


_SLUG_BAD = re.compile(r"[^a-z0-9._-]+")


def slugify(text: str) -> str:
    """A lowercase slug of a dataset's record key (for POLECAT ids).

    >>> slugify("2023-01-01 ABC/12")
    '2023-01-01-abc-12'
    """
    return _SLUG_BAD.sub("-", text.lower()).strip("-._")
