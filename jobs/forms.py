"""Forms behind the jobs pages: the list filters and the create form.

The create form's fields come from the parameter contract (``jobs.parameters``); the
model's limits and the project's owner are checked by ``jobs.services.job_create``,
whose errors are shown on the matching fields.
"""

from __future__ import annotations

from django import forms

from jobs import parameters
from jobs.catalog import ModelEntry, default_model_id
from jobs.models import PROMPT_MAX_LENGTH, JobStatus
from jobs.services import JobRequest
from projects.models import Project
from videogen.form_errors import ServiceErrorsMixin

SEED_MAX = 2**63 - 1


def project_choices(projects: list[Project], *, empty_label: str) -> list[tuple[str, str]]:
    return [("", empty_label), *((project.id, project.name) for project in projects)]


def model_choice_label(model: ModelEntry) -> str:
    """What the model select shows: the name and the limits a job must respect."""
    first, last = model.resolutions[0], model.resolutions[-1]
    resolutions = first if first == last else f"{first}–{last}"
    return f"{model.label} · {resolutions} · up to {model.max_duration} s"


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *JobStatus.choices])
    project = forms.ChoiceField(required=False, label="Project")

    def __init__(self, *args, projects: list[Project], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = project_choices(projects, empty_label="All projects")

    def filters(self) -> dict:
        """The filters to apply: only the valid ones (a bad value filters nothing)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "status": cleaned.get("status") or None,
            "project_id": cleaned.get("project") or None,
        }


def contract_fields(*names: str) -> dict[str, forms.Field]:
    """Form fields for contract parameters (API names), keyed by their form names."""
    return {parameters.get(name).attr: parameters.get(name).form_field() for name in names}


class JobCreateForm(ServiceErrorsMixin, forms.Form):
    """The page's create form. Its request fields are derived from the parameter contract
    (``jobs.parameters``); ``project`` and ``model`` get their choices per request, and
    ``seed`` is the page's way of setting ``metadata.seed``."""

    service_fields = {
        **{param.name: param.attr for param in parameters.PARAMETERS},
        "projectId": "project",
        "metadata": "seed",
    }
    REQUEST_PARAMETERS = ("prompt", "resolution", "quality", "duration", "maxRetries")

    project = forms.ChoiceField(required=False, help_text=parameters.get("projectId").help)
    model = forms.ChoiceField()
    seed = forms.IntegerField(
        required=False, label="Seed", min_value=0, max_value=SEED_MAX,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric", "placeholder": "Random"}),
        help_text="The same prompt and seed render the same video; empty picks one.",
    )
    FIELD_ORDER = ("prompt", "project", "model", "resolution", "quality", "duration", "max_retries", "seed")

    def __init__(self, *args, projects: list[Project], models: list[ModelEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(contract_fields(*self.REQUEST_PARAMETERS))
        self.order_fields(self.FIELD_ORDER)
        self.fields["prompt"].widget = forms.Textarea(
            attrs={
                "rows": 5,
                "maxlength": PROMPT_MAX_LENGTH,
                "placeholder": "A paper boat drifting down a neon-lit canal at night, slow dolly shot",
                "data-counter-max": PROMPT_MAX_LENGTH,
            }
        )
        self.models = models
        self.fields["project"].choices = project_choices(projects, empty_label="No project")
        self.fields["model"].choices = [(model.id, model_choice_label(model)) for model in models]
        self.fields["model"].initial = default_model_id()

    def job_request(self) -> JobRequest:
        data = self.cleaned_data
        seed = data.get("seed")
        values = {name: data.get(parameters.get(name).attr) for name in self.REQUEST_PARAMETERS}
        return JobRequest.from_values(
            {
                **values,
                "projectId": data.get("project") or None,
                "model": data["model"],
                "metadata": {"seed": seed} if seed is not None else None,
            }
        )
