"""Figures of the monthly batch run at national scale: "valuation of 1,000,000 Processed claims (3,000,000 lines) for
one month: <= 120 s on 2 cores with one worker" and "capitation for 6,000 facilities: <= 30 s".

1. Data: the insurees, policies and 2,000,000 claims of `bench_claims` (generated as it does when missing).
2. The month: the last month that has ended. The first 1,000,000 generated claims (by id) that were valued and
   whose every line is on a national product (GEN-NAT or GEN-CYC) are made Processed in that month, their passed
   lines priced relatively and unpaid, as processing leaves them (`processed_at` spread over the month, the visit
   kept); the two products get a monthly period for relative prices and a distribution (1/12 of the year in each
   month, both care types). Written with set-based SQL, history triggers off: this is set-up, not the figure. A
   run of that month left by an earlier measurement on a kept database (BENCH_KEEP_DB=1) is deleted first and its
   claims are put back to Processed.
3. Valuation: an accountant covering every region launches the national run (`batch_run_launch`, as the page does);
   one real Celery worker (solo pool, one process) executes it: indices, then the claims in chunks of BATCH_CHUNK.
   The figure is the wall time from the launch to the job's end, observed by polling the job. Checked: the job
   succeeded, every one of the month's claims is Valuated and in the run once, and each claim is paid the sum of its
   lines' valued amounts x the index, each rounded to the cent (one SQL count of the claims that differ: 0).
4. Capitation: the generated facilities topped up to 6,000 (levels dispensary, health centre, hospital in turn,
   each with up to three villages of its district as catchment, 40 % each); GEN-CYC gets capitation (5 % of its
   contributions, the three levels, weights 20/10/20/10/20/20). `capitation_compute` for that product and the month,
   timed in this process (the run calls the same function). Checked: one payment per eligible facility, adding up
   to the pool's share (each of the six parts is rounded to the cent, so within 3 cents of pool x share).

Run alone: `.venv/bin/python bench/run.py batch` (re-creates the bench database first: about 13 minutes of data on 2
cores; `BENCH_KEEP_DB=1` re-measures on the data already there).
"""

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from bench import common

if TYPE_CHECKING:
    from openimis.accounts.models import User

CLAIMS = 1_000_000
FACILITIES = 6_000
VALUATION_TARGET_SECONDS = 120.0
CAPITATION_TARGET_SECONDS = 30.0
RELATIVE_PRODUCTS = ("GEN-NAT", "GEN-CYC")
CAPITATION_PRODUCT = "GEN-CYC"
ROOT = Path(__file__).resolve().parent.parent


def _month() -> tuple[int, int]:
    """The last month that has ended."""
    last = date.today().replace(day=1) - timedelta(days=1)
    return last.year, last.month


