"""A client of KS SvarUt, the municipalities' channel for digital mail with print as fallback.

SvarUt's REST API v2 on the Fiks platform (docs/svarut.md says how Samflyt uses it). Sources:

- https://developers.fiks.ks.no/tjenester/svarut/restv2/ (ks-no/ks-no.github.io,
  content/Tjenester/svarut/RESTV2.md): the multipart send, the authentication;
- the OpenAPI specs forsendelse-send-api-v2.json, forsendelse-eksternref-api-v2.json and
  forsendelse-status-api-v2.json, and KS's own client that uses them (github.com/ks-no/
  fiks-svarut-klient, openapi/ and src/main/kotlin/no/ks/svarut/klient/, release 4.8.0):
  the paths, the JSON shapes, the status values and the error body (`ErrorMessage`).

The endpoints, relative to the base URL (https://svarut.ks.no, or https://test.svarut.ks.no):

- find by our id: GET /api/v2/kontoer/{kontoId}/forsendelser?eksternRef=<id>
  → {"forsendelseIds": [...]};
- send: POST /api/v2/kontoer/{kontoId}/forsendelser/, multipart/form-data: the part
  "forsendelse" (JSON), then one part per document → {"id": <forsendelse id>};
- status: POST /api/v2/kontoer/{kontoId}/forsendelser/status-sok {"forsendelseIds": [...]}
  → {"statuser": [{"id", "status", "sisteStatusEndring"}]}.

Every request carries the Fiks platform's credentials: `Authorization: Bearer <Maskinporten
token, scope ks:fiks>`, `IntegrasjonId` and `IntegrasjonPassord` (a Fiks integration that
has been given access to the sending account, `kontoId`). REST v1 (Basic auth,
/tjenester/api/forsendelse/v1) is not used: KS shuts it down at the end of 2026. Send and
status v3 (one send endpoint per kind of recipient) are not used yet; v2 is marked replaced,
with no date of shutdown.

**Never twice.** SvarUt chooses the forsendelse id, so the shipment's own id (a UUID that
Samflyt stores before sending) goes as `eksternReferanse`, and `send` first looks the
reference up: a shipment SvarUt already has is not sent again, whatever became of the answer
to the first attempt. That holds for retries one after another; two `send`s of one shipment
at the same moment must be prevented by the caller (one task per shipment, a row lock).

**No personal data in errors or logs.** A `SvarUtError` says what failed with the HTTP
status, SvarUt's `errorCode` and `errorId`, never SvarUt's free-text message (it may quote
the recipient); the log carries the shipment's id and the forsendelse id only. The shipment's
PDF, national identity number, name and address are left out of its repr.

Pure: no Flask, no Celery, no settings; nothing happens at import. Standard library HTTP.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from http.client import HTTPException
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import HTTPRedirectHandler, OpenerDirector, Request, build_opener
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

#: What SvarUt records as the sending system (`avgivendeSystem`).
SENDING_SYSTEM = "Samflyt"
#: KS recommends 16 minutes for a send: SvarUt answers only when it has taken the documents.
SEND_TIMEOUT_SECONDS = 16 * 60
#: Dates of status changes are dates in Norway.
LOCAL_TIME = ZoneInfo("Europe/Oslo")

#: The status values of the status API v2 (forsendelse-status-api-v2.json), with KS's meaning.
STATES = frozenset({
    "MOTTATT",           # received, an id given
    "AKSEPTERT",         # validated, the shipment file made
    "AVVIST",            # rejected: missing or corrupt metadata, or no shipment file
    "VARSLET",           # a notice of it sent to the notification service
    "LEST",              # read: the recipient downloaded the whole shipment
    "SENDT_PRINT",       # handed to the print provider
    "PRINTET",           # the print provider's receipt (or a manual print) came
    "MANUELT_HANDTERT",  # closed by hand, e.g. after an error
    "SENDT_DIGITALT",    # sent digitally, not read yet; will never go to print
    "SENDT_SDP",         # sent to the recipient's digital mailbox
    "LEVERT_SDP",        # the digital mailbox's delivery receipt came: the recipient has it
    "KLAR_FOR_MOTTAK",   # waiting for the recipient's system to fetch it
    "IKKE_LEVERT",       # digital only, and it could not be delivered
})
#: A state whose time is when the letter reached the recipient (digital mailbox, or printed).
DELIVERED_STATES = frozenset({"LEVERT_SDP", "PRINTET"})
#: A state in which the letter will not reach the recipient.
FAILED_STATES = frozenset({"AVVIST", "IKKE_LEVERT", "MANUELT_HANDTERT"})

#: Statuses worth the same request again later (besides every 5xx and no answer at all).
_RETRYABLE_4XX = frozenset({408, 429})
#: SvarUt refuses these in a file name (forsendelse-send-api-v2.json, Dokument.filnavn).
_BAD_FILENAME = re.compile(r'[*:"\\/<>|?\r\n]')
#: An errorCode is shown only when it looks like a code, not like a sentence.
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_MAX_ERROR_BODY = 64 * 1024


class SvarUtError(Exception):
    """A request to SvarUt failed. `retryable`: the same call may succeed later (no answer,
    a 5xx, 408 or 429); otherwise SvarUt refused it (4xx) and a retry refuses it again.

    The message never carries the letter or the recipient; `status`, `error_code` and
    `error_id` (SvarUt's id of the failure, for their support) are there to act on."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None,
                 error_code: str | None = None, error_id: str | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.error_code = error_code
        self.error_id = error_id


@dataclass(frozen=True)
class PostalAddress:
    """Where SvarUt posts the letter when it cannot be delivered digitally."""

    lines: tuple[str, ...]  # up to three address lines
    postal_code: str
    city: str
    country: str = ""  # empty for Norway

    def __post_init__(self) -> None:
        if len(self.lines) > 3:
            raise ValueError("SvarUt takes at most three address lines")
        if not self.postal_code.strip() or not self.city.strip():
            raise ValueError("a postal address needs a postal code and a city")


@dataclass(frozen=True)
class Shipment:
    """One letter to one person. `shipment_id` is ours, chosen before the first attempt and
    kept for every retry (it goes as `eksternReferanse`); `title` shows in the recipient's
    mailbox and must not reveal health information; `case_number` goes as `korrelasjonsid`
    (SvarUt groups a case's letters by it), `letter_kind` as `forsendelsestype`.

    `digital_only` (`kunDigitalLevering`): never printed, and no word back from SvarUt if no
    digital channel takes it; otherwise `address` is required, for the print fallback."""

    shipment_id: str
    title: str
    national_id: str = field(repr=False)
    recipient_name: str = field(repr=False)
    address: PostalAddress | None = field(repr=False)
    pdf: bytes = field(repr=False)
    filename: str
    case_number: str
    letter_kind: str
    digital_only: bool = False
    sensitive: bool = True  # inneholderPersonsensitivInformasjon: a health service's letter

    def __post_init__(self) -> None:
        try:
            uuid.UUID(self.shipment_id)
        except ValueError:
            raise ValueError("shipment_id must be a UUID") from None
        if not self.title.strip() or len(self.title) > 1000:
            raise ValueError("a title of 1 to 1000 characters")
        if not self.recipient_name.strip():
            raise ValueError("the recipient's name is required")
        if len(self.national_id) != 11 or not self.national_id.isdigit():
            raise ValueError("the recipient's national identity number: 11 digits")
        if not self.digital_only and self.address is None:
            raise ValueError("a letter that may be printed needs a postal address")
        if not self.filename or len(self.filename) > 226 or _BAD_FILENAME.search(self.filename):
            raise ValueError("a file name of 1 to 226 characters, none of * : \" \\ / < > | ?")
        if not self.pdf.startswith(b"%PDF-"):
            raise ValueError("the document is not a PDF")
        for name, value in (("case_number", self.case_number), ("letter_kind", self.letter_kind)):
            if not value or len(value) > 100:
                raise ValueError(f"{name}: 1 to 100 characters")


@dataclass(frozen=True)
class ShipmentStatus:
    """Where a shipment is, as SvarUt's status API says: its state now and when it came.

    `delivered_on` is the date of a delivered state (LEVERT_SDP, PRINTET), `read_on` of LEST;
    both are Norwegian dates. SvarUt gives only the current state's time, so once a letter
    is read its delivery date is no longer told: keep the first `delivered_on` seen."""

    forsendelse_id: str
    state: str
    changed_at: datetime
    delivered_on: date | None
    read_on: date | None
    raw: Mapping[str, Any]

    @property
    def failed(self) -> bool:
        return self.state in FAILED_STATES


class SvarUtClient:
    """SvarUt's REST API v2 for one sending account (`account_id`, SvarUt's kontoId).

    `access_token()` returns a valid Maskinporten access token with scope `ks:fiks`; it is
    called for each request, so it caches the token, and it raises SvarUtError (retryable)
    when Maskinporten does not answer. `integration_id` and `integration_password` are the
    Fiks integration's. `timeout_seconds` bounds a lookup or a status request;
    `send_timeout_seconds` a send (KS recommends 16 minutes)."""

    def __init__(self, base_url: str, account_id: str, integration_id: str,
                 integration_password: str, access_token: Callable[[], str], *,
                 timeout_seconds: float = 30,
                 send_timeout_seconds: float = SEND_TIMEOUT_SECONDS) -> None:
        if urlsplit(base_url).scheme not in ("https", "http"):
            raise ValueError("SvarUt's base URL must be http(s)")
        self.base_url = base_url.rstrip("/")
        self.account_id = str(uuid.UUID(account_id))
        self.integration_id = integration_id
        self._integration_password = integration_password
        self._access_token = access_token
        self.timeout_seconds = timeout_seconds
        self.send_timeout_seconds = send_timeout_seconds
        self._opener: OpenerDirector = build_opener(_NoRedirects)

    def __repr__(self) -> str:
        return f"SvarUtClient({self.base_url!r}, account={self.account_id})"

    # --- operations ---------------------------------------------------------------------------

    def send(self, shipment: Shipment) -> str:
        """Send the letter unless SvarUt already has it; the forsendelse id either way."""
        existing = self.find(shipment.shipment_id)
        if existing:
            if len(existing) > 1:
                log.warning("svarut: several shipments with one reference shipment=%s count=%d",
                            shipment.shipment_id, len(existing))
            log.info("svarut: shipment already sent shipment=%s forsendelse=%s",
                     shipment.shipment_id, existing[0])
            return existing[0]
        boundary, body = _multipart(_forsendelse(shipment), shipment)
        answer = self._call("POST", f"{self._account_path}/forsendelser/", body,
                            f"multipart/form-data; boundary={boundary}",
                            self.send_timeout_seconds, "send")
        forsendelse_id = _text(answer, "id", "send")
        log.info("svarut: shipment sent shipment=%s forsendelse=%s", shipment.shipment_id,
                 forsendelse_id)
        return forsendelse_id

    def find(self, shipment_id: str) -> list[str]:
        """The forsendelse ids SvarUt keeps under our id (`eksternReferanse`)."""
        answer = self._call("GET", f"{self._account_path}/forsendelser?eksternRef="
                                   f"{quote(shipment_id, safe='')}",
                            None, None, self.timeout_seconds, "lookup")
        ids = answer.get("forsendelseIds")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise SvarUtError("SvarUt lookup: an answer without forsendelseIds", retryable=True)
        return ids

    def status(self, forsendelse_id: str) -> ShipmentStatus:
        body = json.dumps({"forsendelseIds": [forsendelse_id]}).encode()
        answer = self._call("POST", f"{self._account_path}/forsendelser/status-sok", body,
                            "application/json", self.timeout_seconds, "status")
        statuses = answer.get("statuser")
        if not isinstance(statuses, list):
            raise SvarUtError("SvarUt status: an answer without statuser", retryable=True)
        for item in statuses:
            if isinstance(item, dict) and item.get("id") == forsendelse_id:
                return _status(item)
        raise SvarUtError(f"SvarUt status: no status for forsendelse {forsendelse_id}",
                          retryable=False)

    # --- HTTP ------------------------------------------------------------------------------------

    @property
    def _account_path(self) -> str:
        return f"{self.base_url}/api/v2/kontoer/{self.account_id}"

    def _call(self, method: str, url: str, body: bytes | None, content_type: str | None,
              timeout: float, what: str) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {self._access_token()}",
            "IntegrasjonId": self.integration_id,
            "IntegrasjonPassord": self._integration_password,
            "Accept": "application/json",
        }
        if content_type:
            headers["Content-Type"] = content_type
        request = Request(url, data=body, headers=headers, method=method)  # noqa: S310 - http(s), checked in __init__
        try:
            with self._opener.open(request, timeout=timeout) as response:
                data = response.read()
        except HTTPError as error:
            raise _refusal(error, what) from None
        except (URLError, HTTPException, OSError) as error:
            reason = error.reason if isinstance(error, URLError) else error
            raise SvarUtError(f"SvarUt {what}: no answer ({type(reason).__name__})",
                              retryable=True) from error
        try:
            answer = json.loads(data)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise SvarUtError(f"SvarUt {what}: an answer that is not a JSON object",
                              retryable=True)
        return answer


