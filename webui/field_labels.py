"""The labels of the fields the engine names in its errors (InvalidInput.errors), for the
places that show those errors away from the field itself: the error page, a flashed
message. Each error a user reads says which field it is about, by the label the page shows
(never the field's key): «Begrunnelse: Oppgi hvorfor saken flyttes». A field not listed here
is shown with its message alone (its message names what it wants)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from engine.core.messages import N_
from webui.i18n import translate

LABELS = {
    "assignee": N_("Tildel til"),
    "reason": N_("Begrunnelse"),
    "unit": N_("Enhet"),
    "username": N_("Bruker"),
    "stand_in": N_("Stedfortreder"),
    "starts_on": N_("Første dag"),
    "ends_on": N_("Siste dag"),
    "name": N_("Navn"),
    "key": N_("Kortnavn"),
    "kind": N_("Type"),
    "role": N_("Rolle"),
    "query": N_("Filter"),
    "held_on": N_("Møtedato"),
    "attendees": N_("Til stede"),
    "minutes": N_("Referat"),
    "neste_evaluering": N_("Neste evaluering"),
    "hovedmal": N_("Hovedmål"),
    "birth_date": N_("Fødselsdato"),
    "year": N_("År"),
    "version": N_("Versjon"),
    "kanal": N_("Kanal"),
    "sendt_dato": N_("Dato brevet ble sendt"),
    "leveringsdato": N_("Leveringsdato"),
    "malform": N_("Målform"),
    "due_from": N_("Frist fra"),
    "due_to": N_("Frist til"),
}


def label_of(field: str) -> str | None:
    """The label of an engine field key (a path's first part), or None when not known."""
    label = LABELS.get(field.split(".", 1)[0]) if field else None
    return gettext(label) if label is not None else None


def labelled(field: str, message: Any) -> str:
    """«<label>: <message>», or the message alone for a field without a known label."""
    text = translate(message)
    label = label_of(field)
    return f"{label}: {text}" if label else text


def labelled_all(errors: Mapping[str, Any] | None) -> list[str]:
    """Each error of a field -> message mapping as `labelled` text."""
    return [labelled(field, message) for field, message in (errors or {}).items()]
