"""A stand-in for KS SvarUt's REST API v2 on 127.0.0.1, for tests: the three endpoints
engine/letters/svarut.py uses, with SvarUt's paths, credentials, multipart and JSON shapes,
status values and error body (`ErrorMessage`); see that module's docstring for the sources.

    with SvarUtStub() as stub:
        client = SvarUtClient(stub.url, stub.account_id, stub.integration_id,
                              stub.integration_password, lambda: stub.access_token)
        ...
        stub.mark_delivered(forsendelse_id, date(2026, 12, 7))

What it keeps (under a lock; the server answers from its own threads): every shipment taken
(`shipments`: the parsed metadata and the documents' bytes), how many were taken per
`eksternReferanse` (`sends_for`), and every request's method and path (`requests`).

Tokens: the fixed `access_token`, or whatever `accepts_token(token)` accepts (a
MaskinportenStub's `valid`: tokens it issued that have not expired).

Faults: `fail_next(n, status, endpoint=...)` answers the next n requests with that status and
keeps nothing; `drop_next_send_answer()` takes the next shipment and then closes the connection
without an answer, as a send whose answer was lost.
"""
from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
#: The status values of forsendelse-status-api-v2.json.
STATES = ("MOTTATT", "AKSEPTERT", "AVVIST", "VARSLET", "LEST", "SENDT_PRINT", "PRINTET",
          "MANUELT_HANDTERT", "SENDT_DIGITALT", "SENDT_SDP", "LEVERT_SDP", "KLAR_FOR_MOTTAK",
          "IKKE_LEVERT")
_BAD_FILENAME = re.compile(r'[*:"\\/<>|?]')
_KONTO = r"/api/v2/kontoer/(?P<konto>[^/?]+)/forsendelser"
ROUTES = (
    ("GET", re.compile(_KONTO + "$"), "lookup"),
    ("POST", re.compile(_KONTO + "/$"), "send"),
    ("POST", re.compile(_KONTO + "/status-sok$"), "status"),
)


class Rejected(Exception):
    def __init__(self, status: int, message: str, code: str = ""):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@dataclass
class Document:
    filename: str
    content_type: str
    data: bytes


@dataclass
class StoredShipment:
    forsendelse_id: str
    metadata: dict[str, Any]
    documents: list[Document]
    state: str = "MOTTATT"
    changed_at: datetime = field(default_factory=lambda: datetime.now(OSLO))


@dataclass
class _Fault:
    remaining: int
    status: int
    endpoint: str | None
    message: str


