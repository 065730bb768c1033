"""The account settings page (/settings) and one view per action on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, sessions
from accounts.deletion import user_delete
from accounts.forms import DeleteAccountForm, EmailChangeForm, PasswordChangeForm
from accounts.key_selectors import live_keys_for
from accounts.mail import site_url
from accounts.services import user_change_password
from accounts.two_factor.selectors import recovery_codes_left, two_factor_enabled
from accounts.verification import email_change_request
from videogen.client_ip import client_ip
from videogen.errors import ApplicationError
from videogen.form_errors import add_service_error

API_FIELDS = {"currentPassword": "current_password", "newPassword": "new_password"}


def _page(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    context = {
        "password_form": forms.get("password_form") or PasswordChangeForm(),
        "email_form": forms.get("email_form") or EmailChangeForm(),
        "delete_form": forms.get("delete_form") or DeleteAccountForm(),
        "browser_sessions": selectors.active_browser_sessions(user=request.user),
        "token_families": selectors.active_token_families(user=request.user),
        "current_session_key": request.session.session_key,
        "two_factor_on": two_factor_enabled(request.user),
        "recovery_codes_left": recovery_codes_left(request.user),
        "api_key_count": live_keys_for(request.user).count(),
    }
    return render(request, "accounts/settings.html", context, status=status)


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            user_change_password(
                user=request.user, current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"], ip_address=client_ip(request), keep_request=request,
            )
        except ApplicationError as error:
            add_service_error(form, error, field_names=API_FIELDS)
        else:
            messages.success(request, "Password changed. Every other browser session and API login was signed out; API keys keep working.")
            return redirect("account-settings")
    return _page(request, password_form=form, status=400)


@login_required
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            email_change_request(
                user=request.user, new_email=form.cleaned_data["email"], password=form.cleaned_data["password"],
                ip_address=client_ip(request), base_url=site_url(request),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, f"We sent a link to {form.cleaned_data['email']}: your address changes once you open it."
            )
            return redirect("account-settings")
    return _page(request, email_form=form, status=400)


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    sessions.user_sign_out_everywhere(user=request.user, reason="signed out everywhere", keep_request=request)
    messages.success(request, "Every other browser session and API login was signed out; API keys keep working.")
    return redirect("account-settings")


@login_required
@require_POST
def session_end(request: HttpRequest, session_key: str) -> HttpResponse:
    if not sessions.browser_session_end(user=request.user, session_key=session_key):
        raise Http404("No such session.")
    messages.success(request, "That session was signed out.")
    return redirect("account-settings")


@login_required
@require_POST
def token_family_revoke(request: HttpRequest, family_id: str) -> HttpResponse:
    if not sessions.token_family_revoke(user=request.user, family_id=family_id):
        raise Http404("No such token.")
    messages.success(request, "That API login was signed out: its refresh and access tokens no longer work.")
    return redirect("account-settings")


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST)
    if form.is_valid():
        try:
            user_delete(user=request.user, password=form.cleaned_data["password"], ip_address=client_ip(request))
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            logout(request)
            messages.success(request, "Your account, its jobs, videos, projects and keys were deleted.")
            return redirect("landing")
    return _page(request, delete_form=form, status=400)
