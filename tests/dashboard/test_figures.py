"""Each figure of the dashboard on the small scheme of conftest, worked out by hand, per district; and the refresh:
every district gets a row, a second refresh gives the same rows, a failed one leaves the old rows."""

from decimal import Decimal as D

import pytest

from dashboard import figures, services
from dashboard.figures import FIGURES, compute
from dashboard.models import DistrictFigure

pytestmark = pytest.mark.django_db


def _of(name: str, dates) -> dict:
    return compute(FIGURES[name], today=dates.today)


def test_policies_sold_per_month_new_and_renewals(scheme, country, dates):
    found = _of("enrolment", dates)
    now, last = dates.key(dates.today), dates.key(dates.last_month)
    # A: the new policy of family A1 last month; two renewals today (A2, A3); A3's first policy is 12 months old
    assert found[country.district_a.pk] == {last: [1, 0], now: [0, 2]}
    assert found[country.district_b.pk] == {now: [1, 0]}


def test_people_covered_today_and_registered(scheme, country, dates):
    found = _of("coverage", dates)
    # A: family A1's two members and A3's head are covered; A2's head is registered only
    assert found[country.district_a.pk] == {"": [3, 4]}
    assert found[country.district_b.pk] == {"": [1, 1]}


def test_renewals_due_this_month_and_renewed(scheme, country, dates):
    found = _of("renewals", dates)
    assert found[country.district_a.pk] == {dates.key(dates.today): [1, 1]}  # A3's policy, already renewed
    assert country.district_b.pk not in found


def test_contributions_due_and_collected_by_month_of_enrolment(scheme, country, dates):
    found = _of("contributions", dates)
    now, last = dates.key(dates.today), dates.key(dates.last_month)
    # A1: 100.00 due, 60.00 paid (photo fee and cancelled payment left out); today: 50.00 + 80.00 due, nothing paid
    assert found[country.district_a.pk] == {last: ["100.00", "60.00"], now: ["130.00", "0"]}
    assert found[country.district_b.pk] == {now: ["70.00", "70.00"]}


def test_amounts_claimed_and_valuated_per_month(scheme, country, dates):
    found = _of("claim_amounts", dates)
    now, last, before = (dates.key(d) for d in (dates.today, dates.last_month, dates.two_months_ago))
    # today: C1 30.00 + C2 12.00 + C6 7.00 claimed (C4 is not submitted), C1 valuated 25.50
    assert found[country.district_a.pk] == {
        now: ["49.00", "25.50"],
        last: ["100.00", "0"],
        before: ["5.00", "0"],
    }
    assert found[country.district_b.pk] == {now: ["40.00", "40.00"]}


def test_claims_per_month_and_status(scheme, country, dates):
    found = _of("claim_status", dates)
    now, last, before = (dates.key(d) for d in (dates.today, dates.last_month, dates.two_months_ago))
    # entered, checked, valuated, processed, rejected
    assert found[country.district_a.pk] == {now: [1, 0, 1, 0, 2], last: [0, 1, 0, 0, 0], before: [0, 0, 0, 0, 1]}
    assert found[country.district_b.pk] == {now: [0, 0, 0, 1, 0]}


def test_rejected_claims_by_reason(scheme, country, dates):
    found = _of("rejections", dates)
    assert found[country.district_a.pk] == {"3": [2], "5": [1]}
    assert country.district_b.pk not in found


def test_claims_adjudicated_and_passed_automatically(scheme, country, dates):
    found = _of("review", dates)
    # C1 passed without review today, C3 selected for review last month; rejected claims were never adjudicated
    assert found[country.district_a.pk] == {dates.key(dates.today): [1, 1], dates.key(dates.last_month): [1, 0]}
    assert found[country.district_b.pk] == {dates.key(dates.today): [1, 1]}


def test_adding_districts_sums_each_key_and_series():
    total: figures.Data = {}
    figures.add(total, {"2026-01": ["1.50", "2.00"]}, money=True)
    figures.add(total, {"2026-01": ["0.25", "1"], "2026-02": ["3", "0"]}, money=True)
    assert total == {"2026-01": [D("1.75"), D("3.00")], "2026-02": [D("3"), D("0")]}


def test_the_refresh_writes_a_row_per_figure_and_district_and_is_idempotent(scheme, country, dates):
    services.figures_refresh(today=dates.today)
    first = sorted(DistrictFigure.objects.values_list("name", "district_id", "data"))
    first_at = max(DistrictFigure.objects.values_list("computed_at", flat=True))

    services.figures_refresh(today=dates.today)

    assert sorted(DistrictFigure.objects.values_list("name", "district_id", "data")) == first
    assert len(first) == len(FIGURES) * 2  # districts A and B
    assert min(DistrictFigure.objects.values_list("computed_at", flat=True)) >= first_at
    # district B has no renewal due: its row is there, empty
    assert DistrictFigure.objects.get(name="renewals", district=country.district_b).data == {}


def test_a_failed_refresh_leaves_the_previous_figures(scheme, country, dates, monkeypatch):
    services.figure_refresh(name="enrolment", today=dates.today)
    before = sorted(DistrictFigure.objects.values_list("district_id", "data", "computed_at"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(DistrictFigure.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.figure_refresh(name="enrolment", today=dates.today)

    assert sorted(DistrictFigure.objects.values_list("district_id", "data", "computed_at")) == before


def test_the_beat_task_refreshes_every_figure(scheme, country):
    from dashboard.tasks import dashboard_refresh

    assert dashboard_refresh() == {name: 2 for name in FIGURES}
    assert DistrictFigure.objects.count() == len(FIGURES) * 2
