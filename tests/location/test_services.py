"""Location and facility rules: each refusal names the field and the rule, and writes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from location import services
from location.models import HealthFacility, HealthFacilityCatchment, Location, LocationType
from openimis.common.exceptions import ApplicationError, PermissionDeniedError

pytestmark = pytest.mark.django_db


def test_create_location_tree_sets_paths(scheme_admin, country):
    w = services.location_create(user=scheme_admin, type="W", code="MA2", name="Muni", parent=country.district_a)
    v = services.location_create(user=scheme_admin, type="V", code="VA9", name="Vil", parent=w, male_population=10)
    assert v.path == f"{country.region_a.pk}.{country.district_a.pk}.{w.pk}.{v.pk}."
    assert v.population == 10


def test_duplicate_code_is_refused_on_the_code_field(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        services.location_create(user=scheme_admin, type="V", code="VA1", name="Again", parent=country.municipality_a)
    assert err.value.fields == {"code": ["Another active location already has this code."]}
    assert Location.objects.filter(code="VA1").count() == 1


def test_code_is_free_again_once_the_location_is_inactive(scheme_admin, country):
    country.facility_a.status = "IN"
    country.facility_a.save()
    services.location_deactivate(user=scheme_admin, location=country.village_a1)
    again = services.location_create(user=scheme_admin, type="V", code="VA1", name="New", parent=country.municipality_a)
    assert again.is_active


def test_village_needs_a_municipality_parent(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        services.location_create(user=scheme_admin, type="V", code="VX", name="X", parent=country.district_a)
    assert "parent" in err.value.fields
    assert "municipality" in err.value.fields["parent"][0]
    with pytest.raises(ApplicationError) as err:
        services.location_create(user=scheme_admin, type="V", code="VX", name="X")
    assert "parent" in err.value.fields
    assert not Location.objects.filter(code="VX").exists()


def test_database_refuses_wrong_parent_type_even_in_raw_sql(country):
    with (
        pytest.raises(IntegrityError, match="cannot be placed under"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE location_location SET parent_id = %s WHERE id = %s",
            [country.region_b.pk, country.village_a1.pk],
        )


def test_move_keeps_types_and_rewrites_the_subtree(scheme_admin, country):
    services.location_move(user=scheme_admin, location=country.municipality_a, new_parent=country.district_b)
    country.village_a1.refresh_from_db()
    assert country.village_a1.path.startswith(country.district_b.path)
    assert set(Location.objects.subtree_of(country.district_b).values_list("code", flat=True)) == {
        "DB",
        "MB",
        "VB1",
        "MA",
        "VA1",
        "VA2",
    }


def test_move_under_own_descendant_is_refused(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        services.location_move(user=scheme_admin, location=country.district_a, new_parent=country.municipality_a)
    assert "descendants" in err.value.fields["parent"][0]


def test_move_to_wrong_level_is_refused(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        services.location_move(user=scheme_admin, location=country.village_a1, new_parent=country.district_b)
    assert "parent" in err.value.fields
    country.village_a1.refresh_from_db()
    assert country.village_a1.parent == country.municipality_a


def test_deactivate_refused_while_active_facility_inside(scheme_admin, country):
    with pytest.raises(ApplicationError, match="1 active health facility is in this area"):
        services.location_deactivate(user=scheme_admin, location=country.district_a)
    assert Location.objects.get(code="VA1").is_active


def test_deactivate_takes_the_subtree(scheme_admin, country):
    country.facility_b.status = "IN"
    country.facility_b.save()
    assert services.location_deactivate(user=scheme_admin, location=country.district_b) == 3
    assert not Location.objects.filter(code__in=["DB", "MB", "VB1"], is_active=True).exists()


def test_enrolment_officer_may_not_create_locations(eo_a, country):
    with pytest.raises(PermissionDeniedError):
        services.location_create(user=eo_a, type="V", code="VX", name="X", parent=country.municipality_a)


def test_region_level_needs_top_level_permission(country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    clerkish = UserFactory.create(role=roles.CLERK, scope=[country.district_a])
    with pytest.raises(PermissionDeniedError):
        services.location_create(user=clerkish, type="R", code="RX", name="X")


def _facility_data(district: Location, **extra):
    return {"code": "HFN", "name": "New", "legal_form": "G", "level": "C", "district": district, **extra}


def test_facility_outside_any_district_is_refused(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        services.facility_create(user=scheme_admin, **_facility_data(country.municipality_a))
    assert err.value.fields == {"district": ["A health facility must belong to a district."]}
    assert not HealthFacility.objects.filter(code="HFN").exists()


def test_facility_contract_end_before_start_is_refused(scheme_admin, country):
    data = _facility_data(country.district_a, contract_start_date=date(2026, 5, 1), contract_end_date=date(2026, 4, 1))
    with pytest.raises(ApplicationError) as err:
        services.facility_create(user=scheme_admin, **data)
    assert err.value.fields == {"contract_end_date": ["The contract must end after it starts."]}
    data = _facility_data(country.district_a, contract_start_date=date(2026, 5, 1))
    with pytest.raises(ApplicationError) as err:
        services.facility_create(user=scheme_admin, **data)
    assert "contract_end_date" in err.value.fields


def test_facility_duplicate_code_is_refused(scheme_admin, country):
    with pytest.raises(ApplicationError) as err:
        services.facility_create(user=scheme_admin, **_facility_data(country.district_a, code="HFA"))
    assert err.value.fields == {"code": ["Another health facility already has this code."]}


def test_facility_in_district_out_of_scope_is_refused(country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    admin_a = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])
    with pytest.raises(ApplicationError) as err:
        services.facility_create(user=admin_a, **_facility_data(country.district_b))
    assert "district" in err.value.fields


def test_facility_catchments_are_villages_with_percentages(scheme_admin, country):
    rows = [
        services.CatchmentRow(country.village_a1, Decimal("60")),
        services.CatchmentRow(country.village_a2, Decimal("100")),
    ]
    facility = services.facility_create(user=scheme_admin, catchments=rows, **_facility_data(country.district_a))
    assert HealthFacilityCatchment.objects.filter(facility=facility).count() == 2
    with pytest.raises(ApplicationError) as err:
        services.facility_update(
            user=scheme_admin, facility=facility, catchments=[services.CatchmentRow(country.village_a1, Decimal("120"))]
        )
    assert "catchments" in err.value.fields
    with pytest.raises(ApplicationError):
        services.facility_update(
            user=scheme_admin,
            facility=facility,
            catchments=[services.CatchmentRow(country.municipality_a, Decimal("50"))],
        )
    assert HealthFacilityCatchment.objects.filter(facility=facility).count() == 2


def test_region_created_by_regional_admin_is_granted_to_them(country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    admin_a = UserFactory.create(role=roles.SYSTEM_ADMINISTRATOR, scope=[country.region_a])
    region = services.location_create(user=admin_a, type=LocationType.REGION, code="RN", name="North")
    assert Location.objects.visible_to(admin_a).filter(pk=region.pk).exists()
