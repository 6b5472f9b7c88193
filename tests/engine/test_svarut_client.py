"""The SvarUt client (engine/letters/svarut.py) against the local stub of SvarUt's REST API v2
(tests/svarut_stub.py): what reaches SvarUt, never twice, statuses and dates, and errors that
say whether to retry without saying who the letter was for."""
from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from engine.letters.svarut import PostalAddress, Shipment, SvarUtClient, SvarUtError
from tests.svarut_stub import SvarUtStub

NATIONAL_ID = "13097248022"
NAME = "Kari Nordmann Testesen"
STREET = "Storgata 17 B"
#: A PDF whose body has what a multipart parser could trip on: CRLFs, a dash line, NULs.
PDF = (b"%PDF-1.7\r\n%\xe2\xe3\xcf\xd3\r\n--not-a-boundary\r\n\x00\x01\xff\n\r\n"
       b"BT (vedtak) ET\n%%EOF\n")


@pytest.fixture
def stub():
    with SvarUtStub() as running:
        yield running


def client_for(stub: SvarUtStub, **overrides) -> SvarUtClient:
    settings = dict(base_url=stub.url, account_id=stub.account_id,
                    integration_id=stub.integration_id,
                    integration_password=stub.integration_password,
                    access_token=lambda: stub.access_token, timeout_seconds=5,
                    send_timeout_seconds=5)
    settings.update(overrides)
    return SvarUtClient(**settings)


def shipment(**overrides) -> Shipment:
    values = dict(shipment_id=str(uuid.uuid4()), title="Vedtak om individuell plan",
                  national_id=NATIONAL_ID, recipient_name=NAME,
                  address=PostalAddress((STREET,), "0182", "Oslo"), pdf=PDF,
                  filename="vedtak-IP-2026-00042.pdf", case_number="IP-2026-00042",
                  letter_kind="vedtak")
    values.update(overrides)
    return Shipment(**values)


def test_a_shipment_reaches_svarut_with_its_pdf_and_metadata(stub):
    letter = shipment()
    forsendelse_id = client_for(stub).send(letter)

    stored = stub.shipments[forsendelse_id]
    assert [(d.filename, d.content_type, d.data) for d in stored.documents] == [
        ("vedtak-IP-2026-00042.pdf", "application/pdf", PDF)]
    metadata = stored.metadata
    assert metadata["tittel"] == "Vedtak om individuell plan"
    assert metadata["mottaker"] == {"navn": NAME, "digitalId": NATIONAL_ID,
                                    "adresselinje1": STREET, "postnummer": "0182",
                                    "poststed": "Oslo"}
    assert metadata["eksternReferanse"] == letter.shipment_id
    assert metadata["korrelasjonsid"] == "IP-2026-00042"
    assert metadata["forsendelsestype"] == "vedtak"
    assert metadata["kunDigitalLevering"] is False
    assert metadata["dokumenter"] == [{"filnavn": "vedtak-IP-2026-00042.pdf",
                                       "mimeType": "application/pdf",
                                       "inneholderPersonsensitivInformasjon": True}]
    assert stub.sends_for(letter.shipment_id) == 1


def test_a_digital_only_letter_goes_without_an_address(stub):
    letter = shipment(address=None, digital_only=True)
    stored = stub.shipments[client_for(stub).send(letter)]
    assert stored.metadata["kunDigitalLevering"] is True
    assert stored.metadata["mottaker"] == {"navn": NAME, "digitalId": NATIONAL_ID}


def test_a_letter_that_may_be_printed_needs_an_address():
    with pytest.raises(ValueError, match="postal address"):
        shipment(address=None)


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("shipment_id", "IP-2026-00042", "UUID"), ("national_id", "1309724802", "11 digits"),
    ("pdf", b"<html>", "not a PDF"), ("filename", "vedtak/1.pdf", "file name"),
    ("case_number", "", "case_number"), ("title", " ", "title"),
])
def test_a_shipment_svarut_would_refuse_is_not_made(field, value, reason):
    with pytest.raises(ValueError, match=reason) as refused:
        shipment(**{field: value})
    assert NATIONAL_ID not in str(refused.value)


@pytest.mark.parametrize("credential", ["integration_password", "integration_id",
                                        "access_token"])
def test_svarut_wants_all_three_credentials(stub, credential):
    wrong = {"integration_password": "feil", "integration_id": str(uuid.uuid4()),
             "access_token": lambda: "utløpt"}
    with pytest.raises(SvarUtError) as refused:
        client_for(stub, **{credential: wrong[credential]}).send(shipment())
    assert refused.value.status == 401
    assert refused.value.retryable is False
    assert stub.shipments == {}


