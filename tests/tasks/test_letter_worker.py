"""Letters in the scaled set-up: a real Celery worker renders an approved letter (once),
sends a letter's copy to the local SvarUt stub, retries with backoff when SvarUt fails
(sending nothing twice), and the beat task fetches the delivery, which starts the case's
appeal clock."""
from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

import pytest

from engine.cases import audit
from engine.db.models import Case, Letter, LetterRecipient
from tasks import names
from tests.letter_cases import sent_digitally, svarut_settings
from tests.svarut_stub import SvarUtStub
from tests.tasks.support import wait_for

pytestmark = pytest.mark.postgres


def _copy(env, copy_id) -> LetterRecipient:
    with env.unit_of_work() as ctx:
        copy = ctx.session.get(LetterRecipient, copy_id)
        ctx.session.expunge(copy)
        return copy


def _letters_worker(workers, settings):
    """A worker that sends digital mail to the stub the settings name."""
    return workers.worker("letters", SAMFLYT_DIGITAL_CHANNEL="svarut",
                          SAMFLYT_SVARUT_URL=settings.svarut_url,
                          SAMFLYT_SVARUT_ACCOUNT_ID=settings.svarut_account_id,
                          SAMFLYT_SVARUT_INTEGRATION_ID=settings.svarut_integration_id,
                          SAMFLYT_SVARUT_INTEGRATION_PASSWORD=settings.svarut_integration_password,
                          SAMFLYT_SVARUT_ACCESS_TOKEN=settings.svarut_access_token)


def test_the_worker_sends_once_after_a_failure_and_records_the_delivery(
        scaled_env, workers, celery_client):
    with SvarUtStub() as stub:
        scaled_env.settings = svarut_settings(scaled_env.settings, stub)
        case_id, copy_id = sent_digitally(scaled_env, serial=900)
        _letters_worker(workers, scaled_env.settings)
        stub.fail_next(1, 503, endpoint="send")
        celery_client.send_task(names.LETTERS)  # queues samflyt.send_letter for the copy
        copy = wait_for(lambda: (c := _copy(scaled_env, copy_id)).status == "sent" and c,
                        "the copy sent to SvarUt")
        assert copy.attempts == 2 and stub.sends_for(copy.shipment_id) == 1
        assert stub.posts() == 2 and len(stub.shipments) == 1

        delivered = date(2026, 1, 7)
        stub.mark_delivered(copy.external_id, delivered)
        celery_client.send_task(names.LETTERS)
        wait_for(lambda: _copy(scaled_env, copy_id).status == "delivered", "the delivery")
        with scaled_env.unit_of_work() as ctx:
            facts = ctx.session.get(Case, case_id).facts
        assert facts["leveringsdato"] == delivered.isoformat()
        assert stub.sends_for(copy.shipment_id) == 1


def test_with_workers_a_worker_renders_the_approved_letter_and_svarut_gets_that_pdf(
        scaled_env, workers, celery_client, redis_url):
    with SvarUtStub() as stub:
        scaled_env.settings = dataclasses.replace(svarut_settings(scaled_env.settings, stub),
                                                  broker_url=redis_url)
        case_id, copy_id = sent_digitally(scaled_env, serial=910)
        letter_id = _copy(scaled_env, copy_id).letter_id
        with scaled_env.unit_of_work() as ctx:  # the leader's approval rendered nothing
            assert ctx.session.get(Letter, letter_id).content_hash is None
        _letters_worker(workers, scaled_env.settings)
        celery_client.send_task(names.LETTERS)  # queues the render and the send
        copy = wait_for(lambda: (c := _copy(scaled_env, copy_id)).status == "sent" and c,
                        "the copy sent to SvarUt")
        with scaled_env.unit_of_work() as ctx:
            letter = ctx.session.get(Letter, letter_id)
            assert letter.content_hash is not None
            sent = ctx.session.get(LetterRecipient, copy_id).pdf
            rendered = audit.case_history(ctx, case_id, {"letter_rendered"})
        assert len(rendered) == 1 and rendered[0].actor == "system"
        [shipment] = stub.shipments.values()
        assert [doc.data for doc in shipment.documents] == [sent]
        assert hashlib.sha256(sent).hexdigest() == copy.content_hash
