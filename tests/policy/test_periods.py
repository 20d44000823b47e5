"""Start, expiry and last payment dates of a policy (policy.periods), table-driven; each expected date is worked
out by hand in the comment beside it. Products are unsaved: no database."""

from datetime import date

import pytest

from policy.models import Product
from policy.periods import Period, add_months, cover_end, last_payment_date, policy_period

D = date
HALF_YEARS = {"start_cycle_1": "01-01", "start_cycle_2": "01-07"}


def product(**fields) -> Product:
    return Product(code="P1", name="Product", date_from=D(2020, 1, 1), date_to=D(2030, 12, 31), **fields)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 3, 15), 1, D(2026, 4, 15)),  # plain
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # no 31 Feb: clamped to the month end
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # Aug -> Feb, clamped
        (D(2026, 3, 31), -1, D(2026, 2, 28)),  # backwards, clamped
        (D(2026, 1, 5), -1, D(2025, 12, 5)),  # backwards across the year
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # 29 Feb + 1 year: clamped
        (D(2026, 5, 10), 0, D(2026, 5, 10)),  # nothing to add
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 15), 12, D(2027, 1, 14)),  # 15 Jan 2027 - 1 day
        (D(2026, 1, 1), 12, D(2026, 12, 31)),  # 1 Jan 2027 - 1 day
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # 31 Aug + 6 clamped to 28 Feb: runs to that month end
        (D(2027, 8, 31), 6, D(2028, 2, 29)),  # same in a leap year: 29 Feb
        (D(2027, 3, 1), 12, D(2028, 2, 29)),  # 1 Mar 2028 - 1 day = 29 Feb (leap)
        (D(2026, 3, 1), 12, D(2027, 2, 28)),  # 1 Mar 2027 - 1 day = 28 Feb
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped: end of February
        (D(2026, 1, 30), 1, D(2026, 2, 28)),  # 30 Feb does not exist either: end of February
        (D(2026, 2, 28), 1, D(2026, 3, 27)),  # not clamped: 28 Mar - 1 day
        (D(2028, 2, 29), 12, D(2029, 2, 28)),  # 29 Feb 2029 does not exist: end of February 2029
        (D(2026, 12, 31), 6, D(2027, 6, 30)),  # 31 Jun does not exist: end of June
        (D(2026, 7, 1), 24, D(2028, 6, 30)),  # 1 Jul 2028 - 1 day
    ],
)
def test_cover_end(start, months, expected):
    assert cover_end(start, months) == expected


