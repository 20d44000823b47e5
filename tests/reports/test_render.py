"""The PDF of a long report: its rows as lines of fixed-width text under repeated column heads, nothing lost."""

import io
from decimal import Decimal as D

from pypdf import PdfReader

from reports.base import ReportData
from reports.registry import REPORTS
from reports.render import FIRST_BLOCK, LINES_PER_BLOCK, LISTING_ABOVE, render_pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_long_report_lists_every_row_and_the_totals():
    rows = [[f"HF{n:04d} · Facility number {n}", n, D(n) + D("0.50")] for n in range(1, LISTING_ABOVE + 101)]
    total = sum((D(n) + D("0.50") for n in range(1, LISTING_ABOVE + 101)), D(0))  # 600 x 601 / 2 + 300 = 180,600.00
    data = ReportData("Long report", ["Health facility", "Claims", "Payment"], rows, ["Total", 180300, total])

    pdf = render_pdf(REPORTS["claim_overview"], data)
    text = _text(pdf)

    assert total == D("180600.00")
    assert "HF0001 · Facility number 1 " in text and "HF0600 · Facility number 600" in text
    assert "180,600.00" in text and "Total" in text
    blocks = 1 + -(-(600 - FIRST_BLOCK) // LINES_PER_BLOCK)  # 30 lines under the head, then 48 a page: 13 blocks
    assert blocks == 13 and text.count("Health facility") == blocks
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert [page.count("Health facility") for page in pages[:blocks]] == [1] * blocks  # one block a page, each headed
    assert "HF0001 · Facility number 1 " in pages[0] and "HF0031 ·" in pages[1]


def test_a_limited_list_says_what_it_left_out_in_every_format():
    from reports.base import LIST_LIMIT, limited
    from reports.render import render

    rows = [[f"Person {n}", n] for n in range(LIST_LIMIT)]
    note = limited(rows, LIST_LIMIT + 1234)
    assert note == (
        f"The first {LIST_LIMIT:,} of {LIST_LIMIT + 1234:,} rows are listed; "
        "choose a smaller area or period to see the rest."
    )
    assert limited(rows[:10], 10) == ""
    data = ReportData("Pending", ["Name", "Number"], rows[:3], note=note)
    report = REPORTS["claim_overview"]
    assert render(report, data, "csv").decode("utf-8-sig").splitlines()[-1] == f'"{note}"'
    assert note in _text(render(report, data, "pdf")).replace("\n", " ")