def _sql(statement: str, params: dict | list | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _one(statement: str, params: dict | list | None = None) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()


def _prepare_month(year: int, month: int) -> tuple[int, int]:
    """Makes CLAIMS claims Processed in the month with unpaid relative-price lines; (claims, lines)."""
    import pgtrigger
    from django.db import transaction

    from batch.models import BatchRun, RunClaim
    from batch.rules import month_end
    from policy.models import Product, RelativeDistribution

    started = time.perf_counter()
    previous = BatchRun.objects.filter(year=year, month=month, location=None).first()
    # an earlier measurement on a kept database: its claims are put back to Processed (the lines were not changed)
    again = previous is not None and RunClaim.objects.filter(run=previous).count() == CLAIMS
    products = list(Product.objects.filter(code__in=RELATIVE_PRODUCTS, location=None).values_list("id", flat=True))
    if len(products) != len(RELATIVE_PRODUCTS):
        raise common.BenchmarkError(f"the generated national products {RELATIVE_PRODUCTS} are missing")
    first, last = date(year, month, 1), month_end(year, month)
    with transaction.atomic(), pgtrigger.ignore():
        # no capitation yet (a kept database has GEN-CYC's from the capitation figure): every facility is paid by index
        Product.objects.filter(pk__in=products).update(
            period_rel_prices="M", date_to=max(last, date.today()), share_contribution=None, capitation_level_1=""
        )
        RelativeDistribution.objects.filter(product_id__in=products).delete()
        RelativeDistribution.objects.bulk_create(
            RelativeDistribution(
                product_id=p, care_type="B", period_type=12, period=k, percent=Decimal("8.33" if k < 12 else "8.37")
            )
            for p in products
            for k in range(1, 13)
        )
        if again:
            _sql(
                "CREATE TEMP TABLE bench_month ON COMMIT DROP AS "
                "SELECT claim_id AS id FROM batch_runclaim WHERE run_id = %s",
                [previous.pk],
            )
        BatchRun.objects.filter(year=year, month=month, location=None).delete()
        _sql(
            """
            CREATE TEMP TABLE IF NOT EXISTS bench_month ON COMMIT DROP AS
            SELECT c.id FROM claim_claim c
            WHERE c.status IN (8, 16)
              AND NOT EXISTS (SELECT 1 FROM claim_claimitem l WHERE l.claim_id = c.id
                              AND (l.product_id IS NULL OR l.product_id <> ALL(%s)))
              AND NOT EXISTS (SELECT 1 FROM claim_claimservice l WHERE l.claim_id = c.id
                              AND (l.product_id IS NULL OR l.product_id <> ALL(%s)))
            ORDER BY c.id LIMIT %s
            """,
            [products, products, CLAIMS],  # positional: pgtrigger.ignore() adds positional parameters
        )
        lines = 0
        for table in ("claim_claimitem", "claim_claimservice"):
            if again:
                lines += _one(
                    f"SELECT COUNT(*) FROM {table} l JOIN bench_month m ON l.claim_id = m.id WHERE l.status = 1",  # noqa: S608
                    [],
                )[0]
                continue
            lines += _sql(
                f"""
                UPDATE {table} l SET price_origin = 'R', remunerated_amount = NULL,
                       price_valuated = COALESCE(l.price_valuated,
                           COALESCE(l.price_approved, l.price_adjusted, 0) * COALESCE(l.qty_approved, l.qty_provided))
                FROM bench_month m WHERE l.claim_id = m.id AND l.status = 1
                """,  # noqa: S608 - constant table names
                [],
            )
        claims = _sql(
            """
            UPDATE claim_claim c SET status = 8, remunerated = 0,
                   processed_at = (%s::date + (c.id %% %s)::int) + time '12:00'
            FROM bench_month m WHERE c.id = m.id
            """,
            [first, (last - first).days + 1],
        )
    if claims != CLAIMS:
        raise common.BenchmarkError(f"only {claims:,} generated claims suit the month ({CLAIMS:,} wanted)")
    _sql("VACUUM ANALYZE claim_claim")
    _sql("VACUUM ANALYZE claim_claimitem")
    _sql("VACUUM ANALYZE claim_claimservice")
    print(
        f"month {year}-{month:02d}: {claims:,} claims Processed with {lines:,} relative-price lines"
        f" ({time.perf_counter() - started:.0f} s of set-up)"
    )
    return claims, lines


def _worker_env() -> dict[str, str]:
    from django.conf import settings

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openimis.settings.test",
        "DATABASE_URL": common.DATABASE_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CACHE_PREFIX": "openimis-bench",
        "DEBUG": "false",
    }


def _start_worker(log: Path) -> subprocess.Popen:
    """One Celery worker process (solo pool) on the benchmark's queue and database."""
    from django.conf import settings

    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "openimis", "worker", "--pool=solo", "--without-gossip",
         "--without-mingle", "--loglevel=INFO", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-n", "bench-batch@%h"],
        cwd=ROOT, env=_worker_env(), stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise common.BenchmarkError("the Celery worker did not start:\n" + log.read_text())
        time.sleep(0.2)
    return process


def _runs_page(accountant: "User", claims: int) -> None:
    """Prints the server time of the runs page right before the run, when its banner counts the month's Processed
    claims by month (no target: the page is measured because it counts the most then)."""
    from django.test import Client
    from django.urls import reverse

    client = Client(SERVER_NAME="localhost")  # ALLOWED_HOSTS does not list the Client's "testserver"
    client.force_login(accountant)
    url = reverse("batch:run_list")
    samples = []
    for n in range(23):
        started = time.perf_counter()
        response = client.get(url)
        if n >= 3:  # after warm-up
            samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise common.BenchmarkError(f"the runs page answered {response.status_code}")
    p50, p95 = common.percentile(samples, 50), common.percentile(samples, 95)
    waiting = f"runs page with {claims:,} Processed claims waiting (its months-waiting banner)"
    print(f"{waiting}: p50 {p50:.0f} ms, p95 {p95:.0f} ms")


