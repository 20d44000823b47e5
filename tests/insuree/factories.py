import itertools
from datetime import date

from django.db import transaction

from insuree.models import Family, Gender, Insuree, Relationship
from insuree.numbers import NumberScheme

_serial = itertools.count(1000)


def valid_number(seed: int | None = None) -> str:
    scheme = NumberScheme.from_settings()
    body = str(10 ** (scheme.length - 2) + (seed if seed is not None else next(_serial)))
    return body + scheme.check_digit(body)


def person(**overrides) -> dict:
    values = {
        "last_name": "Mwangi",
        "other_names": "Amina",
        "gender": Gender.FEMALE,
        "dob": date(1990, 5, 17),
    }
    values.update(overrides)
    return values


def make_family(village, *, members: int = 1, head_name: str = "Juma", last_name: str = "Mwangi") -> Family:
    """A family written directly (head with no family, family, then members), as the service does, in one
    transaction (the head-is-member check runs at commit)."""
    with transaction.atomic():
        return _make_family(village, members=members, head_name=head_name, last_name=last_name)


def _make_family(village, *, members: int, head_name: str, last_name: str) -> Family:
    head = Insuree.objects.create(
        insurance_number=valid_number(), last_name=last_name, other_names=head_name, gender="M", dob=date(1980, 1, 1)
    )
    family = Family.objects.create(head=head, village=village)
    head.family = family
    head.save(update_fields=["family"])
    for i in range(members):
        Insuree.objects.create(
            insurance_number=valid_number(),
            last_name=last_name,
            other_names=f"Child{i}",
            gender="F",
            dob=date(2012, 1, 1 + i),
            family=family,
            relationship=Relationship.CHILD,
        )
    return family
