"""The job-parameter contract: every field a job request carries, declared once.

Each ``Param`` owns a field's API name, its form/Python name, its type, default,
bounds, label, help and messages. Everything that accepts a job request is derived
from ``PARAMETERS``:

- the API's ``JobCreateSerializer`` (``jobs.serializers``) builds its fields with
  ``drf_field`` there (strict types: ``"3"`` is not an integer, ``123`` not a prompt;
  out-of-bounds values get ``Param.bounds_message``, the forms' message);
- the page form (``jobs.forms.JobCreateForm``) and the admin add form
  (``jobs.admin.JobAddForm``) build theirs with ``form_field``;
- the ``generate`` command adds its options with ``Param.add_argument``;
- ``jobs.services.commands.job_create`` checks every value with ``check_request``
  (types, global bounds, then the model's limits: one set of messages);
- ``GET /api/v1/models`` lists each model's accepted parameters with ``describe``.

Per-model limits: a parameter with ``per_model=True`` is accepted only by models
whose engine declares it (``EngineDeclaration.params``); a catalog entry narrows its
range with ``"params": {"<name>": {"min": .., "max": .., "choices": [..],
"default": ..}}`` (``resolutions`` and ``max_duration`` are the older spellings for
``resolution`` and ``duration`` and still work).

How to add a parameter (say ``steps``):

1. Declare it in ``PARAMETERS``: ``Param("steps", kind=INTEGER, label="Steps",
   minimum=1, maximum=200, default=None, per_model=True, help="...")``. A parameter
   without a ``Job`` column (``column=False``, the default for new ones) is stored
   in ``Job.params`` and reaches the engine as ``spec.params["steps"]``.
2. In the engine package that reads it, add ``"steps"`` to its declaration's
   ``params`` and read ``spec.params.get("steps")`` in ``render``.
3. Optionally narrow it per model in the catalog (``"params": {"steps": {"max": 50}}``).

The serializer, both forms, the command, the validation, the messages and the
models listing follow. Nothing else names the parameter.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings

from jobs.generation.base import QUALITIES, RESOLUTIONS
from jobs.models import PROMPT_MAX_LENGTH
from videogen.errors import InvalidInput

if TYPE_CHECKING:
    from jobs.catalog import ModelEntry

TEXT = "text"
CHOICE = "choice"
INTEGER = "integer"
NUMBER = "number"
OBJECT = "object"

TYPE_MESSAGES = {
    TEXT: "Must be a string.",
    CHOICE: "Must be a string.",
    INTEGER: "A valid integer is required.",
    NUMBER: "A valid number is required.",
    OBJECT: "Must be a JSON object.",
}
METADATA_MAX_DEPTH = 32


@dataclass(frozen=True)
class Limits:
    """A parameter's accepted values for one model (or globally)."""

    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None

    def as_api(self, kind: str) -> dict:
        described: dict[str, Any] = {"type": {CHOICE: "string", TEXT: "string"}.get(kind, kind)}
        if self.choices:
            described["choices"] = list(self.choices)
        if self.minimum is not None:
            described["min"] = self.minimum
        if self.maximum is not None:
            described["max"] = self.maximum
        described["default"] = self.default
        return described


