"""A stand-in for Maskinporten's token endpoint on 127.0.0.1, for tests: it checks a JWT grant
as Digdir documents Maskinporten does (engine/letters/maskinporten.py cites the pages) and
answers with an access token, or with OAuth's error body.

    clock = Clock()
    with MaskinportenStub(clock) as maskinporten:
        maskinporten.register_key("kid-1", key.public_key())
        grant = MaskinportenGrant(maskinporten.issuer, maskinporten.client_id, ..., clock=clock)

What it checks, each failure a 400: the form (`grant_type` jwt-bearer, one `assertion`); the
header (`alg` RS256, and `kid` of a key registered on the client or `x5c` whose first
certificate is registered and valid now); the RS256 signature with that key; the claims (only
documented ones; `aud` the issuer, `iss` the client, `iat` within 10 seconds of the clock,
`exp` after now and at most 120 seconds after `iat`, a `jti` never seen before, every
`scope` granted to the client). `invalid_client` for an unknown client, `invalid_scope` for
a scope it lacks, `invalid_grant` for the rest.

Tokens live `token_seconds` by the stub's clock (the test's, shared with the grant);
`valid(token)` says whether one is still good, for a SvarUt stub to accept
(`SvarUtStub.accepts_token`). `fail_next(n, status)` answers the next n requests with that
status. What came: `assertions` (every one received), `grants` (the accepted ones' header and
claims), `token_requests()`.
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: The claims the JWT grant page documents; any other is refused.
DOCUMENTED_CLAIMS = frozenset({"aud", "iss", "iat", "exp", "jti", "scope", "resource",
                               "consumer_org", "authorization_details", "nbf"})
MAX_GRANT_SECONDS = 120
CLOCK_SKEW_SECONDS = 10


class Refused(Exception):
    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


class MaskinportenStub:
    def __init__(self, clock: Callable[[], datetime], *, scopes: tuple[str, ...] = ("ks:fiks",),
                 token_seconds: int = 120) -> None:
        self.clock = clock
        self.client_id = str(uuid.uuid4())
        self.scopes = frozenset(scopes)
        self.token_seconds = token_seconds
        self.assertions: list[str] = []
        self.grants: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._certificates: set[bytes] = set()
        self._tokens: dict[str, datetime] = {}
        self._jtis: set[str] = set()
        self._faults: list[list[int]] = []
        self._requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> MaskinportenStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    # --- for tests -----------------------------------------------------------------------------

    def register_key(self, kid: str, public_key: rsa.RSAPublicKey) -> None:
        """A key registered on the client (used with `kid`)."""
        with self._lock:
            self._keys[kid] = public_key

    def register_certificate(self, certificate: x509.Certificate) -> None:
        """A business certificate bound to the client (used with `x5c`)."""
        with self._lock:
            self._certificates.add(certificate.public_bytes(Encoding.DER))

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        with self._lock:
            self._faults.append([count, status])

    def token_requests(self) -> int:
        with self._lock:
            return self._requests

    def valid(self, token: str) -> bool:
        """Whether Maskinporten issued `token` and it has not expired by the clock."""
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and self.clock() < expires

    # --- the endpoint --------------------------------------------------------------------------

    def _token(self, content_type: str, body: bytes) -> dict[str, Any]:
        with self._lock:
            self._requests += 1
            for fault in self._faults:
                if fault[0]:
                    fault[0] -= 1
                    raise Refused("server_error", "Service unavailable", fault[1])
        if content_type.split(";")[0].strip() != "application/x-www-form-urlencoded":
            raise Refused("invalid_request", "Content-Type must be form-urlencoded")
        form = parse_qs(body.decode("ascii", "replace"), keep_blank_values=True)
        if form.get("grant_type") != [JWT_BEARER]:
            raise Refused("unsupported_grant_type", "grant_type must be jwt-bearer")
        if len(form.get("assertion", [])) != 1:
            raise Refused("invalid_request", "One assertion is required")
        assertion = form["assertion"][0]
        with self._lock:
            self.assertions.append(assertion)
        header, claims = self._check(assertion)
        now = self.clock()
        token = secrets.token_urlsafe(32)
        with self._lock:
            self.grants.append((header, claims))
            self._tokens[token] = now + timedelta(seconds=self.token_seconds)
        return {"access_token": token, "token_type": "Bearer",
                "expires_in": self.token_seconds, "scope": claims["scope"]}

    def _check(self, assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
        parts = assertion.split(".")
        if len(parts) != 3:
            raise Refused("invalid_grant", "Invalid assertion. Not a signed JWT")
        try:
            header, claims = (json.loads(_unb64url(p)) for p in parts[:2])
            signature = _unb64url(parts[2])
        except ValueError:
            raise Refused("invalid_grant", "Invalid assertion. Malformed JWT") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise Refused("invalid_grant", "Invalid assertion. Malformed JWT")
        if header.get("alg") != "RS256":
            raise Refused("invalid_grant", "Invalid assertion. Unsupported alg")
        key = self._signing_key(header)
        try:
            key.verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(),
                       hashes.SHA256())
        except InvalidSignature:
            raise Refused("invalid_grant", "Invalid assertion. Invalid JWT signature") from None
        self._check_claims(claims)
        return header, claims

    def _signing_key(self, header: dict[str, Any]) -> rsa.RSAPublicKey:
        kid, chain = header.get("kid"), header.get("x5c")
        if kid is not None:
            with self._lock:
                key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise Refused("invalid_grant", "Invalid assertion. Unknown kid for client")
            return key
        if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
            raise Refused("invalid_grant", "Invalid assertion. Either kid or x5c is required")
        try:
            der = base64.b64decode(chain[0], validate=True)
            certificate = x509.load_der_x509_certificate(der)
        except ValueError:
            raise Refused("invalid_grant", "Invalid assertion. x5c is not a certificate") from None
        with self._lock:
            registered = der in self._certificates
        if not registered:
            raise Refused("invalid_grant", "Invalid assertion. Certificate not bound to client")
        now = self.clock()
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise Refused("invalid_grant", "Invalid assertion. Certificate not valid")
        public_key = certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise Refused("invalid_grant", "Invalid assertion. Not an RSA certificate")
        return public_key

    def _check_claims(self, claims: dict[str, Any]) -> None:
        unknown = set(claims) - DOCUMENTED_CLAIMS
        if unknown:
            raise Refused("invalid_grant", "Invalid assertion. Unknown claims")
        if claims.get("iss") != self.client_id:
            raise Refused("invalid_client", "Unknown client")
        if claims.get("aud") != self.issuer:
            raise Refused("invalid_grant", "Invalid assertion. Invalid audience")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (iat, exp)):
            raise Refused("invalid_grant", "Invalid assertion. iat and exp are required")
        assert isinstance(iat, int) and isinstance(exp, int)
        now = self.clock().timestamp()
        if abs(iat - now) > CLOCK_SKEW_SECONDS:
            raise Refused("invalid_grant", "Invalid assertion. iat is not now")
        if not 0 < exp - iat <= MAX_GRANT_SECONDS:
            raise Refused("invalid_grant", "Invalid assertion. exp - iat must be 1 to 120")
        if exp <= now:
            raise Refused("invalid_grant", "Invalid assertion. Expired")
        jti = claims.get("jti")
        with self._lock:
            if not isinstance(jti, str) or not jti or jti in self._jtis:
                raise Refused("invalid_grant", "Invalid assertion. jti missing or reused")
            self._jtis.add(jti)
        scope = claims.get("scope")
        if not isinstance(scope, str) or not scope.split():
            raise Refused("invalid_scope", "A scope is required")
        if not set(scope.split()) <= self.scopes:
            raise Refused("invalid_scope", "Scope not granted to client")


def _unb64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _handler_for(stub: MaskinportenStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                if self.path != "/token":
                    raise Refused("not_found", "No endpoint", 404)
                answer = stub._token(self.headers.get("Content-Type", ""), body)
                self._answer(200, answer)
            except Refused as refused:
                self._answer(refused.status, {"error": refused.error,
                                              "error_description": refused.description})

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