@pytest.mark.parametrize(
    ("fields", "stage", "enroll", "previous_expiry", "start", "expiry"),
    [
        # --- free cycle: the cover starts on the (reference) enrolment date ---
        ({}, "N", D(2026, 3, 10), None, D(2026, 3, 10), D(2027, 3, 9)),  # 12 months: 10 Mar 2027 - 1
        ({"insurance_period": 6}, "N", D(2026, 3, 10), None, D(2026, 3, 10), D(2026, 9, 9)),  # 10 Sep - 1
        ({"insurance_period": 24}, "N", D(2026, 3, 10), None, D(2026, 3, 10), D(2028, 3, 9)),  # 10 Mar 2028 - 1
        # administration period: +1 month -> 10 Apr; expiry 10 Apr 2027 - 1
        ({"administration_period": 1}, "N", D(2026, 3, 10), None, D(2026, 4, 10), D(2027, 4, 9)),
        # 31 Dec + 2 months clamped to 28 Feb; 28 Feb 2027 exists -> expiry 27 Feb 2027
        ({"administration_period": 2}, "N", D(2025, 12, 31), None, D(2026, 2, 28), D(2027, 2, 27)),
        # a renewal gets no administration period: starts on the enrolment date
        ({"administration_period": 1}, "R", D(2026, 3, 10), None, D(2026, 3, 10), D(2027, 3, 9)),
        # renewal before the previous expiry (9 Mar): starts the day after it, 10 Mar
        ({}, "R", D(2026, 2, 20), D(2026, 3, 9), D(2026, 3, 10), D(2027, 3, 9)),
        # renewal after the previous expiry: max(20 Mar, 10 Mar) = 20 Mar
        ({}, "R", D(2026, 3, 20), D(2026, 3, 9), D(2026, 3, 20), D(2027, 3, 19)),
        # previous policy ends 31 Dec: the renewal starts 1 Jan
        ({}, "R", D(2026, 12, 1), D(2026, 12, 31), D(2027, 1, 1), D(2027, 12, 31)),
        # --- cycles 1 Jan and 1 Jul, no grace ---
        (HALF_YEARS, "N", D(2026, 1, 1), None, D(2026, 1, 1), D(2026, 12, 31)),  # exactly on a cycle: joins it
        (HALF_YEARS, "N", D(2026, 1, 2), None, D(2026, 7, 1), D(2027, 6, 30)),  # one day late: next cycle
        (HALF_YEARS, "N", D(2026, 7, 1), None, D(2026, 7, 1), D(2027, 6, 30)),  # exactly on cycle 2
        (HALF_YEARS, "N", D(2026, 7, 2), None, D(2027, 1, 1), D(2027, 12, 31)),  # after the last: next year's first
        # administration period first: 15 Jun + 1 = 15 Jul, after 1 Jul -> 1 Jan 2027
        ({**HALF_YEARS, "administration_period": 1}, "N", D(2026, 6, 15), None, D(2027, 1, 1), D(2027, 12, 31)),
        # four cycles: 15 Aug -> 1 Oct; expiry 1 Oct 2027 - 1
        (
            {"start_cycle_1": "01-01", "start_cycle_2": "01-04", "start_cycle_3": "01-07", "start_cycle_4": "01-10"},
            "N",
            D(2026, 8, 15),
            None,
            D(2026, 10, 1),
            D(2027, 9, 30),
        ),
        # cycles stored out of order are taken in calendar order: after 1 Jul comes 1 Jan 2027 (not 1 Jul 2027)
        (
            {"start_cycle_1": "01-07", "start_cycle_2": "01-01"},
            "N",
            D(2026, 7, 2),
            None,
            D(2027, 1, 1),
            D(2027, 12, 31),
        ),
        # --- enrolment grace 2 months ---
        # 20 Feb - 2 = 20 Dec 2025: no 2025 cycle on/after it -> 1 Jan 2026 (inside the grace)
        ({**HALF_YEARS, "grace_period_enrolment": 2}, "N", D(2026, 2, 20), None, D(2026, 1, 1), D(2026, 12, 31)),
        # 1 Mar = exactly 1 Jan + 2: base 1 Jan <= 1 Jan -> joins 1 Jan
        ({**HALF_YEARS, "grace_period_enrolment": 2}, "N", D(2026, 3, 1), None, D(2026, 1, 1), D(2026, 12, 31)),
        # 2 Mar: base 2 Jan, after 1 Jan -> 1 Jul
        ({**HALF_YEARS, "grace_period_enrolment": 2}, "N", D(2026, 3, 2), None, D(2026, 7, 1), D(2027, 6, 30)),
        # inside the next cycle's grace: 31 Aug - 2 = 30 Jun <= 1 Jul -> 1 Jul (already started)
        ({**HALF_YEARS, "grace_period_enrolment": 2}, "N", D(2026, 8, 31), None, D(2026, 7, 1), D(2027, 6, 30)),
        # --- renewal grace (1) differs from enrolment grace (2) ---
        # R: 20 Jan - 1 = 20 Dec 2025 -> 1 Jan 2026
        (
            {**HALF_YEARS, "grace_period_enrolment": 2, "grace_period_renewal": 1},
            "R",
            D(2026, 1, 20),
            None,
            D(2026, 1, 1),
            D(2026, 12, 31),
        ),
        # R: 20 Feb - 1 = 20 Jan, after 1 Jan -> 1 Jul (a new policy would still join 1 Jan: see above)
        (
            {**HALF_YEARS, "grace_period_enrolment": 2, "grace_period_renewal": 1},
            "R",
            D(2026, 2, 20),
            None,
            D(2026, 7, 1),
            D(2027, 6, 30),
        ),
        # R without a renewal grace: the enrolment grace does not apply -> base 20 Jan -> 1 Jul
        ({**HALF_YEARS, "grace_period_enrolment": 2}, "R", D(2026, 1, 20), None, D(2026, 7, 1), D(2027, 6, 30)),
        # R early, previous expiry 31 Dec 2025: ref 1 Jan 2026, base 1 Dec 2025 -> 1 Jan 2026 = expiry + 1
        (
            {**HALF_YEARS, "grace_period_renewal": 1},
            "R",
            D(2025, 12, 1),
            D(2025, 12, 31),
            D(2026, 1, 1),
            D(2026, 12, 31),
        ),
        # R early, previous expiry 30 Jun: ref 1 Jul -> 1 Jul (enrolment date alone would give 1 Jul too)
        (HALF_YEARS, "R", D(2026, 5, 1), D(2026, 6, 30), D(2026, 7, 1), D(2027, 6, 30)),
        # R early on a 1 Jan/1 Jul product whose previous policy ends 31 Jul: ref 1 Aug -> 1 Jan 2027
        # (from the enrolment date 1 May it would have been 1 Jul, inside the previous cover)
        (HALF_YEARS, "R", D(2026, 5, 1), D(2026, 7, 31), D(2027, 1, 1), D(2027, 12, 31)),
        # --- a December cycle whose grace runs into January (cycle 15 Dec, enrolment grace 1) ---
        # 5 Jan - 1 = 5 Dec 2025 <= 15 Dec 2025 -> 15 Dec 2025 (reference example); expiry 15 Dec 2026 - 1
        (
            {"start_cycle_1": "15-12", "grace_period_enrolment": 1},
            "N",
            D(2026, 1, 5),
            None,
            D(2025, 12, 15),
            D(2026, 12, 14),
        ),
        # exactly 15 Dec + 1 month: base 15 Dec 2025 -> joins it
        (
            {"start_cycle_1": "15-12", "grace_period_enrolment": 1},
            "N",
            D(2026, 1, 15),
            None,
            D(2025, 12, 15),
            D(2026, 12, 14),
        ),
        # 16 Jan: base 16 Dec 2025 -> the next one, 15 Dec 2026
        (
            {"start_cycle_1": "15-12", "grace_period_enrolment": 1},
            "N",
            D(2026, 1, 16),
            None,
            D(2026, 12, 15),
            D(2027, 12, 14),
        ),
        # before the cycle: 10 Dec - 1 = 10 Nov -> 15 Dec 2025
        (
            {"start_cycle_1": "15-12", "grace_period_enrolment": 1},
            "N",
            D(2025, 12, 10),
            None,
            D(2025, 12, 15),
            D(2026, 12, 14),
        ),
        # --- month ends ---
        # cycle 31 Jan, grace 1: 28 Feb - 1 = 28 Jan <= 31 Jan -> 31 Jan 2026; expiry 31 Jan 2027 - 1
        (
            {"start_cycle_1": "31-01", "grace_period_enrolment": 1},
            "N",
            D(2026, 2, 28),
            None,
            D(2026, 1, 31),
            D(2027, 1, 30),
        ),
        # 1 Mar - 1 = 1 Feb, after 31 Jan -> 31 Jan 2027
        (
            {"start_cycle_1": "31-01", "grace_period_enrolment": 1},
            "N",
            D(2026, 3, 1),
            None,
            D(2027, 1, 31),
            D(2028, 1, 30),
        ),
        # cycle 31 Aug, 6 months: 31 Aug + 6 clamped -> expiry 28 Feb 2027
        ({"start_cycle_1": "31-08", "insurance_period": 6}, "N", D(2026, 8, 1), None, D(2026, 8, 31), D(2027, 2, 28)),
        # same a year later: 29 Feb 2028 (leap)
        ({"start_cycle_1": "31-08", "insurance_period": 6}, "N", D(2027, 8, 1), None, D(2027, 8, 31), D(2028, 2, 29)),
        # cycle 1 Mar, 12 months, starting 2027: 1 Mar 2028 - 1 = 29 Feb 2028
        ({"start_cycle_1": "01-03"}, "N", D(2027, 2, 1), None, D(2027, 3, 1), D(2028, 2, 29)),
        # cycle 1 Jul, 24 months: 1 Jul 2028 - 1
        ({"start_cycle_1": "01-07", "insurance_period": 24}, "N", D(2026, 6, 1), None, D(2026, 7, 1), D(2028, 6, 30)),
    ],
)
def test_policy_period(fields, stage, enroll, previous_expiry, start, expiry):
    period = policy_period(product(**fields), stage=stage, enroll_date=enroll, previous_expiry=previous_expiry)
    assert period == Period(start=start, expiry=expiry)


