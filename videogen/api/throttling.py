"""Request-rate limits for the API (DRF throttles), one bucket per caller.

A caller is an API key when the request carries one (each key has its own bucket,
limited as a signed-in user is), else the signed-in user, else the client address.
The rate is ``settings.API_THROTTLE_RATE`` (e.g. "600/minute"); None means no limit.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from videogen.client_ip import client_ip


class PerKeyOrUserThrottle(SimpleRateThrottle):
    scope = "user"

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str:
        key_ident = getattr(request.auth, "throttle_ident", None)
        if key_ident:
            ident = key_ident
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
