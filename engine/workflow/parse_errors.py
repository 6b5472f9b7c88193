"""What a parser's error means, in the user's words: the editors show a short description and
where (line, column) as the headline, and keep the parser's own text (lxml's, Python's json,
jsonschema's, SpiffWorkflow's; technical English) as the detail beside it.

Each function gives a Message (engine.core.messages: bokmål, with a key the web UI translates)
and the technical detail.
"""
from __future__ import annotations

import json
import re

from lxml import etree

from engine.core.messages import N_, Message

_XML = etree.ErrorTypes
#: libxml2's error codes -> a short description (the commonest mistakes in a hand-edited file).
XML_DESCRIPTIONS: dict[int, str] = {
    _XML.ERR_DOCUMENT_EMPTY: N_("filen er tom"),
    _XML.ERR_DOCUMENT_END: N_("det står noe etter slutten av dokumentet"),
    _XML.ERR_TAG_NAME_MISMATCH: N_("en slutt-tagg passer ikke med start-taggen"),
    _XML.ERR_TAG_NOT_FINISHED: N_("en tagg er ikke avsluttet"),
    _XML.ERR_GT_REQUIRED: N_("en tagg mangler «>»"),
    _XML.ERR_LT_IN_ATTRIBUTE: N_("«<» i en attributtverdi må skrives &lt;"),
    _XML.ERR_ATTRIBUTE_NOT_STARTED: N_("en attributtverdi mangler anførselstegn"),
    _XML.ERR_ATTRIBUTE_WITHOUT_VALUE: N_("et attributt mangler verdi"),
    _XML.ERR_ATTRIBUTE_REDEFINED: N_("det samme attributtet står to ganger"),
    _XML.ERR_STRING_NOT_CLOSED: N_("en attributtverdi mangler avsluttende anførselstegn"),
    _XML.ERR_NAME_REQUIRED: N_("det mangler et navn etter «<» eller «&»"),
    _XML.ERR_ENTITYREF_SEMICOL_MISSING: N_("«&» må skrives &amp;"),
    _XML.ERR_UNDECLARED_ENTITY: N_("en ukjent entitet (skriv «&» som &amp;)"),
    _XML.ERR_LT_REQUIRED: N_("det mangler en tagg der"),
    _XML.NS_ERR_UNDEFINED_NAMESPACE: N_("et navnerom-prefiks er ikke deklarert"),
}
XML_OTHER = N_("XML-en er ikke velformet")

#: Python's json messages (their start) -> a short description.
JSON_DESCRIPTIONS = (
    ("Expecting ',' delimiter", N_("det mangler et komma")),
    ("Expecting ':' delimiter", N_("det mangler et kolon etter feltnavnet")),
    ("Expecting property name enclosed in double quotes",
     N_("et feltnavn må stå i doble anførselstegn (eller det står et komma for mye)")),
    ("Expecting value", N_("det mangler en verdi (eller det står et komma for mye)")),
    ("Extra data", N_("det står noe etter slutten av JSON-en")),
    ("Unterminated string", N_("en tekst mangler avsluttende anførselstegn")),
    ("Invalid control character", N_("en tekst har et tegn som ikke er tillatt (et linjeskift?)")),
    ("Invalid \\escape", N_("en «\\» i en tekst må skrives \\\\")),
    ("Invalid \\uXXXX escape", N_("en «\\u» i en tekst må følges av fire heksadesimale sifre")),
)
JSON_OTHER = N_("JSON-en kan ikke leses")


def xml_syntax(error: etree.XMLSyntaxError) -> tuple[Message, str]:
    """lxml's syntax error as (headline, detail)."""
    description = XML_DESCRIPTIONS.get(int(error.code), XML_OTHER)
    line, column = error.position if error.position else (error.lineno, error.offset)
    return (Message(N_("Ikke gyldig XML: %(description)s (linje %(line)s, kolonne %(column)s)"),
                    description=Message(description), line=line or 1, column=column or 1),
            str(error.msg or error))