def test_an_account_the_integration_may_not_use_is_forbidden(stub):
    with pytest.raises(SvarUtError) as refused:
        client_for(stub, account_id=str(uuid.uuid4())).send(shipment())
    assert (refused.value.status, refused.value.retryable) == (403, False)
    assert stub.shipments == {}


@pytest.mark.parametrize("endpoint", ["lookup", "send"])
def test_a_retry_after_a_server_error_sends_the_letter_once(stub, endpoint):
    client, letter = client_for(stub), shipment()
    stub.fail_next(1, 500, endpoint=endpoint)
    with pytest.raises(SvarUtError) as failed:
        client.send(letter)
    assert (failed.value.status, failed.value.retryable) == (500, True)

    forsendelse_id = client.send(letter)
    assert list(stub.shipments) == [forsendelse_id]
    assert stub.sends_for(letter.shipment_id) == 1


def test_a_lost_answer_then_a_retry_sends_nothing_again(stub):
    client, letter = client_for(stub), shipment()
    stub.drop_next_send_answer()
    with pytest.raises(SvarUtError) as lost:
        client.send(letter)
    assert lost.value.retryable is True
    assert lost.value.status is None
    assert stub.sends_for(letter.shipment_id) == 1  # SvarUt has it; we were not told

    forsendelse_id = client.send(letter)
    assert list(stub.shipments) == [forsendelse_id]  # the one SvarUt took the first time
    assert stub.sends_for(letter.shipment_id) == 1
    assert stub.posts() == 1  # the retry found it and did not post


def test_sending_a_sent_letter_again_gives_its_id(stub):
    client, letter = client_for(stub), shipment()
    first = client.send(letter)
    assert client.send(replace(letter)) == first
    assert stub.posts() == 1
    other = client.send(shipment())  # another shipment id is another letter
    assert other != first and len(stub.shipments) == 2


def test_the_delivery_date_comes_from_the_status(stub):
    client = client_for(stub)
    forsendelse_id = client.send(shipment())
    status = client.status(forsendelse_id)
    assert (status.state, status.delivered_on, status.read_on) == ("MOTTATT", None, None)

    stub.mark_delivered(forsendelse_id, date(2026, 12, 7))
    status = client.status(forsendelse_id)
    assert status.state == "LEVERT_SDP"
    assert (status.delivered_on, status.read_on) == (date(2026, 12, 7), None)
    assert status.raw["id"] == forsendelse_id

    stub.mark_read(forsendelse_id, date(2026, 12, 9))
    status = client.status(forsendelse_id)
    assert (status.state, status.delivered_on, status.read_on) == ("LEST", None,
                                                                   date(2026, 12, 9))
    assert not status.failed


def test_a_status_date_is_the_norwegian_date(stub):
    client = client_for(stub)
    forsendelse_id = client.send(shipment())
    # 23:30 UTC on 7 December is 00:30 on 8 December in Oslo.
    stub.set_status(forsendelse_id, "PRINTET", datetime(2026, 12, 7, 23, 30, tzinfo=UTC))
    status = client.status(forsendelse_id)
    assert status.delivered_on == date(2026, 12, 8)
    assert status.changed_at == datetime(2026, 12, 7, 23, 30, tzinfo=UTC)


def test_a_rejected_letter_is_failed(stub):
    client = client_for(stub)
    forsendelse_id = client.send(shipment())
    stub.set_status(forsendelse_id, "AVVIST", datetime(2026, 12, 7, 9, tzinfo=UTC))
    status = client.status(forsendelse_id)
    assert status.failed and status.delivered_on is None


def test_the_status_of_an_unknown_shipment_is_an_error_not_to_retry(stub):
    with pytest.raises(SvarUtError) as unknown:
        client_for(stub).status(str(uuid.uuid4()))
    assert unknown.value.retryable is False


@pytest.mark.parametrize(("status", "retryable"), [
    (400, False), (404, False), (409, False), (422, False),
    (429, True), (500, True), (502, True), (503, True),
])
def test_client_errors_are_final_and_server_errors_retryable(stub, status, retryable):
    stub.fail_next(1, status, endpoint="send")
    with pytest.raises(SvarUtError) as failed:
        client_for(stub).send(shipment())
    assert (failed.value.status, failed.value.retryable) == (status, retryable)
    assert failed.value.error_id  # SvarUt's id of the failure, for their support
    assert f"HTTP {status}" in str(failed.value)


