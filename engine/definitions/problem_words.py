"""What validation finds (engine/definitions/validation.py), in the user's words.

Each function gives a rule's finding as (headline, detail): the headline a Message
(engine.core.messages: bokmål, with a key the web UI translates) that says what is wrong and
what to write, never a property name, a role key or a bare Python expression as the only
explanation; the detail the technical English (what a developer or the modeler's XML calls
it), which the editors show apart and the CLI in parentheses. A property of a task is named in
words from `parse_errors.PROPERTY_NAMES`, a piece of Python from `parse_errors.CODE_NAMES`, a
role by its name (`roles.role_label`), the role keys kept in the detail.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from engine.accounts.roles import ROLES, describe, role_label
from engine.core.messages import N_, Message
from engine.deadlines import legal
from engine.workflow.parse_errors import CODE_NAMES, PROPERTY_NAMES, python_syntax

#: (headline in the user's words, technical detail)
Words = tuple[Message, str]


def _named(name: str) -> Message:
    """A property or a piece of Python in words ("Fristen", "Betingelsen")."""
    return Message(PROPERTY_NAMES.get(name) or CODE_NAMES.get(name) or N_("Uttrykket"))


def _roles(roles: Iterable[str]) -> list[str]:
    """The roles by their names, in the order lists show them (unknown keys last, as they are)."""
    known = set(roles)
    return [role_label(role) for role in (*[r for r in ROLES if r in known],
                                           *sorted(known - set(ROLES)))]


# --- files ------------------------------------------------------------------------------------

def unknown_file_type() -> Words:
    return (Message(N_("Filtypen er ukjent: en prosess består av diagrammer (.bpmn), "
                       "regeltabeller (.dmn), skjemaer (.json) og brevmaler (.j2)")),
            "unknown file type (expected .bpmn, .dmn, .json or .j2)")


def no_such_path() -> Words:
    return Message(N_("Filen eller mappen finnes ikke")), "no such file or directory"


def unreadable(reason: str) -> Words:
    return Message(N_("Filen kan ikke leses")), f"cannot be read: {reason}"


#: Jinja's syntax errors (their start) -> what is wrong in a letter template.
TEMPLATE_DESCRIPTIONS = (
    ("Encountered unknown tag", N_("en ukjent eller overflødig tagg")),
    ("Unexpected end of template",
     N_("en blokk er ikke avsluttet (det mangler en slutt-tagg, for eksempel endif eller endfor)")),
    ("unexpected end of template", N_("en tagg eller et uttrykk er ikke avsluttet")),
    ("Expected an expression", N_("det mangler et uttrykk")),
    ("unexpected", N_("et tegn står der det ikke skal stå")),
)


def letter_not_utf8(error: Exception) -> Words:
    return Message(N_("Brevmalen er ikke UTF-8-tekst; lagre den som UTF-8")), str(error)


def letter_syntax(message: str, line: int | None) -> Words:
    description = next((words for start, words in TEMPLATE_DESCRIPTIONS
                        if message.startswith(start)), N_("en skrivefeil i malkoden"))
    return (Message(N_("Brevmalen kan ikke leses: %(description)s (linje %(line)s)"),
                    description=Message(description), line=line or 1),
            f"template syntax: {message}")


# --- Python in a diagram or a decision table --------------------------------------------------

_LINE = re.compile(r"Line (?P<line>\d+|None): (?P<text>.*)", re.S)
#: RestrictedPython's refusals (engine/workflow/scripting.py) -> what is wrong, in words.
SCRIPT_REFUSALS = (
    (re.compile(r'"(?P<name>_\w*)" is an invalid (?:variable|attribute) name because it '
                r'starts with "_"'),
     N_("«%(name)s» begynner med understrek (_), og slike navn er sperret")),
    (re.compile(r'"(?P<name>[^"]*)" is a reserved name'), N_("«%(name)s» er et reservert navn")),
    (re.compile(r'"(?P<name>[^"]*)" is a restricted name'),
     N_("«%(name)s» er sperret i Samflyt")),
    (re.compile(r'"(?P<name>[^"]*)" is not available in scripts'),
     N_("funksjonen «%(name)s» finnes ikke i Samflyt")),
    (re.compile(r"(?:Lazy |\"\*\" )?imports are not allowed", re.I),
     N_("import er ikke tillatt; bruk funksjonene Samflyt har")),
    (re.compile(r"class definitions are not allowed"), N_("klasser kan ikke defineres")),
    (re.compile(r"Augmented assignment of"),
     N_("«+=» og lignende kan bare brukes på et navn; skriv for eksempel x = x + 1")),
    (re.compile(r"(?P<construct>\w+) statements? (?:are not allowed|is not known)"),
     N_("denne delen av Python (%(construct)s) er ikke tillatt")),
)
#: RestrictedPython names a refused construct by its syntax tree's class (Nonlocal, Match,
#: AsyncFunctionDef): here as it is written.
PYTHON_CONSTRUCTS = {"AsyncFunctionDef": "async def", "AsyncFor": "async for",
                     "AsyncWith": "async with", "TryStar": "except*", "AnnAssign": "x: type = …"}


def code(name: str, error: str) -> Words:
    """One error `check_script` found in the Python that validation calls `name` ("condition",
    "timer expression", "dueDateExpression", ...)."""
    what = _named(name)
    if error == "the expression is empty":
        return Message(N_("%(what)s er ikke fylt ut"), what=what), error
    syntax = python_syntax(f"{name}: {error}")
    if syntax:
        return syntax
    found = _LINE.fullmatch(error)
    text = found.group("text") if found else error
    for pattern, words in SCRIPT_REFUSALS:
        match = pattern.search(text)
        if match:
            params = match.groupdict()
            if "construct" in params:
                params["construct"] = PYTHON_CONSTRUCTS.get(params["construct"],
                                                            params["construct"].lower())
            description = Message(words, **params)
            break
    else:
        return (Message(N_("%(what)s kan ikke leses som Python (se den tekniske meldingen)"),
                        what=what), error)
    if found and found.group("line") != "None":
        return (Message(N_("%(what)s kan ikke brukes: %(description)s (linje %(line)s)"),
                        what=what, description=description, line=int(found.group("line"))),
                error)
    return (Message(N_("%(what)s kan ikke brukes: %(description)s"), what=what,
                    description=description), error)


def due_call(name: str, words: Message, detail: str) -> Words:
    """What is wrong with a `due_date(...)` call (due_expression.call_errors) in `name`."""
    return (Message(N_("%(what)s kan ikke brukes: %(description)s"), what=_named(name),
                    description=words), detail)


# --- timers ---------------------------------------------------------------------------------

#: A timer's kind (timeDuration, timeDate, timeCycle) -> (what it holds, an example).
TIMER_KINDS = {
    "duration": (N_("hvor lenge det skal vente"), '"P30D"'),
    "date": (N_("når det skal gå av"), '"2026-12-01T09:00:00+01:00"'),
    "cycle": (N_("hvor ofte det skal gå av"), '"R3/P1W"'),
}
#: A timer's kind -> what its value must be.
TIMER_VALUES = {"duration": N_("en varighet"), "date": N_("et tidspunkt"),
                "cycle": N_("en gjentakelse")}


def timer_empty(kind: str) -> Words:
    holds, example = TIMER_KINDS[kind]
    return (Message(N_("Tidsuret er ikke fylt ut; skriv %(holds)s, for eksempel %(example)s"),
                    holds=Message(holds), example=example),
            f"the timer has no {kind} expression")


def timer_unquoted(text: str) -> Words:
    return (Message(N_("Verdien til tidsuret må stå i anførselstegn: skriv \"%(text)s\", ikke "
                       "%(text)s"), text=text),
            (f"timer expression {text} is an unquoted ISO 8601 literal; timer expressions are "
            f'Python, so write it quoted: "{text}"'))


def timer_invalid(value: str, kind: str) -> Words:
    return (Message(N_("Tidsuret «%(value)s» er ikke %(kind)s Samflyt kan lese; skriv for "
                       "eksempel %(example)s"), value=value, kind=Message(TIMER_VALUES[kind]),
                    example=TIMER_KINDS[kind][1]),
            f"timer value {value!r} is not a valid ISO 8601 {kind}")


# --- properties of tasks and notices ----------------------------------------------------------

def not_a_duration(name: str, value: str, error: str, may_be_off: bool) -> Words:
    if may_be_off:
        key = N_("%(what)s: «%(value)s» er ikke en varighet; skriv den som en ISO 8601-varighet, "
                 "for eksempel P2D (2 dager) eller PT12H (12 timer), eller off for ingen frist")
    else:
        key = N_("%(what)s: «%(value)s» er ikke en varighet; skriv den som en ISO 8601-varighet, "
                 "for eksempel P5D (5 dager), P4W (4 uker), P1M (1 måned) eller PT12H (12 timer)")
    return Message(key, what=_named(name), value=value), f"{name}: {error}"


def not_a_role(name: str, value: str, roles: Iterable[str]) -> Words:
    roles = frozenset(roles)
    return (Message(N_("%(what)s: «%(value)s» er ikke en rolle i Samflyt; velg en av rollene "
                       "%(roles)s"), what=_named(name), value=value, roles=_roles(roles)),
            f"{name}: {value!r} is not a known role (roles: {describe(roles)})")


def not_a_flag(name: str, value: str) -> Words:
    return (Message(N_("%(what)s må være true (på) eller false (av), ikke «%(value)s»"),
                    what=_named(name), value=value),
            f"{name} must be true or false, not {value!r}")


def not_a_severity(name: str, value: str, severities: Iterable[str]) -> Words:
    return (Message(N_("%(what)s må være info (til orientering), warning (advarsel) eller "
                       "escalation (eskalering), ikke «%(value)s»"), what=_named(name),
                    value=value),
            f"{name} must be one of {', '.join(severities)}, not {value!r}")


def not_a_priority(name: str, value: str) -> Words:
    return (Message(N_("%(what)s må være et helt tall fra 1 (høyest) til 5 (lavest), ikke "
                       "«%(value)s»"), what=_named(name), value=value),
            f"{name} must be a whole number from 1 to 5, not {value!r}")


def form_missing(form: str) -> Words:
    return (Message(N_("Skjemaet «%(form)s» finnes ikke blant prosessens skjemaer; legg det til "
                       "(i processes/forms/) eller velg et annet skjema"), form=form),
            f"form {form!r} not found (expected in processes/forms/)")


def no_such_user_task(value: str) -> Words:
    """`assigneeOf` names no user task of the process."""
    return (Message(N_("Oppgaven skal gå til den som gjorde «%(value)s», men prosessen har "
                       "ingen brukeroppgave med den id-en; velg en tidligere oppgave i samme "
                       "prosess"), value=value),
            f"assigneeOf: {value!r} is not the id of a user task of this process")


# --- lanes, task types, gateways, layout, called processes ----------------------------------

def lane_without_role(name: str | None, roles: Iterable[str]) -> Words:
    roles = frozenset(roles)
    if name:
        headline = Message(N_("Svømmebanen «%(name)s» har ikke navnet til en rolle; gi hver "
                              "svømmebane navnet til en av rollene %(roles)s"),
                           name=name, roles=_roles(roles))
        what = f"lane name {name!r} is not a known role"
    else:
        headline = Message(N_("Svømmebanen har ikke noe navn; gi hver svømmebane navnet til en "
                              "av rollene %(roles)s"), roles=_roles(roles))
        what = "the lane has no name"
    return headline, f"{what}; name each lane after one of the roles: {describe(roles)}"


#: Task types SpiffWorkflow parses but Samflyt cannot run: (why, in words; in English). A case
#: would fail on a service task when it reaches it; a send task would pass without anything
#: sent or anyone asked; a receive task would wait for a message nothing delivers, or pass at
#: once without one.
UNSUPPORTED_TASKS = {
    "serviceTask": (
        N_("En tjenesteoppgave kan ikke kjøres: Samflyt kaller ingen eksterne tjenester. Gjør "
           "den til en brukeroppgave (noen gjør den) eller en skriptoppgave"),
        "service tasks cannot run: Samflyt calls no external services"),
    "sendTask": (
        N_("En sendeoppgave kan ikke kjøres: Samflyt sender ingen BPMN-meldinger, så ingenting "
           "ville bli sendt og ingen bedt om å sende det. Gjør den til en brukeroppgave (noen "
           "gjør den) eller en skriptoppgave"),
        ("send tasks cannot run: Samflyt sends no BPMN messages, so nothing would be sent and "
        "nobody asked to send it")),
    "receiveTask": (
        N_("En mottaksoppgave kan ikke kjøres: Samflyt tar ikke imot BPMN-meldinger. Gjør den "
           "til en brukeroppgave (noen gjør den) eller en skriptoppgave"),
        "receive tasks cannot run: Samflyt delivers no BPMN messages"),
}


def unsupported_task(kind: str) -> Words:
    """A task of `kind` (a key of UNSUPPORTED_TASKS) in a process that deploys."""
    words, detail = UNSUPPORTED_TASKS[kind]
    return Message(words), f"{detail}; make it a user task (someone does it) or a script task"


def default_flow_elsewhere(flow: str) -> Words:
    return (Message(N_("Standardflyten «%(flow)s» går ikke ut fra denne porten; velg en av "
                       "flytene ut av porten som standardflyt"), flow=flow),
            f"default flow {flow!r} does not leave this gateway")


def no_default_flow() -> Words:
    return (Message(N_("Alle betingelsene ut av porten kan være usanne samtidig, og da stopper "
                       "saken; gjør en av flytene til standardflyt")),
            "conditions can all be false; add a default flow")


def process_not_drawn() -> Words:
    return (Message(N_("Prosessen er ikke tegnet: filen har bare prosessen, ikke tegningen av "
                       "den; åpne den i en BPMN-tegner og lagre den på nytt")),
            "missing diagram layout (bpmndi:BPMNDiagram)")


def element_not_drawn() -> Words:
    return (Message(N_("Elementet er ikke tegnet i diagrammet; tegn det, eller slett det om det "
                       "ikke skal være med")),
            "not drawn in the diagram layout")


def called_process_missing(process: str | None) -> Words:
    return (Message(N_("Prosessen «%(process)s» som kallet starter, finnes ikke; legg til "
                       "diagrammet med den prosessen, eller rett navnet"), process=process or ""),
            f"called process {process!r} not found")


# --- warnings: a legal deadline not computed with legal_date ----------------------------------

def legal_reason_raw_length(length: str) -> Words:
    return (Message(N_("den lovbestemte lengden %(length)s er skrevet rett inn"), length=length),
            f"the raw legal length {length!r}")


def legal_reason_old_call(call: str) -> Words:
    return (Message(N_("datoen regnes med en eldre funksjon som ikke kjenner de lovbestemte "
                       "reglene")),
            f"a date computed with {call}(...)")


def legal_reason_name(word: str) -> Words:
    return (Message(N_("navnet på elementet nevner «%(word)s»"), word=word),
            f"its element's name mentions {word!r}")


def legal_warning(name: str, reason: Words) -> Words:
    """A timer (`name` "timer expression") or a due date that looks like a legal deadline but
    is not computed with legal_date."""
    rules = sorted(legal.rules().values(), key=lambda rule: rule.key)
    listed = list(dict.fromkeys(rule.reference for rule in rules))  # the code: the detail
    english = "the timer" if name == "timer expression" else name
    return (Message(N_("%(what)s ser ut som en lovbestemt frist (%(reason)s), men regnes ikke "
                       "etter en lovbestemt regel. En lovbestemt frist regnes etter tabellen "
                       "over lovbestemte frister, som gir lengden og flytter datoen forbi "
                       "helger og helligdager; den tekniske meldingen viser hvordan den skrives. "
                       "Reglene gjelder %(rules)s"),
                    what=_named(name), reason=reason[0], rules=listed),
            (f'{english} looks like a legal deadline ({reason[1]}) but does not use '
            f'legal_date(start, "<rule>"): legal lengths and references are data in '
            f"engine/deadlines/legal_rules.toml (rules: {', '.join(r.key for r in rules)}), "
            f"and legal_date moves the date off weekends and public holidays"))