def json_description(error: json.JSONDecodeError) -> Message:
    """A short description of Python's json error."""
    return Message(next((text for start, text in JSON_DESCRIPTIONS
                         if error.msg.startswith(start)), JSON_OTHER))


def json_syntax(error: json.JSONDecodeError) -> tuple[Message, str]:
    """Python's json error as (headline, detail)."""
    return (Message(N_("Ikke gyldig JSON: %(description)s (linje %(line)s, kolonne %(column)s)"),
                    description=json_description(error), line=error.lineno, column=error.colno),
            f"{error.msg}: line {error.lineno} column {error.colno} (char {error.pos})")


def schema_error(error) -> tuple[Message, str]:
    """jsonschema's SchemaError (the form is JSON, but no valid JSON Schema) as (headline,
    detail): the keyword whose value is wrong."""
    keyword = next((str(part) for part in reversed(error.absolute_path)
                    if not isinstance(part, int)), "")
    value = error.instance
    if keyword and isinstance(value, (str, int, float)) and not isinstance(value, bool) \
            and len(str(value)) <= 60:
        headline = Message(N_("Ikke gyldig JSON Schema: «%(value)s» er ikke tillatt som "
                              "«%(keyword)s»"), value=str(value), keyword=keyword)
    elif keyword:
        headline = Message(N_("Ikke gyldig JSON Schema: verdien av «%(keyword)s» er ikke "
                              "tillatt der"), keyword=keyword)
    else:
        headline = Message(N_("Ikke gyldig JSON Schema: skjemaet må være et JSON-objekt"))
    return headline, str(error.message)


_XSD = re.compile(r"Element '(?:\{[^}]*\})?([\w.-]+)'(?:, attribute '(?:\{[^}]*\})?([\w.-]+)')?"
                  r": (.*)", re.S)
_NO_DECISION = re.compile(r'No DMN Diagram available with id "([^"]*)"')
_DUPLICATE_PROCESS = re.compile(r"Duplicate process ID: (\S+)")


def spiff_error(message: str, line: object = None) -> tuple[Message, str]:
    """SpiffWorkflow's ValidationException (its XSD check of the standard, or its parser) as
    (headline, detail): the element or attribute the XSD names, the commonest parser
    findings in words, else that SpiffWorkflow does not accept it."""
    found = _XSD.search(message)
    if found:
        name, attribute, rest = found.group(1), found.group(2), found.group(3).lower()
        if attribute and "not allowed" in rest:
            description = Message(N_("attributtet «%(attribute)s» er ikke tillatt på "
                                     "«%(name)s»"), attribute=attribute, name=name)
        elif "is required but missing" in rest:
            description = Message(N_("«%(name)s» mangler et attributt standarden krever"),
                                  name=name)
        elif "not expected" in rest:
            description = Message(N_("elementet «%(name)s» står der standarden ikke tillater "
                                     "det"), name=name)
        elif "missing child element" in rest:
            description = Message(N_("«%(name)s» mangler et element standarden krever"),
                                  name=name)
        else:
            description = Message(N_("en verdi i «%(name)s» har feil form"), name=name)
        if line:
            return (Message(N_("Følger ikke BPMN/DMN-standarden: %(description)s "
                               "(linje %(line)s)"), description=description, line=line), message)
        return (Message(N_("Følger ikke BPMN/DMN-standarden: %(description)s"),
                        description=description), message)
    decision = _NO_DECISION.search(message)
    if decision:
        return (Message(N_("Regeltabellen «%(decision)s» finnes ikke i prosessens DMN-filer"),
                        decision=decision.group(1)), message)
    duplicate = _DUPLICATE_PROCESS.search(message)
    if duplicate:
        return (Message(N_("Prosessen «%(process)s» finnes i mer enn én fil; gi hver prosess sin "
                           "egen id"), process=duplicate.group(1)), message)
    if "exclusive outgoing sequence flow without condition" in message.lower():
        return (Message(N_("En flyt ut av en enten–eller-port har ingen betingelse og er ikke "
                           "standardflyten")), message)
    return Message(N_("SpiffWorkflow godtar ikke dette (se den tekniske meldingen)")), message


