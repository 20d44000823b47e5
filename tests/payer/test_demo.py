"""The payer demo loader, run on its own over locations made with factories (no other app's demo)."""

import io

import pytest
from pghistory.models import Events

from location.models import LocationType
from payer import demo
from payer.models import Payer
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_places():
    r01 = LocationFactory.create(code="R01", name="Ziwani")
    LocationFactory.create(code="D0101", name="Bahari", type=LocationType.DISTRICT, parent=r01)
    LocationFactory.create(code="R02", name="Milimani")


def test_demo_loads_four_payers_and_can_run_twice(demo_places):
    out = io.StringIO()
    assert demo.load(out, password="irrelevant") == []
    assert "4 active payers" in out.getvalue()
    payers = {p.name: p for p in Payer.objects.select_related("location")}
    assert len(payers) == 4
    levels = {(p.type, p.location.code if p.location else None) for p in payers.values()}
    assert levels == {("G", None), ("D", None), ("C", "D0101"), ("L", "R02")}
    assert all(p.is_active and p.email and p.phone for p in payers.values())

    stamps = dict(Payer.objects.values_list("pk", "updated_at"))
    events = Events.objects.count()
    assert demo.load(io.StringIO(), password="irrelevant") == []
    assert Payer.objects.count() == 4
    assert dict(Payer.objects.values_list("pk", "updated_at")) == stamps  # nothing written
    assert Events.objects.count() == events


def test_demo_restores_an_edited_demo_payer(demo_places):
    demo.load(io.StringIO(), password="x")
    Payer.objects.filter(name="Ministry of Health").update(phone="0")
    demo.load(io.StringIO(), password="x")
    assert Payer.objects.get(name="Ministry of Health").phone == "+255 22 212 0261"
    assert Payer.objects.count() == 4
