"""Turning two-factor on and off, and new recovery codes, from the settings pages."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor.selectors import two_factor_enabled
from accounts.two_factor.tests.conftest import next_code, totp_code, wrong_code
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def secret_on(page) -> str:
    match = re.search(r'data-secret="([A-Z2-7]+)"', page.content.decode())
    assert match, "the setup page shows no secret"
    return match.group(1)


def app_code(secret: str) -> str:
    """What an authenticator app that was given the page's secret shows now."""
    return f"{TOTP(b32decode(secret)).token():06d}"


def test_settings_require_a_login(client):
    response = client.get("/settings/two-factor")

    assert response.status_code == 302 and response.url.startswith("/login?next=")


def test_turning_it_on_shows_a_qr_code_and_the_secret_then_ten_recovery_codes(owner_client, owner):
    assert b"Turn on two-factor" in owner_client.get("/settings/two-factor").content
    started = owner_client.post("/settings/two-factor/setup")
    assert started.status_code == 302 and started.url == "/settings/two-factor/setup"

    setup = owner_client.get("/settings/two-factor/setup")
    assert setup.status_code == 200 and setup["Cache-Control"] == "no-store"
    assert b"<svg" in setup.content and b"<path" in setup.content
    secret = secret_on(setup)
    assert not two_factor_enabled(owner)

    done = owner_client.post("/settings/two-factor/confirm", {"code": app_code(secret)})

    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(set(codes)) == 10
    assert two_factor_enabled(owner)
    assert sorted(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True)) == sorted(codes)
    status = owner_client.get("/settings/two-factor").content.decode()
    assert 'data-testid="recovery-codes-left">10<' in status
    assert codes[0] not in status  # shown once, never again


def test_the_qr_code_carries_the_otpauth_url_of_the_secret(owner_client, owner):
    owner_client.post("/settings/two-factor/setup")
    secret = secret_on(owner_client.get("/settings/two-factor/setup"))

    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    assert f"secret={secret}" in device.config_url and "issuer=videogen" in device.config_url


def test_a_wrong_confirmation_code_leaves_it_off_with_a_form_error(owner_client, owner):
    owner_client.post("/settings/two-factor/setup")
    device = TOTPDevice.objects.get(user=owner)

    response = owner_client.post("/settings/two-factor/confirm", {"code": wrong_code(device)})

    assert response.status_code == 400
    assert "Invalid two-factor code." in response.content.decode()
    assert not two_factor_enabled(owner)


def test_confirmation_codes_are_throttled(owner_client, owner):
    owner_client.post("/settings/two-factor/setup")
    device = TOTPDevice.objects.get(user=owner)
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_EMAIL):
        owner_client.post("/settings/two-factor/confirm", {"code": wrong_code(device)})

    response = owner_client.post("/settings/two-factor/confirm", {"code": totp_code(device)})

    assert response.status_code == 400 and "Too many wrong codes" in response.content.decode()
    assert not two_factor_enabled(owner)


def test_starting_again_replaces_the_unconfirmed_secret(owner_client, owner):
    owner_client.post("/settings/two-factor/setup")
    first = TOTPDevice.objects.get(user=owner).key
    owner_client.post("/settings/two-factor/setup")

    assert list(TOTPDevice.objects.filter(user=owner).values_list("key", flat=True)) != [first]
    assert TOTPDevice.objects.filter(user=owner).count() == 1


def test_turning_it_off_needs_the_password_and_a_code(client, owner_2fa):
    user, device, _ = owner_2fa
    client.force_login(user)

    wrong_password = client.post(
        "/settings/two-factor/disable", {"disable-password": "nope", "disable-code": next_code(device)}
    )
    wrong = client.post("/settings/two-factor/disable", {"disable-password": PASSWORD, "disable-code": wrong_code(device)})
    assert wrong_password.status_code == wrong.status_code == 400
    assert "This is not your current password." in wrong_password.content.decode()
    assert "Invalid two-factor code." in wrong.content.decode()
    assert two_factor_enabled(user)

    done = client.post(
        "/settings/two-factor/disable", {"disable-password": PASSWORD, "disable-code": next_code(device)}
    )

    assert done.status_code == 302
    assert not two_factor_enabled(user)
    assert not StaticToken.objects.filter(device__user=user).exists()


def test_a_recovery_code_can_turn_it_off(client, owner_2fa):
    user, _, codes = owner_2fa
    client.force_login(user)

    response = client.post("/settings/two-factor/disable", {"disable-password": PASSWORD, "disable-code": codes[0]})

    assert response.status_code == 302 and not two_factor_enabled(user)


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(client, owner_2fa):
    user, _, old_codes = owner_2fa
    client.force_login(user)

    refused = client.post("/settings/two-factor/recovery-codes", {"regenerate-password": "nope"})
    assert refused.status_code == 400 and "This is not your current password." in refused.content.decode()

    response = client.post("/settings/two-factor/recovery-codes", {"regenerate-password": PASSWORD})

    assert response.status_code == 200
    new_codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(set(new_codes)) == 10 and not set(new_codes) & set(old_codes)
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == sorted(new_codes)


def test_wrong_passwords_on_the_settings_forms_count_against_the_login_throttle(client, owner_2fa):
    user, _, _ = owner_2fa
    client.force_login(user)
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_EMAIL):
        client.post("/settings/two-factor/recovery-codes", {"regenerate-password": "nope"})

    response = client.post("/settings/two-factor/recovery-codes", {"regenerate-password": PASSWORD})

    assert response.status_code == 400 and "Too many wrong passwords" in response.content.decode()


@pytest.mark.parametrize("path", ["/settings/two-factor/confirm", "/settings/two-factor/disable", "/settings/two-factor/recovery-codes"])
def test_the_actions_answer_405_to_get(owner_client, path):
    assert owner_client.get(path).status_code == 405


@pytest.mark.parametrize(
    "data",
    [{}, {"disable-password": "x" * 1001, "disable-code": "1"}, {"disable-password": "a\x00b", "disable-code": "\x00"}],
)
def test_junk_on_the_disable_form_is_a_form_error(client, owner_2fa, data):
    client.force_login(owner_2fa[0])

    assert client.post("/settings/two-factor/disable", data).status_code == 400
