"""ip_sak with its interim-reply watchers as plain duration timers ("P3W" and "P1M" from when
the case was registered), as the diagram had them before the legal-date helper.

The shipped diagram counts the interim-reply deadline from the date the application was
received (`legal_date(mottatt_dato, "forelopig_svar")`, a timeDate). Tests of features that
work on duration timers (migrating a changed duration, the heat map's start inferred from a
duration, diffs and drafts of a changed timer) use this variant as a fixture.
"""
from __future__ import annotations

from pathlib import Path

IP_SAK = Path(__file__).parents[1] / "processes" / "ip_sak.bpmn"
_TIME_DATE = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">{}</bpmn:timeDate>'
_DURATION = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{}</bpmn:timeDuration>'
#: The timers of the shipped diagram and what this variant has instead.
WARNING_TIMER = _TIME_DATE.format('legal_warning(mottatt_dato, "forelopig_svar")')
DEADLINE_TIMER = _TIME_DATE.format('legal_date(mottatt_dato, "forelopig_svar")')
#: The escalation timer of the variant: the line tests change ("P1M" -> "P3W").
TIMER = _DURATION.format('"P1M"')
_REPLACED = [
    (WARNING_TIMER, _DURATION.format('"P3W"')),
    (DEADLINE_TIMER, TIMER),
    ('name="Varsel før frist for foreløpig svar"', 'name="Tre uker uten vedtak"'),
    ('<bpmn:intermediateCatchEvent id="timer_en_maned" name="Frist for foreløpig svar">',
     '<bpmn:intermediateCatchEvent id="timer_en_maned" name="Én måned uten vedtak">'),
]


def duration_timer_text() -> str:
    """ip_sak.bpmn with duration timers (the warning "P3W", the escalation "P1M")."""
    text = IP_SAK.read_text(encoding="utf-8")
    for shipped, variant in _REPLACED:
        assert text.count(shipped) == 1, shipped
        text = text.replace(shipped, variant)
    return text


def deploy_duration_timers(ctx) -> int:
    """Deploy the variant as the newest version of ip_sak (its called processes and forms as
    the newest version has them); returns its version number."""
    from engine.definitions import store
    newest = store.latest_version(ctx, "ip_sak")
    bundle = {f.filename: f.content.encode() for f in newest.files}
    bundle["ip_sak.bpmn"] = duration_timer_text().encode()
    [version] = [v for v in store.deploy_files(ctx, bundle, "tests") if v.process_key == "ip_sak"]
    return version.version
