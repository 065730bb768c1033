"""Which job parameters a preset holds, and a job's parameters as a preset's."""

from __future__ import annotations

from jobs import parameters
from jobs.models import Job
from jobs.parameters import metadata_problem as json_problem  # what PostgreSQL's jsonb refuses
from videogen.errors import InvalidInput

# The job request's parameters a preset may hold (everything but the project: presets
# travel between projects).
PRESET_KEYS = tuple(param.name for param in parameters.PARAMETERS if param.name != "projectId")
FIELD = "parameters"

__all__ = ["PRESET_KEYS", "clean_parameters", "job_parameters", "json_problem"]


def clean_parameters(values) -> dict:
    """The parameters as stored: a JSON object of the contract's parameters with their
    types and global bounds (the model's limits are checked when a job is made from it);
    InvalidInput naming ``parameters`` (and the key) otherwise."""
    if not isinstance(values, dict):
        raise InvalidInput.for_field(FIELD, "Must be a JSON object of job parameters.")
    problem = json_problem(values)
    if problem:
        raise InvalidInput.for_field(FIELD, problem)
    unknown = sorted(set(values) - set(PRESET_KEYS))
    if unknown:
        raise InvalidInput.for_field(
            FIELD, f"Unknown job parameter '{unknown[0]}'. A preset holds: {', '.join(PRESET_KEYS)}."
        )
    for name, value in values.items():
        param = parameters.get(name)
        try:
            param.check_type(value)
            param.check_value(value)
        except InvalidInput as error:
            message = f"{name}: {' '.join(error.details.get(name, [error.message]))}"
            raise InvalidInput(f"{FIELD}: {message}", details={FIELD: [message]}) from None
    return {key: values[key] for key in PRESET_KEYS if key in values}


def job_parameters(job: Job) -> dict:
    """A job's parameters by API name (its seed and start image included)."""
    values = {
        "prompt": job.prompt, "model": job.model, "resolution": job.resolution, "quality": job.quality,
        "duration": job.duration, "maxRetries": job.max_retries,
    }
    if job.metadata:
        values["metadata"] = job.metadata
    values.update({key: value for key, value in (job.params or {}).items() if key in PRESET_KEYS})
    return values
