"""Membership cards: the signed QR payload, the PDF (CR80 size, a QR a real decoder reads), printing and reprinting,
card batches as jobs, scope, pages and API."""

import io
from datetime import date

import pytest
import zxingcpp
from django.db import transaction
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from insuree import card_services, cards, signing
from insuree.card_tasks import print_cards_task
from insuree.models import CardPrint, Family, Insuree
from insuree.numbers import NumberScheme
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from openimis.common.models import Job, JobStatus

pytestmark = pytest.mark.django_db


CR80_PT = (85.6 / 25.4 * 72, 54 / 25.4 * 72)  # 242.6 x 153.1 pt


def make_person(village, *, last_name: str = "Mwangi", other_names: str = "Juma", **extra) -> Insuree:
    """A head of family in `village`, with a generated insurance number (family and head in one transaction)."""
    with transaction.atomic():
        head = Insuree.objects.create(
            insurance_number=NumberScheme.from_settings().generate(),
            last_name=last_name,
            other_names=other_names,
            gender="F",
            dob=date(1985, 3, 14),
            **extra,
        )
        family = Family.objects.create(head=head, village=village)
        head.family = family
        head.save(update_fields=["family"])
    return head


def qr_texts(pdf: bytes) -> list[str]:
    """Every QR code a real decoder (zxing-cpp) reads in the images of the PDF, sorted, each once (WeasyPrint
    shares one resource dictionary between the pages of a document)."""
    texts = set()
    seen = set()
    for image in (i for p in PdfReader(io.BytesIO(pdf)).pages for i in p.images):
        if image.indirect_reference is not None:
            if image.indirect_reference.idnum in seen:
                continue
            seen.add(image.indirect_reference.idnum)
        picture = Image.open(io.BytesIO(image.data)).convert("L")
        picture = picture.resize((picture.width * 8, picture.height * 8), Image.Resampling.NEAREST)
        texts |= {r.text for r in zxingcpp.read_barcodes(picture) if r.format == zxingcpp.BarcodeFormat.QRCode}
    return sorted(texts)


# --- signing ----------------------------------------------------------------------------------------------


def test_a_signed_payload_verifies():
    payload = signing.sign("1234567897")
    assert payload.startswith("1234567897.") and len(payload) == 10 + 1 + signing.SIGNATURE_LENGTH
    assert signing.verify(payload) == ("1234567897", True)
    assert signing.verify(payload.lower()) == ("1234567897", True)  # a scanner with caps lock on


def test_a_tampered_number_is_invalid():
    signature = signing.sign("1234567897").split(".")[1]
    assert signing.verify(f"1234567898.{signature}") == ("1234567898", False)


def test_a_tampered_signature_is_invalid():
    payload = signing.sign("1234567897")
    last = "A" if payload[-1] != "A" else "B"
    assert signing.verify(payload[:-1] + last) == ("1234567897", False)


def test_an_unsigned_payload_is_invalid():
    assert signing.verify("1234567897") == ("1234567897", False)
    assert signing.verify("1234567897.") == ("1234567897", False)
    assert not signing.looks_signed("1234567897")


def test_another_key_makes_the_card_invalid(settings):
    payload = signing.sign("1234567897")
    settings.CARD_SIGNING_KEY = "another key"
    assert signing.verify(payload) == ("1234567897", False)


# --- the PDF ----------------------------------------------------------------------------------------------


def test_a_card_is_cr80_and_its_qr_decodes_to_the_signed_payload(eo_a, country):
    person = make_person(country.village_a1)
    pdf = card_services.card_print(user=eo_a, insuree=person)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(CR80_PT[0], abs=0.5)
    assert float(box.height) == pytest.approx(CR80_PT[1], abs=0.5)
    assert qr_texts(pdf) == [signing.sign(person.insurance_number)]
    text = reader.pages[0].extract_text()
    assert person.insurance_number in text and "Juma Mwangi" in text


def test_a_sheet_holds_ten_cards_on_a4(country):
    numbers = [NumberScheme.from_settings().generate() for _ in range(12)]
    pdf = cards.render_cards([cards.CardData(number=n, name="X Y", dob=date(2000, 1, 1)) for n in numbers], cards.SHEET)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595.3, abs=0.5)
    assert qr_texts(pdf) == sorted(signing.sign(n) for n in numbers)


def test_a_stock_card_has_the_number_and_qr_but_no_person():
    pdf = cards.render_cards([cards.CardData(number="1234567897", stock=True)])
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "1234567897" in text and "Date of birth" not in text
    assert qr_texts(pdf) == [signing.sign("1234567897")]


def test_the_photo_is_on_the_card(eo_a, country, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (90, 120), (200, 30, 30)).save(tmp_path / "photos" / "p.jpg")
    person = make_person(country.village_a1, photo="photos/p.jpg")
    pdf = card_services.card_print(user=eo_a, insuree=person)
    sizes = {(i.image.width, i.image.height) for i in PdfReader(io.BytesIO(pdf)).pages[0].images}
    assert (90, 120) in sizes


# --- printing ---------------------------------------------------------------------------------------------


def test_printing_records_the_print_and_marks_the_card_issued(eo_a, country):
    person = make_person(country.village_a1)
    card_services.card_print(user=eo_a, insuree=person)
    person.refresh_from_db()
    assert person.card_issued
    assert list(CardPrint.objects.filter(insuree=person).values_list("printed_by", "reason")) == [(eo_a.pk, "")]


def test_a_reprint_needs_a_reason(eo_a, country):
    person = make_person(country.village_a1)
    card_services.card_print(user=eo_a, insuree=person)
    with pytest.raises(ApplicationError) as exc:
        card_services.card_print(user=eo_a, insuree=person, reason="  ")
    assert exc.value.code == "reprint_reason" and "reason" in exc.value.fields
    card_services.card_print(user=eo_a, insuree=person, reason="Lost")
    assert sorted(CardPrint.objects.filter(insuree=person).values_list("reason", flat=True)) == ["", "Lost"]


