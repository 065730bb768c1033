"""Uploads as the start image of jobs: which models take one, checking a job's imageId,
and the decoded picture for the engine."""

from __future__ import annotations

import numpy as np

from accounts.models import User
from jobs.catalog import ModelEntry
from jobs.generation.base import IMAGE_NONE, IMAGE_REQUIRED
from jobs.uploads.images import as_rgb_array, decode_image
from jobs.uploads.models import Upload
from jobs.uploads.storage import read_image
from videogen.errors import InvalidInput
from videogen.ids import valid_id

FIELD = "imageId"


def upload_for_job(*, user: User, model: ModelEntry, image_id: str | None) -> Upload | None:
    """The job's start image: the user's own upload, when the model takes one; else
    InvalidInput naming ``imageId`` (another user's image is as unknown as a missing one)."""
    support = model.image_input
    if not image_id:
        if support == IMAGE_REQUIRED:
            raise InvalidInput.for_field(FIELD, f"Model '{model.id}' makes a video from an image: upload one first.")
        return None
    if support == IMAGE_NONE:
        raise InvalidInput.for_field(FIELD, f"Model '{model.id}' makes videos from text only; it takes no image.")
    upload = Upload.objects.filter(pk=image_id, user=user).first() if valid_id(image_id) else None
    if upload is None:
        raise InvalidInput.for_field(FIELD, "No such image among your uploads.")
    return upload


def start_image(upload: Upload) -> np.ndarray:
    """The stored upload decoded again (it was validated on the way in) as RGB."""
    return as_rgb_array(decode_image(read_image(upload.path)).image)
