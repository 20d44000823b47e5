import factory
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from location.models import HealthFacility, Location, LocationType
from openimis.accounts.models import User

PASSWORD = "correct-horse-battery"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    type = LocationType.REGION
    code = factory.Sequence(lambda n: f"L{n:05d}")
    name = factory.Faker("city")
    parent = None


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthFacility

    code = factory.Sequence(lambda n: f"HF{n:04d}")
    name = factory.Faker("company")
    legal_form = "G"
    level = "D"
    care_type = "B"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()

    @factory.post_generation
    def scope(self, create, extracted, **kwargs):
        for target in extracted or []:
            if isinstance(target, HealthFacility):
                assign_perm("location.scope_healthfacility", self, target)
            else:
                assign_perm("location.scope_location", self, target)
