"""Figures at national scale (1,000,000 insurees, about 440,000 policies): "eligibility by insurance number: p95
<= 20 ms server time and >= 300 requests/s", "the nightly expiry and renewal-reminder job: <= 60 s" and "a policy's
value and dates for a family of 8, saved: p95 <= 30 ms".

1. Data: the 1,000,000 insurees of `bench_insurees` when they are in the database (run before in the same process),
   else the same generation (`generate_insurees --families 250000 --seed 1`, in the active villages, or in a
   generated tree of 3,000 villages). Then `generate_policies --seed 1` (about 440,000 policies, 1.65 million cover
   rows, 600,000 contributions; history triggers on), unless policies are there already. ANALYZE afterwards.
2. Eligibility, server time: a receptionist with national scope (every region granted) and an API token asks
   `GET /api/v1/eligibility/?number=<n>` for 600 random insurance numbers (after 20 warm-up requests), with
   Django's test Client in this process and the token in the Authorization header: authentication, permission,
   scope, the person, their policies and limits, JSON. The figure is the p95 of `Client.get` (p50 printed).
   Checked: every answer is 200 and names the person.
3. Eligibility, throughput: gunicorn started as `scripts/demo.sh` starts it (`openimis.wsgi:application`, 3 sync
   workers, timeout 60) on a free loopback port against the bench database, with the production settings
   (`openimis.settings.production`: persistent database connections, a random SECRET_KEY, ALLOWED_HOSTS
   127.0.0.1; requests carry `X-Forwarded-Proto: https` as behind the TLS proxy). `wrk` (Debian package wrk,
   installed by scripts/setup.sh) runs 30 s with 2 threads and 8 connections after 5 s of warm-up, a Lua script
   picking random numbers among 5,000 from a file. The figure is requests/s; wrk's latency p50/p95/p99 are
   printed, and the CPU time used per request by the workers, PostgreSQL's backends and the load generator
   (from /proc), with the throughput this machine could reach at most. Checked: no error and no non-2xx answer.
   Without wrk, a Python load generator with 8 threads in a second process does the same (said in the output).
4. Policy value and dates, saved: 205 families of 8 (2 adults, 6 others of all ages) are written in the villages
   of one district; an enrolment officer of that district calls `policy.enrolment.policy_create` (permission,
   scope, product sold there, members, periods and value, the policy and its 8 cover rows, history, commit) on
   GEN-NAT for each, 5 of them as warm-up. The figure is the p95 of the 200 measured calls.
   Checked: 8 members covered each, and the value the rules give.
5. Nightly job: `policy.nightly.policy_nightly(today=D)` once, where D is the next start cycle of GEN-CYC (7-10
   days ahead): the cohort of that product whose year ends the day before expires, with the other policies that end
   before D, and the reminders cover the policies ending from D - 7 to D + 14, tens of thousands. The notifier is
   the default LoggingNotifier with its logger kept quiet (records are counted, not printed). The job runs once,
   last, on the data the other figures used (it changes it). Checked: at least 10,000 policies expired and 10,000
   reminders written.

Run alone: `.venv/bin/python bench/run.py policies` or `.venv/bin/python -m bench.bench_policies` (re-creates the bench
database first; about 8 minutes on 2 cores).
"""

import io
import json
import logging
import os
import random
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from bench import common

if TYPE_CHECKING:
    from location.models import Location
    from openimis.accounts.models import User
    from policy.models import Product

ROOT = Path(__file__).resolve().parent.parent
INSUREES = 1_000_000
POLICIES = 300_000  # fewer policies in the database: generate them
ELIGIBILITY_TARGET_MS = 20.0
THROUGHPUT_TARGET = 300.0
NIGHTLY_TARGET_SECONDS = 60.0
CREATE_TARGET_MS = 30.0
WARM_UP = 20
LOOKUPS = 600
WRK_NUMBERS = 5000
WRK_SECONDS = 30
WRK_THREADS = 2
WRK_CONNECTIONS = 8
WORKERS = 3  # as scripts/demo.sh
FAMILY_SIZE = 8
CREATE_FAMILIES = 200
CREATE_WARM_UP = 5
SEED = 29


