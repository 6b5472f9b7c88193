"""A letter template as the coordinating unit edits it, rendered with an example case (no
person's data), so the editor shows the letter its text makes before it is deployed."""
from __future__ import annotations

from datetime import date

from jinja2 import ChainableUndefined, DictLoader, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from engine.core.errors import InvalidInput
from engine.core.messages import N_
from engine.letters import render, templates
from engine.persons.catalogue import SERVICES

EXAMPLE = {
    "brev": {"tittel": "Vedtak", "dato": date(2026, 1, 5), "saksnummer": "IP-2026-00001",
             "utkast": True, "id": None, "retter": None},
    "mottaker": {"navn": "Kari Eksempel", "adresse": ["Eksempelveien 1", "0001 Eksempelby"]},
    "person": {"navn": "Kari Eksempel", "fodselsdato": date(1970, 3, 1)},
    "punkter": [
        {"tjeneste": "ip", "navn": "Individuell plan", "innvilget": True,
         "resultat": "innvilget", "hjemmel": "pbrl_2_5", "klagefrist_uker": 4,
         "hjemmel_tekst": "Pasient- og brukerrettighetsloven § 2-5 (individuell plan)",
         "klageregel": "pasient- og brukerrettighetsloven § 7-2 og § 7-5",
         "klageinstans": "Statsforvalteren (pasient- og brukerrettighetsloven § 7-2)",
         "klagefrist_dato": "2026-02-05"},
        {"tjeneste": list(SERVICES)[1], "navn": "Koordinator", "innvilget": False,
         "resultat": "avslag", "hjemmel": "sosialtjenesteloven", "klagefrist_uker": 3,
         "hjemmel_tekst": "Sosialtjenesteloven (NAV-basert individuell plan)",
         "klageregel": "forvaltningsloven § 29, jf. sosialtjenesteloven",
         "klageinstans": "Statsforvalteren (sosialtjenesteloven § 48)",
         "klagefrist_dato": "2026-01-29"}],
    "vedtak": {"begrunnelse": "Eksempel på en begrunnelse.",
               "ansvarlig_tjenesteomrade": "Hjemmetjenesten", "oppstartsdato": "2026-02-01",
               "forste_evaluering": "2026-08-03", "koordinator_oppnevnes_innen": None,
               "klage_mottatt": "2026-01-20", "oversendt_dato": "2026-02-10",
               "klageinstanser": ["Statsforvalteren (pasient- og brukerrettighetsloven § 7-2)"]},
    "fritekst": {"brev_innledning": "Eksempel på saksbehandlerens innledning."},
    "klage": {"forventet_levering": date(2026, 1, 8), "innsyn": "forvaltningsloven § 18",
              "sendes_til": "Tildelingskontoret"},
    "signatur": {"navn": "Lise Leder"},
}


def example_pdf(settings, files: dict[str, str], filename: str, text: str) -> bytes:
    """`filename` with `text` (the others as in `files`), rendered with the example case."""
    letters = {name: content for name, content in files.items() if name.endswith(".j2")}
    letters[filename] = text
    env = SandboxedEnvironment(loader=DictLoader(letters), autoescape=True,
                               undefined=ChainableUndefined)
    env.filters["dato"] = templates.long_date
    values = {**EXAMPLE, "saken": EXAMPLE["vedtak"],
              "kommune": {"navn": settings.municipality_name,
                          "enhet": settings.municipality_unit,
                          "adresse": [line for line in settings.municipality_address.split("|")
                                      if line.strip()]}}
    main = filename if not filename.startswith("brev_") else next(
        (name for name in sorted(letters) if not name.startswith("brev_")), filename)
    try:
        html = env.get_template(main).render(**values)
    except TemplateError as error:
        raise InvalidInput(N_("Brevmalen kan ikke vises: %(reason)s"),
                           {"template": N_("Rett malen")}, reason=str(error)) from None
    return render.to_pdf(html)
