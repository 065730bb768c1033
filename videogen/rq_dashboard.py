"""The RQ dashboard (django-rq, staff only) answers junk with 4xx, not 500.

django-rq's views index their lists with the number in the URL, fetch jobs by the id in
the URL or form, and let what goes wrong through (IndexError, rq's NoSuchJobError,
KeyError for a missing form field, ValueError for an id that is no job id,
ImproperlyConfigured for rq-scheduler's page, a package not used here). Its routes are
served here with each view wrapped: a missing queue, job or worker is a 404, junk in the
form a 400. The same routes shadow the copy the admin registers for its django_rq app,
whose table-less "dashboard" model's add / change / delete / history pages are a 404.
"""

from __future__ import annotations

import functools

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.urls import include, path, re_path
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns
from rq.exceptions import NoSuchJobError

from videogen.error_views import bad_request


def _errors_as_4xx(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (IndexError, NoSuchJobError, ImproperlyConfigured):
            raise Http404("No such queue, job or worker.") from None
        except (KeyError, ValueError):
            return bad_request(request)

    return wrapper


def dashboard_patterns() -> list:
    """/admin/rq/ (namespace django_rq, as include("django_rq.urls") had it), and the
    admin's own dashboard URLs, each view wrapped."""
    guarded = get_admin_urlpatterns(view_wrapper=_errors_as_4xx)
    shadow = get_admin_urlpatterns(name_prefix="guarded_", view_wrapper=_errors_as_4xx)
    return [
        path("admin/rq/", include((get_api_urlpatterns() + guarded, "django_rq"))),
        path("admin/django_rq/dashboard/", include((shadow, "django_rq_guarded"))),
        re_path(r"^admin/django_rq/dashboard/.", _no_such_page),
    ]


def _no_such_page(request, **kwargs):
    raise Http404("No such page.")
