"""Synthetic families and insurees at national scale, for benchmarks and demonstrations (never for production).

    manage.py generate_insurees --families 250000 --seed 1

Families are spread over the active villages of the database (at least one is needed). Each family has a head
aged 18-80, often a spouse, children younger than the head, sometimes a parent or another relative; the
average size is `--members` (4 by default), so 250,000 families hold 1,000,000 insurees. Names come from
Faker's Swahili and Kenyan English locales (an East-African demo country).

Insurance numbers are valid for the configured scheme and unique without retries: a sequential body starting
after the largest number in use (insurees and card stock), each with its check digit; when the bodies after
the largest are too few, the first free bodies are taken instead, skipping every number in use.

Rows are written with PostgreSQL COPY, in transactions of `--chunk` families (250: about 1,000 insurees):
insurees first with their family id already set (ids are reserved from the sequences; foreign keys are checked
at commit), then the families. Small transactions matter: with the history triggers on, the cost per row grows
with the number of rows already written in the same transaction (measured on 40,000 insurees: 5.4 s in
transactions of 250 families, 8.9 s with 1,000, 42 s with 10,000).
The database triggers run as for any insert: the village checks, the deferred "head is a member" check and
the history triggers (one insert event per row, with the context `generate_insurees`).
`--without-history` skips the history triggers for this session (`session_replication_role = replica`, which
also skips the village and head checks and the foreign keys): it needs a superuser database role, is never
used by the benchmark, and leaves the generated rows without any history event.
"""

import io
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pghistory
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from insuree.numbers import NumberScheme

_FALLBACK_LAST = ["Mwangi", "Otieno", "Kamau", "Njoroge", "Wanjiru", "Mushi", "Massawe", "Kimaro", "Mollel",
                  "Mbwambo", "Juma", "Hassan", "Swai", "Lyimo", "Temba", "Shirima", "Kiprono", "Achieng"]  # fmt: skip
_FALLBACK_MALE = ["Joseph", "John", "Baraka", "Juma", "Emmanuel", "Daudi", "Hamisi", "Yohane", "Petro", "Musa"]
_FALLBACK_FEMALE = ["Grace", "Neema", "Rehema", "Zawadi", "Mary", "Amina", "Upendo", "Asha", "Faraja", "Halima"]
_SIZE_WEIGHTS = {1: 8, 2: 12, 3: 18, 4: 22, 5: 17, 6: 11, 7: 7, 8: 5}  # households of 1..8 people, mean ~4.2

INSUREE_COLUMNS = (
    "id", "uuid", "insurance_number", "family_id", "last_name", "other_names", "gender", "dob", "marital_status",
    "relationship", "identity_type", "identity_number", "phone", "email", "current_address", "current_village_id",
    "vulnerable", "card_issued", "photo", "status", "status_reason", "created_at", "updated_at",
)  # fmt: skip
FAMILY_COLUMNS = (
    "id", "uuid", "head_id", "village_id", "poverty", "family_type", "address", "ethnicity", "confirmation_type",
    "confirmation_number", "created_at", "updated_at",
)  # fmt: skip


def name_pools(seed: int) -> tuple[list[str], list[str], list[str]]:
    """Last names, male and female first names (Faker sw + en_KE; a curated list when Faker is missing)."""
    try:
        from faker import Faker
    except ImportError:  # pragma: no cover - Faker is in requirements.txt
        return _FALLBACK_LAST, _FALLBACK_MALE, _FALLBACK_FEMALE
    last: set[str] = set(_FALLBACK_LAST)
    male: set[str] = set(_FALLBACK_MALE)
    female: set[str] = set(_FALLBACK_FEMALE)
    for locale in ("sw", "en_KE"):
        fake = Faker(locale)
        fake.seed_instance(seed)
        for _ in range(1500):
            last.add(fake.last_name())
            male.add(fake.first_name_male())
            female.add(fake.first_name_female())

    def clean(names: set[str]) -> list[str]:
        return sorted(n for n in names if n and n.replace("-", "").replace("'", "").isalpha())

    return clean(last), clean(male), clean(female)


