"""The claim reports beyond the overview (primary indicators, claim history, referrals): hand-computed figures in each
format, scope, and the parameter filters. The report task is called synchronously, as the worker would."""

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from claim.models import Claim, ClaimStatus, VisitType
from reports.forms import ReportForm
from reports.registry import REPORTS
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.reports.files import PERIOD, csv_rows, pdf_text, run_report, xlsx_rows


def _numbers(row: list[Any]) -> list[Any]:
    """An XLSX row with the amounts (floats in the file) back as Decimals to the cent."""
    return [D(str(v)).quantize(D("0.01")) if isinstance(v, float) else v for v in row]


@pytest.fixture
def claims(country, scheme_admin):
    """Claims of a district-A insuree (village A1) — visit date / claimed date, status, amounts:
    facility A (district A):
        A1  visit 01-10, claimed 01-10  Entered     100.00                                   visit type Referral
        A2  visit 01-20, claimed 01-20  Rejected     20.00                                   referred from facility B
        A3  visit 02-03, claimed 02-03  Processed    50.00, approved 40.00                    Referral, from facility B
        A4  visit 02-28, claimed 02-28  Valuated     30.50, approved 30.50, valuated 30.00, remunerated 29.00, Emergency
        A5  visit 2025-12-28, claimed 03-02  Checked 12.00   (in the period by its claimed date only)
        A6  visit 04-01, claimed 04-01  Entered     999.00   (out of the period)
    facility B (district B):
        B1  visit 02-01, claimed 02-01  Entered      77.00                                   Referral
    A claim at facility A of an insuree of district B:
        X1  visit 02-10, claimed 02-10  Entered       5.00
    The period is 2026-01-01 .. 2026-03-31 (tests.reports.files.PERIOD)."""
    head = make_family(country.village_a1, members=0).head
    outsider = make_family(country.village_b1, members=0, head_name="Baraka", last_name="Otieno").head
    icd = DiagnosisFactory.create(code="A09", name="Diarrhoea")
    fa, fb = country.facility_a, country.facility_b

    def claim(code, facility, visit, claimed_on, status, claimed, *, person=head, **fields) -> Claim:
        amounts = {k: D(v) for k, v in fields.items() if k in ("approved", "valuated", "remunerated")}
        other = {k: v for k, v in fields.items() if k not in amounts}
        return Claim.objects.create(
            code=code, facility=facility, insuree=person, date_from=visit, date_claimed=claimed_on, icd=icd,
            created_by=scheme_admin, status=status, claimed=D(claimed), **amounts, **other,
        )  # fmt: skip

    d = date
    claim("A1", fa, d(2026, 1, 10), d(2026, 1, 10), ClaimStatus.ENTERED, "100.00", visit_type=VisitType.REFERRAL)
    claim("A2", fa, d(2026, 1, 20), d(2026, 1, 20), ClaimStatus.REJECTED, "20.00", referral_facility=fb)
    claim(
        "A3", fa, d(2026, 2, 3), d(2026, 2, 3), ClaimStatus.PROCESSED, "50.00", approved="40.00",
        visit_type=VisitType.REFERRAL, referral_facility=fb,
    )  # fmt: skip
    claim(
        "A4", fa, d(2026, 2, 28), d(2026, 2, 28), ClaimStatus.VALUATED, "30.50", approved="30.50", valuated="30.00",
        remunerated="29.00", visit_type=VisitType.EMERGENCY, date_to=d(2026, 3, 2),
    )  # fmt: skip
    claim("A5", fa, d(2025, 12, 28), d(2026, 3, 2), ClaimStatus.CHECKED, "12.00")
    claim("A6", fa, d(2026, 4, 1), d(2026, 4, 1), ClaimStatus.ENTERED, "999.00")
    claim("B1", fb, d(2026, 2, 1), d(2026, 2, 1), ClaimStatus.ENTERED, "77.00", visit_type=VisitType.REFERRAL)
    claim("X1", fa, d(2026, 2, 10), d(2026, 2, 10), ClaimStatus.ENTERED, "5.00", person=outsider)
    return {"head": head, "outsider": outsider}


