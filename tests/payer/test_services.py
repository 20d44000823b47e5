"""Payer rules: each refusal names the field and the rule, and writes nothing."""

import pytest
from django.db import IntegrityError, connection, transaction

from location.models import LocationType
from location.selectors import covers_whole_country
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from payer import services
from payer.models import Payer, PayerType
from tests.factories import LocationFactory, UserFactory

from .factories import PayerFactory

pytestmark = pytest.mark.django_db


def _create(user, **extra):
    return services.payer_create(user=user, **{"type": PayerType.DONOR, "name": "Health Fund", **extra})


# --- creating ----------------------------------------------------------------------------------------------


def test_create_a_district_payer_with_every_field(scheme_admin, country):
    payer = _create(
        scheme_admin,
        name="  Bahari Co-op  ",
        type=PayerType.COOPERATIVE,
        location=country.district_a,
        address="Fish market",
        phone="+255 754 000 111",
        fax="+255 22 000 111",
        email=" coop@example.org ",
    )
    payer.refresh_from_db()
    assert (payer.name, payer.type, payer.location, payer.email) == (
        "Bahari Co-op",
        "C",
        country.district_a,
        "coop@example.org",
    )
    assert payer.is_active


def test_create_a_regional_payer(scheme_admin, country):
    assert _create(scheme_admin, location=country.region_b).location == country.region_b


@pytest.mark.parametrize("name", ["", "   "])
def test_name_is_required(scheme_admin, country, name):
    with pytest.raises(ApplicationError) as err:
        _create(scheme_admin, name=name, location=country.district_a)
    assert set(err.value.fields) == {"name"}
    assert not Payer.objects.exists()