def number_bodies(scheme: NumberScheme, count: int, used: Iterator[str] | list[str]) -> list[str]:
    """`count` valid numbers not in `used`: after the largest used body if there is room, else the first free."""
    body_len = scheme.length - 1
    low, high = 10 ** (body_len - 1), 10**body_len  # bodies have no leading zero, like NumberScheme.generate
    used_set = {n for n in used if len(n) == scheme.length and n.isdigit()}
    largest = max((int(n[:-1]) for n in used_set), default=low - 1)
    start = max(largest + 1, low)
    if start + count <= high:
        return [f"{b}{scheme.check_digit(str(b))}" for b in range(start, start + count)]
    numbers: list[str] = []
    body = low
    while len(numbers) < count:
        if body >= high:
            raise CommandError("Not enough free insurance numbers for this many insurees.")
        number = f"{body}{scheme.check_digit(str(body))}"
        if number not in used_set:
            numbers.append(number)
        body += 1
    return numbers


@dataclass
class Person:
    last_name: str
    other_names: str
    gender: str
    dob: date
    relationship: str  # "\\N" for the head
    marital: str


class Generator:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.last, self.male, self.female = name_pools(seed)
        self.sizes = list(_SIZE_WEIGHTS)
        self.size_weights = list(_SIZE_WEIGHTS.values())

    def sizes_for(self, families: int, members: float) -> list[int]:
        """Family sizes drawn from a household distribution, adjusted to total round(families * members)."""
        sizes = self.rng.choices(self.sizes, self.size_weights, k=families)
        target = max(families, round(families * members))
        diff = target - sum(sizes)
        while diff:
            i = self.rng.randrange(families)
            if diff > 0 and sizes[i] < 12:
                sizes[i] += 1
                diff -= 1
            elif diff < 0 and sizes[i] > 1:
                sizes[i] -= 1
                diff += 1
        return sizes

    def _dob(self, age: int) -> date:
        return self.today - timedelta(days=age * 365 + self.rng.randrange(365))

    def _first(self, gender: str) -> str:
        pool = self.male if gender == "M" else self.female
        if self.rng.random() < 0.35:
            return f"{self.rng.choice(pool)} {self.rng.choice(pool)}"
        return self.rng.choice(pool)

    def family(self, size: int) -> list[Person]:
        rng = self.rng
        surname = rng.choice(self.last)
        head_gender = "M" if rng.random() < 0.68 else "F"
        head_age = min(80, 18 + int(rng.expovariate(1 / 17)))
        married = size > 1 and rng.random() < 0.75
        people = [
            Person(surname, self._first(head_gender), head_gender, self._dob(head_age), "\\N", "M" if married else "S")
        ]
        if married:
            gender = "F" if head_gender == "M" else "M"
            age = max(18, min(85, head_age + rng.randint(-8, 4)))
            people.append(Person(surname, self._first(gender), gender, self._dob(age), "8", "M"))
        while len(people) < size:
            roll = rng.random()
            if roll < 0.82 and head_age >= 17:
                gender = rng.choice("MF")
                age = rng.randint(0, min(head_age - 16, 40))
                people.append(
                    Person(surname, self._first(gender), gender, self._dob(age), "4", "N" if age < 18 else "S")
                )
            elif roll < 0.90 and head_age < 60:
                gender = rng.choice("MF")
                age = min(100, head_age + rng.randint(18, 35))
                people.append(Person(surname, self._first(gender), gender, self._dob(age), "2", "W"))
            else:
                gender = rng.choice("MF")
                age = rng.randint(0, 70)
                relationship = rng.choice("1357")
                last = surname if rng.random() < 0.6 else rng.choice(self.last)
                people.append(Person(last, self._first(gender), gender, self._dob(age), relationship, "N"))
        return people


