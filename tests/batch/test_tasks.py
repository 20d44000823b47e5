"""The batch run as a job: launched by a service (permission, refusals, the run linked to its job), executed by the
`batch.run` task with progress, a failure marking both the run and the job failed; and on a real Celery worker."""

import os
import signal
from datetime import date, datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from batch import services
from batch.models import BatchRun, BatchRunStatus, RelativeIndex, RunClaim
from batch.services import batch_run_launch
from batch.tasks import batch_run_task
from claim.models import Claim, ClaimItem, ClaimStatus
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from openimis.common.models import Job, JobStatus
from policy.models import Contribution, Policy, PriceOrigin
from tests.batch.test_run import _claim, _distribute, _paid, _scheme
from tests.medical.factories import DiagnosisFactory, ItemFactory
from tests.workers import celery_worker, wait_for


@pytest.fixture
def monthly(country, scheme_admin):
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {1: "50", 2: "50"})
    return s


@pytest.mark.django_db
def test_launch_links_a_queued_job_to_the_run(monthly, scheme_admin):
    job = batch_run_launch(user=scheme_admin, year=2026, month=1)

    run = BatchRun.objects.get()
    assert run.job == job and run.status == BatchRunStatus.RUNNING
    assert (job.kind, job.status, job.created_by, job.params) == (
        "batch.run", JobStatus.QUEUED, scheme_admin, {"run": str(run.uuid)},
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["claim_admin", "medical_officer", "nobody"])
def test_launch_refused_without_the_permission(monthly, persona, request):
    with pytest.raises(PermissionDeniedError):
        batch_run_launch(user=request.getfixturevalue(persona), year=2026, month=1)
    assert not BatchRun.objects.exists() and not Job.objects.exists()


@pytest.mark.django_db
def test_launch_refused_twice_creates_no_second_job(monthly, scheme_admin):
    batch_run_launch(user=scheme_admin, year=2026, month=1)
    with pytest.raises(ApplicationError):
        batch_run_launch(user=scheme_admin, year=2026, month=1)
    assert BatchRun.objects.count() == 1 and Job.objects.count() == 1


@pytest.mark.django_db
def test_the_task_values_the_run_and_reports_progress(monthly, scheme_admin, monkeypatch):
    claims = [_claim(monthly, f"C{n}", date(2026, 1, 10), ["12.34"]) for n in range(3)]
    job = batch_run_launch(user=scheme_admin, year=2026, month=1)
    monkeypatch.setattr(services, "CHUNK", 1)
    seen: list[tuple[int, str]] = []
    real = services.job_progress

    def spy(**kwargs: Any) -> None:
        seen.append((int(kwargs["percent"]), kwargs["message"]))
        real(**kwargs)

    monkeypatch.setattr(services, "job_progress", spy)

    batch_run_task(job.pk)  # as the worker calls it

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert [p for p, _ in seen] == [33, 66, 100]
    assert seen[-1][1] == "Claims valued: 3 of 3"
    assert job.result["claims"] == 3
    assert all(_paid(c)[0] == ClaimStatus.VALUATED for c in claims)
    assert BatchRun.objects.get().status == BatchRunStatus.DONE


@pytest.mark.django_db
def test_a_repeated_message_values_nothing_twice(monthly, scheme_admin):
    _claim(monthly, "C1", date(2026, 1, 10), ["12.34"])
    job = batch_run_launch(user=scheme_admin, year=2026, month=1)
    batch_run_task(job.pk)
    batch_run_task(job.pk)  # delivered again: the job is finished, nothing runs
    assert RunClaim.objects.count() == 1
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.django_db
def test_an_error_fails_the_run_and_the_job(monthly, scheme_admin, monkeypatch):
    _claim(monthly, "C1", date(2026, 1, 10), ["12.34"])
    job = batch_run_launch(user=scheme_admin, year=2026, month=1)

    def broken(run, *, after=0, wait=False):
        raise ApplicationError("The disk is full.", code="disk_full")

    monkeypatch.setattr(services, "_value_chunk", broken)
    batch_run_task(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "The disk is full.")
    run = BatchRun.objects.get()
    assert run.status == BatchRunStatus.FAILED and run.finished_at is not None


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_run_executes_on_a_real_worker(monthly, scheme_admin):
    # the hand-computed example of test_run.test_monthly_index_and_amounts_to_the_cent: index 0.5166666667
    first = _claim(monthly, "C1", date(2026, 1, 10), ["12.34"], fixed=["10.00"])
    second = _claim(monthly, "C2", date(2026, 1, 31), ["17.66"])
    with celery_worker():
        job = batch_run_launch(user=scheme_admin, year=2026, month=1)
        finished = wait_for(
            lambda: Job.objects.filter(pk=job.pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).first()
        )
    assert finished.status == JobStatus.SUCCEEDED, finished.error
    assert finished.progress == 100
    assert finished.result == {"run": str(BatchRun.objects.get().uuid), "claims": 2, "remunerated": "25.50"}
    assert _paid(first) == (ClaimStatus.VALUATED, D("16.38"), [D("6.38")])
    assert _paid(second) == (ClaimStatus.VALUATED, D("9.12"), [D("9.12")])
    assert BatchRun.objects.get().status == BatchRunStatus.DONE


