"""Figures: "generating 1,000,000 insurees in 250,000 families: <= 5 min", "the duplicate check for a new person
at that scale: p95 <= 150 ms server time" and "importing 100,000 insurees from CSV: <= 60 s".

1. Villages: the active villages already in the bench database (10,000 after `bench_location_import`), or,
   when run alone, a generated tree of 3,000 villages imported the production way.
2. `manage.py generate_insurees --families 250000 --seed 1` (COPY, history triggers on: one insert event per
   row). The figure is the command's wall-clock time. Checked: the counts, every head a member of its family.
3. An enrolment officer of one district asks the HTMX endpoint `duplicate_check` (Django's test Client, the
   whole request: scope, trigram search, rendering) 100 times about "new" people: a real person's name with
   a letter changed, with that person's date of birth and village (a warning expected), and about people
   with invented names (none expected), after 5 warm-up requests. The figure is the p95 of `Client.get`.
4. The same officer imports a CSV of 100,000 insurees (25,000 families, in the villages of the officer's
   district) through `families_import_start`; the queued task is run in this process as the worker runs it
   (read, check every row, write all-or-nothing, history by triggers). The figure is the job's wall-clock time.

Run alone: `.venv/bin/python -m bench.bench_insurees` (re-creates the bench database first);
`BENCH_INSUREE_FAMILIES=25000` scales step 2 down (the figure's name says the scale measured).
"""

import csv
import datetime
import io
import os
import random
import time
from unittest import mock

from bench import common

FAMILIES = int(os.environ.get("BENCH_INSUREE_FAMILIES", "250000"))
GENERATE_TARGET_SECONDS = 300.0
CHECK_TARGET_MS = 150.0
IMPORT_TARGET_SECONDS = 60.0
IMPORT_FAMILIES = 25_000
IMPORT_MEMBERS = 4
SEED = 20240601


def _ensure_villages() -> None:
    from location.models import Location, LocationType

    if Location.objects.filter(type=LocationType.VILLAGE, is_active=True).count() >= 1000:
        return
    rows = common.country_rows(
        random.Random(SEED), regions=3, districts_per_region=10, municipalities_per_district=10, villages=3000
    )
    common.run_import(common.scheme_admin(), common.to_csv(rows), "country.csv")


def _generate() -> tuple[float, int]:
    from django.core.management import call_command
    from django.db import connection

    from insuree.models import Family, Insuree

    out = io.StringIO()
    started = time.perf_counter()
    call_command("generate_insurees", families=FAMILIES, seed=1, stdout=out)
    seconds = time.perf_counter() - started
    print(out.getvalue().strip().splitlines()[-1])
    families, insurees = Family.objects.count(), Insuree.objects.count()
    if families != FAMILIES:
        raise common.BenchmarkError(f"{families} families after generating {FAMILIES}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM insuree_family f JOIN insuree_insuree i ON i.id = f.head_id WHERE i.family_id <> f.id"
        )
        if cursor.fetchone()[0]:
            raise common.BenchmarkError("some heads are not members of their families")
        cursor.execute("SELECT count(*) FROM insuree_insureeevent WHERE pgh_label = 'insert'")
        events = cursor.fetchone()[0]
    print(f"generated {families:,} families, {insurees:,} insurees; history insert events: {events:,}")
    return seconds, insurees


def _officer_district():
    """The district with the most families, and an enrolment officer for it."""
    from django.db.models import Count

    from insuree.models import Family
    from location.models import Location
    from openimis.accounts import roles

    row = (
        Family.objects.values("village__parent__parent")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("village__parent__parent", "n")
        .first()
    )
    if row is None or row[0] is None:
        raise common.BenchmarkError("no families to check against")
    district = Location.objects.get(pk=row[0])
    officer = common.make_user("bench_eo_insurees", roles.ENROLMENT_OFFICER, [district])
    return district, officer, row[1]


