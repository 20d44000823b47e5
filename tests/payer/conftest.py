"""Payers at every level of the test country, and administrators scoped below the whole country."""

from dataclasses import dataclass

import pytest

from openimis.accounts import roles
from openimis.accounts.models import User
from payer.models import Payer, PayerType
from tests.factories import UserFactory

from .factories import PayerFactory


@dataclass
class Payers:
    national: Payer
    region_a: Payer
    district_a: Payer
    region_b: Payer
    district_b: Payer


@pytest.fixture
def payers(country) -> Payers:
    return Payers(
        national=PayerFactory.create(name="Ministry of Health", type=PayerType.GOVERNMENT),
        region_a=PayerFactory.create(
            name="Region A Council", type=PayerType.LOCAL_AUTHORITY, location=country.region_a
        ),
        district_a=PayerFactory.create(
            name="District A Co-op", type=PayerType.COOPERATIVE, location=country.district_a
        ),
        region_b=PayerFactory.create(
            name="Region B Council", type=PayerType.LOCAL_AUTHORITY, location=country.region_b
        ),
        district_b=PayerFactory.create(
            name="District B Co-op", type=PayerType.COOPERATIVE, location=country.district_b
        ),
    )


@pytest.fixture
def admin_of_region_a(country) -> User:
    """A scheme administrator whose scope is region A only: not national."""
    return UserFactory.create(username="admin_ra", role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])


@pytest.fixture
def admin_of_district_a(country) -> User:
    return UserFactory.create(username="admin_da", role=roles.SCHEME_ADMINISTRATOR, scope=[country.district_a])