# --- primary operational indicators --------------------------------------------------------------------------------

# By the month of the claimed date (facility A):
#   2026-01: A1, A2                            -> 2 claims: 1 Entered, 1 Rejected; claimed 120.00
#   2026-02: A3, A4, X1 (facility A's claim)   -> 3 claims: 1 Entered, 1 Processed, 1 Valuated; claimed 85.50,
#            approved 70.50, valuated 30.00, remunerated 29.00
#   2026-03: A5                                -> 1 claim: 1 Checked; claimed 12.00
#   total 6 claims: Entered 2, Checked 1, Rejected 1, Processed 1, Valuated 1; 217.50 / 70.50 / 30.00 / 29.00
# columns: facility, month, Claims, Entered, Checked, Rejected, Processed, Valuated, Claimed, Approved, Valuated,
# Remunerated
INDICATORS_A = [
    ["HFA · Facility A", "2026-01", "2", "1", "0", "1", "0", "0", "120.00", "0.00", "0.00", "0.00"],
    ["HFA · Facility A", "2026-02", "3", "1", "0", "0", "1", "1", "85.50", "70.50", "30.00", "29.00"],
    ["HFA · Facility A", "2026-03", "1", "0", "1", "0", "0", "0", "12.00", "0.00", "0.00", "0.00"],
]
INDICATORS_A_TOTAL = ["Total", "", "6", "2", "1", "1", "1", "1", "217.50", "70.50", "30.00", "29.00"]


@pytest.mark.django_db
def test_primary_indicators_csv(claims, manager_a):
    rows = csv_rows(run_report(manager_a, "claim_primary_indicators", "csv"))
    assert rows[0] == [
        "Health facility", "Month", "Claims", "Entered", "Checked", "Rejected", "Processed", "Valuated", "Claimed",
        "Approved", "Valuated", "Remunerated",
    ]  # fmt: skip
    assert rows[1:] == [*INDICATORS_A, INDICATORS_A_TOTAL]


@pytest.mark.django_db
def test_primary_indicators_xlsx(claims, manager_a):
    rows = xlsx_rows(run_report(manager_a, "claim_primary_indicators", "xlsx"))
    assert _numbers(rows[2]) == [
        "HFA · Facility A", "2026-02", 3, 1, 0, 0, 1, 1, D("85.50"), D("70.50"), D("30.00"), D("29.00")
    ]  # fmt: skip
    assert _numbers(rows[4]) == ["Total", None, 6, 2, 1, 1, 1, 1, D("217.50"), D("70.50"), D("30.00"), D("29.00")]
    assert len(rows) == 5


@pytest.mark.django_db
def test_primary_indicators_pdf(claims, manager_a):
    text = pdf_text(run_report(manager_a, "claim_primary_indicators", "pdf"))
    assert "Primary operational indicators: claims" in text
    assert "2026-01" in text and "2026-03" in text and "217.50" in text and "85.50" in text
    assert "HFB" not in text and "77.00" not in text and "999.00" not in text and "2026-04" not in text


@pytest.mark.django_db
def test_primary_indicators_national_and_filters(claims, accountant, country):
    rows = csv_rows(run_report(accountant, "claim_primary_indicators", "csv"))
    assert rows[4] == ["HFB · Facility B", "2026-02", "1", "1", "0", "0", "0", "0", "77.00", "0.00", "0.00", "0.00"]
    assert rows[5][:3] == ["Total", "", "7"] and rows[5][8] == "294.50"  # 217.50 + 77.00
    only_b = csv_rows(run_report(accountant, "claim_primary_indicators", "csv", location=country.district_b.pk))
    assert [r[:2] for r in only_b[1:]] == [["HFB · Facility B", "2026-02"], ["Total", ""]]
    only_a = csv_rows(run_report(accountant, "claim_primary_indicators", "csv", facility=country.facility_a.pk))
    assert only_a[1:] == [*INDICATORS_A, INDICATORS_A_TOTAL]
    february = csv_rows(
        run_report(accountant, "claim_primary_indicators", "csv", date_from="2026-02-01", date_to="2026-02-28")
    )
    assert [r[:3] for r in february[1:]] == [
        ["HFA · Facility A", "2026-02", "3"], ["HFB · Facility B", "2026-02", "1"], ["Total", "", "4"]
    ]  # fmt: skip


