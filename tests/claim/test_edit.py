"""Changing an Entered claim, on its page and with `PUT /api/v1/claims/{uuid}/`: prefilled from the claim, the same
rules as entering one, lines replaced, nothing saved unless all of it is; refused once submitted (409), outside
the user's scope (404) or without `claim.change_claim` (403)."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from claim import services, submission
from claim.exceptions import ClaimError
from claim.models import Claim, ClaimItem, ClaimService, ClaimStatus
from openimis.accounts import roles
from tests.factories import UserFactory

from .test_submission import VISIT, _enter, insured  # noqa: F401 - the covered person and price lists

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/"
CLAIMED_ON = date(2026, 5, 6)


@pytest.fixture
def claim_a(claim_admin, country, sale, insured):  # noqa: F811
    """An Entered claim of facility A: AMX250 x 10 at 300, CONS x 1 at the price list's."""
    return _enter(claim_admin, country, sale.family, code="HFA-1", date_claimed=CLAIMED_ON, explanation="first")


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


@pytest.fixture
def claim_admin_b(country):
    return UserFactory.create(username="claim_admin_b", role=roles.CLAIM_ADMINISTRATOR, scope=[country.facility_b])


def _lines(claim):
    items = [(i.item.code, i.qty_provided, i.price_asked) for i in ClaimItem.objects.filter(claim=claim)]
    services_ = [(s.service.code, s.qty_provided, s.price_asked) for s in ClaimService.objects.filter(claim=claim)]
    return sorted(items), sorted(services_)


def _snapshot(claim):
    claim.refresh_from_db()
    return (claim.code, claim.date_from, claim.explanation, claim.claimed, claim.updated_at, _lines(claim))


# --- the page ------------------------------------------------------------------------------------------------------


def _form(claim, **changes):
    """The edit page's form as it comes prefilled, with changes: rows 0.. of items and services."""
    data = {
        "insurance_number": claim.insuree.insurance_number,
        "code": claim.code,
        "date_from": claim.date_from.isoformat(),
        "date_to": "",
        "visit_type": "O",
        "icd": "B54",
        "explanation": "second",
        "guarantee_number": "",
        "action": "save",
        "items-TOTAL_FORMS": "6",
        "items-INITIAL_FORMS": "1",
        "services-TOTAL_FORMS": "6",
        "services-INITIAL_FORMS": "1",
        "items-0-code": "AMX250",
        "items-0-qty": "10",
        "items-0-price": "300",
        "services-0-code": "CONS",
        "services-0-qty": "1",
    }
    return data | changes


def test_the_edit_page_is_prefilled_from_the_claim(login, claim_admin, claim_a, country, sale):
    client = login(claim_admin)
    detail = client.get(reverse("claim:claim_detail", args=[claim_a.uuid])).content.decode()
    edit_url = reverse("claim:claim_edit", args=[claim_a.uuid])
    assert f'href="{edit_url}"' in detail and 'id="edit-claim"' in detail
    page = client.get(edit_url).content.decode()
    assert "Edit claim HFA-1" in page and f'action="{edit_url}"' in page
    assert 'name="code" value="HFA-1"' in page and f'value="{sale.family.head.insurance_number}"' in page
    assert 'name="date_from" value="2026-05-04"' in page and 'name="icd" value="B54"' in page
    assert 'name="items-0-code" value="AMX250"' in page and 'name="items-0-qty" value="10"' in page
    assert 'name="items-0-price" value="300"' in page and 'name="services-0-code" value="CONS"' in page
    assert 'name="services-0-price"' in page and 'name="services-0-price" value' not in page  # none asked
    assert 'name="items-5-code"' in page and 'name="items-6-code"' not in page  # the line and 5 blank rows
    assert 'name="items-INITIAL_FORMS" value="1"' in page
    assert "first" in page  # the explanation
    assert f'<option value="{country.facility_a.uuid}" selected>HFA · Facility A' in page
    assert 'name="facility"' in page and "disabled" in page.split('name="facility"')[1].split(">")[0]
    assert f'href="{reverse("claim:claim_detail", args=[claim_a.uuid])}">Cancel' in page


