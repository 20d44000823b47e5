"""Likely duplicates: reasons, scope, dismissal; the suspected-pairs page and the inline HTMX warnings."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from insuree import duplicates
from insuree.models import DuplicateDismissal, Family, Insuree
from insuree.numbers import NumberScheme
from openimis.common.exceptions import PermissionDeniedError

pytestmark = pytest.mark.django_db


def make_family(village, *people: dict) -> list[Insuree]:
    """A family in `village` whose head is the first person; returns the members in order."""
    scheme = NumberScheme.from_settings()
    members = []
    with transaction.atomic():
        for index, fields in enumerate(people):
            values = {"gender": "M", "dob": date(1980, 1, 1), "insurance_number": scheme.generate(), **fields}
            person = Insuree.objects.create(current_village=village, **values)
            members.append(person)
            if index == 0:
                family = Family.objects.create(head=person, village=village)
            person.family = family
            person.save(update_fields=["family"])
    return members


@pytest.fixture
def joseph(country):
    return make_family(
        country.village_a1,
        {"last_name": "Mwangi", "other_names": "Joseph Kamau", "dob": date(1980, 4, 12), "phone": "+255712000001",
         "identity_number": "ID-1"},
    )[0]  # fmt: skip


def _reasons(candidates, person):
    return next(c.reasons for c in candidates if c.insuree.pk == person.pk)


def test_similar_name_same_dob_and_village_is_a_candidate(eo_a, country, joseph):
    found = duplicates.likely_duplicates(
        user=eo_a, last_name="MWANGY", other_names="Josef Kamau", dob=date(1980, 4, 12), village=country.village_a1
    )
    assert _reasons(found, joseph) == (duplicates.REASON_NAME,)
    assert "similar name" in found[0].reason_labels[0]


def test_similar_name_other_dob_or_other_village_is_not(eo_a, country, joseph):
    kw = {"user": eo_a, "last_name": "Mwangi", "other_names": "Joseph Kamau"}
    assert duplicates.likely_duplicates(**kw, dob=date(1980, 4, 13), village=country.village_a1) == []
    assert duplicates.likely_duplicates(**kw, dob=date(1980, 4, 12), village=country.village_a2) == []
    assert duplicates.likely_duplicates(**kw, dob=date(1980, 4, 12), village=None)[0].insuree == joseph


def test_different_name_same_dob_is_not_a_candidate(eo_a, country, joseph):
    found = duplicates.likely_duplicates(
        user=eo_a, last_name="Otieno", other_names="Achieng", dob=date(1980, 4, 12), village=country.village_a1
    )
    assert found == []


def test_same_phone_and_same_identity_number(eo_a, country, joseph):
    by_phone = duplicates.likely_duplicates(
        user=eo_a, last_name="Otieno", other_names="Achieng", dob=date(1990, 1, 1), phone="+255712000001"
    )
    assert _reasons(by_phone, joseph) == (duplicates.REASON_PHONE,)
    by_id = duplicates.likely_duplicates(
        user=eo_a, last_name="Otieno", other_names="Achieng", dob=None, identity_number="ID-1"
    )
    assert _reasons(by_id, joseph) == (duplicates.REASON_IDENTITY,)
    all_three = duplicates.likely_duplicates(
        user=eo_a,
        last_name="Mwangi",
        other_names="Joseph Kamau",
        dob=date(1980, 4, 12),
        village=country.village_a1,
        phone="+255712000001",
        identity_number="ID-1",
    )
    assert set(_reasons(all_three, joseph)) == {"name", "phone", "identity"}


def test_empty_phone_matches_nobody(eo_a, country):
    make_family(country.village_a1, {"last_name": "Juma", "other_names": "Asha", "phone": ""})
    assert duplicates.likely_duplicates(user=eo_a, last_name="", other_names="", dob=None, phone="  ") == []


def test_a_person_of_district_b_is_never_shown_to_an_officer_of_district_a(eo_a, eo_b, country):
    b_person = make_family(
        country.village_b1,
        {"last_name": "Mwangi", "other_names": "Joseph", "dob": date(1980, 4, 12), "phone": "+255700000009"},
    )[0]

    def check(user):
        return duplicates.likely_duplicates(
            user=user, last_name="Mwangi", other_names="Joseph", dob=date(1980, 4, 12), phone="+255700000009"
        )

    assert check(eo_a) == []
    assert [c.insuree for c in check(eo_b)] == [b_person]


def test_nobody_sees_nothing(nobody, country, joseph):
    assert duplicates.likely_duplicates(user=nobody, last_name="Mwangi", other_names="Joseph Kamau",
                                        dob=date(1980, 4, 12), phone="+255712000001") == []  # fmt: skip


def test_the_person_themself_is_excluded(eo_a, country, joseph):
    found = duplicates.likely_duplicates(
        user=eo_a, last_name="Mwangi", other_names="Joseph Kamau", dob=date(1980, 4, 12), exclude_pk=joseph.pk
    )
    assert found == []


@pytest.fixture
def twins(country):
    """Two people of district A born the same day with similar names (a suspected pair)."""
    first = make_family(country.village_a1, {"last_name": "Mushi", "other_names": "Neema", "dob": date(2001, 2, 3)})
    second = make_family(country.village_a2, {"last_name": "Mushi", "other_names": "Neema J", "dob": date(2001, 2, 3)})
    return first[0], second[0]


def test_suspected_pairs_lists_same_dob_similar_names_in_scope(eo_a, eo_b, twins, country):
    make_family(country.village_a1, {"last_name": "Otieno", "other_names": "Baraka", "dob": date(2001, 2, 3)})
    pairs = duplicates.suspected_pairs(user=eo_a)
    assert [(p.first, p.second) for p in pairs] == [twins]
    assert duplicates.suspected_pairs(user=eo_b) == []


def test_suspected_pairs_stop_at_the_scope(eo_a, country):
    make_family(country.village_a1, {"last_name": "Kimaro", "other_names": "Upendo", "dob": date(1999, 9, 9)})
    make_family(country.village_b1, {"last_name": "Kimaro", "other_names": "Upendo", "dob": date(1999, 9, 9)})
    assert duplicates.suspected_pairs(user=eo_a) == []


def test_dismissal_is_recorded_ordered_idempotent_and_hides_the_pair(eo_a, twins, country):
    first, second = twins
    dismissal = duplicates.duplicate_dismiss(user=eo_a, first=second, second=first, note="different mothers")
    assert (dismissal.first_id, dismissal.second_id) == (first.pk, second.pk)
    assert dismissal.dismissed_by == eo_a and dismissal.note == "different mothers"
    again = duplicates.duplicate_dismiss(user=eo_a, first=first, second=second)
    assert again.pk == dismissal.pk and DuplicateDismissal.objects.count() == 1
    assert duplicates.suspected_pairs(user=eo_a) == []
    found = duplicates.likely_duplicates(
        user=eo_a, last_name="Mushi", other_names="Neema", dob=date(2001, 2, 3), exclude_pk=first.pk
    )
    assert second not in [c.insuree for c in found]


def test_dismissal_outside_scope_or_without_permission_is_refused(eo_b, twins, country):
    with pytest.raises(PermissionDeniedError):
        duplicates.duplicate_dismiss(user=eo_b, first=twins[0], second=twins[1])
    from openimis.accounts import roles
    from tests.factories import UserFactory

    receptionist = UserFactory.create(role=roles.RECEPTIONIST, scope=[country.district_a])
    with pytest.raises(PermissionDeniedError):
        duplicates.duplicate_dismiss(user=receptionist, first=twins[0], second=twins[1])
    assert not DuplicateDismissal.objects.exists()


# --- pages -------------------------------------------------------------------------------------------------


def test_duplicate_check_fragment_warns_inline(login, eo_a, country, joseph):
    response = login(eo_a).get(
        reverse("insuree:duplicate_check"),
        {
            "prefix": "head",
            "head-last_name": "Mwangi",
            "head-other_names": "Joseph Kamau",
            "head-dob": "1980-04-12",
            "head-phone": "",
            "head-identity_number": "",
            "village": str(country.village_a1.pk),
        },
    )
    assert response.status_code == 200
    assert "Mwangi" in response.content.decode() and joseph.insurance_number in response.content.decode()


def test_duplicate_check_fragment_is_empty_without_match_and_forbidden_without_permission(login, eo_a, country):
    response = login(eo_a).get(reverse("insuree:duplicate_check"), {"prefix": "x", "x-last_name": "Nobody"})
    assert response.status_code == 200 and response.content.decode().strip() == ""
    from openimis.accounts import roles
    from tests.factories import UserFactory

    accountant = UserFactory.create(role=roles.ACCOUNTANT, scope=[country.district_a])
    assert login(accountant).get(reverse("insuree:duplicate_check")).status_code == 403


def test_duplicate_list_page_and_dismiss(login, eo_a, twins):
    client = login(eo_a)
    page = client.get(reverse("insuree:duplicate_list"))
    assert page.status_code == 200
    assert "Neema J" in page.content.decode() and "Not the same person" in page.content.decode()
    response = client.post(
        reverse("insuree:duplicate_dismiss"), {"first": str(twins[0].uuid), "second": str(twins[1].uuid)}
    )
    assert response.status_code == 302
    assert DuplicateDismissal.objects.filter(first=twins[0], second=twins[1], dismissed_by=eo_a).exists()
    after = client.get(reverse("insuree:duplicate_list")).content.decode()
    assert "are not the same person" in after and "No suspected duplicates in your area." in after


def test_dismiss_of_people_out_of_scope_is_not_found(login, eo_b, twins):
    response = login(eo_b).post(
        reverse("insuree:duplicate_dismiss"), {"first": str(twins[0].uuid), "second": str(twins[1].uuid)}
    )
    assert response.status_code == 404
    assert not DuplicateDismissal.objects.exists()