def test_name_longer_than_100_characters_is_refused(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        _create(scheme_admin, name="x" * 101)
    assert set(err.value.fields) == {"name"}


def test_name_is_unique_among_active_payers_ignoring_case(scheme_admin, country):
    _create(scheme_admin, name="Health Fund")
    with pytest.raises(ApplicationError) as err:
        _create(scheme_admin, name="HEALTH fund", location=country.district_a)
    assert err.value.code == "payer_name_live_unique"
    assert err.value.fields == {"name": ["Another active payer already has this name."]}
    assert Payer.objects.count() == 1


def test_name_is_free_again_once_the_payer_is_deactivated(scheme_admin, country):
    first = _create(scheme_admin, name="Health Fund")
    services.payer_deactivate(user=scheme_admin, payer=first)
    second = _create(scheme_admin, name="Health Fund")
    assert second.pk != first.pk and second.is_active


def test_unknown_type_is_refused(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        _create(scheme_admin, type="X")
    assert set(err.value.fields) == {"type"}


def test_invalid_email_is_refused(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        _create(scheme_admin, email="not-an-address")
    assert set(err.value.fields) == {"email"}
    assert not Payer.objects.exists()


@pytest.mark.parametrize("level", ["municipality_a", "village_a1"])
def test_location_below_district_is_refused(scheme_admin, country, level):
    with pytest.raises(ApplicationError) as err:
        _create(scheme_admin, location=getattr(country, level))
    assert err.value.fields == {"location": ["A payer belongs to a region or a district."]}


def test_database_refuses_a_municipality_even_in_raw_sql(country):
    payer = PayerFactory.create(location=country.district_a)
    with (
        pytest.raises(IntegrityError, match="a payer belongs to a region or a district"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE payer_payer SET location_id = %s WHERE id = %s", [country.municipality_a.pk, payer.pk])


def test_inactive_location_is_refused(scheme_admin, country):
    closed = LocationFactory.create(code="DC", type=LocationType.DISTRICT, parent=country.region_a, is_active=False)
    with pytest.raises(ApplicationError) as err:
        _create(scheme_admin, location=closed)
    assert err.value.fields == {"location": ["This region or district is inactive."]}


def test_location_outside_the_scope_is_refused(admin_of_region_a, country):
    with pytest.raises(ApplicationError) as err:
        _create(admin_of_region_a, location=country.district_b)
    assert err.value.fields == {"location": ["This region or district is outside your scope."]}
    assert not Payer.objects.exists()


def test_region_above_a_district_scope_is_refused(admin_of_district_a, country):
    with pytest.raises(ApplicationError) as err:
        _create(admin_of_district_a, location=country.region_a)
    assert set(err.value.fields) == {"location"}
    assert _create(admin_of_district_a, location=country.district_a).location == country.district_a


def test_national_payer_needs_national_scope(admin_of_region_a, country):
    with pytest.raises(ApplicationError) as err:
        _create(admin_of_region_a, location=None)
    assert err.value.code == "payer_national_scope"
    assert set(err.value.fields) == {"location"}
    assert not Payer.objects.exists()


def test_national_payer_by_staff_covering_every_region_or_a_superuser(scheme_admin, country):
    assert _create(scheme_admin, name="Ministry of Health").location is None
    root = UserFactory.create(is_superuser=True)
    assert _create(root, name="National Donor").location is None


def test_national_scope_is_lost_when_a_new_region_is_outside_it(scheme_admin, country):
    assert covers_whole_country(scheme_admin)
    LocationFactory.create(code="RN", name="North")
    assert not covers_whole_country(scheme_admin)


def test_user_with_no_scope_has_no_national_scope(nobody):
    assert not covers_whole_country(nobody)


def test_enrolment_officer_may_not_create(eo_a, country):
    with pytest.raises(PermissionDeniedError):
        _create(eo_a, location=country.district_a)
    assert not Payer.objects.exists()


# --- changing ----------------------------------------------------------------------------------------------


def test_update_changes_only_the_given_fields(scheme_admin, payers, country):
    payer = services.payer_update(
        user=scheme_admin, payer=payers.district_a, name="District A Fishers", location=country.region_a
    )
    payer.refresh_from_db()
    assert (payer.name, payer.location, payer.type) == ("District A Fishers", country.region_a, PayerType.COOPERATIVE)


def test_update_to_national_needs_national_scope(admin_of_region_a, payers):
    with pytest.raises(ApplicationError) as err:
        services.payer_update(user=admin_of_region_a, payer=payers.district_a, location=None)
    assert set(err.value.fields) == {"location"}
    payers.district_a.refresh_from_db()
    assert payers.district_a.location is not None


def test_refused_update_leaves_the_object_as_stored(scheme_admin, payers):
    with pytest.raises(ApplicationError) as err:
        services.payer_update(user=scheme_admin, payer=payers.district_a, name=payers.national.name.upper())
    assert set(err.value.fields) == {"name"}
    assert payers.district_a.name == "District A Co-op"


def test_update_refuses_unknown_fields(scheme_admin, payers):
    with pytest.raises(ApplicationError, match="is_active"):
        services.payer_update(user=scheme_admin, payer=payers.district_a, is_active=False)


def test_update_of_invalid_email_is_refused(scheme_admin, payers):
    with pytest.raises(ApplicationError) as err:
        services.payer_update(user=scheme_admin, payer=payers.district_a, email="a@")
    assert set(err.value.fields) == {"email"}


def test_payers_managed_above_the_scope_are_read_only(admin_of_district_a, admin_of_region_a, payers):
    for user, payer in [
        (admin_of_district_a, payers.region_a),
        (admin_of_district_a, payers.national),
        (admin_of_region_a, payers.national),
    ]:
        with pytest.raises(PermissionDeniedError):
            services.payer_update(user=user, payer=payer, phone="1")
        with pytest.raises(PermissionDeniedError):
            services.payer_deactivate(user=user, payer=payer)
    assert services.payer_update(user=admin_of_district_a, payer=payers.district_a, phone="1").phone == "1"


def test_enrolment_officer_may_not_change_or_deactivate(eo_a, payers):
    with pytest.raises(PermissionDeniedError):
        services.payer_update(user=eo_a, payer=payers.district_a, name="X")
    with pytest.raises(PermissionDeniedError):
        services.payer_deactivate(user=eo_a, payer=payers.district_a)
    payers.district_a.refresh_from_db()
    assert payers.district_a.is_active and payers.district_a.name == "District A Co-op"


# --- deactivating ------------------------------------------------------------------------------------------


def test_deactivate_then_no_more_changes(scheme_admin, payers):
    payer = services.payer_deactivate(user=scheme_admin, payer=payers.district_a)
    assert not Payer.objects.get(pk=payer.pk).is_active
    with pytest.raises(ApplicationError) as err:
        services.payer_deactivate(user=scheme_admin, payer=payer)
    assert err.value.code == "payer_inactive"
    with pytest.raises(ApplicationError) as err:
        services.payer_update(user=scheme_admin, payer=payer, name="Back")
    assert err.value.code == "payer_inactive"
