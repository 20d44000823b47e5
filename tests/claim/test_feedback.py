"""The insurees' feedback on claims (reference sec. 6.7): selecting submitted claims (all or none, each refusal
named), recording the answers once (date and assessment checked, the claim Delivered), the pages (claim list,
the claim's card, the feedback list and page) and the API; scope and permissions of each."""

from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from claim import feedback, processing, submission
from claim.exceptions import ClaimError, ClaimStateError
from claim.models import Claim, ClaimStatus, Feedback, ReviewStatus
from openimis.accounts import roles
from openimis.common.exceptions import PermissionDeniedError
from tests.factories import FacilityFactory, UserFactory

from .test_submission import VISIT, _enter, insured  # noqa: F401 - the covered person and price lists

pytestmark = pytest.mark.django_db
URL = "/api/v1/claims/"
ASKED = date(2026, 5, 20)
ANSWERS: dict[str, Any] = {
    "feedback_date": ASKED,
    "care_rendered": True,
    "payment_asked": False,
    "drug_prescribed": True,
    "drug_received": None,
    "assessment": 4,
    "comment": " Kind staff ",
}


@pytest.fixture
def checked(claim_admin, country, sale, insured):  # noqa: F811
    """A claim of facility A, submitted and Checked."""
    claim = _enter(claim_admin, country, sale.family, code="HFA-1")
    submission.claims_submit(user=claim_admin, claims=[claim])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED
    return claim


@pytest.fixture
def entered(claim_admin, country, sale, checked):
    return _enter(claim_admin, country, sale.family, code="HFA-2")


@pytest.fixture
def claim_b(claim_admin, country, sale, checked):
    """A Checked claim of facility B (outside region A's scope), written straight to the table."""
    return Claim.objects.create(
        code="HFB-1",
        facility=country.facility_b,
        insuree=sale.family_b.head,
        date_from=VISIT,
        date_claimed=VISIT,
        icd=checked.icd,
        status=ClaimStatus.CHECKED,
        created_by=claim_admin,
    )


@pytest.fixture
def selected(medical_officer, checked):
    feedback.claims_select_for_feedback(user=medical_officer, claims=[checked])
    checked.refresh_from_db()
    return checked


@pytest.fixture
def medical_officer_b(country):
    return UserFactory.create(username="medical_officer_b", role=roles.MEDICAL_OFFICER, scope=[country.region_b])


@pytest.fixture
def eo_with_feedback(eo_a):
    """The enrolment officer of district A, given the right to record feedback (and nothing else on claims)."""
    eo_a.user_permissions.add(Permission.objects.get(content_type__app_label="claim", codename="feedback_claim"))
    return type(eo_a).objects.get(pk=eo_a.pk)  # a fresh object: permissions are cached per object


def _status(claim) -> int:
    claim.refresh_from_db()
    return claim.feedback_status


# --- selecting (service) -------------------------------------------------------------------------------------------


def test_selecting_submitted_claims(medical_officer, checked, claim_admin, country, sale):
    processed = _enter(claim_admin, country, sale.family, code="HFA-3")
    Claim.objects.filter(pk=processed.pk).update(status=ClaimStatus.VALUATED, feedback_status=ReviewStatus.NOT_SELECTED)
    processed.refresh_from_db()
    result = feedback.claims_select_for_feedback(user=medical_officer, claims=[checked, processed, checked])
    assert [c.pk for c in result] == [checked.pk, processed.pk]
    assert all(c.feedback_status == ReviewStatus.SELECTED for c in result)
    assert _status(checked) == _status(processed) == ReviewStatus.SELECTED


