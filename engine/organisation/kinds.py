"""The kinds of unit, as data: what the organisation pages and the CLI offer."""
from __future__ import annotations

from engine.core.messages import N_

#: key -> display name (a msgid).
UNIT_KINDS = {
    "forvaltningskontor": N_("Forvaltningskontor"),
    "koordineringsenhet": N_("Koordinerende enhet"),
    "hjemmetjeneste": N_("Hjemmetjeneste"),
    "barnevern": N_("Barnevern"),
    "nav": N_("NAV-kontor"),
    "helsestasjon": N_("Helsestasjon og skolehelsetjeneste"),
    "psykisk_helse": N_("Psykisk helse og rus"),
    "skole_barnehage": N_("Skole eller barnehage"),
    "annen": N_("Annen enhet"),
}