def test_editing_a_claim_replaces_its_fields_and_lines(login, claim_admin, claim_a, country):
    data = _form(
        claim_a,
        code="HFA-1B",
        icd_1="B54",
        **{"items-0-qty": "4", "items-0-price": "250", "services-0-code": "", "services-0-qty": ""},
        **{"services-2-code": "xray", "services-2-qty": "1", "services-2-price": "9000"},
    )
    response = login(claim_admin).post(reverse("claim:claim_edit", args=[claim_a.uuid]), data)
    assert response.status_code == 302 and response["Location"] == reverse("claim:claim_detail", args=[claim_a.uuid])
    claim_a.refresh_from_db()
    assert (claim_a.code, claim_a.explanation, claim_a.status, claim_a.facility) == (
        "HFA-1B",
        "second",
        ClaimStatus.ENTERED,
        country.facility_a,
    )
    assert claim_a.icd_1 is not None and claim_a.icd_1.code == "B54"
    assert claim_a.date_claimed == CLAIMED_ON  # kept: the page has no claim date
    assert claim_a.claimed == Decimal("10000.00")  # 4 x 250 + 1 x 9000
    assert _lines(claim_a) == (
        [("AMX250", Decimal("4.00"), Decimal("250.00"))],
        [("XRAY", Decimal("1.00"), Decimal("9000.00"))],
    )


def test_the_facility_is_kept_whatever_is_posted(login, claim_admin, claim_a, country):
    data = _form(claim_a, facility=str(country.facility_b.uuid))
    assert login(claim_admin).post(reverse("claim:claim_edit", args=[claim_a.uuid]), data).status_code == 302
    claim_a.refresh_from_db()
    assert claim_a.facility == country.facility_a


def test_save_and_submit_from_the_edit_page(login, claim_admin, claim_a):
    response = login(claim_admin).post(
        reverse("claim:claim_edit", args=[claim_a.uuid]), _form(claim_a, action="submit"), follow=True
    )
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.CHECKED
    assert "1 claim submitted: 1 checked, 0 rejected." in response.content.decode()


