"""Named personas and a small two-region country, built fresh for each test (no demo data)."""

from dataclasses import dataclass

import pytest

from location.models import HealthFacility, Location, LocationType
from openimis.accounts import roles
from openimis.accounts.models import User

from .factories import FacilityFactory, LocationFactory, UserFactory


@dataclass
class Country:
    region_a: Location
    district_a: Location
    municipality_a: Location
    village_a1: Location
    village_a2: Location
    facility_a: HealthFacility
    region_b: Location
    district_b: Location
    municipality_b: Location
    village_b1: Location
    facility_b: HealthFacility


@pytest.fixture
def country(db) -> Country:
    ra = LocationFactory.create(code="RA", name="Region A")
    da = LocationFactory.create(code="DA", name="District A", type=LocationType.DISTRICT, parent=ra)
    ma = LocationFactory.create(code="MA", name="Municipality A", type=LocationType.MUNICIPALITY, parent=da)
    va1 = LocationFactory.create(code="VA1", name="Village A1", type=LocationType.VILLAGE, parent=ma)
    va2 = LocationFactory.create(code="VA2", name="Village A2", type=LocationType.VILLAGE, parent=ma)
    rb = LocationFactory.create(code="RB", name="Region B")
    db_ = LocationFactory.create(code="DB", name="District B", type=LocationType.DISTRICT, parent=rb)
    mb = LocationFactory.create(code="MB", name="Municipality B", type=LocationType.MUNICIPALITY, parent=db_)
    vb1 = LocationFactory.create(code="VB1", name="Village B1", type=LocationType.VILLAGE, parent=mb)
    hfa = FacilityFactory.create(code="HFA", name="Facility A", district=da)
    hfb = FacilityFactory.create(code="HFB", name="Facility B", district=db_)
    for loc in (ra, da, ma, va1, va2, rb, db_, mb, vb1):
        loc.refresh_from_db()
    return Country(ra, da, ma, va1, va2, hfa, rb, db_, mb, vb1, hfb)


@pytest.fixture
def eo_a(country) -> User:
    """Enrolment officer of district A."""
    return UserFactory.create(username="eo_a", role=roles.ENROLMENT_OFFICER, scope=[country.district_a])


@pytest.fixture
def eo_b(country) -> User:
    """Enrolment officer of district B."""
    return UserFactory.create(username="eo_b", role=roles.ENROLMENT_OFFICER, scope=[country.district_b])


@pytest.fixture
def claim_admin(country) -> User:
    """Claim administrator of facility A."""
    return UserFactory.create(username="claim_admin", role=roles.CLAIM_ADMINISTRATOR, scope=[country.facility_a])


@pytest.fixture
def medical_officer(country) -> User:
    return UserFactory.create(username="medical_officer", role=roles.MEDICAL_OFFICER, scope=[country.region_a])


@pytest.fixture
def scheme_admin(country) -> User:
    """Scheme administrator for the whole (test) country."""
    return UserFactory.create(
        username="scheme_admin", role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a, country.region_b]
    )


@pytest.fixture
def sysadmin(country) -> User:
    return UserFactory.create(
        username="sysadmin", role=roles.SYSTEM_ADMINISTRATOR, scope=[country.region_a, country.region_b]
    )


@pytest.fixture
def nobody(country) -> User:
    """An enrolment officer to whom no district has been granted yet."""
    return UserFactory.create(username="nobody", role=roles.ENROLMENT_OFFICER)


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api(db):
    from rest_framework.test import APIClient

    def _api(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _api
