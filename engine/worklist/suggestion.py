"""The rule table's suggestion in words, where the officer decides.

The decision table «vurdering_rett» (processes/dmn/vurdering_rett.dmn) writes its suggestion
into the case's data: per item `innvilge`, `avsla` or `vurdere`, with the reasons and the
local guidance's warning as text. The pages that decide an item (the assessment, the
decision) show it as plain words, never as the data's names."""
from __future__ import annotations

import dataclasses

from engine.core.messages import N_, Message

#: (item's name, the table's output, the application's field that says it was asked for)
ITEMS = (
    (N_("Individuell plan"), "forslag_ip", "onsker_ip"),
    (N_("Koordinator"), "forslag_koordinator", "onsker_koordinator"),
    (N_("Barnekoordinator"), "forslag_barnekoordinator", "onsker_barnekoordinator"),
)
#: The table's words for each outcome.
OUTCOMES = {"innvilge": N_("innvilge"), "avsla": N_("avslå"), "vurdere": N_("vurdere konkret")}
#: The forms' fields that decide an item: a task whose form has one shows the suggestion.
DECIDING_FIELDS = frozenset({"konklusjon_ip", "konklusjon_koordinator",
                             "konklusjon_barnekoordinator", "vedtak_ip", "vedtak_koordinator",
                             "vedtak_barnekoordinator"})


@dataclasses.dataclass(frozen=True)
class Suggestion:
    #: One line per item asked for: «Individuell plan – forslag fra regeltabellen: innvilge».
    items: list[Message]
    #: The table's reasons (the rule that matched, in its words).
    reasons: str | None
    #: The local guidance's warning, when the rule gives one.
    warning: str | None


def suggestion(data: dict, form_fields: set[str] | frozenset[str]) -> Suggestion | None:
    """The suggestion in the data, for a form that decides an item; None when there is none."""
    if not form_fields & DECIDING_FIELDS:
        return None
    items = []
    for item, output, asked in ITEMS:
        outcome = data.get(output)
        if outcome not in OUTCOMES or data.get(asked) is False:
            continue
        items.append(Message(N_("%(item)s – forslag fra regeltabellen: %(outcome)s"),
                             outcome=Message(OUTCOMES[outcome]), item=Message(item)))
    if not items:
        return None
    reasons = str(data.get("forslag_begrunnelse") or "").strip() or None
    warning = str(data.get("forslag_advarsel") or "").strip() or None
    return Suggestion(items=items, reasons=reasons, warning=warning)
