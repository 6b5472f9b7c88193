"""A letter's documents: one PDF per copy, addressed to its recipient in the copy's own
written language; rendered once after approval, at once in the embedded set-up and later
(by a worker, or whoever needs it first) when there are background workers."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import threading
from datetime import date

import pytest
from pypdf import PdfReader

from engine.accounts import users
from engine.cases import casework
from engine.core.errors import ConflictError, InvalidInput
from engine.db.models import Case, Letter
from engine.definitions import store
from engine.letters import content, documents, drafting
from engine.persons import identity, registry
from engine.scheduling import scheduler
from tests import letter_cases

CHILD_BORN = date(2016, 6, 1)
APPLICATION = dict(letter_cases.APPLICATION, navn="Ola Liten",
                   fodselsdato=CHILD_BORN.isoformat(), soker_rolle="forelder")


@pytest.fixture
def officer(make_user):
    return make_user("siri", "saksbehandler")


@pytest.fixture
def leader(make_user):
    return make_user("lars", "leder")


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _parent(ctx, name, serial, address, language=None):
    born = date(1985, 3, 3)
    return registry.register(ctx, registry.PersonDetails(
        name=name, national_id=identity.synthetic(born, serial), birth_date=born,
        address=address, postal_code="5003", postal_place="Bergen",
        written_language=language), "siri")


def _child_letter(ctx, officer, serial=600) -> Letter:
    """A decision letter about a child of 9 whose mother writes nynorsk, father bokmål."""
    child = registry.register(ctx, registry.PersonDetails(
        name="Ola Liten", national_id=identity.synthetic(CHILD_BORN, serial),
        birth_date=CHILD_BORN, address="Strandgaten 1", postal_code="5003",
        postal_place="Bergen"), "siri")
    mother = _parent(ctx, "Mari Mor", serial + 1, "Nygårdsgaten 2", "nn")
    father = _parent(ctx, "Frode Far", serial + 2, "Kalfarveien 3")
    for parent in (mother, father):
        registry.add_relation(ctx, child.id, parent.id, "forelder", "siri",
                              parental_responsibility=True)
    case = casework.start_case(ctx, APPLICATION, officer)
    case.person_id = child.id
    version = store.latest_version(ctx, "ip_sak")
    data = dict(letter_cases.DECISION)
    facts = content.decision_facts(ctx, version, data,
                                   store.form_schema(ctx, version, "utforme_vedtak.json"))
    return drafting.draft(ctx, case, version, "vedtak", "vedtak", facts, data, None, "siri")


def test_each_copy_is_addressed_to_its_recipient_in_their_own_language(ctx, officer, leader):
    draft = _child_letter(ctx, officer)
    assert draft.language == "nb"  # the child's: none registered, the municipality's
    copies = {copy.name: copy for copy in draft.recipients}
    assert set(copies) == {"Mari Mor", "Frode Far"}
    assert copies["Mari Mor"].language == "nn" and copies["Frode Far"].language is None

    letter = drafting.approve(ctx, draft.id, leader)
    mother = _text(copies["Mari Mor"].pdf)
    father = _text(copies["Frode Far"].pdf)
    assert "Grunngiving" in mother and "Begrunnelse" not in mother
    assert "Begrunnelse" in father and "Grunngiving" not in father
    assert "Nygårdsgaten 2" in mother and "Kalfarveien 3" not in mother
    assert "Kalfarveien 3" in father and "Nygårdsgaten 2" not in father
    assert "Kopi: Frode Far" in mother and "Kopi: Mari Mor" in father
    for copy in letter.recipients:
        assert copy.content_hash == hashlib.sha256(copy.pdf).hexdigest()
    # the letter's own document, the one archived, is its first copy's
    assert (letter.pdf, letter.content_hash) == (letter.recipients[0].pdf,
                                                 letter.recipients[0].content_hash)
    _, copy, pdf = drafting.copy_pdf_of(ctx, letter.id, copies["Mari Mor"].id, officer)
    assert pdf == copies["Mari Mor"].pdf and copy.name == "Mari Mor"


def test_the_officer_chooses_a_copys_language_on_a_draft_and_a_redraft_keeps_it(
        ctx, officer, leader):
    draft = _child_letter(ctx, officer, serial=610)
    father = next(c for c in draft.recipients if c.name == "Frode Far")
    drafting.set_copy_language(ctx, draft.id, father.id, officer, "nn")
    assert documents.language_of(draft, father) == "nn"
    with pytest.raises(InvalidInput):
        drafting.set_copy_language(ctx, draft.id, father.id, officer, "se")
    # the leader sends the decision back; drafted again, the father's choice stays
    again = drafting.draft(ctx, ctx.session.get(Case, draft.case_id),
                           store.latest_version(ctx, "ip_sak"), "vedtak", "vedtak",
                           draft.facts, {}, None, "siri")
    assert again.id == draft.id
    assert {c.name: c.language for c in again.recipients}["Frode Far"] == "nn"
    drafting.approve(ctx, draft.id, leader)
    assert "Grunngiving" in _text(next(c for c in draft.recipients
                                       if c.name == "Frode Far").pdf)
    with pytest.raises(ConflictError):
        drafting.set_copy_language(ctx, draft.id, father.id, officer, "nb")


def test_with_background_workers_the_approval_leaves_rendering_and_it_happens_once(
        ctx, officer, leader):
    ctx.settings = dataclasses.replace(ctx.settings, broker_url="redis://127.0.0.1:6379/9")
    first = drafting.approve(ctx, _child_letter(ctx, officer, serial=620).id, leader)
    assert first.status == "approved" and first.content_hash is None
    assert all(copy.pdf is None for copy in first.recipients)
    assert first.id in documents.pending(ctx)

    assert documents.render_letter(ctx, first.id) is True
    rendered = first.content_hash
    assert rendered is not None and first.id not in documents.pending(ctx)
    assert documents.render_letter(ctx, first.id) is False
    assert first.content_hash == rendered

    # whoever needs the PDF before the worker comes renders it, and the worker then finds
    # it done
    second = drafting.approve(ctx, _child_letter(ctx, officer, serial=630).id, leader)
    _, pdf = drafting.pdf_of(ctx, second.id, officer)
    assert hashlib.sha256(pdf).hexdigest() == second.content_hash
    assert "UTKAST" not in _text(pdf)
    assert documents.render_letter(ctx, second.id) is False


def test_a_draft_is_never_rendered_for_keeps(ctx, officer):
    draft = _child_letter(ctx, officer, serial=640)
    assert documents.render_letter(ctx, draft.id) is False
    _, pdf = drafting.pdf_of(ctx, draft.id, officer)
    assert "UTKAST" in _text(pdf) and draft.content_hash is None


@pytest.mark.postgres
def test_two_workers_render_one_letter_once(postgres_committed_env):
    env = postgres_committed_env
    env.settings = dataclasses.replace(env.settings, broker_url="redis://127.0.0.1:6379/9")
    with env.unit_of_work() as ctx:
        officer = users.add_user(ctx, "siri", ["saksbehandler"])
        leader = users.add_user(ctx, "lars", ["leder"])
        letter_id = drafting.approve(ctx, _child_letter(ctx, officer, serial=650).id,
                                     leader).id
    results: list[bool] = []
    start = threading.Barrier(2)

    def work():
        start.wait()
        results.append(scheduler.render_letter(env, letter_id))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    with env.unit_of_work() as ctx:
        letter = ctx.session.get(Letter, letter_id)
        assert letter.content_hash == hashlib.sha256(letter.pdf).hexdigest()
        assert all(copy.content_hash for copy in letter.recipients)