@pytest.mark.parametrize(
    ("status", "feedback_status", "reason"),
    [
        (ClaimStatus.ENTERED, ReviewStatus.IDLE, "HFA-2 is entered: only checked, processed or valuated claims"),
        (ClaimStatus.REJECTED, ReviewStatus.IDLE, "HFA-2 is rejected"),
        (ClaimStatus.CHECKED, ReviewStatus.SELECTED, "Feedback on HFA-2 is already selected."),
        (ClaimStatus.CHECKED, ReviewStatus.DELIVERED, "Feedback on HFA-2 is already delivered."),
        (ClaimStatus.VALUATED, ReviewStatus.BYPASSED, "Feedback on HFA-2 is already bypassed."),
    ],
)
def test_a_claim_that_cannot_be_selected_refuses_the_whole_set(
    medical_officer, checked, entered, status, feedback_status, reason
):
    Claim.objects.filter(pk=entered.pk).update(status=status, feedback_status=feedback_status)
    with pytest.raises(ClaimStateError) as exc:
        feedback.claims_select_for_feedback(user=medical_officer, claims=[checked, entered])
    assert exc.value.code == "claim_not_selectable" and exc.value.status_code == 409
    assert exc.value.message == "1 claim cannot be selected for feedback: HFA-2."
    assert list(exc.value.fields) == ["claims.1"] and reason in exc.value.fields["claims.1"][0]
    assert _status(checked) == ReviewStatus.IDLE  # nothing written
    assert _status(entered) == feedback_status


def test_selecting_needs_the_permission_and_the_scope(claim_admin, medical_officer_b, medical_officer, checked):
    with pytest.raises(PermissionDeniedError):
        feedback.claims_select_for_feedback(user=claim_admin, claims=[checked])
    with pytest.raises(PermissionDeniedError):
        feedback.claims_select_for_feedback(user=medical_officer_b, claims=[checked])
    with pytest.raises(ClaimError):
        feedback.claims_select_for_feedback(user=medical_officer, claims=[])
    assert _status(checked) == ReviewStatus.IDLE


def test_a_selected_claim_processed_before_the_answers_still_takes_them(medical_officer, selected):
    """Feedback does not hold payment: processing leaves it Selected."""
    processing.claims_process(user=medical_officer, claims=[selected])
    selected.refresh_from_db()
    assert (selected.status, selected.feedback_status) == (ClaimStatus.VALUATED, ReviewStatus.SELECTED)
    feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS)
    assert _status(selected) == ReviewStatus.DELIVERED


def test_a_bypassed_feedback_takes_no_answers(medical_officer, selected):
    Claim.objects.filter(pk=selected.pk).update(feedback_status=ReviewStatus.BYPASSED)
    with pytest.raises(ClaimStateError) as exc:
        feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS)
    assert exc.value.code == "feedback_not_expected"
    assert "(its feedback is bypassed)" in exc.value.message and not Feedback.objects.exists()


# --- recording (service) -------------------------------------------------------------------------------------------


def test_recording_the_answers(medical_officer, selected):
    answers = feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS)
    answers.refresh_from_db()
    assert (answers.claim, answers.feedback_date, answers.recorded_by) == (selected, ASKED, medical_officer)
    assert (answers.care_rendered, answers.payment_asked, answers.drug_prescribed, answers.drug_received) == (
        True,
        False,
        True,
        None,
    )
    assert (answers.assessment, answers.comment) == (4, "Kind staff")
    assert _status(selected) == ReviewStatus.DELIVERED


def test_answers_may_be_unknown_and_the_assessment_left_out(medical_officer, selected):
    answers = feedback.feedback_record(user=medical_officer, claim=selected, feedback_date=VISIT)
    assert (answers.care_rendered, answers.assessment, answers.comment) == (None, None, "")


def test_a_second_record_is_refused(medical_officer, selected):
    feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS)
    with pytest.raises(ClaimStateError) as exc:
        feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS | {"assessment": 1})
    assert exc.value.code == "feedback_already_recorded"
    assert Feedback.objects.get().assessment == 4


def test_the_one_row_per_claim_backs_the_status(medical_officer, selected):
    """A claim put back to Selected with its answers still there: the database's one row per claim refuses."""
    feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS)
    Claim.objects.filter(pk=selected.pk).update(feedback_status=ReviewStatus.SELECTED)
    with pytest.raises(ClaimStateError) as exc:
        feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS)
    assert exc.value.code == "feedback_already_recorded"
    assert Feedback.objects.count() == 1


