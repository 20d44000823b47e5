"""Figures on a year of claims at national scale (1,000,000 insurees, about 440,000 policies, 2,000,000 claims):
"bulk submission of 10,000 claims with 3 items and 2 services each: <= 20 s", "one claim entered and submitted
through the API: p95 <= 100 ms" and "review queue page with 50,000 claims waiting: p95 <= 200 ms".

1. Data: the insurees and policies of `bench_policies` (generated as it does when missing: 1,000,000 insurees,
   `generate_policies --seed 1`); when the medical registers are empty (the benchmark run alone), the demo catalogue
   is loaded first (`medical.demo`: about 200 items, 90 services, the ICD-10 codes), so that the generated products
   cover items and services; in a full run the registers of `bench_medical_import` are there and only the diagnoses
   come from the demo catalogue. Then `generate_claims --seed 1` (2,000,000 claims over the year before today, four
   generated facilities per district, history triggers on), unless the claims are there already. ANALYZE afterwards.
2. Who: a claim administrator (role `claim_administrator`) of the generated hospital of the district with the most
   people covered today (scope: that facility), with an API token; the claims are for people of that district
   covered on the visit day (policy Active, in the last 20 days), with 3 items and 2 services their product covers
   that suit them (patient category, out-patient or both) at the price list's price, and a common diagnosis.
3. Bulk submission: 10,000 such claims through `POST /api/v1/claims/bulk/`, 1,000 per request (10 requests, each one
   transaction: check every body, enter, submit with the checks of `claim.checks` on the facts of the whole set,
   flags and review selection, the answer with every claim and its lines). First with Django's test Client in this
   process, one request after the other (printed: what one core does); then the figure: over HTTP to gunicorn with
   2 workers, two requests in flight, the wall time of the 10. The processing task queued after commit is a
   worker's job, not the request's: intercepted in process, dropped from the benchmark's own queue over HTTP.
   Checked: every answer 200 with its 1,000 claims submitted (Checked or Rejected), 10,000 more claims.
4. One claim: `POST /api/v1/claims/` (201) then `POST /api/v1/claims/submit/` with its uuid (200), for 200 claims
   shaped as above after 10 warm-up pairs; p50 and p95 of each request and of the pair. The figure is the pair's
   p95. Checked: every claim entered then submitted.
5. Review queue: the claims waiting for review topped up to 50,000 (the generator leaves 50,000 with flags), VACUUM
   ANALYZE as autovacuum would; a medical officer of every region asks, 100 times each, for the first page, a
   filtered page (by flag, amount or facility) and a claim's panel (HTMX); the figure is the p95 of the 300 (p50/p95
   of each kind printed). Checked: every answer 200, the page counts the claims waiting.
6. Eligibility (issue 5's figure, p95 <= 20 ms) for 500 people with 3 or more claims in the year: the claims'
   usage source at work, by a receptionist of every region.

Run alone: `.venv/bin/python bench/run.py claims` or `.venv/bin/python -m bench.bench_claims` (re-creates the bench
database first: insurees and policies about 8 minutes on 2 cores, then the claims).
"""

import io
import json
import random
import re
import statistics
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

from bench import common

if TYPE_CHECKING:
    from django.test import Client

    from location.models import HealthFacility
    from openimis.accounts.models import User

CLAIMS = 2_000_000
BULK_CLAIMS = 10_000
BULK_SIZE = 1_000
BULK_TARGET_SECONDS = 20.0
ONE_CLAIMS = 200
ONE_WARM_UP = 10
ONE_TARGET_MS = 100.0
ITEMS_PER_CLAIM = 3
SERVICES_PER_CLAIM = 2
VISIT_DAYS = 20
HTTP_WORKERS = 2
HTTP_IN_FLIGHT = 2
REVIEW_WAITING = 50_000
REVIEW_REQUESTS = 100
REVIEW_TARGET_MS = 200.0
ELIGIBILITY_PEOPLE = 500
# claim codes of this run: a re-run on a kept database (BENCH_KEEP_DB=1) enters new codes
RUN = f"{int(time.time()) % 100_000:05d}"
SEED = 61