def test_bad_input_is_shown_on_its_input_and_nothing_is_saved(login, claim_admin, claim_a):
    before = _snapshot(claim_a)
    data = _form(claim_a, code="CHANGED", icd_2="ZZ9", **{"items-1-code": "NOPE", "items-1-qty": "1"})
    response = login(claim_admin).post(reverse("claim:claim_edit", args=[claim_a.uuid]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_items-1-code_error"' in page and "No active item or service has this code." in page
    assert 'id="id_icd_2_error"' in page and "ZZ9 is not an active ICD-10 code." in page
    assert 'value="CHANGED"' in page and 'value="NOPE"' in page  # what was typed is kept
    assert _snapshot(claim_a) == before


def test_a_failure_while_writing_the_lines_leaves_the_claim_as_it_was(login, claim_admin, claim_a):
    before = _snapshot(claim_a)
    with mock.patch.object(services, "_write_lines", side_effect=ClaimError("The lines could not be written.")):
        response = login(claim_admin).post(reverse("claim:claim_edit", args=[claim_a.uuid]), _form(claim_a, code="X"))
    assert response.status_code == 200 and "The lines could not be written." in response.content.decode()
    assert _snapshot(claim_a) == before  # the claim's new code was rolled back with the lines


def test_a_duplicate_code_is_refused_on_the_code(login, claim_admin, claim_a, country, sale):
    _enter(claim_admin, country, sale.family, code="HFA-2")
    page = login(claim_admin).post(reverse("claim:claim_edit", args=[claim_a.uuid]), _form(claim_a, code="hfa-2"))
    assert 'id="id_code_error"' in page.content.decode()
    claim_a.refresh_from_db()
    assert claim_a.code == "HFA-1"


def test_a_submitted_claim_cannot_be_edited(login, claim_admin, claim_a):
    submission.claims_submit(user=claim_admin, claims=[claim_a])
    before = _snapshot(claim_a)
    client = login(claim_admin)
    detail = reverse("claim:claim_detail", args=[claim_a.uuid])
    assert 'id="edit-claim"' not in client.get(detail).content.decode()
    edit_url = reverse("claim:claim_edit", args=[claim_a.uuid])
    response = client.get(edit_url)
    assert response.status_code == 302 and response["Location"] == detail
    response = client.post(edit_url, _form(claim_a, code="CHANGED"), follow=True)
    page = response.content.decode()
    assert "Claim HFA-1 is checked: a submitted claim can no longer be changed." in page
    assert _snapshot(claim_a) == before


def test_a_claim_submitted_while_the_page_was_open(login, claim_admin, claim_a):
    client = login(claim_admin)
    edit_url = reverse("claim:claim_edit", args=[claim_a.uuid])
    assert client.get(edit_url).status_code == 200
    real_update = services.claim_update

    def submitted_meanwhile(**kwargs):
        submission.claims_submit(user=claim_admin, claims=[claim_a])
        return real_update(**kwargs)

    with mock.patch.object(services, "claim_update", side_effect=submitted_meanwhile):
        response = client.post(edit_url, _form(claim_a, code="CHANGED"), follow=True)
    assert "a submitted claim can no longer be changed" in response.content.decode()
    claim_a.refresh_from_db()
    assert (claim_a.code, claim_a.status) == ("HFA-1", ClaimStatus.CHECKED)


def test_a_claim_out_of_scope_is_a_404(login, claim_admin, claim_b):
    client = login(claim_admin)
    url = reverse("claim:claim_edit", args=[claim_b.uuid])
    assert client.get(url).status_code == 404
    assert client.post(url, _form(claim_b, code="CHANGED")).status_code == 404
    claim_b.refresh_from_db()
    assert claim_b.code == "HFB-1"


def test_editing_needs_the_permission(login, medical_officer, claim_a):
    client = login(medical_officer)
    detail = client.get(reverse("claim:claim_detail", args=[claim_a.uuid])).content.decode()
    assert 'id="edit-claim"' not in detail
    url = reverse("claim:claim_edit", args=[claim_a.uuid])
    assert client.get(url).status_code == 403
    assert client.post(url, _form(claim_a, code="CHANGED")).status_code == 403
    claim_a.refresh_from_db()
    assert claim_a.code == "HFA-1"


# --- the API -------------------------------------------------------------------------------------------------------


def _body(claim, **changes):
    return {
        "facility": "HFA",
        "insurance_number": claim.insuree.insurance_number,
        "code": claim.code,
        "date_from": str(claim.date_from),
        "diagnoses": ["B54"],
        "items": [{"code": "AMX250", "qty": "10", "price": "300"}],
        "services": [{"code": "CONS", "qty": 1}],
    } | changes


def refused(response, status: int, *fields: str, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"code", "detail", "fields"}
    assert set(fields) <= set(data["fields"]), data
    if code is not None:
        assert data["code"] == code, data
    return data


def test_put_replaces_an_entered_claim(api, claim_admin, claim_a, country):
    client = api(claim_admin)
    body = _body(
        claim_a,
        facility=str(country.facility_a.uuid),
        uuid=str(claim_a.uuid),
        code="HFA-1B",
        diagnoses=["B54", "B54"],
        visit_type="E",
        items=[{"code": "AMX250", "qty": "4", "price": "250", "explanation": "2 days"}],
        services=[{"code": "XRAY", "qty": 1, "price": "9000"}],
    )
    response = client.put(f"{URL}{claim_a.uuid}/", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["uuid"], data["code"], data["visit_type"], data["status"]) == (str(claim_a.uuid), "HFA-1B", "E", 2)
    assert (data["claimed"], data["diagnoses"], data["date_claimed"]) == ("10000.00", ["B54", "B54"], str(CLAIMED_ON))
    assert [(i["code"], i["qty"], i["explanation"]) for i in data["items"]] == [("AMX250", "4.00", "2 days")]
    assert [s["code"] for s in data["services"]] == ["XRAY"]
    assert client.get(f"{URL}{claim_a.uuid}/").json() == data
    assert Claim.objects.count() == 1
    # a claim date given is taken
    again = client.put(f"{URL}{claim_a.uuid}/", _body(claim_a, code="HFA-1B", date_claimed="2026-05-05"), format="json")
    assert again.status_code == 200 and again.json()["date_claimed"] == "2026-05-05"


def test_put_on_a_submitted_claim_is_a_409(api, claim_admin, claim_a):
    submission.claims_submit(user=claim_admin, claims=[claim_a])
    before = _snapshot(claim_a)
    response = api(claim_admin).put(f"{URL}{claim_a.uuid}/", _body(claim_a, code="CHANGED"), format="json")
    refused(response, 409, code="claim_not_editable")
    assert _snapshot(claim_a) == before


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"date_from": "yesterday"}, "date_from", "invalid"),
        ({"diagnoses": []}, "diagnoses", "invalid"),
        ({"items": [{"code": "AMX250", "qty": "abc"}]}, "items.0.qty", "invalid"),
        ({"items": [{"code": "NOPE", "qty": 1}]}, "items.0.code", "claim_invalid"),
        ({"services": [{"code": "CONS", "qty": 0}]}, "services.0.qty", "claim_invalid"),
        ({"items": [], "services": []}, "items", "claim_invalid"),
        ({"diagnoses": ["B54", "Z99"]}, "icd_1", "claim_invalid"),
        ({"insurance_number": "000"}, "insurance_number", "claim_invalid"),
        ({"date_from": "2030-01-01"}, "date_from", "claim_invalid"),
        ({"facility": "HFB"}, "facility", "invalid"),
        ({"uuid": "9b2f7f0e-3f5c-4b6e-9d3c-0c7f5d0c1a11"}, "uuid", "invalid"),
    ],
)
def test_put_bad_input_names_the_field_and_saves_nothing(api, claim_admin, claim_a, changes, field, code):
    before = _snapshot(claim_a)
    body = _body(claim_a, code="CHANGED", explanation="changed") | changes
    refused(api(claim_admin).put(f"{URL}{claim_a.uuid}/", body, format="json"), 400, field, code=code)
    assert _snapshot(claim_a) == before


