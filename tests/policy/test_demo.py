"""The products demo loader (other tests never rely on demo data)."""

import io
from decimal import Decimal

import pytest

from location import demo as location_demo
from policy import demo
from policy.models import Product, RelativeDistribution

from .factories import ItemFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _catalogue():
    for n in range(20):
        ItemFactory.create(code=f"D{n:03d}", type="D" if n % 4 else "M", price=Decimal(800 + 500 * n))
    for n, (category, level) in enumerate(
        [("C", "S"), ("C", "V"), ("S", "S"), ("D", "S"), ("A", "S"), ("H", "D"), ("H", "H"), ("O", "S"), ("S", "H")] * 2
    ):
        ServiceFactory.create(code=f"S{n:03d}", category=category, level=level, price=Decimal(5000 + 1000 * n))


def test_three_products_idempotent_and_robust_to_an_empty_catalogue():
    location_demo.load(io.StringIO(), password="demo-password-1")
    assert demo.load(io.StringIO(), password="x") == []
    assert set(Product.objects.values_list("code", flat=True)) == {"BASIC", "HOSP-R", "CAP-R01"}
    assert not Product.objects.get(code="BASIC").items.exists()  # no catalogue yet: no lines

    _catalogue()
    out = io.StringIO()
    demo.load(out, password="x")
    basic, hosp, cap = (Product.objects.get(code=c) for c in ("BASIC", "HOSP-R", "CAP-R01"))
    assert basic.location is None and basic.items.count() == 14 and basic.services.count() == 14
    assert basic.items.filter(limitation_type="C", limit_adult=80).exists()
    assert basic.services.filter(limitation_type="F", limitation_type_r="F").exists()
    assert set(hosp.services.values_list("price_origin", flat=True)) == {"R"}
    for care in ("I", "O"):
        percents = RelativeDistribution.objects.filter(product=hosp, care_type=care).values_list("percent", flat=True)
        assert len(percents) == 12 and sum(percents) == 100
    assert cap.location.code == "R01" and cap.uses_capitation and cap.conversion_product == basic
    weights = [cap.weight_population, cap.weight_nb_families, cap.weight_insured_population]
    weights += [cap.weight_nb_insured_families, cap.weight_nb_visits, cap.weight_adjusted_amount]
    assert sum(weights) == 100

    counts = (basic.items.count(), basic.services.count(), hosp.services.count(), cap.services.count())
    demo.load(io.StringIO(), password="x")
    assert (basic.items.count(), basic.services.count(), hosp.services.count(), cap.services.count()) == counts
    assert Product.objects.count() == 3


def test_demo_policies_in_every_state_and_idempotent():
    from insuree import demo as insuree_demo
    from policy.models import Policy, PolicyRenewal, PolicyStatus

    location_demo.load(io.StringIO(), password="demo-password-1")
    insuree_demo.load(io.StringIO(), password="x")
    out = io.StringIO()
    demo.load(out, password="x")
    assert "Policies:" in out.getvalue()
    statuses = set(Policy.objects.values_list("status", flat=True))
    assert {PolicyStatus.ACTIVE, PolicyStatus.IDLE, PolicyStatus.EXPIRED} <= statuses
    assert Policy.objects.filter(stage="R").exists()
    assert PolicyRenewal.objects.exists()  # policies expiring within two weeks
    before = Policy.objects.count()
    demo.load(io.StringIO(), password="x")
    assert Policy.objects.count() == before
