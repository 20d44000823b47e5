"""REST API for claims: entering (idempotent by uuid or Idempotency-Key), tracking, deleting, submitting a set and
entering + submitting a batch; scope, permissions and every refusal with the field it names."""

import uuid
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest

from claim import submission
from claim.models import Claim, ClaimStatus
from medical.models import (
    FacilityPriceLists,
    ItemPriceList,
    ItemPriceListEntry,
    ServicePriceList,
    ServicePriceListEntry,
)
from openimis.accounts import roles
from policy import contributions, enrolment
from policy.models import ProductItem, ProductService
from tests.factories import UserFactory
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.policy.conftest import ENROL
from tests.policy.factories import ItemFactory, ServiceFactory

pytestmark = pytest.mark.django_db
VISIT = date(2026, 5, 4)
URL = "/api/v1/claims/"


@pytest.fixture
def insured(eo_a, sale, country):
    """The head of `sale.family` covered by a paid policy: AMX250 (co-insurance 80 %) and CONS (price list 4500) at
    facility A; XRAY is in no price list."""
    DiagnosisFactory.create(code="B54", name="Malaria")
    amx = ItemFactory.create(code="AMX250", price=Decimal("300"))
    cons = ServiceFactory.create(code="CONS", price=Decimal("5000"), category="C")
    ServiceFactory.create(code="XRAY", price=Decimal("9000"))
    ProductItem.objects.create(product=sale.product, item=amx, limitation_type="C", limit_adult=Decimal("80"))
    ProductService.objects.create(product=sale.product, service=cons)
    items = ItemPriceList.objects.create(name="Items A", date_from=date(2026, 1, 1))
    ItemPriceListEntry.objects.create(price_list=items, item=amx)
    servs = ServicePriceList.objects.create(name="Services A", date_from=date(2026, 1, 1))
    ServicePriceListEntry.objects.create(price_list=servs, service=cons, price_override=Decimal("4500"))
    FacilityPriceLists.objects.create(facility=country.facility_a, items_price_list=items, services_price_list=servs)
    policy = enrolment.policy_create(user=eo_a, family=sale.family, product=sale.product, enroll_date=ENROL).policy
    contributions.contribution_record(
        user=eo_a, policy=policy, amount=policy.value, receipt="C1", pay_date=ENROL, pay_type="C"
    )
    return sale.family.head.insurance_number


@pytest.fixture
def uninsured(country):
    return make_family(country.village_a2, members=0, head_name="Neema").head.insurance_number


@pytest.fixture
def claim_admin_b(country):
    return UserFactory.create(username="claim_admin_b", role=roles.CLAIM_ADMINISTRATOR, scope=[country.facility_b])