def test_no_answer_at_all_is_retryable():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SvarUtClient(f"http://127.0.0.1:{port}", str(uuid.uuid4()), "id", "pw",
                          lambda: "token", timeout_seconds=5)
    with pytest.raises(SvarUtError) as failed:
        client.send(shipment())
    assert failed.value.retryable is True
    assert failed.value.status is None


@contextmanager
def redirecting_to(target: str):
    """A server that answers every request with 307 to `target`."""
    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(307)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_redirect_is_refused_and_takes_no_credentials_along(stub):
    with redirecting_to(stub.url) as url, pytest.raises(SvarUtError) as refused:
        client_for(stub, base_url=url).send(shipment())
    assert (refused.value.status, refused.value.retryable) == (307, False)
    assert stub.requests == []


def test_errors_and_logs_carry_no_personal_data(stub, caplog):
    caplog.set_level(logging.DEBUG, logger="engine.letters")
    letter = shipment()
    # SvarUt's free-text message may quote the recipient; the error must not pass it on.
    stub.fail_next(1, 400, endpoint="send",
                   message=f"Ugyldig mottaker {NATIONAL_ID} {NAME}, {STREET}")
    client = client_for(stub)
    with pytest.raises(SvarUtError) as refused:
        client.send(letter)
    stub.drop_next_send_answer()
    with pytest.raises(SvarUtError) as lost:
        client.send(letter)
    client.send(letter)

    shown = " ".join([str(refused.value), repr(refused.value), str(lost.value),
                      repr(lost.value), repr(letter), repr(client), caplog.text])
    for secret in (NATIONAL_ID, NAME, "Kari", STREET, "0182", stub.integration_password,
                   stub.access_token):
        assert secret not in shown
    assert "vedtak)" not in shown and "%PDF" not in shown
    assert letter.shipment_id in caplog.text  # the log says which shipment, by id


def test_the_stub_rejects_a_malformed_send_with_svarut_error_body(stub):
    def post(body: bytes, content_type: str) -> tuple[int, dict]:
        url = f"{stub.url}/api/v2/kontoer/{stub.account_id}/forsendelser/"
        request = Request(url,  # noqa: S310 - the stub's http URL
                          data=body, method="POST", headers={
                              "Content-Type": content_type,
                              "Authorization": f"Bearer {stub.access_token}",
                              "IntegrasjonId": stub.integration_id,
                              "IntegrasjonPassord": stub.integration_password})
        try:
            with urlopen(request, timeout=5) as answer:  # noqa: S310 - as above
                return answer.status, json.loads(answer.read())
        except HTTPError as error:
            return error.code, json.loads(error.read())

    status, body = post(b'{"tittel": "x"}', "application/json")
    assert status == 415
    assert {"timestamp", "status", "error", "errorId", "path", "message"} <= set(body)
    status, body = post(b"not a multipart body", "multipart/form-data; boundary=b")
    assert (status, body["message"]) == (400, "Malformed multipart request")

    def form(metadata: dict, *files: tuple[str, bytes]) -> bytes:
        body = (b'--b\r\nContent-Disposition: form-data; name="forsendelse"\r\n'
                b"Content-Type: application/json\r\n\r\n" + json.dumps(metadata).encode())
        for filename, data in files:
            body += (b'\r\n--b\r\nContent-Disposition: form-data; name="filer"; filename="'
                     + filename.encode() + b'"\r\n\r\n' + data)
        return body + b"\r\n--b--\r\n"

    metadata = {"tittel": "Vedtak", "mottaker": {"navn": "A", "postnummer": "0182",
                                                 "poststed": "Oslo"},
                "dokumenter": [{"filnavn": "a.pdf", "mimeType": "application/pdf"}]}
    status, body = post(form(metadata), "multipart/form-data; boundary=b")
    assert (status, body["status"]) == (400, 400)
    assert "dokumenter" in body["message"]

    status, body = post(form(metadata, ("b.pdf", b"%PDF-")), "multipart/form-data; boundary=b")
    assert status == 400 and "file names" in body["message"]

    del metadata["mottaker"]["postnummer"]  # it may go to print, so it needs a postal code
    status, body = post(form(metadata, ("a.pdf", b"%PDF-")), "multipart/form-data; boundary=b")
    assert status == 400 and "postnummer" in body["message"]
    assert stub.shipments == {}

    metadata["mottaker"]["postnummer"] = "0182"  # the same, well formed, is taken
    status, body = post(form(metadata, ("a.pdf", b"%PDF-")), "multipart/form-data; boundary=b")
    assert status == 200 and list(stub.shipments) == [body["id"]]
