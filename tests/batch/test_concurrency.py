"""Ten people start the same month's run at the same moment, and ten workers execute one run at once: one run,
every claim valued once, with the amounts of a run alone."""

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection

from batch import services
from batch.models import BatchRun, RunClaim
from batch.services import batch_run_execute, batch_run_start
from claim.models import Claim, ClaimStatus
from openimis.common.exceptions import ApplicationError

from .test_run import FEB_1, _claim, _distribute, _scheme

THREADS = 10


def _at_once(work: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            try:
                outcome = work()
            except ApplicationError as exc:
                outcome = exc
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture
def claims(country, scheme_admin) -> list[Claim]:
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {1: "50"})
    # 15.50 over 20 x 15.50 = 310.00 -> 0.05; each line 0.78 (0.775 half up)
    return [_claim(s, f"C{n}", date(2026, 1, 1 + n), ["15.50"]) for n in range(20)]


@pytest.mark.django_db(transaction=True)
def test_ten_runs_started_at_once_make_one(claims, scheme_admin):
    def start_and_execute() -> BatchRun:
        return batch_run_execute(batch_run_start(user=scheme_admin, year=2026, month=1, today=FEB_1))

    outcomes = _at_once(start_and_execute)

    runs = [o for o in outcomes if isinstance(o, BatchRun)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(runs) == 1 and len(refused) == THREADS - 1
    assert {e.code for e in refused} == {"batchrun_unique_period_location"}
    assert BatchRun.objects.count() == 1
    assert RunClaim.objects.count() == len(claims)
    assert set(Claim.objects.values_list("status", "remunerated")) == {(ClaimStatus.VALUATED, D("0.78"))}


@pytest.mark.django_db(transaction=True)
def test_ten_workers_on_one_run_value_each_claim_once(claims, scheme_admin, monkeypatch):
    monkeypatch.setattr("batch.services.CHUNK", 3)
    run = batch_run_start(user=scheme_admin, year=2026, month=1, today=FEB_1)

    outcomes = _at_once(lambda: batch_run_execute(BatchRun.objects.get(pk=run.pk)))

    assert all(isinstance(o, BatchRun) for o in outcomes)
    assert RunClaim.objects.filter(run=run).count() == len(claims)
    assert set(Claim.objects.values_list("status", "remunerated")) == {(ClaimStatus.VALUATED, D("0.78"))}


@pytest.mark.django_db(transaction=True)
def test_one_execution_on_four_connections_values_each_claim_once(claims, scheme_admin, monkeypatch):
    monkeypatch.setattr("batch.services.CHUNK", 1)
    monkeypatch.setattr("batch.services.CONNECTIONS", 4)
    seen: list[str] = []
    original = services._value_chunk

    def counting(run, **kwargs):
        valued, after = original(run, **kwargs)
        if valued:
            seen.append(threading.current_thread().name)
        return valued, after

    monkeypatch.setattr(services, "_value_chunk", counting)
    run = batch_run_execute(batch_run_start(user=scheme_admin, year=2026, month=1, today=FEB_1))

    assert RunClaim.objects.filter(run=run).count() == len(claims) == len(seen)
    assert len(set(seen)) > 1  # the helper connections took chunks too
    assert set(Claim.objects.values_list("status", "remunerated")) == {(ClaimStatus.VALUATED, D("0.78"))}
