"""50 retries of the same claim (same client uuid) arrive at the same moment: one claim is entered, and all 50 calls
return it (none fails on the uuid or on the claim code, both unique)."""

import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from claim import services
from claim.models import Claim, ClaimItem
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.policy.factories import ItemFactory

THREADS = 50
VISIT = date(2026, 5, 4)


@pytest.mark.django_db(transaction=True)
def test_same_claim_uuid_entered_by_50_threads(claim_admin, country):
    DiagnosisFactory.create(code="B54", name="Malaria")
    ItemFactory.create(code="AMX250", price=Decimal("300"))
    family = make_family(country.village_a1, members=0)
    key = uuid.uuid4()
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def enter() -> None:
        try:
            barrier.wait()
            try:
                outcome: object = services.claim_create(
                    user=claim_admin,
                    facility=country.facility_a,
                    insurance_number=family.head.insurance_number,
                    code="HFA-RETRY",
                    date_from=VISIT,
                    diagnoses=["B54"],
                    items=[{"code": "AMX250", "qty": "2", "price": "300"}],
                    claim_uuid=key,
                )
            except Exception as exc:  # recorded and asserted below
                outcome = exc
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(outcomes) == THREADS
    errors = [o for o in outcomes if not isinstance(o, Claim)]
    assert errors == []
    claim = Claim.objects.get()
    assert claim.uuid == key
    assert {o.pk for o in outcomes if isinstance(o, Claim)} == {claim.pk}
    assert ClaimItem.objects.filter(claim=claim).count() == 1
