"""Staff pages: registration with member rows, detail, edit, photo, history; refusals."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from insuree.models import Family, Insuree

from .factories import valid_number

pytestmark = pytest.mark.django_db


def _person(prefix: str, **values) -> dict:
    base = {"last_name": "Otieno", "other_names": "Grace", "gender": "F", "dob": "1988-04-02"}
    base.update(values)
    return {f"{prefix}-{k}": v for k, v in base.items()}


def _registration(country, *members: dict, **head) -> dict:
    data = {"village": str(country.village_a1.uuid), "family_type": "H", "poverty": "unknown"}
    data.update(_person("head", **head))
    for member in members:
        data.update(member)
    return data


def test_register_page_shows_prefixed_inputs_and_duplicate_placeholders(login, eo_a, country):
    html = login(eo_a).get(reverse("insuree:family_register")).content.decode()
    assert 'name="head-last_name"' in html and 'id="dup-warnings-head"' in html
    assert 'hx-get="/families/register/member-row/?index=0"' in html
    assert "Village A1" in html and "Village B1" not in html


def test_member_row_partial_has_next_button_out_of_band(login, eo_a, country):
    html = login(eo_a).get(reverse("insuree:family_member_row"), {"index": 3}).content.decode()
    assert 'name="m3-last_name"' in html and 'id="dup-warnings-m3"' in html
    assert 'hx-swap-oob="true"' in html and "index=4" in html


def test_register_family_of_three(login, eo_a, country):
    data = _registration(
        country,
        _person("m0", other_names="Baraka", dob="2015-01-01", relationship="4"),
        _person("m4", other_names="Zawadi", dob="2017-06-01", relationship="4", insurance_number=valid_number(77)),
        insurance_number="",
    )
    response = login(eo_a).post(reverse("insuree:family_register"), data)
    family = Family.objects.get()
    assert response.status_code == 302 and response.url == reverse("insuree:family_detail", args=[family.uuid])
    assert family.members.count() == 3
    assert Insuree.objects.filter(insurance_number=valid_number(77), family=family).exists()
    detail = login(eo_a).get(response.url).content.decode()
    assert "Baraka" in detail and "Zawadi" in detail


def test_errors_sit_next_to_the_right_row_and_nothing_is_saved(login, eo_a, country, families):
    used = families.a.head.insurance_number
    data = _registration(country, _person("m0"), _person("m1", insurance_number=used))
    response = login(eo_a).post(reverse("insuree:family_register"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_m1-insurance_number_error"' in html
    assert "This insurance number is already used" in html
    assert 'value="Otieno"' in html  # the rows are kept
    assert Family.objects.count() == 2


def test_child_head_warning_is_shown(login, eo_a, country):
    client = login(eo_a)
    response = client.post(reverse("insuree:family_register"), _registration(country, dob="2012-01-01"), follow=True)
    assert "no adult member" in response.content.decode()


def test_receptionist_cannot_register(login, receptionist, country):
    client = login(receptionist)
    assert client.get(reverse("insuree:family_register")).status_code == 403
    assert client.post(reverse("insuree:family_register"), _registration(country)).status_code == 403
    assert client.get(reverse("insuree:family_member_row")).status_code == 403
    assert Family.objects.count() == 0


def test_family_list_search_and_filter(login, eo_a, families, country):
    client = login(eo_a)
    html = client.get(reverse("insuree:family_list")).content.decode()
    assert "Athumani" in html and "Bakari" not in html
    assert "Athumani" in client.get(reverse("insuree:family_list"), {"q": "akiny"}).content.decode()
    number = families.a.head.insurance_number
    assert "Athumani" in client.get(reverse("insuree:family_list"), {"q": number}).content.decode()
    html = client.get(reverse("insuree:family_list"), {"village": str(country.village_a2.uuid)}).content.decode()
    assert "Athumani" not in html


def test_insuree_edit_and_history_tab(login, eo_a, families):
    head = families.a.head
    client = login(eo_a)
    data = {
        "last_name": head.last_name,
        "other_names": "Athumani Juma",
        "gender": "M",
        "dob": "1980-01-01",
        "marital_status": "M",
        "phone": "+255 711 222 333",
    }
    response = client.post(reverse("insuree:insuree_edit", args=[head.uuid]), data)
    assert response.status_code == 302
    html = client.get(reverse("insuree:insuree_detail", args=[head.uuid]), {"tab": "history"}).content.decode()
    assert "Athumani Juma" in html and "+255 711 222 333" in html and "Changed" in html
    family_history = client.get(reverse("insuree:family_detail", args=[families.a.uuid]), {"tab": "history"})
    assert "Created" in family_history.content.decode()


def test_photo_upload_page(login, eo_a, families):
    head = families.a.head
    client = login(eo_a)
    html = client.get(reverse("insuree:insuree_photo", args=[head.uuid])).content.decode()
    assert 'accept="image/*"' in html and 'capture="user"' in html
    buffer = io.BytesIO()
    Image.new("RGB", (900, 1200), (10, 20, 30)).save(buffer, "PNG")
    buffer.name = "me.png"
    buffer.seek(0)
    response = client.post(reverse("insuree:insuree_photo", args=[head.uuid]), {"photo": buffer})
    assert response.status_code == 302
    image = client.get(reverse("insuree:insuree_photo_file", args=[head.uuid]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    bad = io.BytesIO(b"not an image")
    bad.name = "x.jpg"
    response = client.post(reverse("insuree:insuree_photo", args=[head.uuid]), {"photo": bad})
    assert response.status_code == 200 and "not a readable photo" in response.content.decode()


def test_change_head_remove_member_and_delete(login, eo_a, families):
    client = login(eo_a)
    family = families.a
    member = family.members.exclude(pk=family.head_id).first()
    client.post(reverse("insuree:family_change_head", args=[family.uuid]), {"new_head": str(member.uuid)})
    family.refresh_from_db()
    assert family.head == member
    response = client.post(reverse("insuree:insuree_remove", args=[member.uuid]), follow=True)
    assert "cannot leave" in response.content.decode()
    response = client.post(reverse("insuree:family_delete", args=[family.uuid]), {"detach_members": "1"})
    assert response.status_code == 302 and not Family.objects.filter(pk=family.pk).exists()


def test_add_member_page(login, eo_a, families):
    client = login(eo_a)
    data = {"last_name": "Akinyi", "other_names": "Neema", "gender": "F", "dob": "2019-02-02", "relationship": "4"}
    data["marital_status"] = "S"
    response = client.post(reverse("insuree:family_add_member", args=[families.a.uuid]), data)
    assert response.status_code == 302
    assert families.a.members.filter(other_names="Neema").exists()


def test_a_member_moves_to_another_family_through_the_page(login, eo_a, country):
    from insuree.models import Insuree

    from .factories import make_family

    old = make_family(country.village_a1, members=1, head_name="Old", last_name="Kwanza")
    new = make_family(country.village_a2, members=0, head_name="New", last_name="Pili")
    elsewhere = make_family(country.village_b1, members=0, head_name="Far", last_name="Mbali")
    member = old.members.exclude(pk=old.head_id).get()
    client = login(eo_a)
    url = reverse("insuree:insuree_move", args=[member.uuid])
    refused = client.post(url, {"head_number": elsewhere.head.insurance_number})
    assert "No family in your area has this head." in refused.content.decode()
    response = client.post(url, {"head_number": new.head.insurance_number, "relationship": "7"})
    assert response.status_code == 302
    member = Insuree.objects.get(pk=member.pk)
    assert member.family_id == new.pk and member.relationship == 7
    assert client.get(reverse("insuree:insuree_move", args=[old.head.uuid])).status_code == 200
    head_refused = client.post(
        reverse("insuree:insuree_move", args=[old.head.uuid]), {"head_number": new.head.insurance_number}
    )
    assert head_refused.status_code == 200  # the head cannot leave: the error is shown on the form
