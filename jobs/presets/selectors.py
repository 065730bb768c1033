"""Reads for presets; another user's preset is as missing as one that never existed."""

from __future__ import annotations

from accounts.models import User
from jobs.presets.models import Preset
from videogen.errors import NotFound
from videogen.ids import valid_id


def get_preset_for_user(*, user: User, preset_id: str) -> Preset:
    preset = Preset.objects.filter(pk=preset_id, user=user).first() if valid_id(preset_id) else None
    if preset is None:
        raise NotFound("Preset not found.")
    return preset


def preset_list(*, user: User, skip: int = 0, take: int = 100) -> tuple[list[Preset], int]:
    rows = Preset.objects.filter(user=user)
    return list(rows[skip : skip + take]), rows.count()


def preset_json(preset: Preset) -> dict:
    return {"id": preset.id, "name": preset.name, "parameters": preset.parameters,
            "createdAt": preset.created_at.isoformat().replace("+00:00", "Z"),
            "updatedAt": preset.updated_at.isoformat().replace("+00:00", "Z")}
