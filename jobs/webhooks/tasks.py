"""The RQ task on the webhooks queue: one attempt of one delivery."""

from __future__ import annotations

from django.db import close_old_connections

from jobs.webhooks.delivery import delivery_attempt


def deliver(delivery_id: str) -> str:
    close_old_connections()
    try:
        return delivery_attempt(delivery_id=delivery_id)
    finally:
        close_old_connections()
