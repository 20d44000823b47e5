"""An enrolment officer prints a person's card in Chromium, then checks it on the enquiry page the way a USB
scanner does (typing the QR code's text and Enter): the genuine card is authentic, a tampered one is forged."""

import io
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
import zxingcpp
from django.db import transaction
from PIL import Image
from pypdf import PdfReader

from insuree import signing
from insuree.models import CardPrint, Family, Insuree
from insuree.numbers import NumberScheme
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _make_person(village) -> Insuree:
    with transaction.atomic():
        head = Insuree.objects.create(
            insurance_number=NumberScheme.from_settings().generate(),
            last_name="Achieng",
            other_names="Rehema",
            gender="F",
            dob=date(1979, 11, 5),
        )
        family = Family.objects.create(head=head, village=village)
        head.family = family
        head.save(update_fields=["family"])
    return head


def _qr_of(pdf: bytes) -> str:
    for image in PdfReader(io.BytesIO(pdf)).pages[0].images:
        picture = Image.open(io.BytesIO(image.data)).convert("L")
        picture = picture.resize((picture.width * 8, picture.height * 8), Image.Resampling.NEAREST)
        for found in zxingcpp.read_barcodes(picture):
            return found.text
    raise AssertionError("no QR code on the card")


def _scan(page, base: str, text: str) -> None:
    page.goto(f"{base}/enquiry/")
    page.click("#enquiry-q")
    page.keyboard.type(text, delay=5)  # a USB scanner is a keyboard
    page.keyboard.press("Enter")
    page.wait_for_selector("#authenticity")


def test_officer_prints_a_card_and_the_enquiry_checks_it(page, live_server, eo_a, country, output_dir):
    person = _make_person(country.village_a1)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("localhost", "127.0.0.1") else None,
    )
    base = live_server.url
    log_in(page, base, eo_a.username)

    page.goto(f"{base}/insurees/{person.uuid}/card/")
    with page.expect_download() as download_info:
        page.click("#print-card")
    download = download_info.value
    assert download.suggested_filename == f"card-{person.insurance_number}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert CardPrint.objects.filter(insuree=person, printed_by=eo_a).count() == 1
    payload = _qr_of(pdf)
    assert payload == signing.sign(person.insurance_number)

    _scan(page, base, payload)
    banner = page.inner_text("#authenticity")
    assert "Card authentic" in banner
    result = page.inner_text(".enquiry-result")
    assert "Rehema Achieng" in result and person.insurance_number in result and "Village A1" in result
    page.screenshot(path=str(output_dir / "card-enquiry-authentic.png"), full_page=True)

    tampered = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    _scan(page, base, tampered)
    assert "FORGED CARD: the signature does not match" in page.inner_text("#authenticity")
    page.screenshot(path=str(output_dir / "card-enquiry-forged.png"), full_page=True)
    assert outside == []
