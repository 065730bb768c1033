"""Django system checks for the jobs app: the model catalog is valid before any job runs."""

from __future__ import annotations

from django.core import checks


@checks.register("videogen")
def check_model_catalog(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from jobs.catalog import catalog_problems

    return [
        checks.Error(problem, hint="Fix the entry in VIDEOGEN_MODELS / VIDEOGEN_EXTRA_MODELS.", id="jobs.E001")
        for problem in catalog_problems()
    ]
