"""Digital copies on their way: each queued copy is sent to SvarUt once (our shipment id is
the idempotency key: a retry after a lost answer finds the first shipment), and each sent
copy's status is fetched until it is delivered, which records its delivery date (and may
start the appeal clock, engine/letters/sending.py). Boundaries run these: a Celery task per
copy in the scaled set-up, the in-process sweeper in the embedded one. Each call is one
copy in the caller's transaction."""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select

from engine.cases import audit
from engine.core.settings import Settings
from engine.db.models import Case, LetterRecipient, Person
from engine.letters import documents, maskinporten, sending
from engine.letters.kinds import KINDS
from engine.letters.svarut import PostalAddress, Shipment, SvarUtClient, SvarUtError

log = logging.getLogger(__name__)

QUEUED, SENT, FAILED = "queued", "sent", "failed"


def client_for(settings: Settings) -> SvarUtClient | None:
    """The SvarUt client the settings describe, or None when digital mail is off."""
    if settings.digital_channel != sending.SVARUT or not settings.svarut_url:
        return None
    access_token: Callable[[], str]
    if settings.svarut_access_token:  # a test set-up's fixed token
        token = settings.svarut_access_token
        access_token = lambda: token  # noqa: E731
    elif (settings.maskinporten_url and settings.maskinporten_client_id
          and settings.maskinporten_key_file):
        # One grant per process and configuration: every client shares its cached token.
        access_token = maskinporten.shared_grant(
            settings.maskinporten_url, settings.maskinporten_client_id,
            settings.maskinporten_key_file,
            certificate_file=settings.maskinporten_certificate_file,
            key_id=settings.maskinporten_key_id, scope=settings.maskinporten_scope)
    else:
        raise ValueError("SvarUt needs Maskinporten: set SAMFLYT_MASKINPORTEN_URL, "
                         "SAMFLYT_MASKINPORTEN_CLIENT_ID and SAMFLYT_MASKINPORTEN_KEY_FILE "
                         "(or SAMFLYT_SVARUT_ACCESS_TOKEN in a test set-up)")
    return SvarUtClient(settings.svarut_url, settings.svarut_account_id,
                        settings.svarut_integration_id, settings.svarut_integration_password,
                        access_token)


def waiting(ctx, status: str, limit: int = 200, untried: bool = False) -> list[int]:
    """Ids of copies in `status` (queued: to send; sent: to ask about), oldest first;
    `untried`: only those no attempt was made for."""
    query = select(LetterRecipient.id).where(LetterRecipient.status == status,
                                             LetterRecipient.channel == sending.SVARUT)
    if untried:
        query = query.where(LetterRecipient.attempts == 0)
    return list(ctx.session.scalars(query.order_by(LetterRecipient.id).limit(limit)))


def dispatch(ctx, recipient_id: int, client: SvarUtClient) -> str | None:
    """Send one queued copy; its SvarUt id (None when it is no longer queued). A retryable
    SvarUtError is raised for the boundary to retry later; a final refusal marks the copy
    failed, for the officer to send on paper. Maskinporten refusing Samflyt's own
    credentials is no fault of the letter: the copy stays queued, its attempt not counted,
    until the credentials are put right (the error is logged and raised)."""
    unlocked = ctx.session.get(LetterRecipient, recipient_id)
    if unlocked is None or unlocked.status != QUEUED:
        return None
    # the documents first (the renderer locks the letter, then writes its copies)
    letter = documents.ensure_rendered(ctx, unlocked.letter)
    copy = ctx.session.get(LetterRecipient, recipient_id, with_for_update=True,
                           populate_existing=True)
    if copy is None or copy.status != QUEUED:
        return None
    case = ctx.session.get(Case, letter.case_id)
    person = ctx.session.get(Person, copy.person_id)
    copy.attempts += 1
    try:
        forsendelse_id = client.send(_shipment(copy, letter, case, person))
    except maskinporten.MaskinportenError as error:
        copy.attempts -= 1
        copy.last_error = "maskinporten " + (f"{error.status or ''} {error.error_code or ''}"
                                             .strip() or "no answer")
        log.error("Maskinporten refused the token request (%s): letters wait", copy.last_error)
        raise
    except SvarUtError as error:
        copy.last_error = f"{error.status or ''} {error.error_code or ''}".strip() or "no answer"
        if error.retryable and copy.attempts < ctx.settings.letter_send_attempts:
            raise
        copy.status = FAILED
        audit.record(ctx, case, "system", "letter_failed", letter=letter.id,
                     recipient=copy.id, channel=sending.SVARUT)
        return None
    copy.status, copy.external_id, copy.posted_on = SENT, forsendelse_id, ctx.today()
    audit.record(ctx, case, "system", "letter_shipped", letter=letter.id, recipient=copy.id,
                 channel=sending.SVARUT)
    log.info("letter shipped letter=%s recipient=%s", letter.id, copy.id)
    return forsendelse_id


def poll(ctx, recipient_id: int, client: SvarUtClient) -> bool:
    """Ask SvarUt about one sent copy; True when it is now delivered."""
    copy = ctx.session.get(LetterRecipient, recipient_id, with_for_update=True)
    if copy is None or copy.status != SENT or not copy.external_id:
        return False
    status = client.status(copy.external_id)
    if status.failed:
        copy.status, copy.last_error = FAILED, status.state
        audit.record(ctx, ctx.session.get(Case, copy.letter.case_id), "system",
                     "letter_failed", letter=copy.letter_id, recipient=copy.id,
                     channel=sending.SVARUT)
        return False
    delivered = status.delivered_on or status.read_on
    if delivered is None:
        return False
    sending.record_delivery(ctx, copy.id, delivered, "channel", "system", read_on=status.read_on)
    return True


def _shipment(copy: LetterRecipient, letter, case: Case, person: Person) -> Shipment:
    lines = tuple(line for line in (person.address,) if line)
    address = (PostalAddress(lines, person.postal_code, person.postal_place)
               if person.postal_code and person.postal_place else None)
    return Shipment(shipment_id=copy.shipment_id, title=KINDS[letter.kind].title,
                    national_id=person.national_id or "", recipient_name=person.name,
                    address=address, pdf=copy.pdf or b"", filename=f"brev-{letter.id}.pdf",
                    case_number=case.case_number, letter_kind=letter.kind,
                    digital_only=address is None)
