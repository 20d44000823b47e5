"""The review queue page: waiting claims with their flags, filters, the panel with the flags explained, deciding
with HTMX (next claim shown, the decided row removed), bulk approval, who may see it, and its query count."""

# ruff: noqa: F811 - `insured` is the submission tests' fixture, imported

from decimal import Decimal

import pytest
from django.urls import reverse

from claim import submission
from claim.models import Claim, ClaimFlag, ClaimItem, ClaimStatus, FlagCode, ReviewStatus

from .test_submission import _enter, insured  # noqa: F401 - the covered family and its registers

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def queue(settings, claim_admin, country, sale, insured):
    """Three claims selected for review (random sample of 100 %), one passed, one still entered."""
    settings.CLAIM_FLAGS = {**settings.CLAIM_FLAGS, "late_entry": {"enabled": False}}  # the visits are months old
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 100.0
    waiting = [_enter(claim_admin, country, sale.family, code=f"Q{n}") for n in range(3)]
    submission.claims_submit(user=claim_admin, claims=waiting)
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 0.0
    passed = _enter(claim_admin, country, sale.family, code="PASSED")
    submission.claims_submit(user=claim_admin, claims=[passed])
    _enter(claim_admin, country, sale.family, code="ENTERED")
    ClaimFlag.objects.create(claim=waiting[1], code=FlagCode.FREQUENT, params={"claims": 7, "days": 30, "limit": 6})
    return [Claim.objects.get(pk=c.pk) for c in waiting]


def test_the_queue_lists_waiting_claims_with_their_flags(login, medical_officer, queue):
    page = login(medical_officer).get(reverse("claim:review_queue"))
    assert page.status_code == 200
    html = page.content.decode()
    for claim in queue:
        assert f'id="row-{claim.uuid}"' in html
    assert "PASSED" not in html and "ENTERED" not in html
    assert page.context["page_obj"].paginator.count == 3
    # the first waiting claim is open in the panel, its flag explained
    assert page.context["claim"].pk == queue[0].pk
    assert "Picked in the random sample of 100.0 % of the claims." in html
    assert page.context["share"].percent == Decimal("25.0")  # 1 of the 4 checked claims passed automatically


def test_filters_by_flag_and_amount(login, medical_officer, queue):
    client = login(medical_officer)
    by_flag = client.get(reverse("claim:review_queue"), {"flag": FlagCode.FREQUENT})
    assert [c.code for c in by_flag.context["page_obj"]] == ["Q1"]
    assert "7 claims for this person within 30 days." in by_flag.content.decode()
    Claim.objects.filter(pk=queue[2].pk).update(claimed=Decimal("90000"))
    by_amount = client.get(reverse("claim:review_queue"), {"amount_min": "50000"})
    assert [c.code for c in by_amount.context["page_obj"]] == ["Q2"]
    bad = client.get(reverse("claim:review_queue"), {"visit_from": "2026-05-04", "visit_to": "2026-05-01"})
    assert "The end is before the start." in bad.content.decode()


def test_the_panel_alone_for_htmx(login, medical_officer, queue):
    response = login(medical_officer).get(reverse("claim:review_claim", args=[queue[1].uuid]), **HX)
    html = response.content.decode()
    assert "<html" not in html and 'id="review-current"' in html and "Q1" in html
    assert "7 claims for this person within 30 days." in html


def _decision(claim, **changes):
    item = ClaimItem.objects.get(claim=claim)
    service = claim.services.get()
    data = {
        "action": "approve",
        f"item-{item.pk}-passed": "1",
        f"item-{item.pk}-qty": "10",
        f"item-{item.pk}-price": "300",
        f"service-{service.pk}-passed": "1",
        f"service-{service.pk}-qty": "1",
        f"service-{service.pk}-price": "4500",
    }
    return {**data, **{k.format(item=item.pk, service=service.pk): v for k, v in changes.items()}}


