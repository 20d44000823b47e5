"""The claims demo loader (other tests never rely on demo data)."""

import io
import time
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from pghistory.models import Events

from claim import demo
from claim.models import Claim, ClaimFlag, ClaimItem, ClaimNorm, ClaimService, ClaimStatus, FlagCode, ReviewStatus
from claim.selectors import review_queue
from openimis.accounts.models import User
from policy.models import Policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> dict[str, object]:
    """The demo country, catalogue, families and policies (the claims demo's prerequisites), then the claims."""
    from insuree import demo as insuree_demo
    from location import demo as location_demo
    from medical import demo as medical_demo
    from policy import demo as policy_demo

    for module in (location_demo, medical_demo, insuree_demo, policy_demo):
        module.load(io.StringIO(), password="openimis-demo")
    out = io.StringIO()
    started = time.perf_counter()
    logins = demo.load(out, password="openimis-demo")
    return {"out": out.getvalue(), "logins": logins, "seconds": time.perf_counter() - started}


def _snapshot() -> tuple[object, ...]:
    return (
        sorted(Claim.objects.values_list("code", "status", "review_status", "approved", "valuated", "updated_at")),
        sorted(ClaimFlag.objects.values_list("claim__code", "code")),
        ClaimItem.objects.count(),
        ClaimService.objects.count(),
        sorted(ClaimNorm.objects.values_list("kind", "target_id", "level", "samples", "updated_at")),
        Policy.objects.count(),
        sorted(User.objects.values_list("username", "password")),
        Events.objects.count(),
    )


def test_demo_claims_in_every_status_with_work_for_the_demo_users(loaded):
    claims = Claim.objects.filter(code__startswith=demo.PREFIX)
    assert set(claims.values_list("status", flat=True)) == set(ClaimStatus.values)
    assert 150 <= claims.count() <= 250
    assert "Demo claims:" in loaded["out"] and "waiting for review" in loaded["out"]

    # refused by the checks: no cover (policy unpaid or expired), an item outside a dispensary's price list,
    # a delivery within the waiting period
    assert claims.filter(status=ClaimStatus.REJECTED, rejection_reason=21).count() >= 2
    assert ClaimItem.objects.filter(claim__in=claims, status=2, rejection_reason=2).exists()
    assert ClaimService.objects.filter(claim__in=claims, service__code="DELN", rejection_reason=17).exists()
    # hospital cover at relative prices: processed, waiting for the batch valuation
    processed = claims.filter(status=ClaimStatus.PROCESSED)
    assert processed.count() >= 2
    assert ClaimService.objects.filter(claim__in=processed, price_origin="R").exists()
    assert claims.filter(icd__code__in=["O80", "O82.9", "O82.0"], status__in=[8, 16]).exists()
    # norms for "far above the norm": common items of a facility level rest on enough lines
    assert ClaimNorm.objects.filter(samples__gte=20).count() >= 3
    # feedback: four claims selected by the medical officer, the enrolment officer has interviewed one insuree
    assert claims.filter(feedback_status=ReviewStatus.SELECTED).count() == 3
    answered = claims.get(feedback_status=ReviewStatus.DELIVERED)
    assert (answered.feedback.assessment, answered.feedback.recorded_by.username) == (4, "eo_bahari")

    medical_officer = User.objects.get(username="medical_officer")
    queue = review_queue(medical_officer)
    codes = set(ClaimFlag.objects.filter(claim__in=queue).values_list("code", flat=True))
    assert codes >= {
        FlagCode.ABOVE_NORM,
        FlagCode.TWO_FACILITIES,
        FlagCode.FREQUENT,
        FlagCode.IMPLAUSIBLE,
        FlagCode.LATE_ENTRY,
    }
    # already reviewed by the medical officer: one rejected, one approved with a lower quantity
    reviewed = claims.filter(reviewed_by=medical_officer, review_status=ReviewStatus.DELIVERED)
    assert reviewed.filter(status=ClaimStatus.REJECTED, rejection_reason=-1).exists()
    assert ClaimItem.objects.filter(claim__in=reviewed, qty_approved__lt=F("qty_provided")).exists()
    assert reviewed.filter(status=ClaimStatus.VALUATED).count() >= 2

    claim_admin = User.objects.get(username="claim_admin")
    mine = Claim.objects.visible_to(claim_admin)
    assert set(mine.values_list("facility__code", flat=True)) == {"HF0101"}
    waiting = mine.filter(status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED)
    assert len(set(ClaimFlag.objects.filter(claim__in=waiting).values_list("code", flat=True))) >= 4
    assert mine.filter(status=ClaimStatus.ENTERED).count() == 5
    assert all(c.claimed > 0 for c in mine.filter(status=ClaimStatus.ENTERED))

    # a claim administrator for each other facility that enters claims, seeing its claims only
    assert len(loaded["logins"]) == 4
    for _role, username, _facility in loaded["logins"]:
        user = User.objects.get(username=username)
        assert user.check_password("openimis-demo")
        assert Claim.objects.visible_to(user).values("facility").distinct().count() == 1

    # the history was entered on its claim dates (so that only the late claims are flagged late)
    today = timezone.localdate()
    history = claims.filter(date_claimed__lt=today - timedelta(days=demo.RECENT_DAYS + 1))
    assert history.count() >= 100
    assert all(timezone.localtime(c.created_at).date() == c.date_claimed for c in history)
    for claim in history.filter(processed_at__isnull=False):
        assert claim.submitted_at is not None and claim.processed_at is not None
        assert claim.created_at <= claim.submitted_at <= claim.processed_at
    late = ClaimFlag.objects.filter(claim__in=claims, code=FlagCode.LATE_ENTRY)
    assert set(late.values_list("claim__date_claimed", flat=True)) == {today}


def test_demo_claims_load_twice_changes_nothing(loaded):
    before = _snapshot()
    out = io.StringIO()
    logins = demo.load(out, password="openimis-demo")
    assert _snapshot() == before
    assert logins == loaded["logins"]
    assert "Demo claims:" in out.getvalue()
