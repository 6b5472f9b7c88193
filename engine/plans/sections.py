"""The plan's headings, (a)–(i) of domain.md, and its other fixed vocabularies."""
from __future__ import annotations

from engine.core.messages import N_

#: key -> (letter, heading). A participant's consent scope `deler` names keys of these.
SECTIONS: dict[str, tuple[str, str]] = {
    "mal": ("a", N_("Mål, ressurser og behov")),
    "deltakere": ("b", N_("Hvem som deltar")),
    "koordinering": ("c", N_("Ansvar for koordinering og framdrift")),
    "bidrag": ("d", N_("Hva personen, tjenestene og pårørende bidrar med")),
    "tiltak": ("e", N_("Tiltak: hva, omfang og ansvar")),
    "gjennomforing": ("f", N_("Hvordan tiltakene gjennomføres")),
    "periode": ("g", N_("Planperiode, evaluering og revisjon")),
    "samtykke": ("h", N_("Samtykke til planen og til deltakernes innsyn")),
    "samarbeid": ("i", N_("Samarbeid med andre etater")),
}
#: A participant with scope `moter` sees only the meetings.
MEETINGS = "moter"

#: What a participant's consent covers.
CONSENT_SCOPES: dict[str, str] = {
    "hele_planen": N_("Hele planen"),
    "deler": N_("Utvalgte deler av planen"),
    "moter": N_("Bare møtene i ansvarsgruppen"),
}
#: The scope of the consent to the plan itself.
PLAN_ITSELF = "planen"

MEASURE_STATUSES: dict[str, str] = {
    "planlagt": N_("Planlagt"),
    "i_gang": N_("I gang"),
    "fullfort": N_("Fullført"),
    "avsluttet": N_("Avsluttet"),
}

PLAN_STATUSES: dict[str, str] = {
    "utkast": N_("Under utarbeiding"),
    "aktiv": N_("Aktiv"),
    "avsluttet": N_("Avsluttet"),
}
OPEN_STATUSES = ("utkast", "aktiv")

#: Who may consent for the person: the person from the consent age, else a parent with
#: parental responsibility or a guardian.
CONSENT_GIVERS: dict[str, str] = {
    "personen": N_("Personen selv"),
    "forelder": N_("Forelder med foreldreansvar"),
    "verge": N_("Verge"),
}

#: From this birthday the young person consents for themselves (pbrl § 4-3).
CONSENT_AGE = 16
CONSENT_AGE_REFERENCE = "pasient- og brukerrettighetsloven § 4-3"
