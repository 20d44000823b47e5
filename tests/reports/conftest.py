import pytest

from openimis.accounts import roles
from tests.factories import UserFactory


@pytest.fixture
def manager_a(country):
    """Manager of district A."""
    return UserFactory.create(username="manager_a", role=roles.MANAGER, scope=[country.district_a])


@pytest.fixture
def accountant(country):
    """Accountant of regions A and B (the whole test country)."""
    return UserFactory.create(username="accountant", role=roles.ACCOUNTANT, scope=[country.region_a, country.region_b])
