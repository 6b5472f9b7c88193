"""Digital letters through the outbox against a local SvarUt stub (tests/svarut_stub.py):
a queued copy reaches SvarUt once even when SvarUt fails or an answer is lost, and the
delivery date SvarUt reports is the letter's, which starts the case's appeal clock."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.db.models import Case, LetterRecipient
from engine.deadlines.calendar import deadline
from engine.letters import outbox
from engine.scheduling import scheduler
from tests.letter_cases import sent_digitally, svarut_settings
from tests.svarut_stub import SvarUtStub


@pytest.fixture
def stub():
    with SvarUtStub() as running:
        yield running


@pytest.fixture
def env(committed_env, stub):
    committed_env.settings = svarut_settings(committed_env.settings, stub)
    return committed_env


def _copy(env, copy_id) -> LetterRecipient:
    with env.unit_of_work() as ctx:
        copy = ctx.session.get(LetterRecipient, copy_id)
        ctx.session.expunge(copy)
        return copy


def test_a_letter_reaches_svarut_once_and_its_delivery_starts_the_appeal_clock(env, stub):
    case_id, copy_id = sent_digitally(env)
    client = outbox.client_for(env.settings)
    assert _copy(env, copy_id).status == "queued"

    stub.fail_next(1, 500, endpoint="send")  # SvarUt fails once: nothing taken
    first = scheduler.letters(env, client)
    assert (first.shipped, first.retry) == (0, 1)
    assert _copy(env, copy_id).attempts == 1 and _copy(env, copy_id).status == "queued"

    stub.drop_next_send_answer()  # taken, but the answer is lost
    scheduler.letters(env, client)
    assert _copy(env, copy_id).status == "queued"
    again = scheduler.letters(env, client)  # the retry finds the first shipment
    copy = _copy(env, copy_id)
    assert again.shipped == 1 and copy.status == "sent"
    assert stub.sends_for(copy.shipment_id) == 1 and len(stub.shipments) == 1
    [shipment] = stub.shipments.values()
    assert shipment.documents[0].data.startswith(b"%PDF") and copy.external_id

    assert scheduler.letters(env, client).delivered == 0  # not delivered yet
    delivered = date(2026, 1, 9)
    stub.mark_delivered(copy.external_id, delivered)
    assert scheduler.letters(env, client).delivered == 1
    copy = _copy(env, copy_id)
    assert (copy.status, copy.delivered_on, copy.delivery_source) == (
        "delivered", delivered, "channel")
    with env.unit_of_work() as ctx:
        facts = ctx.session.get(Case, case_id).facts
    assert facts["leveringsdato"] == delivered.isoformat()
    assert facts["klagefrister"]["ip"] == deadline(delivered, "P4W")


def test_a_refusal_marks_the_copy_failed_for_the_officer(env, stub):
    _case_id, copy_id = sent_digitally(env, serial=101)
    stub.fail_next(1, 400, endpoint="send")
    report = scheduler.letters(env, outbox.client_for(env.settings))
    copy = _copy(env, copy_id)
    assert report.shipped == 0 and copy.status == "failed" and "400" in copy.last_error
    assert stub.shipments == {}
    with env.unit_of_work() as ctx:
        assert ctx.session.scalars(select(LetterRecipient.id).where(
            LetterRecipient.status == "queued")).all() == []


def test_maskinporten_refusing_our_credentials_fails_no_letter(env, stub):
    """A wrong key is the municipality's set-up, not the letter's fault: the copy stays
    queued (its attempt not counted) and goes once the credentials are right."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from engine.letters.maskinporten import MaskinportenGrant, SigningKey
    from engine.letters.svarut import SvarUtClient
    from tests.maskinporten_stub import MaskinportenStub

    def now():
        return env.clock()

    registered, wrong = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
                         for _ in range(2))
    _case_id, copy_id = sent_digitally(env, serial=130)
    with MaskinportenStub(now) as mp:
        mp.register_key("k1", registered.public_key())
        stub.accepts_token = mp.valid

        def client(key):
            grant = MaskinportenGrant(mp.issuer, mp.client_id, SigningKey(key, key_id="k1"),
                                      clock=now, timeout_seconds=5)
            return SvarUtClient(stub.url, stub.account_id, stub.integration_id,
                                stub.integration_password, grant, timeout_seconds=5,
                                send_timeout_seconds=5)

        for _round in range(2):
            report = scheduler.letters(env, client(wrong))
            assert (report.shipped, report.retry) == (0, 1)
        copy = _copy(env, copy_id)
        assert (copy.status, copy.attempts) == ("queued", 0)
        assert copy.last_error.startswith("maskinporten 400")
        assert scheduler.letters(env, client(registered)).shipped == 1
        assert _copy(env, copy_id).status == "sent" and len(stub.shipments) == 1
