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
    (``jobs.parameters``); ``project`` and ``model`` get their choices per request. Only
    the chosen model's parameters are sent (the page shows only those); ``image_id`` is
    the start image already uploaded (the drop zone), or the view uploads the ``image``
    file the form sent without JavaScript."""

    service_fields = {
        **{param.name: param.attr for param in parameters.PARAMETERS},
        "projectId": "project",
    }
    REQUEST_PARAMETERS = ("prompt", "resolution", "quality", "duration", "maxRetries", "seed")
    MODEL_PARAMETERS = ("imageId", "negativePrompt", "steps", "guidanceScale")

    project = forms.ChoiceField(required=False, help_text=parameters.get("projectId").help)
    model = forms.ChoiceField()
    FIELD_ORDER = ("prompt", "project", "model", "resolution", "quality", "duration", "max_retries", "seed",
                   "negative_prompt", "steps", "guidance_scale", "image_id")

    def __init__(self, *args, projects: list[Project], models: list[ModelEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(contract_fields(*self.REQUEST_PARAMETERS, *self.MODEL_PARAMETERS))
        self.order_fields(self.FIELD_ORDER)
        self.fields["prompt"].widget = forms.Textarea(
            attrs={
                "rows": 5,
                "maxlength": PROMPT_MAX_LENGTH,
                "placeholder": "A paper boat drifting down a neon-lit canal at night, slow dolly shot",
                "data-counter-max": PROMPT_MAX_LENGTH,
            }
        )
        self.fields["negative_prompt"].widget = forms.Textarea(
            attrs={"rows": 2, "maxlength": parameters.NEGATIVE_PROMPT_MAX_LENGTH}
        )
        self.fields["seed"].widget.attrs["placeholder"] = "Random"
        self.fields["image_id"].widget = forms.HiddenInput()
        self.models = models
        self.fields["project"].choices = project_choices(projects, empty_label="No project")
        self.fields["model"].choices = [(model.id, model_choice_label(model)) for model in models]
        self.fields["model"].initial = default_model_id()

    def chosen_model(self) -> ModelEntry | None:
        model_id = self.cleaned_data.get("model") if hasattr(self, "cleaned_data") else None
        return next((model for model in self.models if model.id == model_id), None)

    def job_request(self, *, image_id: str | None = None) -> JobRequest:
        """The request: the form's values, and of the per-model ones only those the chosen
        model takes (the others are hidden on the page). ``image_id`` overrides the form's."""
        data = self.cleaned_data
        values = {name: data.get(parameters.get(name).attr) for name in self.REQUEST_PARAMETERS}
        model = self.chosen_model()
        accepted = model.params if model is not None else {}
        for name in self.MODEL_PARAMETERS:
            value = data.get(parameters.get(name).attr)
            if name in accepted and value not in (None, ""):  # blank: the model's default
                values[name] = value
        if image_id:
            values["imageId"] = image_id
        return JobRequest.from_values(
            {**values, "projectId": data.get("project") or None, "model": data["model"]}
        )