# --- data ----------------------------------------------------------------------------------------------------------


def _ensure_registers() -> None:
    """The demo catalogue when the registers have no diagnosis (or no item or service): the claims need them."""
    from django.db import transaction

    from medical import demo
    from medical.models import Diagnosis, Item, Service

    if all(m.objects.filter(is_active=True).exists() for m in (Diagnosis, Item, Service)):
        return
    out = io.StringIO()
    with transaction.atomic():
        demo.load(out, password="unused")
    print(f"claims: {out.getvalue().strip()}")


def _ensure_claims() -> int:
    from django.core.management import call_command

    from claim.models import Claim

    existing = Claim.objects.count()
    if existing >= CLAIMS:
        print(f"claims: using the {existing:,} claims already in the database")
        return existing
    out = io.StringIO()
    started = time.perf_counter()
    call_command("generate_claims", claims=CLAIMS, seed=1, stdout=out)
    seconds = time.perf_counter() - started
    lines = out.getvalue().strip().splitlines()
    print(f"generate_claims ({seconds:.0f} s): {lines[-1]}")
    return Claim.objects.count()


def _describe() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, review_status, count(*) FROM claim_claim GROUP BY 1, 2 ORDER BY 1, 2",
        )
        statuses = ", ".join(f"{s}/{r}: {n:,}" for s, r, n in cursor.fetchall())
        cursor.execute(
            "SELECT (SELECT count(*) FROM claim_claimitem), (SELECT count(*) FROM claim_claimservice), "
            "(SELECT count(*) FROM claim_claimflag), (SELECT count(*) FROM claim_claimevent)"
        )
        items, services, flags, events = cursor.fetchone()
    print(f"claims by status/review {{{statuses}}}; {items:,} items, {services:,} services, {flags:,} flags")
    print(f"history: {events:,} claim events")


# --- who and what is claimed ---------------------------------------------------------------------------------------


@dataclass
class Context:
    """What the measurements share: the claim administrator, the facility, the people and the bodies' makings."""

    user: "User"
    token: str
    facility: "HealthFacility"
    people: list[tuple[str, date, int, int]]  # insurance number, visit day, product id, patient mask
    items: dict[tuple[int, int], list[str]]  # (product, mask) -> item codes covered and suited
    services: dict[tuple[int, int], list[str]]
    diagnoses: list[str]
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    used: int = 0  # people taken so far

    def client(self) -> "Client":
        from django.test import Client

        return Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Token {self.token}")

    def bodies(self, count: int, prefix: str) -> list[dict[str, Any]]:
        """`count` claims of people not used yet, 3 items and 2 services each (codes `<prefix><n>`)."""
        if count > len(self.people):
            raise common.BenchmarkError(f"only {len(self.people)} people found for the claims")
        # people in turn; after the last one the first ones again (a second visit: claims of one run never share
        # a person within a batch)
        chosen = [self.people[(self.used + k) % len(self.people)] for k in range(count)]
        bodies = []
        for n, (number, visit, product, mask) in enumerate(chosen, start=1):
            items = self.rng.sample(self.items[(product, mask)], ITEMS_PER_CLAIM)
            services = self.rng.sample(self.services[(product, mask)], SERVICES_PER_CLAIM)
            bodies.append(
                {
                    "facility": self.facility.code,
                    "insurance_number": number,
                    "code": f"{prefix}{n:06d}",
                    "date_from": visit.isoformat(),
                    "visit_type": "O",
                    "diagnoses": [self.rng.choice(self.diagnoses)],
                    "items": [{"code": c, "qty": str(self.rng.choice((1, 2, 5, 10, 14)))} for c in items],
                    "services": [{"code": c, "qty": "1"} for c in services],
                }
            )
        self.used += count
        return bodies