def test_put_a_duplicate_code_is_refused(api, claim_admin, claim_a, country, sale):
    _enter(claim_admin, country, sale.family, code="HFA-2")
    refused(api(claim_admin).put(f"{URL}{claim_a.uuid}/", _body(claim_a, code="hfa-2"), format="json"), 400, "code")


def test_put_out_of_scope_is_a_404_and_needs_the_permission(api, claim_a, claim_admin_b, medical_officer, eo_a):
    before = _snapshot(claim_a)
    body = _body(claim_a, code="CHANGED")
    refused(api(claim_admin_b).put(f"{URL}{claim_a.uuid}/", body, format="json"), 404, code="not_found")
    refused(api(medical_officer).put(f"{URL}{claim_a.uuid}/", body, format="json"), 403)
    refused(api(eo_a).put(f"{URL}{claim_a.uuid}/", body, format="json"), 403)
    assert api(medical_officer).patch(f"{URL}{claim_a.uuid}/", body, format="json").status_code in (403, 405)
    assert _snapshot(claim_a) == before


def test_put_is_documented(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    put = schema["paths"]["/api/v1/claims/{uuid}/"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ClaimInRequest")
    assert {"200", "400", "404", "409"} <= set(put["responses"])
    assert "claim_not_editable" in put["description"]