@pytest.mark.django_db
def test_primary_indicators_scope_whatever_the_stored_location(claims, manager_a, country):
    rows = csv_rows(run_report(manager_a, "claim_primary_indicators", "csv", location=country.district_b.pk))
    assert rows[1:] == [["No data for these parameters."]]


# --- claim history -------------------------------------------------------------------------------------------------

# The district-A insuree's claims whose visit starts in the period, oldest visit first (A5's visit is in December, A6's
# in April; B1 is at facility B, which a district-A manager does not see):
#   A1 Entered 100.00 | A2 Rejected 20.00 | A3 Processed 50.00 / 40.00 | A4 Valuated 30.50 / 30.50 / remunerated 29.00
#   totals: claimed 200.50, approved 70.50, remunerated 29.00
HISTORY_A = [
    ["A1", "HFA · Facility A", "2026-01-10", "", "A09 · Diarrhoea", "Entered", "100.00", "0.00", "0.00"],
    ["A2", "HFA · Facility A", "2026-01-20", "", "A09 · Diarrhoea", "Rejected", "20.00", "0.00", "0.00"],
    ["A3", "HFA · Facility A", "2026-02-03", "", "A09 · Diarrhoea", "Processed", "50.00", "40.00", "0.00"],
    ["A4", "HFA · Facility A", "2026-02-28", "2026-03-02", "A09 · Diarrhoea", "Valuated", "30.50", "30.50", "29.00"],
]


@pytest.mark.django_db
def test_claim_history_csv(claims, manager_a):
    number = claims["head"].insurance_number
    rows = csv_rows(run_report(manager_a, "claim_history", "csv", insurance_number=number))
    assert rows[0] == [
        "Claim code", "Health facility", "Visit from", "Visit to", "Main diagnosis", "Status", "Claimed", "Approved",
        "Remunerated",
    ]  # fmt: skip
    assert rows[1:] == [*HISTORY_A, ["Total", "", "", "", "", "", "200.50", "70.50", "29.00"]]


@pytest.mark.django_db
def test_claim_history_xlsx(claims, manager_a):
    rows = xlsx_rows(run_report(manager_a, "claim_history", "xlsx", insurance_number=claims["head"].insurance_number))
    assert [r[0] for r in rows[1:]] == ["A1", "A2", "A3", "A4", "Total"]
    assert _numbers(rows[5])[6:] == [D("200.50"), D("70.50"), D("29.00")]
    assert rows[4][2].date() == date(2026, 2, 28) and rows[4][3].date() == date(2026, 3, 2)


@pytest.mark.django_db
def test_claim_history_pdf(claims, manager_a):
    number = claims["head"].insurance_number
    text = pdf_text(run_report(manager_a, "claim_history", "pdf", insurance_number=number))
    assert "Claim history" in text and number in text and "A09 · Diarrhoea" in text and "200.50" in text
    assert "B1" not in text and "77.00" not in text and "999.00" not in text and "X1" not in text


@pytest.mark.django_db
def test_claim_history_national_user_sees_every_facility(claims, accountant):
    rows = csv_rows(run_report(accountant, "claim_history", "csv", insurance_number=claims["head"].insurance_number))
    assert [r[0] for r in rows[1:]] == ["A1", "A2", "B1", "A3", "A4", "Total"]
    assert rows[-1][6] == "277.50"  # 200.50 + 77.00


