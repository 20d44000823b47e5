"""A scheme administrator builds a region, district and facility in Chromium, imports villages and watches the job."""

from urllib.parse import urlparse

import pytest

from location.models import HealthFacility, Location
from tests.e2e.browser import log_in
from tests.workers import celery_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VILLAGES_CSV = (
    "type,code,name,parent_code,male_population,female_population\n"
    "W,WN01,Mlimani,DN01,,\n"
    "V,VN011,Kijiji Juu,WN01,520,540\n"
    "V,VN012,Kijiji Chini,WN01,310,330\n"
    "V,VN013,Kisima,WN01,200,210\n"
)


def test_scheme_admin_builds_a_district_and_imports_villages(page, live_server, scheme_admin, output_dir):
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("localhost", "127.0.0.1") else None,
    )
    base = live_server.url
    log_in(page, base, scheme_admin.username)

    page.click("main >> text=Locations")  # the home page lists every menu entry
    page.click("text=New region")
    page.fill("#id_code", "RN")
    page.fill("#id_name", "North")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('North')")

    page.click("text=New district")
    page.fill("#id_code", "DN01")
    page.fill("#id_name", "North District")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('North District')")
    assert Location.objects.get(code="DN01").parent.code == "RN"

    page.goto(f"{base}/health-facilities/new/")
    page.fill("#id_code", "HFN01")
    page.fill("#id_name", "North Health Centre")
    page.select_option("#id_district", label="DN01 North District")
    page.select_option("#id_level", "C")
    page.select_option("#id_legal_form", "G")
    page.fill("#id_contract_start_date", "2026-01-01")
    page.fill("#id_contract_end_date", "2025-01-01")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=The contract must end after it starts.")
    page.fill("#id_contract_end_date", "2028-12-31")
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('North Health Centre')")
    assert HealthFacility.objects.get(code="HFN01").district.code == "DN01"

    with celery_worker():
        page.goto(f"{base}/locations/import/")
        page.set_input_files(
            "#id_file", files=[{"name": "villages.csv", "mimeType": "text/csv", "buffer": VILLAGES_CSV.encode()}]
        )
        page.click("button:has-text('Import')")
        page.wait_for_url("**/jobs/**")
        page.wait_for_selector("#job-progress[data-status='2']", timeout=60_000)
    assert page.inner_text("#job-status") == "Done"
    assert "100" in page.inner_text("#job-progress")
    page.screenshot(path=str(output_dir / "e2e-import-done.png"), full_page=True)

    assert Location.objects.filter(code__startswith="VN01", parent__code="WN01").count() == 3
    page.goto(f"{base}/locations/{Location.objects.get(code='DN01').uuid}/?tab=villages")
    assert page.locator("tbody tr").count() == 3
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(output_dir / "e2e-district-villages-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=30_000)
    page.screenshot(path=str(output_dir / "e2e-api-docs.png"))
    assert outside == [], outside
