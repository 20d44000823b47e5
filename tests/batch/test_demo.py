"""The batch demo loader: past months run, last month left for the demo accountant, loading twice changes nothing."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from batch import demo
from batch.models import BatchRun, BatchRunStatus, CapitationPayment, RelativeIndex, RunClaim
from claim.models import Claim, ClaimStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> str:
    from claim import demo as claim_demo
    from insuree import demo as insuree_demo
    from location import demo as location_demo
    from medical import demo as medical_demo
    from policy import demo as policy_demo

    for module in (location_demo, medical_demo, insuree_demo, policy_demo, claim_demo):
        module.load(io.StringIO(), password="openimis-demo")
    out = io.StringIO()
    demo.load(out, password="openimis-demo")
    return out.getvalue()


def test_past_months_are_run_and_last_month_is_left_and_loading_twice_changes_nothing(loaded):
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    runs = BatchRun.objects.all()
    assert runs.exists(), loaded
    assert all(r.status == BatchRunStatus.DONE for r in runs)
    assert not runs.filter(year=last_month.year, month=last_month.month).exists()
    national = runs.filter(location=None)
    assert RunClaim.objects.filter(run__in=national).exists()
    assert RelativeIndex.objects.filter(run__in=national, product__code="HOSP-R").exists()
    # CAP-R01 sold in Bahari: Ziwani's capitation shares out contributions among its facilities
    capitation = CapitationPayment.objects.filter(product__code="CAP-R01")
    assert capitation.exists() and any(p.payment > 0 and p.insured_people > 0 for p in capitation)
    # the hospital stays of months run are paid; last month's still wait for the accountant
    valued = Claim.objects.filter(pk__in=RunClaim.objects.values("claim"))
    assert all(c.status == ClaimStatus.VALUATED for c in valued)
    assert "Demo batch runs:" in loaded

    # loading twice changes nothing (one test: the demo takes a minute to load)
    before = list(BatchRun.objects.order_by("id").values_list("id", "finished_at"))
    claims = RunClaim.objects.count()
    out = io.StringIO()
    demo.load(out, password="openimis-demo")
    assert list(BatchRun.objects.order_by("id").values_list("id", "finished_at")) == before
    assert RunClaim.objects.count() == claims
    assert "0 run" in out.getvalue()
