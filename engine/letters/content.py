"""What a letter says: its facts, drawn from the case when it is drafted, and the values
its template is rendered with (the municipality, the recipient, the dates, the appeal
information). Template variables are Norwegian, like the forms the templates sit beside.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from engine.core.settings import Settings
from engine.db.models import Case, Letter, LetterRecipient, Person, User
from engine.deadlines import legal
from engine.deadlines.calendar import is_working_day
from engine.deadlines.workdays import calendar_for
from engine.letters import legal as letter_rules
from engine.letters.kinds import KINDS, LANGUAGES
from engine.persons.catalogue import SERVICES

#: What each decided item is called in a letter (the same words in bokmål and nynorsk).
ITEM_NAMES = {language: {key: label for key, (label, _field) in SERVICES.items()}
              for language in LANGUAGES}
#: Task-data fields a decision letter keeps as its facts.
DECISION_FIELDS = ("begrunnelse", "ansvarlig_tjenesteomrade", "oppstartsdato",
                   "forste_evaluering", "koordinator_oppnevnes_innen", "hjemmel")


def decision_facts(ctx, version, data: dict, schema: dict | None) -> dict[str, Any]:
    """A decision's content per item (result, basis and its appeal rule), from the decision
    form's data; `schema` (the form) names the bases."""
    titles = _basis_titles(schema)
    rules = letter_rules.appeal_rules(ctx, version, data)
    items = [{"tjeneste": item, "resultat": data.get(f"vedtak_{item}"),
              "hjemmel_tekst": titles.get(rule["hjemmel"], rule["hjemmel"]), **rule}
             for item, rule in rules.items()]
    facts = {field: data.get(field) for field in DECISION_FIELDS}
    facts["punkter"] = items
    return facts


def notice_facts(case: Case, data: dict) -> dict[str, Any]:
    """A notice's content: the case's facts (the decision, the appeal) and the task's form,
    and who decides the appeal of each decided item."""
    facts = {**(case.facts or {}), **data}
    rules = facts.get("klageregler") or {}
    facts["klageinstanser"] = sorted({rule.get("klageinstans") for rule in rules.values()
                                      if rule.get("klageinstans")})
    return facts


def context(ctx, letter: Letter, case: Case, person: Person | None,
            recipient: LetterRecipient | None, address: tuple[str, ...],
            on: date, language: str | None = None) -> dict[str, Any]:
    """The values the template is rendered with, for one copy (`recipient`, in `language`)
    or the draft."""
    settings: Settings = ctx.settings
    facts = dict(letter.facts or {})
    names = ITEM_NAMES[language or letter.language]
    delivery = expected_delivery(ctx, on)
    items = []
    for item in facts.get("punkter", []):
        rule = item.get("klagefrist_regel")
        items.append({**item, "navn": names.get(item["tjeneste"], item["tjeneste"]),
                      "innvilget": item.get("resultat") == "innvilget",
                      "klagefrist_dato": legal.legal_date(delivery, rule, calendar_for(settings))
                      if rule else None})
    kind = KINDS[letter.kind]
    return {
        "kommune": {"navn": settings.municipality_name, "enhet": settings.municipality_unit,
                    "adresse": [line for line in settings.municipality_address.split("|")
                                if line.strip()]},
        "brev": {"tittel": kind.title, "dato": on, "saksnummer": case.case_number,
                 "utkast": letter.status == "draft", "id": letter.id,
                 "retter": facts.get("retter")},
        "mottaker": {"navn": recipient.name if recipient else (person.name if person else ""),
                     "adresse": list(address)},
        "kopi_til": [copy.name for copy in letter.recipients if copy is not recipient],
        "person": {"navn": person.name if person else case.person_name,
                   "fodselsdato": person.birth_date if person else None},
        "punkter": items,
        "vedtak": facts,
        "saken": facts,
        "fritekst": dict(letter.free_text or {}),
        "klage": {"forventet_levering": delivery, "innsyn": "forvaltningsloven § 18",
                  "sendes_til": settings.municipality_unit},
        "signatur": {"navn": _display_name(ctx, letter.approved_by)}
        if letter.approved_by else None,
    }


def expected_delivery(ctx, posted: date) -> date:
    """When a letter posted on `posted` counts as delivered by ordinary post."""
    closed, day, left = calendar_for(ctx.settings), posted, ctx.settings.post_delivery_working_days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, closed):
            left -= 1
    return day


def _display_name(ctx, username: str) -> str:
    return ctx.session.scalar(select(User.display_name).where(User.username == username)
                              ) or username


def _basis_titles(schema: dict | None) -> dict[str, str]:
    options = ((schema or {}).get("properties", {}).get("hjemmel") or {}).get("oneOf", [])
    return {option["const"]: option.get("title", option["const"]) for option in options
            if "const" in option}
