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


#: The keys of a version's snapshot (engine/plans/versions.py) as the comparison shows them.
SNAPSHOT_LABELS: dict[str, str] = {
    "hovedmal": N_("Hovedmål"), "ressurser": N_("Ressurser og behov"), "behov": N_("Behov"),
    "delmal": N_("Delmål"), "tekst": N_("Tekst"), "frist": N_("Frist"), "navn": N_("Navn"),
    "rolle": N_("Rolle"), "samtykke": N_("Samtykke"), "omfang": N_("Omfang"),
    "deler": N_("Deler"), "gitt_av": N_("Gitt av"), "gitt_av_rolle": N_("Gitt som"),
    "dato": N_("Dato"), "utlop": N_("Gjelder til"), "trukket": N_("Trukket"),
    "koordinatorer": N_("Koordinatorer"), "brukernavn": N_("Brukernavn"), "fra": N_("Fra"),
    "til": N_("Til"), "ansvar": N_("Ansvar"), "personen": N_("Personen selv"),
    "tjenestene": N_("Tjenestene"), "parorende": N_("Pårørende"), "hva": N_("Hva"),
    "ansvarlig": N_("Ansvarlig"), "status": N_("Status"), "tiltak": N_("Tiltak"),
    "hvordan": N_("Hvordan"), "neste_evaluering": N_("Neste evaluering"),
}
#: The values a snapshot holds as keys (scopes, who consented, measure statuses, sections).
VALUE_LABELS: dict[str, str] = {**CONSENT_SCOPES, **CONSENT_GIVERS, **MEASURE_STATUSES,
                                **{key: label for key, (_l, label) in SECTIONS.items()},
                                PLAN_ITSELF: N_("Planen")}
