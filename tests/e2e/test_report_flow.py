"""A manager opens the dashboard (every chart drawn, on a desktop and on a 360 px phone), then runs the claim overview
as a background job in real Chromium, with a real Celery worker: the form, the job page's progress bar, the PDF
downloaded with the figures worked out by hand."""

import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from pypdf import PdfReader

from claim.models import Claim
from dashboard.services import figures_refresh
from openimis.accounts import roles
from tests.batch.test_run import _claim, _distribute, _scheme
from tests.e2e.browser import log_in
from tests.factories import UserFactory
from tests.workers import celery_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# every chart's canvas has a size and a Chart.js chart drawn on it
CHARTS_DRAWN = """() => {
    const canvases = Array.from(document.querySelectorAll("canvas[id^='chart-']"));
    return canvases.length > 0 && canvases.every(c => window.Chart && Chart.getChart(c) && c.clientWidth > 0
        && c.clientHeight > 0);
}"""
CANVAS_SIZES = """() => Array.from(document.querySelectorAll("canvas[id^='chart-']")).map(c => ({
    id: c.id, width: c.getBoundingClientRect().width, height: c.getBoundingClientRect().height,
    points: Chart.getChart(c).data.datasets.reduce((n, d) => n + d.data.length, 0),
}))"""


def _open_the_dashboard(page, base: str, output_dir: Path) -> None:
    page.click("#main-navbar >> text=Dashboard")
    page.wait_for_url(f"{base}/dashboard/")
    page.wait_for_function(CHARTS_DRAWN)
    sizes = page.evaluate(CANVAS_SIZES)
    assert {s["id"] for s in sizes} >= {"chart-enrolment", "chart-claim_amounts", "chart-claim_status"}
    assert all(s["width"] > 0 and s["height"] > 0 for s in sizes)
    assert all(s["points"] > 0 for s in sizes if s["id"] == "chart-claim_amounts")
    assert page.text_content("#dashboard-as-of").strip().startswith("Figures as of")
    page.screenshot(path=str(output_dir / "dashboard-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    # Chart.js follows its box when the browser reports the resize (ResizeObserver): wait until every chart is within
    # the phone's width, one under the other (a chart that does not follow times this out)
    page.wait_for_function(f"() => ({CANVAS_SIZES})().every(s => s.width > 0 && s.width <= 360)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    page.screenshot(path=str(output_dir / "dashboard-mobile.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


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
    figures_refresh()  # the beat job's refresh

    log_in(page, base, manager.username)
    _open_the_dashboard(page, base, output_dir)
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
