"""REST API for policies, contributions, renewal reminders and eligibility: happy paths, scope, permissions and
every refusal with the field it names. Data is built with factories and the services, never demo data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from insuree import signing
from insuree.models import Insuree
from openimis.accounts import roles
from policy.api import policy_serializers as ps
from policy.models import Contribution, Policy, PolicyRenewal, PolicyStatus, ProductItem
from policy.periods import add_months
from tests.factories import LocationFactory, UserFactory
from tests.insuree.factories import make_family

from .factories import ItemFactory, ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate()
DAY = timedelta(days=1)


@pytest.fixture
def product(db):
    """National, sold for a year either side of today: 10,000 per adult, 5,000 per child, 3 instalments."""
    return ProductFactory.create(
        code="PA",
        name="Product A",
        date_from=TODAY - 400 * DAY,
        date_to=TODAY + 400 * DAY,
        premium_adult=D("10000"),
        premium_child=D("5000"),
        max_installments=3,
    )


@pytest.fixture
def family(country):
    """Head (adult) and one child, village A1 (district A)."""
    return make_family(country.village_a1, members=1, head_name="Asha", last_name="Achieng")


@pytest.fixture
def family_b(country):
    return make_family(country.village_b1, members=0, head_name="Baraka", last_name="Bwire")


def sell(client, family, product, enroll_date=TODAY, **extra):
    body = {"family": str(family.uuid), "product": product.code, "enroll_date": str(enroll_date), **extra}
    return client.post("/api/v1/policies/", body, format="json")


def pay(client, policy_uuid, amount, receipt, pay_date=TODAY, **extra):
    body = {
        "policy": str(policy_uuid),
        "amount": str(amount),
        "receipt": receipt,
        "pay_date": str(pay_date),
        "pay_type": "C",
        **extra,
    }
    return client.post("/api/v1/contributions/", body, format="json")


def sold(client, family, product, **extra) -> str:
    response = sell(client, family, product, **extra)
    assert response.status_code == 201, response.content
    return str(response.json()["uuid"])


def refused(response, status: int, field: str | None = None, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    if field is not None:
        assert field in body["fields"], body
    if code is not None:
        assert body["code"] == code, body
    return body


# --- policies ------------------------------------------------------------------------------------------------


def test_sell_read_list_change_and_delete(api, eo_a, family, product):
    client = api(eo_a)
    created = sell(client, family, product)
    assert created.status_code == 201, created.content
    body = created.json()
    head = Insuree.objects.get(pk=family.head_id)
    assert body["family"] == str(family.uuid) and body["head_insurance_number"] == head.insurance_number
    assert (body["product_code"], body["stage"], body["status"], body["status_label"]) == ("PA", "N", 1, "Idle")
    assert (body["value"], body["paid"], body["balance"]) == ("15000.00", "0.00", "15000.00")
    assert body["start_date"] == str(TODAY) and body["effective_date"] is None
    assert body["officer"] == "eo_a" and body["warnings"] == [] and body["contributions"] == []
    assert [m["insurance_number"] for m in body["members"]][0] == head.insurance_number
    assert len(body["members"]) == 2 and all(m["effective_date"] is None for m in body["members"])
    uuid = body["uuid"]

    read = client.get(f"/api/v1/policies/{uuid}/").json()
    assert read == {k: v for k, v in body.items() if k != "warnings"}

    child = Insuree.objects.filter(family=family).exclude(pk=family.head_id).get()

    def listed(**params):
        response = client.get("/api/v1/policies/", params)
        assert response.status_code == 200, response.content
        return [row["uuid"] for row in response.json()["results"]]

    assert listed() == [uuid]
    row = client.get("/api/v1/policies/").json()["results"][0]
    assert row["balance"] == "15000.00" and "members" not in row
    assert listed(family=str(family.uuid)) == [uuid]
    assert listed(insurance_number=child.insurance_number) == [uuid]
    assert listed(insurance_number="000") == []
    assert listed(product="pa") == [uuid] and listed(product="OTHER") == []
    assert listed(status=1, stage="N") == [uuid] and listed(status=2) == []
    assert listed(expiring_within=400) == [uuid] and listed(expiring_within=30) == []
    assert listed(idle_unpaid="true") == [uuid]
    refused(client.get("/api/v1/policies/", {"status": 3}), 400, "status", "invalid")

    changed = client.patch(f"/api/v1/policies/{uuid}/", {"enroll_date": str(TODAY - 10 * DAY)}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["enroll_date"] == str(TODAY - 10 * DAY)
    assert changed.json()["start_date"] == str(TODAY - 10 * DAY)
    assert all(m["start_date"] == str(TODAY - 10 * DAY) for m in changed.json()["members"])

    assert client.delete(f"/api/v1/policies/{uuid}/").status_code == 204
    assert not Policy.objects.exists()
    assert client.get(f"/api/v1/policies/{uuid}/").status_code == 404


def test_policy_refusals_name_the_field(api, eo_a, family, product, country):
    client = api(eo_a)
    refused(sell(client, family, product, enroll_date=TODAY + DAY), 400, "enroll_date", "policy_invalid")
    old = ProductFactory.create(code="NEW", date_from=TODAY - 5 * DAY, date_to=TODAY + 400 * DAY)
    body = refused(sell(client, family, old, enroll_date=TODAY - 30 * DAY), 400, "product", "policy_invalid")
    assert "not on the enrolment date" in body["fields"]["product"][0]
    body = refused(client.post("/api/v1/policies/", {"family": str(family.uuid)}, format="json"), 400, code="invalid")
    assert {"product", "enroll_date"} <= set(body["fields"])
    unknown = {"family": str(family.uuid), "product": "NOPE", "enroll_date": str(TODAY)}
    refused(client.post("/api/v1/policies/", unknown, format="json"), 400, "product", "not_found")
    refused(sell(client, family, product, officer="ghost"), 400, "officer", "not_found")

    sold(client, family, product)
    body = refused(sell(client, family, product, enroll_date=TODAY - 20 * DAY), 400, "product", "policy_no_overlap")
    assert body["fields"]["product"] == ["This family already has a current policy on this product for these dates."]
    assert Policy.objects.count() == 1


def test_product_not_sold_in_the_familys_area(api, family, country):
    officer = UserFactory.create(role=roles.ENROLMENT_OFFICER, scope=[country.district_a, country.district_b])
    product_b = ProductFactory.create(code="PB", location=country.district_b, date_from=TODAY - 30 * DAY)
    body = refused(sell(api(officer), family, product_b), 400, "product", "policy_invalid")
    assert body["fields"]["product"] == ["This product is not sold in the family's area."]
    # another district of region A: an officer of district A does not even see its products
    district_a2 = LocationFactory.create(code="DA2", type="D", parent=country.region_a)
    product_a2 = ProductFactory.create(code="PA2", location=district_a2, date_from=TODAY - 30 * DAY)
    refused(sell(api(officer), family, product_a2), 400, "product", "not_found")


def test_scope_and_permissions(api, eo_a, eo_b, nobody, claim_admin, scheme_admin, family, product):
    uuid = sold(api(eo_a), family, product)
    # out of scope: not found, whatever the method
    other = api(eo_b)
    assert other.get(f"/api/v1/policies/{uuid}/").status_code == 404
    assert other.patch(f"/api/v1/policies/{uuid}/", {"enroll_date": str(TODAY)}, format="json").status_code == 404
    assert other.delete(f"/api/v1/policies/{uuid}/").status_code == 404
    assert other.post(f"/api/v1/policies/{uuid}/renew/", {"enroll_date": str(TODAY)}, format="json").status_code == 404
    assert other.get("/api/v1/policies/").json()["count"] == 0
    refused(sell(other, family, product), 400, "family", "not_found")
    refused(pay(other, uuid, 100, "X1"), 400, "policy", "not_found")
    # an officer with no district yet holds the permissions but sees nothing
    assert api(nobody).get("/api/v1/policies/").json()["count"] == 0
    assert api(nobody).get(f"/api/v1/policies/{uuid}/").status_code == 404
    # missing permissions: 403 with the error shape
    refused(sell(api(claim_admin), family, product), 403, code="permission_denied")
    refused(sell(api(scheme_admin), family, product), 403, code="permission_denied")
    refused(api(claim_admin).get("/api/v1/contributions/"), 403, code="permission_denied")
    refused(api(eo_a).post(f"/api/v1/policies/{uuid}/suspend/", {"reason": "x"}, format="json"), 403)
    refused(api(eo_a).post(f"/api/v1/policies/{uuid}/activate/"), 403)
    refused(api(scheme_admin).delete(f"/api/v1/policies/{uuid}/"), 403)
    stranger = UserFactory.create(scope=[family.village])
    refused(api(stranger).get("/api/v1/policies/"), 403, code="permission_denied")
    refused(api(stranger).get("/api/v1/policies/renewals/"), 403)
    refused(api().get("/api/v1/policies/"), 403, code="not_authenticated")


def test_quote_computes_without_saving(api, eo_a, claim_admin, family, product):
    product.max_members = 1
    product.save(update_fields=["max_members"])
    client = api(eo_a)
    body = {"family": str(family.uuid), "product": str(product.uuid), "enroll_date": str(TODAY)}
    response = client.post("/api/v1/policies/quote/", body, format="json")
    assert response.status_code == 200, response.content
    quote = response.json()
    assert not Policy.objects.exists()
    assert quote["product"]["code"] == "PA" and quote["stage"] == "N"
    assert quote["start_date"] == str(TODAY) and quote["expiry_date"] == str(TODAY.replace(year=TODAY.year + 1) - DAY)
    assert quote["value"] == "10000.00" and quote["breakdown"]["contribution"] == "10000.00"
    assert quote["breakdown"]["adults"] == 1 and quote["breakdown"]["discount"] == "0.00"
    assert [m["other_names"] for m in quote["covered"]] == ["Asha"]
    assert [m["other_names"] for m in quote["excluded"]] == ["Child0"]
    assert "at most 1 members" in quote["warnings"][0]
    assert quote["last_payment_date"] is None

    refused(client.post("/api/v1/policies/quote/", {**body, "stage": "R"}, format="json"), 400, "previous", "invalid")
    refused(client.post("/api/v1/policies/quote/", {**body, "stage": "X"}, format="json"), 400, "stage")
    not_yet = {**body, "enroll_date": str(TODAY + DAY)}
    refused(client.post("/api/v1/policies/quote/", not_yet, format="json"), 400, "enroll_date", "policy_invalid")
    refused(api(claim_admin).post("/api/v1/policies/quote/", body, format="json"), 403, code="permission_denied")


def test_quote_and_renew_a_paid_policy(api, eo_a, family, product):
    client = api(eo_a)
    uuid = sold(client, family, product, enroll_date=TODAY - 30 * DAY)
    assert pay(client, uuid, "15000", "R-1", pay_date=TODAY - 30 * DAY).json()["activated"] is True
    policy = Policy.objects.get(uuid=uuid)
    PolicyRenewal.objects.create(policy=policy, renewal_date=policy.expiry_date + DAY, prompt_date=TODAY)
    reminders = client.get("/api/v1/policies/renewals/").json()
    assert reminders["count"] == 1 and reminders["results"][0]["policy"] == uuid
    assert reminders["results"][0]["product_code"] == "PA" and reminders["results"][0]["status"] == "P"

    body = {"family": str(family.uuid), "enroll_date": str(TODAY), "stage": "R", "previous": uuid}
    quote = client.post("/api/v1/policies/quote/", body, format="json")
    assert quote.status_code == 200, quote.content
    assert quote.json()["stage"] == "R" and quote.json()["start_date"] == str(policy.expiry_date + DAY)

    renewed = client.post(f"/api/v1/policies/{uuid}/renew/", {"enroll_date": str(TODAY)}, format="json")
    assert renewed.status_code == 201, renewed.content
    new = renewed.json()
    assert (new["stage"], new["status"], new["previous"]) == ("R", 1, uuid)
    assert new["start_date"] == str(policy.expiry_date + DAY) and new["warnings"] == []
    again = client.post(f"/api/v1/policies/{uuid}/renew/", {"enroll_date": str(TODAY)}, format="json")
    refused(again, 409, code="policy_already_renewed")
    assert client.get("/api/v1/policies/renewals/").json()["count"] == 0  # the reminder is closed
    assert client.get("/api/v1/policies/renewals/", {"status": "R"}).json()["count"] == 1
    # an Idle policy cannot be renewed
    refused(client.post(f"/api/v1/policies/{new['uuid']}/renew/", {"enroll_date": str(TODAY)}, format="json"), 409)


def test_suspend_resume_and_activate(api, eo_a, scheme_admin, family, product, settings):
    settings.POLICY_ACTIVATION = "ready"
    seller, supervisor = api(eo_a), api(scheme_admin)
    uuid = sold(seller, family, product)
    refused(supervisor.post(f"/api/v1/policies/{uuid}/suspend/", {}, format="json"), 400, "reason", "invalid")
    refused(supervisor.post(f"/api/v1/policies/{uuid}/activate/"), 409, code="policy_state")  # Idle, not Ready

    paid = pay(seller, uuid, "15000", "R-1")
    assert paid.status_code == 201, paid.content
    assert (paid.json()["policy_status"], paid.json()["policy_status_label"]) == (16, "Ready")
    suspended = supervisor.post(f"/api/v1/policies/{uuid}/suspend/", {"reason": "Fraud check"}, format="json")
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == 4 and suspended.json()["status_reason"] == "Fraud check"
    refused(pay(seller, uuid, "100", "R-2"), 409, code="policy_not_current")
    resumed = supervisor.post(f"/api/v1/policies/{uuid}/resume/")
    assert resumed.status_code == 200 and resumed.json()["status"] == 2  # paid: active

    settings.POLICY_ACTIVATION = "contribution"
    Policy.objects.filter(uuid=uuid).update(status=PolicyStatus.READY)
    activated = supervisor.post(f"/api/v1/policies/{uuid}/activate/")
    assert activated.status_code == 200 and activated.json()["status"] == 2
    refused(supervisor.post(f"/api/v1/policies/{uuid}/resume/"), 409, code="policy_state")


# --- contributions -------------------------------------------------------------------------------------------


def test_payments_activate_the_policy_and_cancelling_undoes_it(api, eo_a, scheme_admin, family, product):
    client = api(eo_a)
    uuid = sold(client, family, product)
    first = pay(client, uuid, "10000", "RC-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["amount"], body["receipt"], body["pay_type"], body["policy"]) == ("10000.00", "RC-1", "C", uuid)
    assert (body["policy_status"], body["paid"], body["balance"], body["activated"]) == (
        1,
        "10000.00",
        "5000.00",
        False,
    )
    assert body["product_code"] == "PA" and body["cancelled"] is False
    photo = pay(client, uuid, "500", "PH-1", is_photo_fee=True)
    assert photo.status_code == 201 and photo.json()["paid"] == "10000.00"  # photo fees do not count

    second = pay(client, uuid, "5000", "RC-2").json()
    assert (second["policy_status"], second["balance"], second["activated"]) == (2, "0.00", True)
    detail = client.get(f"/api/v1/policies/{uuid}/").json()
    assert (detail["status_label"], detail["paid"], detail["effective_date"]) == ("Active", "15000.00", str(TODAY))
    assert all(m["effective_date"] == str(TODAY) for m in detail["members"])
    assert [c["receipt"] for c in detail["contributions"]] == ["RC-1", "PH-1", "RC-2"]

    def receipts(**params):
        response = client.get("/api/v1/contributions/", params)
        assert response.status_code == 200, response.content
        return sorted(r["receipt"] for r in response.json()["results"])

    assert receipts() == ["PH-1", "RC-1", "RC-2"]
    assert receipts(policy=uuid, receipt="rc-1") == ["RC-1"]
    assert receipts(pay_date_from=str(TODAY + DAY)) == [] and receipts(pay_date_to=str(TODAY)) != []
    contribution = Contribution.objects.get(receipt="RC-2")
    read = client.get(f"/api/v1/contributions/{contribution.uuid}/")
    assert read.status_code == 200 and read.json()["amount"] == "5000.00"

    refused(client.post(f"/api/v1/contributions/{contribution.uuid}/cancel/", {"reason": "x"}), 403)
    supervisor = api(scheme_admin)
    refused(supervisor.post(f"/api/v1/contributions/{contribution.uuid}/cancel/", {}), 400, "reason")
    cancelled = supervisor.post(f"/api/v1/contributions/{contribution.uuid}/cancel/", {"reason": "Bounced"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["cancelled"] is True and cancelled.json()["cancel_reason"] == "Bounced"
    assert (cancelled.json()["policy_status"], cancelled.json()["balance"]) == (1, "5000.00")
    again = supervisor.post(f"/api/v1/contributions/{contribution.uuid}/cancel/", {"reason": "Again"})
    refused(again, 400, code="contribution_cancelled")
    assert receipts(cancelled="true") == ["RC-2"] and receipts(cancelled="false") == ["PH-1", "RC-1"]
    # the receipt of a cancelled contribution is free again
    assert pay(client, uuid, "5000", "rc-2").status_code == 201
    assert api(scheme_admin).get(f"/api/v1/contributions/{contribution.uuid}/").status_code == 200


def test_payment_refusals_name_the_field(api, eo_a, eo_b, family, product, country):
    client = api(eo_a)
    uuid = sold(client, family, product, enroll_date=TODAY - 60 * DAY)
    refused(pay(client, uuid, "0", "Z-1"), 400, "amount", "contribution_invalid")
    refused(pay(client, uuid, "-5", "Z-1"), 400, "amount", "contribution_invalid")
    refused(pay(client, uuid, "1.005", "Z-1"), 400, "amount", "invalid")
    refused(pay(client, uuid, "100", ""), 400, "receipt", "invalid")
    refused(pay(client, uuid, "100", "Z-1", pay_type="W"), 400, "pay_type", "invalid")
    refused(pay(client, uuid, "100", "Z-1", pay_date=TODAY + DAY), 400, "pay_date", "contribution_invalid")
    refused(pay(client, uuid, "100", "Z-1", pay_date=TODAY - 61 * DAY), 400, "pay_date", "contribution_invalid")
    refused(pay(client, uuid, "100", "Z-1", pay_type="F"), 400, "payer", "contribution_invalid")
    refused(pay(client, uuid, "100", "Z-1", payer=str(family.uuid)), 400, "payer", "not_found")
    refused(pay(client, "00000000-0000-0000-0000-000000000000", "100", "Z-1"), 400, "policy", "not_found")

    for n in range(3):
        assert pay(client, uuid, "1000", f"I-{n}").status_code == 201
    body = refused(pay(client, uuid, "1000", "I-3"), 400, "amount", "contribution_invalid")
    assert "at most 3 instalments" in body["fields"]["amount"][0]

    # receipts are unique within a product, whatever their case
    other_family = make_family(country.village_a2, members=0)
    other = sold(client, other_family, product)
    body = refused(pay(client, other, "1000", "i-0"), 400, "receipt", "contribution_receipt_unique")
    assert body["fields"]["receipt"] == ["This receipt number is already used for a contribution to this product."]
    other_product = ProductFactory.create(code="PX", date_from=TODAY - 30 * DAY)
    assert pay(client, sold(client, other_family, other_product), "1000", "I-0").status_code == 201


def test_payment_after_the_last_date_for_payment(api, eo_a, family, product):
    product.grace_period_payment = 1
    product.save(update_fields=["grace_period_payment"])
    client = api(eo_a)
    uuid = sold(client, family, product, enroll_date=TODAY - 60 * DAY)
    assert client.get(f"/api/v1/policies/{uuid}/").json()["last_payment_date"] < str(TODAY)
    body = refused(pay(client, uuid, "1000", "L-1"), 400, "pay_date", "contribution_invalid")
    assert "last date for payment" in body["fields"]["pay_date"][0]
    assert pay(client, uuid, "1000", "L-1", pay_date=TODAY - 50 * DAY).status_code == 201


def test_no_payment_on_an_expired_policy(api, eo_a, family, product):
    client = api(eo_a)
    uuid = sold(client, family, product)
    Policy.objects.filter(uuid=uuid).update(status=PolicyStatus.EXPIRED)  # as the nightly job does
    body = refused(pay(client, uuid, "1000", "E-1"), 409, code="policy_not_current")
    assert "expired" in body["detail"]
    assert not Contribution.objects.exists()


def test_policy_with_contributions_cannot_be_deleted(api, eo_a, family, product):
    client = api(eo_a)
    uuid = sold(client, family, product)
    pay(client, uuid, "1000", "D-1")
    refused(client.delete(f"/api/v1/policies/{uuid}/"), 409, code="policy_has_contributions")
    refused(client.patch(f"/api/v1/policies/{uuid}/", {"officer": "ghost"}, format="json"), 400, "officer")


# --- eligibility ---------------------------------------------------------------------------------------------


@pytest.fixture
def receptionist(country):
    return UserFactory.create(username="reception", role=roles.RECEPTIONIST, scope=[country.facility_a])


def _eligibility(client, **params):
    return client.get("/api/v1/eligibility/", params)


def _shape_of(serializer) -> set[str]:
    return set(serializer.fields)


def test_eligibility_before_and_after_payment(api, eo_a, claim_admin, family, product):
    product.max_no_consultation = 4
    product.save(update_fields=["max_no_consultation"])
    head = Insuree.objects.get(pk=family.head_id)
    facility = api(claim_admin)
    response = _eligibility(facility, number=head.insurance_number)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == _shape_of(ps.EligibilityOut())
    assert body["insuree"]["uuid"] == str(head.uuid) and body["insuree"]["photo"] is None
    assert body["authentic"] is None and body["covered"] is False and body["policies"] == []

    uuid = sold(api(eo_a), family, product)
    body = _eligibility(facility, number=head.insurance_number).json()
    assert body["covered"] is False
    assert [(p["policy"], p["status"], p["covered"]) for p in body["policies"]] == [(uuid, 1, False)]

    pay(api(eo_a), uuid, "15000", "EL-1")
    body = _eligibility(facility, number=head.insurance_number).json()
    assert body["covered"] is True
    policy = body["policies"][0]
    assert set(policy) == _shape_of(ps.PolicyCoverOut())
    assert (policy["product_code"], policy["status_label"], policy["effective_date"]) == ("PA", "Active", str(TODAY))
    assert policy["limits"] == [{"name": "consultation", "label": "Consultations", "maximum": 4, "used": 0, "left": 4}]
    assert policy["lines"] == [] and policy["deductibles"] == [] and policy["ceilings"] == []
    # not yet covered on a day before the payment
    assert _eligibility(facility, number=head.insurance_number, on=str(TODAY - DAY)).json()["covered"] is False


def test_eligibility_by_card(api, claim_admin, family):
    head = Insuree.objects.get(pk=family.head_id)
    client = api(claim_admin)
    body = _eligibility(client, card=signing.sign(head.insurance_number)).json()
    assert body["authentic"] is True and body["insuree"]["insurance_number"] == head.insurance_number
    forged = _eligibility(client, card=f"{head.insurance_number}.AAAAAAAAAAAAAAAA")
    assert forged.status_code == 200
    assert forged.json() == {"on": str(TODAY), "authentic": False, "insuree": None, "covered": False, "policies": []}
    unsigned = _eligibility(client, card=head.insurance_number)
    assert unsigned.status_code == 200 and unsigned.json()["authentic"] is False
    assert unsigned.json()["insuree"] is None
    refused(_eligibility(client, card=signing.sign("999999999")), 404, "card", "not_found")


def test_eligibility_refusals(api, claim_admin, receptionist, nobody, family, family_b):
    client = api(claim_admin)
    refused(_eligibility(client, number="123"), 404, "number", "not_found")
    head_b = Insuree.objects.get(pk=family_b.head_id)
    refused(_eligibility(client, number=head_b.insurance_number), 404, "number", "not_found")  # out of scope
    refused(_eligibility(client), 400, "number", "invalid")
    refused(_eligibility(client, number="1", card="2"), 400, "card", "invalid")
    refused(_eligibility(client, number="1", on="yesterday"), 400, "on", "invalid")
    head = Insuree.objects.get(pk=family.head_id)
    assert _eligibility(api(receptionist), number=head.insurance_number).status_code == 200
    refused(_eligibility(api(nobody), number=head.insurance_number), 404)
    stranger = UserFactory.create(role=roles.ACCOUNTANT, scope=[family.village])  # no enquiry permission
    refused(_eligibility(api(stranger), number=head.insurance_number), 403, code="permission_denied")


def test_eligibility_item_with_a_waiting_period(api, eo_a, claim_admin, family, product):
    item = ItemFactory.create(code="AMOX")
    ProductItem.objects.create(product=product, item=item, waiting_period_adult=3, limit_no_adult=2)
    uuid = sold(api(eo_a), family, product)
    pay(api(eo_a), uuid, "15000", "W-1")
    head = Insuree.objects.get(pk=family.head_id)
    child = Insuree.objects.filter(family=family).exclude(pk=family.head_id).get()
    client = api(claim_admin)

    line = _eligibility(client, number=head.insurance_number, item="amox").json()["policies"][0]["lines"][0]
    assert set(line) == _shape_of(ps.LineCheckOut())
    waited = add_months(TODAY, 3)
    assert (line["kind"], line["code"], line["covered"], line["ok"]) == ("item", "AMOX", True, False)
    assert line["from_date"] == str(waited) and line["reason"].startswith("Waiting period until")
    assert (line["maximum"], line["used"], line["left"]) == (2, 0, 2)
    later = _eligibility(client, number=head.insurance_number, item="AMOX", on=str(waited)).json()
    assert later["policies"][0]["lines"][0]["ok"] is True

    child_line = _eligibility(client, number=child.insurance_number, item="AMOX").json()["policies"][0]["lines"][0]
    assert child_line["ok"] is True and child_line["maximum"] is None  # no waiting period nor limit for children
    other = _eligibility(client, number=head.insurance_number, service="S0001").json()["policies"][0]["lines"][0]
    assert (other["kind"], other["covered"], other["ok"]) == ("service", False, False)


def test_eligibility_is_a_few_queries(api, eo_a, claim_admin, family, product, client, django_assert_max_num_queries):
    item = ItemFactory.create(code="AMOX")
    ProductItem.objects.create(product=product, item=item)
    uuid = sold(api(eo_a), family, product)
    pay(api(eo_a), uuid, "15000", "Q-1")
    head = Insuree.objects.get(pk=family.head_id)
    token = Token.objects.create(user=claim_admin)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    url = "/api/v1/eligibility/"
    # token + user, permissions (user's and groups', one query), scope (one query), person, covers, and the
    # person's claims in the cover (the claims app's usage source; none here, so no query for their lines)
    with django_assert_max_num_queries(6):
        response = client.get(url, {"number": head.insurance_number}, **auth)
    assert response.status_code == 200 and response.json()["covered"] is True
    with django_assert_max_num_queries(7):  # + the product line asked for
        response = client.get(url, {"number": head.insurance_number, "item": "AMOX"}, **auth)
    assert response.json()["policies"][0]["lines"][0]["ok"] is True
