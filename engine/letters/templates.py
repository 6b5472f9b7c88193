"""Letter templates: Jinja files of a process version ("vedtak.nb.html.j2", one per
language, extending the shared "brev_ramme.html.j2"), deployed and versioned with the
process like its forms, so a case renders its letters with the templates of its version.

The coordinating unit edits them, so they run in Jinja's sandbox with autoescaping: a
template reaches only the values it is given, and a value never becomes markup.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from jinja2 import ChainableUndefined, DictLoader, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from engine.core.errors import NotFound
from engine.core.messages import N_
from engine.db.models import ProcessVersion
from engine.deadlines.calendar import optional_date

MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "desember")


def long_date(value) -> str:
    """5. desember 2026 (the same in bokmål and nynorsk); '' for nothing."""
    day = value if isinstance(value, date) else optional_date(value)
    if day is None:
        return ""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def filename(template: str, language: str) -> str:
    return f"{template}.{language}.html.j2"


@lru_cache(maxsize=64)
def _environment(files: tuple[tuple[str, str], ...]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=DictLoader(dict(files)), autoescape=True,
                               undefined=ChainableUndefined, trim_blocks=True,
                               lstrip_blocks=True)
    env.filters["dato"] = long_date
    return env


def letter_files(version: ProcessVersion) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((f.filename, f.content) for f in version.files if f.kind == "letter"))


def has_template(version: ProcessVersion, template: str, language: str) -> bool:
    return any(name == filename(template, language) for name, _ in letter_files(version))


def render_html(version: ProcessVersion, template: str, language: str, context: dict) -> str:
    """The letter as HTML, rendered from `version`'s template in `language`."""
    env = _environment(letter_files(version))
    try:
        compiled = env.get_template(filename(template, language))
    except TemplateNotFound:
        raise NotFound(N_("Prosessversjonen har ingen brevmal «%(template)s»"),
                       template=filename(template, language)) from None
    return compiled.render(**context)
