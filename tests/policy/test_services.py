"""Product services: every refusal names the field and the rule and writes nothing; copy, close, delete guard."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from openimis.accounts import roles
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from policy import services
from policy.exceptions import ProductError, ProductInUseError
from policy.models import Product, ProductItem, ProductService, RelativeDistribution
from tests.factories import UserFactory

from .factories import ItemFactory, ProductFactory, ServiceFactory, product_values

pytestmark = pytest.mark.django_db
D = Decimal
MONTHS_100 = [D(8)] * 8 + [D(9)] * 4


def refused(user, field, **overrides):
    """Creating a product with these values is refused on `field`, and nothing is written."""
    before = (Product.objects.count(), RelativeDistribution.objects.count())
    with pytest.raises(ApplicationError) as err:
        services.product_create(user=user, **product_values(**overrides))
    assert field in err.value.fields, err.value.fields
    assert (Product.objects.count(), RelativeDistribution.objects.count()) == before
    return err.value.fields[field][0]


def test_create_a_complete_product(scheme_admin, country):
    product = services.product_create(
        user=scheme_admin,
        distribution={"I": MONTHS_100, "O": [D(25)] * 4},
        **product_values(
            location=country.region_a,
            start_cycle_1="1-1",
            start_cycle_2="01-07",
            grace_period_enrolment=1,
            lump_sum=D(50000),
            threshold=5,
            max_members=8,
            ceiling_type="P",
            ded_policy=D(1000),
            max_ip_policy=D(500000),
            max_op_policy=D(100000),
            max_policy_extra_member_ip=D(50000),
            max_ceiling_policy_ip=D(800000),
            period_rel_prices_ip="M",
            period_rel_prices_op="Q",
            share_contribution=D(30),
            capitation_level_1="D",
            capitation_sublevel_1="N",
            weight_population=D(50),
            weight_nb_visits=D(50),
        ),
    )
    product.refresh_from_db()
    assert product.start_cycles == ["01-01", "01-07"]
    assert product.relative_periods == {"I": "M", "O": "Q"}
    rows = list(product.distribution.values_list("care_type", "period_type", "period", "percent"))
    assert len(rows) == 16 and ("O", 4, 4, D(25)) in rows and ("I", 12, 12, D(9)) in rows


# --- the refusals the brief names ----------------------------------------------------------------------------


def test_start_cycle_that_is_not_a_date(scheme_admin, country):
    assert "that month has 28 days" in refused(scheme_admin, "start_cycle_1", start_cycle_1="31-02")
    refused(scheme_admin, "start_cycle_2", start_cycle_1="01-01", start_cycle_2="32-07")


def test_distribution_not_adding_up_to_100(scheme_admin, country):
    message = refused(scheme_admin, "distribution_I", period_rel_prices_ip="M", distribution={"I": [D(8)] * 12})
    assert message == "The percentages must add up to 100; they add up to 96."


@pytest.mark.parametrize("field", ["premium_adult", "premium_child", "lump_sum", "registration_fee"])
def test_negative_premiums_and_fees(scheme_admin, country, field):
    assert "cannot be negative" in refused(scheme_admin, field, **{field: D(-1)})


@pytest.mark.parametrize("field", ["max_policy", "max_ip_policy", "ded_op_policy", "max_ceiling_policy"])
def test_negative_ceilings_and_deductibles(scheme_admin, country, field):
    extra = {"max_policy": D(10)} if field == "max_ceiling_policy" else {}
    assert "cannot be negative" in refused(scheme_admin, field, ceiling_type="P", **{**extra, field: D(-1)})


def test_deductible_above_its_ceiling(scheme_admin, country):
    message = refused(scheme_admin, "ded_insuree", ceiling_type="I", ded_insuree=D(5000), max_insuree=D(1000))
    assert "above its ceiling" in message


def test_general_and_split_ceilings_both_given(scheme_admin, country):
    refused(scheme_admin, "max_ip_treatment", ceiling_type="T", max_treatment=D(100), max_ip_treatment=D(50))
    refused(scheme_admin, "ded_op_treatment", ceiling_type="T", ded_treatment=D(10), ded_op_treatment=D(5))


def test_amounts_of_another_ceiling_type(scheme_admin, country):
    refused(scheme_admin, "max_policy", ceiling_type="T", max_policy=D(100))
    refused(scheme_admin, "ceiling_type", max_insuree=D(100))


def test_threshold_without_lump_sum(scheme_admin, country):
    assert "needs a lump sum" in refused(scheme_admin, "threshold", threshold=4)


def test_date_to_before_date_from(scheme_admin, country):
    refused(scheme_admin, "date_to", date_from=date(2026, 6, 1), date_to=date(2026, 5, 31))


def test_location_must_be_a_region_or_district(scheme_admin, country):
    assert "not to a village" in refused(scheme_admin, "location", location=country.village_a1)
    refused(scheme_admin, "location", location=country.municipality_a)


def test_location_outside_the_users_scope(country):
    admin_a = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])
    assert "outside your scope" in refused(admin_a, "location", location=country.district_b)
    assert services.product_create(user=admin_a, **product_values(location=country.district_a)).pk


def test_duplicate_code_whatever_its_case(scheme_admin, country):
    services.product_create(user=scheme_admin, **product_values(code="FFS1"))
    with pytest.raises(ApplicationError) as err:
        services.product_create(user=scheme_admin, **product_values(code="ffs1 ", name="Other"))
    assert err.value.fields == {"code": ["Another product already has this code."]}
    assert err.value.code == "product_code_unique"
    assert Product.objects.count() == 1


def test_capitation_weights_must_add_up_to_100(scheme_admin, country):
    message = refused(
        scheme_admin, "weights", share_contribution=D(20), capitation_level_1="C", weight_population=D(60)
    )
    assert "add up to 60" in message


def test_every_broken_rule_is_reported_at_once(scheme_admin, country):
    with pytest.raises(ProductError) as err:
        services.product_create(
            user=scheme_admin, **product_values(threshold=3, premium_child=D(-1), start_cycle_1="30-02")
        )
    assert {"threshold", "premium_child", "start_cycle_1"} <= set(err.value.fields)


def test_field_rules_name_the_field(scheme_admin, country):
    refused(scheme_admin, "code", code="TOO-LONG-CODE")
    refused(scheme_admin, "ceiling_interpretation", ceiling_interpretation="X")


def test_enrolment_officer_cannot_create(eo_a, country):
    with pytest.raises(PermissionDeniedError):
        services.product_create(user=eo_a, **product_values())
    assert not Product.objects.exists()


# --- conversion product ---------------------------------------------------------------------------------------


def test_conversion_product_rules(scheme_admin, country):
    later = services.product_create(user=scheme_admin, **product_values(code="NEXT", date_to=date(2027, 12, 31)))
    product = services.product_create(user=scheme_admin, **product_values(conversion_product=later))
    assert product.conversion_product == later
    with pytest.raises(ProductError) as err:
        services.product_update(user=scheme_admin, product=later, conversion_product=later)
    assert "own conversion product" in err.value.fields["conversion_product"][0]
    same_end = services.product_create(user=scheme_admin, **product_values(code="SAME"))
    with pytest.raises(ProductError) as err:
        services.product_update(user=scheme_admin, product=product, conversion_product=same_end)
    assert "still be valid after" in err.value.fields["conversion_product"][0]


def test_conversion_loop_is_refused(scheme_admin, country):
    first = services.product_create(user=scheme_admin, **product_values(code="A", date_to=date(2026, 6, 30)))
    second = services.product_create(
        user=scheme_admin, **product_values(code="B", date_to=date(2026, 12, 31), conversion_product=None)
    )
    services.product_update(user=scheme_admin, product=first, conversion_product=second)
    second.refresh_from_db()
    second.date_to = date(2026, 12, 31)
    with pytest.raises(ProductError) as err:
        services.product_update(user=scheme_admin, product=second, date_to=date(2026, 5, 31), conversion_product=first)
    assert "lead back" in err.value.fields["conversion_product"][0]


def test_conversion_product_outside_scope_is_refused(country):
    admin_a = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])
    other = ProductFactory.create(code="OTHER", location=country.district_b, date_to=date(2031, 1, 1))
    with pytest.raises(ProductError) as err:
        services.product_create(user=admin_a, **product_values(conversion_product=other, location=country.region_a))
    assert err.value.fields == {"conversion_product": ["No such product in your scope."]}


def test_only_national_staff_make_a_product_national(country):
    admin_a = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_a])
    with pytest.raises(ProductError) as err:
        services.product_create(user=admin_a, **product_values())
    assert err.value.fields == {"location": ["Only staff working for the whole country may make a product national."]}
    product = services.product_create(user=admin_a, **product_values(location=country.region_a))
    assert product.location == country.region_a


# --- update and distribution ---------------------------------------------------------------------------------


def test_update_keeps_or_replaces_the_distribution(scheme_admin, country):
    product = services.product_create(
        user=scheme_admin, distribution={"B": MONTHS_100}, **product_values(period_rel_prices="M")
    )
    services.product_update(user=scheme_admin, product=product, name="Renamed")
    assert product.distribution.count() == 12
    with pytest.raises(ProductError) as err:
        services.product_update(user=scheme_admin, product=product, period_rel_prices="Q")
    assert "Give 4 percentages" in err.value.fields["distribution_B"][0]
    product.refresh_from_db()
    assert product.period_rel_prices == "M" and product.distribution.count() == 12
    services.product_update(
        user=scheme_admin, product=product, period_rel_prices="Q", distribution={"B": [D(10), D(20), D(30), D(40)]}
    )
    assert list(product.distribution.values_list("period_type", "percent")) == [(4, 10), (4, 20), (4, 30), (4, 40)]
    services.product_update(user=scheme_admin, product=product, period_rel_prices="")
    assert not product.distribution.exists()


def test_update_refusal_writes_nothing(scheme_admin, country):
    product = services.product_create(user=scheme_admin, **product_values())
    with pytest.raises(ApplicationError):
        services.product_update(user=scheme_admin, product=product, name="New name", premium_adult=D(-5))
    product.refresh_from_db()
    assert product.name == "Fee for service" and product.premium_adult == D(12000)


def test_unknown_fields_are_refused(scheme_admin, country):
    product = services.product_create(user=scheme_admin, **product_values())
    with pytest.raises(ProductError, match="Unknown fields: uuid"):
        services.product_update(user=scheme_admin, product=product, uuid="x")


# --- copy, close, delete -------------------------------------------------------------------------------------


def test_copy_copies_settings_lines_and_distribution(scheme_admin, country):
    items = ItemFactory.create_batch(3)
    service = ServiceFactory.create()
    product = services.product_create(
        user=scheme_admin,
        distribution={"I": MONTHS_100},
        **product_values(period_rel_prices_ip="M", ceiling_type="T", max_treatment=D(5000), location=country.region_a),
    )
    services.product_lines_add(
        user=scheme_admin, product=product, kind="items", codes=[i.code for i in items], limitation_type="C",
        limit_adult=D(80), waiting_period_adult=3,
    )  # fmt: skip
    services.product_lines_add(
        user=scheme_admin, product=product, kind="services", codes=[service.code], limitation_type="F",
        limit_adult=D(7000), limit_child=D(8000), price_origin="R",
    )  # fmt: skip
    copy = services.product_copy(
        user=scheme_admin, product=product, code="FFS2", name="Next year", date_from=date(2027, 1, 1),
        date_to=date(2027, 12, 31),
    )  # fmt: skip
    copy.refresh_from_db()
    assert (copy.code, copy.name, copy.date_from, copy.location) == (
        "FFS2",
        "Next year",
        date(2027, 1, 1),
        country.region_a,
    )
    assert copy.max_treatment == D(5000) and copy.uuid != product.uuid
    assert sorted(copy.items.values_list("item__code", "limit_adult", "limit_child", "waiting_period_adult")) == sorted(
        (i.code, D(80), D(100), 3) for i in items
    )
    assert list(copy.services.values_list("price_origin", "limitation_type", "limit_child")) == [("R", "F", D(8000))]
    assert copy.distribution.count() == 12
    assert product.items.count() == 3  # the original is untouched


def test_copy_needs_a_new_code(scheme_admin, country):
    product = services.product_create(user=scheme_admin, **product_values())
    with pytest.raises(ApplicationError) as err:
        services.product_copy(user=scheme_admin, product=product, code="ffs1", name="Again")
    assert "code" in err.value.fields
    assert Product.objects.count() == 1


def test_close_ends_the_validity_today(scheme_admin, country):
    today = timezone.localdate()
    product = services.product_create(
        user=scheme_admin, **product_values(date_from=today - timedelta(days=30), date_to=today + timedelta(days=300))
    )
    services.product_close(user=scheme_admin, product=product)
    product.refresh_from_db()
    assert product.date_to == today
    with pytest.raises(ProductError) as err:
        services.product_close(user=scheme_admin, product=product)
    assert err.value.code == "product_ended"


def test_a_product_not_valid_yet_cannot_be_closed(scheme_admin, country):
    today = timezone.localdate()
    product = services.product_create(
        user=scheme_admin, **product_values(date_from=today + timedelta(days=1), date_to=today + timedelta(days=365))
    )
    with pytest.raises(ProductError) as err:
        services.product_close(user=scheme_admin, product=product)
    assert err.value.code == "product_not_started" and "date_from" in err.value.fields


def test_delete_an_unused_product_with_its_lines(scheme_admin, country):
    item = ItemFactory.create()
    product = services.product_create(user=scheme_admin, **product_values())
    services.product_lines_add(user=scheme_admin, product=product, kind="items", codes=[item.code], limitation_type="C")
    services.product_delete(user=scheme_admin, product=product)
    assert not Product.objects.exists() and not ProductItem.objects.exists()


def test_delete_guard_conversion_product(scheme_admin, country):
    successor = services.product_create(user=scheme_admin, **product_values(code="NEXT", date_to=date(2027, 12, 31)))
    services.product_create(user=scheme_admin, **product_values(code="OLD", conversion_product=successor))
    with pytest.raises(ProductInUseError) as err:
        services.product_delete(user=scheme_admin, product=successor)
    assert err.value.status_code == 409 and err.value.code == "product_in_use"
    assert "conversion product of OLD" in err.value.message and "only closed" in err.value.message
    assert Product.objects.filter(code="NEXT").exists()


def test_delete_needs_the_permission(eo_a, scheme_admin, country):
    product = services.product_create(user=scheme_admin, **product_values())
    with pytest.raises(PermissionDeniedError):
        services.product_delete(user=eo_a, product=product)


# --- lines -------------------------------------------------------------------------------------------------


@pytest.fixture
def product(scheme_admin, country):
    return services.product_create(user=scheme_admin, **product_values())


def test_add_items_by_code(scheme_admin, product):
    a, b = ItemFactory.create(code="AMX500"), ItemFactory.create(code="PCM500")
    lines = services.product_lines_add(
        user=scheme_admin, product=product, kind="items", codes=["amx500", " PCM500", "AMX500"],
        limitation_type="C", limit_adult=D(80), limit_no_adult=10, ceiling_exclusion_child="B",
    )  # fmt: skip
    assert {line.item for line in lines} == {a, b}
    line = product.items.get(item=a)
    assert (line.limit_adult, line.limit_child, line.limit_no_adult, line.ceiling_exclusion_child) == (
        D(80),
        D(100),
        10,
        "B",
    )


def test_add_unknown_inactive_or_covered_codes(scheme_admin, product):
    item = ItemFactory.create(code="AMX500")
    ItemFactory.create(code="OLD1", is_active=False)
    for codes, message in [
        (["NOPE"], "No active medical item with the code NOPE."),
        (["OLD1"], "No active medical item with the code OLD1."),
        ([], "Give at least one code."),
    ]:
        with pytest.raises(ProductError) as err:
            services.product_lines_add(
                user=scheme_admin, product=product, kind="items", codes=codes, limitation_type="C"
            )
        assert err.value.fields == {"codes": [message]}
    services.product_lines_add(user=scheme_admin, product=product, kind="items", codes=[item.code], limitation_type="C")
    with pytest.raises(ProductError) as err:
        services.product_lines_add(
            user=scheme_admin, product=product, kind="items", codes=["AMX500"], limitation_type="C"
        )
    assert err.value.fields == {"codes": ["The product already covers AMX500."]}


def test_co_insurance_above_100_is_refused(scheme_admin, product):
    service = ServiceFactory.create()
    with pytest.raises(ProductError) as err:
        services.product_lines_add(
            user=scheme_admin, product=product, kind="services", codes=[service.code], limitation_type="C",
            limit_adult=D(120),
        )  # fmt: skip
    assert "percentage between 0 and 100" in err.value.fields["limit_adult"][0]
    assert not ProductService.objects.exists()


def test_limits_without_a_limitation_type_are_refused(scheme_admin, product):
    item = ItemFactory.create()
    with pytest.raises(ProductError) as err:
        services.product_lines_add(
            user=scheme_admin, product=product, kind="items", codes=[item.code], limitation_type="C",
            limit_adult_r=D(50), limit_child_r=D(50),
        )  # fmt: skip
    assert "without a limitation type" in err.value.fields["limitation_type_r"][0]
    with pytest.raises(ProductError) as err:
        services.product_lines_add(
            user=scheme_admin, product=product, kind="items", codes=[item.code], limitation_type=""
        )
    assert "limitation_type" in err.value.fields
    assert not ProductItem.objects.exists()


def test_fixed_amount_needs_its_amounts(scheme_admin, product):
    item = ItemFactory.create()
    with pytest.raises(ProductError) as err:
        services.product_lines_add(
            user=scheme_admin, product=product, kind="items", codes=[item.code], limitation_type="F", limit_adult=D(10)
        )
    assert "a fixed amount is needed" in err.value.fields["limit_child"][0]


def test_update_and_remove_lines(scheme_admin, product):
    a, b = ItemFactory.create_batch(2)
    services.product_lines_add(
        user=scheme_admin, product=product, kind="items", codes=[a.code, b.code], limitation_type="C"
    )
    line = product.items.get(item=a)
    services.product_line_update(
        user=scheme_admin, line=line, limitation_type="F", limit_adult=D(300), limit_child=D(200)
    )
    line.refresh_from_db()
    assert (line.limitation_type, line.limit_adult, line.limit_child) == ("F", D(300), D(200))
    with pytest.raises(ProductError):
        services.product_line_update(user=scheme_admin, line=line, limitation_type="C")  # 300 % is not a percentage
    line.refresh_from_db()
    assert line.limitation_type == "F"
    assert services.product_lines_remove(user=scheme_admin, product=product, kind="items", target_uuids=[a.uuid]) == 1
    assert list(product.items.values_list("item", flat=True)) == [b.pk]


def test_lines_need_change_permission(eo_a, product):
    item = ItemFactory.create()
    with pytest.raises(PermissionDeniedError):
        services.product_lines_add(user=eo_a, product=product, kind="items", codes=[item.code], limitation_type="C")


# --- the database holds the hard rules, whatever writes ---------------------------------------------------------


def test_database_refuses_broken_rows_from_raw_sql(product, country):
    statements = [
        ("UPDATE policy_product SET threshold = 3 WHERE id = %s", "product_threshold_needs_lump_sum"),
        ("UPDATE policy_product SET date_to = '2020-01-01' WHERE id = %s", "product_dates"),
        ("UPDATE policy_product SET premium_adult = -1 WHERE id = %s", "product_premium_adult_not_negative"),
        ("UPDATE policy_product SET start_cycle_1 = '1-7' WHERE id = %s", "product_start_cycle_1_format"),
        ("UPDATE policy_product SET max_treatment = 10 WHERE id = %s", "product_treatment_amounts_need_type"),
        (
            "UPDATE policy_product SET ceiling_type = 'P', max_policy = 5, max_ip_policy = 5 WHERE id = %s",
            "product_max_policy_general_or_split",
        ),
        (f"UPDATE policy_product SET location_id = {country.village_a1.pk} WHERE id = %s", "product_location_level"),
    ]
    for sql, constraint in statements:
        with pytest.raises(IntegrityError, match=constraint), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [product.pk])


def test_database_refuses_a_co_insurance_above_100(product):
    item = ItemFactory.create()
    with pytest.raises(IntegrityError, match="productitem_limit_adult_range"), transaction.atomic():
        ProductItem.objects.create(product=product, item=item, limitation_type="C", limit_adult=D(101))