def _mistype(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + rng.choice("aeiouklmn") + name[i + 1 :]


def _duplicate_check(district, officer) -> tuple[float, float, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from insuree.models import Insuree

    rng = random.Random(SEED)
    people = list(
        Insuree.objects.filter(family__village__path__startswith=district.path)
        .order_by("?")
        .values_list("last_name", "other_names", "dob", "family__village_id", "phone")[:50]
    )
    requests = []
    for last, other, dob, village, _phone in people:
        requests.append(
            {"prefix": "head", "head-last_name": _mistype(rng, last), "head-other_names": other,
             "head-dob": dob.isoformat(), "village": str(village), "head-phone": "", "head-identity_number": ""}
        )  # fmt: skip
        requests.append(
            {"prefix": "head", "head-last_name": f"Zyx{rng.randrange(10**6)}", "head-other_names": "Qwerty",
             "head-dob": dob.isoformat(), "village": str(village), "head-phone": f"+2556{rng.randrange(10**8):08d}",
             "head-identity_number": f"X{rng.randrange(10**9)}"}
        )  # fmt: skip
    client = Client(SERVER_NAME="localhost")  # ALLOWED_HOSTS does not list "testserver"
    client.force_login(officer)
    url = reverse("insuree:duplicate_check")
    for params in requests[:5]:
        client.get(url, params)
    samples: list[float] = []
    warned = 0
    for params in requests[:100]:
        started = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise common.BenchmarkError(f"duplicate check answered {response.status_code}")
        warned += b"may already be registered" in response.content
    if warned < 40:
        raise common.BenchmarkError(f"only {warned} of 50 mistyped existing people were warned about")
    with CaptureQueriesContext(connection) as queries:
        client.get(url, requests[0])
    search = max(queries.captured_queries, key=lambda q: len(q["sql"]))["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print("duplicate check plan:\n" + plan)
    return common.percentile(samples, 50), common.percentile(samples, 95), warned


def _import_csv(district, rng: random.Random) -> bytes:
    from insuree.management.commands.generate_insurees import Generator
    from location.models import Location, LocationType

    villages = list(
        Location.objects.filter(type=LocationType.VILLAGE, is_active=True, path__startswith=district.path).values_list(
            "code", flat=True
        )
    )
    generator = Generator(SEED, datetime.date.today())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["family_ref", "is_head", "village_code", "insurance_number", "last_name", "other_names",
                     "gender", "dob", "relationship", "marital_status", "phone", "poverty", "family_type"])  # fmt: skip
    for family in range(IMPORT_FAMILIES):
        village = rng.choice(villages)
        for index, person in enumerate(generator.family(IMPORT_MEMBERS)):
            writer.writerow(
                [f"B{family}", 1 if index == 0 else 0, village if index == 0 else "", "", person.last_name,
                 person.other_names, person.gender, person.dob.isoformat(),
                 "" if index == 0 else person.relationship, person.marital,
                 f"+2557{rng.randrange(10**8):08d}" if index == 0 else "", rng.choice("01"), "H"]
            )  # fmt: skip
    return out.getvalue().encode()


def _import(officer, data: bytes) -> float:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from insuree.import_services import families_import_start
    from insuree.import_tasks import import_families_task
    from openimis.common.models import JobStatus

    upload = SimpleUploadedFile("families.csv", data, content_type="text/csv")
    with mock.patch.object(import_families_task, "delay") as delay:
        job = families_import_start(user=officer, upload=upload)
    if delay.call_args_list != [mock.call(job.pk)]:
        raise common.BenchmarkError(f"the import job was not queued once after commit: {delay.call_args_list}")
    started = time.perf_counter()
    import_families_task(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        errors = job.result.get("errors", [])[:5]
        raise common.BenchmarkError(f"import job ended {job.get_status_display()}: {job.error} {errors}")
    if job.result.get("insurees") != IMPORT_FAMILIES * IMPORT_MEMBERS:
        raise common.BenchmarkError(f"the job imported {job.result}")
    print(f"import job: {job.result['summary']}")
    return seconds


def run() -> list[common.Figure]:
    common.prepare()
    from django.contrib.auth.models import Permission

    _ensure_villages()
    seconds, insurees = _generate()
    common.analyze()
    district, officer, families_there = _officer_district()
    officer.user_permissions.add(Permission.objects.get(codename="import_families"))  # already in the role
    print(f"officer of {district.code}: {families_there:,} families in scope")
    p50, p95, warned = _duplicate_check(district, officer)
    print(f"duplicate check: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {warned} warnings")
    data = _import_csv(district, random.Random(SEED))
    print(f"import file: {IMPORT_FAMILIES * IMPORT_MEMBERS:,} rows, {len(data) / 2**20:.1f} MiB")
    import_seconds = _import(officer, data)
    return [
        common.Figure(
            name=f"generate {insurees:,} insurees in {FAMILIES:,} families",
            value=seconds,
            target=GENERATE_TARGET_SECONDS,
            unit="s",
        ),
        common.Figure(
            name=f"duplicate check of a new person among {insurees:,} insurees (p95, server time)",
            value=p95,
            target=CHECK_TARGET_MS,
            unit="ms",
        ),
        common.Figure(
            name=f"import {IMPORT_FAMILIES * IMPORT_MEMBERS:,} insurees from CSV",
            value=import_seconds,
            target=IMPORT_TARGET_SECONDS,
            unit="s",
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
