"""Outgoing mail: the outbox, the worker job, retries, and the settings from the environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.mail import mail_deliver, mail_outbox_sweep, mail_queue
from accounts.models import OutgoingMail
from accounts.tests.mailbox import body_of, deliver_queued_mail, free_port
from jobs.tests.live_workers import ROOT, wait_until

pytestmark = pytest.mark.django_db


def queue_one(django_capture_on_commit_callbacks, **context) -> OutgoingMail:
    with django_capture_on_commit_callbacks(execute=True):
        return mail_queue(to="someone@example.com", template="password_changed", context={"email": "someone@example.com"})


def test_a_queued_mail_is_sent_through_a_real_smtp_server_by_the_worker_job(
    smtp_server, django_capture_on_commit_callbacks, clean_redis
):
    mail = queue_one(django_capture_on_commit_callbacks)
    assert smtp_server.messages == []  # nothing is sent on the request path

    deliver_queued_mail()

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "someone@example.com"
    assert message["Subject"] == "Your videogen password was changed"
    assert "someone@example.com" in body_of(message)
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.body) == ("sent", 1, "")


def test_nothing_is_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks, clean_redis):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            mail_queue(to="a@example.com", template="password_changed", context={"email": "a@example.com"})
            raise RuntimeError("the request failed")

    assert callbacks == [] and not OutgoingMail.objects.exists()


def test_a_mail_server_that_is_down_loses_nothing_and_the_mail_goes_out_later(
    settings, django_capture_on_commit_callbacks, clean_redis
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    mail = queue_one(django_capture_on_commit_callbacks)

    deliver_queued_mail()

    mail.refresh_from_db()
    assert mail.status == "pending" and mail.attempts == 1
    assert "ConnectionRefused" in mail.last_error
    assert mail.next_attempt_at > timezone.now()

    from aiosmtpd.controller import Controller

    from accounts.tests.mailbox import Inbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    try:
        OutgoingMail.objects.filter(pk=mail.pk).update(
            next_attempt_at=timezone.now(), created_at=timezone.now() - timedelta(minutes=5)
        )
        assert mail_outbox_sweep() == 1
        deliver_queued_mail()
        inbox.wait_for(1)
    finally:
        controller.stop()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("sent", 2)


def test_it_gives_up_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.MAIL_MAX_ATTEMPTS = "127.0.0.1", free_port(), 2
    mail = OutgoingMail.objects.create(kind="x", to="a@example.com", subject="s", body="b")

    assert mail_deliver(mail_id=mail.pk) == "pending"
    OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
    assert mail_deliver(mail_id=mail.pk) == "failed"


def test_a_mail_is_sent_once_even_when_enqueued_twice(smtp_server):
    mail = OutgoingMail.objects.create(kind="x", to="a@example.com", subject="s", body="b")

    assert mail_deliver(mail_id=mail.pk) == "sent"
    assert mail_deliver(mail_id=mail.pk) == "sent"
    assert len(smtp_server.wait_for(1)) == 1


def test_the_file_backend_writes_each_mail_into_the_mail_folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    mail = OutgoingMail.objects.create(kind="x", to="a@example.com", subject="Hello", body="a link: http://x/y")

    mail_deliver(mail_id=mail.pk)

    [written] = list((tmp_path / "mail").iterdir())
    assert "Subject: Hello" in written.read_text() and "http://x/y" in written.read_text()


def _mail_settings(**env) -> dict:
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'backend': settings.EMAIL_BACKEND, 'path': str(settings.EMAIL_FILE_PATH), "
        "'host': settings.EMAIL_HOST, 'port': settings.EMAIL_PORT, 'tls': settings.EMAIL_USE_TLS}))"
    )
    # A clean environment, as a deployment starts from: it brings its secrets (DEBUG is off).
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "videogen.settings",
            "SECRET_KEY": secrets.token_urlsafe(50), "JWT_SECRET_KEY": secrets.token_urlsafe(50)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**base, **env},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_mail_goes_to_files_under_var_mail():
    loaded = _mail_settings()
    assert loaded["backend"].endswith("filebased.EmailBackend")
    assert loaded["path"] == str(ROOT / "var" / "mail")


def test_email_file_path_moves_the_folder_and_email_host_switches_to_smtp(tmp_path):
    assert _mail_settings(EMAIL_FILE_PATH=str(tmp_path))["path"] == str(tmp_path)
    smtp = _mail_settings(EMAIL_HOST="mail.example.com", EMAIL_PORT="2525", EMAIL_USE_TLS="1")
    assert smtp["backend"].endswith("smtp.EmailBackend")
    assert (smtp["host"], smtp["port"], smtp["tls"]) == ("mail.example.com", 2525, True)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_command_sends_a_password_reset_mail(live_workers, smtp_server, owner, anon_api):
    live_workers.start(
        EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_server.port), EMAIL_USE_TLS="0", EMAIL_USE_SSL="0"
    )

    response = anon_api.post("/api/v1/auth/password-reset", {"email": owner.email}, format="json")

    assert response.status_code == 202
    [message] = smtp_server.wait_for(1, timeout=60)
    assert message["To"] == owner.email and "/password-reset/" in body_of(message)
    wait_until(lambda: OutgoingMail.objects.filter(status="sent").exists(), timeout=10, message="the row marked sent")


def test_a_reset_request_answers_202_while_the_mail_server_is_down(
    anon_api, owner, settings, django_capture_on_commit_callbacks, clean_redis
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    with django_capture_on_commit_callbacks(execute=True):
        response = anon_api.post("/api/v1/auth/password-reset", {"email": owner.email}, format="json")
    deliver_queued_mail()

    assert response.status_code == 202
    mail = OutgoingMail.objects.get(to=owner.email)
    assert (mail.status, mail.attempts) == ("pending", 1)


def test_a_reset_request_answers_202_while_redis_is_down_and_the_sweep_sends_it_later(
    anon_api, owner, settings, django_capture_on_commit_callbacks, smtp_server, clean_redis
):
    working_queues = settings.RQ_QUEUES
    settings.RQ_QUEUES = {name: {**conf, "URL": f"redis://127.0.0.1:{free_port()}/0"}
                          for name, conf in working_queues.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = anon_api.post("/api/v1/auth/password-reset", {"email": owner.email}, format="json")
    assert response.status_code == 202
    mail = OutgoingMail.objects.get(to=owner.email)
    assert mail.status == "pending" and mail.attempts == 0

    settings.RQ_QUEUES = working_queues  # Redis is back
    import django_rq

    assert django_rq.get_queue("default").count == 0  # the first enqueue was lost
    OutgoingMail.objects.filter(pk=mail.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert mail_outbox_sweep() == 1
    deliver_queued_mail()

    assert smtp_server.wait_for(1)[0]["To"] == owner.email


def test_staff_see_the_outbox_in_the_admin_without_the_bodies(client, staff):
    OutgoingMail.objects.create(kind="password_reset", to="x@example.com", subject="s", body="secret link",
                                status="failed", last_error="SMTPServerDisconnected: gone")
    client.force_login(staff)

    listing = client.get("/admin/accounts/outgoingmail/")
    detail = client.get(f"/admin/accounts/outgoingmail/{OutgoingMail.objects.get().pk}/change/")

    assert listing.status_code == 200 and b"x@example.com" in listing.content
    assert detail.status_code == 200 and b"SMTPServerDisconnected" in detail.content
    assert b"secret link" not in detail.content
