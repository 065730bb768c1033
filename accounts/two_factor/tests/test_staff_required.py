"""VIDEOGEN_REQUIRE_2FA_FOR_STAFF: the admin opens only to staff whose session gave a code."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from accounts.two_factor.tests.conftest import enable_two_factor, next_code, totp_code
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

required = override_settings(VIDEOGEN_REQUIRE_2FA_FOR_STAFF=True)


def test_it_is_off_by_default(settings):
    assert settings.VIDEOGEN_REQUIRE_2FA_FOR_STAFF is False


def test_with_it_off_staff_without_two_factor_reach_the_admin(client, staff):
    client.force_login(staff)

    assert client.get("/admin/").status_code == 200


@required
@pytest.mark.parametrize("path", ["/admin/", "/admin/jobs/job/", "/admin/rq/"])
def test_staff_without_two_factor_are_sent_to_set_it_up(client, staff, path):
    client.force_login(staff)

    response = client.get(path)

    assert response.status_code == 302 and response.url == "/settings/two-factor?required=staff"
    page = client.get(response.url)
    assert 'data-testid="two-factor-required"' in page.content.decode()


@required
def test_staff_who_just_turned_it_on_reach_the_admin(client, staff):
    client.force_login(staff)
    client.post("/settings/two-factor/setup")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=staff)
    assert client.post("/settings/two-factor/confirm", {"code": totp_code(device)}).status_code == 200

    assert client.get("/admin/").status_code == 200


@required
def test_staff_signed_in_with_password_and_code_reach_the_admin(client, staff):
    device, _ = enable_two_factor(staff)
    client.post("/login", {"email": staff.email, "password": PASSWORD, "next": "/admin/"})
    client.post("/login/two-factor", {"code": next_code(device)})

    assert client.get("/admin/").status_code == 200


@required
def test_a_staff_session_that_never_gave_a_code_is_signed_out_and_asked_again(client, staff):
    enable_two_factor(staff)
    client.force_login(staff)  # e.g. a session from before the rule

    response = client.get("/admin/jobs/job/")

    assert response.status_code == 302 and response.url == "/admin/login/?next=%2Fadmin%2Fjobs%2Fjob%2F"
    assert client.get("/jobs").status_code == 302  # signed out


@required
def test_the_rule_leaves_other_users_and_pages_alone(client, owner, staff):
    client.force_login(staff)
    assert client.get("/jobs").status_code == 200
    other = Client()
    other.force_login(owner)
    assert other.get("/admin/").status_code == 302
    assert other.get("/admin/").url.startswith("/admin/login/")


def test_the_compose_deployment_turns_it_on_unless_the_operator_says_otherwise():
    import yaml

    from videogen.tests.envvars import COMPOSE_FILE

    web_env = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]["environment"]

    assert web_env["VIDEOGEN_REQUIRE_2FA_FOR_STAFF"] == "${VIDEOGEN_REQUIRE_2FA_FOR_STAFF:-1}"
