"""The RQ dashboard (django-rq, staff only) answers junk with 4xx, not 500.

- A queue or connection that does not exist, and rq-scheduler's page, are a 404: django-rq indexes its lists with
  the number in the URL and lets the IndexError through. These routes come first and
  match only numbers past the end of those lists (the converter refuses the others, so
  django-rq's own routes take them).
- Its two bulk-action views take job ids from the form unchecked: an id that is no job
  id (rq raises ValueError) is a 400.

Both cover the dashboard under /admin/rq/ and under the admin's django_rq app.
"""

from __future__ import annotations

import functools

from django.http import Http404
from django.urls import path, register_converter
from django_rq import views as rq_views
from django_rq.connection_utils import get_unique_connection_configs
from django_rq.queues import get_queues_list

from videogen.error_views import bad_request


class _PastTheEnd:
    regex = "[0-9]+"

    def count(self) -> int:
        raise NotImplementedError

    def to_python(self, value: str) -> int:
        if int(value) < self.count():
            raise ValueError("a real index: django-rq's own route takes it")
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class UnknownQueueIndex(_PastTheEnd):
    def count(self) -> int:
        return len(get_queues_list())


class UnknownConnectionIndex(_PastTheEnd):
    def count(self) -> int:
        return len(get_unique_connection_configs())


register_converter(UnknownQueueIndex, "rq_unknown_queue")
register_converter(UnknownConnectionIndex, "rq_unknown_connection")

_ROUTES = (
    "queues/<rq_unknown_queue:index>/", "queues/<rq_unknown_queue:index>/<path:rest>",
    "queues/confirm-action/<rq_unknown_queue:index>/", "queues/actions/<rq_unknown_queue:index>/",
    "workers/<rq_unknown_queue:index>/", "workers/<rq_unknown_queue:index>/<path:rest>",
    "cron-schedulers/<rq_unknown_connection:index>/<path:rest>",
    # The page of rq-scheduler's schedulers: that package is not used (RQ's own scheduler
    # runs in the workers), and django-rq raises ImproperlyConfigured without it.
    "schedulers/<int:index>/",
)


def no_such_queue(request, **kwargs):
    raise Http404("No such queue.")


def _junk_ids_are_bad_requests(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (KeyError, ValueError):
            return bad_request(request)

    return wrapper


_BULK_ACTIONS = {
    "queues/confirm-action/<int:queue_index>/": _junk_ids_are_bad_requests(rq_views.confirm_action),
    "queues/actions/<int:queue_index>/": _junk_ids_are_bad_requests(rq_views.actions),
}


def guarded_patterns(*prefixes: str) -> list:
    """Routes to list before django-rq's own, once per prefix the dashboard is served under."""
    unknown = [path(f"{prefix}{route}", no_such_queue) for prefix in prefixes for route in _ROUTES]
    bulk = [path(f"{prefix}{route}", view) for prefix in prefixes for route, view in _BULK_ACTIONS.items()]
    return unknown + bulk
