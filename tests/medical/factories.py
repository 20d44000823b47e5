from datetime import date
from decimal import Decimal

import factory

from medical.models import Diagnosis, Item, ItemPriceList, Service, ServicePriceList


class ItemFactory(factory.django.DjangoModelFactory[Item]):
    class Meta:
        model = Item

    code = factory.Sequence(lambda n: f"I{n:04d}")
    name = factory.Sequence(lambda n: f"Paracetamol 500 mg tablets ({n})")
    type = "D"
    package = "Box of 100"
    price = Decimal("1500.00")


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"Consultation ({n})")
    type = "C"
    category = "C"
    price = Decimal("5000.00")


class DiagnosisFactory(factory.django.DjangoModelFactory[Diagnosis]):
    class Meta:
        model = Diagnosis

    code = factory.Sequence(lambda n: f"Z{n:02d}.{n % 10}")
    name = factory.Sequence(lambda n: f"Diagnosis {n}")


class ItemPriceListFactory(factory.django.DjangoModelFactory[ItemPriceList]):
    class Meta:
        model = ItemPriceList

    name = factory.Sequence(lambda n: f"Items list {n}")
    date_from = date(2026, 1, 1)
    location = None


class ServicePriceListFactory(factory.django.DjangoModelFactory[ServicePriceList]):
    class Meta:
        model = ServicePriceList

    name = factory.Sequence(lambda n: f"Services list {n}")
    date_from = date(2026, 1, 1)
    location = None
