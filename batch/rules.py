"""The arithmetic of the batch run (reference sec. 6.8, 6.9, 5.4, 3.3), pure: no database, no clock.

- `period_window(year, month, kind)`: the window a relative index covers, ending on the last day of `month`:
  that month (M), its quarter (Q, only in March, June, September, December) or its year (Y, only in December);
  None when the kind has no index that month.
- `allocated(amount, pay_date, effective, expiry, start, end)`: the part of a contribution that falls in the window
  [start, end]: the contribution is spread evenly, day by day, over the cover it pays for, from the later of its pay
  date and the policy's effective date to the policy's expiry, both days counted. Nothing before it was paid or
  after the cover ends; nothing when paid after the window or after the cover's end.
- `relative_index(pool, share, valued)`: what each unit of value on relative-price lines is worth: the pool of
  allocated contributions times the distribution share of the period, over the valued amount of the relative-price
  lines processed in the window; 1 when nothing was valued (reference: "1 when that sum is zero").
- `remunerated(valued, index)`: a line's payment, rounded half up to the cent.
- `capitation(pool, share, weights, measures)`: the capitation pool per facility: the pool x the product's share
  of contributions for capitation is split into six parts by the weights (population, families, insured people,
  insured families, visits, adjusted amount, in percent); each part is divided among facilities in proportion to
  their measure. Amounts are rounded half up to the cent per facility and measure; the rounding remainder of a part
  goes to the facility with the largest measure (ties: the first in the order given), so that the facilities'
  shares of each part add up to that part to the cent.

Amounts are Decimal; an index keeps 10 decimal places (the stored index is rounded for display only, amounts are
computed with this one).
"""

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
INDEX_PLACES = Decimal("0.0000000001")
MEASURES = ("population", "families", "insured_people", "insured_families", "visits", "adjusted_amount")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_window(year: int, month: int, kind: str) -> tuple[date, date] | None:
    """The window of a relative index of `kind` (M, Q, Y) computed at the end of `month`; None when `kind` has no
    index in that month (a quarter closes in March, June, September and December, a year in December)."""
    end = month_end(year, month)
    if kind == "M":
        return date(year, month, 1), end
    if kind == "Q":
        return (date(year, month - 2, 1), end) if month % 3 == 0 else None
    if kind == "Y":
        return (date(year, 1, 1), end) if month == 12 else None
    raise ValueError(f"unknown period kind {kind!r}")


def period_number(month: int, kind: str) -> int:
    """The period's number within its year (month 1-12, quarter 1-4, year 1): the distribution row it uses."""
    return {"M": month, "Q": (month + 2) // 3, "Y": 1}[kind]


def allocated(amount: Decimal, pay_date: date, effective: date | None, expiry: date, start: date, end: date) -> Decimal:
    """The part of a contribution of `amount` that falls in the window [start, end] (unrounded)."""
    cover_start = max(pay_date, effective) if effective is not None else pay_date
    if cover_start > expiry or pay_date > end:
        return Decimal(0)
    first, last = max(start, cover_start), min(end, expiry)
    if first > last:
        return Decimal(0)
    days = (last - first).days + 1
    total = (expiry - cover_start).days + 1
    return amount * days / total


def relative_index(pool: Decimal, share: Decimal, valued: Decimal) -> Decimal:
    """Pool x share (a fraction, 0.25 for 25 %) / valued; 1 when nothing was valued."""
    if valued == 0:
        return Decimal(1)
    return (pool * share / valued).quantize(INDEX_PLACES, rounding=ROUND_HALF_UP)


def remunerated(valued: Decimal, index: Decimal) -> Decimal:
    return (valued * index).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FacilityMeasures:
    """What a facility counts for in the capitation: its catchment (population, families; catchment percentages
    applied), the insured among them, its claims of the month (visits) and their adjusted amount."""

    facility: int
    population: Decimal = Decimal(0)
    families: Decimal = Decimal(0)
    insured_people: Decimal = Decimal(0)
    insured_families: Decimal = Decimal(0)
    visits: Decimal = Decimal(0)
    adjusted_amount: Decimal = Decimal(0)


def capitation(
    pool: Decimal, share: Decimal, weights: Mapping[str, Decimal], facilities: Sequence[FacilityMeasures]
) -> dict[int, Decimal]:
    """Each facility's capitation payment: `pool` x `share` (fractions) split by `weights` (fractions per measure of
    MEASURES), each part divided in proportion to the facilities' measures; to the cent, adding up exactly."""
    payments = {f.facility: Decimal(0) for f in facilities}
    total_pool = pool * share
    for measure in MEASURES:
        part = (total_pool * weights.get(measure, Decimal(0))).quantize(CENT, rounding=ROUND_HALF_UP)
        values = [(f.facility, getattr(f, measure)) for f in facilities]
        whole = sum((v for _f, v in values), Decimal(0))
        if part == 0 or whole == 0:
            continue
        shares = {f: (part * v / whole).quantize(CENT, rounding=ROUND_HALF_UP) for f, v in values}
        largest = max(values, key=lambda fv: fv[1])[0]
        shares[largest] += part - sum(shares.values(), Decimal(0))
        for f, amount in shares.items():
            payments[f] += amount
    return payments
