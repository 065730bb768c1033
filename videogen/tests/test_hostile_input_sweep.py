"""Every route answers hostile input with something other than a 5xx.

The routes come from the URL resolver itself, so a route added anywhere is swept with
no change here. Each is requested with real ids of rows that exist (whatever models
hold them) and with hostile ids, query strings, headers and bodies: NUL bytes,
malformed and overlong values, odd encodings, bad HTMX headers, junk bodies. Pages go
out anonymous and signed in, the API anonymous and with a token, the admin as staff.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.tokens import token_pair_issue

OVERLONG = "x" * 5000
HOSTILE_VALUES = ["a%00b", OVERLONG, "%ff%fe%E2%80%A8", "..%2F..%2Fetc", "-99999999999999999999999"]
HOSTILE_QUERY_KEYS = [
    "status", "projectId", "skip", "take", "page", "q", "next", "o", "p", "term", "app_label", "model_name",
    "field_name", "status__exact", "user__id__exact", "_changelist_filters", "_popup", "_to_field", "e", "id__in",
]
HOSTILE_HEADERS = {
    "HTTP_HX_REQUEST": "true",
    "HTTP_HX_CURRENT_URL": "http://[",
    "HTTP_HX_TARGET": "\x00" + "t" * 300,
    "HTTP_HX_TRIGGER": "%00",
    "HTTP_HX_TRIGGER_NAME": "\x00",
    "HTTP_HX_HISTORY_RESTORE_REQUEST": "true",
    "HTTP_HX_BOOSTED": "\x00",
    "HTTP_X_REQUEST_ID": "\x00" + OVERLONG,
    "HTTP_IDEMPOTENCY_KEY": "\x00" + OVERLONG,
    "HTTP_RANGE": "bytes=9-3,-0,x-",
    "HTTP_IF_NONE_MATCH": "\x00",
    "HTTP_IF_MODIFIED_SINCE": "Mon, 99 Foo 0000",
    "HTTP_ACCEPT": "\x00/\x00",
    "HTTP_ACCEPT_LANGUAGE": "\x00;q=x," + OVERLONG,
    "HTTP_X_FORWARDED_FOR": "\x00, [, 999.1.1.1",
    "HTTP_REFERER": "http://[",
    "HTTP_ORIGIN": "http://[",
}
# Routes whose contract includes a 503 (the platform health: no worker is up in a test).
ANSWERS_503_BY_CONTRACT = {"api-health"}
MORE_HOSTILE_HEADERS = {**HOSTILE_HEADERS, "HTTP_HX_CURRENT_URL": "\x00" + OVERLONG, "HTTP_HX_REQUEST": "\x00"}
JUNK_BODIES = [
    ("application/json", b'{"prompt": "\\u0000", "name": "\\u0000", "email": "\\u0000", "password": 1, "status": []}'),
    ("application/json", b"\x00{not json"),
    ("application/json", b'[1, {"a": ' * 200 + b"]"),
    ("application/x-www-form-urlencoded", b"name=%00&prompt=%00&email=%00&password=%00&next=http%3A%2F%2F%5B&"
                                          b"action=%00&_selected_action=%00&index=%00&duration=%00"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data; name=\"x\x00\"\r\n\r\n\x00\r\n--zz"),
]


@dataclass(frozen=True)
class Route:
    """A leaf of the resolver: its full pattern text and its URL name (for the test id)."""

    parts: tuple
    name: str

    @property
    def area(self) -> str:
        text = self.text()
        if text.startswith("admin/"):
            return "admin"
        return "api" if text.startswith("api/") else "pages"

    def text(self) -> str:
        return "".join(str(part.pattern) for part in self.parts).replace("^", "").replace("$", "").replace("\\Z", "")

    def build(self, value_for) -> str | None:
        """A concrete path, each captured group replaced by ``value_for(group name)``."""
        path = ""
        for part in self.parts:
            pattern = part.pattern
            text = str(pattern)
            if hasattr(pattern, "converters"):  # path(): <converter:name>
                text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value_for(m.group(1)), text)
            else:  # re_path(): named groups; give up on anything else fancy
                text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value_for(m.group(1)), text)
                text = text.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
                if re.search(r"[()\[\]*+?|]", text):
                    return None
            path += text
        return "/" + path


def all_routes() -> list[Route]:
    found: list[Route] = []

    def walk(patterns, prefix: tuple, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, (*prefix, entry), inner)
            elif isinstance(entry, URLPattern):
                found.append(Route((*prefix, entry), f"{namespace}{entry.name or entry.pattern}"))

    walk(get_resolver().url_patterns, (), "")
    return found


ROUTES = all_routes()


def route_id(route: Route) -> str:
    return re.sub(r"[^\w:/<>.-]", "_", route.text())[:90] or "root"


@pytest.fixture
def world(make_user, owner, other_user, staff):
    """Rows of every kind the first wave has, made through the public API, plus their ids."""
    for user in (owner, other_user):
        api = Client(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user).access_token}")
        project = api.post("/api/v1/projects", {"name": "Sweep"}, content_type="application/json").json()
        body = {"prompt": "a red fox", "projectId": project["id"], "resolution": "480p", "duration": 1}
        api.post("/api/v1/jobs", body, content_type="application/json")
        cancelled = api.post("/api/v1/jobs", {**body, "prompt": "to cancel"}, content_type="application/json").json()
        api.post(f"/api/v1/jobs/{cancelled['id']}/cancel")
    ids: list[str] = []
    for model in apps.get_models():
        if not model._meta.managed:  # no table of its own (django-rq's dashboard entry)
            continue
        ids.extend(str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:3])
    return ids


def clients_for(area: str, owner, staff) -> dict[str, Client]:
    anonymous = Client(raise_request_exception=False)
    if area == "api":
        token = token_pair_issue(user=owner).access_token
        return {"anonymous": anonymous,
                "token": Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")}
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(staff if area == "admin" else owner)
    return {"anonymous": anonymous, "staff" if area == "admin" else "owner": signed_in}


def real_value(name: str, ids: list[str], route: Route, client: Client) -> str:
    """The first id (or app label / model name) with which the route answers other than 404."""
    if name == "app_label":
        candidates = [config.label for config in apps.get_app_configs()]
    elif name == "model_name":
        candidates = [model._meta.model_name for model in apps.get_models()]
    elif f"<int:{name}>" in route.text():  # list indexes (the RQ dashboard's queues)
        candidates = ["0", "1", "99"]
    else:
        candidates = admin_model_ids(route) or ids
    first = None
    for candidate in candidates:
        path = route.build(lambda group: candidate if group == name else "x")
        if path is None:
            return candidates[0]
        first = first or candidate
        if client.get(path).status_code != 404:
            return candidate
    return first or "x"


def admin_model_ids(route: Route) -> list[str]:
    """For an admin page of one model (admin/<app>/<model>/...), that model's rows."""
    found = re.match(r"admin/(\w+)/(\w+)/", route.text())
    try:
        model = apps.get_model(*found.groups()) if found else None
    except LookupError:
        return []
    if model is None or not model._meta.managed:
        return []
    return [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:3]]


