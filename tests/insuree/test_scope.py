"""An officer of district A never reaches district B's families or people: pages, search, uuid, API, photo.
A user with no scope sees none."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_of_district_b_are_404_for_district_a(login, eo_a, families):
    client = login(eo_a)
    b = families.b
    assert client.get(reverse("insuree:family_detail", args=[families.a.uuid])).status_code == 200
    for name, key in [
        ("insuree:family_detail", b.uuid),
        ("insuree:family_edit", b.uuid),
        ("insuree:family_delete", b.uuid),
        ("insuree:family_add_member", b.uuid),
        ("insuree:insuree_detail", b.head.uuid),
        ("insuree:insuree_edit", b.head.uuid),
        ("insuree:insuree_photo", b.head.uuid),
        ("insuree:insuree_photo_file", b.head.uuid),
    ]:
        assert client.get(reverse(name, args=[key])).status_code == 404, name
    assert client.post(reverse("insuree:insuree_remove", args=[b.head.uuid])).status_code == 404


def test_lists_and_search_hold_own_district_only(login, api, eo_a, families):
    client = login(eo_a)
    number_b = families.b.head.insurance_number
    html = client.get(reverse("insuree:family_list"), {"q": number_b}).content.decode()
    assert "Bakari" not in html and "No family matches." in html
    html = client.get(reverse("insuree:family_list"), {"q": "Barasa"}).content.decode()
    assert "Bakari" not in html
    rest = api(eo_a)
    assert {f["head"]["other_names"] for f in rest.get("/api/v1/families/").json()["results"]} == {"Athumani"}
    assert rest.get("/api/v1/insurees/", {"insurance_number": number_b}).json()["count"] == 0
    assert rest.get("/api/v1/insurees/", {"search": "Barasa"}).json()["count"] == 0
    assert rest.get(f"/api/v1/families/{families.b.uuid}/").status_code == 404
    response = rest.get(f"/api/v1/insurees/{families.b.head.uuid}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert rest.patch(f"/api/v1/insurees/{families.b.head.uuid}/", {"phone": "1"}, format="json").status_code == 404
    assert rest.post(f"/api/v1/insurees/{families.b.head.uuid}/photo/", {}, format="multipart").status_code == 404


def test_village_filter_cannot_reach_another_district(login, api, eo_a, families, country):
    html = login(eo_a).get(reverse("insuree:family_list"), {"village": str(country.village_b1.uuid)}).content.decode()
    assert "Bakari" not in html
    response = api(eo_a).get("/api/v1/families/", {"village": str(country.village_b1.uuid)})
    assert response.json()["count"] == 0


def test_user_with_no_scope_sees_nobody(login, api, nobody, families):
    client = login(nobody)
    html = client.get(reverse("insuree:family_list")).content.decode()
    assert "Athumani" not in html and "Bakari" not in html
    assert client.get(reverse("insuree:family_detail", args=[families.a.uuid])).status_code == 404
    assert api(nobody).get("/api/v1/families/").json()["count"] == 0
    assert api(nobody).get("/api/v1/insurees/").json()["count"] == 0


def test_officer_of_district_b_sees_only_district_b(api, eo_b, families):
    names = {f["head"]["other_names"] for f in api(eo_b).get("/api/v1/families/").json()["results"]}
    assert names == {"Bakari"}


def test_national_scope_sees_families_and_people_without_family(families, country):
    from insuree.models import Insuree
    from tests.factories import UserFactory

    root = UserFactory.create(username="root", is_superuser=True)
    detached = Insuree.objects.create(
        insurance_number="4000000002", last_name="Peke", other_names="Yake", gender="F", dob="1990-01-01",
        current_village=country.village_b1,
    )  # fmt: skip
    seen = set(Insuree.objects.visible_to(root).values_list("pk", flat=True))
    assert {families.a.head.pk, families.b.head.pk, detached.pk} <= seen


def test_inline_duplicate_check_reads_the_family_village_as_the_form_sends_it(login, eo_a, families, country):
    head = families.a.head
    response = login(eo_a).get(
        reverse("insuree:duplicate_check"),
        {
            "prefix": "head",
            "head-last_name": head.last_name,
            "head-other_names": head.other_names,
            "head-dob": head.dob.isoformat(),
            "village": str(country.village_a1.uuid),
        },
    )
    assert response.status_code == 200
    assert head.insurance_number in response.content.decode()
