"""Django's authentication backend, with every password check under the one limiter.

Anything that calls `django.contrib.auth.authenticate()` (the admin login, a
management command, a test client's `login()`) checks the password through
`accounts.services.user_authenticate`, so it is throttled like the API and the pages.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from videogen.client_ip import client_ip
from videogen.errors import NotAuthenticated, TooManyRequests


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from accounts.services import user_authenticate

        email = username if username is not None else kwargs.get("email")
        if not isinstance(email, str) or not isinstance(password, str):
            return None
        ip_address = client_ip(request) if request is not None else None
        try:
            return user_authenticate(email=email, password=password, ip_address=ip_address)
        except TooManyRequests:
            raise PermissionDenied from None  # authenticate() answers None and tries no other backend
        except NotAuthenticated:
            return None
