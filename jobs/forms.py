"""Forms behind the jobs pages: the list filters and the create form.

The create form checks only types and presence; the values (ranges, the model's
limits, the project's owner) are checked by ``jobs.services.job_create``, whose
errors are shown on the matching fields.
"""

from __future__ import annotations

from django import forms

from jobs.catalog import ModelEntry, default_model_id
from jobs.generation.base import QUALITIES, RESOLUTIONS
from jobs.models import PROMPT_MAX_LENGTH, JobStatus
from jobs.services import MAX_DURATION, MAX_RETRIES_LIMIT, JobRequest
from projects.models import Project
from videogen.pages import ServiceErrorsMixin

RESOLUTION_LABELS = {name: f"{name} ({width}×{height})" for name, (width, height) in RESOLUTIONS.items()}
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


class JobCreateForm(ServiceErrorsMixin, forms.Form):
    service_fields = {
        "prompt": "prompt",
        "projectId": "project",
        "model": "model",
        "resolution": "resolution",
        "quality": "quality",
        "duration": "duration",
        "maxRetries": "max_retries",
        "metadata": "seed",
    }

    prompt = forms.CharField(
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "maxlength": PROMPT_MAX_LENGTH,
                "placeholder": "A paper boat drifting down a neon-lit canal at night, slow dolly shot",
                "data-counter-max": PROMPT_MAX_LENGTH,
            }
        ),
        help_text=f"Describe the scene, the motion and the mood. Up to {PROMPT_MAX_LENGTH} characters.",
    )
    project = forms.ChoiceField(required=False, help_text="Keep related jobs together.")
    model = forms.ChoiceField()
    resolution = forms.ChoiceField(choices=list(RESOLUTION_LABELS.items()), initial="1080p")
    quality = forms.ChoiceField(choices=[(q, q.capitalize()) for q in QUALITIES], initial="high")
    duration = forms.IntegerField(
        label="Duration (seconds)", initial=5,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_DURATION, "step": 1, "inputmode": "numeric"}),
        help_text=f"1 to {MAX_DURATION} seconds, within the model's limit.",
    )
    max_retries = forms.IntegerField(
        label="Max retries", initial=3,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_RETRIES_LIMIT, "step": 1, "inputmode": "numeric"}),
        help_text=f"Automatic retries after a failed attempt (0 to {MAX_RETRIES_LIMIT}).",
    )
    seed = forms.IntegerField(
        required=False, label="Seed", min_value=0, max_value=SEED_MAX,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric", "placeholder": "Random"}),
        help_text="The same prompt and seed render the same video; empty picks one.",
    )

    def __init__(self, *args, projects: list[Project], models: list[ModelEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.models = models
        self.fields["project"].choices = project_choices(projects, empty_label="No project")
        self.fields["model"].choices = [(model.id, model_choice_label(model)) for model in models]
        self.fields["model"].initial = default_model_id()

    def job_request(self) -> JobRequest:
        data = self.cleaned_data
        seed = data.get("seed")
        return JobRequest(
            prompt=data["prompt"],
            project_id=data.get("project") or None,
            model=data["model"],
            resolution=data["resolution"],
            quality=data["quality"],
            duration=data["duration"],
            metadata={"seed": seed} if seed is not None else None,
            max_retries=data["max_retries"],
        )
