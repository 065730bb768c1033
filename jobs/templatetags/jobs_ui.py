"""Small presentation helpers for the jobs templates (no queries, no HTML built by hand)."""

from __future__ import annotations

import json

from django import template

from jobs.models import Job
from jobs.presentation import result_for

register = template.Library()


@register.filter
def job_result(job: Job) -> dict | None:
    """The job's result URLs and facts once completed; ``{previewUrl}`` while a preview shows; else None."""
    return result_for(job)


@register.filter
def param_defaults_json(model) -> str:
    """A model's accepted parameters and their defaults, as JSON for the create page's script."""
    return json.dumps({name: limits.default for name, limits in model.params.items()})


@register.filter
def milliseconds(value: int | float | None) -> str:
    """A generation time for people: 850 ms, 12.4 s, 3 min 5 s."""
    if value is None:
        return "—"
    value = float(value)
    if value < 1000:
        return f"{value:.0f} ms"
    seconds = value / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


@register.filter
def percent(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    return f"{ratio * 100:.0f}%"


@register.filter
def short_id(value: str) -> str:
    return value[:8]


@register.filter
def json_pretty(value) -> str:
    """A JSON value as indented text (escaped by the template like any other text)."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@register.filter
def without_seed(metadata) -> dict:
    """Metadata other than the seed (which the detail page shows on its own)."""
    if not isinstance(metadata, dict):
        return {}
    return {key: value for key, value in metadata.items() if key != "seed"}


@register.filter
def clock(seconds: int | None) -> str:
    """A video length as a player shows it: 0:05, 1:00."""
    if seconds is None:
        return ""
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"