def _many_claims(s, n: int) -> list[D]:
    """n Processed claims of 10 January, one relative-price line each, valued 10.00 to 59.00; their line values."""
    icd, item = DiagnosisFactory.create(), ItemFactory.create()
    processed = timezone.make_aware(datetime(2026, 1, 10, 10))
    values = [D(10 + k % 50) for k in range(n)]
    claims = Claim.objects.bulk_create(
        Claim(
            code=f"K{k}", facility=s.facility, insuree=s.insuree, date_from=date(2026, 1, 10),
            date_claimed=date(2026, 1, 10), icd=icd, created_by=s.user, status=ClaimStatus.PROCESSED,
            processed_at=processed, valuated=values[k], remunerated=D(0),
        )
        for k in range(n)
    )  # fmt: skip
    ClaimItem.objects.bulk_create(
        ClaimItem(
            claim=claim, item=item, qty_provided=1, price_asked=value, price_valuated=value, product=s.product,
            price_origin=PriceOrigin.RELATIVE,
        )
        for claim, value in zip(claims, values, strict=True)
    )  # fmt: skip
    return values


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_is_resumed_by_the_next_one(monthly, scheme_admin):
    policy = Policy.objects.get(product=monthly.product)
    Contribution.objects.create(
        policy=policy, amount=D("3650000.00"), receipt="R-BIG", pay_date=date(2026, 1, 1), pay_type="C",
        created_by=scheme_admin,
    )  # fmt: skip
    values = _many_claims(monthly, 10_000)
    # by hand: pool 31 days x (365.00 + 3,650,000.00) / 365 = 310,031.00, share 50 % -> 155,015.50;
    # valued 10,000 x 10 + 200 x (0 + 1 + ... + 49) = 345,000.00 -> index 0.4493202899 (10 places, half up)
    index = (D("155015.50") / sum(values)).quantize(D("0.0000000001"), rounding=ROUND_HALF_UP)
    assert index == D("0.4493202899")
    expected = sum((v * index).quantize(D("0.01"), rounding=ROUND_HALF_UP) for v in values)

    with celery_worker(BATCH_CHUNK="10") as worker:
        job = batch_run_launch(user=scheme_admin, year=2026, month=1)
        run = BatchRun.objects.get(job=job)
        wait_for(lambda: RunClaim.objects.filter(run=run).count() >= 100, timeout=60, interval=0.02)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    valued_when_killed = RunClaim.objects.filter(run=run).count()
    assert 0 < valued_when_killed < 10_000
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING

    # the message was never acknowledged: the next worker takes it again once the visibility timeout has passed
    with celery_worker(BATCH_CHUNK="500", CELERY_VISIBILITY_TIMEOUT="2"):
        finished = wait_for(
            lambda: Job.objects.filter(pk=job.pk, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).first(),
            timeout=120,
        )
    assert finished.status == JobStatus.SUCCEEDED, finished.error
    assert (finished.attempts, finished.progress) == (2, 100)
    run.refresh_from_db()
    assert run.status == BatchRunStatus.DONE
    assert RelativeIndex.objects.get(run=run).index == index
    assert RunClaim.objects.filter(run=run).count() == 10_000
    assert not Claim.objects.filter(status=ClaimStatus.PROCESSED).exists()
    assert RunClaim.objects.aggregate(total=Sum("remunerated"))["total"] == expected
    assert Claim.objects.aggregate(total=Sum("remunerated"))["total"] == expected
    assert finished.result["remunerated"] == str(expected)
