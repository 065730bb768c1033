"""The operator rule VIDEOGEN_REQUIRE_2FA_FOR_STAFF: the admin opens only to verified staff."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.two_factor.selectors import two_factor_enabled


class StaffTwoFactorMiddleware:
    """Staff reaching the admin (RQ dashboard included) with the rule on:

    - no authenticator yet: sent to the two-factor settings to set one up;
    - an authenticator, but this session never gave a code (it began before the rule or
      the device): signed out and sent to the admin login, which asks for password and code.

    Must come after django_otp's OTPMiddleware (it reads ``user.is_verified()``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.VIDEOGEN_REQUIRE_2FA_FOR_STAFF and self._guards(request.path):
            user = request.user
            if user.is_authenticated and user.is_staff and not user.is_verified():
                if not two_factor_enabled(user):
                    query = urlencode({"required": "staff"})
                    return redirect(f"{reverse('two_factor:settings')}?{query}")
                logout(request)
                return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.path})}")
        return self.get_response(request)

    @staticmethod
    def _guards(path: str) -> bool:
        admin = reverse("admin:index")
        return path.startswith(admin) and path not in (reverse("admin:login"), reverse("admin:logout"))