def _mask_sql() -> str:
    return (
        "(CASE WHEN i.gender = 'F' THEN 2 ELSE 1 END "
        "+ CASE WHEN date_part('year', age(%(visit)s::date, i.dob)) >= 18 THEN 4 ELSE 8 END)"
    )


def _context() -> Context:
    from django.db import connection
    from django.utils import timezone
    from guardian.shortcuts import assign_perm
    from rest_framework.authtoken.models import Token

    from claim.management.commands.generate_claims import COMMON_ICD
    from location.models import HealthFacility
    from openimis.accounts import roles
    from openimis.accounts.models import User

    today = timezone.localdate()
    with connection.cursor() as cursor:
        # the district with the most people covered today, and its generated hospital
        cursor.execute(
            """
            SELECT h.id
              FROM policy_insureepolicy ip
              JOIN policy_policy p ON p.id = ip.policy_id AND p.status = 2
              JOIN insuree_insuree i ON i.id = ip.insuree_id
              JOIN insuree_family f ON f.id = i.family_id
              JOIN location_location v ON v.id = f.village_id
              JOIN location_healthfacility h
                ON h.district_id = nullif(split_part(v.path, '.', 2), '')::bigint AND h.code LIKE 'G%%1'
             WHERE ip.effective_date <= %(first)s AND ip.expiry_date >= %(today)s
             GROUP BY h.id ORDER BY count(*) DESC, h.id LIMIT 1
            """,
            {"first": today - timedelta(days=VISIT_DAYS), "today": today},
        )
        row = cursor.fetchone()
        if row is None:
            raise common.BenchmarkError("no generated hospital with covered people in its district")
        facility = HealthFacility.objects.select_related("district").get(pk=row[0])
        wanted = BULK_CLAIMS + ONE_CLAIMS + ONE_WARM_UP
        cursor.execute("SELECT setseed(0.61)")
        cursor.execute(
            f"""
            SELECT i.insurance_number, %(today)s::date - (1 + floor(random() * %(days)s))::int, p.product_id,
                   {_mask_sql()}
              FROM policy_insureepolicy ip
              JOIN policy_policy p ON p.id = ip.policy_id AND p.status = 2
              JOIN insuree_insuree i ON i.id = ip.insuree_id AND i.status = 'AC'
              JOIN insuree_family f ON f.id = i.family_id
              JOIN location_location v ON v.id = f.village_id AND v.path LIKE %(district)s
             WHERE ip.effective_date <= %(first)s AND ip.expiry_date >= %(today)s AND p.start_date <= %(first)s
             ORDER BY random() LIMIT %(wanted)s
            """,  # noqa: S608 - fixed text
            {
                "today": today,
                "first": today - timedelta(days=VISIT_DAYS + 1),
                "days": VISIT_DAYS,
                "district": f"{facility.district.path}%",
                "wanted": wanted,
                "visit": today - timedelta(days=VISIT_DAYS // 2),
            },
        )
        people = [(number, visit, product, mask) for number, visit, product, mask in cursor.fetchall()]
        items = _covered(cursor, "policy_productitem", "item_id", "medical_item")
        services = _covered(cursor, "policy_productservice", "service_id", "medical_service")
        cursor.execute(
            "SELECT code FROM medical_diagnosis WHERE is_active AND code = ANY(%s) ORDER BY code", [list(COMMON_ICD)]
        )
        diagnoses = [row[0] for row in cursor.fetchall()]
        if not diagnoses:
            cursor.execute("SELECT code FROM medical_diagnosis WHERE is_active ORDER BY code LIMIT 50")
            diagnoses = [row[0] for row in cursor.fetchall()]
    # people whose product covers enough lines that suit them
    people = [
        p
        for p in people
        if len(items.get((p[2], p[3]), ())) >= ITEMS_PER_CLAIM
        and len(services.get((p[2], p[3]), ())) >= SERVICES_PER_CLAIM
    ]
    if len(people) < wanted:
        raise common.BenchmarkError(f"{len(people)} people covered in {facility.district}, {wanted} wanted")
    random.Random(SEED).shuffle(people)
    user = User.objects.filter(username="bench_claim_admin").first()  # there when the database is kept
    if user is None:
        user = common.make_user("bench_claim_admin", roles.CLAIM_ADMINISTRATOR)
    assign_perm("location.scope_healthfacility", user, facility)
    token = Token.objects.get_or_create(user=user)[0].key
    print(
        f"claims are entered at {facility.code} {facility.name} ({facility.district.name}) for {len(people):,} people "
        f"covered there; {len(diagnoses)} diagnoses"
    )
    return Context(user, token, facility, people, items, services, diagnoses)


def _covered(cursor: Any, lines: str, column: str, register: str) -> dict[tuple[int, int], list[str]]:
    """(product, patient mask) -> the codes it covers that suit a one-day visit at a facility of care type both."""
    cursor.execute(
        f"""
        SELECT l.product_id, m.mask, array_agg(r.code ORDER BY r.code)
          FROM {lines} l
          JOIN {register} r ON r.id = l.{column} AND r.is_active AND r.care_type IN ('O', 'B')
                           AND (r.maximum_amount IS NULL OR r.maximum_amount >= 14)
         CROSS JOIN (VALUES (5), (6), (9), (10)) AS m(mask)
         WHERE (r.patient_category & m.mask) = m.mask
         GROUP BY 1, 2
        """  # noqa: S608 - fixed table names
    )
    return {(product, mask): codes for product, mask, codes in cursor.fetchall()}


def _intercepted() -> tuple[ExitStack, list[Any]]:
    """Intercepts the processing task queued after a submission commits (a worker's job), counting the calls."""
    stack = ExitStack()
    calls: list[Any] = []
    try:
        from claim import tasks
    except ImportError:
        return stack, calls
    task = getattr(tasks, "process_passed", None)
    if task is not None:
        stack.enter_context(mock.patch.object(task, "delay", side_effect=lambda *a, **k: calls.append(a)))
    return stack, calls


# --- measurements --------------------------------------------------------------------------------------------------


def bulk_submission(ctx: Context) -> list[common.Figure]:
    """10,000 claims through POST /api/v1/claims/bulk/, 1,000 per request, one after the other in this process (the
    time each part of a request takes, without HTTP; printed only)."""
    from claim.models import Claim, ClaimStatus

    bodies = ctx.bodies(BULK_CLAIMS, f"BULK{RUN}-")
    client = ctx.client()
    before = Claim.objects.count()
    seconds: list[float] = []
    outcome: Counter[str] = Counter()
    stack, queued = _intercepted()
    with stack:
        for start in range(0, BULK_CLAIMS, BULK_SIZE):
            payload = json.dumps({"claims": bodies[start : start + BULK_SIZE]})
            started = time.perf_counter()
            response = client.post("/api/v1/claims/bulk/", data=payload, content_type="application/json")
            seconds.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise common.BenchmarkError(
                    f"bulk request answered {response.status_code}: {response.content[:2000]!r}"
                )
            claims = response.json()["claims"]
            if len(claims) != BULK_SIZE:
                raise common.BenchmarkError(f"bulk request answered {len(claims)} claims")
            outcome.update(c["status_label"] for c in claims)
    if Claim.objects.count() != before + BULK_CLAIMS:
        raise common.BenchmarkError("the bulk requests did not enter 10,000 claims")
    submitted = Claim.objects.filter(code__startswith=f"BULK{RUN}-", facility=ctx.facility)
    if submitted.filter(status=ClaimStatus.ENTERED).exists():
        raise common.BenchmarkError("some claims of the bulk requests were not submitted")
    selected = submitted.filter(review_status=4).count()
    per_request = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"bulk: {BULK_CLAIMS:,} claims in {len(seconds)} requests of {BULK_SIZE:,}: {sum(seconds):.1f} s")
    print(f"bulk: per request (s): {per_request}; mean {statistics.mean(seconds):.2f} s")
    print(
        f"bulk: outcome {dict(outcome)}; {selected:,} selected for review; processing queued {len(queued)} times "
        "(intercepted)"
    )
    # one request after the other in one process uses one core: printed for comparison, the figure is the HTTP one
    return []


