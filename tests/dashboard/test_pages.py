"""The dashboard page: who may open it and which panels each role gets, the figures summed over the districts of the
user's scope (nothing of another district), the live review backlog, and the page before any refresh."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from claim.models import Claim
from dashboard import services
from openimis.accounts import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:dashboard")


def _charts(response) -> dict:
    """The figures the page hands to its script, by chart."""
    content = response.content.decode()
    start = content.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">'
    )
    data = json.loads(content[start : content.index("</script>", start)])
    return {chart["id"]: chart for chart in data}


def _series(chart: dict) -> dict:
    return {s["label"]: dict(zip(chart["labels"], s["data"], strict=True)) for s in chart["datasets"]}


@pytest.fixture
def refreshed(scheme, dates):
    services.figures_refresh(today=dates.today)


# --- permissions ----------------------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize(
    "role", [roles.RECEPTIONIST, roles.CLAIM_ADMINISTRATOR, roles.CLERK, roles.SYSTEM_ADMINISTRATOR]
)
def test_roles_without_a_dashboard_are_forbidden(login, country, role):
    user = UserFactory.create(username="someone", role=role, scope=[country.district_a])
    assert login(user).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("fixture", "panels"),
    [
        ("eo_a", ["enrolment"]),
        ("medical_officer", ["claims"]),
        ("accountant", ["enrolment", "money"]),
        ("manager", ["enrolment", "money", "claims"]),
        ("scheme_admin", ["enrolment", "money", "claims"]),
    ],
)
def test_each_role_gets_its_panels(request, login, refreshed, fixture, panels):
    user = request.getfixturevalue(fixture)
    response = login(user).get(URL)

    assert response.status_code == 200
    assert response.context["board"].panels == panels
    content = response.content.decode()
    assert f'href="{URL}"' in content  # the menu entry
    assert ('id="review-backlog"' in content) == ("claims" in panels)
    assert ('id="chart-contributions"' in content) == ("money" in panels)


# --- figures and scope ---------------------------------------------------------------------------------------------


def test_a_national_manager_sees_both_districts_summed(login, manager, refreshed, dates):
    response = login(manager).get(URL)
    charts = _charts(response)
    now = response.context["board"].sections[0].charts[0].labels[-1]

    enrolment = _series(charts["enrolment"])
    assert (enrolment["New policies"][now], enrolment["Renewals"][now]) == (1, 2)  # B's new policy, A's renewals
    coverage = _series(charts["coverage"])
    assert coverage["Covered by an active policy"] == {"Region A": 3, "Region B": 1}  # by region: two regions
    contributions = _series(charts["contributions"])
    assert (contributions["Due (policy value)"][now], contributions["Collected"][now]) == ("200.00", "70.00")
    amounts = _series(charts["claim_amounts"])
    assert (amounts["Claimed"][now], amounts["Valuated"][now]) == ("89.00", "65.50")
    assert response.context["board"].districts == 2
    assert response.context["board"].auto_pass_percent == Decimal("66.7")  # 2 of the 3 adjudicated
    assert "Figures as of" in response.content.decode()


def test_a_district_manager_sees_nothing_of_another_district(login, manager_a, refreshed):
    response = login(manager_a).get(URL)
    charts = _charts(response)
    content = response.content.decode()
    now = response.context["board"].sections[0].charts[0].labels[-1]

    assert _series(charts["coverage"])["Registered"] == {"District A": 4}
    assert _series(charts["enrolment"])["New policies"][now] == 0  # district B's new policy is not counted
    amounts = _series(charts["claim_amounts"])
    assert amounts["Claimed"][now] == "49.00" and amounts["Valuated"][now] == "25.50"
    assert _series(charts["claim_status"])["Processed"][now] == 0  # C7 is district B's
    assert _series(charts["rejections"])["Rejected claims"] == {
        "No product of the insuree covers it": 2,
        "Given again too soon (frequency)": 1,
    }
    assert "District B" not in content and "Region B" not in content
    assert response.context["board"].districts == 1


def test_the_review_backlog_is_counted_live(login, medical_officer, scheme):
    response = login(medical_officer).get(URL)  # no refresh: the backlog needs none
    backlog = response.context["board"].backlog
    waiting = Claim.objects.get(code="C3")  # the one claim selected for review, in region A

    assert backlog.waiting == 1 and backlog.under_a_week + backlog.under_a_month + backlog.older == 1
    assert backlog.oldest == waiting.submitted_at
    assert '<p class="display-6 mb-1" id="backlog-waiting">1</p>' in response.content.decode()


def test_a_user_granted_a_village_gets_no_district_figures(login, country, refreshed):
    officer = UserFactory.create(username="eo_village", role=roles.ENROLMENT_OFFICER, scope=[country.village_a1])
    response = login(officer).get(URL)
    assert response.status_code == 200
    assert response.context["board"].computed_at is None
    assert _series(_charts(response)["coverage"]) == {"Covered by an active policy": {}, "Registered": {}}


# --- before the first refresh --------------------------------------------------------------------------------------


def test_the_page_renders_empty_charts_before_any_refresh(login, manager, scheme):
    response = login(manager).get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="dashboard-not-computed"' in content and "Figures as of" not in content
    charts = _charts(response)
    assert set(charts) == {
        "enrolment", "coverage", "renewals", "contributions", "claim_amounts", "claim_status", "rejections", "review",
    }  # fmt: skip
    assert all(v == 0 for v in _series(charts["enrolment"])["New policies"].values())
    assert len(charts["enrolment"]["labels"]) == 12 and len(charts["renewals"]["labels"]) == 3
    for name in charts:
        assert f'<canvas id="chart-{name}" role="img" aria-label=' in content
        assert f'id="table-{name}"' in content
