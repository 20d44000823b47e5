"""On the demo data, as a demo enrolment officer would: sell BASIC to a demo family that is not insured yet, record
the payment, and the enquiry page then shows its head as covered."""

import io

import pytest
from django.core.management import call_command

from insuree.models import Family
from policy.models import Policy, PolicyStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_officer_sells_basic_to_a_demo_family(page, live_server, output_dir):
    call_command("load_demo", stdout=io.StringIO())
    from openimis.accounts.models import User

    officer = User.objects.get(username="eo_bahari")
    family = (
        Family.objects.visible_to(officer).filter(policies__isnull=True).select_related("head").order_by("pk").first()
    )
    assert family is not None, "the demo leaves some families of district Bahari uninsured"
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "eo_bahari")
    page.fill("#id_password", "openimis-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/families/{family.uuid}/")
    page.click("#new-policy")
    page.wait_for_selector("h1:has-text('New policy')")
    page.select_option("#id_product", label="BASIC Afya Msingi basic cover")
    page.wait_for_selector("#preview-value")
    page.screenshot(path=str(output_dir / "demo-policy-preview.png"), full_page=True)
    page.click("#confirm-policy")
    page.wait_for_selector("h1:has-text('Policy BASIC')")
    policy = Policy.objects.get(family=family)
    assert policy.status == PolicyStatus.IDLE

    page.fill("#id_receipt", f"BH-{family.pk}")
    page.click("#record-payment")
    page.wait_for_selector("#messages:has-text('now active')")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.ACTIVE

    page.goto(f"{base}/enquiry/")
    page.fill("#enquiry-q", family.head.insurance_number)
    page.keyboard.press("Enter")
    page.wait_for_selector(".coverage-summary")
    summary = page.inner_text(".coverage-summary")
    assert "Covered" in summary and "Not covered" not in summary and "BASIC" in summary
    page.screenshot(path=str(output_dir / "demo-policy-enquiry-covered.png"), full_page=True)