def valuation(year: int, month: int, claims: int, lines: int) -> list[common.Figure]:
    from celery import current_app

    from batch.models import BatchRun, RelativeIndex, RunClaim
    from batch.services import batch_run_launch
    from location.models import Location, LocationType
    from openimis.accounts import roles
    from openimis.accounts.models import User
    from openimis.common.models import Job, JobStatus

    regions = Location.objects.filter(type=LocationType.REGION)
    accountant = User.objects.filter(username="bench_accountant").first() or common.make_user(
        "bench_accountant", roles.ACCOUNTANT, scope=regions
    )
    _runs_page(accountant, claims)
    current_app.control.purge()
    log = ROOT / "var" / "bench-batch-worker.log"
    log.parent.mkdir(exist_ok=True)
    worker = _start_worker(log)
    try:
        started = time.perf_counter()
        job = batch_run_launch(user=accountant, year=year, month=month)
        while True:
            time.sleep(0.5)
            job = Job.objects.get(pk=job.pk)
            if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                break
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    if job.status != JobStatus.SUCCEEDED:
        raise common.BenchmarkError(f"the batch job failed: {job.error}\n{log.read_text()[-3000:]}")
    run = BatchRun.objects.get(job=job)
    valued = RunClaim.objects.filter(run=run).count()
    left = _one(
        "SELECT COUNT(*) FROM claim_claim WHERE status = 8 AND processed_at >= %(start)s AND processed_at < %(next)s",
        {"start": date(year, month, 1), "next": (date(year, month, 28) + timedelta(days=4)).replace(day=1)},
    )[0]
    # every claim paid exactly the sum of its lines' valued amount x index, rounded per line, once
    wrong = _one(
        """
        WITH lines AS (
            SELECT claim_id, product_id, price_valuated FROM claim_claimitem WHERE status = 1 AND price_origin = 'R'
            UNION ALL
            SELECT claim_id, product_id, price_valuated FROM claim_claimservice WHERE status = 1 AND price_origin = 'R'
        ), expected AS (
            SELECT l.claim_id, SUM(ROUND(l.price_valuated * ri.index, 2)) AS paid
            FROM lines l JOIN batch_runclaim rc ON rc.claim_id = l.claim_id AND rc.run_id = %(run)s
            JOIN batch_relativeindex ri ON ri.run_id = rc.run_id AND ri.product_id = l.product_id
            GROUP BY l.claim_id
        )
        SELECT COUNT(*) FROM batch_runclaim rc JOIN claim_claim c ON c.id = rc.claim_id
        LEFT JOIN expected e ON e.claim_id = rc.claim_id
        WHERE rc.run_id = %(run)s
          AND (rc.remunerated <> COALESCE(e.paid, 0) OR c.remunerated <> rc.remunerated OR c.status <> 16)
        """,
        {"run": run.pk},
    )[0]
    if valued != claims or left or wrong:
        raise common.BenchmarkError(f"{valued:,} claims valued of {claims:,}, {left:,} left Processed, {wrong:,} wrong")
    indices = ", ".join(f"{i.product.code} {i.index}" for i in RelativeIndex.objects.filter(run=run))
    assert job.finished_at is not None and job.started_at is not None
    worker_seconds = (job.finished_at - job.started_at).total_seconds()
    return [
        common.Figure(
            f"batch valuation of {claims:,} Processed claims ({lines:,} lines), one worker",
            seconds,
            VALUATION_TARGET_SECONDS,
            "s",
            notes=(
                f"launch to job done; the worker's part {worker_seconds:.1f} s; indices {indices}",
                f"chunks of {_chunk()} claims; every claim valued once, every line to the cent (checked in SQL)",
            ),
        )
    ]


def _chunk() -> int:
    from django.conf import settings

    return settings.BATCH_CHUNK


