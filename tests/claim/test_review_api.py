"""The review API: the queue with explained flags, line decisions with errors by place, reject, approve / bypass /
select a set, scope and permissions, and status tracking for facilities."""

# ruff: noqa: F811 - `insured` is the submission tests' fixture, imported

from decimal import Decimal

import pytest
from django.utils import timezone

from claim import submission
from claim.models import Claim, ClaimStatus, FlagCode, ReviewStatus
from openimis.accounts import roles
from tests.factories import UserFactory

from .test_submission import _enter, insured  # noqa: F401 - the covered family and its registers

pytestmark = pytest.mark.django_db
BASE = "/api/v1/claims"


@pytest.fixture
def waiting(settings, claim_admin, country, sale, insured):
    settings.CLAIM_FLAGS = {**settings.CLAIM_FLAGS, "late_entry": {"enabled": False}}  # the visits are months old
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 100.0
    claims = [_enter(claim_admin, country, sale.family, code=f"W{n}") for n in range(2)]
    submission.claims_submit(user=claim_admin, claims=claims)
    return [Claim.objects.get(pk=c.pk) for c in claims]


def test_the_queue_explains_each_flag(api, medical_officer, waiting):
    response = api(medical_officer).get(f"{BASE}/review/queue/", {"flag": FlagCode.RANDOM})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["code"] for c in body["results"]] == ["W0", "W1"]
    flag = next(f for f in body["results"][0]["flags"] if f["code"] == FlagCode.RANDOM)
    assert flag["explanation"] == "Picked in the random sample of 100.0 % of the claims."
    assert body["results"][0]["review_status"] == ReviewStatus.SELECTED
    assert api(medical_officer).get(f"{BASE}/review/queue/", {"amount_min": "-1"}).status_code == 400


def test_review_a_claim_line_by_line(api, medical_officer, waiting):
    body = {
        "lines": [
            {"kind": "item", "code": "AMX250", "qty_approved": "5"},
            {"kind": "service", "code": "CONS", "passed": False, "justification": "Not seen"},
        ],
        "adjustment": "Half the course",
        "approve": True,
    }
    response = api(medical_officer).post(f"{BASE}/{waiting[0].uuid}/review/", body, format="json")
    assert response.status_code == 200, response.content
    claim = response.json()
    assert (claim["review_status"], claim["approved"], claim["adjustment"]) == (8, "1500.00", "Half the course")
    assert claim["services"][0]["status"] == 2 and claim["services"][0]["rejection_reason"] == -1
    assert claim["reviewed_at"] is not None


def test_review_errors_name_the_line_and_change_nothing(api, medical_officer, waiting):
    body = {"lines": [{"kind": "item", "code": "AMX250", "qty_approved": "50"}], "approve": True}
    response = api(medical_officer).post(f"{BASE}/{waiting[0].uuid}/review/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"lines.0.qty_approved": ["At most the quantity provided (10)."]}
    assert Claim.objects.get(pk=waiting[0].pk).review_status == ReviewStatus.SELECTED


def test_reject_approve_bypass_and_select(api, medical_officer, waiting, claim_admin, country, sale, settings):
    client = api(medical_officer)
    assert client.post(f"{BASE}/{waiting[0].uuid}/reject/", {"justification": ""}, format="json").status_code == 400
    rejected = client.post(f"{BASE}/{waiting[0].uuid}/reject/", {"justification": "Fake"}, format="json")
    assert rejected.json()["status"] == ClaimStatus.REJECTED
    again = client.post(f"{BASE}/review/approve/", {"claims": [str(waiting[0].uuid)]}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "claim_not_reviewable"
    approved = client.post(f"{BASE}/review/approve/", {"claims": [str(waiting[1].uuid)]}, format="json")
    assert [c["review_status"] for c in approved.json()["claims"]] == [ReviewStatus.DELIVERED]
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 0.0
    passed = _enter(claim_admin, country, sale.family, code="P1")
    submission.claims_submit(user=claim_admin, claims=[passed])
    selected = client.post(f"{BASE}/review/select/", {"claims": [str(passed.uuid)]}, format="json")
    assert selected.json()["claims"][0]["review_status"] == ReviewStatus.SELECTED
    bypassed = client.post(f"{BASE}/review/bypass/", {"claims": [str(passed.uuid)]}, format="json")
    assert bypassed.json()["claims"][0]["review_status"] == ReviewStatus.BYPASSED


def test_scope_and_permissions(api, claim_admin, waiting, country):
    assert api(claim_admin).post(f"{BASE}/review/approve/", {"claims": [str(waiting[0].uuid)]}).status_code == 403
    officer_b = UserFactory.create(username="mo_b", role=roles.MEDICAL_OFFICER, scope=[country.region_b])
    client = api(officer_b)
    assert client.post(f"{BASE}/{waiting[0].uuid}/review/", {}, format="json").status_code == 404
    refused = client.post(f"{BASE}/review/approve/", {"claims": [str(waiting[0].uuid)]}, format="json")
    assert refused.status_code == 400 and refused.json()["fields"] == {
        "claims.0": ["No claim with this uuid in your scope."]
    }
    assert client.get(f"{BASE}/review/queue/").json()["count"] == 0


def test_facilities_follow_their_claims_status(api, claim_admin, waiting):
    since = timezone.now()
    Claim.objects.filter(pk=waiting[1].pk).update(updated_at=timezone.now(), approved=Decimal("1"))
    response = api(claim_admin).get(f"{BASE}/", {"updated_after": since.isoformat(), "review_status": 4})
    assert [c["code"] for c in response.json()["results"]] == ["W1"]
    detail = api(claim_admin).get(f"{BASE}/{waiting[1].uuid}/").json()
    assert [f["code"] for f in detail["flags"]] == [FlagCode.RANDOM]
