"""The enquiry: by insurance number, card payload (authentic or forged), name and phone; always within scope."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from insuree import enquiry, signing
from insuree.models import Family, Insuree
from insuree.numbers import NumberScheme

pytestmark = pytest.mark.django_db


def make_person(village, *, last_name: str = "Mwangi", other_names: str = "Juma", **extra) -> Insuree:
    """A head of family in `village`, with a generated insurance number (family and head in one transaction)."""
    with transaction.atomic():
        head = Insuree.objects.create(
            insurance_number=NumberScheme.from_settings().generate(),
            last_name=last_name,
            other_names=other_names,
            gender="M",
            dob=date(1990, 6, 1),
            **extra,
        )
        family = Family.objects.create(head=head, village=village)
        head.family = family
        head.save(update_fields=["family"])
    return head


def forged(payload: str) -> str:
    return payload[:-1] + ("A" if payload[-1] != "A" else "B")


def test_a_typed_number_finds_the_person_without_an_authenticity_claim(eo_a, country):
    person = make_person(country.village_a1)
    result = enquiry.enquire(eo_a, f"  {person.insurance_number} ")
    assert (result.kind, result.authentic, result.insurees) == ("number", None, [person])


def test_a_signed_payload_is_authentic(eo_a, country):
    person = make_person(country.village_a1)
    result = enquiry.enquire(eo_a, signing.sign(person.insurance_number))
    assert (result.kind, result.authentic, result.insurees) == ("card", True, [person])


def test_a_tampered_qr_is_reported_as_forged(eo_a, country):
    person = make_person(country.village_a1)
    other = make_person(country.village_a1, last_name="Other")
    result = enquiry.enquire(eo_a, forged(signing.sign(person.insurance_number)))
    assert (result.kind, result.forged, result.insurees) == ("card", True, [person])
    # someone else's signature on this number
    signature = signing.sign(other.insurance_number).split(".")[1]
    assert enquiry.enquire(eo_a, f"{person.insurance_number}.{signature}").forged


def test_names_and_phones(eo_a, country):
    amina = make_person(country.village_a1, last_name="Wanjiru", other_names="Amina", phone="+255 700 111 222")
    make_person(country.village_a2, last_name="Wanjiku", other_names="Baraka")
    assert enquiry.enquire(eo_a, "amina wanj").insurees == [amina]
    assert len(enquiry.enquire(eo_a, "wanji").insurees) == 2
    assert enquiry.enquire(eo_a, "+255 700 111 222").insurees == [amina]


def test_an_officer_of_another_district_and_nobody_find_nothing(eo_b, nobody, country):
    person = make_person(country.village_a1, phone="0700123456")
    for user in (eo_b, nobody):
        assert enquiry.enquire(user, person.insurance_number).insurees == []
        assert enquiry.enquire(user, signing.sign(person.insurance_number)).insurees == []
        assert enquiry.enquire(user, "Mwangi").insurees == []
        assert enquiry.enquire(user, "0700123456").insurees == []


def test_the_page_shows_the_person_and_the_authentic_banner(login, eo_a, country):
    person = make_person(country.village_a1)
    client = login(eo_a)
    page = client.get(reverse("insuree:enquiry"), {"q": signing.sign(person.insurance_number)}).content.decode()
    assert "Card authentic" in page and person.insurance_number in page and "Juma Mwangi" in page
    assert "Village A1" in page and reverse("policy:eligibility_summary") in page
    page = client.get(reverse("insuree:enquiry"), {"q": forged(signing.sign(person.insurance_number))}).content.decode()
    assert "FORGED CARD: the signature does not match" in page and "Card authentic" not in page
    page = client.get(reverse("insuree:enquiry"), {"q": person.insurance_number}).content.decode()
    assert "Juma Mwangi" in page and "Card authentic" not in page and "FORGED" not in page


def test_the_page_of_another_district_finds_nobody(login, eo_b, country):
    person = make_person(country.village_a1)
    page = login(eo_b).get(reverse("insuree:enquiry"), {"q": person.insurance_number}).content.decode()
    assert "Nobody found in your area." in page and "Juma Mwangi" not in page


def test_the_page_needs_the_enquiry_permission(login, sysadmin):
    assert login(sysadmin).get(reverse("insuree:enquiry")).status_code == 403


def test_api_enquiry_reports_authenticity(api, eo_a, eo_b, country):
    person = make_person(country.village_a1)
    body = api(eo_a).get("/api/v1/enquiry/", {"q": signing.sign(person.insurance_number)}).json()
    assert (body["kind"], body["authentic"], [r["uuid"] for r in body["results"]]) == ("card", True, [str(person.uuid)])
    assert (
        api(eo_a).get("/api/v1/enquiry/", {"q": forged(signing.sign(person.insurance_number))}).json()["authentic"]
        is False
    )
    assert api(eo_a).get("/api/v1/enquiry/", {"q": person.insurance_number}).json()["authentic"] is None
    assert api(eo_b).get("/api/v1/enquiry/", {"q": person.insurance_number}).json()["results"] == []
