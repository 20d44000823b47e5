"""Every rule and refusal of the family and insuree services: the field is named and nothing is saved."""

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from insuree import services
from insuree.exceptions import ApplicationError, PermissionDeniedError
from insuree.models import Family, Insuree, Relationship
from insuree.numbers import NumberScheme

from .factories import make_family, person, valid_number

pytestmark = pytest.mark.django_db


def _register(user, village, members=(), **head):
    return services.family_register(user=user, village=village, head=person(**head), members=list(members))


def test_register_creates_head_family_and_members_with_generated_numbers(eo_a, country):
    result = _register(
        eo_a,
        country.village_a1,
        members=[person(other_names="Baraka", dob=date(2015, 3, 1), relationship=Relationship.CHILD)],
        insurance_number=valid_number(1),
    )
    family = result.family
    assert family.head.insurance_number == valid_number(1)
    assert family.head.family == family
    assert family.members.count() == 2
    generated = family.members.exclude(pk=family.head_id).get()
    assert NumberScheme.from_settings().problem(generated.insurance_number) is None
    assert result.warnings == []


def test_typed_number_is_checked_and_the_row_is_named(eo_a, country):
    with pytest.raises(ApplicationError) as exc:
        _register(eo_a, country.village_a1, members=[person(), person(), person(insurance_number="1234567890")])
    assert "members.2.insurance_number" in exc.value.fields
    assert Insuree.objects.count() == 0 and Family.objects.count() == 0


def test_used_number_is_a_field_error(eo_a, country, families):
    used = families.a.head.insurance_number
    with pytest.raises(ApplicationError) as exc:
        _register(eo_a, country.village_a1, members=[person(insurance_number=used)])
    assert exc.value.fields["members.0.insurance_number"] == ["This insurance number is already used"]
    assert exc.value.code == "insuree_number_unique"
    assert Family.objects.count() == 2


def test_same_number_twice_in_one_family_is_refused(eo_a, country):
    n = valid_number(5)
    with pytest.raises(ApplicationError) as exc:
        _register(eo_a, country.village_a1, members=[person(insurance_number=n)], insurance_number=n)
    assert "members.0.insurance_number" in exc.value.fields
    assert Insuree.objects.count() == 0


def test_names_required_dob_not_future_email_format(eo_a, country):
    with pytest.raises(ApplicationError) as exc:
        _register(
            eo_a,
            country.village_a1,
            members=[person(dob=date.today() + timedelta(days=1), email="not-an-address")],
            last_name="  ",
        )
    assert set(exc.value.fields) >= {"head.last_name", "members.0.dob", "members.0.email"}
    assert Insuree.objects.count() == 0


def test_village_must_be_in_scope_and_a_village(eo_a, country):
    with pytest.raises(ApplicationError) as exc:
        _register(eo_a, country.village_b1)
    assert "village" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        _register(eo_a, country.municipality_a)
    assert "village" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        _register(eo_a, None)
    assert "village" in exc.value.fields
    assert Family.objects.count() == 0


def test_user_without_permission_is_refused(receptionist, country):
    with pytest.raises(PermissionDeniedError):
        _register(receptionist, country.village_a1)


def test_child_head_without_adult_gives_a_warning_not_an_error(eo_a, country):
    result = _register(eo_a, country.village_a1, members=[person(dob=date(2016, 1, 1))], dob=date(2010, 1, 1))
    assert result.warnings and "child" in result.warnings[0]
    with_adult = _register(eo_a, country.village_a1, members=[person(dob=date(1960, 1, 1))], dob=date(2010, 1, 1))
    assert with_adult.warnings == []


def test_change_head_requires_a_member_and_updates_relationships(eo_a, families):
    family = families.a
    old_head = family.head
    outsider = families.b.head
    with pytest.raises(ApplicationError) as exc:
        services.family_change_head(user=eo_a, family=family, new_head=outsider)
    assert "head" in exc.value.fields
    member = family.members.exclude(pk=old_head.pk).first()
    services.family_change_head(user=eo_a, family=family, new_head=member, old_head_relationship=Relationship.PARENT)
    family.refresh_from_db()
    old_head.refresh_from_db()
    member.refresh_from_db()
    assert family.head == member and member.relationship is None
    assert old_head.relationship == Relationship.PARENT and old_head.family == family


def test_head_cannot_be_removed_or_moved(eo_a, families):
    with pytest.raises(ApplicationError) as exc:
        services.insuree_remove_from_family(user=eo_a, insuree=families.a.head)
    assert exc.value.code == "insuree_is_head"
    other = make_family(families.a.village, members=0)
    with pytest.raises(ApplicationError):
        services.insuree_move_to_family(user=eo_a, insuree=families.a.head, family=other)
    assert Insuree.objects.get(pk=families.a.head_id).family_id == families.a.pk


def test_remove_member_keeps_them_visible_by_village(eo_a, families):
    member = families.a.members.exclude(pk=families.a.head_id).first()
    services.insuree_remove_from_family(user=eo_a, insuree=member)
    member.refresh_from_db()
    assert member.family is None and member.current_village == families.a.village
    assert Insuree.objects.visible_to(eo_a).filter(pk=member.pk).exists()


