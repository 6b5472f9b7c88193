"""Letters in the engine: the decision letter's PDF (PDF/A-2a, fonts embedded, the legal
content in bokmål and nynorsk), immutability after approval, corrections, who approves,
and that a template edited by the coordinating unit runs in the sandbox."""
from __future__ import annotations

import hashlib
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from engine.cases import casework
from engine.core.errors import ConflictError, PermissionDenied
from engine.db.models import Case
from engine.definitions import store
from engine.letters import content, drafting, templates
from engine.persons import identity, registry
from tests import letter_cases

DECISION = dict(letter_cases.DECISION, vedtak_koordinator="avslag",
                brev_innledning="Vi viser til søknaden din.")
APPLICATION = dict(letter_cases.APPLICATION, navn="Per Hansen", fodselsdato="1980-04-04")


@pytest.fixture
def officer(make_user):
    return make_user("siri", "saksbehandler")


@pytest.fixture
def leader(make_user):
    return make_user("lars", "leder")


def _draft(ctx, officer, language=None, serial=11, **changes):
    born = date(1980, 4, 4)
    person = registry.register(ctx, registry.PersonDetails(
        name="Per Hansen", national_id=identity.synthetic(born, serial), birth_date=born,
        address="Storgata 1", postal_code="0150", postal_place="Oslo"), "siri")
    case = casework.start_case(ctx, APPLICATION, officer)
    case.person_id = person.id
    version = store.latest_version(ctx, "ip_sak")
    data = {**DECISION, **changes}
    schema = store.form_schema(ctx, version, "utforme_vedtak.json")
    facts = content.decision_facts(ctx, version, data, schema)
    return drafting.draft(ctx, case, version, "vedtak", "vedtak", facts, data, language,
                          officer.username)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.mark.parametrize(("language", "words"), [
    ("nb", ("Vedtak om individuell plan og koordinator", "Innvilget", "Avslag", "Begrunnelse",
            "4 uker", "Du har rett til å se dokumentene", "Klagen avgjøres av")),
    ("nn", ("Vedtak om individuell plan og koordinator", "Innvilga", "Avslag", "Grunngiving",
            "4 veker", "Du har rett til å sjå dokumenta", "Klaga blir avgjord av",
            "Pasient- og brukarrettslova § 2-5 (individuell plan)",
            "Statsforvaltaren (pasient- og brukarrettslova § 7-2)",
            "forvaltningslova § 18")),
])
def test_the_decision_letter_carries_the_legal_content(ctx, clock, officer, leader, language,
                                                        words):
    letter = drafting.approve(ctx, _draft(ctx, officer, language).id, leader)
    text = _text(letter.pdf)
    for word in words:
        assert word in text, word
    # the basis, the appeal body and a deadline date counted from the expected delivery
    if language == "nb":
        assert "Pasient- og brukerrettighetsloven § 2-5 (individuell plan)" in text
        assert "Statsforvalteren (pasient- og brukerrettighetsloven § 7-2)" in text
    else:
        assert "brukerrettighetsloven" not in text and "Statsforvalteren" not in text
    delivered = content.expected_delivery(ctx, ctx.today())
    assert templates.long_date(delivered) in text
    assert "Vi viser til søknaden din." in text and "Per Hansen" in text
    assert "Storgata 1" in text and "UTKAST" not in text


def test_the_pdf_is_pdf_a_2a_with_its_fonts_embedded(ctx, officer, leader):
    letter = drafting.approve(ctx, _draft(ctx, officer).id, leader)
    assert letter.content_hash == hashlib.sha256(letter.pdf).hexdigest()
    reader = PdfReader(io.BytesIO(letter.pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")2", xmp) and re.search(r"pdfaid:conformance(>|=\")A", xmp)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert root["/Lang"] == "nb"
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/FontDescriptor")
                          or font["/DescendantFonts"][0].get_object()["/FontDescriptor"])
            fonts.append(font["/BaseFont"])
            assert any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2",
                                                              "/FontFile3")), font["/BaseFont"]
    assert fonts


def test_a_draft_is_marked_and_an_approved_letter_never_changes(ctx, officer, leader):
    draft = _draft(ctx, officer)
    _, pdf = drafting.pdf_of(ctx, draft.id, officer)
    assert "UTKAST – ikke sendt" in _text(pdf)
    drafting.edit(ctx, draft.id, officer, {"brev_tillegg": "Ring oss gjerne."})
    letter = drafting.approve(ctx, draft.id, leader)
    stored = letter.pdf
    with pytest.raises(ConflictError):
        drafting.edit(ctx, letter.id, officer, {"brev_tillegg": "Noe annet"})
    with pytest.raises(ConflictError):
        drafting.approve(ctx, letter.id, leader)
    assert drafting.pdf_of(ctx, letter.id, officer)[1] == stored
    correction = drafting.correct(ctx, letter.id, officer)
    assert correction.corrects_id == letter.id and correction.status == "draft"
    assert correction.free_text["brev_tillegg"] == "Ring oss gjerne."
    approved = drafting.approve(ctx, correction.id, leader)
    assert "Dette brevet retter vedtaksbrevet datert" in _text(approved.pdf)
    assert letter.pdf == stored and letter.status == "approved"


def test_the_persons_written_language_is_the_letters_unless_the_officer_chooses(ctx, officer):
    draft = _draft(ctx, officer)
    assert draft.language == ctx.settings.malform == "nb"
    registry.update(ctx, draft.person_id, {"written_language": "nn"}, "siri")
    again = _draft(ctx, officer, serial=13)
    registry.update(ctx, again.person_id, {"written_language": "nn"}, "siri")
    case = ctx.session.get(Case, again.case_id)
    version = store.latest_version(ctx, "ip_sak")
    redrafted = drafting.draft(ctx, case, version, "vedtak", "vedtak", again.facts, {}, None,
                               "siri")
    assert redrafted.id == again.id and redrafted.language == "nn"
    chosen = drafting.draft(ctx, case, version, "vedtak", "vedtak", again.facts, {}, "nb",
                            "siri")
    assert chosen.language == "nb"


def test_only_a_leader_approves_a_decision_letter(ctx, officer):
    draft = _draft(ctx, officer)
    with pytest.raises(PermissionDenied):
        drafting.approve(ctx, draft.id, officer)
    assert draft.status == "draft" and draft.pdf is None


def test_a_template_runs_in_the_sandbox(ctx, officer):
    version = store.latest_version(ctx, "ip_sak")
    hostile = next(f for f in version.files if f.filename == "vedtak.nb.html.j2")
    original = hostile.content
    try:
        hostile.content = "{{ brev.__class__.__mro__[1].__subclasses__() }}"
        templates._environment.cache_clear()
        from jinja2.exceptions import SecurityError
        with pytest.raises(SecurityError):
            drafting.preview_html(ctx, _draft(ctx, officer))
        hostile.content = "<p>{{ vedtak.begrunnelse }}</p>"
        templates._environment.cache_clear()
        html = drafting.preview_html(ctx, _draft(ctx, officer, serial=12,
                                                 begrunnelse="<script>x()</script>"))
        assert "<script>" not in html and "&lt;script&gt;" in html
    finally:
        hostile.content = original
        templates._environment.cache_clear()
