"""The kinds of letter a case sends, as data: which template, whether it carries a decision
(then the leader approves it) and whether it holds health information (then a pårørende
without a fullmakt that covers it never receives it)."""
from __future__ import annotations

from dataclasses import dataclass

from engine.core.messages import N_


@dataclass(frozen=True)
class LetterKind:
    key: str
    title: str                      # a msgid: the letter's heading in lists
    carries_decision: bool
    health_information: bool
    #: The form fields that are the officer's own text in the letter.
    free_text: tuple[str, ...] = ()


KINDS = {kind.key: kind for kind in (
    LetterKind("vedtak", N_("Vedtak"), carries_decision=True, health_information=True,
               free_text=("brev_innledning", "brev_tillegg")),
    LetterKind("forelopig_svar", N_("Foreløpig svar"), carries_decision=False,
               health_information=False, free_text=("forelopig_svar_grunn",)),
    LetterKind("klage_oversendt", N_("Klagen er sendt til Statsforvalteren"),
               carries_decision=False, health_information=True),
    # Statsforvalteren decided; the municipality's letter tells what it did to carry it out
    LetterKind("klage_utfall", N_("Utfallet av klagen"), carries_decision=False,
               health_information=True),
)}

#: The written languages a letter can be in: bokmål and nynorsk.
LANGUAGES = ("nb", "nn")