@pytest.mark.django_db
def test_claim_history_of_an_insuree_outside_the_area_is_empty(claims, manager_a, accountant):
    """X1 is at facility A (in the manager's area), but its insuree lives in district B: a stored job naming that
    insuree reads nothing; the accountant, whose area holds both, sees it."""
    number = claims["outsider"].insurance_number
    assert csv_rows(run_report(manager_a, "claim_history", "csv", insurance_number=number))[1:] == [
        ["No data for these parameters."]
    ]
    rows = csv_rows(run_report(accountant, "claim_history", "csv", insurance_number=number))
    assert [r[0] for r in rows[1:]] == ["X1", "Total"]


@pytest.mark.django_db
def test_claim_history_needs_an_insurance_number_of_the_area(claims, manager_a):
    def form(**data: Any) -> ReportForm:
        return ReportForm({**PERIOD, "fmt": "csv", **data}, report=REPORTS["claim_history"], user=manager_a)

    assert list(form().errors) == ["insurance_number"]
    assert list(form(insurance_number=claims["outsider"].insurance_number).errors) == ["insurance_number"]
    valid = form(insurance_number=f" {claims['head'].insurance_number} ")
    assert valid.is_valid() and valid.params()["insurance_number"] == claims["head"].insurance_number


# --- referrals -----------------------------------------------------------------------------------------------------

# Claims whose visit starts in the period (any status), facility A: A1 (Referral), A2 (referred from B), A3 (Referral
# and referred from B), A4 (Emergency), X1 (Other) -> 5 claims, 2 referral visits, 2 with a referral facility,
# 3 referrals (A3 once), 60.00 %. Facility B: B1 (Referral) -> 1, 1, 0, 1, 100.00 %.
# Both: 6 claims, 3, 2, 4 referrals -> 66.67 % (4 / 6, not the sum of the percentages).


@pytest.mark.django_db
def test_referrals_csv(claims, manager_a):
    rows = csv_rows(run_report(manager_a, "claim_referrals", "csv"))
    assert rows == [
        ["Health facility", "Claims", "Referral visits", "With a referral facility", "Referrals", "Referrals (%)"],
        ["HFA · Facility A", "5", "2", "2", "3", "60.00"],
        ["Total", "5", "2", "2", "3", "60.00"],
    ]


@pytest.mark.django_db
def test_referrals_xlsx_national(claims, accountant):
    rows = xlsx_rows(run_report(accountant, "claim_referrals", "xlsx"))
    assert [_numbers(r) for r in rows[1:]] == [
        ["HFA · Facility A", 5, 2, 2, 3, D("60.00")],
        ["HFB · Facility B", 1, 1, 0, 1, D("100.00")],
        ["Total", 6, 3, 2, 4, D("66.67")],
    ]


@pytest.mark.django_db
def test_referrals_pdf(claims, manager_a):
    text = pdf_text(run_report(manager_a, "claim_referrals", "pdf"))
    assert "Percentage of referrals" in text and "HFA · Facility A" in text and "60.00" in text
    assert "HFB" not in text and "100.00" not in text


@pytest.mark.django_db
def test_referrals_filters_and_scope(claims, accountant, manager_a, country):
    only_b = csv_rows(run_report(accountant, "claim_referrals", "csv", location=country.district_b.pk))
    assert only_b[1:] == [["HFB · Facility B", "1", "1", "0", "1", "100.00"], ["Total", "1", "1", "0", "1", "100.00"]]
    only_a = csv_rows(run_report(accountant, "claim_referrals", "csv", facility=country.facility_a.pk))
    assert [r[0] for r in only_a[1:]] == ["HFA · Facility A", "Total"]
    forged = csv_rows(run_report(manager_a, "claim_referrals", "csv", location=country.district_b.pk))
    assert forged[1:] == [["No data for these parameters."]]


@pytest.mark.django_db
def test_primary_indicators_list_the_first_rows_and_total_them_all(claims, manager_a, monkeypatch):
    monkeypatch.setattr("reports.standard.claims.LIST_LIMIT", 2)
    rows = csv_rows(run_report(manager_a, "claim_primary_indicators", "csv"))
    assert rows[1:] == [
        *INDICATORS_A[:2],
        INDICATORS_A_TOTAL,
        ["The first 2 of 3 rows are listed; choose a smaller area or period to see the rest."],
    ]
