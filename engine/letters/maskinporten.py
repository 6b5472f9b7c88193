"""Maskinporten access tokens for SvarUt: the JWT-bearer grant (RFC 7523) signed with the
municipality's key, exchanged at Maskinporten's token endpoint, and the token cached until
shortly before it expires.

Sources (Digdir, docs.digdir.no):

- https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant: the grant. Header
  `alg` (RS256) and either `kid` (a key registered on the Maskinporten client) or `x5c` (the
  business certificate, virksomhetssertifikat, with its chain; RFC 7517 section 4.7). Claims
  `aud` (Maskinporten's issuer identifier, https://maskinporten.no/ or
  https://test.maskinporten.no/), `iss` (the client id), `scope` (space-separated), `iat`,
  `exp` (at most 120 seconds after `iat`; Maskinporten takes `iat` within 10 seconds of its
  own clock), `jti` (a grant is never accepted twice). Claims it does not document are refused.
- https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_token: the request, POST
  <issuer>token, application/x-www-form-urlencoded,
  `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<the grant>`, and the
  answer, `{"access_token", "token_type": "Bearer", "expires_in", "scope"}`; an error is
  OAuth's `{"error", "error_description"}` (RFC 6749 section 5.2).

`MaskinportenGrant` is the `access_token` callable `SvarUtClient` takes: each call gives a
token valid for at least `renew_margin_seconds` more, asking Maskinporten only when the
cached one is about to expire; one lock, so threads sharing it make one request between them.
`shared_grant` keeps one grant per process and configuration (engine/letters/outbox.py).

Errors are `MaskinportenError`, a `SvarUtError` (the SvarUt client's callers handle both
alike): retryable when Maskinporten did not answer, or answered 5xx, 408 or 429; otherwise
a refusal (400 `invalid_grant`, `invalid_client`, `invalid_scope`, ...) that a retry repeats.
Neither the messages nor the log carry the grant, the key or the token.

Pure: no Flask, no Celery, no settings; nothing happens at import; the clock is injected.
Standard library HTTP, `cryptography` for the RSA signature.
"""
from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.client import HTTPException
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPRedirectHandler, OpenerDirector, Request, build_opener

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from engine.letters.svarut import SvarUtError

log = logging.getLogger(__name__)

#: The grant type of RFC 7523 section 2.1.
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: The scope of the Fiks platform's APIs (SvarUt among them).
FIKS_SCOPE = "ks:fiks"
#: Maskinporten accepts a grant whose exp is at most this long after its iat.
MAX_GRANT_SECONDS = 120
#: A cached token is renewed when it has less than this left.
RENEW_MARGIN_SECONDS = 60

