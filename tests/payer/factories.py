import factory

from payer.models import Payer, PayerType


class PayerFactory(factory.django.DjangoModelFactory[Payer]):
    class Meta:
        model = Payer

    type = PayerType.DONOR
    name = factory.Sequence(lambda n: f"Payer {n:03d}")
    location = None
