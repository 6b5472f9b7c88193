"""The legal rules of each decided item, read from the case's process version.

The «klagefrist» decision table (processes/dmn/klagefrist.dmn) says, for a legal basis
(hjemmel), which legal rule its appeal deadline follows (a key of
engine/deadlines/legal_rules.toml, which holds the length), the rules of the right to appeal
and the body that decides an appeal. A decision names a basis per item (IP, koordinator,
barnekoordinator), so each item gets its own rule: IP under health law and a coordinator
under a NAV-based basis have 4 and 3 weeks.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from engine.core.errors import DefinitionError
from engine.core.messages import N_
from engine.deadlines import legal as deadline_rules
from engine.deadlines.calendar import parse_duration
from engine.persons import catalogue
from engine.workflow import loading

#: The items a decision decides (the services), in the order a letter lists them.
ITEMS = tuple(catalogue.SERVICES)
#: The output of the decision table that marks it as the appeal-rule table.
RULE = "klagefrist_regel"
#: Bases under which every item has the same basis (the law gives them all).
SHARED_BASES = ("sosialtjenesteloven", "barnevernsloven_15_9")


def decided_items(data: dict) -> list[str]:
    """The items the decision decided (granted or refused), in letter order."""
    return [item for item in ITEMS if data.get(f"vedtak_{item}") in ("innvilget", "avslag")]


def basis_of(item: str, data: dict) -> str | None:
    """The legal basis of one decided item: its own field (`hjemmel_koordinator`), else the
    decision's main basis for IP and for bases that cover every item, else the item's
    health-law default."""
    own = data.get(f"hjemmel_{item}")
    if own:
        return own
    main = data.get("hjemmel")
    if item == ITEMS[0] or main in SHARED_BASES:  # IP: the decision's main basis
        return main
    return catalogue.HEALTH_LAW_BASIS.get(item, main)


def appeal_rules(ctx, version, data: dict) -> dict[str, dict[str, Any]]:
    """item -> {hjemmel, klagefrist_regel, klagefrist_uker, klageregel, klageinstans} for
    each decided item (the weeks from the legal rule's length)."""
    table = _appeal_table(ctx.specs.get(version))
    engine = loading.script_engine(ctx)
    rules = {}
    for item in decided_items(data):
        basis = basis_of(item, data)
        shim = SimpleNamespace(data={"hjemmel": basis},
                               workflow=SimpleNamespace(script_engine=engine))
        found = table.result(shim)
        try:
            length = deadline_rules.rule(found.get(RULE) or "").length
        except deadline_rules.UnknownRule:
            raise DefinitionError(N_("Regeltabellen for klagefrist har ingen regel for "
                                     "hjemmelen «%(basis)s»"), basis=basis) from None
        rules[item] = {"hjemmel": basis, "klagefrist_regel": found[RULE],
                       "klagefrist_uker": parse_duration(length).weeks,
                       "klageregel": found.get("klageregel"),
                       "klageinstans": found.get("klageinstans")}
    return rules


def _appeal_table(parsed):
    for spec in parsed.all_task_specs():
        engine = getattr(spec, "dmnEngine", None)
        if engine is not None and any(getattr(o, "name", None) == RULE
                                      for o in engine.decision_table.outputs):
            return engine
    raise DefinitionError(N_("Prosessversjonen har ingen regeltabell for klagefrist"))
