"""Personas of the medical tests, on top of tests/conftest.py (no demo data)."""

import pytest

from openimis.accounts import roles
from openimis.accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def admin_a(country) -> User:
    """A scheme administrator whose scope is district A only."""
    return UserFactory.create(username="admin_a", role=roles.SCHEME_ADMINISTRATOR, scope=[country.district_a])


@pytest.fixture
def admin_b(country) -> User:
    """A scheme administrator whose scope is district B only."""
    return UserFactory.create(username="admin_b", role=roles.SCHEME_ADMINISTRATOR, scope=[country.district_b])