_RETRYABLE_4XX = frozenset({408, 429})
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
#: Anything shaped like a JWT (two dot-separated base64url runs) is cut from an error text.
_JWT_LIKE = re.compile(r"[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}(\.[A-Za-z0-9_\-]*)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_BODY = 64 * 1024
_MAX_DESCRIPTION = 200


class MaskinportenError(SvarUtError):
    """No token from Maskinporten. `retryable`: the same request may succeed later (no
    answer, 5xx, 408, 429); otherwise Maskinporten refused the grant (`status`, and OAuth's
    `error` as `error_code`: invalid_grant, invalid_client, invalid_scope, ...)."""


@dataclass(frozen=True)
class SigningKey:
    """What signs the grant: the RSA private key, and either the id (`kid`) under which its
    public key is registered on the Maskinporten client or the business certificate's chain
    (`x5c`: base64 DER, the certificate of the key first). With both, `kid` is sent."""

    private_key: rsa.RSAPrivateKey = field(repr=False)
    key_id: str | None = None
    certificate_chain: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, rsa.RSAPrivateKey):
            raise ValueError("the Maskinporten key must be an RSA private key")
        if not self.key_id and not self.certificate_chain:
            raise ValueError("the Maskinporten grant needs a key id (kid) or a certificate (x5c)")

    @classmethod
    def from_files(cls, key_file: str | Path, certificate_file: str | Path | None = None,
                   key_id: str | None = None) -> SigningKey:
        """The key from an unencrypted PEM private key file; the chain from a PEM file of
        certificates (the key's own first), which must belong to that key."""
        try:
            key = serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None)
        except (ValueError, TypeError):
            raise ValueError(f"{key_file}: not an unencrypted PEM private key") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{key_file}: not an RSA private key")
        chain: tuple[str, ...] = ()
        if certificate_file:
            try:
                certificates = x509.load_pem_x509_certificates(
                    Path(certificate_file).read_bytes())
            except ValueError:
                raise ValueError(f"{certificate_file}: no PEM certificate") from None
            if certificates[0].public_key() != key.public_key():
                raise ValueError(f"{certificate_file}: its first certificate is not the key's")
            chain = tuple(base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
                          for c in certificates)
        return cls(key, key_id or None, chain)

    def header(self) -> dict[str, Any]:
        if self.key_id:
            return {"alg": "RS256", "kid": self.key_id}
        return {"alg": "RS256", "x5c": list(self.certificate_chain)}

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    renew_at: datetime


