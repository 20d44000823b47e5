"""Refused photos are recorded (who, when, from where, why) in a transaction of their own, while the upload itself is
refused; accepted photos and refusals of access leave no record."""

import io

import pytest
from django.db import transaction
from django.urls import reverse
from PIL import Image

from insuree import services
from insuree.models import Insuree, PhotoRejection, PhotoSource
from openimis.common.exceptions import ApplicationError, PermissionDeniedError


def _png(size=(300, 400)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "PNG")
    out.name = "me.png"
    out.seek(0)
    return out


def _not_a_photo() -> io.BytesIO:
    out = io.BytesIO(b"not an image at all")
    out.name = "me.jpg"
    return out


@pytest.mark.django_db
def test_a_refused_photo_is_recorded(eo_a, families, country):
    head = families.a.head
    with pytest.raises(ApplicationError) as exc:
        services.insuree_set_photo(user=eo_a, insuree=head, file=_not_a_photo())
    assert exc.value.code == "photo_unreadable"
    rejection = PhotoRejection.objects.get()
    assert rejection.insuree == head and rejection.insurance_number == head.insurance_number
    assert rejection.village == country.village_a1
    assert (rejection.code, rejection.reason) == ("photo_unreadable", "This file is not a readable photo.")
    assert rejection.source == PhotoSource.PAGE and rejection.uploaded_by == eo_a
    assert rejection.rejected_at is not None
    head.refresh_from_db()
    assert not head.photo and head.photo_date is None


@pytest.mark.django_db
def test_each_refusal_gives_its_reason(eo_a, families, settings):
    head = families.a.head
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    gif.seek(0)
    with pytest.raises(ApplicationError):
        services.insuree_set_photo(user=eo_a, insuree=head, file=gif, source=PhotoSource.API)
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(ApplicationError):
        services.insuree_set_photo(user=eo_a, insuree=head, file=_png())
    found = list(PhotoRejection.objects.order_by("pk").values_list("code", "source"))
    assert found == [("photo_format", "api"), ("photo_too_large", "page")]


@pytest.mark.django_db
def test_a_member_without_family_is_placed_by_the_current_village(eo_a, families, country):
    member = families.a.members.exclude(pk=families.a.head_id).first()
    assert member is not None
    Insuree.objects.filter(pk=member.pk).update(family=None, current_village=country.village_a2)
    member.refresh_from_db()
    with pytest.raises(ApplicationError):
        services.insuree_set_photo(user=eo_a, insuree=member, file=_not_a_photo())
    assert PhotoRejection.objects.get().village == country.village_a2


@pytest.mark.django_db
def test_accepted_photos_and_refused_access_are_not_recorded(eo_a, eo_b, families):
    services.insuree_set_photo(user=eo_a, insuree=families.a.head, file=_png())
    with pytest.raises(PermissionDeniedError):
        services.insuree_set_photo(user=eo_b, insuree=families.a.head, file=_not_a_photo())
    assert not PhotoRejection.objects.exists()


@pytest.mark.django_db
def test_the_record_needs_its_own_transaction(eo_a, families):
    """Inside a caller's transaction the record could be rolled back with it: Django refuses the call instead."""
    with pytest.raises(RuntimeError), transaction.atomic():
        services.insuree_set_photo(user=eo_a, insuree=families.a.head, file=_not_a_photo())
    assert not PhotoRejection.objects.exists()


@pytest.mark.django_db
def test_a_rejection_survives_the_deletion_of_the_person(eo_a, families):
    member = families.b.members.exclude(pk=families.b.head_id).first()
    assert member is not None
    PhotoRejection.objects.create(
        insuree=member, insurance_number=member.insurance_number, code="photo_format", reason="x", uploaded_by=eo_a,
        source=PhotoSource.API,
    )  # fmt: skip
    member.delete()
    rejection = PhotoRejection.objects.get()
    assert rejection.insuree is None and rejection.insurance_number


@pytest.mark.django_db(transaction=True)
def test_refusals_through_the_page_and_the_api_are_committed(login, api, eo_a, families):
    """Outside a test transaction, as in production: each refusal is committed, the photo is not."""
    head = families.a.head
    response = login(eo_a).post(reverse("insuree:insuree_photo", args=[head.uuid]), {"photo": _not_a_photo()})
    assert response.status_code == 200 and "not a readable photo" in response.content.decode()
    response = api(eo_a).post(f"/api/v1/insurees/{head.uuid}/photo/", {"photo": _not_a_photo()}, format="multipart")
    assert response.status_code == 400 and response.json()["fields"]["photo"]
    found = list(PhotoRejection.objects.order_by("pk").values_list("source", "uploaded_by", "insuree"))
    assert found == [("page", eo_a.pk, head.pk), ("api", eo_a.pk, head.pk)]
    head.refresh_from_db()
    assert not head.photo