def one_claim(ctx: Context) -> list[common.Figure]:
    """One claim entered (POST /api/v1/claims/) then submitted (POST /api/v1/claims/submit/), 200 times."""
    from claim.models import Claim, ClaimStatus

    bodies = ctx.bodies(ONE_WARM_UP + ONE_CLAIMS, f"ONE{RUN}-")
    client = ctx.client()
    create: list[float] = []
    submit: list[float] = []
    stack, _queued = _intercepted()
    with stack:
        for index, body in enumerate(bodies):
            started = time.perf_counter()
            response = client.post("/api/v1/claims/", data=json.dumps(body), content_type="application/json")
            created = time.perf_counter()
            if response.status_code != 201:
                raise common.BenchmarkError(f"create answered {response.status_code}: {response.content[:2000]!r}")
            uuid = response.json()["uuid"]
            response = client.post(
                "/api/v1/claims/submit/", data=json.dumps({"claims": [uuid]}), content_type="application/json"
            )
            done = time.perf_counter()
            if response.status_code != 200:
                raise common.BenchmarkError(f"submit answered {response.status_code}: {response.content[:2000]!r}")
            if index >= ONE_WARM_UP:
                create.append((created - started) * 1000)
                submit.append((done - created) * 1000)
    left = Claim.objects.filter(code__startswith=f"ONE{RUN}-", facility=ctx.facility, status=ClaimStatus.ENTERED)
    if left.exists():
        raise common.BenchmarkError("some single claims were not submitted")
    pairs = [a + b for a, b in zip(create, submit, strict=True)]
    for name, samples in (("create", create), ("submit", submit), ("create + submit", pairs)):
        p50, p95 = common.percentile(samples, 50), common.percentile(samples, 95)
        print(f"one claim, {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(samples)} claims)")
    return [
        common.Figure(
            f"one claim through the API (create p95 {common.percentile(create, 95):.1f} ms, submit p95 "
            f"{common.percentile(submit, 95):.1f} ms; {len(pairs)} claims): create + submit p95",
            common.percentile(pairs, 95),
            ONE_TARGET_MS,
            "ms",
        )
    ]


