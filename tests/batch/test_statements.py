"""Statements of a run, downloaded as a user would: the remuneration of a facility on the hand-computed run of
test_run (index 0.5166666667: C1 6.38 + a fixed 10.00 = 16.38, C2 9.12) and the capitation of the hand example of
test_capitation (HFA 82.11, HFB 54.57, HFC 18.32 of 155.00), to the cent in CSV, XLSX and PDF."""

# ruff: noqa: F811 - `capitated` is the capitation tests' fixture, imported

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from batch import statements
from batch.capitation import capitation_compute
from batch.models import BatchRun, BatchRunStatus
from batch.services import batch_run_execute, batch_run_start
from claim.models import Claim
from openimis.accounts import roles
from tests.factories import UserFactory

from .test_capitation import capitated  # noqa: F401 - the three dispensaries and their measures
from .test_run import FEB_1, _claim, _distribute, _scheme

pytestmark = pytest.mark.django_db

CLAIM_ROWS = [
    # claim, asked, valued, remunerated
    ("C1", D("22.34"), D("12.34"), D("16.38")),
    ("C2", D("17.66"), D("17.66"), D("9.12")),
]
TOTALS = (D("40.00"), D("30.00"), D("25.50"))


@pytest.fixture
def accountant(country):
    return UserFactory.create(username="accountant", role=roles.ACCOUNTANT, scope=[country.region_a, country.region_b])


@pytest.fixture
def january(country, scheme_admin, accountant):
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {1: "50", 2: "50"})
    _claim(s, "C1", date(2026, 1, 10), ["12.34"], fixed=["10.00"])
    _claim(s, "C2", date(2026, 1, 31), ["17.66"], date_from=date(2026, 1, 29), date_to=date(2026, 1, 29))
    for code, asked, _valued, _paid in CLAIM_ROWS:
        Claim.objects.filter(code=code).update(claimed=asked)
    return batch_run_execute(batch_run_start(user=accountant, year=2026, month=1, today=FEB_1))


def _get(client, name: str, *args) -> bytes:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _money(value: object) -> D:
    return D(str(value)).quantize(D("0.01"))


# --- remuneration -------------------------------------------------------------------------------------------------


def test_the_statement_data(january, country):
    facility = statements.run_facility(january, str(country.facility_a.uuid))
    assert facility is not None
    statement = statements.remuneration_statement(january, facility)

    assert statement.header.region == "National" and statement.header.period == "January 2026"
    assert [(r.claim_code, r.asked, r.valued, r.remunerated) for r in statement.rows] == CLAIM_ROWS
    assert [(r.date_from, r.date_to) for r in statement.rows] == [
        (date(2026, 1, 10), None),
        (date(2026, 1, 29), date(2026, 1, 29)),
    ]
    assert (statement.totals.claims, statement.totals.asked, statement.totals.valued, statement.totals.remunerated) == (
        2, *TOTALS,
    )  # fmt: skip
    assert statements.run_facility(january, str(country.facility_b.uuid)) is None


def test_the_facility_statement_in_csv(login, accountant, january, country):
    rows = _csv(_get(login(accountant), "batch:facility_statement", january.uuid, country.facility_a.uuid, "csv"))

    header, *claims, total = rows
    assert header[4:] == ["Claim code", "Insurance number", "Visit from", "Visit to", "Asked", "Valued", "Remunerated"]
    insurance_number = Claim.objects.get(code="C1").insuree.insurance_number
    assert claims[0] == [
        "2026-01", "National", "HFA", "Facility A", "C1", insurance_number, "2026-01-10", "2026-01-10",
        "22.34", "12.34", "16.38",
    ]  # fmt: skip
    assert [(r[4], D(r[8]), D(r[9]), D(r[10])) for r in claims] == CLAIM_ROWS
    assert total[4] == "Total" and total[8:] == ["40.00", "30.00", "25.50"]


def test_the_facility_statement_in_xlsx(login, accountant, january, country):
    rows = _xlsx(_get(login(accountant), "batch:facility_statement", january.uuid, country.facility_a.uuid, "xlsx"))

    header, *claims, total = rows
    assert header[8:] == ["Asked", "Valued", "Remunerated"]
    assert [(r[4], _money(r[8]), _money(r[9]), _money(r[10])) for r in claims] == CLAIM_ROWS
    assert total[4] == "Total" and tuple(_money(v) for v in total[8:]) == TOTALS


def test_the_facility_statement_in_pdf(login, accountant, january, country):
    text = _pdf_text(_get(login(accountant), "batch:facility_statement", january.uuid, country.facility_a.uuid, "pdf"))

    assert "Remuneration statement" in text
    assert "HFA · Facility A" in text and "January 2026" in text and "National" in text
    assert "C1" in text and "22.34 12.34 16.38" in text
    assert "C2" in text and "17.66 17.66 9.12" in text
    assert "Total (2 claims) 40.00 30.00 25.50" in text


