"""The README's ten-line receiver works: run as written (its secret and port filled in),
it accepts a delivery signed by us and refuses one signed with another secret."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from jobs.tests.live_workers import wait_until
from jobs.webhooks import services
from jobs.webhooks.models import DeliveryAttempt, WebhookEndpoint
from jobs.webhooks.tests.helpers import attempt_now, endpoint_for
from videogen.embedded_redis import die_with_parent, free_port

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_receiver() -> str:
    section = README.read_text().split("## Webhooks", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_receiver_verifies_our_signatures(owner, allow_private, tmp_path):
    port = free_port()
    endpoint = endpoint_for(owner, f"http://127.0.0.1:{port}/")
    code = readme_receiver()
    assert len([line for line in code.splitlines() if line.strip()]) <= 16
    code = code.replace('"whsec_..."', repr(endpoint.secret)).replace("8080", str(port))
    script = tmp_path / "receiver.py"
    script.write_text(code)
    log = tmp_path / "receiver.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, str(script)], stdout=out, stderr=subprocess.STDOUT,
                                   preexec_fn=die_with_parent)
    try:
        delivery = services.endpoint_send_test(endpoint=endpoint)
        wait_until(lambda: attempt_now(delivery) == "succeeded", timeout=30, interval=0.2,
                   message="the README receiver to accept the event")
        wait_until(lambda: "webhook.test" in log.read_text(), timeout=10, message="the receiver to print the event")

        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret="whsec_" + "QUJD" * 8)
        forged = services.endpoint_send_test(endpoint=endpoint)
        assert attempt_now(forged) == "retrying"
        assert DeliveryAttempt.objects.get(delivery=forged).status_code == 400
    finally:
        process.terminate()
        process.wait(timeout=10)
