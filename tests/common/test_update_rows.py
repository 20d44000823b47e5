"""`update_rows`: the set-wise UPDATE ... FROM (VALUES ...) writes exactly the fields named, of exactly the rows
given, with every column type the claims use (integers, decimals, text, foreign keys, NULL), in batches, and the
history triggers record each change."""

from decimal import Decimal

import pytest
from pghistory.models import Events

from location.models import HealthFacility
from openimis.common.db import update_rows
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def test_writes_the_named_fields_of_the_given_rows_in_batches(country):
    facilities = [
        FacilityFactory.create(code=f"U{n}", name=f"Facility {n}", district=country.district_a) for n in range(5)
    ]
    untouched = facilities.pop()
    for n, facility in enumerate(facilities):
        facility.name = f"Renamed {n}"
        facility.phone = "" if n % 2 else f"+255 700 00{n}"
        facility.district = country.district_b if n < 2 else country.district_a
        facility.email = "changed@example.org"  # not among the fields named: not written
    assert update_rows(HealthFacility, facilities, ["name", "phone", "district"], batch=2) == 4
    rows = {
        f.code: (f.name, f.phone, f.district_id, f.email) for f in HealthFacility.objects.filter(code__startswith="U")
    }
    assert rows["U0"] == ("Renamed 0", "+255 700 000", country.district_b.pk, untouched.email)
    assert rows["U1"] == ("Renamed 1", "", country.district_b.pk, untouched.email)
    assert rows["U3"] == ("Renamed 3", "", country.district_a.pk, untouched.email)
    assert rows["U4"] == ("Facility 4", untouched.phone, country.district_a.pk, untouched.email)
    assert Events.objects.tracks(facilities[0]).filter(pgh_label="update").count() == 1
    assert update_rows(HealthFacility, [], ["name"]) == 0


def test_decimals_integers_booleans_and_nulls(db):
    from medical.models import Item, Service
    from tests.policy.factories import ItemFactory, ServiceFactory

    items = [ItemFactory.create(code=f"D{n}", price=Decimal("10.00")) for n in range(3)]
    items[0].price, items[0].maximum_amount, items[0].frequency = Decimal("1234.56"), None, 30
    items[1].price, items[1].maximum_amount, items[1].frequency = Decimal("0.05"), Decimal("7.50"), None
    update_rows(Item, items[:2], ["price", "maximum_amount", "frequency"])
    assert list(
        Item.objects.filter(code__startswith="D").order_by("code").values_list("price", "maximum_amount", "frequency")
    ) == [
        (Decimal("1234.56"), None, 30),
        (Decimal("0.05"), Decimal("7.50"), None),
        (Decimal("10.00"), items[2].maximum_amount, items[2].frequency),
    ]
    service = ServiceFactory.create(code="B1")
    service.manual_price = not service.manual_price
    update_rows(Service, [service], ["manual_price"])
    assert Service.objects.get(code="B1").manual_price is service.manual_price