def _post(port: int, token: str, path: str, payload: bytes) -> tuple[int, bytes, float]:
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",
    }
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=payload, headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.perf_counter() - started


def _purge_queue() -> None:
    """Drops the processing tasks the server queued (no worker reads the benchmark's queue)."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(settings.CELERY_TASK_DEFAULT_QUEUE)


def bulk_submission_http(ctx: Context) -> list[common.Figure]:
    """10,000 claims through POST /api/v1/claims/bulk/ on gunicorn (2 workers), 1,000 per request, two requests in
    flight: a facility system sending a day's claims on a 2-core server."""
    from bench.bench_policies import _free_port, _start_gunicorn, _stop
    from claim.models import Claim, ClaimStatus

    bodies = ctx.bodies(BULK_CLAIMS, f"HTTP{RUN}-")
    payloads = [
        json.dumps({"claims": bodies[start : start + BULK_SIZE]}).encode() for start in range(0, BULK_CLAIMS, BULK_SIZE)
    ]
    before = Claim.objects.count()
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        server = _start_gunicorn(port, log, workers=HTTP_WORKERS)
        try:
            _post(port, ctx.token, "/api/v1/claims/", b"{}")  # each worker's first request: imports, connections
            _post(port, ctx.token, "/api/v1/claims/", b"{}")
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=HTTP_IN_FLIGHT) as pool:
                answers = list(pool.map(lambda p: _post(port, ctx.token, "/api/v1/claims/bulk/", p), payloads))
            wall = time.perf_counter() - started
        finally:
            _stop(server)
            _purge_queue()
    for status_code, content, _seconds in answers:
        if status_code != 200:
            raise common.BenchmarkError(f"bulk request answered {status_code}: {content[:2000]!r}")
        if len(json.loads(content)["claims"]) != BULK_SIZE:
            raise common.BenchmarkError("a bulk request did not answer its 1,000 claims")
    if Claim.objects.count() != before + BULK_CLAIMS:
        raise common.BenchmarkError("the bulk requests did not enter 10,000 claims")
    if Claim.objects.filter(code__startswith=f"HTTP{RUN}-", status=ClaimStatus.ENTERED).exists():
        raise common.BenchmarkError("some claims of the bulk requests were not submitted")
    per_request = ", ".join(f"{a[2]:.2f}" for a in answers)
    print(
        f"bulk over HTTP: {BULK_CLAIMS:,} claims, {len(payloads)} requests of {BULK_SIZE:,}, {HTTP_IN_FLIGHT} in "
        f"flight, gunicorn {HTTP_WORKERS} workers: {wall:.1f} s; per request (s): {per_request}"
    )
    return [
        common.Figure(
            f"bulk submission of {BULK_CLAIMS:,} claims ({ITEMS_PER_CLAIM} items, {SERVICES_PER_CLAIM} services each, "
            f"checks, flags, review selection; {len(payloads)} requests of {BULK_SIZE:,} over HTTP, "
            f"{HTTP_IN_FLIGHT} at a time, gunicorn {HTTP_WORKERS} workers)",
            wall,
            BULK_TARGET_SECONDS,
            "s",
        )
    ]


