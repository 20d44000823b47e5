"""In Chromium: a claim administrator enters a claim and submits it; the automatic adjudication flags it (entered
long after the visit); a medical officer opens the review queue, reads the flag's explanation, lowers a line's
approved quantity and approves with the keyboard; the queue then moves on. Screenshots in test-output/."""

# ruff: noqa: F811 - `insured` is the submission tests' fixture, imported

from decimal import Decimal

import pytest
from django.utils import timezone

from claim.models import Claim, ClaimItem, ClaimStatus, FlagCode, ReviewStatus
from tests.claim.test_submission import VISIT, insured  # noqa: F401 - the covered family and its registers
from tests.e2e.browser import log_in
from tests.policy.conftest import sale  # noqa: F401 - the product and family of the policy tests

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_claim_is_entered_flagged_reviewed_and_approved(
    browser, page, live_server, claim_admin, medical_officer, country, sale, insured, output_dir
):
    base = live_server.url
    # the claim administrator enters the claim and submits it
    log_in(page, base, claim_admin.username)
    page.goto(f"{base}/claims/new/")
    page.fill("#id_insurance_number", sale.family.head.insurance_number)
    page.fill("#id_code", "E2E-1")
    page.fill("#id_date_from", VISIT.isoformat())
    page.fill("#id_icd", "B54")
    page.fill("#id_items-0-code", "AMX250")
    page.fill("#id_items-0-qty", "10")
    page.fill("#id_items-0-price", "300")
    page.fill("#id_services-0-code", "CONS")
    page.fill("#id_services-0-qty", "1")
    page.click("#save-submit-claim")
    page.wait_for_selector("#review-card")
    assert "1 claim submitted: 1 checked, 0 rejected." in page.content()
    page.screenshot(path=str(output_dir / "claim-submitted.png"), full_page=True)
    claim = Claim.objects.get(code="E2E-1")
    assert (claim.status, claim.review_status) == (ClaimStatus.CHECKED, ReviewStatus.SELECTED)
    assert list(claim.flags.values_list("code", flat=True)) == [FlagCode.LATE_ENTRY]
    late = (timezone.localdate() - VISIT).days
    assert f"Entered {late} days after the visit ended." in page.inner_text("#review-card")

    # the medical officer reviews it in the queue
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    officer = context.new_page()
    officer.set_default_timeout(20_000)
    log_in(officer, base, medical_officer.username)
    officer.goto(f"{base}/claims/review/")
    officer.wait_for_selector("#review-flags")
    assert f"Entered {late} days after the visit ended." in officer.inner_text("#review-flags")
    assert officer.inner_text("#queue-count") == "1"
    officer.screenshot(path=str(output_dir / "review-queue.png"), full_page=True)
    # on a phone the queue stacks: list, then the panel with the flag and the decisions
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-GB")
    small = phone.new_page()
    log_in(small, base, medical_officer.username)
    small.goto(f"{base}/claims/review/")
    small.wait_for_selector("#review-flags")
    small.screenshot(path=str(output_dir / "review-queue-360.png"), full_page=True)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360 px"
    phone.close()
    item = ClaimItem.objects.get(claim=claim)
    officer.fill(f"input[name='item-{item.pk}-qty']", "8")
    officer.fill(f"input[name='item-{item.pk}-justification']", "Eight days of treatment are enough")
    officer.locator("body").click(position={"x": 5, "y": 5})  # leave the field: keys are the queue's again
    officer.keyboard.press("a")
    officer.wait_for_selector("#review-done")
    assert "Claim E2E-1 approved." in officer.inner_text("#review-done")
    officer.wait_for_selector(f"#row-{claim.uuid}", state="detached")  # the row goes without a page load
    officer.wait_for_function("document.getElementById('queue-count').textContent === '0'")
    officer.screenshot(path=str(output_dir / "review-approved.png"), full_page=True)
    claim.refresh_from_db()
    assert (claim.review_status, claim.reviewed_by, claim.approved) == (
        ReviewStatus.DELIVERED,
        medical_officer,
        Decimal("6900.00"),  # 8 x 300 + 4500
    )

    context.close()
