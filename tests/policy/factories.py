"""Small local factories: medical items and services (plain rows) and products with valid defaults."""

from datetime import date
from decimal import Decimal
from typing import Any

import factory

from medical.models import Item, Service
from policy.models import Product


class ItemFactory(factory.django.DjangoModelFactory[Item]):
    class Meta:
        model = Item

    code = factory.Sequence(lambda n: f"I{n:05d}")
    name = factory.Sequence(lambda n: f"Item {n}")
    price = Decimal("1500.00")
    type = "D"


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    code = factory.Sequence(lambda n: f"S{n:05d}")
    name = factory.Sequence(lambda n: f"Service {n}")
    price = Decimal("10000.00")
    category = "C"
    level = "S"


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    """A product written straight to the table (for reads and scope); services are tested on their own."""

    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    date_from = date(2026, 1, 1)
    date_to = date(2030, 12, 31)


def product_values(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for product_create: a valid national product, then the overrides."""
    values: dict[str, Any] = {
        "code": "FFS1",
        "name": "Fee for service",
        "date_from": date(2026, 1, 1),
        "date_to": date(2026, 12, 31),
        "premium_adult": Decimal("12000"),
        "premium_child": Decimal("6000"),
    }
    values.update(overrides)
    return values
