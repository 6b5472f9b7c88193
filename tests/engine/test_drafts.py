"""Drafts (engine/drafts.py): kept whatever their state, validated with the deploy validator,
deployed as a new version and then removed; refused deploys keep them."""
from pathlib import Path

import pytest

from engine.core.errors import (
    ConflictError,
    DefinitionError,
    NotFound,
    PermissionDenied,
)
from engine.definitions import drafts, store
from tests.ip_sak_duration_timers import TIMER, duration_timer_text

IP_SAK = Path(__file__).parents[2] / "processes" / "ip_sak.bpmn"


def _ip_sak(timer: str) -> str:
    text = duration_timer_text()  # ip_sak with its escalation timer written "P1M"
    assert text.count(TIMER) == 1
    return text.replace(TIMER, TIMER.replace('"P1M"', timer))


def test_an_invalid_draft_is_kept_with_its_problems_and_cannot_be_deployed(ctx, make_user):
    unit = make_user("enhet", "koordinerende_enhet")
    before = store.latest_version(ctx, "ip_sak").version
    saved = drafts.save(ctx, unit, "ip_sak", "ip_sak.bpmn", _ip_sak("P3W"))  # unquoted
    assert [(p.file, p.element) for p in saved.problems] == [("ip_sak.bpmn", "timer_en_maned")]
    assert drafts.get(ctx, unit, "ip_sak", "ip_sak.bpmn").content == _ip_sak("P3W")
    assert saved.draft.base_version == before
    with pytest.raises(DefinitionError):
        drafts.deploy(ctx, unit, "ip_sak")
    assert store.latest_version(ctx, "ip_sak").version == before
    assert [d.filename for d in drafts.list_drafts(ctx, unit, "ip_sak")] == ["ip_sak.bpmn"]


def test_a_valid_draft_deploys_as_a_new_version_and_is_removed(ctx, make_user, clock):
    unit = make_user("enhet", "koordinerende_enhet")
    before = store.latest_version(ctx, "ip_sak").version
    assert drafts.save(ctx, unit, "ip_sak", "ip_sak.bpmn", _ip_sak('"P3W"')).problems == []
    version, created = drafts.deploy(ctx, unit, "ip_sak")
    assert created and version.version == before + 1 and version.deployed_by == "enhet"
    assert '"P3W"' in next(f.content for f in version.files if f.filename == "ip_sak.bpmn")
    assert drafts.list_drafts(ctx, unit, "ip_sak") == []
    with pytest.raises(NotFound):
        drafts.deploy(ctx, unit, "ip_sak")


def test_saving_again_replaces_the_draft(ctx, make_user):
    unit = make_user("enhet", "koordinerende_enhet")
    drafts.save(ctx, unit, "ip_sak", "ip_sak.bpmn", _ip_sak("P3W"))
    drafts.save(ctx, unit, "ip_sak", "dir/ip_sak.bpmn", _ip_sak('"P2W"'))
    [draft] = drafts.list_drafts(ctx, unit, "ip_sak")
    assert '"P2W"' in draft.content
    assert drafts.discard(ctx, unit, "ip_sak", "ip_sak.bpmn") == 1
    assert drafts.list_drafts(ctx, unit, "ip_sak") == []


@pytest.mark.parametrize("name", ["notes.txt", "", ".hidden.bpmn"])
def test_bad_file_names_are_refused(ctx, make_user, name):
    unit = make_user("enhet", "koordinerende_enhet")
    with pytest.raises(drafts.DraftRefused):
        drafts.save(ctx, unit, "ip_sak", name, "x")


def test_only_the_unit_and_admin_may_keep_drafts(ctx, make_user):
    officer = make_user("ola", "saksbehandler")
    with pytest.raises(PermissionDenied):
        drafts.save(ctx, officer, "ip_sak", "ip_sak.bpmn", _ip_sak('"P3W"'))
    with pytest.raises(PermissionDenied):
        drafts.deploy(ctx, officer, "ip_sak")


def test_a_draft_started_before_someone_else_deployed_is_not_installed_over_it(ctx, make_user):
    kari = make_user("kari", "koordinerende_enhet")
    ola = make_user("ola", "koordinerende_enhet")
    drafts.save(ctx, kari, "ip_sak", "ip_sak.bpmn", _ip_sak('"P3W"'))
    base = drafts.get(ctx, kari, "ip_sak", "ip_sak.bpmn").base_version
    store.deploy_files(ctx, {**{f.filename: f.content.encode() for f in
                                      store.latest_version(ctx, "ip_sak").files},
                                   "ip_sak.bpmn": _ip_sak('"P2W"').encode()}, ola.username)
    with pytest.raises(ConflictError, match=f"versjon {base}"):
        drafts.deploy(ctx, kari, "ip_sak")
    assert '"P2W"' in next(f.content for f in store.latest_version(ctx, "ip_sak").files
                           if f.filename == "ip_sak.bpmn")
    assert drafts.get(ctx, kari, "ip_sak", "ip_sak.bpmn") is not None  # kept


def test_a_save_over_a_draft_someone_else_changed_since_it_was_opened_is_refused(ctx, make_user):
    kari = make_user("kari", "koordinerende_enhet")
    ola = make_user("ola", "koordinerende_enhet")
    opened = drafts.revision(None)  # both open the deployed file: no draft yet
    first = drafts.save(ctx, kari, "ip_sak", "ip_sak.bpmn", _ip_sak('"P3W"'), base=opened)
    with pytest.raises(ConflictError, match="kari"):
        drafts.save(ctx, ola, "ip_sak", "ip_sak.bpmn", _ip_sak('"P2W"'), base=opened)
    assert '"P3W"' in drafts.get(ctx, kari, "ip_sak", "ip_sak.bpmn").content
    # kari goes on from what she saved; ola, having reloaded, saves over it
    mine = drafts.revision(first.draft)
    second = drafts.save(ctx, kari, "ip_sak", "ip_sak.bpmn", _ip_sak('"P4W"'), base=mine)
    drafts.save(ctx, ola, "ip_sak", "ip_sak.bpmn", _ip_sak('"P2W"'),
                base=drafts.revision(second.draft))
    drafts.discard(ctx, ola, "ip_sak")
    with pytest.raises(ConflictError, match="forkastet"):
        drafts.save(ctx, kari, "ip_sak", "ip_sak.bpmn", _ip_sak('"P5W"'),
                    base=drafts.revision(second.draft))
