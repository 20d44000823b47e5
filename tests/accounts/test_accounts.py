"""Log-in, lockout, sessions, roles."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from openimis.accounts import roles
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_every_role_of_the_reference_exists_with_named_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ROLES) <= names
    eo = Group.objects.get(name=roles.ENROLMENT_OFFICER)
    assert set(eo.permissions.values_list("codename", flat=True)) >= {"view_location", "view_healthfacility"}
    assert not {"add_location", "change_healthfacility"} & set(eo.permissions.values_list("codename", flat=True))
    admin = Group.objects.get(name=roles.SYSTEM_ADMINISTRATOR)
    assert {"add_user", "grant_scope", "manage_top_locations"} <= set(
        admin.permissions.values_list("codename", flat=True)
    )


def test_login_and_logout(client, eo_a):
    response = client.post(reverse("accounts:login"), {"username": "eo_a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_shows_an_error(client, eo_a):
    response = client.post(reverse("accounts:login"), {"username": "eo_a", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_five_failures_lock_the_user_from_that_address_for_15_minutes(client, eo_a):
    assert settings.AXES_ENABLED
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "eo_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(reverse("accounts:login"), {"username": "eo_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode()
    # the same user from another address, and another user from the same address, still get in
    other_ip = client.post(
        reverse("accounts:login"), {"username": "eo_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert other_ip.status_code == 302
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_sessions_expire_after_30_idle_minutes_and_activity_keeps_them_alive(client, eo_a):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(eo_a)
    client.get(reverse("home"))
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)
    # a request within the minute does not write the session again
    Session.objects.filter(session_key=key).update(expire_date=expiry - timedelta(minutes=10))
    client.get(reverse("home"))
    assert Session.objects.get(session_key=key).expire_date == expiry - timedelta(minutes=10)
    # once the last refresh is a minute old, activity moves the expiry 30 minutes ahead again
    session = client.session
    session["_active_at"] -= 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=10))
    client.get(reverse("home"))
    assert Session.objects.get(session_key=key).expire_date - timezone.now() > timedelta(minutes=29)


def test_password_change(client, eo_a):
    client.force_login(eo_a)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-secret-42",
            "new_password2": "a-much-better-secret-42",
        },
    )
    assert response.status_code == 302
    eo_a.refresh_from_db()
    assert eo_a.check_password("a-much-better-secret-42")


def test_username_is_unique_ignoring_case(eo_a):
    from django.db import IntegrityError

    from openimis.accounts.models import User

    with pytest.raises(IntegrityError):
        User.objects.create(username="EO_A")


def _settings_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["DJANGO_SETTINGS_MODULE"] = "openimis.settings.production"
    env.update(extra)
    return env


def test_production_refuses_to_start_without_secret_key_and_hosts():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=_settings_env(), capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_settings_env(SECRET_KEY="k" * 20 + "-random-enough-for-this-test-only-0123456789"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_check_deploy():
    env = _settings_env(SECRET_KEY="q8#v!x2-" * 8, ALLOWED_HOSTS="imis.example.org")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_api_token_login_is_locked_out_too(client, eo_a):
    for _ in range(5):
        client.post("/api/v1/auth/token/", {"username": "eo_a", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post("/api/v1/auth/token/", {"username": "eo_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "token" not in response.content.decode()
