"""The model catalog is validated by a system check: a bad entry stops `manage.py check`
(and every management command, the worker included) naming the entry."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from jobs.catalog import catalog_problems
from videogen.tests.test_check_deploy import PRODUCTION, manage


@pytest.mark.parametrize(("entry", "says"), [
    ({"engine": "no-such-engine"}, "Unknown engine 'no-such-engine'"),
    ({"label": "no engine"}, "needs an 'engine'"),
    ({"engine": "procedural", "queue": "fast"}, "queue 'fast' is not one of"),
    ({"engine": "procedural", "resolutions": ["8k"]}, "params.resolution.choices must be among"),
    ({"engine": "procedural", "max_duration": 600}, "params.duration.max must be between 1 and 60 seconds"),
    ({"engine": "procedural", "max_duration": "5"}, "params.duration.max must be an integer"),
    ({"engine": "procedural", "fps": 0}, "fps must be an integer from 1 to 120"),
    ({"engine": "procedural", "params": {"flux": {"max": 5}}}, "'params' names 'flux'"),
    ({"engine": "procedural", "params": {"steps": {"max": 5}}}, "its engine does not accept 'steps'"),
    ({"engine": "procedural", "colour": "red"}, "unknown key(s) colour"),
    ({"engine": "diffusers", "options": {"source": "x"}}, "options need steps"),
])
def test_a_bad_entry_is_reported_naming_it(settings, entry, says):
    with override_settings(VIDEOGEN_MODELS={**settings.VIDEOGEN_MODELS, "broken-model": entry}):
        problems = catalog_problems()

    assert len(problems) == 1 and problems[0].startswith("VIDEOGEN_MODELS entry 'broken-model': "), problems
    assert says in problems[0]


def test_the_default_catalog_passes():
    assert catalog_problems() == []


def test_the_check_framework_runs_it(settings):
    with override_settings(VIDEOGEN_MODELS={**settings.VIDEOGEN_MODELS, "broken-model": {"engine": "nope"}}):
        with pytest.raises(SystemCheckError, match="broken-model"):
            call_command("check")


def test_manage_py_check_fails_on_a_bad_extra_model_naming_it():
    extra = {"my-model": {"engine": "diffusers", "queue": "gpu", "options": {"source": "/models/x"}}}

    result = manage("check", env={**PRODUCTION, "VIDEOGEN_EXTRA_MODELS": json.dumps(extra)})

    assert result.returncode != 0
    assert "jobs.E001" in result.stderr and "VIDEOGEN_MODELS entry 'my-model'" in result.stderr, result.stderr


def test_manage_py_check_passes_a_good_extra_model():
    extra = {"short-clips": {"engine": "procedural", "params": {"duration": {"max": 4}}}}

    result = manage("check", env={**PRODUCTION, "VIDEOGEN_EXTRA_MODELS": json.dumps(extra)})

    assert result.returncode == 0, result.stderr
