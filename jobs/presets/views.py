"""The presets pages: the list (use, delete) and saving a job's parameters as a preset."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jobs import selectors as job_selectors
from jobs.presets import selectors, services
from jobs.presets.forms import PresetNameForm
from videogen.errors import ApplicationError
from videogen.pages import access_errors_as_pages, login_required_page


@login_required_page
@require_GET
def preset_list(request: HttpRequest) -> HttpResponse:
    presets, total = selectors.preset_list(user=request.user, take=500)
    return render(request, "jobs/presets/list.html", {"presets": presets, "total": total})


@login_required_page
@require_POST
@access_errors_as_pages
def preset_save_from_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = job_selectors.get_job_for_user(user=request.user, job_id=job_id)
    form = PresetNameForm(request.POST)
    if form.is_valid():
        try:
            preset = services.preset_create_from_job(user=request.user, name=form.cleaned_data["name"], job=job)
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved as the preset “{preset.name}”.")
            return redirect("jobs:presets")
    messages.warning(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("jobs:detail", job_id=job.id)


@login_required_page
@require_POST
@access_errors_as_pages
def preset_delete(request: HttpRequest, preset_id: str) -> HttpResponse:
    preset = selectors.get_preset_for_user(user=request.user, preset_id=preset_id)
    services.preset_delete(preset=preset)
    messages.success(request, f"Preset “{preset.name}” deleted.")
    return redirect(reverse("jobs:presets"))
