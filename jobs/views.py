"""The jobs pages: list, create, detail, and the cancel / retry / delete actions.

Each view loads through an ownership-checked selector, calls one service and renders.
HTMX requests get a fragment of the same page (the list, a card, the detail panel);
plain form posts are redirected back, so everything also works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from jobs import selectors, services
from jobs.catalog import all_models
from jobs.forms import JobCreateForm, JobFilterForm
from jobs.models import Job
from jobs.presentation import result_for
from jobs.presets.forms import PresetNameForm
from jobs.presets.prefill import prefill_for
from jobs.uploads.selectors import find_upload_for_user
from jobs.uploads.services import upload_create
from projects.models import Project
from projects.selectors import project_list
from videogen.errors import ApplicationError, InvalidInput, TooManyRequests
from videogen.pagination import page_number
from videogen.pages import (
    access_errors_as_pages,
    current_page_path,
    login_required_page,
    render_page_or_fragment,
    safe_next_url,
)

PROJECT_CHOICES_LIMIT = 500
DETAIL_TARGET = "job-detail"
# Sent with every action's answer: the live job list (and the stats) refresh themselves.
JOBS_CHANGED_EVENT = "jobs-changed"


def own_projects(user) -> list[Project]:
    """The user's projects for a select menu, newest first."""
    projects, _ = project_list(user=user, skip=0, take=PROJECT_CHOICES_LIMIT)
    return projects


@login_required_page
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    projects = own_projects(request.user)
    form = JobFilterForm(request.GET, projects=projects)
    status = 200 if form.is_valid() else 400
    context = {
        "filter_form": form,
        "filtered": any(form.filters().values()),
        "stats": selectors.job_stats(user=request.user),
        "next_url": current_page_path(request),
        **selectors.job_page(user=request.user, page=page_number(request), **form.filters()),
    }
    return render_page_or_fragment(
        request, page="jobs/list.html", fragment="jobs/_job_list_update.html", context=context, status=status
    )


@login_required_page
@require_http_methods(["GET", "POST"])
def job_create(request: HttpRequest) -> HttpResponse:
    projects = own_projects(request.user)
    preselected = request.GET.get("project", "")
    prefill = prefill_for(user=request.user, query=request.GET)
    initial = {**prefill.initial, **({"project": preselected} if any(p.id == preselected for p in projects) else {})}
    form = JobCreateForm(request.POST or None, initial=initial, projects=projects, models=all_models())
    status, image_errors, image_id = 200, [], None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                # Without JavaScript the image comes with the form; it is uploaded first.
                sent = request.FILES.get("image")
                image_id = upload_create(user=request.user, data=sent.read()).id if sent else None
                job, _ = services.job_create(user=request.user, request=form.job_request(image_id=image_id))
            except ApplicationError as error:
                image_errors = error.details.get("file", [])
                form.add_service_error(error)
                status = 429 if isinstance(error, TooManyRequests) else 400
            else:
                messages.success(request, f"Job queued: “{job.prompt[:60]}”.")
                return redirect("jobs:list")
    context = {"form": form, "models": all_models(), "projects": projects, "prefill": prefill,
               "image_errors": image_errors, **start_image_context(request, image_id or form["image_id"].value())}
    return render(request, "jobs/create.html", context, status=status)


def start_image_context(request: HttpRequest, image_id: str | None) -> dict:
    """The drop zone's image: the one the form carries (or just uploaded), when it is the user's."""
    upload = find_upload_for_user(user=request.user, upload_id=image_id or "")
    if upload is None:
        return {"image_id": ""}
    return {"image_id": upload.id, "image_url": reverse("api-upload-content", args=[upload.id])}


@login_required_page
@require_GET
@access_errors_as_pages
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = selectors.job_for_display(selectors.get_job_for_user(user=request.user, job_id=job_id))
    return render_page_or_fragment(
        request, page="jobs/detail.html", fragment="jobs/_detail.html", context=detail_context(request, job)
    )


def detail_context(request: HttpRequest, job: Job) -> dict:
    return {"job": job, "result": result_for(job), "next_url": reverse("jobs:detail", args=[job.id]),
            "preset_form": PresetNameForm()}


def after_action(request: HttpRequest, job: Job) -> HttpResponse:
    """Answer a cancel or retry: the updated card (or detail panel) for HTMX, else a redirect."""
    if not request.htmx:
        return redirect(safe_next_url(request, reverse("jobs:list")))
    job = selectors.job_for_display(job)
    if request.htmx.target == DETAIL_TARGET:
        html = render_to_string("jobs/_detail.html", detail_context(request, job), request=request)
    else:
        context = {"job": job, "next_url": current_page_path(request)}
        html = render_to_string("jobs/_job_card.html", context, request=request)
    html += render_to_string("_messages.html", {"oob": True}, request=request)
    return HttpResponse(html, headers={"HX-Trigger": JOBS_CHANGED_EVENT})


@login_required_page
@require_POST
@access_errors_as_pages
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    return _job_action(request, job_id, services.job_cancel, done="Job cancelled.")


@login_required_page
@require_POST
@access_errors_as_pages
def job_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    return _job_action(request, job_id, services.job_retry, done="Job queued again.")


def _job_action(request: HttpRequest, job_id: str, action, *, done: str) -> HttpResponse:
    """Load the caller's job, apply one state-machine service, flash the outcome."""
    job = selectors.get_job_for_user(user=request.user, job_id=job_id)
    try:
        job = action(job=job)
    except (InvalidInput, TooManyRequests) as error:  # wrong state; a retry over the active cap
        messages.warning(request, error.message)
    else:
        messages.success(request, done)
    return after_action(request, job)


@login_required_page
@require_http_methods(["GET", "POST"])
@access_errors_as_pages
def job_delete(request: HttpRequest, job_id: str) -> HttpResponse:
    """GET asks for confirmation (the no-JavaScript path); POST deletes."""
    job = selectors.get_job_for_user(user=request.user, job_id=job_id)
    detail_url = reverse("jobs:detail", args=[job.id])
    if request.method == "GET":
        next_url = safe_next_url(request, reverse("jobs:list"))
        return render(request, "jobs/confirm_delete.html", {"job": job, "next_url": next_url})
    services.job_delete(job=job)
    messages.success(request, "Job deleted.")
    back_to = safe_next_url(request, reverse("jobs:list"), refuse=[detail_url])
    if not request.htmx:
        return redirect(back_to)
    if request.htmx.target == DETAIL_TARGET:
        return HttpResponseClientRedirect(reverse("jobs:list"))
    html = render_to_string("_messages.html", {"oob": True}, request=request)
    return HttpResponse(html, headers={"HX-Trigger": JOBS_CHANGED_EVENT})

