"""Signing in through the web page logs who and from where, never the password typed."""
import logging
import re

from engine.core import logs

WRONG_PASSWORD = "Feil-Passord-Xq7-med-æøå"


def _all_text(records) -> list[str]:
    formatter = logging.Formatter(logs.FORMAT)
    return [text for record in records for text in (
        record.getMessage(), str(record.msg), repr(record.args), formatter.format(record))]


def test_a_failed_and_a_successful_web_sign_in_log_the_name_and_address_only(browser, caplog):
    caplog.set_level(logging.DEBUG)
    anonymous = browser()
    anonymous.get("/login")
    response = anonymous.post("/login", {"username": "saksbehandler1",
                                         "password": WRONG_PASSWORD})
    assert response.status_code == 401
    browser("saksbehandler1")  # signs in with the right password
    messages = [record.getMessage() for record in caplog.records]
    assert any(re.fullmatch(r"sign-in failed user=saksbehandler1 address=127\.0\.0\.1", m)
               for m in messages), messages
    assert any(re.fullmatch(r"sign-in succeeded user=saksbehandler1 address=127\.0\.0\.1", m)
               for m in messages), messages
    for text in _all_text(caplog.records):
        assert WRONG_PASSWORD not in text and "Feil-Passord" not in text, text
        assert "password=" not in text.lower() and "passord=" not in text.lower(), text
