"""Outgoing mail: queued in the caller's transaction, sent by a worker job after commit.

`mail_queue` renders `templates/accounts/mail/<template>.txt` (first line the
subject) into an OutgoingMail row and, once the transaction commits, enqueues
`mail_deliver` on the "default" RQ queue. A mail server that is down costs the
request nothing: the delivery fails on the worker, the row records when to try again
(backoff up to an hour, MAIL_MAX_ATTEMPTS in all), and the worker's periodic sweep
(`mail_outbox_sweep`, beside the reconciler) enqueues what is due, including rows
whose first enqueue found Redis down. The database decides; RQ's scheduler is not
needed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import OutgoingMail

logger = logging.getLogger("videogen.mail")

QUEUE = "default"
TASK = "accounts.mail.mail_deliver_task"
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# A row stuck in "sending" this long was claimed by a worker that died: send it again.
CLAIM_TIMEOUT = timedelta(minutes=5)
# The sweep leaves fresh rows to their own on-commit enqueue.
SWEEP_GRACE = timedelta(seconds=30)


def render_mail(*, template: str, context: dict) -> tuple[str, str]:
    """(subject, body) of `templates/accounts/mail/<template>.txt`: its first line is the subject."""
    text = render_to_string(f"accounts/mail/{template}.txt", context)
    subject, _, body = text.lstrip().partition("\n")
    return subject.strip()[:200], body.lstrip("\n")


def mail_queue(*, to: str, template: str, context: dict) -> OutgoingMail:
    """Render a mail into the outbox; it is sent after the current transaction commits."""
    subject, body = render_mail(template=template, context=context)
    mail = OutgoingMail.objects.create(kind=template, to=to, subject=subject, body=body)
    transaction.on_commit(lambda: _enqueue(mail.pk, mail.attempts))
    return mail


def _enqueue(mail_id: str, attempts: int) -> None:
    import django_rq

    try:
        django_rq.get_queue(QUEUE).enqueue(TASK, mail_id, job_id=f"mail-{mail_id}-{attempts}", result_ttl=0)
    except Exception as exc:  # Redis down: the row stays pending and the sweep sends it
        logger.warning("mail not enqueued (%s): the outbox sweep will send it", type(exc).__name__,
                       extra={"mail_id": mail_id})


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def mail_deliver(*, mail_id: str) -> str:
    """Send one outbox row if it is due; returns its status afterwards."""
    now = timezone.now()
    claimable = Q(status=OutgoingMail.PENDING) | Q(status=OutgoingMail.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    claimed = OutgoingMail.objects.filter(claimable, pk=mail_id, next_attempt_at__lte=now).update(
        status=OutgoingMail.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    if not claimed or mail is None:
        return mail.status if mail else "missing"
    try:
        EmailMessage(subject=mail.subject, body=mail.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[mail.to]).send()
    except Exception as exc:
        failed_for_good = mail.attempts >= settings.MAIL_MAX_ATTEMPTS
        mail.status = OutgoingMail.FAILED if failed_for_good else OutgoingMail.PENDING
        mail.next_attempt_at = timezone.now() + _backoff(mail.attempts)
        mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
        mail.save(update_fields=["status", "next_attempt_at", "last_error"])
        log = logger.error if failed_for_good else logger.warning
        log("mail not sent (attempt %s): %s", mail.attempts, mail.last_error, extra={"mail_id": mail.pk})
        return mail.status
    mail.status, mail.sent_at, mail.body = OutgoingMail.SENT, timezone.now(), ""
    mail.save(update_fields=["status", "sent_at", "body"])
    logger.info("mail sent", extra={"mail_id": mail.pk, "kind": mail.kind})
    return mail.status


def mail_deliver_task(mail_id: str) -> str:
    """The RQ job: takes the row's id, calls the service."""
    return mail_deliver(mail_id=mail_id)


def mail_outbox_sweep(*, limit: int = 200) -> int:
    """Enqueue every due mail (retries, and rows whose first enqueue was lost). Returns the count."""
    now = timezone.now()
    due = OutgoingMail.objects.filter(
        Q(status=OutgoingMail.PENDING, next_attempt_at__lte=now, created_at__lte=now - SWEEP_GRACE)
        | Q(status=OutgoingMail.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    ).values_list("pk", "attempts")[:limit]
    rows = list(due)
    for mail_id, attempts in rows:
        _enqueue(mail_id, attempts)
    return len(rows)


def site_url(request=None) -> str:
    """The base URL for links in mails: SITE_URL, else the address the request came to."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return "http://localhost:8000"