@dataclass(frozen=True)
class AtLeast(common.Figure):
    """A figure that must reach its target (a rate), rather than stay under it."""

    @property
    def ok(self) -> bool:
        return self.value >= self.target

    @property
    def measured(self) -> str:
        return f"{self.value:.0f} {self.unit}"

    @property
    def goal(self) -> str:
        return f">= {self.target:g} {self.unit}"


# --- data ----------------------------------------------------------------------------------------------------


def _ensure_insurees() -> int:
    from django.core.management import call_command

    from bench import bench_insurees
    from insuree.models import Insuree

    existing = Insuree.objects.count()
    if existing >= INSUREES:
        print(f"policies: using the {existing:,} insurees already in the database")
        return existing
    bench_insurees._ensure_villages()
    started = time.perf_counter()
    call_command("generate_insurees", families=bench_insurees.FAMILIES, seed=1, stdout=io.StringIO())
    count = Insuree.objects.count()
    print(f"policies: {count:,} insurees generated in {time.perf_counter() - started:.0f} s")
    return count


def _ensure_policies() -> int:
    from django.core.management import call_command

    from policy.models import Policy

    existing = Policy.objects.count()
    if existing >= POLICIES:
        print(f"policies: using the {existing:,} policies already in the database")
        return existing
    out = io.StringIO()
    started = time.perf_counter()
    call_command("generate_policies", seed=1, stdout=out)
    print(f"generate_policies ({time.perf_counter() - started:.0f} s): {out.getvalue().strip().splitlines()[-1]}")
    return Policy.objects.count()


def _describe() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM policy_policy GROUP BY status ORDER BY status")
        statuses = ", ".join(f"{s}: {n:,}" for s, n in cursor.fetchall())
        cursor.execute(
            "SELECT (SELECT count(*) FROM policy_insureepolicy), (SELECT count(*) FROM policy_contribution), "
            "(SELECT count(*) FROM policy_policyevent), (SELECT count(*) FROM policy_insureepolicyevent)"
        )
        cover, contributions, policy_events, cover_events = cursor.fetchone()
    print(f"policies by status {{{statuses}}}; {cover:,} cover rows, {contributions:,} contributions")
    print(f"history: {policy_events:,} policy events, {cover_events:,} cover events")


def _national_receptionist() -> "User":
    from location.models import Location, LocationType
    from openimis.accounts import roles

    regions = Location.objects.filter(type=LocationType.REGION, is_active=True)
    return common.make_user("bench_eligibility", roles.RECEPTIONIST, regions)


def _random_numbers(count: int, seed: float) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute("SELECT insurance_number FROM insuree_insuree ORDER BY random() LIMIT %s", [count])
        return [row[0] for row in cursor.fetchall()]


# --- eligibility -----------------------------------------------------------------------------------------------


def _eligibility_in_process(token: str, numbers: list[str]) -> tuple[float, float, dict[str, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Token {token}")
    url = "/api/v1/eligibility/"
    for number in numbers[:WARM_UP]:
        client.get(url, {"number": number})
    samples: list[float] = []
    seen = {"with policies": 0, "covered today": 0}
    for number in numbers[WARM_UP:]:
        started = time.perf_counter()
        response = client.get(url, {"number": number})
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or number not in response.content.decode():
            raise common.BenchmarkError(f"eligibility of {number} answered {response.status_code}")
        body = response.json()
        seen["with policies"] += bool(body.get("policies"))
        seen["covered today"] += bool(body.get("covered"))
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"number": numbers[0]})
    seen["SQL queries per request"] = len(queries.captured_queries)
    return common.percentile(samples, 50), common.percentile(samples, 95), seen