#: The properties of a task or an event in a diagram (spiffworkflow:property) -> what the user
#: reads instead of the property's name. The one source of these words: CODE_NAMES below and
#: validation's messages (engine/definitions/problem_words.py) take them from here.
PROPERTY_NAMES = {
    "formJsonSchemaFilename": N_("Skjemaet"),
    "dueIn": N_("Fristen"),
    "dueDateExpression": N_("Fristen"),
    "priority": N_("Prioriteten"),
    "assigneeExpression": N_("Uttrykket for hvem oppgaven går til"),
    "assigneeOf": N_("Oppgaven som avgjør hvem denne går til"),
    "claimWithin": N_("Fristen for å ta oppgaven"),
    "overdueNotice": N_("Varselet når fristen er passert"),
    "overdueNoticeRole": N_("Rollen som også varsles når fristen er passert"),
    "reassignOnOverdue": N_("Tilbakeføringen til køen når fristen er passert"),
    "noticeSeverity": N_("Alvorlighetsgraden til varselet"),
    "noticeRole": N_("Rollen som varsles"),
    "noticeUserExpression": N_("Uttrykket for hvem som varsles"),
    "noticeDueExpression": N_("Fristen i varselet"),
    "noticeDueIn": N_("Fristen i varselet"),
}
#: What a Python snippet in a diagram is, as validation names it -> what the user reads.
CODE_NAMES = {
    "condition": N_("Betingelsen"), "script": N_("Skriptet"), "preScript": N_("Skriptet"),
    "postScript": N_("Skriptet"), "timer expression": N_("Tidsuret"),
    "expression": N_("Uttrykket i cellen"),
    "loopCondition": N_("Betingelsen for å gjenta"),
    "completionCondition": N_("Betingelsen for å avslutte gjentakelsen"),
    "loopCardinality": N_("Antallet gjentakelser"),
    **{name: words for name, words in PROPERTY_NAMES.items() if name.endswith("Expression")},
}
#: Python's syntax errors (their start) -> a short description.
PYTHON_DESCRIPTIONS = (
    ("invalid syntax", N_("en skrivefeil")),
    ("unterminated string literal", N_("en tekst mangler avsluttende anførselstegn")),
    ("unmatched", N_("en parentes for mye")),
    ("unexpected EOF", N_("uttrykket slutter for tidlig")),
    ("unexpected indent", N_("et linjeinnrykk der det ikke skal være")),
    ("expected an indented block", N_("det mangler et linjeinnrykk")),
)
_PYTHON_SYNTAX = re.compile(r"(?P<what>[\w ]+): Line (?P<line>\d+): SyntaxError: (?P<text>.*)",
                            re.S)


def python_syntax(text: str) -> tuple[Message, str] | None:
    """A syntax error of the Python in a diagram ("condition: Line 1: SyntaxError: ..."), as
    validation words it, as (headline, detail); None for any other text."""
    found = _PYTHON_SYNTAX.fullmatch(text)
    if found is None:
        return None
    error = found.group("text")
    if "was never closed" in error:
        description = N_("en parentes er ikke lukket")
    else:
        description = next((words for start, words in PYTHON_DESCRIPTIONS
                            if error.startswith(start)), N_("en skrivefeil"))
    what = found.group("what")
    return (Message(N_("%(what)s kan ikke leses som Python: %(description)s (linje %(line)s)"),
                    what=Message(CODE_NAMES.get(what, N_("Uttrykket"))),
                    description=Message(description), line=int(found.group("line"))),
            f"Line {found.group('line')}: SyntaxError: {error}")
