"""Where uploaded images live in storage: uploads/<user id>/<upload id>/image.<ext>."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

logger = logging.getLogger("videogen.jobs")


def upload_name(*, user_id: str, upload_id: str, extension: str) -> str:
    return f"uploads/{user_id}/{upload_id}/image.{extension}"


def save_image(name: str, data: bytes) -> str:
    return default_storage.save(name, ContentFile(data, name=name.rsplit("/", 1)[-1]))


def read_image(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:
        logger.exception("could not delete an upload", extra={"path": name})
