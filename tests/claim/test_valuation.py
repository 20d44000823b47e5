"""Valuation of a claim (claim.valuation): the deductible / ceiling engine, table-driven over plain values.

No database. Every expected amount is worked out by hand in the case's comment. A line is written
(qty, unit price, limitation, limit, origin, excluded); an expected line is (asked, deducted, above_category_cap,
above_ceiling, valued).
"""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from claim.valuation import (
    ClaimValue,
    Consumed,
    Line,
    Terms,
    effective_policy_ceiling,
    value_claim,
)

D = Decimal
NONE = Consumed()


def terms(ceiling_type: str = "I", hospital: bool = False, category: str = "V", **amounts) -> Terms:
    values = dict.fromkeys(
        ("deductible", "deductible_ip", "deductible_op", "ceiling", "ceiling_ip", "ceiling_op", "category_cap")
    )
    values.update({name: None if v is None else D(v) for name, v in amounts.items()})
    return Terms(ceiling_type=ceiling_type, hospital=hospital, category=category, **values)


def line(qty, price, limitation="C", limit=None, origin="P", excluded=False, key=None) -> Line:
    return Line(
        key=key,
        qty=D(qty),
        unit_price=D(price),
        limitation=limitation,
        limit_value=None if limit is None else D(limit),
        price_origin=origin,
        excluded_from_ceiling=excluded,
    )


@dataclass
class Case:
    id: str
    terms: Terms
    lines: list[Line]
    expected: list[tuple[str, str, str, str, str]]  # asked, deducted, above_category_cap, above_ceiling, valued
    booking: dict[str, str] = field(default_factory=dict)  # non-zero booking columns
    consumed: Consumed = NONE
    relative: bool = False


