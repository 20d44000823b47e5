"""A manager runs the claim overview as a background job in real Chromium, with a real Celery worker: the form, the
job page's progress bar, the PDF downloaded with the figures worked out by hand."""

import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from pypdf import PdfReader

from claim.models import Claim
from openimis.accounts import roles
from tests.batch.test_run import _claim, _distribute, _scheme
from tests.e2e.browser import log_in
from tests.factories import UserFactory
from tests.workers import celery_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_runs_the_claim_overview_and_downloads_the_pdf(
    browser, page, live_server, country, scheme_admin, output_dir
):
    manager = UserFactory.create(username="manager", role=roles.MANAGER, scope=[country.region_a, country.region_b])
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {1: "50"})
    # two Processed claims of January at facility A, asked 12.34 and 17.66: 2 claims, 30.00 claimed
    _claim(s, "O1", date(2026, 1, 10), ["12.34"])
    _claim(s, "O2", date(2026, 1, 20), ["17.66"])
    for code, asked in [("O1", "12.34"), ("O2", "17.66")]:
        Claim.objects.filter(code=code).update(claimed=D(asked))
    base = live_server.url

    log_in(page, base, manager.username)
    page.click("#main-navbar >> text=Reports")
    page.wait_for_url(f"{base}/reports/")
    page.click("a[href='/reports/claim_overview/']")
    page.fill("#id_date_from", "2026-01-01")
    page.fill("#id_date_to", "2026-01-31")
    page.check("input[name=fmt][value=pdf]")
    page.screenshot(path=str(output_dir / "report-form.png"), full_page=True)
    page.click("#run-report")
    page.wait_for_url("**/jobs/*-*-*-*-*/")
    assert page.get_attribute("#job-progress", "data-status") == "0"  # queued: no worker yet, the bar polls
    with celery_worker():
        page.wait_for_selector("#job-progress[data-status='2']", timeout=60_000)
    page.screenshot(path=str(output_dir / "report-done.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("text=Download the result")
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Claim overview" in text and "Facility A" in text
    assert "30.00" in text  # 12.34 + 17.66 claimed
