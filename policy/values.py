"""What a family owes for a policy of a product (reference sec. 4.3, with this project's decisions 12.10, 14.5, 14.6).

Pure rules: no database access. They take a `Product` (saved or not) or any object with the same attributes, and
the family's members as `Member` values in the order they joined the family, the head first.

Members:
- the first `max_members` members are covered and charged; the later ones are excluded: not covered, not
  charged (sec. 14.6); no maximum covers everyone;
- ages are taken on the enrolment date, so that a policy's value does not change with the day it is recomputed
  (sec. 12.10); an adult is 18 or older; someone born on 29 February turns a year older on 28 February in
  common years (months are added with clamping, sec. 14.1);
- members whose relationship is 7 ("other") are counted apart and always pay the adult or child premium.

Contribution:
- threshold (only with a lump sum, sec. 14.5): the lump sum covers up to `threshold` members, adults first;
  extra adults = max(0, adults - threshold), extra children = max(0, children - max(0, threshold - adults));
  without a threshold there are no extras;
- with a lump sum: lump sum + extra adults x adult premium + extra children x child premium; without one:
  adults x adult premium + children x child premium; then + others' premiums in every case;
- general assembly: its lump sum, or covered members x its fee; registration (new policies only): its lump sum,
  or covered members x its fee; nothing for a renewal;
- a lump sum counts when it is given and above 0; an empty amount counts as 0.

Discounts, on contribution + assembly + registration:
- new policy: only for a product with start cycles and both enrolment discount fields, when the enrolment date
  is on or before the start date minus the discount period: total x percentage / 100;
- renewal: with both renewal discount fields, when the enrolment date is on or before (previous expiry + 1 day,
  or the start date without a previous policy) minus the discount period: total x percentage / 100.

Money is Decimal, never float; every amount is given in cents, the discount rounded half up to the cent;
value = contribution + assembly + registration - discount.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from dateutil.relativedelta import relativedelta

from insuree.models import Relationship
from policy.periods import NEW, ONE_DAY, RENEWAL, STAGES, StartCycles, add_months, cycle_days

ADULT_AGE = 18
OTHER = Relationship.OTHER  # 7: always pays per head
CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class ValueRules(StartCycles, Protocol):
    """What these rules read of a product (a `policy.models.Product` has it all)."""

    @property
    def max_members(self) -> int | None: ...
    @property
    def threshold(self) -> int | None: ...
    @property
    def lump_sum(self) -> Decimal | None: ...
    @property
    def premium_adult(self) -> Decimal | None: ...
    @property
    def premium_child(self) -> Decimal | None: ...
    @property
    def registration_lump_sum(self) -> Decimal | None: ...
    @property
    def registration_fee(self) -> Decimal | None: ...
    @property
    def general_assembly_lump_sum(self) -> Decimal | None: ...
    @property
    def general_assembly_fee(self) -> Decimal | None: ...
    @property
    def enrolment_discount_perc(self) -> Decimal | None: ...
    @property
    def enrolment_discount_period(self) -> int | None: ...
    @property
    def renewal_discount_perc(self) -> Decimal | None: ...
    @property
    def renewal_discount_period(self) -> int | None: ...


@dataclass(frozen=True)
class Member:
    key: object  # whatever identifies the member to the caller (an id, an insurance number, the instance)
    dob: date
    relationship: int | None


@dataclass(frozen=True)
class PolicyValue:
    value: Decimal  # what is due: contribution + assembly + registration - discount
    contribution: Decimal
    assembly: Decimal
    registration: Decimal
    discount: Decimal
    covered: tuple[object, ...]  # keys of the members covered (and charged), in the given order
    excluded: tuple[object, ...]  # keys of the members over the maximum: neither covered nor charged
    adults: int
    children: int
    other_adults: int
    other_children: int
    extra_adults: int
    extra_children: int


def age_on(dob: date, day: date) -> int:
    """Whole years from `dob` to `day` (29 February birthdays count on 28 February in common years)."""
    years: int = relativedelta(day, dob).years
    return years


def _money(amount: Decimal | None) -> Decimal:
    return ZERO if amount is None else Decimal(amount)


def _lump(amount: Decimal | None) -> Decimal | None:
    """A lump sum that applies: given and above 0."""
    return amount if amount is not None and amount > 0 else None


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _discount_rate(
    product: ValueRules, *, stage: str, enroll_date: date, start_date: date, previous_expiry: date | None
) -> Decimal:
    """The discount percentage that applies (0 when none does)."""
    if stage == NEW:
        perc, period = product.enrolment_discount_perc, product.enrolment_discount_period
        if not cycle_days(product) or perc is None or period is None:
            return ZERO
        deadline = add_months(start_date, -period)
    else:
        perc, period = product.renewal_discount_perc, product.renewal_discount_period
        if perc is None or period is None:
            return ZERO
        renewal_day = previous_expiry + ONE_DAY if previous_expiry is not None else start_date
        deadline = add_months(renewal_day, -period)
    return Decimal(perc) if enroll_date <= deadline else ZERO


def policy_value(
    product: ValueRules,
    members: Sequence[Member],
    *,
    stage: str,
    enroll_date: date,
    start_date: date,
    previous_expiry: date | None = None,
) -> PolicyValue:
    """The contribution due for a policy of `product` covering `members` (head first, in joining order)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be {NEW!r} or {RENEWAL!r}, not {stage!r}")
    limit = product.max_members
    covered = list(members) if limit is None else list(members[:limit])
    excluded = [] if limit is None else list(members[limit:])

    adults = children = other_adults = other_children = 0
    for member in covered:
        adult = age_on(member.dob, enroll_date) >= ADULT_AGE
        if member.relationship == OTHER and adult:
            other_adults += 1
        elif member.relationship == OTHER:
            other_children += 1
        elif adult:
            adults += 1
        else:
            children += 1

    extra_adults = extra_children = 0
    if product.threshold is not None:
        extra_adults = max(0, adults - product.threshold)
        extra_children = max(0, children - max(0, product.threshold - adults))

    adult_premium, child_premium = _money(product.premium_adult), _money(product.premium_child)
    lump_sum = _lump(product.lump_sum)
    if lump_sum is not None:
        contribution = lump_sum + extra_adults * adult_premium + extra_children * child_premium
    else:
        contribution = adults * adult_premium + children * child_premium
    contribution += other_adults * adult_premium + other_children * child_premium

    assembly = _lump(product.general_assembly_lump_sum) or len(covered) * _money(product.general_assembly_fee)
    registration = ZERO
    if stage == NEW:
        registration = _lump(product.registration_lump_sum) or len(covered) * _money(product.registration_fee)

    contribution, assembly, registration = _cents(contribution), _cents(assembly), _cents(registration)
    total = contribution + assembly + registration
    rate = _discount_rate(
        product, stage=stage, enroll_date=enroll_date, start_date=start_date, previous_expiry=previous_expiry
    )
    discount = _cents(total * rate / HUNDRED)
    return PolicyValue(
        value=_cents(total - discount),
        contribution=contribution,
        assembly=assembly,
        registration=registration,
        discount=discount,
        covered=tuple(m.key for m in covered),
        excluded=tuple(m.key for m in excluded),
        adults=adults,
        children=children,
        other_adults=other_adults,
        other_children=other_children,
        extra_adults=extra_adults,
        extra_children=extra_children,
    )