def hostile_query(values: list[str]) -> str:
    return "&".join(f"{key}={values[i % len(values)]}" for i, key in enumerate(HOSTILE_QUERY_KEYS))


def sweep(route: Route, client: Client, ids: list[str]) -> list[str]:
    """Every hostile request for one route and client; the ones that answered 5xx."""
    failures: list[str] = []

    def check(method: str, path: str, **extra) -> None:
        response = getattr(client, method)(path, **extra)
        if response.status_code == 503 and route.name in ANSWERS_503_BY_CONTRACT:
            return
        if response.status_code >= 500:
            shown = {k: (v[:40] if isinstance(v, (str, bytes)) else v) for k, v in extra.items()}
            failures.append(f"{method.upper()} {path[:160]!r} {shown} -> {response.status_code}")

    group_names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route.text())
    names = {a or b for a, b in group_names}
    real = {name: real_value(name, ids, route, client) for name in names}
    path = route.build(lambda group: real[group])
    if path is None:
        return failures
    paths = [path]
    for value in HOSTILE_VALUES if names else []:
        hostile = route.build(lambda group: value)
        if hostile:
            paths.append(hostile)
    paths.append(path.rstrip("/") + "%00" + ("/" if path.endswith("/") else ""))
    paths.append(path + quote("\x00\r\n", safe="%"))

    for target in paths:
        check("get", target)
    check("get", f"{path}?{hostile_query(HOSTILE_VALUES)}")
    check("get", f"{path}?{hostile_query(['%00'])}&{hostile_query(['%ff', OVERLONG])}")
    check("get", path, **HOSTILE_HEADERS)
    check("get", f"{path}?{hostile_query(HOSTILE_VALUES)}", **MORE_HOSTILE_HEADERS)
    check("head", path, **HOSTILE_HEADERS)
    for content_type, body in JUNK_BODIES:
        check("post", path, data=body, content_type=content_type)
    check("post", path, data=JUNK_BODIES[0][1], content_type="application/json", **HOSTILE_HEADERS)
    check("post", f"{path}?{hostile_query(['%00'])}", data=JUNK_BODIES[3][1], content_type=JUNK_BODIES[3][0],
          **HOSTILE_HEADERS)
    check("put", path, data=JUNK_BODIES[0][1], content_type="application/json")
    check("patch", path, data=JUNK_BODIES[1][1], content_type="application/json")
    for target in paths[1:3]:  # hostile ids only: the real rows stay for the next requests
        check("delete", target)
    check("options", path, **HOSTILE_HEADERS)
    return failures


