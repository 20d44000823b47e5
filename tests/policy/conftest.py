"""Policies for the service, page and API tests: products and families written straight to the tables."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from insuree.models import Family
from policy.models import Product
from tests.insuree.factories import make_family
from tests.policy.factories import ProductFactory

# Dates of the tests are in the past (an enrolment date cannot be in the future) and in the products' validity.
ENROL = date(2026, 3, 10)


@dataclass
class Sale:
    product: Product
    family: Family  # head (adult, born 1980) + 2 children, in village A1
    family_b: Family  # a family of district B


@pytest.fixture
def sale(country) -> Sale:
    product = ProductFactory.create(
        code="BASIC",
        name="Basic cover",
        lump_sum=Decimal("30000.00"),
        threshold=3,
        premium_adult=Decimal("10000.00"),
        premium_child=Decimal("5000.00"),
        insurance_period=12,
        date_from=date(2026, 1, 1),
        date_to=date(2030, 12, 31),
    )
    return Sale(
        product=product,
        family=make_family(country.village_a1, members=2),
        family_b=make_family(country.village_b1, members=0, head_name="Baraka", last_name="Otieno"),
    )
