"""Figures of the dashboards at national scale (1,000,000 insurees, about 440,000 policies, 2,000,000 claims): "each
dashboard page p95 <= 300 ms server time" (issue 8), and the national refresh of the precomputed figures, which
celery beat runs every hour.

1. Data: the insurees, policies and claims of `bench_claims` (generated as it does when missing). VACUUM ANALYZE of
   the claims, as autovacuum does after the batch benchmark has updated a million of them: the live review backlog
   is counted from the review queue's index alone once the table's visibility map is up to date.
2. Refresh: `dashboard.services.figure_refresh` of every figure for every district, one after the other, as the beat
   task does; the figure is the total (each figure's time printed). Checked: a row per figure and district.
3. Who: a manager whose scope is every region (every panel: enrolment, money, claims with the live review backlog)
   and a manager of one district (the district with the most policies).
4. Each page: `GET /dashboard/` with Django's test Client in this process (session login), 5 warm-up requests then
   50 measured; the figure is the p95 of each manager's page (p50 printed). Checked: every answer is 200 and shows
   the figures' date. Printed too: how long the queries a live "claims by status, last 30 days" would take, the
   reason it is precomputed.

Run alone: `BENCH_KEEP_DB=1 .venv/bin/python bench/run.py dashboards` on the data an earlier run left.
"""

import time
from datetime import timedelta
from typing import Any

from bench import common

PAGE_TARGET_MS = 300.0
REFRESH_TARGET_SECONDS = 120.0
WARM_UP = 5
REQUESTS = 50


def _vacuum_claims() -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE claim_claim")
    print(f"VACUUM ANALYZE claim_claim: {time.perf_counter() - started:.1f} s")


def _refresh() -> common.Figure:
    from dashboard import figures, services
    from dashboard.models import DistrictFigure
    from location.models import Location, LocationType

    seconds: dict[str, float] = {}
    for name in figures.FIGURES:
        started = time.perf_counter()
        services.figure_refresh(name=name)
        seconds[name] = time.perf_counter() - started
    districts = Location.objects.filter(type=LocationType.DISTRICT).count()
    if DistrictFigure.objects.count() != districts * len(figures.FIGURES):
        raise common.BenchmarkError("the refresh did not write a row per figure and district")
    split = ", ".join(f"{name} {s:.2f} s" for name, s in seconds.items())
    print(f"refresh: {split}")
    return common.Figure(
        f"dashboard refresh, {len(seconds)} figures of {districts} districts",
        sum(seconds.values()),
        REFRESH_TARGET_SECONDS,
        "s",
        notes=(split,),
    )


def _managers() -> list[tuple[str, Any]]:
    from django.db import connection

    from location.models import Location, LocationType
    from openimis.accounts import roles
    from openimis.accounts.models import User

    regions = Location.objects.filter(type=LocationType.REGION)
    national = User.objects.filter(username="bench_manager").first() or common.make_user(
        "bench_manager", roles.MANAGER, scope=regions
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT split_part(v.path, '.', 2)::bigint FROM policy_policy p
              JOIN insuree_family f ON f.id = p.family_id JOIN location_location v ON v.id = f.village_id
             GROUP BY 1 ORDER BY count(*) DESC LIMIT 1
            """
        )
        district = Location.objects.get(pk=cursor.fetchone()[0])
    local = User.objects.filter(username="bench_district_manager").first() or common.make_user(
        "bench_district_manager", roles.MANAGER, scope=[district]
    )
    return [("national manager", national), (f"manager of district {district.code}", local)]


def _page(label: str, user) -> common.Figure:
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    samples: list[float] = []
    for n in range(WARM_UP + REQUESTS):
        started = time.perf_counter()
        response = client.get("/dashboard/")
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or 'id="dashboard-as-of"' not in response.content.decode():
            raise common.BenchmarkError(f"the dashboard of the {label} answered {response.status_code}")
        if "Figures as of" not in response.content.decode():
            raise common.BenchmarkError(f"the dashboard of the {label} shows no computed figures")
        if n >= WARM_UP:
            samples.append(elapsed)
    p50, p95 = common.percentile(samples, 50), common.percentile(samples, 95)
    print(f"dashboard page, {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(samples)} requests)")
    return common.Figure(f"dashboard page, {label} (p50 {p50:.1f} ms): p95", p95, PAGE_TARGET_MS, "ms")


def _live_status_query() -> None:
    """What "claims by status, last 30 days" would cost if it were counted live for the whole country."""
    from django.db.models import Count
    from django.utils import timezone

    from claim.models import Claim

    since = timezone.localdate() - timedelta(days=30)
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        list(Claim.objects.filter(date_claimed__gte=since).values("status").annotate(n=Count("pk")).order_by())
        samples.append((time.perf_counter() - started) * 1000)
    print(f"live claims by status (30 days, whole country), if it were live: {min(samples):.0f}-{max(samples):.0f} ms")


def run() -> list[common.Figure]:
    common.prepare()
    from bench import bench_claims

    claims = bench_claims.ensure_data()
    common.analyze()
    _vacuum_claims()
    figures = [_refresh()]
    _live_status_query()
    for label, user in _managers():
        figures.append(_page(label, user))
    print(f"(on {claims:,} claims)")
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
