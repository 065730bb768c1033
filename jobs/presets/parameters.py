"""Which job parameters a preset holds, and a job's parameters as a preset's."""

from __future__ import annotations

from jobs.models import Job
from jobs.services import _metadata_problem as json_problem  # what PostgreSQL's jsonb refuses
from jobs.serializers import JobCreateSerializer
from videogen.errors import InvalidInput

# The job create body's keys a preset may hold (everything but the project: presets
# travel between projects).
PRESET_KEYS = tuple(name for name in JobCreateSerializer().fields if name != "projectId")
FIELD = "parameters"


def clean_parameters(parameters) -> dict:
    """The parameters as stored: a JSON object of job-create keys with valid types;
    InvalidInput naming ``parameters`` (and the key) otherwise."""
    if not isinstance(parameters, dict):
        raise InvalidInput.for_field(FIELD, "Must be a JSON object of job parameters.")
    problem = json_problem(parameters)
    if problem:
        raise InvalidInput.for_field(FIELD, problem)
    unknown = sorted(set(parameters) - set(PRESET_KEYS))
    if unknown:
        raise InvalidInput.for_field(
            FIELD, f"Unknown job parameter '{unknown[0]}'. A preset holds: {', '.join(PRESET_KEYS)}."
        )
    serializer = JobCreateSerializer(data=parameters, partial=True)
    if not serializer.is_valid():
        key, messages = next(iter(serializer.errors.items()))
        raise InvalidInput(f"{FIELD}: {key}: {' '.join(str(m) for m in messages)}",
                           details={FIELD: [f"{key}: {' '.join(str(m) for m in messages)}"]})
    return {key: parameters[key] for key in PRESET_KEYS if key in parameters}


def job_parameters(job: Job) -> dict:
    """A job's parameters in the job create body's shape (its seed included)."""
    values = {
        "prompt": job.prompt, "model": job.model, "resolution": job.resolution, "quality": job.quality,
        "duration": job.duration, "maxRetries": job.max_retries,
    }
    if job.metadata:
        values["metadata"] = job.metadata
    return values
