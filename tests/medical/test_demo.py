"""The medical demo loader itself (no other test relies on demo data)."""

import io
import time

import pytest
from pghistory.models import Events

from location import demo as location_demo
from medical import demo
from medical.models import (
    Diagnosis,
    FacilityPriceLists,
    Item,
    ItemPriceList,
    ItemPriceListEntry,
    Service,
    ServicePriceList,
    ServicePriceListEntry,
)

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Item.objects.count(),
        Service.objects.count(),
        Diagnosis.objects.count(),
        ItemPriceList.objects.count(),
        ServicePriceList.objects.count(),
        ItemPriceListEntry.objects.count(),
        ServicePriceListEntry.objects.count(),
        FacilityPriceLists.objects.count(),
        Events.objects.count(),
    )


def test_demo_catalogue_price_lists_and_icd10_load_fast_and_twice_change_nothing():
    location_demo.load(io.StringIO(), password="openimis-demo")
    started = time.perf_counter()
    assert demo.load(io.StringIO(), password="openimis-demo") == []
    elapsed = time.perf_counter() - started
    assert Item.objects.filter(is_active=True).count() >= 150
    assert Service.objects.filter(is_active=True).count() >= 80
    assert Diagnosis.objects.filter(is_active=True).count() > 10_000
    assert Diagnosis.objects.filter(code__in=["A00", "A00.0", "B50.9", "O80"]).count() == 4
    assert not Diagnosis.objects.filter(code__contains="-").exists()  # no blocks ("A00-A09") nor chapters
    assert Item.objects.get(code="AMX250").name == "Amoxicillin 250 mg capsules"
    assert elapsed < 6, f"the demo catalogue took {elapsed:.1f} s"
    # every demo facility uses the items and services price list of its level
    assert FacilityPriceLists.objects.count() == 10
    hospital = FacilityPriceLists.objects.select_related("facility", "items_price_list").get(facility__code="HF0101")
    assert hospital.items_price_list.name == "Hospital items 2026"
    dispensary_items = ItemPriceList.objects.get(name="Dispensary items 2026").entries.count()
    assert 0 < dispensary_items < hospital.items_price_list.entries.count() == Item.objects.count()

    before = _counts()
    demo.load(io.StringIO(), password="openimis-demo")
    assert _counts() == before
