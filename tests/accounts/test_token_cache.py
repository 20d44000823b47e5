"""API tokens are cached in the worker, and every change to who may do what applies at the next call."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from location.models import LocationUserObjectPermission
from openimis.accounts import roles

pytestmark = pytest.mark.django_db
URL = "/api/v1/locations/"


@pytest.fixture
def call(client, eo_a):
    token = Token.objects.create(user=eo_a)

    def _call(path: str = URL):
        return client.get(path, HTTP_AUTHORIZATION=f"Token {token.key}")

    _call.token = token  # type: ignore[attr-defined]
    return _call


def _codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def test_a_second_call_does_not_reload_the_user_permissions_and_scope(call):
    assert call().status_code == 200
    with CaptureQueriesContext(connection) as first_again:
        assert call().status_code == 200
    sql = " ".join(q["sql"] for q in first_again.captured_queries)
    assert "authtoken_token" not in sql and "auth_permission" not in sql
    assert "locationuserobjectpermission" not in sql


def test_a_role_taken_away_applies_at_the_next_call(call, eo_a):
    assert call().status_code == 200
    eo_a.groups.remove(Group.objects.get(name=roles.ENROLMENT_OFFICER))
    assert call().status_code == 403


def test_a_scope_grant_removed_applies_at_the_next_call(call, eo_a, country):
    assert "DA" in _codes(call())
    LocationUserObjectPermission.objects.filter(user=eo_a).delete()
    assert _codes(call()) == set()


def test_a_deleted_token_or_deactivated_user_is_refused_at_once(call, eo_a):
    assert call().status_code == 200
    eo_a.is_active = False
    eo_a.save()
    refused = call()
    # (403: session authentication comes first, so DRF answers 403 rather than 401 to failed credentials)
    assert refused.status_code == 403 and refused.json()["code"] == "authentication_failed"
    eo_a.is_active = True
    eo_a.save()
    assert call().status_code == 200
    call.token.delete()
    assert call().json()["code"] == "authentication_failed"