@dataclass(frozen=True)
class Param:
    name: str  # the API's (camelCase) name, also the key in error details
    kind: str
    label: str
    attr: str = ""  # the Python / form field / Job column name; snake_case of ``name`` by default
    help: str = ""
    default: Any = None
    required: bool = False
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    nullable: bool = False
    unit: str = ""
    # Accepted only by models whose engine declares it; the catalog narrows its range.
    per_model: bool = False
    # A JobRequest attribute and a Job column named ``attr`` (``projectId``: the project
    # foreign key); else carried in JobRequest.params and stored in Job.params.
    column: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.attr:
            snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in self.name)
            object.__setattr__(self, "attr", snake)

    def bounds_message(self) -> str:
        """The message for a value outside the global bounds or choices (API and forms alike)."""
        if self.choices:
            return _choice_message(self, self.limits, "", None)
        return f"Must be {_bounds_text(self, self.limits)}."

    @property
    def limits(self) -> Limits:
        return Limits(choices=self.choices, minimum=self.minimum, maximum=self.maximum, default=self.default)

    # --- checking one value -------------------------------------------------------

    def check_type(self, value: Any) -> Any:
        """``value`` if it has this parameter's type, else InvalidInput naming the field."""
        if value is None:
            if self.nullable or not self.required:
                return None
            raise InvalidInput.for_field(self.name, "This field may not be null.")
        ok = {
            TEXT: isinstance(value, str),
            CHOICE: isinstance(value, str),
            INTEGER: isinstance(value, int) and not isinstance(value, bool),
            NUMBER: isinstance(value, (int, float)) and not isinstance(value, bool),
            OBJECT: isinstance(value, dict),
        }[self.kind]
        if not ok:
            raise InvalidInput.for_field(self.name, TYPE_MESSAGES[self.kind])
        return value

    def check_value(self, value: Any, limits: Limits | None = None, *, model_id: str = "") -> None:
        """Bounds and choices: the global ones, then (given) the model's."""
        if value is None:
            return
        if self.kind == TEXT:
            _check_text(self, value)
        if self.kind == OBJECT:
            _check_object(self, value)
        for bounds, whose in ((self.limits, ""), (limits, model_id)):
            if bounds is None:
                continue
            if bounds.choices and value not in bounds.choices:
                raise InvalidInput.for_field(self.name, _choice_message(self, bounds, whose, value))
            low, high = bounds.minimum, bounds.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                raise InvalidInput.for_field(self.name, _range_message(self, bounds, whose, value))

    # --- derived fields -------------------------------------------------------------

    def form_field(self, *, limits: Limits | None = None) -> forms.Field:
        """A form field of the right kind with the bounds as widget hints. Values are
        checked by ``check_request`` (through the service), so a form shows the same
        messages as the API."""
        bounds = limits or self.limits
        # A parameter with a default shows it filled in, so the form asks for a value.
        required = self.required or bounds.default is not None
        common = dict(label=self.label, required=required, help_text=self.help, initial=bounds.default)
        if self.kind == CHOICE:
            labels = self.extra.get("choice_labels", {})
            return forms.ChoiceField(choices=[(c, labels.get(c, c)) for c in bounds.choices], **common)
        if self.kind in (INTEGER, NUMBER):
            attrs = {"step": 1 if self.kind == INTEGER else "any", "inputmode": "numeric"}
            attrs.update({k: _num(v) for k, v in (("min", bounds.minimum), ("max", bounds.maximum)) if v is not None})
            field_class = forms.IntegerField if self.kind == INTEGER else forms.FloatField
            return field_class(widget=forms.NumberInput(attrs=attrs), **common)
        if self.kind == OBJECT:
            return forms.JSONField(**common)
        attrs = {"maxlength": self.max_length} if self.max_length else {}
        return forms.CharField(strip=False, widget=forms.TextInput(attrs=attrs), **common)

    def add_argument(self, parser: argparse.ArgumentParser) -> None:
        flag = "--" + self.attr.replace("_", "-")
        kwargs: dict[str, Any] = {"dest": self.attr, "default": self.default, "help": self.help or self.label}
        if self.kind == CHOICE:
            kwargs["choices"] = list(self.choices)
        elif self.kind == INTEGER:
            kwargs["type"] = int
        elif self.kind == NUMBER:
            kwargs["type"] = float
        parser.add_argument(flag, **kwargs)


def _bounds_text(param: Param, bounds: Limits) -> str:
    unit = f" {param.unit}" if param.unit else ""
    if bounds.minimum is not None and bounds.maximum is not None:
        return f"between {_num(bounds.minimum)} and {_num(bounds.maximum)}{unit}"
    if bounds.maximum is not None:
        return f"at most {_num(bounds.maximum)}{unit}"
    return f"at least {_num(bounds.minimum)}{unit}"