def _reserve_ids(cursor: Any, table: str, count: int) -> list[int]:
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor: Any, table: str, columns: tuple[str, ...], text: str) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(text)


class Command(BaseCommand):
    help = "Generates synthetic families and insurees in the active villages (benchmarks and demos only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, required=True, help="number of families to create")
        parser.add_argument("--members", type=float, default=4.0, help="average family size (default 4)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed, the same people)")
        parser.add_argument(
            "--chunk", type=int, default=250, help="families written per transaction (small: see the module notes)"
        )
        parser.add_argument(
            "--without-history",
            action="store_true",
            help="skip history and all other triggers and foreign keys (needs a superuser role; not audited)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        families: int = options["families"]
        if families < 1:
            raise CommandError("--families must be at least 1.")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM location_location WHERE type = 'V' AND is_active ORDER BY id")
            villages = [row[0] for row in cursor.fetchall()]
            if not villages:
                raise CommandError("There is no active village; import locations first.")
            cursor.execute(
                "SELECT insurance_number FROM insuree_insuree UNION ALL SELECT number FROM insuree_stocknumber"
            )
            used = [row[0] for row in cursor.fetchall()]
        generator = Generator(options["seed"], timezone.localdate())
        sizes = generator.sizes_for(families, options["members"])
        numbers = iter(number_bodies(NumberScheme.from_settings(), sum(sizes), used))
        del used
        chunk: int = options["chunk"]
        created = 0
        with pghistory.context(command="generate_insurees"):
            for start in range(0, families, chunk):
                part = sizes[start : start + chunk]
                created += self._write_chunk(generator, part, villages, numbers, options["without_history"])
                self.stdout.write(
                    f"{start + len(part):,} families, {created:,} insurees ({time.perf_counter() - started:.0f} s)"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {families:,} families with {created:,} insurees in {time.perf_counter() - started:.1f} s."
            )
        )

    @transaction.atomic
    def _write_chunk(
        self, generator: Generator, sizes: list[int], villages: list[int], numbers: Iterator[str], raw: bool
    ) -> int:
        rng = generator.rng
        now = timezone.now().isoformat()
        with connection.cursor() as cursor:
            if raw:
                cursor.execute("SET LOCAL session_replication_role = replica")
            insuree_ids = iter(_reserve_ids(cursor, "insuree_insuree", sum(sizes)))
            family_ids = _reserve_ids(cursor, "insuree_family", len(sizes))
            people = io.StringIO()
            fams = io.StringIO()
            count = 0
            for family_id, size in zip(family_ids, sizes, strict=True):
                village = rng.choice(villages)
                head_id = 0
                for index, p in enumerate(generator.family(size)):
                    pk = next(insuree_ids)
                    if index == 0:
                        head_id = pk
                    adult = (generator.today - p.dob).days >= 18 * 365
                    phone = f"+2557{rng.randrange(10**8):08d}" if index == 0 and rng.random() < 0.7 else ""
                    identity = ("N", f"{19_000_000_000 + pk}") if adult and rng.random() < 0.5 else ("", "")
                    people.write(
                        f"{pk}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{next(numbers)}\t{family_id}\t"
                        f"{p.last_name}\t{p.other_names}\t{p.gender}\t{p.dob.isoformat()}\t{p.marital}\t"
                        f"{p.relationship}\t{identity[0]}\t{identity[1]}\t{phone}\t\t\t{village}\t"
                        f"f\tf\t\tAC\t\t{now}\t{now}\n"
                    )
                    count += 1
                poverty = "t" if rng.random() < 0.3 else "f"
                fams.write(
                    f"{family_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{head_id}\t{village}\t{poverty}\t"
                    f"H\t\t\t\t\t{now}\t{now}\n"
                )
            _copy(cursor, "insuree_insuree", INSUREE_COLUMNS, people.getvalue())
            _copy(cursor, "insuree_family", FAMILY_COLUMNS, fams.getvalue())
        return count