def _waiting_for_review(ctx: Context, wanted: int) -> int:
    """Tops the review queue up to `wanted` claims (Checked, selected, flagged) by selecting generated checked
    claims, with a flag each, as the generator does; returns how many wait."""
    from django.db import connection

    from claim.models import Claim, ClaimFlag, ClaimStatus, FlagCode, ReviewStatus

    waiting = Claim.objects.filter(status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED).count()
    if waiting < wanted:
        more = list(
            Claim.objects.filter(status=ClaimStatus.CHECKED, review_status=ReviewStatus.NOT_SELECTED)
            .order_by("pk")
            .values_list("pk", flat=True)[: wanted - waiting]
        )
        Claim.objects.filter(pk__in=more).update(review_status=ReviewStatus.SELECTED)
        ClaimFlag.objects.bulk_create(
            ClaimFlag(claim_id=pk, code=FlagCode.RANDOM, params={"percent": 2.0}) for pk in more
        )
    with connection.cursor() as cursor:  # as autovacuum would have done after the day's claims
        cursor.execute("VACUUM ANALYZE claim_claim, claim_claimflag")
    return Claim.objects.filter(status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED).count()


def review_queue_page(ctx: Context) -> list[common.Figure]:
    """The review queue page of a medical officer of the whole country with 50,000 claims waiting: the first page,
    filtered pages (by flag, by amount, by facility) and a claim's panel (HTMX), server time."""
    from django.test import Client
    from guardian.shortcuts import assign_perm

    from claim.models import Claim, ClaimStatus, FlagCode, ReviewStatus
    from location.models import Location, LocationType
    from openimis.accounts import roles
    from openimis.accounts.models import User

    waiting = _waiting_for_review(ctx, REVIEW_WAITING)
    officer = User.objects.filter(username="bench_medical_officer").first()
    if officer is None:
        officer = common.make_user("bench_medical_officer", roles.MEDICAL_OFFICER)
        for region in Location.objects.filter(type=LocationType.REGION, is_active=True):
            assign_perm("location.scope_location", officer, region)
    client = Client(SERVER_NAME="localhost")
    client.force_login(officer)
    queue = Claim.objects.filter(status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED)
    some = list(queue.order_by("?").values_list("uuid", "facility__uuid")[:REVIEW_REQUESTS])
    urls = ["/claims/review/", f"/claims/review/?flag={FlagCode.ABOVE_NORM}", "/claims/review/?amount_min=20000"]
    for _ in range(5):  # warm-up: caches, the session, the permissions
        client.get(urls[0])
    timings: dict[str, list[float]] = {"queue": [], "filtered": [], "panel": []}
    for n, (claim_uuid, facility_uuid) in enumerate(some):
        extra: dict[str, str]
        for kind, url, extra in (
            ("queue", urls[0], {}),
            ("filtered", urls[1 + n % 2] if n % 3 else f"/claims/review/?facility={facility_uuid}", {}),
            ("panel", f"/claims/review/{claim_uuid}/", {"HX-Request": "true"}),
        ):
            started = time.perf_counter()
            response = client.get(url, headers=extra)
            timings[kind].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise common.BenchmarkError(f"{url} answered {response.status_code}")
    shown = re.search(r'id="queue-count">(\d+)<', client.get(urls[0]).content.decode())
    if shown is None or int(shown.group(1)) != waiting:
        raise common.BenchmarkError("the review queue page does not count the waiting claims")
    for kind, values in timings.items():
        p50, p95 = common.percentile(values, 50), common.percentile(values, 95)
        print(f"review queue, {kind}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    every = [v for values in timings.values() for v in values]
    return [
        common.Figure(
            f"review queue page with {waiting:,} claims waiting (first page, filters, a claim's panel; "
            f"{len(every)} requests): p95 server time",
            common.percentile(every, 95),
            REVIEW_TARGET_MS,
            "ms",
        )
    ]


def eligibility_with_claims(ctx: Context) -> list[common.Figure]:
    """Issue 5's eligibility figure again, now for people with claims in their cover (the claims' usage source adds
    its queries): 500 people with at least 3 claims in the last year, by a receptionist of every region."""
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from bench import bench_policies
    from location.models import Location, LocationType
    from openimis.accounts import roles
    from openimis.accounts.models import User

    user = User.objects.filter(username="bench_eligibility_claims").first()
    if user is None:
        regions = Location.objects.filter(type=LocationType.REGION, is_active=True)
        user = common.make_user("bench_eligibility_claims", roles.RECEPTIONIST, regions)
    token = Token.objects.get_or_create(user=user)[0].key
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.insurance_number FROM claim_claim c JOIN insuree_insuree i ON i.id = c.insuree_id
            WHERE c.status IN (8, 16) GROUP BY i.insurance_number HAVING count(*) >= 3
            ORDER BY md5(i.insurance_number) LIMIT %s
            """,
            [ELIGIBILITY_PEOPLE + bench_policies.WARM_UP],
        )
        numbers = [row[0] for row in cursor.fetchall()]
    p50, p95, seen = bench_policies._eligibility_in_process(token, numbers)
    print(f"eligibility of people with claims: p50 {p50:.1f} ms, p95 {p95:.1f} ms; {seen}")
    return [
        common.Figure(
            f"eligibility by insurance number, people with 3+ claims in the year "
            f"({len(numbers) - bench_policies.WARM_UP} people; {seen['SQL queries per request']} queries each): "
            "p95 server time",
            p95,
            bench_policies.ELIGIBILITY_TARGET_MS,
            "ms",
        )
    ]


# The measurements, in order, on the same data and Context; each `def name(ctx: Context) -> list[common.Figure]`.
MEASUREMENTS: list[Callable[[Context], list[common.Figure]]] = [
    bulk_submission,
    bulk_submission_http,
    one_claim,
    review_queue_page,
    eligibility_with_claims,
]


def ensure_data() -> int:
    """The insurees, policies and claims of this benchmark, generated when missing (the batch and report benchmarks
    build on them); the number of claims."""
    from bench import bench_policies

    bench_policies._ensure_insurees()
    _ensure_registers()
    bench_policies._ensure_policies()
    return _ensure_claims()


def run() -> list[common.Figure]:
    common.prepare()
    claims = ensure_data()
    common.analyze()
    _describe()
    ctx = _context()
    figures: list[common.Figure] = []
    for measure in MEASUREMENTS:
        figures += measure(ctx)
    print(f"(on {claims:,} generated claims)")
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
