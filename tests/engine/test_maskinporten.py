"""Maskinporten tokens for SvarUt (engine/letters/maskinporten.py) against a local stand-in of
Maskinporten's token endpoint that checks the JWT grant as Maskinporten does
(tests/maskinporten_stub.py), with the SvarUt stub accepting only the tokens it issued: a
token reaches SvarUt, is reused until shortly before it expires and then renewed; refusals
say whether to retry, and never carry the grant, the key or the token. The clock is the
test's, shared by the grant and both stubs."""
from __future__ import annotations

import base64
import dataclasses
import json
import logging
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from engine.core.settings import Settings
from engine.letters import maskinporten, outbox
from engine.letters.maskinporten import (
    MaskinportenError,
    MaskinportenGrant,
    SigningKey,
    shared_grant,
)
from engine.letters.svarut import PostalAddress, Shipment, SvarUtClient, SvarUtError
from tests.maskinporten_stub import JWT_BEARER, MaskinportenStub
from tests.svarut_stub import SvarUtStub

KID = "samflyt-key-1"
PDF = b"%PDF-1.7\n%%EOF\n"


class Clock:
    """The time now, moved on by the test."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def certificate(rsa_key) -> x509.Certificate:
    """A self-signed stand-in for a business certificate (virksomhetssertifikat)."""
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SAMFLYT KOMMUNE"),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, "999999999"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "SAMFLYT KOMMUNE TEST")])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(rsa_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2028, 1, 1, tzinfo=UTC))
            .sign(rsa_key, hashes.SHA256()))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mp(clock, rsa_key, certificate):
    with MaskinportenStub(clock) as running:
        running.register_key(KID, rsa_key.public_key())
        running.register_certificate(certificate)
        yield running


@pytest.fixture
def svarut(mp):
    with SvarUtStub() as running:
        running.accepts_token = mp.valid
        yield running


def grant_for(mp: MaskinportenStub, clock: Clock, key: SigningKey, **options) -> MaskinportenGrant:
    return MaskinportenGrant(mp.issuer, mp.client_id, key, clock=clock, timeout_seconds=5,
                             **options)


def svarut_client(svarut: SvarUtStub, access_token) -> SvarUtClient:
    return SvarUtClient(svarut.url, svarut.account_id, svarut.integration_id,
                        svarut.integration_password, access_token, timeout_seconds=5,
                        send_timeout_seconds=5)


def shipment() -> Shipment:
    return Shipment(shipment_id=str(uuid.uuid4()), title="Vedtak om individuell plan",
                    national_id="13097248022", recipient_name="Kari Nordmann",
                    address=PostalAddress(("Storgata 1",), "0150", "Oslo"), pdf=PDF,
                    filename="vedtak.pdf", case_number="IP-2026-00042", letter_kind="vedtak")


def decoded(assertion: str) -> tuple[dict, dict]:
    header, claims = (json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
                      for part in assertion.split(".")[:2])
    return header, claims


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


# --- the grant and the token -------------------------------------------------------------------

def test_a_token_from_a_kid_grant_reaches_svarut_as_the_bearer(mp, svarut, clock, rsa_key):
    grant = grant_for(mp, clock, SigningKey(rsa_key, key_id=KID))
    forsendelse_id = svarut_client(svarut, grant).send(shipment())

    assert forsendelse_id in svarut.shipments
    assert mp.token_requests() == 1
    [(header, claims)] = mp.grants
    assert header == {"alg": "RS256", "kid": KID}
    assert claims["aud"] == mp.issuer and claims["iss"] == mp.client_id
    assert claims["scope"] == "ks:fiks"
    assert claims["iat"] == int(clock.now.timestamp())
    assert claims["exp"] - claims["iat"] == 120
    assert set(claims) == {"aud", "iss", "scope", "iat", "exp", "jti"}


def test_a_grant_with_the_business_certificate_sends_its_chain_as_x5c(mp, svarut, clock,
                                                                      rsa_key, certificate,
                                                                      tmp_path):
    (tmp_path / "key.pem").write_bytes(pem(rsa_key))
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key = SigningKey.from_files(tmp_path / "key.pem", tmp_path / "cert.pem")
    svarut_client(svarut, grant_for(mp, clock, key)).send(shipment())

    [(header, _claims)] = mp.grants
    assert set(header) == {"alg", "x5c"}
    assert base64.b64decode(header["x5c"][0]) == certificate.public_bytes(
        serialization.Encoding.DER)


def test_the_token_is_reused_and_renewed_shortly_before_it_expires(mp, svarut, clock, rsa_key):
    grant = grant_for(mp, clock, SigningKey(rsa_key, key_id=KID))
    client = svarut_client(svarut, grant)

    client.send(shipment())
    client.send(shipment())  # each send is a look-up and a send: four bearer requests
    assert mp.token_requests() == 1

    clock.advance(120 - 60 - 1)  # the token lives 120 s; renewed with 60 s left
    client.send(shipment())
    assert mp.token_requests() == 1

    clock.advance(1)
    client.send(shipment())
    assert mp.token_requests() == 2
    first, second = (claims for _header, claims in mp.grants)
    assert first["jti"] != second["jti"]
    assert second["iat"] == int(clock.now.timestamp())

    clock.advance(3600)  # long after: SvarUt would refuse the old token, a new one is asked
    client.send(shipment())
    assert mp.token_requests() == 3
    assert len(svarut.shipments) == 5


def test_threads_sharing_a_grant_ask_maskinporten_once(mp, clock, rsa_key):
    grant = grant_for(mp, clock, SigningKey(rsa_key, key_id=KID))
    start = threading.Barrier(8)
    tokens: list[str] = []

    def ask() -> None:
        start.wait()
        tokens.append(grant())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mp.token_requests() == 1
    assert len(tokens) == 8 and len(set(tokens)) == 1


# --- refusals and failures ---------------------------------------------------------------------

def test_a_grant_signed_with_the_wrong_key_is_refused_for_good(mp, svarut, clock, other_key):
    grant = grant_for(mp, clock, SigningKey(other_key, key_id=KID))
    with pytest.raises(MaskinportenError) as refused:
        svarut_client(svarut, grant).send(shipment())

    error = refused.value
    assert isinstance(error, SvarUtError)  # the outbox treats it as any SvarUt failure
    assert error.retryable is False
    assert (error.status, error.error_code) == (400, "invalid_grant")
    assert "invalid_grant" in str(error) and "signature" in str(error)
    assert svarut.requests == []  # nothing went to SvarUt without a token


def test_an_unknown_client_and_a_scope_not_granted_are_refused(mp, clock, rsa_key):
    key = SigningKey(rsa_key, key_id=KID)
    with pytest.raises(MaskinportenError) as unknown:
        MaskinportenGrant(mp.issuer, "someone-else", key, clock=clock)()
    assert (unknown.value.error_code, unknown.value.retryable) == ("invalid_client", False)
    with pytest.raises(MaskinportenError) as scope:
        grant_for(mp, clock, key, scope="ks:fiks skatteetaten:formueinntekt")()
    assert (scope.value.error_code, scope.value.retryable) == ("invalid_scope", False)


def test_maskinporten_unavailable_is_retryable_and_the_next_call_gets_a_token(mp, clock,
                                                                               rsa_key):
    grant = grant_for(mp, clock, SigningKey(rsa_key, key_id=KID))
    mp.fail_next(1, 503)
    with pytest.raises(MaskinportenError) as unavailable:
        grant()
    assert unavailable.value.retryable is True
    assert unavailable.value.status == 503
    assert mp.valid(grant())
    assert mp.token_requests() == 2


def test_no_answer_is_retryable(clock, rsa_key):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    grant = MaskinportenGrant(f"http://127.0.0.1:{port}/", "client", SigningKey(rsa_key, KID),
                              clock=clock, timeout_seconds=5)
    with pytest.raises(MaskinportenError, match="no answer") as no_answer:
        grant()
    assert no_answer.value.retryable is True


def test_nothing_secret_in_errors_or_the_log(mp, clock, rsa_key, other_key, caplog):
    caplog.set_level(logging.DEBUG)
    good = grant_for(mp, clock, SigningKey(rsa_key, key_id=KID))
    token = good()
    bad = grant_for(mp, clock, SigningKey(other_key, key_id=KID))
    with pytest.raises(MaskinportenError) as refused:
        bad()

    secrets = [token, *mp.assertions, *(a.split(".")[2] for a in mp.assertions),
               pem(rsa_key).decode().splitlines()[1], pem(other_key).decode().splitlines()[1]]
    shown = " ".join([str(refused.value), repr(refused.value), repr(good), repr(bad),
                      repr(SigningKey(rsa_key, key_id=KID)), caplog.text])
    assert len(mp.assertions) == 2
    for secret in secrets:
        assert secret not in shown
    assert "maskinporten: token obtained" in caplog.text


def test_a_description_that_quotes_a_grant_is_cut_from_the_message(clock, rsa_key):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    grant_seen: list[str] = []

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            assertion = body.split("assertion=")[1].split("&")[0]
            grant_seen.append(assertion)
            data = json.dumps({"error": "invalid_grant",
                               "error_description": f"Bad assertion {assertion}"}).encode()
            self.send_response(400)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        grant = MaskinportenGrant(f"http://127.0.0.1:{server.server_address[1]}/", "client",
                                  SigningKey(rsa_key, KID), clock=clock, timeout_seconds=5)
        with pytest.raises(MaskinportenError) as refused:
            grant()
    finally:
        thread.join(5)
        server.server_close()
    assert grant_seen
    assert grant_seen[0].split(".")[1] not in str(refused.value)
    assert str(refused.value).startswith("Maskinporten: HTTP 400 invalid_grant: Bad assertion")


# --- the stub refuses what Maskinporten refuses ------------------------------------------------

def test_the_stub_refuses_a_reused_jti_a_long_grant_and_a_grant_without_kid_or_x5c(mp, clock,
                                                                                   rsa_key):
    from urllib.error import HTTPError
    from urllib.parse import urlencode
    from urllib.request import urlopen

    def post(assertion: str) -> tuple[int, dict]:
        body = urlencode({"grant_type": JWT_BEARER, "assertion": assertion}).encode()
        try:
            with urlopen(mp.issuer + "token", body, timeout=5) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except HTTPError as error:
            return error.code, json.loads(error.read())

    grant = grant_for(mp, clock, SigningKey(rsa_key, key_id=KID))
    assertion = grant.assertion(clock.now)
    assert post(assertion)[0] == 200
    assert post(assertion) == (400, {"error": "invalid_grant", "error_description":
                                     "Invalid assertion. jti missing or reused"})

    too_long = MaskinportenGrant(mp.issuer, mp.client_id, SigningKey(rsa_key, key_id=KID),
                                 clock=clock)
    too_long.grant_seconds = 121  # past what __init__ allows, as a careless client would
    assert post(too_long.assertion(clock.now))[1]["error_description"].endswith("1 to 120")

    no_kid = SigningKey(rsa_key, key_id=KID)
    object.__setattr__(no_kid, "key_id", None)  # neither kid nor x5c in the header
    status, answer = post(MaskinportenGrant(mp.issuer, mp.client_id, no_kid,
                                            clock=clock).assertion(clock.now))
    assert (status, answer["error"]) == (400, "invalid_grant")
    assert "kid or x5c" in answer["error_description"]

    stale = grant.assertion(clock.now - timedelta(seconds=30))  # iat too far from Maskinporten's
    assert post(stale)[1]["error_description"] == "Invalid assertion. iat is not now"


# --- key material ------------------------------------------------------------------------------

def test_key_files_are_checked(tmp_path, rsa_key, other_key, certificate):
    (tmp_path / "key.pem").write_bytes(pem(rsa_key))
    (tmp_path / "other.pem").write_bytes(pem(other_key))
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "junk.pem").write_text("not a key")

    assert SigningKey.from_files(tmp_path / "key.pem", key_id=KID).header() == {
        "alg": "RS256", "kid": KID}
    with pytest.raises(ValueError, match=r"kid.*x5c"):
        SigningKey.from_files(tmp_path / "key.pem")
    with pytest.raises(ValueError, match="not the key's"):
        SigningKey.from_files(tmp_path / "other.pem", tmp_path / "cert.pem")
    with pytest.raises(ValueError, match="not an unencrypted PEM private key") as junk:
        SigningKey.from_files(tmp_path / "junk.pem", key_id=KID)
    assert "not a key" not in str(junk.value)


def test_the_clock_must_be_aware_and_a_grant_lives_at_most_120_seconds(rsa_key):
    key = SigningKey(rsa_key, key_id=KID)
    with pytest.raises(ValueError, match="aware"):
        MaskinportenGrant("https://test.maskinporten.no/", "c", key,
                          clock=lambda: datetime(2026, 3, 2, 9, 0))()  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValueError, match="120"):
        MaskinportenGrant("https://test.maskinporten.no/", "c", key, grant_seconds=121)
    grant = MaskinportenGrant("https://test.maskinporten.no", "c", key)
    assert (grant.issuer, grant.token_url) == ("https://test.maskinporten.no/",
                                               "https://test.maskinporten.no/token")


# --- the settings: outbox.client_for -----------------------------------------------------------

def svarut_settings(svarut: SvarUtStub, **values) -> Settings:
    return dataclasses.replace(
        Settings(), digital_channel="svarut", svarut_url=svarut.url,
        svarut_account_id=svarut.account_id, svarut_integration_id=svarut.integration_id,
        svarut_integration_password=svarut.integration_password, **values)


def test_client_for_shares_one_cached_grant_per_configuration(mp, svarut, rsa_key, tmp_path,
                                                              monkeypatch):
    (tmp_path / "key.pem").write_bytes(pem(rsa_key))
    settings = svarut_settings(svarut, maskinporten_url=mp.issuer,
                               maskinporten_client_id=mp.client_id,
                               maskinporten_key_file=str(tmp_path / "key.pem"),
                               maskinporten_key_id=KID)
    monkeypatch.setattr(maskinporten, "_shared", {})
    first, second = outbox.client_for(settings), outbox.client_for(settings)
    assert first is not None and second is not None
    assert first._access_token is second._access_token
    assert first._access_token is shared_grant(mp.issuer, mp.client_id,
                                               str(tmp_path / "key.pem"), key_id=KID)

    # The real clock here: the stub's clock follows it for this test.
    mp.clock = lambda: datetime.now(UTC)
    first.send(shipment())
    second.send(shipment())
    assert mp.token_requests() == 1
    assert len(svarut.shipments) == 2


def test_client_for_prefers_the_fixed_token_and_refuses_no_credentials(svarut):
    fixed = outbox.client_for(svarut_settings(svarut, svarut_access_token=svarut.access_token,
                                              maskinporten_url="https://test.maskinporten.no/"))
    assert fixed is not None and fixed._access_token() == svarut.access_token
    with pytest.raises(ValueError, match="SAMFLYT_MASKINPORTEN_URL"):
        outbox.client_for(svarut_settings(svarut))
    assert outbox.client_for(Settings()) is None
