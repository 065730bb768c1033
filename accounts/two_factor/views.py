"""Two-factor pages: the login's code step, the settings section, the admin's way in."""

from __future__ import annotations

from base64 import b32encode

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

import django_otp
from accounts.two_factor import challenge, services
from accounts.two_factor.forms import CodeForm, ConfirmForm, DisableForm, RegenerateForm
from accounts.two_factor.qr import qr_svg
from accounts.two_factor.selectors import recovery_codes_left, totp_device_pending, two_factor_enabled
from accounts.views import BACKEND
from videogen.client_ip import client_ip
from videogen.errors import ApplicationError


def login_step(request: HttpRequest) -> HttpResponse:
    """After the password: the code. Only an accepted code logs the session in."""
    pending = challenge.page_challenge_user(request)
    if pending is None:
        challenge.page_challenge_end(request)
        if request.user.is_authenticated:
            return redirect("jobs:list")
        return redirect("login")
    user, next_url = pending
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=user, code=form.cleaned_data["code"], ip_address=client_ip(request))
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            challenge.page_challenge_end(request)
            login(request, user, backend=BACKEND)
            django_otp.login(request, device)  # marks the session verified (user.is_verified())
            return redirect(next_url or reverse("jobs:list"))
    return render(request, "accounts/two_factor/login.html", {"form": form}, status=400 if form.errors else 200)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the site's login, so it gets the same throttle and code step."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if not request.user.is_staff:
            raise PermissionDenied("This account has no access to the administration.")
        return redirect(next_url)
    return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")


def _settings_page(request, *, disable_form=None, regenerate_form=None, status=200) -> HttpResponse:
    context = {
        "enabled": two_factor_enabled(request.user),
        "codes_left": recovery_codes_left(request.user),
        "disable_form": disable_form or DisableForm(),
        "regenerate_form": regenerate_form or RegenerateForm(),
        "staff_required": request.GET.get("required") == "staff",
    }
    return render(request, "accounts/two_factor/settings.html", context, status=status)


def _recovery_codes_page(request, codes: list[str], *, first_time: bool) -> HttpResponse:
    # Rendered in the POST's answer, never stored: the codes are shown this once.
    response = render(request, "accounts/two_factor/recovery_codes.html", {"codes": codes, "first_time": first_time})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """POST starts a setup (a new secret); GET shows its QR code, its secret and the confirm form."""
    if two_factor_enabled(request.user):
        return redirect("two_factor:settings")
    if request.method == "POST":
        services.totp_device_start(user=request.user)
        return redirect("two_factor:setup")
    device = totp_device_pending(request.user)
    if device is None:
        return redirect("two_factor:settings")
    return _setup_page(request, device, ConfirmForm())


def _setup_page(request, device, form, status=200) -> HttpResponse:
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": secret,
        "secret_groups": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    }
    response = render(request, "accounts/two_factor/setup.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    device = totp_device_pending(request.user)
    if device is None:
        return redirect("two_factor:settings")
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            codes = services.totp_device_confirm(
                user=request.user, code=form.cleaned_data["code"], ip_address=client_ip(request)
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            device.refresh_from_db()
            django_otp.login(request, device)  # this session has just proved the new factor
            return _recovery_codes_page(request, codes, first_time=True)
    return _setup_page(request, device, form, status=400)


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    form = DisableForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_disable(
                user=request.user, password=form.cleaned_data["password"], code=form.cleaned_data["code"],
                ip_address=client_ip(request),
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            return redirect("two_factor:settings")
    return _settings_page(request, disable_form=form, status=400)


@login_required
@require_POST
def regenerate(request: HttpRequest) -> HttpResponse:
    form = RegenerateForm(request.POST)
    if form.is_valid():
        try:
            codes = services.recovery_codes_regenerate(
                user=request.user, password=form.cleaned_data["password"], ip_address=client_ip(request)
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            return _recovery_codes_page(request, codes, first_time=False)
    return _settings_page(request, regenerate_form=form, status=400)
