"""Reads for uploads; another user's upload is as missing as one that never existed."""

from __future__ import annotations

from accounts.models import User
from jobs.uploads.models import Upload
from videogen.errors import NotFound
from videogen.ids import valid_id


def find_upload_for_user(*, user: User, upload_id: str) -> Upload | None:
    """The owner's upload, or None (another user's too)."""
    return Upload.objects.filter(pk=upload_id, user=user).first() if upload_id and valid_id(upload_id) else None


def get_upload_for_user(*, user: User, upload_id: str) -> Upload:
    """The owner's upload, or NotFound (another user's too: its existence is not theirs to learn)."""
    upload = find_upload_for_user(user=user, upload_id=upload_id)
    if upload is None:
        raise NotFound("Upload not found.")
    return upload


def upload_json(upload: Upload, *, content_url: str) -> dict:
    return {
        "id": upload.id, "width": upload.width, "height": upload.height, "contentType": upload.content_type,
        "sizeBytes": upload.size_bytes, "contentUrl": content_url,
    }
