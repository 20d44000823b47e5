"""Review by medical officers: line decisions with their limits, rejection, approval and bypass (one claim or a
selection), what processing then values, and who may do it."""

# ruff: noqa: F811 - `insured` is the submission tests' fixture, imported

from decimal import Decimal

import pytest

from claim import processing, review, submission
from claim.exceptions import ClaimError, ClaimStateError, PermissionDeniedError
from claim.models import ClaimItem, ClaimService, ClaimStatus, LineStatus, ReviewStatus
from claim.review import LineDecision
from openimis.accounts import roles
from tests.factories import UserFactory

from .test_submission import _enter, insured  # noqa: F401 - the covered family and its registers

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(settings, claim_admin, country, sale, insured):
    """A checked claim selected for review (random sample of 100 %): AMX250 10 x 300, CONS 1 x 4500."""
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 100.0
    claim = _enter(claim_admin, country, sale.family)
    submission.claims_submit(user=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert (claim.status, claim.review_status) == (ClaimStatus.CHECKED, ReviewStatus.SELECTED)
    return claim


def test_line_decisions_lower_the_approved_amount_and_processing_values_them(medical_officer, waiting):
    decisions = [
        LineDecision("item", "AMX250", qty_approved="6", justification="Six days are enough"),
        LineDecision("service", "CONS", price_approved="4000"),
    ]
    claim = review.claim_review(
        user=medical_officer, claim=waiting, lines=decisions, adjustment="Checked", approve=True
    )
    claim.refresh_from_db()
    assert (claim.review_status, claim.reviewed_by, claim.adjustment) == (
        ReviewStatus.DELIVERED,
        medical_officer,
        "Checked",
    )
    assert claim.approved == Decimal("5800.00")  # 6 x 300 + 1 x 4000
    item = ClaimItem.objects.get(claim=claim)
    assert (item.qty_approved, item.justification) == (Decimal("6.00"), "Six days are enough")
    assert processing.claims_process_passed(claim_ids=[claim.pk]) == 1
    claim.refresh_from_db()
    item.refresh_from_db()
    # co-insurance 80 % on the item: 6 x 300 x 0.8 = 1440; the service at the approved 4000
    assert (item.price_valuated, ClaimService.objects.get(claim=claim).price_valuated) == (
        Decimal("1440.00"),
        Decimal("4000.00"),
    )
    assert (claim.status, claim.valuated) == (ClaimStatus.VALUATED, Decimal("5440.00"))


def test_saving_without_approving_keeps_the_claim_in_the_queue(medical_officer, waiting):
    review.claim_review(user=medical_officer, claim=waiting, lines=[LineDecision("item", "AMX250", qty_approved=5)])
    waiting.refresh_from_db()
    assert (waiting.review_status, waiting.approved) == (ReviewStatus.SELECTED, Decimal("6000.00"))
    assert processing.claims_process_passed(claim_ids=[waiting.pk]) == 0  # still waiting for the reviewer


def test_limits_of_a_decision_are_named_and_nothing_is_written(medical_officer, waiting):
    bad = [
        LineDecision("item", "AMX250", qty_approved="11"),
        LineDecision("service", "CONS", price_approved="4600"),
        LineDecision("service", "XRAY"),
        LineDecision("item", "AMX250", passed=False),
        LineDecision("item", "AMX250", qty_approved="-1"),
    ]
    with pytest.raises(ClaimError) as exc:
        review.claim_review(user=medical_officer, claim=waiting, lines=bad, approve=True)
    assert exc.value.fields == {
        "lines.0.qty_approved": ["At most the quantity provided (10)."],
        "lines.1.price_approved": ["At most the price claimed (4500.00)."],
        "lines.2.code": ["This claim has no such item or service."],
        "lines.3.justification": ["Say why the line is rejected."],
        "lines.4.qty_approved": ["Enter a number of 0 or more."],
    }
    waiting.refresh_from_db()
    assert (waiting.review_status, ClaimItem.objects.get(claim=waiting).qty_approved) == (ReviewStatus.SELECTED, None)


def test_rejecting_every_line_rejects_the_claim(medical_officer, waiting):
    decisions = [
        LineDecision("item", "AMX250", passed=False, justification="Not given"),
        LineDecision("service", "CONS", passed=False, justification="No consultation"),
    ]
    review.claim_review(user=medical_officer, claim=waiting, lines=decisions)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.rejection_reason, waiting.approved) == (ClaimStatus.REJECTED, -1, Decimal("0"))
    assert waiting.review_status == ReviewStatus.DELIVERED
    assert set(ClaimItem.objects.values_list("status", "rejection_reason")) == {(LineStatus.REJECTED, -1)}