def test_a_claim_not_selected_takes_no_answers(medical_officer, checked):
    with pytest.raises(ClaimStateError) as exc:
        feedback.feedback_record(user=medical_officer, claim=checked, **ANSWERS)
    assert exc.value.code == "feedback_not_expected" and exc.value.status_code == 409
    assert not Feedback.objects.exists() and _status(checked) == ReviewStatus.IDLE


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"feedback_date": None}, "feedback_date", "Give the date of the interview."),
        ({"feedback_date": VISIT - timedelta(days=1)}, "feedback_date", "The interview cannot be before the visit."),
        ({"assessment": 0}, "assessment", "The assessment is from 1 (very poor) to 5 (very good)."),
        ({"assessment": 6}, "assessment", "The assessment is from 1 (very poor) to 5 (very good)."),
        ({"care_rendered": "yes"}, "care_rendered", "Answer yes, no or unknown."),
    ],
)
def test_bad_answers_name_the_field_and_nothing_is_written(medical_officer, selected, changes, field, message):
    with pytest.raises(ClaimError) as exc:
        feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS | changes)
    assert exc.value.fields[field] == [message]
    assert not Feedback.objects.exists() and _status(selected) == ReviewStatus.SELECTED


def test_the_interview_cannot_be_in_the_future(medical_officer, selected):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ClaimError) as exc:
        feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS | {"feedback_date": tomorrow})
    assert exc.value.fields == {"feedback_date": ["The interview cannot be in the future."]}


def test_recording_is_one_transaction(medical_officer, selected):
    with mock.patch.object(Claim, "save", side_effect=IntegrityError("refused")), pytest.raises(IntegrityError):
        feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS)
    assert not Feedback.objects.exists() and _status(selected) == ReviewStatus.SELECTED


def test_recording_needs_the_permission_and_the_scope(claim_admin, medical_officer_b, selected):
    for user in (claim_admin, medical_officer_b):
        with pytest.raises(PermissionDeniedError):
            feedback.feedback_record(user=user, claim=selected, **ANSWERS)
    assert not Feedback.objects.exists()


# --- the claim list and the claim's page ---------------------------------------------------------------------------


