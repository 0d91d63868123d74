"""CAMEO code names (Schrodt, *CAMEO Conflict and Mediation Event Observations Event and
Actor Codebook*, version 1.1b3, 2012; the same names as GDELT's ``CAMEO.eventcodes.txt``):
one table for the importer's titles and the interactions view's families."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["CAMEO_NAMES", "CAMEO_ROOTS", "cameo_name"]

CAMEO_NAMES: Final[Mapping[str, str]] = {
    # The 20 root codes (cue categories) of the CAMEO codebook 1.1b3.
    "01": "Make public statement", "02": "Appeal", "03": "Express intent to cooperate", "04": "Consult",
    "05": "Engage in diplomatic cooperation", "06": "Engage in material cooperation", "07": "Provide aid",
    "08": "Yield", "09": "Investigate", "10": "Demand", "11": "Disapprove", "12": "Reject", "13": "Threaten",
    "14": "Protest", "15": "Exhibit force posture", "16": "Reduce relations", "17": "Coerce", "18": "Assault",
    "19": "Fight", "20": "Use unconventional mass violence",
    # Three-digit codes of the families the table maps, and of the commonest others.
    "030": "Express intent to cooperate", "031": "Express intent to engage in material cooperation",
    "032": "Express intent to engage in diplomatic cooperation", "033": "Express intent to provide material aid",
    "036": "Express intent to meet or negotiate", "037": "Express intent to settle dispute",
    "040": "Consult", "041": "Discuss by telephone", "042": "Make a visit", "043": "Host a visit",
    "044": "Meet at a 'third' location", "045": "Mediate", "046": "Engage in negotiation",
    "050": "Engage in diplomatic cooperation", "051": "Praise or endorse", "052": "Defend verbally",
    "053": "Rally support on behalf of", "054": "Grant diplomatic recognition", "055": "Apologize",
    "056": "Forgive", "057": "Sign formal agreement",
    "060": "Engage in material cooperation", "061": "Cooperate economically", "062": "Cooperate militarily",
    "063": "Engage in judicial cooperation", "064": "Share intelligence or information",
    "070": "Provide aid", "071": "Provide economic aid", "072": "Provide military aid",
    "073": "Provide humanitarian aid",
    "085": "Ease economic sanctions, boycott, embargo",
    "111": "Criticize or denounce", "112": "Accuse", "125": "Reject proposal to meet, discuss, or negotiate",
    "130": "Threaten", "1312": "Threaten with sanctions, boycott, embargo",
    "160": "Reduce relations", "161": "Reduce or break diplomatic relations", "162": "Reduce or stop material aid",
    "163": "Impose embargo, boycott, or sanctions", "164": "Halt negotiations", "165": "Halt mediation",
    "166": "Expel or withdraw",
    "172": "Impose administrative sanctions", "173": "Arrest, detain, or charge with legal action",
    "190": "Use conventional military force",
}
"""CAMEO code names (codebook 1.1b3): every root code and the codes the table maps. A code
not listed is named by its three-digit parent, else by its root."""

def cameo_name(code: str) -> str:
    """The codebook's name for a CAMEO code, by the code or its nearest listed parent.

    >>> cameo_name("042")
    'Make a visit'
    >>> cameo_name("0874")
    'Yield'
    """
    for length in range(len(code), 1, -1):
        name = CAMEO_NAMES.get(code[:length])
        if name is not None:
            return name
    return f"CAMEO code {code}"


CAMEO_ROOTS: Final[Mapping[str, str]] = {code: name for code, name in CAMEO_NAMES.items() if len(code) == 2}
"""The twenty root codes (cue categories) and their names."""