def test_the_pdf_is_in_the_users_language(client, accountant, january, country):
    client.force_login(accountant)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    text = _pdf_text(_get(client, "batch:facility_statement", january.uuid, country.facility_a.uuid, "pdf"))
    assert "janvier 2026" in text
    assert "25,50" in text


def test_the_whole_run_in_csv_and_xlsx(login, accountant, january, country, scheme_admin):
    client = login(accountant)
    rows = _csv(_get(client, "batch:run_statement", january.uuid, "csv"))
    assert [(r[2], r[4], r[10]) for r in rows[1:]] == [
        ("HFA", "C1", "16.38"),
        ("HFA", "C2", "9.12"),
        ("", "Total", "25.50"),
    ]
    sheet = _xlsx(_get(client, "batch:run_statement", january.uuid, "xlsx"))
    assert _money(sheet[-1][10]) == D("25.50")


# --- capitation ---------------------------------------------------------------------------------------------------


@pytest.fixture
def capitation_run(capitated, accountant):
    capitation_compute(product=capitated.product, year=2026, month=1, today=FEB_1)
    return BatchRun.objects.create(
        year=2026, month=1, created_by=accountant, status=BatchRunStatus.DONE, finished_at=timezone.now()
    )


HFB_PARTS = [D("7.75"), D("7.04"), D("5.17"), D("10.33"), D("10.33"), D("13.95")]


def test_the_capitation_statement_data(capitation_run, capitated, country):
    statement = statements.capitation_statement(capitation_run)
    assert statement is not None and statement.facility is None
    assert [(r.facility.code, r.payment) for r in statement.rows] == [
        ("HFA", D("82.11")), ("HFB", D("54.57")), ("HFC", D("18.32")),
    ]  # fmt: skip
    assert statement.total == D("155.00")
    hfa = statement.rows[0]
    assert [hfa.measured(m) for m in statements.MEASURES] == [D("200"), D("40"), D("3.5"), D("1.5"), 2, D("55.00")]
    # another region's run sees none of the national product's payments
    regional = BatchRun.objects.create(year=2026, month=1, location=country.region_a, created_by=capitated.user)
    assert statements.capitation_statement(regional).rows == []
    assert statements.capitation_statement(regional, str(capitated.hfa.uuid)) is None


def test_the_capitation_statement_in_csv_and_xlsx(login, accountant, capitation_run, capitated):
    client = login(accountant)
    header, hfb, total = _csv(
        _get(client, "batch:capitation_statement", capitation_run.uuid, capitated.hfb.uuid, "csv")
    )
    assert header[7:13] == ["Population", "Families", "Insured people", "Insured families", "Visits", "Adjusted amount"]
    assert hfb[2] == "HFB" and hfb[7:13] == ["300", "50", "1", "1", "1", "45.00"]
    assert [D(v) for v in hfb[13:19]] == HFB_PARTS and hfb[19] == "54.57"
    assert total[4] == "Total" and total[19] == "54.57"

    rows = _xlsx(_get(client, "batch:run_capitation", capitation_run.uuid, "xlsx"))
    assert [(r[2], _money(r[19])) for r in rows[1:-1]] == [
        ("HFA", D("82.11")),
        ("HFB", D("54.57")),
        ("HFC", D("18.32")),
    ]
    # the parts of 155.00: 10 % for the population and the families, 20 % for each other measure
    assert [_money(v) for v in rows[-1][13:]] == [
        D("15.50"), D("15.50"), D("31.00"), D("31.00"), D("31.00"), D("31.00"), D("155.00"),
    ]  # fmt: skip


def test_the_capitation_statement_in_pdf(login, accountant, capitation_run, capitated):
    client = login(accountant)
    text = _pdf_text(_get(client, "batch:capitation_statement", capitation_run.uuid, capitated.hfb.uuid, "pdf"))
    assert "Capitation statement" in text and "HFB" in text
    for label, paid in zip(["Population", "Families", "Insured people"], HFB_PARTS, strict=False):
        assert label in text and str(paid) in text
    assert "Payment 54.57" in text

    everyone = _pdf_text(_get(client, "batch:run_capitation", capitation_run.uuid, "pdf"))
    assert "All facilities" in everyone and "Total 155.00" in everyone
    assert "82.11" in everyone and "18.32" in everyone


def test_the_summary_lists_the_capitation_of_the_month(login, accountant, capitation_run, capitated):
    response = login(accountant).get(reverse("batch:run_detail", args=[capitation_run.uuid]))

    content = response.content.decode()
    assert [r.payment for r in response.context["capitation"].rows] == [D("82.11"), D("54.57"), D("18.32")]
    assert "155.00" in content
    assert reverse("batch:capitation_statement", args=[capitation_run.uuid, capitated.hfa.uuid, "pdf"]) in content
    assert reverse("batch:run_capitation", args=[capitation_run.uuid, "xlsx"]) in content
