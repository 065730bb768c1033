from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.forms import LoginForm, PasswordResetRequestForm, RegisterForm, SetPasswordForm
from accounts.mail import site_url
from accounts.password_reset import password_reset_confirm, password_reset_request, user_for_reset
from accounts.services import user_authenticate, user_register
from accounts.two_factor.challenge import page_challenge_start
from accounts.two_factor.selectors import two_factor_enabled
from accounts.verification import email_change_confirm, email_verify, verification_mail_resend
from videogen.client_ip import client_ip
from videogen.errors import ApplicationError
from videogen.form_errors import add_service_error

BACKEND = "accounts.backends.ThrottledModelBackend"


def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("jobs:list")
    return render(request, "accounts/landing.html")


def account_register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("jobs:list")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(**form.cleaned_data, ip_address=client_ip(request), base_url=site_url(request))
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            login(request, user, backend=BACKEND)
            return redirect("jobs:list")
    return render(request, "accounts/register.html", {"form": form}, status=400 if form.errors else 200)


def account_login(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or reverse("jobs:list"))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_authenticate(**form.cleaned_data, ip_address=client_ip(request))
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            if two_factor_enabled(user):  # two-factor: the code step logs the session in
                page_challenge_start(request, user=user, next_url=next_url)
                return redirect("two_factor:login")
            login(request, user, backend=BACKEND)
            return redirect(next_url or reverse("jobs:list"))
    context = {"form": form, "next": next_url}
    return render(request, "accounts/login.html", context, status=400 if form.errors else 200)


@require_POST
def account_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("landing")


# --- Password reset ---------------------------------------------------------------------------


def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_request(email=form.cleaned_data["email"], ip_address=client_ip(request),
                                   base_url=site_url(request))
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect("password-reset-sent")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    if user_for_reset(uidb64=uidb64, token=token) is None:
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_confirm(uidb64=uidb64, token=token, password=form.cleaned_data["password"],
                                   ip_address=client_ip(request))
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            if request.user.is_authenticated:
                logout(request)
            messages.success(request, "Your password was changed and every session and API login was signed out "
                                      "(API keys keep working: review them under Settings). "
                                      "Log in with the new password.")
            return redirect("login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=400 if form.errors else 200)


# --- Email verification -------------------------------------------------------------------------


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email_verify(token=token)
    except ApplicationError as error:
        return render(request, "accounts/link_invalid.html", {"message": error.message}, status=400)
    messages.success(request, "Thank you: your email address is verified.")
    return redirect("account-settings" if request.user.is_authenticated else "login")


@login_required
@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    try:
        verification_mail_resend(user=request.user, ip_address=client_ip(request), base_url=site_url(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"We sent a new verification link to {request.user.email}.")
    return redirect(_back(request))


def email_change_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = email_change_confirm(token=token)
    except ApplicationError as error:
        return render(request, "accounts/link_invalid.html", {"message": error.message}, status=400)
    messages.success(request, f"Your email address is now {user.email}.")
    return redirect("account-settings" if request.user.is_authenticated else "login")


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or reverse("account-settings")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return reverse("account-settings")
    return target