CASES = [
    # Per treatment, deductible 100 (the consumption given is ignored per treatment):
    # a 2 x 30 = 60 <= 100 left -> absorbed: deducted 60, valued 0 (sec. 14.7);
    # b 1 x 70: 100 - 60 = 40 left < 70 -> deducted 40, valued 70 - 40 = 30;
    # c 1 x 10: nothing left -> valued 10. Booking deducted 60 + 40 = 100, remunerated 0 + 30 + 10 = 40.
    Case(
        "treatment deductible absorbs a line then part of the next",
        terms("T", deductible="100"),
        [line(2, 30), line(1, 70), line(1, 10)],
        [("60.00", "60.00", "0", "0", "0"), ("70.00", "40.00", "0", "0", "30.00"), ("10.00", "0", "0", "0", "10.00")],
        {"deducted": "100", "remunerated": "40"},
        consumed=Consumed(deducted=D(500), remunerated=D(500)),
    ),
    # Line exactly equal to the deductible: 1 x 100, 100 left >= 100 -> absorbed, valued 0.
    Case(
        "deductible equal to the line absorbs it",
        terms("T", deductible="100"),
        [line(1, 100)],
        [("100.00", "100.00", "0", "0", "0")],
        {"deducted": "100"},
    ),
    # Per insuree, deductible 100, 80 consumed earlier -> 20 left.
    # a 1 x 50: deducted 20, 30 left of the line, co-insurance 80 % -> 24;
    # b 1 x 10: nothing left -> 10. Booking deducted 20, remunerated 34.
    Case(
        "insuree deductible with earlier consumption",
        terms("I", deductible="100"),
        [line(1, 50, "C", 80), line(1, 10)],
        [("50.00", "20.00", "0", "0", "24.00"), ("10.00", "0", "0", "0", "10.00")],
        {"deducted": "20", "remunerated": "34"},
        consumed=Consumed(deducted=D(80)),
    ),
    # Per insuree, 120 consumed > deductible 100: -20 left -> no deduction, 1 x 5 valued 5.
    Case(
        "deductible already exceeded",
        terms("I", deductible="100"),
        [line(1, 5)],
        [("5.00", "0", "0", "0", "5.00")],
        {"remunerated": "5"},
        consumed=Consumed(deducted=D(120)),
    ),
    # Hospital claim: IP deductible 50 - 10 consumed = 40 -> 1 x 200: deducted 40, 160 left;
    # IP ceiling 500 - 400 consumed = 100 -> valued 100, above ceiling 60. Booked in the IP columns.
    Case(
        "IP deductible and ceiling on a hospital claim",
        terms("I", hospital=True, deductible_ip="50", deductible_op="20", ceiling_ip="500", ceiling_op="100"),
        [line(1, 200)],
        [("200.00", "40.00", "0", "60.00", "100.00")],
        {"deducted_ip": "40", "remunerated_ip": "100"},
        consumed=Consumed(deducted_ip=D(10), deducted_op=D(20), remunerated_ip=D(400), remunerated_op=D(30)),
    ),
    # Same product and consumption, not a hospital claim: OP deductible 20 - 20 = 0 left -> no deduction;
    # OP ceiling 100 - 30 = 70 -> 1 x 200 valued 70, above ceiling 130. Booked in the OP columns.
    Case(
        "OP deductible and ceiling on an ambulatory claim",
        terms("I", hospital=False, deductible_ip="50", deductible_op="20", ceiling_ip="500", ceiling_op="100"),
        [line(1, 200)],
        [("200.00", "0", "0", "130.00", "70.00")],
        {"remunerated_op": "70"},
        consumed=Consumed(deducted_ip=D(10), deducted_op=D(20), remunerated_ip=D(400), remunerated_op=D(30)),
    ),
    # The general amounts win over the IP/OP ones: deductible 10, ceiling 1000 on a hospital claim:
    # 1 x 100 -> deducted 10, valued 90; booked in the general columns.
    Case(
        "general amounts before IP/OP ones",
        terms("P", hospital=True, deductible="10", deductible_ip="50", ceiling="1000", ceiling_ip="20"),
        [line(1, 100)],
        [("100.00", "10.00", "0", "0", "90.00")],
        {"deducted": "10", "remunerated": "90"},
    ),
    # Co-insurance 80 %: 3 x 12.50 = 37.50 x 80 / 100 = 30.00; 0 %: 1 x 10 -> 0; None = 100 %: 1 x 10 -> 10.
    Case(
        "co-insurance",
        terms("T"),
        [line(3, "12.50", "C", 80), line(1, 10, "C", 0), line(1, 10, "C", None)],
        [("37.50", "0", "0", "0", "30.00"), ("10.00", "0", "0", "0", "0"), ("10.00", "0", "0", "0", "10.00")],
        {"remunerated": "40"},
    ),
    # Fixed amount: 2 x 10 = 20 with 8 per unit -> min(20, 2 x 8 = 16) = 16; with 15 -> min(20, 30) = 20;
    # None and 0 put no cap -> 20 each. Remunerated 16 + 20 + 20 + 20 = 76.
    Case(
        "fixed amount below and above the price",
        terms("T"),
        [line(2, 10, "F", 8), line(2, 10, "F", 15), line(2, 10, "F", None), line(2, 10, "F", 0)],
        [
            ("20.00", "0", "0", "0", "16.00"),
            ("20.00", "0", "0", "0", "20.00"),
            ("20.00", "0", "0", "0", "20.00"),
            ("20.00", "0", "0", "0", "20.00"),
        ],
        {"remunerated": "76"},
    ),
    # Fixed amount, then the deductible on the capped amount: 2 x 10 = 20 -> F 8 -> 16; deductible 6 -> valued 10.
    Case(
        "fixed amount before the deductible",
        terms("T", deductible="6"),
        [line(2, 10, "F", 8)],
        [("20.00", "6.00", "0", "0", "10.00")],
        {"deducted": "6", "remunerated": "10"},
    ),
    # Policy ceiling 1000, 900 consumed -> 100 left. a 1 x 60 -> 60 (40 left); b 1 x 70 -> 40, above 30;
    # c 1 x 25 -> 0, above 25. Remunerated 100.
    Case(
        "policy ceiling reached mid-claim",
        terms("P", ceiling="1000"),
        [line(1, 60), line(1, 70), line(1, 25)],
        [("60.00", "0", "0", "0", "60.00"), ("70.00", "0", "0", "30.00", "40.00"), ("25.00", "0", "0", "25.00", "0")],
        {"remunerated": "100"},
        consumed=Consumed(remunerated=D(900)),
    ),
    # Policy ceiling of a 7-member policy, threshold 4, 100 per extra member, cap 1200:
    # 1000 + 3 x 100 = 1300 -> capped 1200. 1 x 1500 -> valued 1200, above 300.
    Case(
        "extended policy ceiling",
        terms("P", ceiling=str(effective_policy_ceiling(D(1000), D(100), D(1200), 7, 4))),
        [line(1, 1500)],
        [("1500.00", "0", "0", "300.00", "1200.00")],
        {"remunerated": "1200"},
    ),
    # Surgery cap 300 per claim: a 1 x 200 -> 200 (total 200); b 1 x 150 -> 100 room, above cap 50, valued 100;
    # c 1 x 40 -> no room, above cap 40, valued 0. Remunerated 300.
    Case(
        "category cap",
        terms("T", category="S", category_cap="300"),
        [line(1, 200), line(1, 150), line(1, 40)],
        [
            ("200.00", "0", "0", "0", "200.00"),
            ("150.00", "0", "50.00", "0", "100.00"),
            ("40.00", "0", "40.00", "0", "0"),
        ],
        {"remunerated": "300"},
    ),
    # The cap applies after co-insurance: surgery cap 100, 1 x 200 at 60 % = 120 -> above cap 20, valued 100.
    Case(
        "category cap after co-insurance",
        terms("T", category="S", category_cap="100"),
        [line(1, 200, "C", 60)],
        [("200.00", "0", "20.00", "0", "100.00")],
        {"remunerated": "100"},
    ),
    # Cap before ceiling: surgery cap 300, treatment ceiling 250. a 1 x 200 -> 200 (cap total 200, ceiling 50 left);
    # b 1 x 150 -> cap room 100, above cap 50; ceiling 50 left -> valued 50, above ceiling 50. Remunerated 250.
    Case(
        "category cap then ceiling",
        terms("T", category="S", category_cap="300", ceiling="250"),
        [line(1, 200), line(1, 150)],
        [("200.00", "0", "0", "0", "200.00"), ("150.00", "0", "50.00", "50.00", "50.00")],
        {"remunerated": "250"},
    ),
    # A visit (V) has no amount cap: 1 x 500 with a cap of 300 given -> 500.
    Case(
        "no category cap on visits",
        terms("T", category="V", category_cap="300"),
        [line(1, 500)],
        [("500.00", "0", "0", "0", "500.00")],
        {"remunerated": "500"},
    ),
    # Insuree ceiling 100, 90 consumed: a 1 x 50 excluded -> paid in full 50, not counted;
    # b 1 x 50 -> 10 left -> valued 10, above 40. Booking remunerated 10; the claim is valued 60.
    Case(
        "ceiling exclusion",
        terms("I", ceiling="100"),
        [line(1, 50, excluded=True), line(1, 50)],
        [("50.00", "0", "0", "0", "50.00"), ("50.00", "0", "0", "40.00", "10.00")],
        {"remunerated": "10"},
        consumed=Consumed(remunerated=D(90)),
    ),
    # An excluded line still pays the deductible: deductible 30, 1 x 50 excluded -> deducted 30, valued 20,
    # booking remunerated 0 (not counted in the ceiling).
    Case(
        "ceiling exclusion after the deductible",
        terms("I", deductible="30", ceiling="100"),
        [line(1, 50, excluded=True)],
        [("50.00", "30.00", "0", "0", "20.00")],
        {"deducted": "30"},
    ),
    # Relative price: 2 x 30 = 60 under an insuree ceiling of 100 -> valued 60 (what the batch multiplies), relative.
    Case(
        "relative price line",
        terms("I", ceiling="100"),
        [line(1, 10), line(2, 30, origin="R")],
        [("10.00", "0", "0", "0", "10.00"), ("60.00", "0", "0", "0", "60.00")],
        {"remunerated": "70"},
        relative=True,
    ),
    # Zero price: 1 x 0 with a treatment deductible 10 -> 10 >= 0: absorbed, deducted 0, valued 0;
    # then 1 x 5 -> 10 left >= 5: absorbed; then 0 x 7 -> 0. Booking deducted 5.
    Case(
        "zero-price and zero-quantity lines",
        terms("T", deductible="10"),
        [line(1, 0), line(1, 5), line(0, 7)],
        [("0.00", "0", "0", "0", "0"), ("5.00", "5.00", "0", "0", "0"), ("0.00", "0", "0", "0", "0")],
        {"deducted": "5"},
    ),
    # Rounding half up per line: 3 x 3.335 = 10.005 -> asked 10.01; 10.005 x 33 % = 3.30165 -> 3.30.
    # 1 x 0.005 at 100 % -> 0.01, twice: the total is 0.02 (sum of rounded lines, not round(0.010)).
    # 1 x 10 at 33.333 % = 3.3333 -> 3.33. Remunerated 3.30 + 0.01 + 0.01 + 3.33 = 6.65.
    Case(
        "rounding to the cent",
        terms("T"),
        [line(3, "3.335", "C", 33), line(1, "0.005"), line(1, "0.005"), line(1, 10, "C", "33.333")],
        [
            ("10.01", "0", "0", "0", "3.30"),
            ("0.01", "0", "0", "0", "0.01"),
            ("0.01", "0", "0", "0", "0.01"),
            ("10.00", "0", "0", "0", "3.33"),
        ],
        {"remunerated": "6.65"},
    ),
    # Rounded running deductible: deductible 10, 1 x 7.777 absorbed -> deducted 7.78 (rounded);
    # 1 x 5 -> 10 - 7.78 = 2.22 left -> deducted 2.22, valued 2.78. Booking deducted 10.00.
    Case(
        "rounded deductible running total",
        terms("T", deductible="10"),
        [line(1, "7.777"), line(1, 5)],
        [("7.78", "7.78", "0", "0", "0"), ("5.00", "2.22", "0", "0", "2.78")],
        {"deducted": "10", "remunerated": "2.78"},
    ),
    # No ceiling type: nothing deducted or capped, 2 x 10 at 50 % -> 10.
    Case(
        "no ceiling type",
        terms(""),
        [line(2, 10, "C", 50)],
        [("20.00", "0", "0", "0", "10.00")],
        {"remunerated": "10"},
    ),
]

