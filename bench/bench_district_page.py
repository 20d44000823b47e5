"""Figure: "the district page listing 500 villages: p95 <= 150 ms server time".

In the database of the import benchmark (10,000 villages in 30 other districts), a district of 500 villages
spread over 20 municipalities is imported, and an enrolment officer is granted that district. The officer's
request for `/locations/<district>/?tab=villages&per_page=500` goes through Django's whole stack (middleware,
session, scope, queries, template) with the test Client in this process, which keeps the database connection
open as production does (CONN_MAX_AGE). Server time is the time `Client.get` takes; there is no network.

Run alone: `.venv/bin/python -m bench.bench_district_page` (it re-creates the bench database and, for the
10,000 other villages, imports the tree of the import benchmark without timing it).
"""

import gc
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bench import bench_location_import, common

if TYPE_CHECKING:
    from django.test import Client

TARGET_MS = 150.0
REGION = 1
DISTRICT = 99  # code D0199: not used by the generated country (10 districts per region)
MUNICIPALITIES = 20
VILLAGES = 500
PER_PAGE = 500
WARM_UP = 5
REQUESTS = 100
SEED = 7
ROW = re.compile(r"<tr>\s*<td><a href=\"/locations/[0-9a-f-]{36}/\">(V\d{7})</a>")


def _ensure_background() -> None:
    """The 10,000 villages of the import benchmark, imported (untimed) when this benchmark runs alone."""
    from location.models import Location, LocationType

    if Location.objects.filter(type=LocationType.VILLAGE).count() >= bench_location_import.VILLAGES:
        return
    data, _counts = bench_location_import.country_csv()
    common.run_import(common.scheme_admin(), data, "country.csv")
    print(f"background: imported the {bench_location_import.VILLAGES:,} villages of the import benchmark")


def _timed_get(client: "Client", url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise common.BenchmarkError(f"GET {url} answered {response.status_code}")
    return elapsed_ms, response.content


@contextmanager
def _full_collections() -> Iterator[list[float]]:
    """The pauses (ms) of the full garbage collections (generation 2) that happen inside the block."""
    pauses: list[float] = []
    started = 0.0

    def on_gc(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        if info["generation"] != 2:
            return
        if phase == "start":
            started = time.perf_counter()
        else:
            pauses.append((time.perf_counter() - started) * 1000)

    gc.callbacks.append(on_gc)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(on_gc)


def _explain_slowest(queries: list[dict[str, str]]) -> None:
    """Prints the slowest queries of one request and the plan of the slowest, to say where the time goes."""
    from django.db import connection

    ranked = sorted(queries, key=lambda q: float(q["time"]), reverse=True)
    print("slowest queries of one request:")
    for query in ranked[:3]:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {ranked[0]['sql']}")
        print("plan of the slowest:")
        for (line,) in cursor.fetchall():
            print(f"  {line}")


def run() -> list[common.Figure]:
    common.prepare()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from location.models import Location, LocationType
    from openimis.accounts import roles

    _ensure_background()
    rows = common.district_rows(
        random.Random(SEED), region=REGION, district=DISTRICT, municipalities=MUNICIPALITIES, villages=VILLAGES
    )
    common.run_import(common.scheme_admin(), common.to_csv(rows), "district.csv")
    district = Location.objects.get(code=rows[0][1], type=LocationType.DISTRICT, is_active=True)
    officer = common.make_user("bench_eo", roles.ENROLMENT_OFFICER, [district])
    common.analyze()
    others = Location.objects.filter(type=LocationType.VILLAGE).exclude(path__startswith=district.path).count()
    print(f"district {district}: {VILLAGES} villages in {MUNICIPALITIES} municipalities; {others:,} other villages")

    # SERVER_NAME: ALLOWED_HOSTS does not list the Client's default "testserver".
    client = Client(SERVER_NAME="localhost")
    client.force_login(officer)
    url = reverse("location:location_detail", kwargs={"uuid": district.uuid}) + f"?tab=villages&per_page={PER_PAGE}"

    _elapsed, content = _timed_get(client, url)
    codes = ROW.findall(content.decode())
    expected = {row[1] for row in rows if row[0] == LocationType.VILLAGE}
    if len(codes) != VILLAGES or set(codes) != expected:
        raise common.BenchmarkError(f"the page lists {len(codes)} village rows, expected the district's {VILLAGES}")

    for _ in range(WARM_UP):
        _timed_get(client, url)
    gc.collect()  # the set-up's garbage is not the page's to collect
    with _full_collections() as pauses:
        samples = [_timed_get(client, url)[0] for _ in range(REQUESTS)]
    p50, p95 = common.percentile(samples, 50), common.percentile(samples, 95)

    with CaptureQueriesContext(connection) as captured:
        _timed_get(client, url)
    sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    print(f"GET {url} ({len(content) / 1024:.0f} KiB, {VILLAGES} rows)")
    print(
        f"{REQUESTS} requests after {WARM_UP} warm-up: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"min {min(samples):.1f} ms, max {max(samples):.1f} ms"
    )
    print(f"one request: {len(captured.captured_queries)} SQL queries taking {sql_ms:.1f} ms in all")
    if pauses:
        print(
            f"full garbage collections during the {REQUESTS} requests: {len(pauses)}, "
            f"{min(pauses):.0f}-{max(pauses):.0f} ms each"
        )
    else:
        print(f"full garbage collections during the {REQUESTS} requests: none")

    figure = common.Figure(
        name=f"district page listing {VILLAGES} villages, p95 server time", value=p95, target=TARGET_MS, unit="ms"
    )
    if not figure.ok:
        _explain_slowest(captured.captured_queries)
    return [figure]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
