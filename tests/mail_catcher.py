"""A mail catcher for tests: an SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it gets.

The tests never talk to a real mail server (tests/conftest.py refuses smtplib.SMTP); a test
that checks the SMTP path sends to this catcher with a client whose transport it controls.
"""
from __future__ import annotations

import email
import email.policy
import smtplib
import socket
import threading

from aiosmtpd.controller import Controller

#: The SMTP client class, taken before any test starts (the guard replaces smtplib.SMTP for
#: the duration of each test). Only ever pointed at the catcher below.
LOCAL_SMTP_CLIENT = smtplib.SMTP


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailCatcher:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def connect(self, host: str, port: int, timeout: float = 10):
        """The transport for engine.notify.SmtpSender: only to this catcher."""
        assert (host, port) == ("127.0.0.1", self.port), "the catcher only catches its own"
        return LOCAL_SMTP_CLIENT(host, port, timeout=timeout)

    def texts(self) -> list[tuple[str, str]]:
        """(subject, body) of every message caught."""
        with self._lock:
            return [(str(m["Subject"]), m.get_content()) for m in self.messages]

    def __enter__(self) -> MailCatcher:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