def test_move_member_to_another_family_in_scope_only(eo_a, families, country):
    member = families.a.members.exclude(pk=families.a.head_id).first()
    with pytest.raises(PermissionDeniedError):
        services.insuree_move_to_family(user=eo_a, insuree=member, family=families.b)
    other = make_family(country.village_a2, members=0)
    services.insuree_move_to_family(user=eo_a, insuree=member, family=other, relationship=Relationship.OTHER)
    member.refresh_from_db()
    assert member.family == other


def test_add_member_and_update(eo_a, families):
    new = services.insuree_add_to_family(user=eo_a, family=families.a, **person(other_names="Neema"))
    assert new.family == families.a and new.insurance_number
    services.insuree_update(user=eo_a, insuree=new, phone="+255 700 000 001")
    assert Insuree.objects.get(pk=new.pk).phone == "+255 700 000 001"
    with pytest.raises(ApplicationError) as exc:
        services.insuree_update(user=eo_a, insuree=new, other_names="")
    assert "other_names" in exc.value.fields
    assert Insuree.objects.get(pk=new.pk).other_names == "Neema"
    with pytest.raises(ApplicationError):
        services.insuree_update(user=eo_a, insuree=new, insurance_number=valid_number(9))


def test_out_of_scope_writes_are_refused(eo_a, families):
    with pytest.raises(PermissionDeniedError):
        services.insuree_update(user=eo_a, insuree=families.b.head, phone="1")
    with pytest.raises(PermissionDeniedError):
        services.family_update(user=eo_a, family=families.b, address="x")
    with pytest.raises(PermissionDeniedError):
        services.family_delete(user=eo_a, family=families.b, detach_members=True)


def test_family_update_checks_village(eo_a, families, country):
    with pytest.raises(ApplicationError) as exc:
        services.family_update(user=eo_a, family=families.a, village=country.village_b1)
    assert "village" in exc.value.fields
    services.family_update(user=eo_a, family=families.a, village=country.village_a2, poverty=True)
    assert Family.objects.get(pk=families.a.pk).village == country.village_a2


def test_family_delete_detaches_or_deletes_members(eo_a, families, country):
    ids = list(families.a.members.values_list("pk", flat=True))
    services.family_delete(user=eo_a, family=families.a, detach_members=True)
    assert not Family.objects.filter(pk=families.a.pk).exists()
    assert Insuree.objects.filter(pk__in=ids, family__isnull=True).count() == len(ids)
    other = make_family(country.village_a2, members=2)
    ids = list(other.members.values_list("pk", flat=True))
    services.family_delete(user=eo_a, family=other, detach_members=False)
    assert not Insuree.objects.filter(pk__in=ids).exists()


def _image(fmt: str, size=(1200, 1600), exif_rotate: bool = False) -> io.BytesIO:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif_rotate:
        exif = Image.Exif()
        exif[0x0112] = 6  # rotated 90°
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    out.seek(0)
    return out


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_photo_is_resized_and_reencoded(eo_a, families, fmt):
    insuree = families.a.head
    services.insuree_set_photo(user=eo_a, insuree=insuree, file=_image(fmt))
    insuree.refresh_from_db()
    assert insuree.photo_date == date.today()
    with Image.open(insuree.photo.path) as stored:
        assert stored.format == "JPEG" and stored.size[0] <= 600 and stored.size[1] <= 800


def test_photo_orientation_applied(eo_a, families):
    insuree = families.a.head
    services.insuree_set_photo(user=eo_a, insuree=insuree, file=_image("JPEG", size=(800, 600), exif_rotate=True))
    with Image.open(insuree.photo.path) as stored:
        assert stored.size[1] > stored.size[0]


def test_photo_refusals(eo_a, families, settings):
    insuree = families.a.head
    with pytest.raises(ApplicationError) as exc:
        services.insuree_set_photo(user=eo_a, insuree=insuree, file=io.BytesIO(b"GIF89a not really"))
    assert "photo" in exc.value.fields
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    gif.seek(0)
    with pytest.raises(ApplicationError):
        services.insuree_set_photo(user=eo_a, insuree=insuree, file=gif)
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(ApplicationError) as exc:
        services.insuree_set_photo(user=eo_a, insuree=insuree, file=_image("PNG"))
    assert exc.value.code == "photo_too_large"
    insuree.refresh_from_db()
    assert not insuree.photo


def test_demo_families_are_valid_deterministic_and_loaded_once():
    from io import StringIO

    from insuree import demo
    from location import demo as location_demo

    location_demo.load(StringIO(), password="irrelevant-Pa55")
    assert demo.load(StringIO(), password="x") == []
    families = list(Family.objects.select_related("head", "village"))
    assert len(families) == demo.FAMILY_COUNT
    assert len({f.village_id for f in families}) == 40
    scheme = NumberScheme.from_settings()
    people = list(Insuree.objects.all())
    assert all(scheme.problem(p.insurance_number) is None for p in people)
    assert all(2 <= f.members.count() <= 7 for f in families)
    assert all(f.head.family_id == f.pk and f.head.relationship is None for f in families)
    numbers = sorted(p.insurance_number for p in people)
    out = StringIO()
    demo.load(out, password="x")
    assert "0 created" in out.getvalue()
    assert sorted(Insuree.objects.values_list("insurance_number", flat=True)) == numbers