def test_a_line_rejected_by_a_reviewer_can_be_passed_again_before_approval(medical_officer, waiting):
    review.claim_review(
        user=medical_officer, claim=waiting, lines=[LineDecision("item", "AMX250", passed=False, justification="?")]
    )
    waiting.refresh_from_db()
    assert waiting.approved == Decimal("4500.00")
    review.claim_review(user=medical_officer, claim=waiting, lines=[LineDecision("item", "AMX250")], approve=True)
    waiting.refresh_from_db()
    assert waiting.approved == Decimal("7500.00")
    assert ClaimItem.objects.get(claim=waiting).status == LineStatus.PASSED


def test_reject_the_whole_claim_needs_a_reason(medical_officer, waiting):
    with pytest.raises(ClaimError) as exc:
        review.claim_reject(user=medical_officer, claim=waiting, justification=" ")
    assert exc.value.fields == {"justification": ["Say why the claim is rejected."]}
    review.claim_reject(user=medical_officer, claim=waiting, justification="Patient was not seen")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.adjustment) == (ClaimStatus.REJECTED, "Patient was not seen")
    assert set(ClaimService.objects.values_list("justification", flat=True)) == {"Patient was not seen"}


def test_bulk_approve_and_bypass_send_claims_to_processing(
    medical_officer, waiting, claim_admin, country, sale, django_capture_on_commit_callbacks
):
    other = _enter(claim_admin, country, sale.family, code="HFA-2")
    submission.claims_submit(user=claim_admin, claims=[other])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review.claims_approve(user=medical_officer, claims=[waiting])
        review.claims_bypass_review(user=medical_officer, claims=[other])
    assert len(callbacks) == 2
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert (waiting.review_status, waiting.reviewed_by) == (ReviewStatus.DELIVERED, medical_officer)
    assert (other.review_status, other.reviewed_by) == (ReviewStatus.BYPASSED, None)
    assert processing.claims_process_passed() == 2
    with pytest.raises(ClaimStateError) as exc:  # processed now: not reviewable
        review.claims_approve(user=medical_officer, claims=[waiting])
    assert "HFA-1" in exc.value.message


def test_who_may_review(waiting, claim_admin, country):
    with pytest.raises(PermissionDeniedError):  # enters claims, does not review them
        review.claims_approve(user=claim_admin, claims=[waiting])
    officer_b = UserFactory.create(username="mo_b", role=roles.MEDICAL_OFFICER, scope=[country.region_b])
    with pytest.raises(PermissionDeniedError):  # another region's claim
        review.claim_review(user=officer_b, claim=waiting, approve=True)
    waiting.refresh_from_db()
    assert waiting.review_status == ReviewStatus.SELECTED


def test_select_a_passed_claim_for_review(settings, medical_officer, claim_admin, country, sale, insured):
    claim = _enter(claim_admin, country, sale.family)
    submission.claims_submit(user=claim_admin, claims=[claim])
    review.claims_select_for_review(user=medical_officer, claims=[claim])
    claim.refresh_from_db()
    assert claim.review_status == ReviewStatus.SELECTED
    assert processing.claims_process_passed(claim_ids=[claim.pk]) == 0