class MaskinportenGrant:
    """Access tokens for one Maskinporten client and scope. Call it for a token.

    `issuer` is Maskinporten's identifier (https://maskinporten.no/, test
    https://test.maskinporten.no/; a missing final slash is added): the grant's `aud`, and
    the token endpoint is `issuer + "token"`. `clock()` returns the time now, aware."""

    def __init__(self, issuer: str, client_id: str, key: SigningKey, *,
                 scope: str = FIKS_SCOPE,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 timeout_seconds: float = 30,
                 grant_seconds: int = MAX_GRANT_SECONDS,
                 renew_margin_seconds: int = RENEW_MARGIN_SECONDS) -> None:
        if urlsplit(issuer).scheme not in ("https", "http"):
            raise ValueError("Maskinporten's issuer must be an http(s) URL")
        if not client_id or not scope.strip():
            raise ValueError("the Maskinporten grant needs a client id and a scope")
        if not 0 < grant_seconds <= MAX_GRANT_SECONDS:
            raise ValueError(f"a grant lives 1 to {MAX_GRANT_SECONDS} seconds")
        self.issuer = issuer if issuer.endswith("/") else issuer + "/"
        self.token_url = self.issuer + "token"
        self.client_id = client_id
        self.scope = scope
        self._key = key
        self._clock = clock
        self.timeout_seconds = timeout_seconds
        self.grant_seconds = grant_seconds
        self.renew_margin_seconds = renew_margin_seconds
        self._token: _Token | None = None
        self._lock = threading.Lock()
        self._opener: OpenerDirector = build_opener(_NoRedirects)

    def __repr__(self) -> str:
        return (f"MaskinportenGrant({self.issuer!r}, client_id={self.client_id!r}, "
                f"scope={self.scope!r})")

    def __call__(self) -> str:
        """A token valid for at least `renew_margin_seconds` more (or, when Maskinporten
        gives shorter-lived ones, half its lifetime)."""
        with self._lock:
            now = self._now()
            if self._token is None or now >= self._token.renew_at:
                self._token = self._request_token(now)
            return self._token.value

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must give an aware datetime")
        return now

    # --- the grant ---------------------------------------------------------------------------

    def assertion(self, now: datetime) -> str:
        """A new signed grant, issued at `now` (a fresh `jti` each time)."""
        issued_at = int(now.timestamp())
        claims = {"aud": self.issuer, "iss": self.client_id, "scope": self.scope,
                  "iat": issued_at, "exp": issued_at + self.grant_seconds,
                  "jti": str(uuid.uuid4())}
        signing_input = f"{_segment(self._key.header())}.{_segment(claims)}".encode()
        return f"{signing_input.decode()}.{_b64url(self._key.sign(signing_input))}"

    # --- the token endpoint ------------------------------------------------------------------

    def _request_token(self, now: datetime) -> _Token:
        body = urlencode({"grant_type": JWT_BEARER, "assertion": self.assertion(now)}).encode()
        request = Request(self.token_url, data=body, method="POST",  # noqa: S310 - http(s), checked in __init__
                          headers={"Content-Type": "application/x-www-form-urlencoded",
                                   "Accept": "application/json"})
        try:
            with self._opener.open(request, timeout=self.timeout_seconds) as response:
                data = response.read(_MAX_BODY)
        except HTTPError as error:
            raise _refusal(error) from None
        except (URLError, HTTPException, OSError) as error:
            reason = error.reason if isinstance(error, URLError) else error
            raise MaskinportenError(f"Maskinporten: no answer ({type(reason).__name__})",
                                    retryable=True) from None
        token, lifetime = _token_answer(data)
        margin = min(self.renew_margin_seconds, lifetime // 2)
        log.info("maskinporten: token obtained client=%s scope=%s expires_in=%d",
                 self.client_id, self.scope, lifetime)
        return _Token(token, now + timedelta(seconds=lifetime - margin))


def _token_answer(data: bytes) -> tuple[str, int]:
    try:
        answer = json.loads(data)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise MaskinportenError("Maskinporten: an answer that is not a JSON object",
                                retryable=True)
    token, lifetime = answer.get("access_token"), answer.get("expires_in")
    if not isinstance(token, str) or not token:
        raise MaskinportenError("Maskinporten: an answer without access_token", retryable=True)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0:
        raise MaskinportenError("Maskinporten: an answer without a positive expires_in",
                                retryable=True)
    return token, lifetime


def _refusal(error: HTTPError) -> MaskinportenError:
    """OAuth's error answer as an error that keeps the code and a short, cleaned description."""
    status = error.code
    try:
        body = json.loads(error.read(_MAX_BODY) or b"null")
    except (ValueError, OSError):
        body = None
    finally:
        error.close()
    details = body if isinstance(body, dict) else {}
    code = details.get("error")
    error_code = code if isinstance(code, str) and _CODE.match(code) else None
    message = f"Maskinporten: HTTP {status}"
    if error_code:
        message += f" {error_code}"
    description = details.get("error_description")
    if isinstance(description, str) and description.strip():
        cleaned = _JWT_LIKE.sub("[...]", _CONTROL.sub(" ", description)).strip()
        message += f": {cleaned[:_MAX_DESCRIPTION]}"
    retryable = status >= 500 or status in _RETRYABLE_4XX
    return MaskinportenError(message, retryable=retryable, status=status,
                             error_code=error_code)


class _NoRedirects(HTTPRedirectHandler):
    """A redirect is an error (HTTPError with its 3xx): the grant goes to the issuer only."""

    def redirect_request(self, req: Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:
        return None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


# --- one grant per process and configuration ---------------------------------------------------

_shared: dict[tuple[object, ...], MaskinportenGrant] = {}
_shared_lock = threading.Lock()


def shared_grant(issuer: str, client_id: str, key_file: str, *, certificate_file: str = "",
                 key_id: str = "", scope: str = FIKS_SCOPE) -> MaskinportenGrant:
    """This process's grant for that configuration, made (and its key files read) on the
    first call: every SvarUt client built from the same settings shares its cached token.
    Keyed on the process id too, so a forked worker makes its own."""
    cache_key = (os.getpid(), issuer, client_id, key_file, certificate_file, key_id, scope)
    with _shared_lock:
        grant = _shared.get(cache_key)
        if grant is None:
            key = SigningKey.from_files(key_file, certificate_file or None, key_id or None)
            grant = _shared[cache_key] = MaskinportenGrant(issuer, client_id, key, scope=scope)
        return grant
