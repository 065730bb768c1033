"""A real HTTP receiver on loopback for webhook tests.

It answers from a script (status, headers, body per request; the last entry
repeats), records every request, and checks every signature with the
``standardwebhooks`` library (never with our own signing code) against the secrets
the test says are in force.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Reply:
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b"ok"
    hold: threading.Event | None = None  # answer only once this is set (a receiver that hangs)


@dataclass
class Received:
    headers: dict
    body: bytes
    path: str
    arrived_at: float = field(default_factory=time.time)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verifies_with(self, secret: str) -> bool:
        try:
            Webhook(secret).verify(self.body, self.headers)
            return True
        except WebhookVerificationError:
            return False

    def json(self) -> dict:
        return json.loads(self.body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that went away mid-answer (a killed worker, a timed-out attempt) is expected here.
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class Receiver:
    def __init__(self):
        self.script: list[Reply] = [Reply()]
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.arrived:
                    index = len(receiver.received)
                    receiver.received.append(
                        Received(headers={k.lower(): v for k, v in self.headers.items()}, body=body, path=self.path)
                    )
                    receiver.arrived.notify_all()
                reply = receiver.script[min(index, len(receiver.script) - 1)]
                if reply.hold is not None:
                    reply.hold.wait(60)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args):
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/videogen"

    def answer(self, *replies: Reply) -> "Receiver":
        self.script = list(replies)
        return self

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout):
                raise AssertionError(f"the receiver got {len(self.received)} request(s), expected {count}")
            return list(self.received)

    def stop(self) -> None:
        for reply in self.script:
            if reply.hold is not None:
                reply.hold.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    found = Receiver()
    found.thread.start()
    yield found
    found.stop()
