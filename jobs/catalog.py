"""The model catalog: the one place that reads settings.VIDEOGEN_MODELS.

An entry names its engine (a package under ``jobs/generation/``, see
``jobs.generation.registry``); the engine's declaration says which job parameters the
model accepts and its default queue, and the entry may narrow the parameters' ranges
(see ``jobs.parameters``). ``catalog_problems`` is run as a Django system check, so a
bad entry (including one from VIDEOGEN_EXTRA_MODELS) stops ``manage.py check`` and the
commands, naming the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from jobs import parameters
from jobs.generation.base import IMAGE_NONE, PermanentEngineError
from jobs.generation.registry import declaration_for
from jobs.parameters import Limits
from videogen.errors import InvalidInput

ENTRY_KEYS = {"label", "description", "engine", "queue", "resolutions", "max_duration", "fps", "options", "params"}


@dataclass(frozen=True)
class ModelEntry:
    id: str
    label: str
    description: str
    engine: str
    queue: str
    fps: int
    params: dict[str, Limits] = field(default_factory=dict)  # accepted parameters, by API name
    options: dict = field(default_factory=dict)

    @property
    def resolutions(self) -> tuple[str, ...]:
        return tuple(self.params["resolution"].choices) if "resolution" in self.params else ()

    @property
    def max_duration(self) -> int:
        limits = self.params.get("duration")
        return int(limits.maximum) if limits and limits.maximum is not None else parameters.MAX_DURATION

    @property
    def declaration(self):
        return declaration_for(self.engine)

    @property
    def image_input(self) -> str:
        """"required", "optional" or "none": whether its jobs start from an image (imageId)."""
        return self.declaration.image_input(self.options)

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
            "parameters": parameters.describe(self.params),
            "imageInput": self.image_input,
        }


def _entry(model_id: str, raw: dict) -> ModelEntry:
    """Build one entry; ValueError saying what is wrong with it."""
    if not isinstance(raw, dict):
        raise ValueError("must be an object")
    unknown = sorted(set(raw) - ENTRY_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(ENTRY_KEYS))}")
    if not isinstance(raw.get("engine"), str):
        raise ValueError("needs an 'engine' (a package under jobs/generation/ or 'module:Class')")
    try:
        declaration = declaration_for(raw["engine"])
    except PermanentEngineError as exc:
        raise ValueError(str(exc)) from None
    queue = raw.get("queue", declaration.queue)
    if queue not in settings.RQ_QUEUE_NAMES:
        raise ValueError(f"queue '{queue}' is not one of {', '.join(settings.RQ_QUEUE_NAMES)}")
    fps = raw.get("fps", 24)
    if not isinstance(fps, int) or isinstance(fps, bool) or not 1 <= fps <= 120:
        raise ValueError(f"fps must be an integer from 1 to 120, not {fps!r}")
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise ValueError("options must be an object")
    declaration.check_options(options)
    return ModelEntry(
        id=model_id,
        label=str(raw.get("label", model_id)),
        description=str(raw.get("description", "")),
        engine=raw["engine"],
        queue=queue,
        fps=fps,
        params=parameters.model_limits(engine_params=_accepted(declaration, options), raw=raw),
        options=dict(options),
    )


def _accepted(declaration, options: dict) -> tuple[str, ...]:
    """The engine's parameters, less ``imageId`` for a model that takes no image."""
    if declaration.image_input(options) == IMAGE_NONE:
        return tuple(name for name in declaration.params if name != "imageId")
    return declaration.params


def catalog_problems() -> list[str]:
    """What is wrong with the configured catalog, one line per bad entry (empty: fine)."""
    problems = []
    for model_id, raw in settings.VIDEOGEN_MODELS.items():
        try:
            _entry(model_id, raw)
        except ValueError as exc:
            problems.append(f"VIDEOGEN_MODELS entry '{model_id}': {exc}")
    if settings.VIDEOGEN_DEFAULT_MODEL not in settings.VIDEOGEN_MODELS:
        problems.append(f"VIDEOGEN_DEFAULT_MODEL '{settings.VIDEOGEN_DEFAULT_MODEL}' is not in the catalog")
    return problems


def all_models() -> list[ModelEntry]:
    return [_entry(model_id, raw) for model_id, raw in settings.VIDEOGEN_MODELS.items()]


def get_model(model_id: str) -> ModelEntry | None:
    raw = settings.VIDEOGEN_MODELS.get(model_id)
    return _entry(model_id, raw) if raw is not None else None


def default_model_id() -> str:
    return settings.VIDEOGEN_DEFAULT_MODEL


def model_named(model_id: str) -> ModelEntry:
    """The catalog entry for ``model_id``, or InvalidInput naming the known ones."""
    model = get_model(model_id)
    if model is None:
        known = ", ".join(settings.VIDEOGEN_MODELS)
        raise InvalidInput.for_field("model", f"Unknown model '{model_id}'. Available models: {known}.")
    return model


def model_for_request(*, model_id: str, resolution: str, duration: int) -> ModelEntry:
    """The catalog entry for a job request, or InvalidInput saying why not."""
    model = model_named(model_id)
    for name, value in (("resolution", resolution), ("duration", duration)):
        param = parameters.get(name)
        if name in model.params:
            param.check_value(value, model.params[name], model_id=model.id)
    return model
