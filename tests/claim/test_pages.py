"""Claim pages: the list (scoped, filtered, submitting a selection), entering a claim (with the insuree lookup,
code suggestions and errors on the right input), a claim's page (submit, delete). Each has a happy path and a
forbidden or out-of-scope case."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from claim.models import Claim, ClaimItem, ClaimStatus
from insuree import signing

from .test_submission import VISIT, _enter, insured  # noqa: F401 - the covered person and price lists

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim_a(claim_admin, country, sale, insured):  # noqa: F811
    return _enter(claim_admin, country, sale.family, code="HFA-1")


@pytest.fixture
def claim_b(claim_admin, country, sale, claim_a):
    """A claim of facility B (outside the claim administrator's scope), written straight to the table."""
    return Claim.objects.create(
        code="HFB-1",
        facility=country.facility_b,
        insuree=sale.family_b.head,
        date_from=VISIT,
        date_claimed=VISIT,
        icd=claim_a.icd,
        created_by=claim_admin,
    )


def _form(country, family, **changes):
    data = {
        "facility": str(country.facility_a.uuid),
        "insurance_number": family.head.insurance_number,
        "code": "NEW-1",
        "date_from": VISIT.isoformat(),
        "date_to": "",
        "visit_type": "O",
        "icd": "b54",
        "explanation": "",
        "guarantee_number": "",
        "action": "save",
    }
    for kind in ("items", "services"):
        data |= {f"{kind}-TOTAL_FORMS": "5", f"{kind}-INITIAL_FORMS": "0"}
    data |= {"items-0-code": "AMX250", "items-0-qty": "10", "items-0-price": "300", "services-0-code": "CONS"}
    data["services-0-qty"] = "1"
    return data | changes


# --- the list -------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_claims_of_the_users_facilities(login, claim_admin, claim_a, claim_b):
    page = login(claim_admin).get(reverse("claim:claim_list")).content.decode()
    assert "HFA-1" in page and "HFB-1" not in page
    assert reverse("claim:claim_detail", args=[claim_a.uuid]) in page
    assert f'value="{claim_a.uuid}"' in page  # an Entered claim can be ticked
    assert reverse("claim:claim_create") in page and "Submit selected" in page
    assert "badge-status-entered" in page and "3,000.00" in page  # claimed: 10 x 300 (+ CONS with no price asked)


def test_the_list_filters(login, claim_admin, claim_a, sale):
    client = login(claim_admin)
    url = reverse("claim:claim_list")
    assert "HFA-1" in client.get(url, {"code": "hfa", "status": ClaimStatus.ENTERED}).content.decode()
    assert "HFA-1" not in client.get(url, {"status": ClaimStatus.CHECKED}).content.decode()
    assert "HFA-1" not in client.get(url, {"visit_from": date(2026, 6, 1).isoformat()}).content.decode()
    number = sale.family.head.insurance_number
    assert "HFA-1" in client.get(url, {"insurance_number": number}).content.decode()
    assert "HFA-1" in client.get(url, {"insurance_number": signing.sign(number)}).content.decode()  # a scanned card


def test_the_list_is_a_fixed_number_of_queries(login, claim_admin, claim_a, claim_b, django_assert_max_num_queries):
    client = login(claim_admin)
    client.get(reverse("claim:claim_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("claim:claim_list"))


def test_a_medical_officer_of_the_region_sees_the_claims(login, medical_officer, claim_a):
    page = login(medical_officer).get(reverse("claim:claim_list")).content.decode()
    assert "HFA-1" in page and "Submit selected" not in page and reverse("claim:claim_create") not in page


def test_an_enrolment_officer_may_not_see_claims(login, eo_b, claim_a):
    client = login(eo_b)
    assert client.get(reverse("claim:claim_list")).status_code == 403
    assert client.get(reverse("claim:claim_detail", args=[claim_a.uuid])).status_code == 403
    assert client.get(reverse("claim:claim_create")).status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("claim:claim_list")}"' not in home  # the menu offers feedback interviews only
    assert f'href="{reverse("claim:feedback_list")}"' in home


def test_submitting_the_selection_from_the_list(login, claim_admin, claim_a):
    client = login(claim_admin)
    back = reverse("claim:claim_list") + "?status=2"
    response = client.post(reverse("claim:claims_submit"), {"claim": [str(claim_a.uuid)], "next": back})
    assert response.status_code == 302 and response["Location"] == back
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.CHECKED
    page = client.get(back, follow=True).content.decode()
    assert "1 claim submitted: 1 checked, 0 rejected." in page


def test_submitting_a_claim_out_of_scope_from_the_list_is_a_404(login, claim_admin, claim_a, claim_b):
    response = login(claim_admin).post(
        reverse("claim:claims_submit"), {"claim": [str(claim_a.uuid), str(claim_b.uuid)]}
    )
    assert response.status_code == 404
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.ENTERED


# --- a new claim -------------------------------------------------------------------------------------------------


def test_the_new_claim_page_preselects_the_only_facility(login, claim_admin, country, insured):  # noqa: F811
    page = login(claim_admin).get(reverse("claim:claim_create")).content.decode()
    assert 'name="items-4-code"' in page and 'name="services-4-code"' in page and 'name="items-5-code"' not in page
    assert f'<option value="{country.facility_a.uuid}" selected>HFA · Facility A' in page
    # the card's QR code read by the camera fills the insurance number (and its lookup runs): no form submission
    assert 'id="camera-scan"' in page and 'data-input="id_insurance_number"' in page and "data-form" not in page
    assert "vendor/qr/jsQR" in page


def test_entering_a_claim(login, claim_admin, country, sale, insured):  # noqa: F811
    client = login(claim_admin)
    response = client.post(reverse("claim:claim_create"), _form(country, sale.family, icd_2="B54"))
    claim = Claim.objects.get(code="NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse("claim:claim_detail", args=[claim.uuid])
    assert (claim.status, claim.facility, claim.insuree, claim.icd.code) == (
        ClaimStatus.ENTERED,
        country.facility_a,
        sale.family.head,
        "B54",
    )
    assert claim.icd_1 is not None and claim.icd_1.code == "B54"  # the gap closed: the second one filled in
    assert ClaimItem.objects.get(claim=claim).qty_provided == Decimal("10")
    page = client.get(response["Location"]).content.decode()
    assert "NEW-1" in page and "AMX250" in page and "CONS" in page and 'id="submit-claim"' in page
    assert reverse("policy:eligibility") + "?q=" + sale.family.head.insurance_number in page


def test_save_and_submit(login, claim_admin, country, sale, insured):  # noqa: F811
    client = login(claim_admin)
    response = client.post(reverse("claim:claim_create"), _form(country, sale.family, action="submit"), follow=True)
    claim = Claim.objects.get(code="NEW-1")
    assert claim.status == ClaimStatus.CHECKED
    page = response.content.decode()
    assert "1 claim submitted: 1 checked, 0 rejected." in page and "badge-status-checked" in page
    assert "BASIC" in page  # the product that pays the lines


def test_a_service_error_is_shown_on_the_row_it_names(login, claim_admin, country, sale, insured):  # noqa: F811
    # rows 0 and 2 filled in, row 1 blank: the service's items.1 is the page's row 2
    data = _form(country, sale.family, **{"items-2-code": "NOPE", "items-2-qty": "1"})
    response = login(claim_admin).post(reverse("claim:claim_create"), data)
    assert response.status_code == 200 and not Claim.objects.exists()
    page = response.content.decode()
    assert 'id="id_items-2-code_error"' in page and "No active item or service has this code." in page
    assert 'id="id_items-0-code_error"' not in page and 'id="id_items-1-code_error"' not in page
    assert 'value="NOPE"' in page  # what was typed is kept


def test_a_diagnosis_error_is_shown_on_its_input(login, claim_admin, country, sale, insured):  # noqa: F811
    data = _form(country, sale.family, icd_3="ZZ9")
    page = login(claim_admin).post(reverse("claim:claim_create"), data).content.decode()
    assert 'id="id_icd_3_error"' in page and "ZZ9 is not an active ICD-10 code." in page


def test_an_unknown_insuree_is_shown_on_the_number(login, claim_admin, country, sale, insured):  # noqa: F811
    data = _form(country, sale.family_b, code="NEW-2")  # family B lives outside the facility's district
    page = login(claim_admin).post(reverse("claim:claim_create"), data).content.decode()
    assert 'id="id_insurance_number_error"' in page and "No insuree with this number in your scope." in page


def test_the_insuree_lookup(login, claim_admin, sale, insured):  # noqa: F811
    client = login(claim_admin)
    url = reverse("claim:claim_insuree_lookup")
    number = sale.family.head.insurance_number
    page = client.get(url, {"insurance_number": number}).content.decode()
    assert sale.family.head.full_name in page and "Covered" in page
    page = client.get(url, {"insurance_number": signing.sign(number)}).content.decode()
    assert sale.family.head.full_name in page and number in page
    page = client.get(url, {"insurance_number": sale.family_b.head.insurance_number}).content.decode()
    assert "Nobody with this number in your area." in page


def test_code_suggestions_and_more_rows(login, claim_admin, insured):  # noqa: F811
    client = login(claim_admin)
    options = client.get(reverse("claim:claim_code_options", args=["diagnosis"]), {"icd_2": "b5"}).content.decode()
    assert 'value="B54"' in options and "Malaria" in options
    options = client.get(reverse("claim:claim_code_options", args=["item"]), {"items-3-code": "amx"}).content.decode()
    assert 'value="AMX250"' in options
    assert client.get(reverse("claim:claim_code_options", args=["nope"]), {"q": "a"}).status_code == 404
    rows = client.get(reverse("claim:claim_line_rows", args=["services"]), {"services-TOTAL_FORMS": "5"})
    html = rows.content.decode()
    assert (
        'name="services-5-code"' in html and 'name="services-9-code"' in html and 'name="services-10-code"' not in html
    )
    assert 'name="services-TOTAL_FORMS" value="10" id="id_services-TOTAL_FORMS" hx-swap-oob="true"' in html


# --- one claim ----------------------------------------------------------------------------------------------------


def test_submitting_from_the_claim_page(login, claim_admin, claim_a):
    client = login(claim_admin)
    response = client.post(reverse("claim:claim_submit", args=[claim_a.uuid]), follow=True)
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.CHECKED
    page = response.content.decode()
    assert "badge-status-checked" in page and 'id="submit-claim"' not in page and "Consultation" in page


def test_a_rejected_claim_shows_its_reason(login, claim_admin, claim_a):
    Claim.objects.filter(pk=claim_a.pk).update(date_claimed=date(2026, 5, 1))  # before the visit: reason 9
    client = login(claim_admin)
    page = client.post(reverse("claim:claim_submit", args=[claim_a.uuid]), follow=True).content.decode()
    assert "badge-status-rejected" in page and "The claim&#x27;s dates are not valid" in page


def test_a_claim_out_of_scope_is_a_404(login, claim_admin, claim_b):
    client = login(claim_admin)
    assert client.get(reverse("claim:claim_detail", args=[claim_b.uuid])).status_code == 404
    assert client.post(reverse("claim:claim_submit", args=[claim_b.uuid])).status_code == 404
    assert client.post(reverse("claim:claim_delete", args=[claim_b.uuid])).status_code == 404
    assert Claim.objects.filter(pk=claim_b.pk).exists()


def test_deleting_an_entered_claim(login, claim_admin, claim_a):
    client = login(claim_admin)
    assert client.get(reverse("claim:claim_delete", args=[claim_a.uuid])).status_code == 200
    response = client.post(reverse("claim:claim_delete", args=[claim_a.uuid]))
    assert response.status_code == 302 and not Claim.objects.filter(pk=claim_a.pk).exists()


def test_a_referral_from_a_facility_of_another_district(login, claim_admin, country, sale, insured):  # noqa: F811
    client = login(claim_admin)
    refused = client.post(reverse("claim:claim_create"), _form(country, sale.family, referral_facility="NOPE"))
    assert "No health facility has this uuid or code." in refused.content.decode() and not Claim.objects.exists()
    response = client.post(reverse("claim:claim_create"), _form(country, sale.family, referral_facility="hfb"))
    claim = Claim.objects.get(code="NEW-1")
    assert claim.referral_facility == country.facility_b  # outside the claim administrator's scope: referrals cross
    page = client.get(response["Location"]).content.decode()
    assert 'id="claim-referral"' in page and "HFB · Facility B" in page
