"""The coordinating unit is warned (never refused) when a timer or a due date on a legal
deadline is not computed with `legal_date` (engine/definitions/validation.py
`legal_date_warnings`)."""
from pathlib import Path

from engine.definitions import drafts, store
from engine.definitions.validation import legal_date_warnings, validate_files

PROCESSES = Path(__file__).parents[2] / "processes"
IP_SAK = PROCESSES / "ip_sak.bpmn"
DEADLINE = 'legal_date(mottatt_dato, "forelopig_svar")'
DUE = "legal_date(mottatt_dato, &quot;forelopig_svar&quot;)"
TIME_DATE = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">{}</bpmn:timeDate>'
DURATION = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{}</bpmn:timeDuration>'


def ip_sak(*replacements: tuple[str, str]) -> dict[str, bytes]:
    text = IP_SAK.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return {"ip_sak.bpmn": text.encode()}


def elements(files) -> list[tuple[str, str]]:
    return [(w.file, w.element) for w in legal_date_warnings(files)]


def test_the_shipped_processes_compute_every_legal_date_with_the_helper():
    files = {path.name: path.read_bytes() for path in PROCESSES.glob("*.bpmn")}
    assert legal_date_warnings(files) == []


def test_a_raw_legal_length_in_a_timer_or_a_due_date_is_warned_about():
    files = ip_sak((TIME_DATE.format(DEADLINE), DURATION.format('"P1M"')),
                   (DUE, "add_duration(mottatt_dato, &quot;P1M&quot;)"))
    assert elements(files) == [("ip_sak.bpmn", "timer_en_maned"),
                               ("ip_sak.bpmn", "task_forelopig_svar")]
    [timer, due] = legal_date_warnings(files)
    # in words: what it is, why it looks like a legal deadline, what to write instead
    assert timer.message.startswith("Tidsuret ser ut som en lovbestemt frist (den lovbestemte "
                                    "lengden P1M er skrevet rett inn), men regnes ikke etter "
                                    "en lovbestemt regel")
    assert "forvaltningsloven § 11 a" in timer.message
    # the code to write is the technical detail's, never the message's
    assert "legal_date" not in timer.message and "forelopig_svar" not in timer.message
    assert 'legal_date(start, "<rule>")' in timer.detail and "forelopig_svar" in timer.detail
    assert timer.message.key.startswith("%(what)s ser ut som en lovbestemt frist (%(reason)s)")
    assert timer.message.params["reason"].params == {"length": "P1M"}
    assert due.message.startswith("Fristen ser ut som en lovbestemt frist")
    assert "dueDateExpression" not in due.message
    # the technical text as the detail
    assert "the raw legal length 'P1M'" in timer.detail and "legal_rules.toml" in timer.detail
    assert due.detail.startswith("dueDateExpression looks like a legal deadline")
    # a warning, not an error: with the rest of the processes the files validate
    assert validate_files({**store.read_directory(PROCESSES), **files}) == []


def test_old_date_calls_and_deadline_names_are_warned_about():
    # deadline(...) without the rule table; a timer named for a "frist" with a date of its own
    files = ip_sak((TIME_DATE.format(DEADLINE), TIME_DATE.format('deadline(mottatt_dato, "P5W")')),
                   (DUE, "mottatt_dato"))
    [timer, due] = legal_date_warnings(files)
    assert (timer.element, due.element) == ("timer_en_maned", "task_forelopig_svar")
    assert "datoen regnes med en eldre funksjon" in timer.message
    assert "deadline" not in timer.message
    assert "deadline(...)" in timer.detail
    assert "navnet på elementet nevner «foreløpig svar»" in due.message  # "Sende foreløpig svar"
    assert "mentions 'foreløpig svar'" in due.detail


def test_internal_reminders_are_left_alone():
    # periodisk_evaluering's "P7D" / "P14D" reminders and klage's "P3M" reminder are not legal
    # deadlines: no warning
    files = {name: (PROCESSES / name).read_bytes()
             for name in ("periodisk_evaluering.bpmn", "klage.bpmn")}
    assert '"P14D"' in files["periodisk_evaluering.bpmn"].decode()
    assert '"P3M"' in files["klage.bpmn"].decode()
    assert legal_date_warnings(files) == []


def test_a_draft_with_a_warning_is_saved_and_deploys(ctx, make_user):
    unit = make_user("enhet", "koordinerende_enhet")
    before = store.latest_version(ctx, "ip_sak").version
    content = ip_sak((TIME_DATE.format(DEADLINE), DURATION.format('"P1M"')))["ip_sak.bpmn"]
    saved = drafts.save(ctx, unit, "ip_sak", "ip_sak.bpmn", content.decode())
    assert saved.problems == []
    assert [(w.file, w.element) for w in saved.warnings] == [("ip_sak.bpmn", "timer_en_maned")]
    assert [w.element for w in drafts.warnings(ctx, unit, "ip_sak")] == ["timer_en_maned"]
    version, created = drafts.deploy(ctx, unit, "ip_sak")
    assert created and version.version == before + 1
