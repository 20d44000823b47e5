"""The synthetic data generator: counts, valid unique numbers, heads that are members, history recorded."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from insuree.management.commands.generate_insurees import number_bodies
from insuree.models import Family, Insuree
from insuree.numbers import NumberScheme

from .test_duplicates import make_family

pytestmark = pytest.mark.django_db


def _generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_insurees", stdout=out, **options)
    with connection.cursor() as cursor:  # run the deferred checks (head is a member, foreign keys) now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return out.getvalue()


def test_generates_the_requested_counts_with_valid_unique_numbers(country):
    existing = make_family(country.village_a1, {"last_name": "Already", "other_names": "Here"})[0]
    output = _generate(families=40, members=4, seed=3, chunk=15)
    assert "Created 40 families with 160 insurees" in output
    assert Family.objects.count() == 41 and Insuree.objects.count() == 161
    scheme = NumberScheme.from_settings()
    numbers = list(Insuree.objects.values_list("insurance_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(scheme.problem(n) is None for n in numbers)
    assert existing.insurance_number in numbers


def test_heads_are_members_and_families_are_in_active_villages(country):
    _generate(families=25, seed=1)
    assert not Family.objects.exclude(head__family=F("pk")).exists()
    villages = {country.village_a1.pk, country.village_a2.pk, country.village_b1.pk}
    assert set(Family.objects.values_list("village_id", flat=True)) <= villages
    sizes = Family.objects.annotate(n=Count("members")).values_list("n", flat=True)
    assert min(sizes) >= 1 and sum(sizes) == 100
    heads = Insuree.objects.filter(headed_family__isnull=False)
    assert all(h.relationship is None for h in heads)
    assert all(h.dob.year <= 2008 for h in heads)  # heads are adults
    assert not Insuree.objects.exclude(gender__in=["M", "F"]).exists()


def test_same_seed_same_people_and_history_is_recorded(country):
    _generate(families=5, seed=7)
    first = sorted(Insuree.objects.values_list("last_name", "other_names", "dob"))
    Insuree.objects.update(family=None)  # detach, then remove the families and people
    Family.objects.all().delete()
    Insuree.objects.all().delete()
    _generate(families=5, seed=7)
    assert sorted(Insuree.objects.values_list("last_name", "other_names", "dob")) == first
    events = apps.get_model("insuree", "InsureeEvent").objects.filter(pgh_label="insert")
    assert events.filter(pgh_context__metadata__command="generate_insurees").count() == 40


def test_needs_a_village(db):
    with pytest.raises(CommandError):
        call_command("generate_insurees", families=1, stdout=io.StringIO())


def test_number_bodies_continue_after_the_largest_or_fill_gaps():
    scheme = NumberScheme(length=4, modulo=10)
    after = number_bodies(scheme, 3, ["1000" + "", "5009"])
    assert [n[:-1] for n in after] == ["501", "502", "503"]
    assert all(scheme.problem(n) is None for n in after)
    full = [f"{b}{scheme.check_digit(str(b))}" for b in (998, 999)]
    gaps = number_bodies(scheme, 2, full)
    assert [n[:-1] for n in gaps] == ["100", "101"]
