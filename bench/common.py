"""Shared set-up for the benchmarks: their own database, Django, generated location trees, imports, results.

The benchmarks never touch the demo or test data: `prepare()` drops and re-creates the database
`openimis_bench`, points Django at it with the test settings and a temporary media directory, and migrates it.
Modules that need Django models import them inside functions, after `prepare()` has run `django.setup()`.
"""

import atexit
import csv
import functools
import io
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from unittest import mock

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from location.models import Location
    from openimis.accounts.models import User
    from openimis.common.models import Job

BENCH_DB = "openimis_bench"
SERVER = "openimis:openimis@127.0.0.1:5432"
DATABASE_URL = f"postgres://{SERVER}/{BENCH_DB}"
ADMIN_URL = f"postgresql://{SERVER}/postgres"  # the role has CREATEDB; it creates and drops the bench database

CSV_HEADER = (
    "type",
    "code",
    "name",
    "parent_code",
    "male_population",
    "female_population",
    "other_population",
    "families",
)
Row = tuple[str, str, str, str, str, str, str, str]

SCHEME_ADMIN = "bench_scheme_admin"


class BenchmarkError(RuntimeError):
    """The benchmark could not measure what it claims to (a failed job, a page without its rows...)."""


# --- results -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure an issue names: what was measured, its value and the target it must not exceed."""

    name: str
    value: float
    target: float
    unit: str  # "s" or "ms"
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.value <= self.target

    @property
    def measured(self) -> str:
        digits = 2 if self.unit == "s" else 1
        return f"{self.value:.{digits}f} {self.unit}"

    @property
    def goal(self) -> str:
        return f"<= {self.target:g} {self.unit}"

    @property
    def verdict(self) -> str:
        return "OK" if self.ok else "MISSED"

    def line(self) -> str:
        return f"{self.name}: {self.measured} (target {self.goal})  {self.verdict}"


def percentile(samples: Sequence[float], pct: int) -> float:
    """The pct-th percentile (1..99) of the samples, interpolated between the closest ranks."""
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


# --- database and Django -----------------------------------------------------------------------------------


@functools.cache
def prepare() -> None:
    """Points Django at a fresh, migrated `openimis_bench` database; runs once per process."""
    media_root = tempfile.mkdtemp(prefix="openimis-bench-media-")
    atexit.register(shutil.rmtree, media_root, ignore_errors=True)
    # Set before django.setup(); the settings read the environment (a .env file never overrides these).
    os.environ["DJANGO_SETTINGS_MODULE"] = "openimis.settings.test"
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["MEDIA_ROOT"] = media_root
    os.environ["CACHE_PREFIX"] = "openimis-bench"
    os.environ["CELERY_QUEUE"] = "openimis-bench"
    os.environ["DEBUG"] = "false"  # DEBUG would keep every query in memory and slow the requests down

    started = time.perf_counter()
    keep = os.environ.get("BENCH_KEEP_DB") == "1"  # re-measure on the data of an earlier run (development)
    if not keep:
        _recreate_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    done = "kept and migrated" if keep else "dropped, created and migrated"
    print(f"database {BENCH_DB}: {done} in {time.perf_counter() - started:.1f} s")


def _recreate_database() -> None:
    name = sql.Identifier(BENCH_DB)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def analyze() -> None:
    """Refreshes the planner's statistics, as autovacuum does shortly after a bulk load in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def make_user(username: str, role: str, scope: Iterable["Location"] = ()) -> "User":
    """A user with one role (a group of `openimis.accounts.roles`) and the given locations as scope."""
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    from openimis.accounts.models import User

    user = User(username=username, first_name="Bench", last_name=username)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=role))
    for location in scope:
        assign_perm("location.scope_location", user, location)
    return user


def scheme_admin() -> "User":
    """The scheme administrator who imports the trees (no grant at first: importing a region grants it)."""
    from openimis.accounts import roles
    from openimis.accounts.models import User

    existing = User.objects.filter(username=SCHEME_ADMIN).first()
    return existing or make_user(SCHEME_ADMIN, roles.SCHEME_ADMINISTRATOR)


# --- generated location trees ------------------------------------------------------------------------------

_SYLLABLES = (
    "ba", "bo", "cha", "di", "fa", "ga", "ha", "ji", "ka", "ki", "la", "lu", "ma", "mbe", "mi", "mo", "na",
    "ndi", "ngo", "nya", "pa", "pe", "ra", "sa", "si", "ta", "tu", "u", "wa", "we", "ya", "za", "zi",
)  # fmt: skip


def _name(rng: random.Random, suffix: str = "") -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
    return f"{word} {suffix}".strip()


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` shared unevenly (each part between about half and one and a half of the mean, at least 1)."""
    if total < parts:
        raise ValueError(f"cannot share {total} among {parts} parts with at least 1 each")
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for index in rng.sample(range(parts), total - sum(counts)):
        counts[index] += 1
    return counts


