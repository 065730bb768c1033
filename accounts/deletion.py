"""Deleting an account: irreversible, password required.

The user's row goes, and with it (database cascades) their jobs, projects, API keys,
token families and sessions; after commit, every file under the user's folders in
storage is removed through the storage API (local disk or S3 alike).
"""

from __future__ import annotations

import logging
import os

from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import BrowserSession, User
from accounts.services import user_check_password

logger = logging.getLogger("videogen.auth")

# Every storage folder that holds one user's files (outputs, later uploads), by user id.
USER_STORAGE_FOLDERS = ("videos/{user_id}", "uploads/{user_id}")


def _remove_tree(folder: str) -> int:
    try:
        directories, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for name in files:
        default_storage.delete(f"{folder}/{name}")
        removed += 1
    for name in directories:
        removed += _remove_tree(f"{folder}/{name}")
    try:  # local storage leaves the empty folder behind; S3 has none
        path = default_storage.path(folder)
    except NotImplementedError:
        return removed
    try:
        os.rmdir(path)
    except OSError:
        pass
    return removed


def user_files_remove(*, user_id: str) -> int:
    return sum(_remove_tree(folder.format(user_id=user_id)) for folder in USER_STORAGE_FOLDERS)


def user_delete(*, user: User, password: str, ip_address: str | None) -> None:
    """Delete the account and everything it owns, files included (after commit)."""
    user_check_password(user=user, password=password, ip_address=ip_address, field="password")
    user_id = user.pk
    with transaction.atomic():
        sessions = BrowserSession.objects.filter(user=user).values_list("session_key", flat=True)
        Session.objects.filter(session_key__in=list(sessions)).delete()
        User.objects.filter(pk=user_id).delete()
        transaction.on_commit(lambda: user_files_remove(user_id=user_id))
    logger.info("account deleted", extra={"user_id": user_id, "ip": ip_address})
