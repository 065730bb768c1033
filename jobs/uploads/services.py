"""Writes for uploads: store a validated image and its row; delete both."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from jobs.uploads import storage
from jobs.uploads.images import decode_image
from jobs.uploads.models import Upload
from videogen.errors import Conflict
from videogen.ids import new_id


def upload_create(*, user: User, data: bytes) -> Upload:
    """Decode ``data`` (raises InvalidInput naming ``file``), store it re-encoded, and record it."""
    decoded = decode_image(data)
    encoded = decoded.encoded()
    upload_id = new_id()
    path = storage.save_image(
        storage.upload_name(user_id=user.pk, upload_id=upload_id, extension=decoded.extension), encoded
    )
    try:
        with transaction.atomic():
            return Upload.objects.create(
                id=upload_id, user=user, path=path, width=decoded.width, height=decoded.height,
                content_type=decoded.content_type, size_bytes=len(encoded),
            )
    except BaseException:
        storage.delete_quietly(path)
        raise


def upload_delete(*, upload: Upload) -> None:
    """Delete an upload and its file; refused while a job starts from it (a retry would
    need it): delete those jobs first."""
    path = upload.path
    with transaction.atomic():
        used_by = upload.jobs.count()
        if used_by:
            message = f"This image is the start of {used_by} job{'s' if used_by > 1 else ''}; delete them first."
            raise Conflict(message, details={"file": [message]})
        upload.delete()
        transaction.on_commit(lambda: storage.delete_quietly(path))