def test_an_officer_cannot_print_the_card_of_another_district(eo_b, nobody, country):
    person = make_person(country.village_a1)
    for user in (eo_b, nobody):
        with pytest.raises(ApplicationError) as exc:
            card_services.card_print(user=user, insuree=person)
        assert exc.value.code == "not_found"
    assert not CardPrint.objects.exists()


def test_printing_needs_the_permission(medical_officer, country):
    person = make_person(country.village_a1)
    with pytest.raises(PermissionDeniedError):
        card_services.card_print(user=medical_officer, insuree=person)


# --- batches ----------------------------------------------------------------------------------------------


def test_a_village_batch_prints_every_active_member_and_records_them(eo_a, country):
    people = [make_person(country.village_a1, last_name=f"Person{i}") for i in range(12)]
    make_person(country.village_a2)  # another village
    gone = make_person(country.village_a1, status="DE", status_date=date(2026, 1, 1))
    job = card_services.card_batch_start(user=eo_a, village=country.village_a1, layout=cards.SHEET)
    print_cards_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.kind_label == "Printing of membership cards"
    assert job.result["cards"] == 12
    pdf = job.result_file.read()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert qr_texts(pdf) == sorted(signing.sign(p.insurance_number) for p in people)
    assert set(CardPrint.objects.filter(job=job).values_list("insuree", flat=True)) == {p.pk for p in people}
    assert Insuree.objects.filter(card_issued=True).count() == 12
    assert not Insuree.objects.get(pk=gone.pk).card_issued


def test_a_not_printed_batch_skips_issued_cards_and_other_districts(eo_a, country, monkeypatch):
    monkeypatch.setattr(card_services, "CHUNK", 2)  # several chunks merged into one PDF
    fresh = [make_person(country.village_a1), make_person(country.village_a2), make_person(country.village_a2)]
    printed = make_person(country.village_a1)
    card_services.card_print(user=eo_a, insuree=printed)
    make_person(country.village_b1)
    job = card_services.card_batch_start(user=eo_a, not_printed=True, layout=cards.SINGLE)
    print_cards_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    pdf = job.result_file.read()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3
    assert set(CardPrint.objects.filter(job=job).values_list("insuree", flat=True)) == {p.pk for p in fresh}


def test_a_batch_outside_the_scope_is_refused(eo_b, country):
    with pytest.raises(ApplicationError) as exc:
        card_services.card_batch_start(user=eo_b, village=country.village_a1, layout=cards.SHEET)
    assert "village" in exc.value.fields
    with pytest.raises(ApplicationError):
        card_services.card_batch_start(user=eo_b, district=country.district_a, layout=cards.SHEET)
    assert not Job.objects.exists()


def test_an_empty_batch_fails_with_a_message(eo_a, country):
    job = card_services.card_batch_start(user=eo_a, district=country.district_a, layout=cards.SHEET)
    print_cards_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Nobody to print" in job.error


# --- pages ------------------------------------------------------------------------------------------------


def test_the_card_page_downloads_the_pdf_and_asks_a_reason_for_a_reprint(login, eo_a, country):
    person = make_person(country.village_a1)
    client = login(eo_a)
    url = reverse("insuree:insuree_card", args=[person.uuid])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    again = client.post(url, {"reason": ""})
    assert again.status_code == 200 and again["Content-Type"].startswith("text/html")
    assert "give the reason for the reprint" in again.content.decode()


def test_the_card_page_of_another_district_is_not_found(login, eo_b, country):
    person = make_person(country.village_a1)
    assert login(eo_b).get(reverse("insuree:insuree_card", args=[person.uuid])).status_code == 404


def test_the_batch_page_starts_a_job(login, eo_a, country):
    make_person(country.village_a1)
    client = login(eo_a)
    assert client.get(reverse("insuree:card_batches")).status_code == 200
    response = client.post(
        reverse("insuree:card_batches"),
        {"selection": "village", "village": country.village_a1.pk, "layout": cards.SHEET},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("common:job_detail", args=[job.uuid])
    assert job.kind == card_services.KIND_CARDS


def test_the_batch_page_does_not_offer_other_districts(login, eo_b, country):
    response = login(eo_b).post(
        reverse("insuree:card_batches"),
        {"selection": "village", "village": country.village_a1.pk, "layout": cards.SHEET},
    )
    assert response.status_code == 200 and not Job.objects.exists()


# --- API --------------------------------------------------------------------------------------------------


def test_api_get_returns_the_card_without_recording_it(api, eo_a, country):
    person = make_person(country.village_a1)
    response = api(eo_a).get(f"/api/v1/insurees/{person.uuid}/card/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert qr_texts(response.content) == [signing.sign(person.insurance_number)]
    assert not CardPrint.objects.exists()


def test_api_post_records_the_print_and_needs_a_reason_for_a_reprint(api, eo_a, country):
    person = make_person(country.village_a1)
    client = api(eo_a)
    assert client.post(f"/api/v1/insurees/{person.uuid}/card/", {}, format="json").status_code == 200
    refused = client.post(f"/api/v1/insurees/{person.uuid}/card/", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    assert client.post(f"/api/v1/insurees/{person.uuid}/card/", {"reason": "Lost"}, format="json").status_code == 200
    assert CardPrint.objects.filter(insuree=person).count() == 2


def test_api_card_of_another_district_is_not_found(api, eo_b, nobody, country):
    person = make_person(country.village_a1)
    for user in (eo_b, nobody):
        assert api(user).get(f"/api/v1/insurees/{person.uuid}/card/").status_code == 404
