"""Product pages: list, detail tabs, create/edit with errors next to fields, lines, copy, close, delete, history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from policy import services
from policy.models import Product

from .factories import ItemFactory, ProductFactory, ServiceFactory, product_values

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "code": "PG1",
        "name": "Page product",
        "date_from": "2026-01-01",
        "date_to": "2026-12-31",
        "insurance_period": "12",
        "ceiling_interpretation": "I",
        "premium_adult": "10000",
        "premium_child": "5000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def product(scheme_admin, country):
    return services.product_create(user=scheme_admin, **product_values(location=country.region_a))


def test_create_through_the_page(login, scheme_admin, country):
    client = login(scheme_admin)
    assert client.get(reverse("policy:product_create")).status_code == 200
    response = client.post(
        reverse("policy:product_create"),
        form_data(
            location=str(country.district_a.uuid),
            start_cycle_1="1-1",
            ceiling_type="T",
            max_ip_treatment="200000",
            period_rel_prices="Q",
            distribution_B="10 20 30 40",
            share_contribution="25",
            capitation_level_1="C",
            weight_population="100",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(code="PG1")
    assert response["Location"] == reverse("policy:product_detail", args=[product.uuid])
    assert product.location == country.district_a and product.start_cycle_1 == "01-01"
    assert list(product.distribution.values_list("percent", flat=True)) == [10, 20, 30, 40]


def test_errors_are_shown_next_to_their_fields(login, scheme_admin, country):
    client = login(scheme_admin)
    response = client.post(
        reverse("policy:product_create"),
        form_data(
            date_to="2025-01-01", threshold="3", start_cycle_1="31-02", period_rel_prices="M", distribution_B="50 50"
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("date_to", "threshold", "start_cycle_1", "distribution_B"):
        assert f'id="id_{field}_error"' in html, field
    assert "A threshold needs a lump sum" in html and "Give 12 percentages" in html
    assert "Nothing was saved" in html
    assert not Product.objects.exists()
    response = client.post(reverse("policy:product_create"), form_data(distribution_B="ten"))
    assert 'id="id_distribution_B_error"' in response.content.decode()


def test_weights_error_is_shown_at_the_top(login, scheme_admin, country):
    response = login(scheme_admin).post(
        reverse("policy:product_create"),
        form_data(share_contribution="25", capitation_level_1="C", weight_population="60"),
    )
    assert "The six capitation weights must add up to 100; they add up to 60." in response.content.decode()


def test_edit_through_the_page(login, scheme_admin, product):
    client = login(scheme_admin)
    page = client.get(reverse("policy:product_edit", args=[product.uuid])).content.decode()
    assert 'value="FFS1"' in page and "Deductibles and ceilings" in page
    response = client.post(
        reverse("policy:product_edit", args=[product.uuid]),
        form_data(code="FFS1", name="Renamed", location=str(product.location.uuid)),
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Renamed" and product.premium_adult == Decimal(10000)


def test_enrolment_officer_cannot_create_or_edit(login, eo_a, product):
    client = login(eo_a)
    assert client.get(reverse("policy:product_create")).status_code == 403
    assert client.post(reverse("policy:product_create"), form_data()).status_code == 403
    assert client.get(reverse("policy:product_edit", args=[product.uuid])).status_code == 403
    assert client.get(reverse("policy:product_lines_add", args=[product.uuid, "items"])).status_code == 403
    assert not Product.objects.filter(code="PG1").exists()
    detail = client.get(reverse("policy:product_detail", args=[product.uuid])).content.decode()
    assert "Edit" not in detail.split('<ul class="nav nav-tabs')[0].split("<h1")[1]


def test_list_search_and_filters(login, scheme_admin, country):
    ProductFactory.create(code="ALPHA", name="First")
    ProductFactory.create(code="BETA", name="Second", location=country.district_b)
    ProductFactory.create(code="OLD", name="Old", date_to=timezone.localdate() - timedelta(days=1))
    client = login(scheme_admin)
    html = client.get(reverse("policy:product_list")).content.decode()
    assert all(code in html for code in ("ALPHA", "BETA", "OLD")) and "Ended" in html
    assert "BETA" not in client.get(reverse("policy:product_list"), {"q": "alp"}).content.decode()
    html = client.get(reverse("policy:product_list"), {"location": str(country.district_a.uuid)}).content.decode()
    assert "ALPHA" in html and "BETA" not in html
    html = client.get(reverse("policy:product_list"), {"valid_on": str(timezone.localdate())}).content.decode()
    assert "ALPHA" in html and ">OLD<" not in html
    html = client.get(reverse("policy:product_list"), {"location": "national"}).content.decode()
    assert "ALPHA" in html and "BETA" not in html


def test_every_tab_renders(login, scheme_admin, product):
    client = login(scheme_admin)
    for tab in ("general", "items", "services", "pricing", "capitation", "history", "unknown"):
        response = client.get(reverse("policy:product_detail", args=[product.uuid]), {"tab": tab})
        assert response.status_code == 200, tab
    html = client.get(reverse("policy:product_detail", args=[product.uuid])).content.decode()
    assert "Premium per adult" in html and "12,000" in html


def test_add_edit_and_remove_items_through_the_pages(login, scheme_admin, product):
    a = ItemFactory.create(code="AMX1")
    ItemFactory.create(code="PCM1")
    client = login(scheme_admin)
    add_url = reverse("policy:product_lines_add", args=[product.uuid, "items"])
    assert client.get(add_url).status_code == 200
    response = client.post(add_url, {"codes": "AMX1, nope", "price_origin": "P", "limitation_type": "C"})
    assert "No active medical item with the code NOPE." in response.content.decode()
    response = client.post(
        add_url,
        {"codes": "amx1\nPCM1", "price_origin": "P", "limitation_type": "C", "limit_adult": "80", "limit_child": "100"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?tab=items")
    tab = client.get(reverse("policy:product_detail", args=[product.uuid]), {"tab": "items"}).content.decode()
    assert "AMX1" in tab and "C 80 % / 100 %" in tab

    edit_url = reverse("policy:product_line_edit", args=[product.uuid, "items", a.uuid])
    assert client.get(edit_url).status_code == 200
    response = client.post(
        edit_url, {"price_origin": "O", "limitation_type": "C", "limit_adult": "150", "limit_child": "100"}
    )
    assert 'id="id_limit_adult_error"' in response.content.decode()
    response = client.post(
        edit_url, {"price_origin": "O", "limitation_type": "F", "limit_adult": "150", "limit_child": "100"}
    )
    assert response.status_code == 302
    assert product.items.get(item=a).limitation_type == "F"

    remove_url = reverse("policy:product_lines_remove", args=[product.uuid, "items"])
    assert client.get(remove_url).status_code == 405
    response = client.post(remove_url, {"selected": [str(a.uuid), "not-a-uuid"]})
    assert response.status_code == 302
    assert list(product.items.values_list("item__code", flat=True)) == ["PCM1"]
    assert client.get(reverse("policy:product_line_edit", args=[product.uuid, "items", a.uuid])).status_code == 404


def test_services_tab_is_paginated(login, scheme_admin, product):
    created = ServiceFactory.create_batch(60)
    services.product_lines_add(
        user=scheme_admin, product=product, kind="services", codes=[s.code for s in created], limitation_type="C"
    )
    client = login(scheme_admin)
    page = client.get(reverse("policy:product_detail", args=[product.uuid]), {"tab": "services"}).content.decode()
    assert page.count('name="selected"') == 50 and "Showing 1–50 of 60" in page
    page = client.get(
        reverse("policy:product_detail", args=[product.uuid]), {"tab": "services", "per_page": 100}
    ).content.decode()
    assert page.count('name="selected"') == 60


def test_copy_close_and_delete_pages(login, scheme_admin, country):
    today = timezone.localdate()
    product = services.product_create(
        user=scheme_admin, **product_values(date_from=today - timedelta(days=5), date_to=today + timedelta(days=90))
    )
    client = login(scheme_admin)
    copy_url = reverse("policy:product_copy", args=[product.uuid])
    assert "Copy of Fee for service" in client.get(copy_url).content.decode()
    response = client.post(
        copy_url,
        {"code": "FFS2", "name": "Copy", "date_from": str(today), "date_to": str(today + timedelta(days=365))},
    )
    assert response.status_code == 302
    copy = Product.objects.get(code="FFS2")
    services.product_update(user=scheme_admin, product=product, conversion_product=copy)

    delete_url = reverse("policy:product_delete", args=[copy.uuid])
    assert "cannot be deleted" in client.get(delete_url).content.decode()
    response = client.post(delete_url, follow=True)
    assert "only closed" in response.content.decode() and Product.objects.filter(code="FFS2").exists()

    response = client.post(reverse("policy:product_close", args=[product.uuid]), follow=True)
    assert "is closed" in response.content.decode()
    product.refresh_from_db()
    assert product.date_to == today

    services.product_update(user=scheme_admin, product=product, conversion_product=None)
    response = client.post(delete_url)
    assert response.status_code == 302 and response["Location"] == reverse("policy:product_list")
    assert not Product.objects.filter(code="FFS2").exists()


def test_history_tab_shows_who_changed_what(login, scheme_admin, product):
    item = ItemFactory.create(code="AMX1")
    ItemFactory.create(code="ZZ1")
    ItemFactory.create(code="ZZ2")
    client = login(scheme_admin)
    client.post(
        reverse("policy:product_edit", args=[product.uuid]),
        form_data(code="FFS1", name="Renamed by page", location=str(product.location.uuid)),
    )
    client.post(
        reverse("policy:product_lines_add", args=[product.uuid, "items"]),
        {"codes": "AMX1 ZZ1 ZZ2", "price_origin": "P", "limitation_type": "C"},
    )
    client.post(
        reverse("policy:product_line_edit", args=[product.uuid, "items", item.uuid]),
        {"price_origin": "P", "limitation_type": "C", "limit_adult": "75", "limit_child": "100"},
    )
    html = client.get(reverse("policy:product_detail", args=[product.uuid]), {"tab": "history"}).content.decode()
    assert "Renamed by page" in html and "Fee for service" in html
    assert str(scheme_admin) in html
    assert "AMX1" in html and "Limit for adults" in html and "75" in html and "Added" in html
    assert "3 · medical item: AMX1, ZZ1, ZZ2" in html  # added together: one entry
