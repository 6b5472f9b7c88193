"""A TCP proxy between the app and the real PostgreSQL that can lose the answer to a COMMIT.

It reads the frontend protocol (the untyped startup messages, then typed messages: 'Q' simple
query, 'P' parse) and the backend's messages. Armed with `lose_commit_answer()`, the next
COMMIT the client sends goes to the server; the proxy waits until the server says it
committed (CommandComplete "COMMIT") and then closes the client's connection without
relaying the answer: the server has committed, the client cannot know.
"""
from __future__ import annotations

import contextlib
import socket
import struct
import threading


def _frontend_messages(buffer: bytearray, started: list[bool]):
    """Split complete client messages off `buffer`: (type, body) pairs."""
    while True:
        if not started[0]:
            if len(buffer) < 8:
                return
            length = struct.unpack("!I", buffer[:4])[0]
            if len(buffer) < length:
                return
            code = struct.unpack("!I", buffer[4:8])[0]
            message = bytes(buffer[:length])
            del buffer[:length]
            if code not in (80877103, 80877104):  # SSLRequest and GSSENCRequest come first
                started[0] = True
            yield b"", message
            continue
        if len(buffer) < 5:
            return
        length = struct.unpack("!I", buffer[1:5])[0]
        if len(buffer) < 1 + length:
            return
        message = bytes(buffer[:1 + length])
        del buffer[:1 + length]
        yield message[:1], message


def _is_commit(kind: bytes, message: bytes) -> bool:
    body = message[5:]
    if kind == b"Q":
        query = body.split(b"\0", 1)[0]
    elif kind == b"P":
        query = body.split(b"\0", 2)[1] if body.count(b"\0") >= 2 else b""
    else:
        return False
    return query.strip().rstrip(b";").upper() == b"COMMIT"


class PgProxy:
    def __init__(self, host: str = "127.0.0.1", port: int = 5432):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._armed = threading.Event()
        self._committed = threading.Event()
        self._hold_answers: socket.socket | None = None
        self.commits_lost = 0
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def lose_commit_answer(self) -> None:
        """The next COMMIT reaches the server; its answer never reaches the client."""
        self._armed.set()

    def close(self) -> None:
        self._closing = True
        self.listener.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._client_to_server, args=(client, server),
                             daemon=True).start()

    def _client_to_server(self, client: socket.socket, server: socket.socket) -> None:
        relay = threading.Thread(target=self._server_to_client, args=(server, client),
                                 daemon=True)
        relay.start()
        buffer, started = bytearray(), [False]
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                buffer += data
                out = bytearray()
                for kind, message in _frontend_messages(buffer, started):
                    out += message
                    if self._armed.is_set() and _is_commit(kind, message):
                        self._armed.clear()
                        self._swallow_until_committed(server, client, bytes(out), buffer)
                        return
                server.sendall(bytes(out))
        except OSError:
            pass
        finally:
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.close()

    def _swallow_until_committed(self, server, client, out: bytes, rest: bytearray) -> None:
        """Send the COMMIT (and what came with it) on, stop relaying answers, wait until the
        server reports the commit, then drop both connections."""
        self._hold_answers = server
        server.sendall(out + bytes(rest))
        self.commits_lost += 1
        self._committed.wait(30)

    def _server_to_client(self, server: socket.socket, client: socket.socket) -> None:
        buffer = bytearray()
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                if self._hold_answers is server:
                    buffer += data
                    if b"C\x00\x00\x00\x0bCOMMIT\x00" in buffer:  # CommandComplete "COMMIT"
                        self._committed.set()
                        client.close()
                        return
                    continue
                client.sendall(data)
        except OSError:
            pass
