"""Figure: "enquiry by insurance number: p95 <= 20 ms server time".

When `bench_insurees` ran before in the same process, the database already holds its 1,000,000 insurees and
the officer is granted the district with the most families; run alone, this module writes SCALE insurees
(families of four in 200 villages of 2 districts) with bulk inserts. The figure's name states the scale.
An enrolment officer granted one district looks up numbers on the enquiry page, `/enquiry/?q=<number>`,
through Django's whole stack (middleware, session, scope, queries, template) with the test Client in this
process; half the lookups are typed numbers and half are signed card payloads (a USB scanner's typing,
signature checked). Server time is the time `Client.get` takes.

Run alone: `.venv/bin/python -m bench.bench_enquiry`.
"""

import random
import time
from datetime import date
from typing import TYPE_CHECKING

from bench import common

if TYPE_CHECKING:
    from location.models import Location

SCALE = 100_000
FAMILY_SIZE = 4
VILLAGES_PER_DISTRICT = 100
WARM_UP = 20
REQUESTS = 400
TARGET_MS = 20.0
SEED = 11


def _locations() -> tuple[list["Location"], "Location"]:
    from location.models import Location, LocationType

    villages = []
    districts = []
    region = Location.objects.create(code="RQ", name="Enquiry region", type=LocationType.REGION)
    for d in range(2):
        district = Location.objects.create(
            code=f"DQ{d}", name=f"District {d}", type=LocationType.DISTRICT, parent=region
        )
        municipality = Location.objects.create(
            code=f"WQ{d}", name=f"Municipality {d}", type=LocationType.MUNICIPALITY, parent=district
        )
        districts.append(district)
        for v in range(VILLAGES_PER_DISTRICT):
            villages.append(
                Location.objects.create(
                    code=f"VQ{d}{v:03d}", name=f"Village {d}-{v}", type=LocationType.VILLAGE, parent=municipality
                )
            )
    return villages, districts[0]


def _insurees(villages: list["Location"], rng: random.Random) -> list[str]:
    """SCALE insurees in families of FAMILY_SIZE, in one transaction."""
    from django.db import connection, transaction

    from insuree.models import Family, Insuree
    from insuree.numbers import NumberScheme

    scheme = NumberScheme.from_settings()
    numbers: set[str] = set()
    while len(numbers) < SCALE:
        numbers.add(scheme.generate())
    ordered = sorted(numbers, key=lambda _n: rng.random())
    surnames = ["Mwangi", "Achieng", "Otieno", "Wanjiru", "Kamau", "Njeri", "Mutua", "Akinyi", "Barasa", "Chebet"]
    given = ["Amina", "Juma", "Rehema", "Baraka", "Neema", "Omari", "Zawadi", "Hassan", "Imani", "Saidi"]
    with transaction.atomic(), connection.cursor() as cursor:
        # Ids reserved up front: families and members are inserted already linked (foreign keys are checked
        # at commit, as is the head-is-member trigger), with no UPDATE pass over the members.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('insuree_insuree', 'id')) FROM generate_series(1, %s)", [SCALE]
        )
        person_ids = [row[0] for row in cursor.fetchall()]
        families_count = (SCALE + FAMILY_SIZE - 1) // FAMILY_SIZE
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('insuree_family', 'id')) FROM generate_series(1, %s)",
            [families_count],
        )
        family_ids = [row[0] for row in cursor.fetchall()]
        Family.objects.bulk_create(
            [
                Family(id=fid, head_id=person_ids[i * FAMILY_SIZE], village=rng.choice(villages))
                for i, fid in enumerate(family_ids)
            ],
            batch_size=10_000,
        )
        Insuree.objects.bulk_create(
            [
                Insuree(
                    id=pid,
                    family_id=family_ids[i // FAMILY_SIZE],
                    insurance_number=number,
                    last_name=rng.choice(surnames),
                    other_names=rng.choice(given),
                    gender=rng.choice("MF"),
                    dob=date(1940 + rng.randrange(80), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                    phone=f"07{rng.randrange(10**8):08d}" if rng.random() < 0.3 else "",
                )
                for i, (pid, number) in enumerate(zip(person_ids, ordered, strict=True))
            ],
            batch_size=10_000,
        )
    return ordered


def _busiest_district() -> "Location":
    from django.db.models import Count

    from insuree.models import Family
    from location.models import Location

    row = Family.objects.values("village__parent__parent").annotate(n=Count("pk")).order_by("-n").first()
    if row is None:
        raise common.BenchmarkError("no family in the database")
    district_id = row["village__parent__parent"]
    if district_id is None:
        raise common.BenchmarkError("a family village without a district")
    return Location.objects.get(pk=district_id)


def run() -> list[common.Figure]:
    common.prepare()
    from django.test import Client

    from insuree.models import Insuree
    from insuree.signing import sign
    from openimis.accounts import roles

    rng = random.Random(SEED)
    started = time.perf_counter()
    existing = Insuree.objects.count()
    if existing >= 1_000_000:  # the national-scale data of bench_insurees, when it ran before in this process
        district = _busiest_district()
        numbers: list[str] = []
        scale = existing
        print(f"enquiry: using the {existing:,} insurees already in the database")
    else:
        villages, district = _locations()
        numbers = _insurees(villages, rng)
        scale = Insuree.objects.count()
        print(f"enquiry: {scale:,} insurees written in {time.perf_counter() - started:.1f} s")
    common.analyze()

    officer = common.make_user("bench_enquiry_officer", roles.ENROLMENT_OFFICER, [district])
    client = Client(SERVER_NAME="localhost")  # ALLOWED_HOSTS does not list the Client's "testserver"
    client.force_login(officer)
    in_scope = list(
        Insuree.objects.visible_to(officer).order_by("?").values_list("insurance_number", flat=True)[:REQUESTS]
    )
    queries = [n if i % 2 else sign(n) for i, n in enumerate(in_scope)]
    for q in queries[:WARM_UP]:
        client.get("/enquiry/", {"q": q})
    samples = []
    for q in queries:
        t = time.perf_counter()
        response = client.get("/enquiry/", {"q": q})
        samples.append((time.perf_counter() - t) * 1000)
        body = response.content.decode()
        number = q.split(".")[0]
        if response.status_code != 200 or number not in body or ("." in q and "Card authentic" not in body):
            raise common.BenchmarkError(f"enquiry for {q} did not show the person ({response.status_code})")
    p95 = common.percentile(samples, 95)
    print(f"enquiry: {len(samples)} lookups, median {common.percentile(samples, 50):.1f} ms, p95 {p95:.1f} ms")
    del numbers
    return [
        common.Figure(
            f"enquiry by insurance number (page, {scale:,} insurees): p95",
            p95,
            TARGET_MS,
            "ms",
            notes=("half typed numbers, half signed card payloads; officer scoped to one of two districts",),
        )
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