def test_selecting_from_the_claim_list(login, medical_officer, checked, entered):
    client = login(medical_officer)
    page = client.get(reverse("claim:claim_list")).content.decode()
    assert "Select for feedback" in page and "Submit selected" not in page
    assert f'value="{checked.uuid}"' in page and f'value="{entered.uuid}"' not in page  # only submitted ones
    back = reverse("claim:claim_list") + "?status=4"
    response = client.post(reverse("claim:claims_select_feedback"), {"claim": [str(checked.uuid)], "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert _status(checked) == ReviewStatus.SELECTED
    page = client.get(back).content.decode()
    assert "1 claim selected for feedback." in page and f'value="{checked.uuid}"' not in page
    assert '<span class="visually-hidden">Feedback</span> Selected' in page


def test_a_refused_selection_from_the_list_names_the_claim(login, medical_officer, checked, entered):
    client = login(medical_officer)
    data = {"claim": [str(checked.uuid), str(entered.uuid)]}
    page = client.post(reverse("claim:claims_select_feedback"), data, follow=True).content.decode()
    assert "HFA-2 is entered: only checked, processed or valuated claims are selected for feedback." in page
    assert _status(checked) == ReviewStatus.IDLE


def test_the_claim_administrator_has_no_selection_for_feedback(login, claim_admin, checked):
    client = login(claim_admin)
    page = client.get(reverse("claim:claim_list")).content.decode()
    assert "Select for feedback" not in page and "Submit selected" in page
    assert 'id="feedback-card"' not in client.get(reverse("claim:claim_detail", args=[checked.uuid])).content.decode()
    assert client.post(reverse("claim:claims_select_feedback"), {"claim": [str(checked.uuid)]}).status_code == 403
    assert _status(checked) == ReviewStatus.IDLE


def test_selecting_out_of_scope_from_the_list_is_a_404(login, medical_officer, checked, claim_b):
    data = {"claim": [str(checked.uuid), str(claim_b.uuid)]}
    assert login(medical_officer).post(reverse("claim:claims_select_feedback"), data).status_code == 404
    assert _status(checked) == _status(claim_b) == ReviewStatus.IDLE


def test_the_feedback_card_from_selection_to_answers(login, medical_officer, checked):
    client = login(medical_officer)
    detail = reverse("claim:claim_detail", args=[checked.uuid])
    page = client.get(detail).content.decode()
    assert 'id="feedback-card"' in page and 'id="select-feedback"' in page and "Idle" in page
    page = client.post(
        reverse("claim:claims_select_feedback"), {"claim": [str(checked.uuid)], "next": detail}, follow=True
    ).content.decode()
    assert 'id="feedback-form"' in page and 'id="select-feedback"' not in page
    assert 'name="care_rendered" value="unknown"' in page and 'name="assessment"' in page
    data = {"feedback_date": "2026-05-20", "care_rendered": "yes", "payment_asked": "no", "drug_prescribed": "yes"}
    data |= {"drug_received": "unknown", "assessment": "5", "comment": "Fine", "next": detail}
    response = client.post(reverse("claim:claim_feedback", args=[checked.uuid]), data)
    assert response.status_code == 302 and response["Location"] == detail
    answers = Feedback.objects.get(claim=checked)
    assert (answers.care_rendered, answers.payment_asked, answers.drug_received, answers.assessment) == (
        True,
        False,
        None,
        5,
    )
    page = client.get(detail).content.decode()
    assert 'id="feedback-answers"' in page and 'id="feedback-form"' not in page
    assert "The feedback on claim HFA-1 was recorded." in page and "Very good" in page and "Delivered" in page


def test_a_bad_answer_is_shown_on_its_input(login, medical_officer, selected):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {"feedback_date": tomorrow, "care_rendered": "yes", "assessment": "3"}
    response = login(medical_officer).post(reverse("claim:claim_feedback", args=[selected.uuid]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_feedback_date_error"' in page and "The interview cannot be in the future." in page
    assert not Feedback.objects.exists()
    data = {"feedback_date": "2026-04-01"}
    page = login(medical_officer).post(reverse("claim:claim_feedback", args=[selected.uuid]), data).content.decode()
    assert "The interview cannot be before the visit." in page and not Feedback.objects.exists()


def test_answers_on_a_claim_not_selected_are_refused_on_the_page(login, medical_officer, checked):
    url = reverse("claim:claim_feedback", args=[checked.uuid])
    page = login(medical_officer).post(url, {"feedback_date": "2026-05-20"}, follow=True).content.decode()
    assert "This claim is not waiting for feedback." in page and 'id="feedback-form"' not in page
    assert not Feedback.objects.exists()


# --- the feedback list ---------------------------------------------------------------------------------------------


def test_the_feedback_list_shows_the_selected_claims_in_scope(
    login, medical_officer, selected, claim_b, entered, medical_officer_b
):
    Claim.objects.filter(pk=claim_b.pk).update(feedback_status=ReviewStatus.SELECTED)
    client = login(medical_officer)
    url = reverse("claim:feedback_list")
    page = client.get(url).content.decode()
    assert "HFA-1" in page and "HFB-1" not in page and "HFA-2" not in page
    assert reverse("claim:claim_feedback", args=[selected.uuid]) in page and "Village A1" in page
    page = login(medical_officer_b).get(url).content.decode()
    assert "HFB-1" in page and "HFA-1" not in page


def test_the_feedback_list_filters(login, medical_officer, selected, country):
    client = login(medical_officer)
    url = reverse("claim:feedback_list")
    assert "HFA-1" in client.get(url, {"facility": str(country.facility_a.uuid)}).content.decode()
    other = FacilityFactory.create(code="HFA2", name="Facility A2", district=country.district_a)
    assert "HFA-1" not in client.get(url, {"facility": str(other.uuid)}).content.decode()
    page = client.get(url, {"facility": str(country.facility_b.uuid)}).content.decode()  # not in the scope
    assert 'id="id_facility_error"' in page
    assert "HFA-1" in client.get(url, {"visit_from": "2026-05-04", "visit_to": "2026-05-04"}).content.decode()
    assert "HFA-1" not in client.get(url, {"visit_from": "2026-05-05"}).content.decode()
    assert "HFA-1" not in client.get(url, {"visit_to": "2026-05-03"}).content.decode()
    assert "HFA-1" not in client.get(url, {"delivered": "1"}).content.decode()
    feedback.feedback_record(user=medical_officer, claim=selected, **ANSWERS)
    assert "HFA-1" not in client.get(url).content.decode()
    assert "HFA-1" in client.get(url, {"delivered": "1"}).content.decode()


def test_the_feedback_list_is_a_fixed_number_of_queries(
    login, medical_officer, selected, claim_admin, country, sale, django_assert_max_num_queries
):
    more = [_enter(claim_admin, country, sale.family, code=f"HFA-{i}") for i in range(3, 8)]
    Claim.objects.filter(pk__in=[c.pk for c in more]).update(
        status=ClaimStatus.CHECKED, feedback_status=ReviewStatus.SELECTED
    )
    client = login(medical_officer)
    client.get(reverse("claim:feedback_list"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("claim:feedback_list")).content.decode()
    assert "HFA-7" in page


def test_an_enrolment_officer_with_the_right_records_answers_from_the_list(login, eo_with_feedback, selected):
    client = login(eo_with_feedback)
    page = client.get(reverse("claim:feedback_list")).content.decode()
    record = reverse("claim:claim_feedback", args=[selected.uuid])
    assert record in page and f'href="{reverse("claim:claim_detail", args=[selected.uuid])}"' not in page
    page = client.get(record).content.decode()
    assert 'id="feedback-form"' in page and selected.services.get().service.name in page  # what was given
    assert f'name="next" value="{reverse("claim:feedback_list")}"' in page
    data = {"feedback_date": "2026-05-20", "care_rendered": "no", "next": reverse("claim:feedback_list")}
    response = client.post(record, data)
    assert response.status_code == 302 and response["Location"] == reverse("claim:feedback_list")
    assert Feedback.objects.get().recorded_by == eo_with_feedback and _status(selected) == ReviewStatus.DELIVERED
    assert client.get(reverse("claim:claim_detail", args=[selected.uuid])).status_code == 403


def test_the_feedback_pages_need_the_permission(login, claim_admin, eo_b, selected):
    client = login(claim_admin)  # enters claims, does not interview insurees
    assert client.get(reverse("claim:feedback_list")).status_code == 403
    url = reverse("claim:claim_feedback", args=[selected.uuid])
    assert client.get(url).status_code == 403
    assert client.post(url, {"feedback_date": "2026-05-20"}).status_code == 403
    # an enrolment officer interviews insurees, in their own district only
    client = login(eo_b)
    assert client.get(reverse("claim:feedback_list")).context["page_obj"].paginator.count == 0
    assert client.get(url).status_code == 404
    assert client.post(url, {"feedback_date": "2026-05-20"}).status_code == 404
    assert not Feedback.objects.exists()


def test_a_feedback_page_out_of_scope_is_a_404(login, medical_officer_b, selected):
    url = reverse("claim:claim_feedback", args=[selected.uuid])
    client = login(medical_officer_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"feedback_date": "2026-05-20"}).status_code == 404
    assert not Feedback.objects.exists()


# --- the API -------------------------------------------------------------------------------------------------------


def refused(response, status: int, *fields: str, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    data = response.json()
    assert set(data) == {"code", "detail", "fields"}
    assert set(fields) <= set(data["fields"]), data
    if code is not None:
        assert data["code"] == code, data
    return data


def _api_answers(**changes):
    return {"feedback_date": "2026-05-20", "care_rendered": True, "payment_asked": False, "assessment": 4} | changes


def test_select_and_record_with_the_api(api, medical_officer, checked):
    client = api(medical_officer)
    detail = client.get(f"{URL}{checked.uuid}/").json()
    assert (detail["feedback_status"], detail["feedback_status_label"], detail["feedback"]) == (1, "Idle", None)
    response = client.post(f"{URL}feedback/select/", {"claims": [str(checked.uuid)]}, format="json")
    assert response.status_code == 200, response.content
    [claim] = response.json()["claims"]
    assert (claim["uuid"], claim["feedback_status"], claim["feedback_status_label"]) == (
        str(checked.uuid),
        4,
        "Selected",
    )
    response = client.post(f"{URL}{checked.uuid}/feedback/", _api_answers(comment="ok"), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["feedback_status"], data["feedback_status_label"]) == (8, "Delivered")
    answers = data["feedback"]
    assert (answers["feedback_date"], answers["care_rendered"], answers["payment_asked"]) == ("2026-05-20", True, False)
    assert (answers["drug_prescribed"], answers["drug_received"], answers["assessment"], answers["comment"]) == (
        None,
        None,
        4,
        "ok",
    )
    assert client.get(f"{URL}{checked.uuid}/").json() == data
    # once only
    again = client.post(f"{URL}{checked.uuid}/feedback/", _api_answers(), format="json")
    refused(again, 409, code="feedback_already_recorded")
    assert Feedback.objects.count() == 1


def test_select_refuses_the_whole_set_by_place(api, medical_officer, checked, entered, claim_b):
    client = api(medical_officer)
    body = {"claims": [str(checked.uuid), str(entered.uuid)]}
    data = refused(client.post(f"{URL}feedback/select/", body, format="json"), 409, code="claim_not_selectable")
    assert list(data["fields"]) == ["claims.1"] and "HFA-2 is entered" in data["fields"]["claims.1"][0]
    body = {"claims": [str(checked.uuid), str(claim_b.uuid)]}
    refused(client.post(f"{URL}feedback/select/", body, format="json"), 400, "claims.1", code="not_found")
    refused(client.post(f"{URL}feedback/select/", {"claims": []}, format="json"), 400, "claims", code="invalid")
    refused(client.post(f"{URL}feedback/select/", {"claims": ["abc"]}, format="json"), 400, "claims.0")
    assert _status(checked) == _status(claim_b) == ReviewStatus.IDLE


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"feedback_date": "2026-04-01"}, "feedback_date", "claim_invalid"),
        ({"feedback_date": "2099-01-01"}, "feedback_date", "claim_invalid"),
        ({"feedback_date": "soon"}, "feedback_date", "invalid"),
        ({"feedback_date": None}, "feedback_date", "invalid"),
        ({"assessment": 7}, "assessment", "claim_invalid"),
        ({"assessment": "good"}, "assessment", "invalid"),
        ({"care_rendered": "maybe"}, "care_rendered", "invalid"),
    ],
)
def test_record_bad_answers_name_the_field(api, medical_officer, selected, changes, field, code):
    response = api(medical_officer).post(f"{URL}{selected.uuid}/feedback/", _api_answers(**changes), format="json")
    refused(response, 400, field, code=code)
    assert not Feedback.objects.exists() and _status(selected) == ReviewStatus.SELECTED


def test_record_on_a_claim_not_selected_is_a_409(api, medical_officer, checked):
    response = api(medical_officer).post(f"{URL}{checked.uuid}/feedback/", _api_answers(), format="json")
    refused(response, 409, code="feedback_not_expected")


def test_the_feedback_api_is_scoped_and_needs_the_permissions(api, claim_admin, medical_officer_b, eo_a, selected):
    body = {"claims": [str(selected.uuid)]}
    refused(api(medical_officer_b).post(f"{URL}{selected.uuid}/feedback/", _api_answers(), format="json"), 404)
    refused(api(medical_officer_b).post(f"{URL}feedback/select/", body, format="json"), 400, "claims.0")
    client = api(claim_admin)
    refused(client.post(f"{URL}{selected.uuid}/feedback/", _api_answers(), format="json"), 403)
    refused(client.post(f"{URL}feedback/select/", body, format="json"), 403)
    refused(api(eo_a).post(f"{URL}feedback/select/", body, format="json"), 403)  # records answers, selects not
    assert api().post(f"{URL}feedback/select/", body, format="json").status_code in (401, 403)
    assert not Feedback.objects.exists()


def test_the_feedback_api_is_documented(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {"200", "409"} <= set(paths["/api/v1/claims/feedback/select/"]["post"]["responses"])
    assert {"201", "404", "409"} <= set(paths["/api/v1/claims/{uuid}/feedback/"]["post"]["responses"])
