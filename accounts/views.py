from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.forms import LoginForm, RegisterForm
from accounts.services import user_authenticate, user_register
from videogen.client_ip import client_ip
from videogen.errors import ApplicationError
from videogen.form_errors import add_service_error

BACKEND = "django.contrib.auth.backends.ModelBackend"


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
            user = user_register(**form.cleaned_data, ip_address=client_ip(request))
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
            login(request, user, backend=BACKEND)
            return redirect(next_url or reverse("jobs:list"))
    context = {"form": form, "next": next_url}
    return render(request, "accounts/login.html", context, status=400 if form.errors else 200)


@require_POST
def account_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("landing")
