"""Project writes. Every create, change and delete of a project goes through here,
so the API, the pages and the admin actions obey the same rules."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from projects.models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, Project
from videogen.errors import InvalidInput, NotFound


def project_create(*, user: User, name: str, description: str = "") -> Project:
    """Create a project owned by ``user``; raises InvalidInput naming the bad field."""
    project = Project(user=user, name=_clean_name(name), description=_clean_description(description))
    project.save(force_insert=True)
    return project


def project_update(*, project: Project, name: str | None = None, description: str | None = None) -> Project:
    """Change the given fields (None leaves a field as it is) and return the project.

    Raises InvalidInput naming the bad field, or NotFound if the project was deleted
    meanwhile. Nothing is written when no field is given.
    """
    changes: dict[str, str] = {}
    if name is not None:
        changes["name"] = _clean_name(name)
    if description is not None:
        changes["description"] = _clean_description(description)
    if not changes:
        return project
    changes["updated_at"] = timezone.now()
    # A filtered update rather than save(): a project deleted concurrently answers
    # 404 instead of an error, and only the named columns are written.
    if not Project.objects.filter(pk=project.pk).update(**changes):
        raise NotFound("Project not found.")
    for field, value in changes.items():
        setattr(project, field, value)
    return project


def project_check(*, name: str, description: str = "") -> None:
    """Raise what project_create would raise for these values (forms show it per field)."""
    _clean_name(name)
    _clean_description(description)


def project_delete(*, project: Project) -> None:
    """Delete the project; its jobs stay, with their project set to null."""
    with transaction.atomic():
        project.delete()


def _clean_name(name: str) -> str:
    if not isinstance(name, str):
        raise InvalidInput.for_field("name", "Must be a string.")
    name = name.strip()
    if not name:
        raise InvalidInput.for_field("name", "This field may not be blank.")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput.for_field("name", f"Ensure this field has no more than {NAME_MAX_LENGTH} characters.")
    _refuse_null_characters("name", name)
    return name


def _clean_description(description: str) -> str:
    if not isinstance(description, str):
        raise InvalidInput.for_field("description", "Must be a string.")
    description = description.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidInput.for_field(
            "description", f"Ensure this field has no more than {DESCRIPTION_MAX_LENGTH} characters."
        )
    _refuse_null_characters("description", description)
    return description


def _refuse_null_characters(field: str, value: str) -> None:
    # PostgreSQL text cannot hold NUL; refuse it as bad input rather than fail on save.
    if "\x00" in value:
        raise InvalidInput.for_field(field, "Null characters are not allowed.")