def _num(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _range_message(param: Param, bounds: Limits, model_id: str, value) -> str:
    if model_id and param.name == "duration" and bounds.maximum is not None and value > bounds.maximum:
        return f"Model '{model_id}' renders at most {_num(bounds.maximum)} seconds; got {value}."
    if model_id:
        return f"Model '{model_id}' accepts {param.name} {_bounds_text(param, bounds)}; got {value}."
    return f"Must be {_bounds_text(param, bounds)}."


def _choice_message(param: Param, bounds: Limits, model_id: str, value) -> str:
    if model_id:
        return f"Model '{model_id}' supports {', '.join(bounds.choices)}, not {value}."
    return f"Must be one of {', '.join(bounds.choices)}."


def _check_text(param: Param, value: str) -> None:
    if param.required and not value.strip():
        raise InvalidInput.for_field(param.name, "This field may not be blank.")
    if param.max_length is not None and len(value) > param.max_length:
        raise InvalidInput.for_field(
            param.name, f"Ensure this field has no more than {param.max_length} characters."
        )
    if "\x00" in value:
        raise InvalidInput.for_field(param.name, "Null characters are not allowed.")


def metadata_problem(value) -> str | None:
    """Why a JSON value cannot be stored, or None.

    Walks iteratively (no recursion limit to hit) and refuses what PostgreSQL's jsonb
    refuses: NUL characters and lone surrogates.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > METADATA_MAX_DEPTH:
            return f"Must be nested at most {METADATA_MAX_DEPTH} levels deep."
        if isinstance(item, dict):
            for key, inner in item.items():
                stack.append((key, depth))
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "Null characters are not allowed."
            if any("\ud800" <= char <= "\udfff" for char in item):
                return "Text must be valid Unicode (no lone surrogates)."
    return None


def _check_object(param: Param, value: dict) -> None:
    problem = metadata_problem(value)
    if problem:
        raise InvalidInput.for_field(param.name, problem)
    size = len(json.dumps(value, separators=(",", ":")).encode())
    if size > settings.VIDEOGEN_METADATA_MAX_BYTES:
        raise InvalidInput.for_field(
            param.name, f"Must be at most {settings.VIDEOGEN_METADATA_MAX_BYTES} bytes as JSON; got {size}."
        )
    seed = value.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63):
        raise InvalidInput.for_field(param.name, "metadata.seed must be a non-negative integer.")


RESOLUTION_LABELS = {name: f"{name} ({width}×{height})" for name, (width, height) in RESOLUTIONS.items()}
MAX_DURATION = 60
MAX_RETRIES_LIMIT = 10
SEED_MAX = 2**63 - 1
NEGATIVE_PROMPT_MAX_LENGTH = 2000

# The request's fields, in the order forms show them. ``projectId`` and ``model`` are
# ids checked against the database and the catalog by the service.
PARAMETERS: tuple[Param, ...] = (
    Param(
        "prompt", kind=TEXT, label="Prompt", required=True, max_length=PROMPT_MAX_LENGTH, column=True,
        help=f"Describe the scene, the motion and the mood. Up to {PROMPT_MAX_LENGTH} characters.",
    ),
    Param("projectId", kind=TEXT, label="Project", attr="project_id", max_length=32, nullable=True, column=True,
          help="Keep related jobs together."),
    Param("model", kind=TEXT, label="Model", max_length=100, nullable=True, column=True),
    Param(
        "resolution", kind=CHOICE, label="Resolution", choices=tuple(RESOLUTIONS), default="1080p",
        per_model=True, column=True, extra={"choice_labels": RESOLUTION_LABELS},
    ),
    Param(
        "quality", kind=CHOICE, label="Quality", choices=QUALITIES, default="high", per_model=True, column=True,
        extra={"choice_labels": {q: q.capitalize() for q in QUALITIES}},
    ),
    Param(
        "duration", kind=INTEGER, label="Duration (seconds)", minimum=1, maximum=MAX_DURATION, default=5,
        unit="seconds", per_model=True, column=True,
        help=f"1 to {MAX_DURATION} seconds, within the model's limit.",
    ),
    Param("metadata", kind=OBJECT, label="Metadata", nullable=True, column=True,
          help="Any JSON object, stored with the job; metadata.seed fixes the seed."),
    Param(
        "maxRetries", kind=INTEGER, label="Max retries", minimum=0, maximum=MAX_RETRIES_LIMIT, default=3,
        column=True, help=f"Automatic retries after a failed attempt (0 to {MAX_RETRIES_LIMIT}).",
    ),
    # Every engine takes a seed; when a job gives none the service picks one and stores it.
    Param(
        "seed", kind=INTEGER, label="Seed", minimum=0, maximum=SEED_MAX,
        help="The same model, parameters and seed render the same video; empty picks one.",
    ),
    Param(
        "imageId", kind=TEXT, label="Start image", max_length=64, per_model=True,
        help="An image you uploaded (POST /api/v1/uploads): the video starts from it.",
    ),
    Param(
        "negativePrompt", kind=TEXT, label="Things to avoid", max_length=NEGATIVE_PROMPT_MAX_LENGTH, per_model=True,
        help="The negative prompt: what the video should not show. The model's recommended one is the default.",
    ),
    Param("steps", kind=INTEGER, label="Steps", minimum=1, maximum=200, per_model=True,
          help="Diffusion steps: more is slower and usually finer."),
    Param("guidanceScale", kind=NUMBER, label="Guidance scale", minimum=0, maximum=30, per_model=True,
          help="How closely the video follows the prompt (higher: closer, less varied)."),
)
BY_NAME: dict[str, Param] = {param.name: param for param in PARAMETERS}
# What a job is rendered with: the parameters a model may accept.
MODEL_PARAMETERS: tuple[Param, ...] = tuple(p for p in PARAMETERS if p.per_model)


def get(name: str) -> Param:
    return BY_NAME[name]


def model_limits(*, engine_params: tuple[str, ...], raw: dict) -> dict[str, Limits]:
    """A catalog entry's accepted parameters and their limits (raises ValueError on nonsense).

    ``engine_params`` are those its engine declares; ``raw`` is the entry as configured.
    """
    unknown = [name for name in engine_params if name not in BY_NAME]
    if unknown:
        raise ValueError(f"its engine declares unknown parameter(s) {', '.join(unknown)}")
    overrides = dict(raw.get("params") or {})
    if not isinstance(overrides, dict):
        raise ValueError("'params' must be an object")
    if "resolutions" in raw:
        overrides.setdefault("resolution", {})["choices"] = raw["resolutions"]
    if "max_duration" in raw:
        overrides.setdefault("duration", {})["max"] = raw["max_duration"]
    limits: dict[str, Limits] = {}
    for param in MODEL_PARAMETERS:
        if param.name not in engine_params:
            if param.name in (raw.get("params") or {}):
                raise ValueError(f"its engine does not accept '{param.name}'")
            continue
        limits[param.name] = _narrowed(param, overrides.pop(param.name, {}) or {})
    for name in overrides:
        raise ValueError(f"'params' names '{name}', which its engine does not accept")
    return limits


def _narrowed(param: Param, override: dict) -> Limits:
    if not isinstance(override, dict):
        raise ValueError(f"params.{param.name} must be an object")
    unknown = sorted(set(override) - {"choices", "min", "max", "default"})
    if unknown:
        raise ValueError(f"params.{param.name} has unknown key(s) {', '.join(unknown)}")
    base = param.limits
    limits = replace(
        base,
        choices=tuple(override.get("choices", base.choices)),
        minimum=override.get("min", base.minimum),
        maximum=override.get("max", base.maximum),
        default=override.get("default", base.default),
    )
    if param.kind == CHOICE:
        if not limits.choices or not set(limits.choices) <= set(param.choices):
            raise ValueError(f"params.{param.name}.choices must be among {', '.join(param.choices)}")
    for key, value in (("min", limits.minimum), ("max", limits.maximum)):
        if value is None:
            continue
        if param.kind == INTEGER and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError(f"params.{param.name}.{key} must be an integer, not {value!r}")
        if (base.minimum is not None and value < base.minimum) or (base.maximum is not None and value > base.maximum):
            raise ValueError(f"params.{param.name}.{key} must be {_bounds_text(param, base)}, not {value!r}")
    if limits.minimum is not None and limits.maximum is not None and limits.minimum > limits.maximum:
        raise ValueError(f"params.{param.name}: min is above max")
    return limits


def check_types(values: dict[str, Any]) -> None:
    """Strict types of every given parameter (API names), InvalidInput on the first wrong one."""
    for name, value in values.items():
        if name in BY_NAME:
            BY_NAME[name].check_type(value)


def check_request(values: dict[str, Any], model: "ModelEntry") -> None:
    """Every parameter of a request (API names): type, global bounds, then the model's limits."""
    for param in PARAMETERS:
        value = values.get(param.name)
        if param.required and value is None:
            raise InvalidInput.for_field(param.name, "This field is required.")
        param.check_type(value)
        if param.per_model and value is not None and value != param.default and param.name not in model.params:
            raise InvalidInput.for_field(param.name, f"Model '{model.id}' does not accept {param.name}.")
        param.check_value(value)
        if param.per_model and param.name in model.params:
            param.check_value(value, model.params[param.name], model_id=model.id)


def describe(limits: dict[str, Limits]) -> dict[str, dict]:
    """A model's parameters as ``GET /api/v1/models`` lists them."""
    return {name: limit.as_api(BY_NAME[name].kind) for name, limit in limits.items()}
