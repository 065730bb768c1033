"""Settings → API keys: list, create, revoke. Every write goes through
``accounts.key_services``.

A new key is shown once: the create redirects (so a reload cannot post again) and the
key waits in the session for that one page view, which takes it out.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.key_forms import ApiKeyForm
from accounts.key_selectors import get_api_key_for_user, live_keys_for
from accounts.key_services import api_key_create, api_key_revoke
from videogen.errors import InvalidInput
from videogen.pages import access_errors_as_pages, login_required_page

NEW_KEY_SESSION_SLOT = "new_api_key"


@never_cache  # the answer to a create holds the key: no cache may keep it
@login_required_page
@require_http_methods(["GET", "POST"])
def api_keys_page(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = api_key_create(
                    user=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"],
                    expires_at=form.expires_at(),
                )
            except InvalidInput as error:
                form.add_service_error(error)
            else:
                request.session[NEW_KEY_SESSION_SLOT] = {"name": created.api_key.name, "key": created.key}
                return redirect("settings-keys")
    created = request.session.pop(NEW_KEY_SESSION_SLOT, None) if request.method == "GET" else None
    context = {"form": form, "created": created, "keys": list(live_keys_for(request.user)), "now": timezone.now()}
    return render(request, "accounts/settings_keys.html", context, status=status)


@login_required_page
@require_POST
@access_errors_as_pages
def api_key_revoke_page(request: HttpRequest, key_id: str) -> HttpResponse:
    api_key = api_key_revoke(api_key=get_api_key_for_user(user=request.user, key_id=key_id))
    messages.success(request, f"API key “{api_key.name}” revoked.")
    return redirect("settings-keys")
