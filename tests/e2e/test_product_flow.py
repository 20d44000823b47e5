"""A scheme administrator creates a product with item and service limitations in Chromium and finds it in the list."""

from decimal import Decimal
from urllib.parse import urlparse

import pytest

from policy.models import Product
from tests.e2e.browser import log_in
from tests.policy.factories import ItemFactory, ServiceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_scheme_admin_creates_a_product_with_limitations(page, live_server, scheme_admin, country, output_dir):
    ItemFactory.create(code="PCM500", name="Paracetamol 500 mg tablets", price=Decimal(50))
    ItemFactory.create(code="AMX500", name="Amoxicillin 500 mg capsules", price=Decimal(120))
    ServiceFactory.create(code="CSGEN", name="General consultation", price=Decimal(5000))
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("localhost", "127.0.0.1") else None,
    )
    base = live_server.url
    log_in(page, base, scheme_admin.username)

    page.click("text=Scheme set-up")
    page.click("text=Products")
    page.click("text=New product")
    page.fill("#id_code", "E2E1")
    page.fill("#id_name", "Browser cover")
    page.select_option("#id_location", label="RA Region A")
    page.fill("#id_date_from", "2026-01-01")
    page.fill("#id_date_to", "2026-12-31")
    page.fill("#id_premium_adult", "12000")
    page.fill("#id_threshold", "4")  # no lump sum: refused next to the field
    page.fill("#id_start_cycle_1", "31-02")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#id_threshold_error")
    assert "needs a lump sum" in page.inner_text("#id_threshold_error")
    assert "28 days" in page.inner_text("#id_start_cycle_1_error")
    page.fill("#id_lump_sum", "40000")
    page.fill("#id_start_cycle_1", "1-7")
    page.select_option("#id_ceiling_type", "I")
    page.fill("#id_max_ip_insuree", "500000")
    page.fill("#id_max_op_insuree", "100000")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('Browser cover')")
    product = Product.objects.get(code="E2E1")
    assert (product.location.code, product.start_cycle_1, product.threshold) == ("RA", "01-07", 4)

    page.click("a.nav-link:has-text('Items')")
    page.click("text=Add items")
    page.fill("#id_codes", "pcm500, AMX500")
    page.select_option("#id_limitation_type", "C")
    page.fill("#id_limit_adult", "80")
    page.fill("#id_limit_child", "100")
    page.fill("#id_limit_no_adult", "30")
    page.click("button:has-text('Add')")
    page.wait_for_selector("text=2 items added.")
    assert page.locator("#lines tbody tr").count() == 2
    assert "C 80 % / 100 %" in page.inner_text("#lines")

    page.click("a.nav-link:has-text('Services')")
    page.click("text=Add services")
    page.fill("#id_codes", "CSGEN")
    page.select_option("#id_limitation_type", "F")
    page.fill("#id_limit_adult", "4000")
    page.fill("#id_limit_child", "5000")
    page.select_option("#id_limitation_type_e", "C")
    page.fill("#id_limit_adult_e", "150")  # a co-insurance above 100 %
    page.click("button:has-text('Add')")
    page.wait_for_selector("#id_limit_adult_e_error")
    page.fill("#id_limit_adult_e", "100")
    page.fill("#id_limit_child_e", "100")
    page.click("button:has-text('Add')")
    page.wait_for_selector("text=1 service added.")
    assert "F 4000 / 5000" in page.inner_text("#lines")
    assert list(product.services.values_list("service__code", "limitation_type_e")) == [("CSGEN", "C")]

    page.click("nav[aria-label='Breadcrumb'] >> text=Products")
    page.wait_for_selector("table")
    row = page.locator("tbody tr", has_text="E2E1")
    assert row.count() == 1 and "Browser cover" in row.inner_text() and "Region A" in row.inner_text()
    page.screenshot(path=str(output_dir / "e2e-product-list.png"), full_page=True)

    page.goto(f"{base}/products/{product.uuid}/edit/")
    page.screenshot(path=str(output_dir / "e2e-product-edit.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/products/{product.uuid}/?tab=services")
    page.screenshot(path=str(output_dir / "e2e-product-services-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{base}/products/{product.uuid}/edit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert outside == [], outside
