import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "securePassword123"


def test_staff_can_list_users(staff_client, staff, owner, other_user):
    assert not staff.user_permissions.exists() and not staff.is_superuser  # no per-model permission needed
    response = staff_client.get("/admin/accounts/user/")

    assert response.status_code == 200
    assert b"owner@example.com" in response.content
    assert b"other@example.com" in response.content


def test_staff_can_search_users_by_email(staff_client, owner, other_user):
    response = staff_client.get("/admin/accounts/user/", {"q": "other@"})

    assert response.status_code == 200
    assert b"other@example.com" in response.content
    assert b"owner@example.com" not in response.content


def test_the_user_list_runs_the_same_queries_however_many_users(staff_client, make_user):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get("/admin/accounts/user/").status_code == 200
        return len(queries)

    make_user("a@example.com")
    few = count_queries()
    for number in range(5):
        make_user(f"more{number}@example.com")

    assert count_queries() == few


def test_staff_can_create_a_user_by_email_and_password(staff_client, anon_api):
    form = staff_client.get("/admin/accounts/user/add/")
    assert form.status_code == 200

    response = staff_client.post(
        "/admin/accounts/user/add/",
        {"email": "Created@Example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "_save": "Save"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else None
    user = User.objects.get(email__iexact="created@example.com")
    assert user.email == "created@example.com"
    assert user.password.startswith("bcrypt_sha256$")
    credentials = {"email": "created@example.com", "password": NEW_PASSWORD}
    assert anon_api.post("/api/v1/auth/login", credentials, format="json").status_code == 200


def test_the_admin_add_form_refuses_an_email_taken_in_another_case(staff_client, owner):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {"email": "OWNER@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "_save": "Save"},
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.count() == 2  # owner and the staff persona


def test_the_admin_add_form_applies_the_password_rules(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/", {"email": "new@example.com", "password1": "short", "password2": "short"}
    )

    assert response.status_code == 200
    assert "at least 8 characters" in str(response.context["adminform"].form.errors)
    assert not User.objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("url", ["/admin/", "/admin/accounts/user/", "/admin/rq/"])
def test_a_non_staff_user_is_sent_away_from_the_admin(client, owner, url):
    client.force_login(owner)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize("url", ["/admin/", "/admin/rq/"])
def test_an_anonymous_visitor_is_sent_to_the_admin_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_staff_can_open_the_rq_dashboard(client, staff):
    client.force_login(staff)

    assert client.get("/admin/rq/").status_code == 200


def test_staff_can_change_a_users_email_which_is_stored_normalised(staff_client, owner):
    page = staff_client.get(f"/admin/accounts/user/{owner.pk}/change/")
    assert page.status_code == 200
    data = {
        "email": " Renamed@Example.com",
        "is_active": "on",
        "password": owner.password,
        "_save": "Save",
    }

    response = staff_client.post(f"/admin/accounts/user/{owner.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else None
    owner.refresh_from_db()
    assert owner.email == "renamed@example.com"


def test_staff_who_are_not_superusers_cannot_make_themselves_superusers(staff_client, staff):
    data = {"email": staff.email, "is_active": "on", "is_staff": "on", "is_superuser": "on", "_save": "Save"}

    response = staff_client.post(f"/admin/accounts/user/{staff.pk}/change/", data)

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.is_staff and not staff.is_superuser


def test_a_superuser_can_grant_superuser_rights(client, owner):
    client.force_login(User.objects.create_superuser(email="root@example.com", password="securePassword123"))

    data = {"email": owner.email, "is_active": "on", "is_superuser": "on", "_save": "Save"}
    response = client.post(f"/admin/accounts/user/{owner.pk}/change/", data)

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.is_superuser


def test_staff_cannot_change_or_delete_a_superusers_account(client, staff, django_user_model):
    boss = django_user_model.objects.create_superuser(email="boss@example.com", password="x" * 20)
    client.force_login(staff)
    assert client.get(f"/admin/accounts/user/{boss.pk}/password/").status_code == 403
    response = client.post(f"/admin/accounts/user/{boss.pk}/change/", {"email": "mine@example.com"})
    assert response.status_code == 403
    assert client.post(f"/admin/accounts/user/{boss.pk}/delete/", {"post": "yes"}).status_code == 403
    boss.refresh_from_db()
    assert boss.email == "boss@example.com"
