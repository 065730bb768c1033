"""The projects pages: list and create, a project's own page with its jobs, edit, delete.

Projects load through ``get_project_for_user`` (404 missing, 403 another user's);
every write goes through ``projects.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from jobs.selectors import job_page
from projects import services
from projects.forms import ProjectForm
from projects import selectors
from videogen.errors import InvalidInput
from videogen.pagination import page_count, page_number, pager
from videogen.pages import (
    access_errors_as_pages,
    current_page_path,
    login_required_page,
    render_page_or_fragment,
    safe_next_url,
)

PROJECTS_PER_PAGE = 20


@login_required_page
@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    """GET lists the user's projects; POST creates one from the form on the same page."""
    form = ProjectForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                project = services.project_create(
                    user=request.user, name=form.cleaned_data["name"], description=form.cleaned_data["description"]
                )
            except InvalidInput as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"Project “{project.name}” created.")
                return redirect("projects:detail", project_id=project.id)
    page = page_number(request)
    projects, total = selectors.project_list(user=request.user, skip=(page - 1) * PROJECTS_PER_PAGE, take=PROJECTS_PER_PAGE)
    pages = page_count(total, PROJECTS_PER_PAGE)
    context = {"form": form, "projects": projects, **pager(page=page, pages=pages, total=total)}
    return render(request, "projects/list.html", context, status=status)


@login_required_page
@require_GET
@access_errors_as_pages
def project_detail(request: HttpRequest, project_id: str) -> HttpResponse:
    project = selectors.get_project_for_user(user=request.user, project_id=project_id)
    context = {
        "project": project,
        "next_url": current_page_path(request),
        **job_page(user=request.user, page=page_number(request), project_id=project.id),
    }
    return render_page_or_fragment(
        request, page="projects/detail.html", fragment="jobs/_job_list.html", context=context
    )


@login_required_page
@require_http_methods(["GET", "POST"])
@access_errors_as_pages
def project_edit(request: HttpRequest, project_id: str) -> HttpResponse:
    project = selectors.get_project_for_user(user=request.user, project_id=project_id)
    initial = {"name": project.name, "description": project.description}
    form = ProjectForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.project_update(
                    project=project, name=form.cleaned_data["name"], description=form.cleaned_data["description"]
                )
            except InvalidInput as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Project saved.")
                return redirect("projects:detail", project_id=project.id)
    return render(request, "projects/edit.html", {"form": form, "project": project}, status=status)


@login_required_page
@require_http_methods(["GET", "POST"])
@access_errors_as_pages
def project_delete(request: HttpRequest, project_id: str) -> HttpResponse:
    """GET asks for confirmation (the no-JavaScript path); POST deletes, keeping the jobs."""
    project = selectors.get_project_for_user(user=request.user, project_id=project_id)
    detail_url = reverse("projects:detail", args=[project.id])
    edit_url = reverse("projects:edit", args=[project.id])
    if request.method == "GET":
        next_url = safe_next_url(request, reverse("projects:list"), refuse=[detail_url])
        return render(request, "projects/confirm_delete.html", {"project": project, "next_url": next_url})
    name = project.name
    services.project_delete(project=project)
    messages.success(request, f"Project “{name}” deleted. Its jobs were kept.")
    back_to = safe_next_url(request, reverse("projects:list"), refuse=[detail_url, edit_url])
    if request.htmx:  # a confirmed hx-post: load the next page whole, with the flash
        return HttpResponseClientRedirect(back_to)
    return redirect(back_to)