def _village(rng: random.Random, code: str, parent_code: str) -> Row:
    male, female = rng.randint(80, 2500), rng.randint(80, 2500)
    other = "" if rng.random() < 0.3 else str(rng.randint(0, 25))  # not every census counts it
    families = (male + female) // rng.randint(4, 7)
    return ("V", code, _name(rng), parent_code, str(male), str(female), other, str(families))


def district_rows(rng: random.Random, *, region: int, district: int, municipalities: int, villages: int) -> list[Row]:
    """One district (code D<rr><dd>) of region R<rr>, its municipalities and villages, parents first.

    Codes: municipality W<rr><dd><mm>, village V<rr><dd><nnn> (at most 999 villages per district).
    """
    if villages > 999:
        raise ValueError("village codes allow at most 999 villages per district")
    district_code = f"D{region:02d}{district:02d}"
    rows: list[Row] = [("D", district_code, _name(rng, "District"), f"R{region:02d}", "", "", "", "")]
    number = 0
    for m, count in enumerate(_split(rng, villages, municipalities), start=1):
        municipality_code = f"W{region:02d}{district:02d}{m:02d}"
        rows.append(("W", municipality_code, _name(rng), district_code, "", "", "", ""))
        for _ in range(count):
            number += 1
            rows.append(_village(rng, f"V{region:02d}{district:02d}{number:03d}", municipality_code))
    return rows


def country_rows(
    rng: random.Random, *, regions: int, districts_per_region: int, municipalities_per_district: int, villages: int
) -> list[Row]:
    """A whole tree in the order an export lists it: each region followed by its districts and so on."""
    per_district = iter(_split(rng, villages, regions * districts_per_region))
    rows: list[Row] = []
    for r in range(1, regions + 1):
        rows.append(("R", f"R{r:02d}", _name(rng, "Region"), "", "", "", "", ""))
        for d in range(1, districts_per_region + 1):
            rows += district_rows(
                rng, region=r, district=d, municipalities=municipalities_per_district, villages=next(per_district)
            )
    return rows


def to_csv(rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def count_types(rows: Iterable[Row]) -> dict[str, int]:
    counts = dict.fromkeys("RDWV", 0)
    for row in rows:
        counts[row[0]] += 1
    return counts


# --- importing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRun:
    job: "Job"
    request_seconds: float  # the upload request's part: checks, file saved, job row created
    job_seconds: float  # the worker's part: the whole task, from taking the job to recording its outcome


def run_import(user: "User", data: bytes, filename: str) -> ImportRun:
    """Imports a CSV file the way production does, with the worker's part run in this process.

    The request part is `locations_import_start` (it saves the upload and queues the task once the job row is
    committed); the queueing is intercepted, then the Celery task is called with the job id, which runs
    `JobTask.__call__`: take the job, read the file, check every row, write them in one transaction, record
    the outcome.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from location.services import locations_import_start
    from location.tasks import import_locations_task
    from openimis.common.models import JobStatus

    upload = SimpleUploadedFile(filename, data, content_type="text/csv")
    with mock.patch.object(import_locations_task, "delay") as delay:
        started = time.perf_counter()
        job = locations_import_start(user=user, upload=upload)
        queued = time.perf_counter()
    if delay.call_args_list != [mock.call(job.pk)]:
        raise BenchmarkError(f"the import job was not queued once after commit: {delay.call_args_list}")
    import_locations_task(job.pk)
    finished = time.perf_counter()
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        raise BenchmarkError(f"import job {job.uuid} ended {job.get_status_display()}: {job.error} {job.result}")
    return ImportRun(job=job, request_seconds=queued - started, job_seconds=finished - queued)
