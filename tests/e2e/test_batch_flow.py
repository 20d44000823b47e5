"""In Chromium, with a real Celery worker: an accountant opens Batch runs, starts the national run of January 2026
(three Processed claims on relative prices at facility A), watches the progress bar reach the end, reads the
summary and downloads the facility's remuneration statement as a PDF. Screenshots in test-output/."""

# ruff: noqa: F811 - `capitated` is the capitation tests' fixture, imported

import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from pypdf import PdfReader

from batch.capitation import capitation_compute
from batch.models import BatchRun, BatchRunStatus
from claim.models import Claim, ClaimStatus
from openimis.accounts import roles
from tests.batch.test_capitation import capitated  # noqa: F401 - three capitated dispensaries
from tests.batch.test_run import _claim, _distribute, _scheme
from tests.e2e.browser import log_in
from tests.factories import UserFactory
from tests.workers import celery_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_accountant_runs_january_and_downloads_a_statement(
    browser, page, live_server, country, scheme_admin, capitated, output_dir
):
    accountant = UserFactory.create(
        username="accountant", role=roles.ACCOUNTANT, scope=[country.region_a, country.region_b]
    )
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {1: "50", 2: "50"})
    # by hand (test_run): pool 31.00 x 50 % = 15.50 over 12.34 + 17.66 + 0.00 valued -> index 0.5166666667;
    # R1 6.38 + a fixed 10.00 = 16.38, R2 9.12, R3 0.00 + a fixed 4.00 = 4.00; facility A is paid 29.50
    _claim(s, "R1", date(2026, 1, 10), ["12.34"], fixed=["10.00"])
    _claim(s, "R2", date(2026, 1, 31), ["17.66"])
    _claim(s, "R3", date(2026, 1, 20), ["0.00"], fixed=["4.00"])
    for code, asked in [("R1", "25.00"), ("R2", "17.66"), ("R3", "6.00")]:
        Claim.objects.filter(code=code).update(claimed=D(asked))
    # the capitation of January (test_capitation's hand example): HFA 82.11, HFB 54.57, HFC 18.32
    capitation_compute(product=capitated.product, year=2026, month=1, today=date(2026, 2, 1))
    base = live_server.url

    log_in(page, base, accountant.username)
    page.click("#main-navbar >> text=Claims")
    page.click("#main-navbar >> text=Batch runs")
    page.wait_for_url(f"{base}/batch/")
    page.fill("#id_year", "2026")
    page.select_option("#id_month", "1")
    page.select_option("#id_region", "")
    page.click("#start-run-button")
    page.wait_for_url("**/batch/*-*-*-*-*/")
    # no worker yet: the run waits, its progress bar polls
    page.wait_for_selector("#run-progress")
    assert "Waiting for a worker" in page.inner_text("#run-progress")
    page.screenshot(path=str(output_dir / "batch-run-progress.png"), full_page=True)
    with celery_worker():
        page.wait_for_selector("#facility-table", timeout=60_000)  # the job ended: the page reloaded with the result
    run = BatchRun.objects.get()
    assert run.status == BatchRunStatus.DONE
    mine = Claim.objects.filter(code__in=["R1", "R2", "R3"])
    assert set(mine.values_list("status", flat=True)) == {ClaimStatus.VALUATED}
    assert page.inner_text("#run-status") == "Done"
    assert page.inner_text("#total-claims") == "3"
    assert page.inner_text("#total-remunerated") == "29.50"
    assert page.inner_text("#total-asked") == "48.66"
    assert "0.5166666667" in page.inner_text("#index-table")
    page.screenshot(path=str(output_dir / "batch-run-summary.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("#facility-HFA .statement-pdf:visible")
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "HFA · Facility A" in text and "January 2026" in text
    assert "Total (3 claims)" in text and "29.50" in text
    assert D("29.50") == sum(c.remunerated for c in mine)
    assert "155.00" in page.inner_text("#capitation-table")

    page.goto(f"{base}/batch/")
    page.wait_for_selector("#run-table")
    assert "29.50" in page.inner_text("#run-table")
    page.screenshot(path=str(output_dir / "batch-runs.png"), full_page=True)

    # on a phone: the form stacks, the tables scroll inside themselves, the page does not
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-GB")
    small = phone.new_page()
    log_in(small, base, accountant.username)
    small.goto(f"{base}/batch/")
    small.screenshot(path=str(output_dir / "batch-runs-360.png"), full_page=True)
    assert small.evaluate("document.documentElement.scrollWidth") <= 360
    small.goto(f"{base}/batch/{run.uuid}/")
    small.screenshot(path=str(output_dir / "batch-run-summary-360.png"), full_page=True)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360 px"
    phone.close()
