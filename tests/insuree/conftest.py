from dataclasses import dataclass

import pytest

from insuree.models import Family
from openimis.accounts import roles
from tests.factories import UserFactory

from .factories import make_family


@dataclass
class Families:
    a: Family
    b: Family


@pytest.fixture
def families(country) -> Families:
    return Families(
        a=make_family(country.village_a1, members=2, head_name="Athumani", last_name="Akinyi"),
        b=make_family(country.village_b1, members=1, head_name="Bakari", last_name="Barasa"),
    )


@pytest.fixture
def receptionist(country):
    return UserFactory.create(username="reception", role=roles.RECEPTIONIST, scope=[country.facility_a])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
