"""In Chromium on a phone-sized screen (360 px): a claim administrator attaches a scan to a claim (HTMX swaps the
card), sees a refusal next to the input, downloads the document and removes it. Screenshots in test-output/."""

import pytest

from claim.models import Claim, ClaimAttachment
from tests.claim.test_attachments import EXE, PDF, _claim
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_attaching_downloading_and_removing_on_a_phone(
    browser, live_server, claim_admin, country, output_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    claim: Claim = _claim(country, country.facility_a, "HFA-77", claim_admin)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    base = live_server.url
    log_in(page, base, claim_admin.username)

    page.goto(f"{base}/claims/{claim.uuid}/")
    page.wait_for_selector("#no-attachments")
    page.set_input_files("#id_file", files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": EXE}])
    page.click("#attach-document")
    page.wait_for_selector("#id_file_error")
    assert "Accepted types: PDF, JPEG, PNG, WebP" in page.inner_text("#attachments")

    page.set_input_files("#id_file", files=[{"name": "referral.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.fill("#id_title", "Referral letter")
    page.click("#attach-document")
    page.wait_for_selector("#attachment-list")
    assert "The document was attached." in page.inner_text("#attachments")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360  # nothing wider than the screen
    page.screenshot(path=str(output_dir / "claim-attachments-360.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#attachment-list a")
    assert download.value.suggested_filename == "Referral letter.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PDF

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#attachment-list button[type=submit]")
    page.wait_for_selector("#no-attachments")
    assert not ClaimAttachment.objects.exists()
    context.close()
