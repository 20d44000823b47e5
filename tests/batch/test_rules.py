"""The batch run's arithmetic with small examples worked out by hand (reference sec. 6.8, 6.9)."""

from datetime import date
from decimal import Decimal as D

import pytest

from batch import rules
from batch.rules import FacilityMeasures


@pytest.mark.parametrize(
    ("year", "month", "kind", "window"),
    [
        (2026, 2, "M", (date(2026, 2, 1), date(2026, 2, 28))),
        (2028, 2, "M", (date(2028, 2, 1), date(2028, 2, 29))),  # leap year
        (2026, 3, "Q", (date(2026, 1, 1), date(2026, 3, 31))),
        (2026, 12, "Q", (date(2026, 10, 1), date(2026, 12, 31))),
        (2026, 2, "Q", None),  # a quarter closes in March, June, September, December only
        (2026, 12, "Y", (date(2026, 1, 1), date(2026, 12, 31))),
        (2026, 11, "Y", None),
    ],
)
def test_the_window_of_an_index(year, month, kind, window):
    assert rules.period_window(year, month, kind) == window


def test_period_numbers():
    assert [rules.period_number(m, "Q") for m in (3, 6, 9, 12)] == [1, 2, 3, 4]
    assert (rules.period_number(7, "M"), rules.period_number(12, "Y")) == (7, 1)


JAN = (date(2026, 1, 1), date(2026, 1, 31))
FEB = (date(2026, 2, 1), date(2026, 2, 28))
Q1 = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("amount", "pay", "effective", "expiry", "window", "expected"),
    [
        # 365.00 over 365 days of 2026: a day is worth 1.00; January 31 days, the first quarter 90
        (D("365.00"), date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31), JAN, D("31")),
        (D("365.00"), date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31), Q1, D("90")),
        # paid on 16 January: spread over 16 Jan..31 Dec (350 days); January holds 16 of them
        (D("350.00"), date(2026, 1, 16), date(2026, 1, 1), date(2026, 12, 31), JAN, D("16")),
        # effective after the payment: the cover starts 1 February (365 days to 31 January 2027); none in January
        (D("365.00"), date(2026, 1, 1), date(2026, 2, 1), date(2027, 1, 31), JAN, D("0")),
        (D("365.00"), date(2026, 1, 1), date(2026, 2, 1), date(2027, 1, 31), FEB, D("28")),
        # paid after the window, or a cover that ended before it: nothing
        (D("365.00"), date(2026, 2, 3), date(2026, 1, 1), date(2026, 12, 31), JAN, D("0")),
        (D("100.00"), date(2025, 1, 1), date(2025, 1, 1), date(2025, 12, 31), JAN, D("0")),
        # no effective date recorded: from the payment; 3 of 3 days
        (D("30.00"), date(2026, 1, 29), None, date(2026, 1, 31), JAN, D("30")),
    ],
)
def test_allocated_contributions(amount, pay, effective, expiry, window, expected):
    assert rules.allocated(amount, pay, effective, expiry, *window) == expected


def test_allocation_keeps_fractions_of_a_cent():
    # 100.00 over 3 days, 1 of them in the window: 33.333...; amounts are rounded only where they are paid
    share = rules.allocated(D("100.00"), date(2026, 1, 31), date(2026, 1, 31), date(2026, 2, 2), *JAN)
    assert share.quantize(D("0.0001")) == D("33.3333")


@pytest.mark.parametrize(
    ("pool", "share", "valued", "index"),
    [
        (D("1000.00"), D("0.5"), D("400.00"), D("1.25")),  # 1000 x 50 % / 400
        (D("1000.00"), D("1"), D("3000.00"), D("0.3333333333")),
        (D("1000.00"), D("0.5"), D("0"), D("1")),  # nothing valued: 1
        (D("0"), D("1"), D("500.00"), D("0")),  # nothing collected: the lines are worth nothing
    ],
)
def test_relative_index(pool, share, valued, index):
    assert rules.relative_index(pool, share, valued) == index


@pytest.mark.parametrize(
    ("valued", "index", "paid"),
    [
        (D("100.00"), D("1.25"), D("125.00")),
        (D("10.00"), D("0.3333333333"), D("3.33")),
        (D("0.01"), D("0.5"), D("0.01")),  # 0.005 rounded half up
        (D("2999.99"), D("1"), D("2999.99")),
    ],
)
def test_remunerated_to_the_cent(valued, index, paid):
    assert rules.remunerated(valued, index) == paid


def test_capitation_split_by_weight_and_measure():
    # pool 10,000 x share 50 % = 5,000: half by population (2,500), half by visits (2,500)
    facilities = [
        FacilityMeasures(1, population=D(600), visits=D(10)),
        FacilityMeasures(2, population=D(300), visits=D(0)),
        FacilityMeasures(3, population=D(100), visits=D(30)),
    ]
    weights = {"population": D("0.5"), "visits": D("0.5")}
    payments = rules.capitation(D("10000.00"), D("0.5"), weights, facilities)
    # population: 2500 x 600/1000 = 1500, x 300/1000 = 750, x 100/1000 = 250; visits: 2500 x 10/40 = 625, x 30/40
    assert payments == {1: D("2125.00"), 2: D("750.00"), 3: D("2125.00")}
    assert sum(payments.values()) == D("5000.00")


def test_capitation_rounding_remainder_goes_to_the_largest():
    facilities = [FacilityMeasures(n, families=D(1)) for n in (7, 8, 9)]
    payments = rules.capitation(D("100.00"), D("1"), {"families": D("1")}, facilities)
    # 100 / 3 = 33.33 each; the cent left goes to the first of the equal largest
    assert payments == {7: D("33.34"), 8: D("33.33"), 9: D("33.33")}


def test_capitation_of_a_measure_nobody_has_pays_nothing_for_it():
    facilities = [FacilityMeasures(1, population=D(10)), FacilityMeasures(2, population=D(30))]
    weights = {"population": D("0.6"), "visits": D("0.4")}
    payments = rules.capitation(D("1000.00"), D("1"), weights, facilities)
    assert payments == {1: D("150.00"), 2: D("450.00")}  # the visits' 400 is not paid: no visits anywhere