class _NoRedirects(HTTPRedirectHandler):
    """A redirect is an error (HTTPError with its 3xx): followed, it would take the
    credentials elsewhere, or turn a send into a GET."""

    def redirect_request(self, req: Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        return None


# --- the request -------------------------------------------------------------------------------

def _forsendelse(shipment: Shipment) -> dict[str, Any]:
    """The `forsendelse` part (Forsendelse in forsendelse-send-api-v2.json)."""
    recipient: dict[str, Any] = {"navn": shipment.recipient_name,
                                 "digitalId": shipment.national_id}
    if shipment.address is not None:
        for number, line in enumerate(shipment.address.lines, start=1):
            recipient[f"adresselinje{number}"] = line
        recipient["postnummer"] = shipment.address.postal_code
        recipient["poststed"] = shipment.address.city
        if shipment.address.country:
            recipient["land"] = shipment.address.country
    return {
        "tittel": shipment.title,
        "mottaker": recipient,
        "avgivendeSystem": SENDING_SYSTEM,
        "kunDigitalLevering": shipment.digital_only,
        "utskriftskonfigurasjon": {"utskriftMedFarger": False, "tosidig": True},
        "dokumenter": [{
            "filnavn": shipment.filename,
            "mimeType": "application/pdf",
            "inneholderPersonsensitivInformasjon": shipment.sensitive,
        }],
        "eksternReferanse": shipment.shipment_id,
        "korrelasjonsid": shipment.case_number,
        "forsendelsestype": shipment.letter_kind,
    }


def _multipart(forsendelse: dict[str, Any], shipment: Shipment) -> tuple[str, bytes]:
    """multipart/form-data: the metadata part named "forsendelse", then the document, whose
    part's file name is the one in the metadata (RESTV2.md; KS's client names it "filer")."""
    boundary = f"samflyt-{secrets.token_hex(16)}"
    while boundary.encode() in shipment.pdf:  # pragma: no cover - one chance in 2**128
        boundary = f"samflyt-{secrets.token_hex(16)}"
    start = f"--{boundary}\r\n".encode()
    metadata = (start
                + b'Content-Disposition: form-data; name="forsendelse"\r\n'
                + b"Content-Type: application/json;charset=UTF-8\r\n\r\n"
                + json.dumps(forsendelse, ensure_ascii=False).encode() + b"\r\n")
    document = (start
                + b'Content-Disposition: form-data; name="filer"; filename="'
                + shipment.filename.encode() + b'"\r\n'
                + b"Content-Type: application/pdf\r\n\r\n"
                + shipment.pdf + b"\r\n")
    return boundary, metadata + document + f"--{boundary}--\r\n".encode()


# --- the answers -------------------------------------------------------------------------------

def _text(answer: dict[str, Any], key: str, what: str) -> str:
    value = answer.get(key)
    if not isinstance(value, str) or not value:
        raise SvarUtError(f"SvarUt {what}: an answer without {key}", retryable=True)
    return value


def _status(item: dict[str, Any]) -> ShipmentStatus:
    state, changed = item.get("status"), item.get("sisteStatusEndring")
    if not isinstance(state, str) or not isinstance(changed, str):
        raise SvarUtError("SvarUt status: a status without status or sisteStatusEndring",
                          retryable=True)
    try:
        changed_at = datetime.fromisoformat(changed)
    except ValueError:
        raise SvarUtError("SvarUt status: sisteStatusEndring is not a time",
                          retryable=True) from None
    if changed_at.tzinfo is None:  # SvarUt sends an offset; a time without one is Norway's
        changed_at = changed_at.replace(tzinfo=LOCAL_TIME)
    local_date = changed_at.astimezone(LOCAL_TIME).date()
    return ShipmentStatus(
        forsendelse_id=str(item["id"]), state=state, changed_at=changed_at,
        delivered_on=local_date if state in DELIVERED_STATES else None,
        read_on=local_date if state == "LEST" else None, raw=dict(item))


def _refusal(error: HTTPError, what: str) -> SvarUtError:
    """SvarUt's error answer (ErrorMessage: status, errorCode, errorId, message, ...) as an
    error that keeps the codes and drops the free text."""
    status = error.code
    try:
        body = json.loads(error.read(_MAX_ERROR_BODY) or b"null")
    except (ValueError, OSError):
        body = None
    finally:
        error.close()
    details = body if isinstance(body, dict) else {}
    code = details.get("errorCode")
    error_code = code if isinstance(code, str) and _CODE.match(code) else None
    error_id = details.get("errorId")
    try:
        error_id = str(uuid.UUID(str(error_id))) if error_id else None
    except ValueError:
        error_id = None
    message = f"SvarUt {what}: HTTP {status}"
    if error_code:
        message += f" {error_code}"
    if error_id:
        message += f" (errorId {error_id})"
    retryable = status >= 500 or status in _RETRYABLE_4XX
    return SvarUtError(message, retryable=retryable, status=status, error_code=error_code,
                       error_id=error_id)