def test_the_sweep_finds_the_routes_of_every_area():
    areas = {route.area for route in ROUTES}
    assert areas == {"admin", "api", "pages"}
    texts = [route.text() for route in ROUTES]
    assert any(text.startswith("admin/jobs/job/") for text in texts)
    assert "api/v1/jobs/<str:job_id>" in texts or any(t.startswith("api/v1/jobs/<") for t in texts)
    assert len(ROUTES) > 50


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_no_hostile_request_gets_a_5xx(route, world, owner, staff):
    failures = []
    for who, client in clients_for(route.area, owner, staff).items():
        failures += [f"[{who}] {failure}" for failure in sweep(route, client, world)]
    assert not failures, "\n".join(failures[:20])


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "status"), [
    ("/admin/jobs/job/?status__exact=%00", 400), ("/admin/jobs/job/%00/change/", 404),
    ("/admin/autocomplete/?app_label=jobs&model_name=job&field_name=project&term=%00", 400),
    ("/admin/projects/project/?q=%00", 400),
])
def test_a_nul_byte_in_an_admin_path_or_filter_is_refused(staff, url, status):
    client = Client(raise_request_exception=False)
    client.force_login(staff)

    assert client.get(url).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), [("get", "/jobs"), ("get", "/projects/{project}"),
                                              ("post", "/jobs/{job}/retry")])
def test_a_malformed_hx_current_url_is_ignored_for_anonymous_visitors(world, owner, method, path):
    project, job = owner.projects.first(), owner.jobs.first()
    client = Client(raise_request_exception=False)

    response = getattr(client, method)(path.format(project=project.pk, job=job.pk),
                                       HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://[")

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/login?next=")


def test_the_hostile_bodies_are_what_they_claim():
    json.loads(JUNK_BODIES[0][1])  # valid JSON with the wrong types, not a syntax error
    with pytest.raises(ValueError):
        json.loads(JUNK_BODIES[1][1])