def _top_up_facilities() -> int:
    """Facilities up to FACILITIES, each with catchment villages of its district; the number there is."""
    import pgtrigger
    from django.db import transaction

    with transaction.atomic(), pgtrigger.ignore():
        existing = _one("SELECT COUNT(*) FROM location_healthfacility")[0]
        _sql(
            """
            WITH d AS (SELECT id, row_number() OVER (ORDER BY id) AS rn, COUNT(*) OVER () AS n
                       FROM location_location WHERE type = 'D')
            INSERT INTO location_healthfacility (uuid, code, name, acc_code, legal_form, level, sub_level, district_id,
                care_type, address, phone, fax, email, status, offline, created_at, updated_at)
            SELECT gen_random_uuid(), 'BC' || lpad(g::text, 5, '0'), 'Capitation facility ' || g, '', 'G',
                   (ARRAY['D', 'C', 'H'])[1 + g %% 3], '', d.id, 'B', '', '', '', '', 'AC', FALSE, now(), now()
            FROM generate_series(1, %s) g JOIN d ON d.rn = 1 + g %% d.n
            ON CONFLICT DO NOTHING
            """,
            [max(FACILITIES - existing, 0)],
        )
        _sql(
            """
            INSERT INTO location_healthfacilitycatchment (facility_id, village_id, percentage)
            SELECT hf.id, v.id, 40 FROM location_healthfacility hf
            CROSS JOIN LATERAL (
                SELECT v.id FROM location_location v JOIN location_location w ON w.id = v.parent_id
                WHERE w.parent_id = hf.district_id AND v.type = 'V'
                ORDER BY (v.id * 7919 + hf.id * 104729) %% 1000003 LIMIT 3
            ) v
            WHERE NOT EXISTS (SELECT 1 FROM location_healthfacilitycatchment c WHERE c.facility_id = hf.id)
            ON CONFLICT DO NOTHING
            """,
            [],
        )
    _sql("ANALYZE location_healthfacility")
    _sql("ANALYZE location_healthfacilitycatchment")
    return _one("SELECT COUNT(*) FROM location_healthfacility")[0]


def capitation(year: int, month: int) -> list[common.Figure]:
    from batch.capitation import capitation_compute
    from batch.models import CapitationPayment
    from policy.models import Product

    facilities = _top_up_facilities()
    Product.objects.filter(code=CAPITATION_PRODUCT, location=None).update(
        share_contribution=Decimal("5"),
        capitation_level_1="D",
        capitation_level_2="C",
        capitation_level_3="H",
        weight_population=Decimal("20"),
        weight_nb_families=Decimal("10"),
        weight_insured_population=Decimal("20"),
        weight_nb_insured_families=Decimal("10"),
        weight_nb_visits=Decimal("20"),
        weight_adjusted_amount=Decimal("20"),
    )
    product = Product.objects.get(code=CAPITATION_PRODUCT, location=None)
    started = time.perf_counter()
    rows = capitation_compute(product=product, year=year, month=month)
    seconds = time.perf_counter() - started
    paid = sum((r.payment for r in rows), Decimal(0))
    expected = (rows[0].pool * product.share_contribution / 100).quantize(Decimal("0.01")) if rows else Decimal(0)
    stored = CapitationPayment.objects.filter(product=product, year=year, month=month).count()
    # each of the six parts is rounded to the cent, then split exactly: the sum is within 3 cents of pool x share
    if len(rows) != facilities or stored != facilities or abs(paid - expected) > Decimal("0.03"):
        raise common.BenchmarkError(f"{len(rows):,} payments for {facilities:,} facilities, {paid} paid of {expected}")
    visits = sum(r.visits for r in rows)
    return [
        common.Figure(
            f"capitation for {facilities:,} facilities",
            seconds,
            CAPITATION_TARGET_SECONDS,
            "s",
            notes=(f"{paid} paid of pool x share {expected}; {visits:,} visits counted; one product, one month",),
        )
    ]


def run() -> list[common.Figure]:
    common.prepare()
    from bench import bench_claims

    bench_claims.ensure_data()
    year, month = _month()
    claims, lines = _prepare_month(year, month)
    figures = valuation(year, month, claims, lines)
    figures += capitation(year, month)
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