BOOKING = ("deducted", "deducted_ip", "deducted_op", "remunerated", "remunerated_ip", "remunerated_op")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_value_claim(case: Case) -> None:
    lines = [Line(**{**vars(ln), "key": i}) for i, ln in enumerate(case.lines)]
    result = value_claim(case.terms, case.consumed, lines)
    got = [(v.asked, v.deducted, v.above_category_cap, v.above_ceiling, v.valued) for v in result.lines]
    assert got == [tuple(D(a) for a in row) for row in case.expected]
    assert [v.key for v in result.lines] == list(range(len(lines)))
    assert {name: getattr(result, name) for name in BOOKING} == {
        name: D(case.booking.get(name, "0")) for name in BOOKING
    }
    assert result.valued == sum((D(row[4]) for row in case.expected), D(0))
    assert result.relative is case.relative


@pytest.mark.parametrize(
    ("max_policy", "extra", "cap", "members", "threshold", "expected"),
    [
        ("1000", "100", None, 7, 4, "1300"),  # 1000 + (7 - 4) x 100
        ("1000", "100", "1200", 7, 4, "1200"),  # 1300 capped at 1200
        ("1000", "100", "1500", 7, 4, "1300"),  # under the cap
        ("1000", "100", "1200", 4, 4, "1000"),  # not above the threshold
        ("1000", None, "1200", 7, 4, "1000"),  # no extra amount
        ("1000", "0", "1200", 7, 4, "1000"),  # extra 0
        ("1000", "100", "1200", 7, None, "1000"),  # no threshold
        ("1000", "100", None, 3, 0, "1300"),  # threshold 0: every member is extra, 1000 + 3 x 100
        ("1000", "100", "900", 7, 4, "1000"),  # a cap below max_policy never lowers it (decision)
        ("1000", "100", "0", 7, 4, "1300"),  # cap 0 = not set
        (None, "100", "1200", 7, 4, None),  # no policy ceiling
    ],
)
def test_effective_policy_ceiling(max_policy, extra, cap, members, threshold, expected) -> None:
    def dec(v):
        return None if v is None else D(v)

    got = effective_policy_ceiling(dec(max_policy), dec(extra), dec(cap), members, threshold)
    assert got == dec(expected)


def test_no_lines() -> None:
    assert value_claim(terms("I", deductible="10"), NONE, []) == ClaimValue()


@pytest.mark.parametrize(
    "build",
    [
        lambda: terms("X"),
        lambda: terms("I", category="Z"),
        lambda: terms("", ceiling="10"),  # amounts without a ceiling type
        lambda: terms("I", deductible="-1"),
        lambda: line(1, 1, "X"),
        lambda: line(1, 1, origin="X"),
        lambda: line(-1, 1),
        lambda: line(1, -1),
        lambda: line(1, 1, "F", -1),
        lambda: line(1, 1, "C", 101),
        lambda: effective_policy_ceiling(D(1), D(1), None, -1, 0),
    ],
)
def test_caller_bugs(build) -> None:
    with pytest.raises(ValueError):
        build()


# The properties over generated claims (bounds, sums, bookings) are in test_valuation_properties.py.
