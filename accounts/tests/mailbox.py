"""Mail in tests: a real SMTP server on loopback (aiosmtpd) and the RQ worker step.

`smtp_server` starts an SMTP server in a thread on a free 127.0.0.1 port and points
Django's SMTP backend at it; `deliver_queued_mail()` runs the jobs waiting on the
"default" queue in this process, as a worker would (a real RQ SimpleWorker).
"""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from email.message import Message

import pytest

LINK = re.compile(r"https?://\S+")


class Inbox:
    def __init__(self):
        self.messages: list[Message] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self._arrived:
            self.messages.append(email.message_from_bytes(envelope.content))
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, *, timeout: float = 30.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.messages)} mails arrived, waited for {count}")
                self._arrived.wait(left)
        return self.messages

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def body_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(message.get_payload())


def link_in(text: str) -> str:
    return LINK.search(text).group(0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def deliver_queued_mail() -> None:
    """Run what waits on the "default" queue in this process, then return (burst)."""
    import django_rq
    from rq import SimpleWorker

    queue = django_rq.get_queue("default")
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
