"""Demo families: 40 households, one in each demo village, of 2 to 7 people with plausible ages and relationships
(head, often a spouse, children, sometimes a grandparent), Swahili names (Faker "sw", else a fixed list) and valid
insurance numbers. Deterministic (seeded) and idempotent: a family whose head's number exists is left alone.

Needs the demo villages (location/demo.py runs first: INSTALLED_APPS order)."""

import random
from datetime import date, timedelta
from typing import IO

from location.demo import COUNTRY
from location.models import Location, LocationType

from .models import Family, FamilyType, Gender, Insuree, MaritalStatus, Profession, Relationship
from .numbers import NumberScheme

SEED = 2026
FAMILY_COUNT = 40
TODAY = date(2026, 6, 1)  # ages are computed against a fixed day so that every run builds the same people

FIRST_MALE = ["Juma", "Baraka", "Daudi", "Hamisi", "Omari", "Salim", "Bakari", "Musa", "Rashidi", "Athumani"]
FIRST_FEMALE = ["Asha", "Neema", "Zawadi", "Mariamu", "Halima", "Rehema", "Amina", "Fatuma", "Subira", "Upendo"]
LAST = ["Mwinyi", "Njoroge", "Omondi", "Kimaro", "Mushi", "Lema", "Moshi", "Said", "Juma", "Akinyi", "Wafula"]


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        try:
            from faker import Faker

            self.faker: object | None = Faker("sw")
            self.faker.seed_instance(SEED)  # type: ignore[attr-defined]
        except (ImportError, AttributeError):
            self.faker = None

    def first(self, gender: str) -> str:
        if self.faker is not None:
            f = self.faker
            return f.first_name_male() if gender == Gender.MALE else f.first_name_female()  # type: ignore[attr-defined]
        return self.rng.choice(FIRST_MALE if gender == Gender.MALE else FIRST_FEMALE)

    def last(self) -> str:
        return self.faker.last_name() if self.faker is not None else self.rng.choice(LAST)  # type: ignore[attr-defined]


def _village_codes() -> list[str]:
    codes = []
    for districts in COUNTRY.values():
        for municipalities in districts.values():
            for w_code, _name, n_villages in municipalities:
                codes += [f"V{w_code[1:]}{i}" for i in range(1, n_villages + 1)]
    return codes


def _dob(rng: random.Random, min_age: int, max_age: int) -> date:
    return TODAY - timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 + 300))


def _number(rng: random.Random, scheme: NumberScheme) -> str:
    body = str(rng.randint(10 ** (scheme.length - 2), 10 ** (scheme.length - 1) - 1))
    return body + scheme.check_digit(body)


def _household(rng: random.Random, names: _Names) -> list[dict]:
    """People of one household, head first."""
    size = rng.choice([2, 3, 3, 4, 4, 5, 5, 6, 7])
    last = names.last()
    head_gender = rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE])
    head_age = rng.randint(24, 62)
    has_spouse = size >= 2 and rng.random() < 0.8
    head = {
        "last_name": last,
        "gender": head_gender,
        "dob": _dob(rng, head_age, head_age),
        "marital_status": MaritalStatus.MARRIED
        if has_spouse
        else rng.choice([MaritalStatus.SINGLE, MaritalStatus.WIDOWED]),
        "profession": rng.choice([Profession.SELF_EMPLOYED, Profession.EMPLOYEE, Profession.OTHER]),
        "relationship": None,
    }
    people = [head]
    if has_spouse:
        spouse_gender = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
        spouse_age = max(20, head_age + rng.randint(-8, 4))
        people.append(
            {
                "last_name": last,
                "gender": spouse_gender,
                "dob": _dob(rng, spouse_age, spouse_age),
                "marital_status": MaritalStatus.MARRIED,
                "profession": rng.choice([Profession.HOUSEWIFE, Profession.SELF_EMPLOYED]),
                "relationship": Relationship.SPOUSE,
            }
        )
    if len(people) < size and head_age < 45 and rng.random() < 0.3:
        age = min(95, head_age + rng.randint(22, 32))
        people.append(
            {
                "last_name": last,
                "gender": rng.choice([Gender.MALE, Gender.FEMALE]),
                "dob": _dob(rng, age, age),
                "marital_status": MaritalStatus.WIDOWED,
                "profession": Profession.OTHER,
                "relationship": Relationship.PARENT,
            }
        )
    oldest_child = max(0, min(head_age - 18, 22))
    while len(people) < size:
        age = rng.randint(0, oldest_child)
        people.append(
            {
                "last_name": last,
                "gender": rng.choice([Gender.MALE, Gender.FEMALE]),
                "dob": _dob(rng, age, age),
                "marital_status": MaritalStatus.SINGLE,
                "profession": None,
                "relationship": Relationship.CHILD,
            }
        )
    for person in people:
        person["other_names"] = names.first(str(person["gender"]))
    return people


def load(out: IO[str], *, password: str) -> list:
    rng = random.Random(SEED)
    names = _Names(rng)
    scheme = NumberScheme.from_settings()
    villages = {
        v.code: v for v in Location.objects.active().filter(type=LocationType.VILLAGE, code__in=_village_codes())
    }
    created = 0
    for index in range(FAMILY_COUNT):
        code = _village_codes()[index % len(_village_codes())]
        people = _household(rng, names)
        numbers = [_number(rng, scheme) for _ in people]
        poverty = rng.random() < 0.25
        phone = f"+255 7{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        village = villages.get(code)
        if village is None or Insuree.objects.filter(insurance_number__in=numbers).exists():
            continue  # already loaded (or no such village)
        head = Insuree.objects.create(insurance_number=numbers[0], phone=phone, **people[0])
        family = Family.objects.create(
            head=head, village=village, poverty=poverty, family_type=FamilyType.HOUSEHOLD, address=f"{village.name}"
        )
        head.family = family
        head.save(update_fields=["family"])
        Insuree.objects.bulk_create(
            Insuree(insurance_number=number, family=family, **person)
            for number, person in zip(numbers[1:], people[1:], strict=True)
        )
        created += 1
    out.write(f"Demo families: {created} created, {Family.objects.count()} in all.\n")
    return []
