"""The demo loader itself (other tests never rely on demo data)."""

import io

import pytest
from django.core.management import call_command

from location.models import HealthFacility, HealthFacilityCatchment, Location, LocationType
from openimis.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_loads_the_country_and_a_login_per_role_and_can_run_twice():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    counts = {t: Location.objects.filter(type=t).count() for t in LocationType.values}
    assert counts == {"R": 2, "D": 4, "W": 12, "V": 40}
    assert set(HealthFacility.objects.values_list("level", flat=True)) == {"D", "C", "H"}
    assert HealthFacility.objects.count() == 10
    assert "eo_bahari" in out.getvalue() and "openimis-demo" in out.getvalue()
    before = (Location.objects.count(), HealthFacility.objects.count(), HealthFacilityCatchment.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    after = (Location.objects.count(), HealthFacility.objects.count(), HealthFacilityCatchment.objects.count())
    assert before == after
    eo = User.objects.get(username="eo_bahari")
    assert eo.check_password("openimis-demo")
    assert set(Location.objects.visible_to(eo).filter(type="D").values_list("code", flat=True)) == {"D0101"}
    # each village is in the catchment of exactly one dispensary or health centre
    assert HealthFacilityCatchment.objects.count() == 40
    assert HealthFacilityCatchment.objects.values("village").distinct().count() == 40