class SvarUtStub:
    def __init__(self) -> None:
        self.account_id = str(uuid.uuid4())
        self.integration_id = str(uuid.uuid4())
        self.integration_password = "stub-integrasjonspassord"
        self.access_token = "stub-maskinporten-token"
        #: When set, the bearer tokens it accepts instead of `access_token` (e.g. a
        #: MaskinportenStub's `valid`, tests/maskinporten_stub.py).
        self.accepts_token: Callable[[str], bool] | None = None
        self.shipments: dict[str, StoredShipment] = {}
        self.requests: list[tuple[str, str]] = []
        self._sends: dict[str, int] = {}
        self._faults: list[_Fault] = []
        self._drop_sends = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        #: serve_forever looks for shutdown this often: a test's stub stops within it.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> SvarUtStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # --- for tests -----------------------------------------------------------------------------

    def fail_next(self, count: int = 1, status: int = 500, *, endpoint: str | None = None,
                  message: str = "Intern feil") -> None:
        """Answer the next `count` requests (to `endpoint`: lookup, send, status; or any)
        with `status` and SvarUt's error body carrying `message`; nothing is kept."""
        with self._lock:
            self._faults.append(_Fault(count, status, endpoint, message))

    def drop_next_send_answer(self) -> None:
        """Take the next shipment, then close the connection without answering."""
        with self._lock:
            self._drop_sends += 1

    def sends_for(self, ekstern_referanse: str) -> int:
        """How many shipments were taken with this `eksternReferanse`."""
        with self._lock:
            return self._sends.get(ekstern_referanse, 0)

    def posts(self) -> int:
        """How many sends reached the stub (taken or not)."""
        with self._lock:
            return sum(1 for method, path in self.requests
                       if method == "POST" and path.endswith("/forsendelser/"))

    def set_status(self, forsendelse_id: str, state: str, at: datetime) -> None:
        assert state in STATES, state
        assert at.tzinfo is not None, "SvarUt's times carry an offset"
        with self._lock:
            shipment = self.shipments[forsendelse_id]
            shipment.state, shipment.changed_at = state, at

    def mark_delivered(self, forsendelse_id: str, on: date) -> None:
        """The digital mailbox's delivery receipt came on that (Norwegian) day."""
        self.set_status(forsendelse_id, "LEVERT_SDP", datetime.combine(on, time(12), OSLO))

    def mark_read(self, forsendelse_id: str, on: date) -> None:
        self.set_status(forsendelse_id, "LEST", datetime.combine(on, time(12), OSLO))

    # --- the API -------------------------------------------------------------------------------

    def _authenticate(self, headers: Any) -> None:
        authorization = headers.get("Authorization") or ""
        if self.accepts_token is not None:
            token_ok = (authorization.startswith("Bearer ")
                        and self.accepts_token(authorization.removeprefix("Bearer ")))
        else:
            token_ok = authorization == f"Bearer {self.access_token}"
        if (not token_ok
                or headers.get("IntegrasjonId") != self.integration_id
                or headers.get("IntegrasjonPassord") != self.integration_password):
            raise Rejected(401, "Unauthorized", "UNAUTHORIZED")

    def _fault_for(self, endpoint: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining and fault.endpoint in (None, endpoint):
                    fault.remaining -= 1
                    return fault
        return None

    def _lookup(self, query: str) -> dict[str, Any]:
        refs = parse_qs(query).get("eksternRef")
        if not refs:
            raise Rejected(400, "Required request parameter 'eksternRef' is not present",
                           "MISSING_PARAMETER")
        with self._lock:
            ids = [s.forsendelse_id for s in self.shipments.values()
                   if s.metadata.get("eksternReferanse") == refs[0]]
        return {"forsendelseIds": ids}

    def _send(self, content_type: str, body: bytes) -> tuple[dict[str, Any], bool]:
        metadata, documents = _parse_send(content_type, body)
        stored = StoredShipment(str(uuid.uuid4()), metadata, documents)
        with self._lock:
            self.shipments[stored.forsendelse_id] = stored
            ref = metadata.get("eksternReferanse")
            if ref:
                self._sends[ref] = self._sends.get(ref, 0) + 1
            drop = self._drop_sends > 0
            if drop:
                self._drop_sends -= 1
        return {"id": stored.forsendelse_id}, drop

    def _status(self, body: bytes) -> dict[str, Any]:
        try:
            ids = json.loads(body)["forsendelseIds"]
            assert isinstance(ids, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            raise Rejected(400, "Ugyldig StatusSok", "BAD_REQUEST") from None
        with self._lock:
            found = [self.shipments[i] for i in ids if i in self.shipments]
            return {"statuser": [{
                "id": s.forsendelse_id,
                "sisteStatusEndring": s.changed_at.isoformat(timespec="milliseconds"),
                "status": s.state,
            } for s in found]}


def _parse_send(content_type: str, body: bytes) -> tuple[dict[str, Any], list[Document]]:
    """The send's multipart body, checked as RESTV2.md and the Forsendelse schema ask."""
    if not content_type.startswith("multipart/form-data") or "boundary=" not in content_type:
        raise Rejected(415, "Content-Type must be multipart/form-data", "UNSUPPORTED_MEDIA_TYPE")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if not parts or message.defects:
        raise Rejected(400, "Malformed multipart request", "BAD_REQUEST")
    first = parts[0]
    if first.get_param("name", header="content-disposition") != "forsendelse":
        raise Rejected(400, "The first part must be named forsendelse", "BAD_REQUEST")
    try:
        metadata = json.loads(first.get_payload(decode=True))
        assert isinstance(metadata, dict)
    except (ValueError, TypeError, AssertionError):
        raise Rejected(400, "forsendelse is not a JSON object", "BAD_REQUEST") from None
    _check_forsendelse(metadata)
    declared = metadata.get("dokumenter") or []
    files = parts[1:]
    if len(files) != len(declared):
        raise Rejected(400, "The documents do not match dokumenter", "BAD_REQUEST")
    documents = []
    for entry, part in zip(declared, files, strict=True):
        filename = part.get_filename()
        if filename != entry.get("filnavn"):
            raise Rejected(400, "Document parts must follow dokumenter, with its file names",
                           "BAD_REQUEST")
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            raise Rejected(400, "A document part without data", "BAD_REQUEST")
        documents.append(Document(filename, part.get_content_type(), data))
    return metadata, documents


def _check_forsendelse(f: dict[str, Any]) -> None:
    recipient = f.get("mottaker")
    if not isinstance(f.get("tittel"), str) or not f["tittel"] or len(f["tittel"]) > 1000:
        raise Rejected(400, "tittel: required, at most 1000 characters", "VALIDATION")
    if not isinstance(recipient, dict) or not recipient.get("navn"):
        raise Rejected(400, "mottaker.navn is required", "VALIDATION")
    if f.get("kunDigitalLevering"):
        if not recipient.get("digitalId"):
            raise Rejected(400, "mottaker.digitalId is required for kunDigitalLevering",
                           "VALIDATION")
    elif not recipient.get("poststed") or (not recipient.get("land")
                                           and not recipient.get("postnummer")):
        raise Rejected(400, "mottaker: postnummer and poststed are required", "VALIDATION")
    for name in ("eksternReferanse", "korrelasjonsid", "forsendelsestype", "avgivendeSystem"):
        value = f.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > 100):
            raise Rejected(400, f"{name}: at most 100 characters", "VALIDATION")
    names = []
    for document in f.get("dokumenter") or []:
        name = document.get("filnavn") if isinstance(document, dict) else None
        if not name or len(name) > 226 or _BAD_FILENAME.search(name) or not document.get(
                "mimeType"):
            raise Rejected(400, "dokumenter: filnavn and mimeType required", "VALIDATION")
        if (not f.get("kunDigitalLevering") and document["mimeType"] != "application/pdf"
                and not document.get("skalEkskluderesFraUtskrift")):
            raise Rejected(400, "Only application/pdf can be printed", "VALIDATION")
        names.append(name.lower())
    if len(names) != len(set(names)):
        raise Rejected(400, "dokumenter: filnavn must be unique", "VALIDATION")


def _error_body(status: int, message: str, code: str, path: str) -> dict[str, Any]:
    """SvarUt's ErrorMessage."""
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               415: "Unsupported Media Type", 429: "Too Many Requests",
               500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return {"timestamp": int(datetime.now(UTC).timestamp() * 1000), "status": status,
            "error": reasons.get(status, "Error"), "errorId": str(uuid.uuid4()), "path": path,
            "originalPath": path, "message": message, "errorCode": code or None,
            "errorJson": None}


def _handler_for(stub: SvarUtStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            with stub._lock:
                stub.requests.append((method, url.path))
            try:
                endpoint, konto = self._route(method, url.path)
                stub._authenticate(self.headers)
                if konto != stub.account_id:
                    raise Rejected(403, "Integrasjonen har ikke tilgang til kontoen",
                                   "FORBIDDEN")
                fault = stub._fault_for(endpoint)
                if fault:
                    raise Rejected(fault.status, fault.message, "")
                if endpoint == "lookup":
                    answer = stub._lookup(url.query)
                elif endpoint == "send":
                    answer, drop = stub._send(self.headers.get("Content-Type", ""), body)
                    if drop:
                        self.close_connection = True
                        return
                else:
                    answer = stub._status(body)
                self._answer(200, answer)
            except Rejected as rejected:
                self._answer(rejected.status, _error_body(rejected.status, rejected.message,
                                                          rejected.code, url.path))

        def _route(self, method: str, path: str) -> tuple[str, str]:
            for route_method, pattern, endpoint in ROUTES:
                match = pattern.match(path)
                if match and route_method == method:
                    return endpoint, match["konto"]
            raise Rejected(404, "No endpoint " + path, "NOT_FOUND")

        def _answer(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
