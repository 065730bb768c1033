"""The model catalog: the one place that reads settings.VIDEOGEN_MODELS."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from jobs.generation.base import RESOLUTIONS
from videogen.errors import InvalidInput

ENGINES = ("procedural", "diffusers")


@dataclass(frozen=True)
class ModelEntry:
    id: str
    label: str
    description: str
    engine: str
    queue: str
    resolutions: tuple[str, ...]
    max_duration: int
    fps: int
    options: dict = field(default_factory=dict)

    def as_api(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "description": self.description,
            "engine": self.engine,
            "queue": self.queue,
            "resolutions": list(self.resolutions),
            "maxDuration": self.max_duration,
            "fps": self.fps,
            "default": self.id == settings.VIDEOGEN_DEFAULT_MODEL,
        }


def _entry(model_id: str, raw: dict) -> ModelEntry:
    return ModelEntry(
        id=model_id,
        label=raw.get("label", model_id),
        description=raw.get("description", ""),
        engine=raw["engine"],
        queue=raw.get("queue", "cpu"),
        resolutions=tuple(raw.get("resolutions", RESOLUTIONS.keys())),
        max_duration=int(raw.get("max_duration", 60)),
        fps=int(raw.get("fps", 24)),
        options=dict(raw.get("options", {})),
    )


def all_models() -> list[ModelEntry]:
    return [_entry(model_id, raw) for model_id, raw in settings.VIDEOGEN_MODELS.items()]


def get_model(model_id: str) -> ModelEntry | None:
    raw = settings.VIDEOGEN_MODELS.get(model_id)
    return _entry(model_id, raw) if raw is not None else None


def default_model_id() -> str:
    return settings.VIDEOGEN_DEFAULT_MODEL


def model_for_request(*, model_id: str, resolution: str, duration: int) -> ModelEntry:
    """The catalog entry for a job request, or InvalidInput saying why not."""
    model = get_model(model_id)
    if model is None:
        known = ", ".join(settings.VIDEOGEN_MODELS)
        raise InvalidInput.for_field("model", f"Unknown model '{model_id}'. Available models: {known}.")
    if resolution not in model.resolutions:
        raise InvalidInput.for_field(
            "resolution",
            f"Model '{model_id}' supports {', '.join(model.resolutions)}, not {resolution}.",
        )
    if duration > model.max_duration:
        raise InvalidInput.for_field(
            "duration", f"Model '{model_id}' renders at most {model.max_duration} seconds; got {duration}."
        )
    return model
