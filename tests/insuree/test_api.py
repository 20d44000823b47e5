"""The REST API: register with head and members, list, retrieve, search, partial updates, photo; error shape."""

import io

import pytest
from PIL import Image

from insuree.models import Family, Insuree

from .factories import valid_number

pytestmark = pytest.mark.django_db


def _person(**values) -> dict:
    base = {"last_name": "Wanjiru", "other_names": "Esther", "gender": "F", "dob": "1985-09-09"}
    base.update(values)
    return base


def test_register_family_through_the_api(api, eo_a, country):
    payload = {
        "village": str(country.village_a1.uuid),
        "family_type": "H",
        "head": _person(insurance_number=valid_number(11)),
        "members": [_person(other_names="Kevin", dob="2014-02-02", relationship=4)],
    }
    response = api(eo_a).post("/api/v1/families/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["head"]["insurance_number"] == valid_number(11)
    assert len(body["members"]) == 2 and body["warnings"] == []
    assert Family.objects.get(uuid=body["uuid"]).members.count() == 2


def test_register_errors_name_the_member_row(api, eo_a, country, families):
    payload = {
        "village": str(country.village_a1.uuid),
        "head": _person(),
        "members": [_person(), _person(insurance_number=families.a.head.insurance_number)],
    }
    response = api(eo_a).post("/api/v1/families/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"members.1.insurance_number": ["This insurance number is already used"]}
    payload["members"] = [_person(dob="not a date")]
    response = api(eo_a).post("/api/v1/families/", payload, format="json")
    assert response.status_code == 400 and "members.0.dob" in response.json()["fields"]
    assert Family.objects.count() == 2


def test_register_out_of_scope_village_and_forbidden_role(api, eo_a, receptionist, country):
    payload = {"village": str(country.village_b1.uuid), "head": _person(), "members": []}
    response = api(eo_a).post("/api/v1/families/", payload, format="json")
    assert response.status_code == 400 and "village" in response.json()["fields"]
    payload["village"] = str(country.village_a1.uuid)
    assert api(receptionist).post("/api/v1/families/", payload, format="json").status_code == 403
    assert api().get("/api/v1/families/").status_code in (401, 403)


def test_list_search_retrieve_and_patch_insurees(api, eo_a, families):
    rest = api(eo_a)
    head = families.a.head
    assert rest.get("/api/v1/insurees/", {"insurance_number": head.insurance_number}).json()["count"] == 1
    assert rest.get("/api/v1/insurees/", {"search": "athum"}).json()["count"] == 1
    assert rest.get(f"/api/v1/insurees/{head.uuid}/").json()["insurance_number"] == head.insurance_number
    response = rest.patch(f"/api/v1/insurees/{head.uuid}/", {"phone": "+255 700 111 222"}, format="json")
    assert response.status_code == 200 and response.json()["phone"] == "+255 700 111 222"
    response = rest.patch(f"/api/v1/insurees/{head.uuid}/", {"email": "nope"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["fields"]
    response = rest.patch(f"/api/v1/families/{families.a.uuid}/", {"poverty": True}, format="json")
    assert response.status_code == 200 and response.json()["poverty"] is True
    detail = rest.get(f"/api/v1/families/{families.a.uuid}/").json()
    assert len(detail["members"]) == 3 and detail["members"][0]["uuid"] == str(head.uuid)


def test_photo_upload(api, eo_a, families):
    head = families.a.head
    buffer = io.BytesIO()
    Image.new("RGB", (700, 700)).save(buffer, "WEBP")
    buffer.name = "p.webp"
    buffer.seek(0)
    response = api(eo_a).post(f"/api/v1/insurees/{head.uuid}/photo/", {"photo": buffer}, format="multipart")
    assert response.status_code == 200 and response.json()["has_photo"] is True
    assert Insuree.objects.get(pk=head.pk).photo_date is not None
    bad = io.BytesIO(b"%PDF-1.4")
    bad.name = "x.pdf"
    response = api(eo_a).post(f"/api/v1/insurees/{head.uuid}/photo/", {"photo": bad}, format="multipart")
    assert response.status_code == 400 and response.json()["fields"]["photo"]
