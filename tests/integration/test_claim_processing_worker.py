"""A claim that passes the automatic adjudication is processed by a real Celery worker once its submission commits;
a flagged one waits for its reviewer, and is processed by the worker once approved."""

# ruff: noqa: F811 - `insured` and `sale` are the claim and policy tests' fixtures, imported

from decimal import Decimal

import pytest

from claim import review, submission
from claim.models import Claim, ClaimStatus, ReviewStatus
from tests.claim.test_submission import _enter, insured  # noqa: F401 - the covered family and its registers
from tests.policy.conftest import sale  # noqa: F401 - the product and family of the policy tests
from tests.workers import celery_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_passed_claims_are_processed_by_the_worker_and_flagged_ones_after_review(
    settings, claim_admin, medical_officer, country, sale, insured
):
    settings.CLAIM_FLAGS = {**settings.CLAIM_FLAGS, "late_entry": {"enabled": False}}  # the visits are months old
    passed = _enter(claim_admin, country, sale.family, code="W-PASS")
    with celery_worker():
        submission.claims_submit(user=claim_admin, claims=[passed])
        valuated = wait_for(lambda: Claim.objects.filter(pk=passed.pk, status=ClaimStatus.VALUATED).first())
        settings.CLAIM_REVIEW_RANDOM_PERCENT = 100.0
        flagged = _enter(claim_admin, country, sale.family, code="W-FLAG")
        submission.claims_submit(user=claim_admin, claims=[flagged])
        flagged.refresh_from_db()
        assert (flagged.status, flagged.review_status) == (ClaimStatus.CHECKED, ReviewStatus.SELECTED)
        review.claims_approve(user=medical_officer, claims=[flagged])
        approved = wait_for(lambda: Claim.objects.filter(pk=flagged.pk, status=ClaimStatus.VALUATED).first())
    # AMX250 10 x 300 at 80 % co-insurance and CONS at 4500 (the product's deductibles and ceilings allow it all)
    assert valuated.valuated == Decimal("6900.00")
    assert valuated.review_status == ReviewStatus.NOT_SELECTED
    assert (approved.review_status, approved.reviewed_by) == (ReviewStatus.DELIVERED, medical_officer)
