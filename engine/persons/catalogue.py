"""The fixed vocabularies about persons: one source for each key and its label."""
from __future__ import annotations

from engine.core.messages import N_

#: Address protection (Folkeregisteret): none; fortrolig (code 7): shown only to the
#: case-working roles; strengt fortrolig (code 6): shown to nobody outside the case work,
#: never to a coordinator or participant.
PROTECTION_LEVELS: dict[str, str] = {
    "none": N_("Ingen"),
    "fortrolig": N_("Fortrolig adresse (kode 7)"),
    "strengt_fortrolig": N_("Strengt fortrolig adresse (kode 6)"),
}
STRICT = "strengt_fortrolig"
CONFIDENTIAL = "fortrolig"

#: How letters reach the person.
CHANNELS: dict[str, str] = {"digital": N_("Digital post"), "paper": N_("Papirpost")}

#: Relations of a person to another: `related` is the person's ...
RELATION_KINDS: dict[str, str] = {
    "forelder": N_("Forelder"),
    "verge": N_("Verge"),
    "parorende": N_("Pårørende"),
}

#: What a pårørende's fullmakt may cover.
FULLMAKT_SCOPES: dict[str, str] = {
    "soke": N_("Søke og klage på vegne av personen"),
    "helseopplysninger": N_("Motta helseopplysninger"),
    "brev": N_("Motta brev og vedtak"),
    "planarbeid": N_("Delta i arbeidet med planen"),
}
#: The fullmakt scope without which no health information goes to a pårørende.
HEALTH_INFORMATION = "helseopplysninger"

#: Who may apply for the person: the person (None), or a relation of these kinds. A
#: pårørende needs a fullmakt covering health information, else the case is marked.
APPLICANT_KINDS: dict[str, str] = {
    "personen": N_("Personen selv"),
    "forelder": N_("Forelder med foreldreansvar"),
    "verge": N_("Verge"),
    "parorende": N_("Pårørende"),
}

#: What an application asks for: key, label, the start form's field.
SERVICES: dict[str, tuple[str, str]] = {
    "ip": (N_("Individuell plan"), "onsker_ip"),
    "koordinator": (N_("Koordinator"), "onsker_koordinator"),
    "barnekoordinator": (N_("Barnekoordinator"), "onsker_barnekoordinator"),
}

#: The written languages a person's letters can be in (None: the municipality's målform).
WRITTEN_LANGUAGES: dict[str, str] = {"nb": N_("Bokmål"), "nn": N_("Nynorsk")}

#: The legal basis (a `hjemmel` key of the decision form and the «klagefrist» table) of each
#: service under health law, when a decision names none of its own for it.
HEALTH_LAW_BASIS: dict[str, str] = {
    "ip": "pbrl_2_5", "koordinator": "pbrl_2_5_b", "barnekoordinator": "pbrl_2_5_c",
}


def services_asked(data: dict) -> str | None:
    """The keys of what an application asks for, comma-separated (None: nothing)."""
    keys = [key for key, (_label, field) in SERVICES.items() if data.get(field) is True]
    return ",".join(keys) or None
