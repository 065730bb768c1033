"""Writes for presets."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import User
from jobs.models import Job
from jobs.presets.models import PRESET_NAME_MAX_LENGTH, Preset
from jobs.presets.parameters import clean_parameters, job_parameters, json_problem
from videogen.errors import Conflict, InvalidInput


def _clean_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput.for_field("name", "This field may not be blank.")
    name = " ".join(name.split())
    if len(name) > PRESET_NAME_MAX_LENGTH:
        raise InvalidInput.for_field("name", f"Ensure this field has no more than {PRESET_NAME_MAX_LENGTH} characters.")
    problem = json_problem(name)
    if problem:
        raise InvalidInput.for_field("name", problem)
    return name


def _save(preset: Preset, *, fields: list[str] | None = None) -> Preset:
    try:
        with transaction.atomic():
            if fields is None:
                preset.save(force_insert=True)
            else:
                preset.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        message = f"You already have a preset named '{preset.name}'."
        raise Conflict(message, details={"name": [message]}) from None
    return preset


def preset_create(*, user: User, name: str, parameters: dict) -> Preset:
    return _save(Preset(user=user, name=_clean_name(name), parameters=clean_parameters(parameters)))


def preset_create_from_job(*, user: User, name: str, job: Job) -> Preset:
    """Save ``job``'s parameters (the caller checked it is ``user``'s) as a preset."""
    return preset_create(user=user, name=name, parameters=job_parameters(job))


def preset_update(*, preset: Preset, name: str | None = None, parameters: dict | None = None) -> Preset:
    fields = []
    if name is not None:
        preset.name, fields = _clean_name(name), [*fields, "name"]
    if parameters is not None:
        preset.parameters, fields = clean_parameters(parameters), [*fields, "parameters"]
    return _save(preset, fields=fields) if fields else preset


def preset_delete(*, preset: Preset) -> None:
    preset.delete()