# Where an eligibility request spends its CPU time: (label, module, attribute path) of the wrapped callables.
_STAGES = (
    ("request (test Client: middleware, handler, view)", "django.test.client", "ClientHandler.__call__"),
    ("  DRF view", "rest_framework.views", "APIView.dispatch"),
    ("    token authentication", "rest_framework.authentication", "TokenAuthentication.authenticate"),
    ("    permission check (has_perms)", "rest_framework.views", "APIView.check_permissions"),
    ("    query validation", "policy.api.policy_views", "_validated"),
    ("    eligibility()", "policy.api.policy_views", "eligibility"),
    ("      person lookup, scoped", "policy.eligibility", "_insuree"),
    ("        scope: the grants loaded", "location.scope", "_load_scope"),
    ("      limits of each policy", "policy.eligibility", "_policy_cover"),
    ("    serializer", "policy.api.policy_serializers", "eligibility_body"),
    ("all queries: ORM compiles SQL", "django.db.models.sql.compiler", "SQLCompiler.as_sql"),
    ("all queries: ORM executes them and reads rows", "django.db.models.sql.compiler", "SQLCompiler.execute_sql"),
    ("all queries: psycopg (send, wait, receive)", "psycopg", "Cursor.execute"),
)


def _cpu_split(token: str, numbers: list[str]) -> None:
    """Prints the CPU time (this thread's) and wall time per request spent in each stage of an eligibility request."""
    import functools
    import importlib
    from contextlib import ExitStack
    from unittest import mock

    from django.test import Client

    cpu: dict[str, float] = dict.fromkeys((label for label, _m, _a in _STAGES), 0.0)
    wall = dict(cpu)
    queries = dict(cpu)
    executed = [0]  # statements sent by psycopg so far
    active: set[str] = set()

    def timed(label: str, function: Any) -> Any:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if label in active:  # recursive calls (subqueries) are inside the outer one
                return function(*args, **kwargs)
            active.add(label)
            started_cpu, started, sent = time.thread_time(), time.perf_counter(), executed[0]
            try:
                return function(*args, **kwargs)
            finally:
                executed[0] += label == _STAGES[-1][0]
                cpu[label] += time.thread_time() - started_cpu
                wall[label] += time.perf_counter() - started
                queries[label] += executed[0] - sent
                active.discard(label)

        return wrapper

    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Token {token}")
    with ExitStack() as stack:
        for label, module_name, path in _STAGES:
            owner: Any = importlib.import_module(module_name)
            *outer, name = path.split(".")
            for part in outer:
                owner = getattr(owner, part, None)
            if owner is None or not hasattr(owner, name):
                continue
            stack.enter_context(mock.patch.object(owner, name, timed(label, getattr(owner, name))))
        for number in numbers[:WARM_UP]:
            client.get("/api/v1/eligibility/", {"number": number})
        for key in cpu:
            cpu[key] = wall[key] = queries[key] = 0.0
        measured = numbers[WARM_UP:]
        for number in measured:
            client.get("/api/v1/eligibility/", {"number": number})
    total = cpu[_STAGES[0][0]] or 1.0
    print(f"where an eligibility request spends its time (in process, {len(measured)} requests, per request):")
    for label, _m, _a in _STAGES:
        n = len(measured)
        print(
            f"  {label:<52} CPU {cpu[label] / n * 1000:5.2f} ms ({cpu[label] / total * 100:3.0f} %)  "
            f"wall {wall[label] / n * 1000:5.2f} ms  queries {queries[label] / n:3.1f}"
        )


_WRK_SCRIPT = """
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  numbers = {}
  for line in io.lines(args[1]) do numbers[#numbers + 1] = line end
  math.randomseed(1000 + id)
  wrk.headers["Authorization"] = "Token " .. args[2]
  wrk.headers["X-Forwarded-Proto"] = "https"
end
function request()
  return wrk.format("GET", "/api/v1/eligibility/?number=" .. numbers[math.random(#numbers)])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d errors=%d status=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""

# The fallback load generator (no wrk): threads with keep-alive connections, random numbers, for a duration.
_PYTHON_LOAD = """
import http.client, json, random, sys, threading, time
port, token, path, seconds, threads = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
numbers = open(path).read().split()
latencies, errors, lock = [], [0], threading.Lock()
deadline = time.perf_counter() + seconds
def run(k):
    rng, conn, mine = random.Random(k), http.client.HTTPConnection("127.0.0.1", port), []
    headers = {"Authorization": "Token " + token, "X-Forwarded-Proto": "https"}
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        conn.request("GET", "/api/v1/eligibility/?number=" + rng.choice(numbers), headers=headers)
        r = conn.getresponse(); r.read()
        mine.append(time.perf_counter() - t)
        if r.status != 200:
            with lock: errors[0] += 1
    with lock: latencies.extend(mine)