def test_approving_shows_the_next_claim_and_removes_the_row(
    login, medical_officer, queue, django_capture_on_commit_callbacks
):
    client = login(medical_officer)
    url = reverse("claim:review_decide", args=[queue[0].uuid])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, _decision(queue[0], **{"item-{item}-qty": "8"}), **HX)
    html = response.content.decode()
    assert "Claim Q0 approved." in html
    assert f'id="row-{queue[0].uuid}" hx-swap-oob="delete"' in html
    assert response.context["claim"].pk == queue[1].pk  # the next one
    assert response["HX-Push-Url"] == reverse("claim:review_claim", args=[queue[1].uuid])
    assert len(callbacks) == 1  # processing, once committed
    decided = Claim.objects.get(pk=queue[0].pk)
    assert (decided.review_status, decided.reviewed_by, decided.approved) == (
        ReviewStatus.DELIVERED,
        medical_officer,
        Decimal("6900.00"),  # 8 x 300 + 4500
    )


def test_a_wrong_decision_is_shown_on_its_input_and_nothing_changes(login, medical_officer, queue):
    response = login(medical_officer).post(
        reverse("claim:review_decide", args=[queue[0].uuid]),
        _decision(queue[0], **{"item-{item}-qty": "12", "service-{service}-passed": ""}),
        **HX,
    )
    html = response.content.decode()
    assert "At most the quantity provided (10)." in html
    assert "Say why the line is rejected." in html
    assert response.context["claim"].pk == queue[0].pk  # the same claim, to correct
    assert Claim.objects.get(pk=queue[0].pk).review_status == ReviewStatus.SELECTED


def test_reject_from_the_panel_needs_a_reason(login, medical_officer, queue):
    client = login(medical_officer)
    url = reverse("claim:review_decide", args=[queue[2].uuid])
    refused = client.post(url, {"action": "reject", "justification": ""}, **HX)
    assert "Say why the claim is rejected." in refused.content.decode()
    client.post(url, {"action": "reject", "justification": "Duplicate of Q1"}, **HX)
    assert Claim.objects.get(pk=queue[2].pk).status == ClaimStatus.REJECTED


def test_bulk_approve_the_ticked_claims(login, medical_officer, queue):
    response = login(medical_officer).post(
        reverse("claim:review_approve_selected"), {"claim": [queue[0].uuid, queue[2].uuid], "query": "flag="}
    )
    assert response.status_code == 302
    statuses = dict(Claim.objects.filter(code__startswith="Q").values_list("code", "review_status"))
    assert statuses == {"Q0": ReviewStatus.DELIVERED, "Q1": ReviewStatus.SELECTED, "Q2": ReviewStatus.DELIVERED}


def test_without_javascript_a_decision_redirects_to_the_queue(login, medical_officer, queue):
    response = login(medical_officer).post(
        reverse("claim:review_decide", args=[queue[0].uuid]), {"action": "bypass", "query": "amount_min=1"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/claims/review/?amount_min=1")
    assert Claim.objects.get(pk=queue[0].pk).review_status == ReviewStatus.BYPASSED


def test_who_sees_the_queue(login, claim_admin, medical_officer, queue, country):
    assert login(claim_admin).get(reverse("claim:review_queue")).status_code == 403
    from openimis.accounts import roles
    from tests.factories import UserFactory

    officer_b = UserFactory.create(username="mo_b", role=roles.MEDICAL_OFFICER, scope=[country.region_b])
    client = login(officer_b)
    assert client.get(reverse("claim:review_queue")).context["page_obj"].paginator.count == 0
    assert client.get(reverse("claim:review_claim", args=[queue[0].uuid])).status_code == 404


def test_the_queue_page_costs_a_fixed_number_of_queries(
    login, medical_officer, queue, claim_admin, country, sale, settings, django_assert_max_num_queries
):
    client = login(medical_officer)
    client.get(reverse("claim:review_queue"))  # warm the session and permission caches
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("claim:review_queue"))
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 100.0
    more = [_enter(claim_admin, country, sale.family, code=f"M{n}") for n in range(20)]
    submission.claims_submit(user=claim_admin, claims=more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("claim:review_queue"))
