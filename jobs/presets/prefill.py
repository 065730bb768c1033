"""What the create form starts from: a preset (?preset=<id>) or another job (?from=<id>,
"make another like this"; its seed only with &keep_seed=1, a new one otherwise)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobs import parameters
from jobs import selectors as job_selectors
from jobs.presets import selectors
from jobs.presets.parameters import job_parameters
from videogen.errors import Forbidden, NotFound

# Parameters by API name -> the create form's fields.
FORM_FIELDS = {param.name: param.attr for param in parameters.PARAMETERS if param.name not in ("projectId", "seed")}


@dataclass(frozen=True)
class Prefill:
    initial: dict = field(default_factory=dict)
    source: str = ""  # what the form was filled from, for the page ("" when nothing)
    kept_seed: int | None = None
    original_seed: int | None = None  # the job's seed, offered to keep
    from_job_id: str = ""


def _seed_of(values: dict) -> int | None:
    seed = values.get("seed")
    metadata = values.get("metadata")
    if seed is None and isinstance(metadata, dict):
        seed = metadata.get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else None


def _initial(values: dict, *, seed: int | None) -> dict:
    initial = {FORM_FIELDS[key]: value for key, value in values.items() if key in FORM_FIELDS}
    if seed is not None:
        initial["seed"] = seed
    return initial


def prefill_for(*, user, query) -> Prefill:
    """The create form's starting values from the query string; nothing for ids that are
    not the user's (the form then simply starts empty)."""
    try:
        if query.get("preset"):
            preset = selectors.get_preset_for_user(user=user, preset_id=query["preset"])
            values = preset.parameters
            return Prefill(initial=_initial(values, seed=_seed_of(values)), source=f"preset “{preset.name}”")
        if query.get("from"):
            job = job_selectors.get_job_for_user(user=user, job_id=query["from"])
            values = job_parameters(job)
            original = _seed_of(values)
            keep = query.get("keep_seed") == "1"
            return Prefill(
                initial=_initial(values, seed=original if keep else None), source="an earlier job",
                kept_seed=original if keep else None, original_seed=original, from_job_id=job.id,
            )
    except (NotFound, Forbidden):
        pass
    return Prefill()