started = time.perf_counter()
ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
[t.start() for t in ts]; [t.join() for t in ts]
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] * 1e6
print(json.dumps({"requests": len(latencies), "duration_us": (time.perf_counter() - started) * 1e6,
                  "p50_us": pct(50), "p95_us": pct(95), "p99_us": pct(99), "errors": 0, "status": errors[0]}))
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_gunicorn(port: int, log: Path, workers: int = WORKERS) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openimis.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": common.DATABASE_URL,
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "openimis.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "60"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"})
    for _ in range(120):
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.5)
    _stop(process)
    raise common.BenchmarkError(f"gunicorn did not answer on port {port}:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _load(port: int, token: str, numbers_file: Path, script: Path, seconds: int) -> tuple[str, dict[str, float]]:
    """Runs wrk (or the Python fallback) against the server; returns the tool's name and its results."""
    wrk = shutil.which("wrk")
    if wrk:
        command = [wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
        command += ["-s", str(script), f"http://127.0.0.1:{port}", "--", str(numbers_file), token]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
        if line is None:
            raise common.BenchmarkError(f"wrk printed no result:\n{output}")
        return "wrk", {key: float(value) for key, value in (part.split("=") for part in line.split()[1:])}
    command = [sys.executable, "-c", _PYTHON_LOAD, str(port), token, str(numbers_file), str(seconds)]
    output = subprocess.run([*command, str(WRK_CONNECTIONS)], capture_output=True, text=True, check=True).stdout
    return "Python load generator (wrk not installed)", json.loads(output)


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes have used so far (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(parent: int) -> list[int]:
    """The gunicorn workers: the processes whose parent is the master."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def _backends() -> list[int]:
    """The PostgreSQL backends of the workers' persistent connections (the database server is on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        return [row[0] for row in cursor.fetchall()]


def _children_cpu() -> float:
    """CPU time of this process's finished children (the load generator)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _throughput(token: str, numbers: list[str]) -> tuple[str, dict[str, float]]:
    workdir = Path(tempfile.mkdtemp(prefix="openimis-bench-wrk-"))
    try:
        numbers_file = workdir / "numbers.txt"
        numbers_file.write_text("\n".join(numbers) + "\n")
        script = workdir / "eligibility.lua"
        script.write_text(_WRK_SCRIPT)
        port = _free_port()
        process = _start_gunicorn(port, workdir / "gunicorn.log")
        try:
            _load(port, token, numbers_file, script, 5)  # warm-up: workers load code, open connections
            workers, backends = _children(process.pid), _backends()
            load_average = os.getloadavg()[0]
            before = (_cpu_seconds(workers), _cpu_seconds(backends), _children_cpu())
            tool, result = _load(port, token, numbers_file, script, WRK_SECONDS)
            after = (_cpu_seconds(workers), _cpu_seconds(backends), _children_cpu())
        finally:
            _stop(process)
        per_request = 1000 / max(result["requests"], 1)
        result["cpu_app_ms"] = (after[0] - before[0]) * per_request
        result["cpu_db_ms"] = (after[1] - before[1]) * per_request
        result["cpu_load_ms"] = (after[2] - before[2]) * per_request
        result["load_average"] = load_average
        if result["errors"] or result["status"]:
            log = (workdir / "gunicorn.log").read_text()[-3000:]
            raise common.BenchmarkError(f"{tool}: {result['errors']:.0f} errors, {result['status']:.0f} non-2xx\n{log}")
        return tool, result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- policy_create for families of 8 ---------------------------------------------------------------------------


def _families_of_eight(district: "Location", count: int, rng: random.Random) -> list[int]:
    """`count` families of FAMILY_SIZE in the district's villages: a head and a spouse, then children, a parent."""
    from django.db import connection, transaction

    from insuree.management.commands.generate_insurees import number_bodies
    from insuree.models import Family, Insuree, Relationship
    from insuree.numbers import NumberScheme
    from location.models import Location, LocationType

    villages = list(Location.objects.filter(type=LocationType.VILLAGE, is_active=True, path__startswith=district.path))
    with connection.cursor() as cursor:
        cursor.execute("SELECT insurance_number FROM insuree_insuree UNION ALL SELECT number FROM insuree_stocknumber")
        used = [row[0] for row in cursor.fetchall()]
    numbers = iter(number_bodies(NumberScheme.from_settings(), count * FAMILY_SIZE, used))
    del used
    today = timezone.localdate()
    relationships = [None, Relationship.SPOUSE] + [Relationship.CHILD] * 5 + [Relationship.PARENT]
    ages = [(30, 55), (28, 55), (0, 3), (4, 9), (10, 15), (16, 17), (18, 24), (60, 85)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('insuree_insuree', 'id')) FROM generate_series(1, %s)",
            [count * FAMILY_SIZE],
        )
        person_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('insuree_family', 'id')) FROM generate_series(1, %s)", [count]
        )
        family_ids = [row[0] for row in cursor.fetchall()]
        Family.objects.bulk_create(
            Family(id=fid, head_id=person_ids[i * FAMILY_SIZE], village=rng.choice(villages))
            for i, fid in enumerate(family_ids)
        )
        Insuree.objects.bulk_create(
            Insuree(
                id=pid,
                family_id=family_ids[i // FAMILY_SIZE],
                insurance_number=next(numbers),
                last_name="Octo",
                other_names=f"Member {i % FAMILY_SIZE + 1}",
                gender=rng.choice("MF"),
                dob=today - timedelta(days=365 * rng.randint(*ages[i % FAMILY_SIZE]) + rng.randrange(365)),
                relationship=relationships[i % FAMILY_SIZE],
            )
            for i, pid in enumerate(person_ids)
        )
    return family_ids


def _policy_create(product: "Product") -> tuple[float, float, int]:
    from django.db.models import Count

    from insuree.models import Family
    from location.models import Location, LocationType
    from openimis.accounts import roles
    from policy.enrolment import policy_create, quote
    from policy.models import PolicyStage

    district = Location.objects.filter(type=LocationType.DISTRICT, is_active=True).order_by("code").first()
    if district is None:
        raise common.BenchmarkError("no district")
    officer = common.make_user("bench_policy_officer", roles.ENROLMENT_OFFICER, [district])
    family_ids = _families_of_eight(district, CREATE_FAMILIES + CREATE_WARM_UP, random.Random(SEED))
    families = list(Family.objects.filter(pk__in=family_ids).select_related("village").order_by("pk"))
    today = timezone.localdate()
    samples: list[float] = []
    policies = []
    for index, family in enumerate(families):
        started = time.perf_counter()
        result = policy_create(user=officer, family=family, product=product, enroll_date=today)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= CREATE_WARM_UP:
            samples.append(elapsed)
        policies.append(result.policy)
    covered = (
        Family.objects.filter(pk__in=family_ids).annotate(n=Count("policies__coverage")).values_list("n", flat=True)
    )
    if set(covered) != {FAMILY_SIZE}:
        raise common.BenchmarkError(f"families of {FAMILY_SIZE} covered by {sorted(set(covered))} members")
    for family, policy in zip(families[:10], policies[:10], strict=True):
        expected = quote(family=family, product=product, stage=PolicyStage.NEW, enroll_date=today).value.value
        if policy.value != expected:
            raise common.BenchmarkError(f"policy {policy.pk} is worth {policy.value}, the rules say {expected}")
    return common.percentile(samples, 50), common.percentile(samples, 95), len(samples)


# --- nightly -------------------------------------------------------------------------------------------------------


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1


def _nightly() -> tuple[float, Any, date]:
    from policy.management.commands.generate_policies import CYCLES
    from policy.models import Product
    from policy.nightly import policy_nightly
    from policy.periods import cycle_days

    today = timezone.localdate()
    cycles = cycle_days(Product.objects.get(code=CYCLES))
    day = min(d for d in (date(today.year + k, m, dd) for k in (0, 1) for m, dd in cycles) if d > today)
    logger = logging.getLogger("openimis.sms")
    counter = _Count()
    logger.addHandler(counter)
    logger.propagate = False
    try:
        started = time.perf_counter()
        result = policy_nightly(today=day)
        seconds = time.perf_counter() - started
    finally:
        logger.removeHandler(counter)
        logger.propagate = True
    print(
        f"nightly on {day}: {result.expired:,} expired, {result.reminders:,} reminders, {result.notified:,} notified "
        f"({counter.records:,} messages logged)"
    )
    if result.expired < 10_000 or result.reminders < 10_000:
        raise common.BenchmarkError(f"the nightly job on {day} did too little to measure: {result}")
    return seconds, result, day


# --- the figures ---------------------------------------------------------------------------------------------------


def run() -> list[common.Figure]:
    common.prepare()
    from rest_framework.authtoken.models import Token

    from policy.management.commands.generate_policies import NATIONAL
    from policy.models import Policy, Product

    insurees = _ensure_insurees()
    policies = _ensure_policies()
    common.analyze()
    _describe()
    scale = f"{insurees:,} insurees, {policies:,} policies"

    user = _national_receptionist()
    token = Token.objects.create(user=user).key
    numbers = _random_numbers(WARM_UP + LOOKUPS, 0.29)
    p50, p95, seen = _eligibility_in_process(token, numbers)
    print(f"eligibility (in process): p50 {p50:.1f} ms, p95 {p95:.1f} ms; {seen}")

    tool, load = _throughput(token, _random_numbers(WRK_NUMBERS, 0.61))
    rate = load["requests"] / (load["duration_us"] / 1e6)
    latency = (
        f"p50 {load['p50_us'] / 1000:.1f} ms, p95 {load['p95_us'] / 1000:.1f} ms, p99 {load['p99_us'] / 1000:.1f} ms"
    )
    print(f"eligibility through gunicorn ({tool}): {load['requests']:,.0f} requests, {rate:.0f} req/s; {latency}")
    cpu = load["cpu_app_ms"] + load["cpu_db_ms"] + load["cpu_load_ms"]
    cores = os.cpu_count() or 1
    print(
        f"CPU per request: gunicorn workers {load['cpu_app_ms']:.1f} ms, PostgreSQL {load['cpu_db_ms']:.1f} ms, "
        f"{tool.split()[0]} {load['cpu_load_ms']:.1f} ms; {cores} cores (load average {load['load_average']:.1f} "
        f"before the run): at most about {cores * 1000 / cpu:.0f} req/s on this machine"
    )

    if p95 > ELIGIBILITY_TARGET_MS or rate < THROUGHPUT_TARGET:
        _cpu_split(token, numbers)

    create_p50, create_p95, created = _policy_create(Product.objects.get(code=NATIONAL))
    print(f"policy_create: {created} families of {FAMILY_SIZE}, p50 {create_p50:.1f} ms, p95 {create_p95:.1f} ms")

    nightly_seconds, nightly, day = _nightly()
    total = Policy.objects.count()
    return [
        common.Figure(
            f"eligibility by insurance number (API, {scale}): p95 server time",
            p95,
            ELIGIBILITY_TARGET_MS,
            "ms",
        ),
        AtLeast(
            f"eligibility through gunicorn ({WORKERS} workers, {tool.split()[0]} {WRK_CONNECTIONS} connections, "
            f"{WRK_SECONDS} s; latency p95 {load['p95_us'] / 1000:.1f} ms)",
            rate,
            THROUGHPUT_TARGET,
            "req/s",
        ),
        common.Figure(
            f"policy value and dates for a family of {FAMILY_SIZE}, saved (policy_create x {created}): p95",
            create_p95,
            CREATE_TARGET_MS,
            "ms",
        ),
        common.Figure(
            f"nightly expiry and renewal reminders on {day} ({total:,} policies: {nightly.expired:,} expired, "
            f"{nightly.reminders:,} reminders)",
            nightly_seconds,
            NIGHTLY_TARGET_SECONDS,
            "s",
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
