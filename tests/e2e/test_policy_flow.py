"""An enrolment officer sells a policy to a family in Chromium: sees the computed value and dates before confirming,
records the payment (the policy becomes active), prints the receipt; the enquiry page then shows a member as
covered, and the eligibility page what remains. The pages are also checked at 360 px wide."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.db import transaction

from insuree.models import Family, Insuree
from policy.models import Contribution, InsureePolicy, Policy, PolicyStatus
from tests.e2e.browser import log_in
from tests.insuree.factories import make_family
from tests.policy.factories import ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360 px"


def _data(village) -> tuple[Family, Insuree]:
    with transaction.atomic():
        ProductFactory.create(
            code="AFYA",
            name="Afya family cover",
            premium_adult=Decimal(12000),
            premium_child=Decimal(6000),
            registration_fee=Decimal(1000),
            general_assembly_fee=Decimal(500),
            grace_period_payment=2,
            max_no_consultation=12,
            max_no_hospitalization=3,
            ceiling_type="P",
            ded_policy=Decimal(5000),
            max_policy=Decimal(2000000),
        )
        ProductFactory.create(code="OLD", name="Ended cover", date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))
        family = make_family(village, members=1, head_name="Neema", last_name="Wanjiru")
    child = Insuree.objects.get(family=family, other_names="Child0")
    return family, child


def test_officer_sells_a_policy_records_the_payment_and_the_member_is_covered(
    page, live_server, eo_a, country, output_dir
):
    family, child = _data(country.village_a1)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("localhost", "127.0.0.1") else None,
    )
    base = live_server.url
    log_in(page, base, eo_a.username)

    # the family page shows its (empty) policies card, loaded by HTMX, with the "New policy" button
    page.goto(f"{base}/families/{family.uuid}/")
    page.wait_for_selector("#family-policies:has-text('This family has no policy yet.')")
    page.click("#new-policy")
    page.wait_for_selector("h1:has-text('New policy')")
    assert "OLD" not in page.inner_text("#id_product")  # not sold today

    # choosing the product previews the terms before anything is written
    page.select_option("#id_product", label="AFYA Afya family cover")
    page.wait_for_selector("#preview-value")
    assert page.inner_text("#preview-value") == "21,000.00"  # 12,000 + 6,000 + 2 x 1,000 + 2 x 500
    preview = page.inner_text("#policy-preview")
    assert "2 members covered" in preview and "Neema Wanjiru" in preview and "Child0 Wanjiru" in preview
    assert not Policy.objects.exists()
    page.screenshot(path=str(output_dir / "policy-new-preview.png"), full_page=True)

    # a date the product was not sold on lists the products of that date instead
    page.fill("#id_enroll_date", "2020-06-01")
    page.dispatch_event("#id_enroll_date", "change")
    page.wait_for_selector("#id_product option:has-text('OLD')", state="attached")
    page.fill("#id_enroll_date", date.today().isoformat())
    page.dispatch_event("#id_enroll_date", "change")
    page.wait_for_selector("#id_product option:has-text('AFYA')", state="attached")
    page.select_option("#id_product", label="AFYA Afya family cover")
    page.wait_for_selector("#preview-value")

    page.click("#confirm-policy")
    page.wait_for_selector("h1:has-text('Policy AFYA')")
    policy = Policy.objects.get()
    assert policy.status == PolicyStatus.IDLE and policy.value == Decimal(21000)
    assert "The policy was created" in page.inner_text("#messages")
    assert page.inner_text("#policy-balance") == "21,000.00"
    assert "not covered until paid" in page.inner_text("#policy-members")

    # the payment: the amount is the balance already; the receipt number is the officer's receipt book
    assert page.input_value("#id_amount") == "21000.00"
    page.fill("#id_receipt", "RB-0001")
    page.click("#record-payment")
    page.wait_for_selector("#messages:has-text('now active')")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE
    assert Contribution.objects.get().receipt == "RB-0001"
    assert not InsureePolicy.objects.filter(policy=policy, effective_date__isnull=True).exists()
    assert page.inner_text("#policy-balance") == "0.00"
    page.screenshot(path=str(output_dir / "policy-paid.png"), full_page=True)

    # the receipt is a PDF
    href = page.get_attribute("#contributions a[href$='receipt.pdf']", "href")
    response = page.request.get(f"{base}{href}")
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")
    (output_dir / "policy-receipt.pdf").write_bytes(response.body())

    page.click(".nav-tabs a:has-text('History')")
    page.wait_for_selector(".history")
    assert "Contribution RB-0001" in page.inner_text(".history")
    page.screenshot(path=str(output_dir / "policy-history.png"), full_page=True)

    # the family's card lists the active policy
    page.goto(f"{base}/families/{family.uuid}/")
    page.wait_for_selector("#family-policies:has-text('Active')")
    assert "21,000.00" in page.inner_text("#family-policies")
    page.screenshot(path=str(output_dir / "policy-family-card.png"), full_page=True)

    # the enquiry for the child: covered, with the policy; then what remains on the eligibility page
    page.goto(f"{base}/enquiry/")
    page.fill("#enquiry-q", child.insurance_number)
    page.keyboard.press("Enter")
    page.wait_for_selector(".coverage-summary")
    summary = page.inner_text(".coverage-summary")
    assert "Covered" in summary and "Not covered" not in summary and "AFYA" in summary and "Active" in summary
    page.screenshot(path=str(output_dir / "policy-enquiry-covered.png"), full_page=True)
    page.click(".coverage-summary a")
    page.wait_for_selector("#eligibility-covered")
    assert "Covered" in page.inner_text("#eligibility-covered")
    text = page.inner_text(".eligibility-policy")
    assert "Consultations" in text and "Hospitalisations" in text and "5,000.00" in text
    page.screenshot(path=str(output_dir / "policy-eligibility.png"), full_page=True)

    # phones: 360 px wide, nothing scrolls sideways but the tables inside their own box
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{base}/policies/{policy.uuid}/")
    page.wait_for_selector("#contributions")
    page.screenshot(path=str(output_dir / "policy-detail-360.png"), full_page=True)
    _no_sideways_scroll(page)
    page.goto(f"{base}/policies/family/{family.uuid}/new/")
    page.select_option("#id_product", label="AFYA Afya family cover")
    page.wait_for_selector("#preview-value")
    page.screenshot(path=str(output_dir / "policy-new-360.png"), full_page=True)
    _no_sideways_scroll(page)
    page.goto(f"{base}/policies/?expiring=on")
    _no_sideways_scroll(page)
    page.goto(f"{base}/policies/")
    _no_sideways_scroll(page)
    page.screenshot(path=str(output_dir / "policy-list-360.png"), full_page=True)
    assert outside == []
