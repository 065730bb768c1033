"""Content-Security-Policy: pages load scripts, styles, fonts and frames from this site
only; images and media also from the object storage when videos are served from there.

Django 5.2 has no CSP support of its own; this sets one header on every response that
does not set its own. django-rq's dashboard pages (staff only) carry inline scripts of
their own and get 'unsafe-inline' for scripts; nothing else does.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

INLINE_SCRIPT_PATHS = ("/admin/rq/",)


def storage_origins() -> list[str]:
    """Where presigned video and thumbnail URLs point, when media lives in S3."""
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return []
    endpoint = settings.STORAGES["default"].get("OPTIONS", {}).get("endpoint_url")
    if endpoint:
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]
    return ["https://*.amazonaws.com"]


def policy(*, inline_scripts: bool) -> str:
    media = " ".join(["'self'", *storage_origins()])
    directives = {
        "default-src": "'self'",
        "script-src": "'self' 'unsafe-inline'" if inline_scripts else "'self'",
        "style-src": "'self'",
        # blob: the create page's drop zone shows the chosen file before it is uploaded.
        "img-src": f"{media} data: blob:",
        "media-src": media,
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.strict = policy(inline_scripts=False)
        self.relaxed = policy(inline_scripts=True)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(INLINE_SCRIPT_PATHS)
            response["Content-Security-Policy"] = self.relaxed if relaxed else self.strict
        return response
