import factory
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from location.models import HealthFacility, Location, LocationType
from openimis.accounts.models import User

PASSWORD = "correct-horse-battery"


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location

    type = LocationType.REGION
    code = factory.Sequence(lambda n: f"L{n:05d}")
    name = factory.Faker("city")
    parent = None


class FacilityFactory(factory.django.DjangoModelFactory[HealthFacility]):
    class Meta:
        model = HealthFacility

    code = factory.Sequence(lambda n: f"HF{n:04d}")
    name = factory.Faker("company")
    legal_form = "G"
    level = "D"
    care_type = "B"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(obj: User, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the built object
        if extracted:
            obj.groups.add(Group.objects.get(name=extracted))
        obj.save()

    @factory.post_generation
    def scope(obj: User, create, extracted, **kwargs):  # noqa: N805
        for target in extracted or []:
            if isinstance(target, HealthFacility):
                assign_perm("location.scope_healthfacility", obj, target)
            else:
                assign_perm("location.scope_location", obj, target)
