"""The process library (engine/library.py): processes, versions, and the diff of two versions."""
from pathlib import Path

import pytest

from engine.cases import casework
from engine.core.errors import NotFound, PermissionDenied
from engine.definitions import library, store
from tests.ip_sak_duration_timers import TIMER, duration_timer_text

IP_SAK = Path(__file__).parents[2] / "processes" / "ip_sak.bpmn"
RENAMED = ('<bpmn:userTask id="task_forelopig_svar" name="Sende foreløpig svar">',
           '<bpmn:userTask id="task_forelopig_svar" name="Send foreløpig svar til søkeren">')


def _changed_ip_sak() -> bytes:
    text = duration_timer_text()
    for old, new in ((TIMER, TIMER.replace('"P1M"', '"P3W"')), RENAMED):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.encode("utf-8")


@pytest.fixture
def two_versions(ctx):
    """ip_sak as shipped, then the changed copy deployed beside it: (old, new) numbers."""
    old = store.deploy_files(ctx, {"ip_sak.bpmn": duration_timer_text().encode(),
                                         **_companions(ctx)}, "tests")
    [old] = [v for v in old if v.process_key == "ip_sak"]
    new = store.deploy_files(ctx, {**_companions(ctx), "ip_sak.bpmn": _changed_ip_sak()},
                                   "kari")
    [new] = [v for v in new if v.process_key == "ip_sak"]
    assert new.version == old.version + 1
    return old.version, new.version


def _companions(ctx) -> dict[str, bytes]:
    """The other files of the newest ip_sak version (called processes, DMN, forms)."""
    newest = store.latest_version(ctx, "ip_sak")
    return {f.filename: f.content.encode() for f in newest.files if f.filename != "ip_sak.bpmn"}


def test_diff_lists_exactly_the_timer_and_the_rename(ctx, two_versions):
    old, new = two_versions
    result = library.diff(ctx, "ip_sak", old, new)
    assert result.added == [] and result.removed == []
    changes = {(c.element.id, f.field, f.before, f.after)
               for c in result.changed for f in c.changes}
    assert changes == {
        ("timer_en_maned", "timer", '"P1M"', '"P3W"'),
        ("task_forelopig_svar", "name", "Sende foreløpig svar", "Send foreløpig svar til søkeren"),
    }
    assert [(f.name, f.kind, f.status) for f in result.files] == [("ip_sak.bpmn", "bpmn",
                                                                   "changed")]
    backwards = library.diff(ctx, "ip_sak", new, old)
    assert {(c.element.id, f.before) for c in backwards.changed for f in c.changes} == {
        ("timer_en_maned", '"P3W"'), ("task_forelopig_svar", "Send foreløpig svar til søkeren")}
    assert library.diff(ctx, "ip_sak", old, old).empty


def test_diff_reports_added_removed_and_property_changes(ctx, two_versions):
    _, new = two_versions
    text = _changed_ip_sak().decode()
    text = text.replace('value="interim_reply_warning"', 'value="interim_reply_notice"')
    text = text.replace('<bpmn:endEvent id="end_sak_avsluttet" name="Sak avsluttet">',
                        '<bpmn:endEvent id="end_sak_lukket" name="Sak avsluttet">')
    text = text.replace('"end_sak_avsluttet"', '"end_sak_lukket"').replace(
        ">end_sak_avsluttet<", ">end_sak_lukket<")
    [third] = [v for v in store.deploy_files(
        ctx, {**_companions(ctx), "ip_sak.bpmn": text.encode()}, "kari")
        if v.process_key == "ip_sak"]
    result = library.diff(ctx, "ip_sak", new, third.version)
    assert [(e.id, e.type) for e in result.added] == [("end_sak_lukket", "endEvent")]
    assert [(e.id, e.name) for e in result.removed] == [("end_sak_avsluttet", "Sak avsluttet")]
    changes = {(c.element.id, f.field, f.detail, f.before, f.after)
               for c in result.changed for f in c.changes}
    assert ("throw_varsel_forelopig_svar", "property", "notice", "interim_reply_warning",
            "interim_reply_notice") in changes
    # the sequence flow into the end event now points at the new id
    assert all(field == "flow" for (_, field, *_rest) in changes - {
        ("throw_varsel_forelopig_svar", "property", "notice", "interim_reply_warning",
         "interim_reply_notice")})


def test_processes_and_versions(ctx, two_versions, make_user):
    old, new = two_versions
    officer = make_user("kari", "saksbehandler")
    casework.start_case(ctx, {}, officer, process_key="bench_two_user_tasks")
    by_key = {p.key: p for p in library.processes(ctx)}
    assert by_key["ip_sak"].newest_version == new and by_key["ip_sak"].version_count == new
    assert by_key["bench_two_user_tasks"].running_cases == 1
    assert by_key["ip_sak"].name == "Individuell plan og koordinator – sak"
    listed = library.versions(ctx, "ip_sak")
    assert [v.version for v in listed][:2] == [new, old]
    assert listed[0].deployed_by == "kari" and len(listed[0].bundle_hash) == 64
    assert {"ip_sak.bpmn", "vedtak.bpmn", "soknad.json"} <= {f.name for f in listed[0].files}
    assert {f.kind for f in listed[0].files} == {"bpmn", "dmn", "form", "letter"}
    assert {"vedtak.nb.html.j2", "vedtak.nn.html.j2", "brev_ramme.html.j2"} <= {
        f.name for f in listed[0].files}
    bench = library.versions(ctx, "bench_two_user_tasks")
    assert sum(v.running_instances for v in bench) == 1
    with pytest.raises(NotFound):
        library.versions(ctx, "finnes_ikke")
    with pytest.raises(NotFound):
        library.diff(ctx, "ip_sak", old, 999)


def test_only_the_coordinating_unit_and_admin(ctx, make_user):
    officer = make_user("kari", "saksbehandler")
    unit = make_user("enhet", "koordinerende_enhet")
    with pytest.raises(PermissionDenied):
        library.processes(ctx, officer)
    with pytest.raises(PermissionDenied):
        library.deploy_upload(ctx, officer, "ip_sak", {"ip_sak.bpmn": IP_SAK.read_bytes()})
    assert library.processes(ctx, unit)
