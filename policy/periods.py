"""When a policy covers its members and until when its contribution may be paid (reference sec. 4.2, 5.3, 14).

Pure rules: no database access. They take a `Product` (saved or not) or any object with the same attributes
(insurance_period, administration_period, start_cycle_1..4, grace_period_enrolment, grace_period_renewal,
grace_period_payment). The stage is "N" (new policy) or "R" (renewal); any other value is a ValueError.

Months:
- adding months clamps to the end of the month: 31 Jan + 1 month = 28 Feb (29 in a leap year) (sec. 14.1);
- a span of n months from a start ends the day before start + n months; when that addition was clamped (the
  start day does not exist in the target month) it ends on the last day of that month instead: 31 Aug + 6
  months -> 28/29 Feb, 1 Mar 2027 + 12 months -> 29 Feb 2028, 15 Jan + 12 months -> 14 Jan (sec. 14.2).

Start and expiry (sec. 4.2, 14.3, 14.4):
- the reference date is the enrolment date; a new policy adds the product's administration period to it; a
  renewal whose previous expiry is known is referred to the day after that expiry when it is enrolled earlier:
  reference = max(enrolment date, previous expiry + 1 day), and its cycle is never one that starts before the
  previous policy ends, even within the renewal grace (decision of this project: no overlapping cover);
- without start cycles the policy starts on the reference date;
- with start cycles, the grace period is the enrolment one for a new policy and the renewal one for a renewal
  (none = 0). Cycle dates are taken in the year of (reference - grace months): the first cycle on or after that
  day is the start, else the first cycle of the next year. Inclusive: an enrolment exactly on a cycle date or
  exactly at cycle date + grace months joins that cycle; a December cycle's grace can run into January;
  the renewal grace counts back from the reference date, so a renewal still joins a cycle that began within
  that grace before the previous policy ended (the cover may then overlap the previous one's last weeks);
- the policy expires at the end of the span of `insurance_period` months from its start.

Last date for payment (sec. 5.3), computed as a span like the expiry (same end-of-month rule):
- with start cycles: the span of the grace period (enrolment for N, renewal for R) from the start date;
- free cycle: N -> the span of grace_period_payment months from the enrolment date; R -> the span of
  grace_period_payment months from the day after the previous expiry (the start date without one);
- when that grace period is empty or 0 there is no last date (None): a 0-month grace would make payment
  impossible, so it means "no limit" (decision of this project).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from dateutil.relativedelta import relativedelta

from policy.models import START_CYCLE_FIELDS
from policy.product_rules import parse_start_cycle

NEW = "N"
RENEWAL = "R"
STAGES = (NEW, RENEWAL)
ONE_DAY = timedelta(days=1)


class StartCycles(Protocol):
    """A product's start cycles, "DD-MM" or blank."""

    @property
    def start_cycle_1(self) -> str: ...
    @property
    def start_cycle_2(self) -> str: ...
    @property
    def start_cycle_3(self) -> str: ...
    @property
    def start_cycle_4(self) -> str: ...


class PeriodRules(StartCycles, Protocol):
    """What these rules read of a product (a `policy.models.Product` has it all)."""

    @property
    def insurance_period(self) -> int: ...
    @property
    def administration_period(self) -> int | None: ...
    @property
    def grace_period_enrolment(self) -> int | None: ...
    @property
    def grace_period_renewal(self) -> int | None: ...
    @property
    def grace_period_payment(self) -> int | None: ...


@dataclass(frozen=True)
class Period:
    start: date
    expiry: date


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative: back), clamped to the end of the month: 31 Jan + 1 -> 28/29 Feb."""
    moved: date = day + relativedelta(months=months)
    return moved


def cover_end(start: date, months: int) -> date:
    """Last day of a span of `months` months from `start` (both days included).

    start + months - 1 day, except when the start day does not exist in the target month: then the span runs to
    the end of that month (31 Aug + 6 -> 28/29 Feb rather than 27/28 Feb).
    """
    end = add_months(start, months)
    if end.day != start.day:  # clamped: already the last day of the target month
        return end
    return end - ONE_DAY


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise ValueError(f"stage must be {NEW!r} or {RENEWAL!r}, not {stage!r}")


def _months(value: int | None) -> int:
    return value or 0


def cycle_days(product: StartCycles) -> list[tuple[int, int]]:
    """The product's start cycles as (month, day), in calendar order; empty for a free-cycle product."""
    cycles = []
    for field in START_CYCLE_FIELDS:
        text = (getattr(product, field, "") or "").strip()
        if text:
            day, month = parse_start_cycle(text)
            cycles.append((month, day))
    return sorted(cycles)


def _grace(product: PeriodRules, stage: str) -> int | None:
    return product.grace_period_enrolment if stage == NEW else product.grace_period_renewal


def policy_start(product: PeriodRules, *, stage: str, enroll_date: date, previous_expiry: date | None = None) -> date:
    """First day of cover of a policy of `product` enrolled (or renewed) on `enroll_date`."""
    _check_stage(stage)
    ref = enroll_date
    if stage == NEW:
        ref = add_months(ref, _months(product.administration_period))
    elif previous_expiry is not None:
        ref = max(ref, previous_expiry + ONE_DAY)
    cycles = cycle_days(product)
    if not cycles:
        return ref
    base = add_months(ref, -_months(_grace(product, stage)))
    if stage == RENEWAL and previous_expiry is not None:
        base = max(base, previous_expiry + ONE_DAY)  # the grace never reaches back into the renewed cover
    return _next_cycle(cycles, base)


def _next_cycle(cycles: list[tuple[int, int]], base: date) -> date:
    for month, day in cycles:
        candidate = date(base.year, month, day)
        if base <= candidate:
            return candidate
    month, day = cycles[0]
    return date(base.year + 1, month, day)


def policy_period(
    product: PeriodRules, *, stage: str, enroll_date: date, previous_expiry: date | None = None
) -> Period:
    """Start and expiry of a policy of `product` enrolled (or renewed) on `enroll_date`."""
    start = policy_start(product, stage=stage, enroll_date=enroll_date, previous_expiry=previous_expiry)
    return Period(start=start, expiry=cover_end(start, product.insurance_period))


def last_payment_date(
    product: PeriodRules, *, stage: str, enroll_date: date, start_date: date, previous_expiry: date | None = None
) -> date | None:
    """Last day the contribution may be paid; None when the product's relevant grace period is empty or 0."""
    _check_stage(stage)
    if cycle_days(product):
        grace = _months(_grace(product, stage))
        begin = start_date
    else:
        grace = _months(product.grace_period_payment)
        if stage == NEW:
            begin = enroll_date
        else:
            begin = previous_expiry + ONE_DAY if previous_expiry is not None else start_date
    if grace <= 0:
        return None
    return cover_end(begin, grace)