CYCLES_WITH_GRACES = {**HALF_YEARS, "grace_period_enrolment": 2, "grace_period_renewal": 1, "grace_period_payment": 3}


@pytest.mark.parametrize(
    ("fields", "stage", "enroll", "start", "previous_expiry", "expected"),
    [
        # --- with cycles: start + the stage's grace (the payment grace is not used) ---
        (CYCLES_WITH_GRACES, "N", D(2026, 6, 20), D(2026, 7, 1), None, D(2026, 8, 31)),  # 1 Jul + 2 - 1
        (CYCLES_WITH_GRACES, "R", D(2026, 6, 20), D(2026, 7, 1), D(2026, 6, 30), D(2026, 7, 31)),  # 1 Jul + 1 - 1
        # no enrolment grace -> no last date, even with a payment grace
        ({**HALF_YEARS, "grace_period_payment": 3}, "N", D(2026, 6, 20), D(2026, 7, 1), None, None),
        ({**HALF_YEARS, "grace_period_enrolment": 0}, "N", D(2026, 6, 20), D(2026, 7, 1), None, None),  # 0 = none
        # renewal grace missing: the enrolment grace does not stand in for it
        ({**HALF_YEARS, "grace_period_enrolment": 2}, "R", D(2026, 6, 20), D(2026, 7, 1), None, None),
        # start 31 Aug, grace 6: 31 Aug + 6 clamped to 28 Feb -> runs to 28 Feb (like an expiry)
        (
            {"start_cycle_1": "31-08", "grace_period_enrolment": 6},
            "N",
            D(2026, 8, 1),
            D(2026, 8, 31),
            None,
            D(2027, 2, 28),
        ),
        # --- free cycle: the payment grace ---
        # N: from the enrolment date (not the start after an administration period): 10 Mar + 3 - 1 = 9 Jun
        (
            {"grace_period_payment": 3, "administration_period": 1},
            "N",
            D(2026, 3, 10),
            D(2026, 4, 10),
            None,
            D(2026, 6, 9),
        ),
        # N: 30 Nov + 3 clamped to 28 Feb -> 28 Feb
        ({"grace_period_payment": 3}, "N", D(2026, 11, 30), D(2026, 11, 30), None, D(2027, 2, 28)),
        # R: from the day after the previous expiry: 10 Mar + 3 - 1 = 9 Jun
        ({"grace_period_payment": 3}, "R", D(2026, 2, 20), D(2026, 3, 10), D(2026, 3, 9), D(2026, 6, 9)),
        # R: previous expiry 31 Jan -> 1 Feb + 3 - 1 = 30 Apr
        ({"grace_period_payment": 3}, "R", D(2026, 1, 15), D(2026, 2, 1), D(2026, 1, 31), D(2026, 4, 30)),
        # R without a previous policy: from the start date: 20 Mar + 3 - 1 = 19 Jun
        ({"grace_period_payment": 3}, "R", D(2026, 3, 20), D(2026, 3, 20), None, D(2026, 6, 19)),
        # no payment grace (an enrolment grace does not count on a free cycle) -> None
        ({"grace_period_enrolment": 2}, "N", D(2026, 3, 10), D(2026, 3, 10), None, None),
        ({"grace_period_payment": 0}, "R", D(2026, 3, 10), D(2026, 3, 10), D(2026, 3, 9), None),
    ],
)
def test_last_payment_date(fields, stage, enroll, start, previous_expiry, expected):
    result = last_payment_date(
        product(**fields), stage=stage, enroll_date=enroll, start_date=start, previous_expiry=previous_expiry
    )
    assert result == expected


def test_unknown_stage_is_refused():
    with pytest.raises(ValueError, match="stage"):
        policy_period(product(), stage="X", enroll_date=D(2026, 1, 1))
    with pytest.raises(ValueError, match="stage"):
        last_payment_date(product(), stage="", enroll_date=D(2026, 1, 1), start_date=D(2026, 1, 1))


def test_a_renewal_never_joins_a_cycle_that_starts_before_the_previous_policy_ends():
    from policy.models import Product
    from policy.periods import policy_period

    product = Product(insurance_period=6, start_cycle_1="01-01", start_cycle_2="01-07", grace_period_renewal=1)
    # previous cover ends 14 Jan 2027: the 1 Jan cycle is within the grace but overlaps, so the renewal joins
    # the next cycle, 1 Jul 2027 (6 months: to 31 Dec 2027)
    period = policy_period(product, stage="R", enroll_date=date(2027, 1, 5), previous_expiry=date(2027, 1, 14))
    assert (period.start, period.expiry) == (date(2027, 7, 1), date(2027, 12, 31))
