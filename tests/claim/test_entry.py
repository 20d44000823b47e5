"""Entering claims at a facility: what is refused, with the field named, and the idempotent retry."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from claim import services
from claim.exceptions import ClaimError, ClaimStateError
from claim.models import Claim, ClaimItem, ClaimStatus
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.policy.factories import ItemFactory, ServiceFactory

pytestmark = pytest.mark.django_db
VISIT = date(2026, 5, 4)


@pytest.fixture
def setup(country):
    DiagnosisFactory.create(code="A09", name="Diarrhoea")
    DiagnosisFactory.create(code="B54", name="Malaria")
    ItemFactory.create(code="AMX250", price=Decimal("300"))
    ServiceFactory.create(code="CONS", price=Decimal("5000"))
    return make_family(country.village_a1, members=1)


def _enter(user, country, family, **changes):
    values = {
        "user": user,
        "facility": country.facility_a,
        "insurance_number": family.head.insurance_number,
        "code": "HFA-0001",
        "date_from": VISIT,
        "diagnoses": ["B54", "A09"],
        "items": [{"code": "amx250", "qty": "10", "price": "300"}],
        "services": [{"code": "CONS", "qty": 1, "price": "5000"}],
    } | changes
    return services.claim_create(**values)


def test_a_claim_is_entered_with_its_lines_and_claimed_amount(claim_admin, country, setup):
    claim = _enter(claim_admin, country, setup)
    assert claim.status == ClaimStatus.ENTERED
    assert claim.claimed == Decimal("8000.00")  # 10 x 300 + 1 x 5000
    assert (claim.icd.code, claim.icd_1.code, claim.icd_2) == ("B54", "A09", None)
    assert ClaimItem.objects.get(claim=claim).qty_provided == 10
    assert claim.date_claimed == date.today()


def test_the_same_uuid_again_returns_the_same_claim(claim_admin, country, setup):
    key = uuid.uuid4()
    first = _enter(claim_admin, country, setup, claim_uuid=key)
    again = _enter(claim_admin, country, setup, claim_uuid=key)
    assert again.pk == first.pk and Claim.objects.count() == 1


def test_a_duplicate_code_at_the_facility_is_refused(claim_admin, country, setup):
    _enter(claim_admin, country, setup)
    with pytest.raises(ApplicationError) as exc:
        _enter(claim_admin, country, setup, code="hfa-0001")
    assert exc.value.code == "claim_code_unique_per_facility"
    assert "already has a claim" in exc.value.fields["code"][0]
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date_from": date.today() + timedelta(days=1)}, "date_from", "future"),
        ({"date_to": VISIT - timedelta(days=1)}, "date_to", "before its start"),
        ({"date_to": date.today() + timedelta(days=1)}, "date_to", "future"),
        ({"items": [{"code": "NOPE", "qty": 1}]}, "items.0.code", "No active item"),
        ({"items": [{"code": "AMX250", "qty": 0}]}, "items.0.qty", "more than 0"),
        ({"items": [{"code": "AMX250", "qty": "-2"}]}, "items.0.qty", "more than 0"),
        ({"items": [{"code": "AMX250", "qty": 1, "price": "-1"}]}, "items.0.price", "negative"),
        (
            {"items": [{"code": "AMX250", "qty": 1}, {"code": "AMX250", "qty": 2}]},
            "items.1.code",
            "Already on this claim",
        ),
        ({"items": [], "services": []}, "items", "at least one"),
        ({"diagnoses": []}, "icd", "main diagnosis"),
        ({"diagnoses": ["ZZZ"]}, "icd", "not an active ICD-10"),
        ({"code": ""}, "code", "required"),
        ({"visit_type": "X"}, "visit_type", "emergency"),
        ({"insurance_number": "123"}, "insurance_number", "No insuree"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(claim_admin, country, setup, changes, field, message):
    with pytest.raises(ClaimError) as exc:
        _enter(claim_admin, country, setup, **changes)
    assert message in exc.value.fields[field][0]
    assert not Claim.objects.exists()


def test_insurees_and_facilities_outside_the_scope(claim_admin, eo_a, country, setup):
    outsider = make_family(country.village_b1, members=0)
    with pytest.raises(ClaimError) as exc:
        _enter(claim_admin, country, outsider)
    assert "insurance_number" in exc.value.fields
    with pytest.raises(PermissionDeniedError):
        _enter(claim_admin, country, setup, facility=country.facility_b)
    with pytest.raises(PermissionDeniedError):
        _enter(eo_a, country, setup)  # an enrolment officer does not enter claims


def test_scope_facility_staff_and_medical_officers(claim_admin, medical_officer, eo_b, country, setup):
    claim = _enter(claim_admin, country, setup)
    assert list(Claim.objects.visible_to(claim_admin)) == [claim]
    assert list(Claim.objects.visible_to(medical_officer)) == [claim]  # region A
    assert not Claim.objects.visible_to(eo_b).exists()


def test_only_entered_claims_are_deleted(claim_admin, country, setup):
    claim = _enter(claim_admin, country, setup)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.CHECKED)
    with pytest.raises(ClaimStateError):
        services.claim_delete(user=claim_admin, claim=claim)
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.ENTERED)
    services.claim_delete(user=claim_admin, claim=claim)
    assert not Claim.objects.exists()


def test_an_entered_claim_is_changed_and_its_lines_replaced(claim_admin, country, setup):
    claim = _enter(claim_admin, country, setup)
    services.claim_update(
        user=claim_admin,
        claim=claim,
        insurance_number=setup.head.insurance_number,
        code="HFA-0001B",
        date_from=VISIT,
        date_to=VISIT + timedelta(days=2),
        diagnoses=["A09"],
        items=[{"code": "AMX250", "qty": "4", "price": "300"}],
    )
    claim.refresh_from_db()
    assert (claim.code, claim.date_to, claim.icd.code, claim.claimed) == (
        "HFA-0001B",
        VISIT + timedelta(days=2),
        "A09",
        Decimal("1200.00"),
    )
    assert list(ClaimItem.objects.filter(claim=claim).values_list("qty_provided", flat=True)) == [Decimal("4.00")]
    assert not claim.services.exists()


def test_a_submitted_claim_cannot_be_changed_and_bad_changes_write_nothing(claim_admin, country, setup):
    claim = _enter(claim_admin, country, setup)
    with pytest.raises(ClaimError) as exc:
        services.claim_update(
            user=claim_admin,
            claim=claim,
            insurance_number=setup.head.insurance_number,
            code="HFA-0001",
            date_from=VISIT,
            diagnoses=["B54"],
            items=[{"code": "AMX250", "qty": "0"}],
        )
    assert "items.0.qty" in exc.value.fields
    assert ClaimItem.objects.get(claim=claim).qty_provided == 10  # unchanged
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.CHECKED)
    with pytest.raises(ClaimStateError) as state:
        services.claim_update(
            user=claim_admin,
            claim=claim,
            insurance_number=setup.head.insurance_number,
            code="HFA-0001",
            date_from=VISIT,
            diagnoses=["B54"],
            items=[{"code": "AMX250", "qty": "1"}],
        )
    assert state.value.code == "claim_not_editable"
