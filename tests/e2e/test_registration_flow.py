"""An enrolment officer registers a family of four on a phone-sized screen (member rows added with HTMX, a
duplicate warning shown inline), prints the head's card, then finds the person by scanning the card's QR text."""

from pathlib import Path
from urllib.parse import urlparse

import pytest

from insuree import signing
from insuree.models import Family
from tests.e2e.browser import log_in
from tests.e2e.test_card_enquiry import _make_person, _qr_of, _scan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MEMBERS = [("Baraka", "M", "2014-03-02", "4"), ("Neema", "F", "2017-08-19", "4"), ("Mariamu", "F", "1986-11-30", "8")]


def test_enrolment_officer_registers_a_family_of_four(browser, live_server, eo_a, country, output_dir):
    already = _make_person(country.village_a1)  # Rehema Achieng, born 1979-11-05, village A1
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-GB", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("localhost", "127.0.0.1") else None,
    )
    base = live_server.url
    try:
        log_in(page, base, eo_a.username)
        page.goto(f"{base}/families/register/")
        page.select_option("#id_village", label="Municipality A › Village A1")
        page.fill("#id_head-last_name", "Mushi")
        page.fill("#id_head-other_names", "Juma")
        page.select_option("#id_head-gender", "M")
        page.fill("#id_head-dob", "1984-05-06")
        page.fill("#id_head-phone", "+255 754 000 111")
        for i, (name, gender, dob, relationship) in enumerate(MEMBERS):
            page.click("#add-member")
            page.wait_for_selector(f"#id_m{i}-last_name")
            page.fill(f"#id_m{i}-last_name", "Mushi")
            page.fill(f"#id_m{i}-other_names", name)
            page.select_option(f"#id_m{i}-gender", gender)
            page.fill(f"#id_m{i}-dob", dob)
            page.select_option(f"#id_m{i}-relationship", relationship)
        assert page.locator(".member-row").count() == 3
        # a fourth member who is already registered: the warning appears inline before saving
        page.click("#add-member")
        page.wait_for_selector("#id_m3-last_name")
        page.fill("#id_m3-last_name", "Achieng")
        page.fill("#id_m3-other_names", "Rehema")
        page.select_option("#id_m3-gender", "F")
        page.fill("#id_m3-dob", "1979-11-05")
        page.select_option("#id_m3-relationship", "7")
        page.wait_for_selector("#dup-warnings-m3 .alert-warning")
        warning = page.inner_text("#dup-warnings-m3")
        assert "may already be registered" in warning and already.insurance_number in warning
        page.screenshot(path=str(output_dir / "e2e-family-register-duplicate-360.png"), full_page=True)
        page.click("fieldset[data-prefix='m3'] [data-remove-row]")
        assert page.locator(".member-row").count() == 3
        page.screenshot(path=str(output_dir / "e2e-family-register-360.png"), full_page=True)
        page.click("button:has-text('Register the family')")
        page.wait_for_selector("h1:has-text('Family of Juma Mushi')")
        assert page.locator("#members li").count() == 4
        page.screenshot(path=str(output_dir / "e2e-family-detail-360.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways ({width}px)"

        head = Family.objects.get(head__other_names="Juma").head
        page.goto(f"{base}/insurees/{head.uuid}/card/")
        with page.expect_download() as download_info:
            page.click("#print-card")
        payload = _qr_of(Path(download_info.value.path()).read_bytes())
        assert payload == signing.sign(head.insurance_number)
        _scan(page, base, payload)
        assert "Card authentic" in page.inner_text("#authenticity")
        assert "Juma Mushi" in page.inner_text(".enquiry-result")
        page.screenshot(path=str(output_dir / "e2e-enquiry-scanned-360.png"), full_page=True)
    finally:
        context.close()

    family = Family.objects.get(head__other_names="Juma")
    assert family.village == country.village_a1
    assert sorted(family.members.values_list("other_names", flat=True)) == ["Baraka", "Juma", "Mariamu", "Neema"]
    assert outside == []