def body(number: str, code: str = "HFA-1", **changes) -> dict:
    return {
        "facility": "HFA",
        "insurance_number": number,
        "code": code,
        "date_from": str(VISIT),
        "diagnoses": ["B54"],
        "items": [{"code": "AMX250", "qty": "10", "price": "300", "explanation": "3 days"}],
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


# --- one claim -----------------------------------------------------------------------------------------------


def test_enter_read_list_and_delete(api, claim_admin, country, insured):
    client = api(claim_admin)
    created = client.post(URL, body(insured, facility=str(country.facility_a.uuid)), format="json")
    assert created.status_code == 201, created.content
    claim = created.json()
    assert (claim["code"], claim["facility_code"], claim["insurance_number"]) == ("HFA-1", "HFA", insured)
    assert (claim["status"], claim["status_label"], claim["rejection_reason"]) == (2, "Entered", 0)
    assert (claim["claimed"], claim["approved"], claim["diagnoses"]) == ("3000.00", None, ["B54"])
    item = claim["items"][0]
    assert (item["code"], item["qty"], item["price_asked"], item["explanation"]) == (
        "AMX250",
        "10.00",
        "300.00",
        "3 days",
    )
    assert (claim["services"][0]["code"], claim["services"][0]["price_asked"]) == ("CONS", None)

    detail = client.get(f"{URL}{claim['uuid']}/")
    assert detail.status_code == 200 and detail.json() == claim

    def listed(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return [row["uuid"] for row in response.json()["results"]]

    assert listed() == [claim["uuid"]]
    assert "items" not in client.get(URL).json()["results"][0]
    assert listed(facility="hfa") == listed(facility=str(country.facility_a.uuid)) == [claim["uuid"]]
    assert listed(facility="HFB") == []
    assert listed(status=2, insurance_number=insured) == [claim["uuid"]]
    assert listed(status=4) == listed(insurance_number="000") == []
    assert listed(date_from_after=str(VISIT), date_from_before=str(VISIT)) == [claim["uuid"]]
    assert listed(date_from_after="2026-05-05") == []

    assert client.delete(f"{URL}{claim['uuid']}/").status_code == 204
    assert client.get(f"{URL}{claim['uuid']}/").status_code == 404
    assert not Claim.objects.exists()


def test_a_retry_with_the_same_body_uuid_returns_the_same_claim(api, claim_admin, insured):
    client = api(claim_admin)
    key = str(uuid.uuid4())
    first = client.post(URL, body(insured, uuid=key), format="json")
    again = client.post(URL, body(insured, uuid=key), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["uuid"] == again.json()["uuid"] == key
    assert Claim.objects.count() == 1


def test_the_idempotency_key_header_is_the_claim_uuid(api, claim_admin, insured):
    client = api(claim_admin)
    key = str(uuid.uuid4())
    first = client.post(URL, body(insured), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(URL, body(insured), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["uuid"] == again.json()["uuid"] == key
    assert Claim.objects.count() == 1
    refused(client.post(URL, body(insured), format="json", HTTP_IDEMPOTENCY_KEY="abc"), 400, "Idempotency-Key")
    other = body(insured, uuid=str(uuid.uuid4()))
    refused(client.post(URL, other, format="json", HTTP_IDEMPOTENCY_KEY=key), 400, "uuid")


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"date_from": "yesterday"}, "date_from", "invalid"),
        ({"diagnoses": []}, "diagnoses", "invalid"),
        ({"visit_type": "X"}, "visit_type", "invalid"),
        ({"items": [{"code": "AMX250", "qty": "abc"}]}, "items.0.qty", "invalid"),
        ({"items": [{"qty": 1}]}, "items.0.code", "invalid"),
        ({"facility": "NOPE"}, "facility", "not_found"),
        ({"items": [{"code": "NOPE", "qty": 1}]}, "items.0.code", "claim_invalid"),
        ({"services": [{"code": "CONS", "qty": 0}]}, "services.0.qty", "claim_invalid"),
        ({"diagnoses": ["B54", "Z99"]}, "icd_1", "claim_invalid"),
        ({"insurance_number": "000"}, "insurance_number", "claim_invalid"),
        ({"date_from": "2030-01-01"}, "date_from", "claim_invalid"),
    ],
)
def test_bad_input_names_the_field(api, claim_admin, insured, changes, field, code):
    refused(api(claim_admin).post(URL, body(insured, **changes), format="json"), 400, field, code=code)
    assert not Claim.objects.exists()


def test_a_duplicate_code_is_refused(api, claim_admin, insured):
    client = api(claim_admin)
    assert client.post(URL, body(insured), format="json").status_code == 201
    refused(client.post(URL, body(insured, code="hfa-1"), format="json"), 400, "code")


def test_permissions(api, claim_admin, eo_a, medical_officer, insured):
    uuid_ = api(claim_admin).post(URL, body(insured), format="json").json()["uuid"]
    eo = api(eo_a)
    refused(eo.get(URL), 403, code="permission_denied")
    refused(eo.post(URL, body(insured, code="HFA-2"), format="json"), 403)
    refused(eo.post(f"{URL}submit/", {"claims": [uuid_]}, format="json"), 403)
    refused(eo.post(f"{URL}bulk/", {"claims": [body(insured, code="HFA-3")]}, format="json"), 403)
    # the medical officer of region A reads the facility's claims, and does nothing else
    mo = api(medical_officer)
    assert mo.get(f"{URL}{uuid_}/").status_code == 200
    assert [c["uuid"] for c in mo.get(URL).json()["results"]] == [uuid_]
    refused(mo.post(URL, body(insured, code="HFA-2"), format="json"), 403)
    refused(mo.post(f"{URL}submit/", {"claims": [uuid_]}, format="json"), 403)
    refused(mo.delete(f"{URL}{uuid_}/"), 403)
    assert Claim.objects.count() == 1


def test_a_claim_out_of_scope_is_not_found(api, claim_admin, claim_admin_b, insured):
    uuid_ = api(claim_admin).post(URL, body(insured), format="json").json()["uuid"]
    other = api(claim_admin_b)
    assert other.get(URL).json()["results"] == []
    refused(other.get(f"{URL}{uuid_}/"), 404, code="not_found")
    refused(other.delete(f"{URL}{uuid_}/"), 404)
    refused(other.post(f"{URL}submit/", {"claims": [uuid_]}, format="json"), 400, "claims.0", code="not_found")
    refused(other.post(URL, body(insured, code="HFA-2"), format="json"), 400, "facility", code="not_found")
    assert Claim.objects.get().status == ClaimStatus.ENTERED


# --- submitting a set ----------------------------------------------------------------------------------------


def test_submit_a_set_with_the_outcome_of_each_claim(api, claim_admin, insured, uninsured):
    client = api(claim_admin)
    covered = client.post(URL, body(insured), format="json").json()["uuid"]
    refused_uuid = client.post(URL, body(uninsured, code="HFA-2"), format="json").json()["uuid"]
    with mock.patch.object(submission, "claims_submit", wraps=submission.claims_submit) as spy:
        response = client.post(f"{URL}submit/", {"claims": [refused_uuid, covered]}, format="json")
    assert response.status_code == 200, response.content
    assert spy.call_count == 1 and len(spy.call_args.kwargs["claims"]) == 2
    rejected, checked = response.json()["claims"]
    assert rejected["uuid"] == refused_uuid and checked["uuid"] == covered
    assert (checked["status"], checked["status_label"], checked["category"], checked["approved"]) == (
        4,
        "Checked",
        "C",
        "7500.00",  # 10 x 300 + 1 x 4500 (the price list's price, none asked)
    )
    assert checked["services"][0]["price_used"] == "4500.00" and checked["items"][0]["status"] == 1
    assert (rejected["status"], rejected["rejection_reason"]) == (1, 21)
    assert rejected["rejection_reason_label"] == "The insuree has no cover on the visit dates"
    assert {(ln["status"], ln["rejection_reason"]) for ln in rejected["items"] + rejected["services"]} == {(2, 21)}
    # submitted once: again is a 409 naming the claim's place; an unknown uuid is a 400 naming its place
    refused(client.post(f"{URL}submit/", {"claims": [covered]}, format="json"), 409, "claims.0")
    refused(client.post(f"{URL}submit/", {"claims": [str(uuid.uuid4())]}, format="json"), 400, "claims.0")
    refused(client.delete(f"{URL}{covered}/"), 409, code="claim_not_editable")
    refused(client.post(f"{URL}submit/", {"claims": []}, format="json"), 400, "claims")
    refused(client.post(f"{URL}submit/", {"claims": ["abc"]}, format="json"), 400, "claims.0")


def test_more_than_1000_claims_are_refused(api, claim_admin, insured):
    client = api(claim_admin)
    keys = [str(uuid.uuid4()) for _ in range(1001)]
    data = refused(client.post(f"{URL}submit/", {"claims": keys}, format="json"), 400, "claims", code="invalid")
    assert "1000" in data["fields"]["claims"][0]
    bodies = [body(insured, code=f"HFA-{i}") for i in range(1001)]
    data = refused(client.post(f"{URL}bulk/", {"claims": bodies}, format="json"), 400, "claims", code="invalid")
    assert "1000" in data["fields"]["claims"][0]
    assert not Claim.objects.exists()


# --- entering and submitting a batch -------------------------------------------------------------------------


def test_bulk_enters_and_submits_a_batch_together(api, claim_admin, insured, uninsured):
    client = api(claim_admin)
    bodies = [
        body(insured, "B-1", uuid=str(uuid.uuid4())),
        body(uninsured, "B-2", uuid=str(uuid.uuid4())),
        body(insured, "B-3", uuid=str(uuid.uuid4()), services=[{"code": "XRAY", "qty": 1}]),
    ]
    with mock.patch.object(submission, "claims_submit", wraps=submission.claims_submit) as spy:
        response = client.post(f"{URL}bulk/", {"claims": bodies}, format="json")
    assert response.status_code == 200, response.content
    assert spy.call_count == 1 and len(spy.call_args.kwargs["claims"]) == 3  # set-wise
    result = response.json()["claims"]
    assert [c["uuid"] for c in result] == [b["uuid"] for b in bodies]
    assert [(c["code"], c["status"], c["rejection_reason"]) for c in result] == [
        ("B-1", 4, 0),
        ("B-2", 1, 21),
        ("B-3", 4, 0),
    ]
    xray = result[2]["services"][0]
    assert (xray["code"], xray["status"], xray["rejection_reason"], xray["qty_approved"]) == ("XRAY", 2, 2, "0.00")
    assert xray["rejection_reason_label"] == "Not in the health facility's price list"
    assert result[2]["approved"] == "3000.00"

    # the same batch again: the same claims and outcome, nothing entered or submitted twice
    with mock.patch.object(submission, "claims_submit", wraps=submission.claims_submit) as spy:
        again = client.post(f"{URL}bulk/", {"claims": bodies}, format="json")
    assert again.status_code == 200 and spy.call_count == 0
    assert again.json() == response.json()
    assert Claim.objects.count() == 3


def test_bulk_refuses_the_whole_batch_naming_each_error(api, claim_admin, insured):
    client = api(claim_admin)
    key = str(uuid.uuid4())
    bodies = [
        body(insured, "B-1", uuid=key),
        body(insured, "B-2", items=[{"code": "NOPE", "qty": 1}]),
        body(insured, "B-3", facility="HFB"),
        body(insured, "B-4", uuid=key),
        body(insured, "B-5"),
        body(insured, "b-5"),
    ]
    data = refused(client.post(f"{URL}bulk/", {"claims": bodies}, format="json"), 400, code="claim_invalid")
    assert set(data["fields"]) == {"claims.1.items.0.code", "claims.2.facility", "claims.3.uuid", "claims.5.code"}
    assert not Claim.objects.exists()  # claims 0 and 4 were valid: rolled back with the rest

    bodies = [body(insured, "B-1"), body(insured, "B-2", items=[{"code": "AMX250", "qty": "x"}], diagnoses=[])]
    data = refused(client.post(f"{URL}bulk/", {"claims": bodies}, format="json"), 400, code="invalid")
    assert set(data["fields"]) == {"claims.1.items.0.qty", "claims.1.diagnoses"}
    refused(client.post(f"{URL}bulk/", {"claims": []}, format="json"), 400, "claims")
    assert not Claim.objects.exists()


def test_the_answer_to_a_set_has_the_documented_shape(api, claim_admin, insured, uninsured, settings):
    from claim.api.outcomes import ClaimOutcomeOut, ClaimOutcomeSetOut, LineOutcomeOut

    bodies = [body(insured, "S-1"), body(uninsured, "S-2")]
    answer = api(claim_admin).post(f"{URL}bulk/", {"claims": bodies}, format="json").json()
    checked, rejected = answer["claims"]
    assert set(checked) == set(ClaimOutcomeOut().fields)
    assert {frozenset(line) for line in checked["items"] + checked["services"]} == {frozenset(LineOutcomeOut().fields)}
    assert (checked["flags"], checked["review_status"], rejected["flags"], rejected["review_status"]) == (
        ["late_entry"],  # the visits are months old
        4,
        [],
        1,
    )
    shape = ClaimOutcomeSetOut(data=answer)
    assert shape.is_valid(), shape.errors


def test_the_referral_facility_by_code_or_uuid(api, claim_admin, insured, country):
    client = api(claim_admin)
    refused(client.post(URL, body(insured, referral_facility="NOPE"), format="json"), 400, "referral_facility")
    made = client.post(URL, body(insured, referral_facility=str(country.facility_b.uuid)), format="json")
    assert made.status_code == 201 and made.json()["referral_facility"] == "HFB"
    bodies = [body(insured, "R-1", referral_facility="hfb"), body(insured, "R-2", referral_facility="NOPE")]
    refused(client.post(f"{URL}bulk/", {"claims": bodies}, format="json"), 400, "claims.1.referral_facility")
    assert Claim.objects.count() == 1
