"""Settings pages for webhooks: the endpoint list (with the create form and the
default secret), an endpoint's page (edit, secret, rotate, test, attempt log,
redeliver) and delete. Endpoints load through ``get_endpoint_for_user``; every
write goes through ``jobs.webhooks.services``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from videogen.pagination import page_number
from jobs.webhooks import selectors, services
from jobs.webhooks.forms import EndpointForm, RedeliverForm
from videogen.errors import ApplicationError, InvalidInput, NotFound
from videogen.pages import access_errors_as_pages, login_required_page

ATTEMPTS_PER_PAGE = 25


def _fields(form: EndpointForm) -> services.EndpointFields:
    data = form.cleaned_data
    return services.EndpointFields(url=data["url"], description=data["description"], events=data["events"],
                                   enabled=data["enabled"])


@login_required_page
@require_http_methods(["GET", "POST"])
def endpoint_list(request: HttpRequest) -> HttpResponse:
    """GET lists the user's endpoints; POST adds one from the form on the same page."""
    form = EndpointForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                endpoint = services.endpoint_create(user=request.user, fields=_fields(form))
            except InvalidInput as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Webhook endpoint added. Its signing secret is below.")
                return redirect("webhooks:detail", endpoint_id=endpoint.id)
    endpoints, total = selectors.endpoint_list(user=request.user, take=services.MAX_ENDPOINTS_PER_USER)
    job_attempts, job_attempts_total = selectors.job_webhook_attempts(user=request.user, take=ATTEMPTS_PER_PAGE)
    context = {"form": form, "endpoints": endpoints, "total": total,
               "default_secret": services.user_secret_get(user=request.user),
               "job_attempts": job_attempts, "job_attempts_total": job_attempts_total}
    return render(request, "webhooks/list.html", context, status=status)


@login_required_page
@require_http_methods(["GET", "POST"])
@access_errors_as_pages
def endpoint_detail(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """GET shows the endpoint and its attempts; POST saves the edit form."""
    endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
    initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events,
               "enabled": endpoint.enabled}
    form = EndpointForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.endpoint_update(endpoint=endpoint, fields=_fields(form))
            except InvalidInput as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Webhook endpoint saved.")
                return redirect("webhooks:detail", endpoint_id=endpoint.id)
    page = page_number(request)
    attempts, total = selectors.attempt_list(endpoint=endpoint, skip=(page - 1) * ATTEMPTS_PER_PAGE,
                                             take=ATTEMPTS_PER_PAGE)
    pages = max(1, -(-total // ATTEMPTS_PER_PAGE))
    context = {"endpoint": endpoint, "form": form, "attempts": attempts, "total": total, "page": page,
               "pages": pages, "page_range": range(1, pages + 1)}
    return render(request, "webhooks/detail.html", context, status=status)


@login_required_page
@require_POST
@access_errors_as_pages
def endpoint_rotate(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
    services.endpoint_rotate_secret(endpoint=endpoint)
    messages.success(request, "New secret created. The previous one keeps signing beside it for 24 hours.")
    return redirect("webhooks:detail", endpoint_id=endpoint.id)


@login_required_page
@require_POST
@access_errors_as_pages
def endpoint_test(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
    services.endpoint_send_test(endpoint=endpoint)
    messages.success(request, "Test event sent. Its attempt shows below in a moment.")
    return redirect("webhooks:detail", endpoint_id=endpoint.id)


@login_required_page
@require_POST
@access_errors_as_pages
def endpoint_redeliver(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
    form = RedeliverForm(request.POST)
    try:
        if not form.is_valid():
            raise NotFound("Event not found.")
        message = selectors.get_message_for_endpoint(endpoint=endpoint, message_id=form.cleaned_data["event_id"])
        services.message_redeliver(endpoint=endpoint, message=message)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Event {message.id} queued for redelivery.")
    return redirect("webhooks:detail", endpoint_id=endpoint.id)


@login_required_page
@require_POST
@access_errors_as_pages
def endpoint_delete(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = selectors.get_endpoint_for_user(user=request.user, endpoint_id=endpoint_id)
    services.endpoint_delete(endpoint=endpoint)
    messages.success(request, "Webhook endpoint deleted.")
    return redirect("webhooks:list")


@login_required_page
@require_POST
def default_secret_rotate(request: HttpRequest) -> HttpResponse:
    services.user_secret_rotate(user=request.user)
    messages.success(request, "New default secret created. The previous one keeps signing beside it for 24 hours.")
    return redirect("webhooks:list")
