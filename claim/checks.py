"""Submission checks of a claim (reference sec. 6.3-6.5 and 6.6 A, with this project's decisions 12.1-12.3,
14.8-14.10).

Pure rules: no database access, no Django. The caller gathers the facts of up to 1,000 claims set-wise
(`ClaimFacts`, `LineFacts`, `CoverLine`) and `check_claim` decides, claim by claim. Labels are plain English
(`REASON_LABELS`); the caller translates by reason code.

Target date T = date_to, or date_from when there is no date_to. A claim is multi-day when date_to is given and
differs from date_from.

1. Dates: date_claimed < date_from, or date_to < date_from -> every line rejected with 9, the claim rejected
   with 9 (sec. 14.10).
2. Insuree: not valid -> every line 7, claim 7; else not covered on the visit dates -> every line 21, claim 21.
3. Each line, the first failure wins:
   a. not in the registers (missing or inactive) -> 1;
   b. not in the facility's price list valid on T -> 2;
   c. care type -> 10 (legacy intent, sec. 12.2): an "I" line only on a multi-day claim at an "I" or "B"
      facility; an "O" line only on a same-day claim at an "O" or "B" facility; a "B" line anywhere;
   d. patient category -> 4: the person's mask is 1 (male or other gender) or 2 (female), plus 4 (adult: 18 or
      older on T, a 29 February birthday counting on 28 February) or 8 (child); a line whose category is not 0
      is refused when `category & mask != mask` (15 = everyone; masks as in `medical.models.PatientCategory`);
   e. frequency -> 5: frequency_days > 0 and the same item/service was last provided to the person on or after
      T - frequency_days;
   f. covers: a cover line whose window (insuree_effective .. cover_expiry) does not contain T is ignored; none
      left -> 3. Each cover is checked, first failure wins:
      - waiting period -> 17, when the policy is new (stage "N") or the person joined after the policy became
        effective: refused while T < insuree_effective + waiting_months (months added with clamping to the end
        of the month, sec. 14.1; no or 0 months = no wait);
      - quantity -> 16, when limit_no is set: used_qty >= limit_no -> refused; used_qty + qty > limit_no ->
        partial: the cover passes for limit_no - used_qty (sec. 14.8, 12.3).
      The line passes when ANY cover passes (sec. 12.1); when none does, it carries the reason of the first
      failing cover. Among the covers that pass the whole quantity, `choose_cover` picks one; when every
      passing cover is partial, those approving the largest quantity are kept and `choose_cover` picks among
      them (decision of this module: a full approval beats a cheaper partial one).
      A partial line is passed, with qty_approved set, reason 16 (for the quantity not approved, sec. 14.8) and a
      note; a fully passed line has reason 0 and qty_approved None. Rejected lines have qty_approved None and
      no chosen cover.
4. Claim category (sec. 6.5): the first of S, D, A, H (also when multi-day), C, O present among the services'
   categories, else V. For every category but O, a passed service whose chosen cover has category_max set and
   category_used >= category_max exceeds the maximum: EVERY line of the claim (items too, and lines already
   rejected for another reason) is rejected with that category's reason - H 11, V 12, C 13, S 14, D 15, A 19 -
   and so is the claim (sec. 14.9). Items' category fields are ignored.
5. Claim: Checked (4) with reason 0 when at least one line passed, else Rejected (1) with reason 1, or with the
   claim-wide reason (9, 7, 21, 11-15, 19) that rejected every line. A claim without lines is rejected with 1.

`choose_cover` (sec. 6.6 A): the best co-insurance line (C, highest percentage, None = 100) and the best
fixed line (F, highest amount per unit, None = 0); ties go to the first in the caller's order. With only one
kind, its best line. With both: F when its amount is 0 or above the unit price; otherwise the lower share for the
insuree, price - fixed against price x (100 - percentage) / 100, and C when they are equal.

Unknown codes (kind, care type, gender, stage, limitation, price origin) are a ValueError: a bug of the caller,
not a rejection.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

# --- codes ---------------------------------------------------------------------------------------------------

PASSED, REJECTED = 1, 2  # line status
CHECKED, CLAIM_REJECTED = 4, 1  # claim status

REASON_ACCEPTED = 0
REASON_NOT_IN_REGISTERS = 1  # also the claim's reason when all its lines are rejected
REASON_NOT_IN_PRICE_LIST = 2
REASON_NO_PRODUCT = 3
REASON_PATIENT_CATEGORY = 4
REASON_FREQUENCY = 5
REASON_INSUREE_NOT_VALID = 7
REASON_TARGET_DATE = 9
REASON_CARE_TYPE = 10
REASON_MAX_HOSPITALISATIONS = 11
REASON_MAX_VISITS = 12
REASON_MAX_CONSULTATIONS = 13
REASON_MAX_SURGERIES = 14
REASON_MAX_DELIVERIES = 15
REASON_MAX_QUANTITY = 16
REASON_WAITING_PERIOD = 17
REASON_MAX_ANTENATAL = 19
REASON_NO_COVER = 21

REASON_LABELS: dict[int, str] = {
    REASON_ACCEPTED: "Accepted",
    REASON_NOT_IN_REGISTERS: "Not in the registers (on a claim: every line was rejected)",
    REASON_NOT_IN_PRICE_LIST: "Not in the health facility's price list",
    REASON_NO_PRODUCT: "No product of the insuree covers it",
    REASON_PATIENT_CATEGORY: "Not for this patient category (gender, adult or child)",
    REASON_FREQUENCY: "Given again too soon (frequency)",
    REASON_INSUREE_NOT_VALID: "The insuree is not valid",
    REASON_TARGET_DATE: "The claim's dates are not valid",
    REASON_CARE_TYPE: "Care type (in-patient / out-patient) does not match the facility or the visit",
    REASON_MAX_HOSPITALISATIONS: "Maximum number of hospitalisations reached",
    REASON_MAX_VISITS: "Maximum number of visits reached",
    REASON_MAX_CONSULTATIONS: "Maximum number of consultations reached",
    REASON_MAX_SURGERIES: "Maximum number of surgeries reached",
    REASON_MAX_DELIVERIES: "Maximum number of deliveries reached",
    REASON_MAX_QUANTITY: "Maximum quantity reached",
    REASON_WAITING_PERIOD: "Waiting period not over",
    REASON_MAX_ANTENATAL: "Maximum number of antenatal contacts reached",
    REASON_NO_COVER: "The insuree has no cover on the visit dates",
}

# Claim categories (sec. 6.5) in the order they are looked for, and the reason when their maximum is reached.
SURGERY, DELIVERY, ANTENATAL, HOSPITALISATION, CONSULTATION, OTHER, VISIT = "S", "D", "A", "H", "C", "O", "V"
CATEGORY_ORDER = (SURGERY, DELIVERY, ANTENATAL, HOSPITALISATION, CONSULTATION, OTHER)
CATEGORY_REASONS: dict[str, int] = {
    HOSPITALISATION: REASON_MAX_HOSPITALISATIONS,
    VISIT: REASON_MAX_VISITS,
    CONSULTATION: REASON_MAX_CONSULTATIONS,
    SURGERY: REASON_MAX_SURGERIES,
    DELIVERY: REASON_MAX_DELIVERIES,
    ANTENATAL: REASON_MAX_ANTENATAL,
}  # OTHER has no maximum

ITEM, SERVICE = "item", "service"
IN_PATIENT, OUT_PATIENT, BOTH = "I", "O", "B"
CARE_TYPES = (IN_PATIENT, OUT_PATIENT, BOTH)
NEW, RENEWAL = "N", "R"
CO_INSURANCE, FIXED = "C", "F"
PRICE_ORIGINS = ("P", "O", "R")
MALE, FEMALE, ADULT, CHILD = 1, 2, 4, 8  # medical.models.PatientCategory
GENDERS = ("M", "F", "O")
ADULT_AGE = 18
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def _check_code(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


# --- facts and results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverLine:
    """One product line (ProductItem / ProductService) that could pay for a claim line, with the person's usage."""

    product_id: int
    policy_id: int
    policy_stage: str  # "N" or "R"
    policy_effective: date
    insuree_effective: date  # the person's own cover effective date on that policy
    cover_expiry: date  # min(policy expiry, person's cover expiry)
    waiting_months: int | None  # already chosen for adult/child
    limit_no: int | None  # max quantity per cover period, adult/child chosen
    used_qty: Decimal  # quantity already provided to the person under this cover (other claims, status > 2)
    limitation: str  # "C" co-insurance or "F" fixed, for the claim's visit type
    limit_value: Decimal | None  # % for C (None = 100), amount per unit for F (None = 0)
    price_origin: str  # "P", "O", "R"
    category_max: int | None = None  # (services) the product's max count for the claim's category; None = no limit
    category_used: int = 0  # claims of that category the person already had in the cover period

    def __post_init__(self) -> None:
        _check_code("policy_stage", self.policy_stage, (NEW, RENEWAL))
        _check_code("limitation", self.limitation, (CO_INSURANCE, FIXED))
        _check_code("price_origin", self.price_origin, PRICE_ORIGINS)


@dataclass(frozen=True)
class LineFacts:
    """One claimed item or service."""

    key: object  # the caller's id for the line
    kind: str  # "item" or "service"
    qty: Decimal
    unit_price: Decimal  # price asked, or the price list's price when none asked
    registered: bool  # the item/service exists and is active
    in_price_list: bool  # in the facility's price list valid on the target date
    care_type: str  # "I", "O" or "B"
    patient_category: int  # mask: 1 male, 2 female, 4 adult, 8 child; 0 or 15 = everyone
    frequency_days: int | None
    last_provided: date | None  # target date of the latest other provision to the person (status > 2, passed)
    covers: tuple[CoverLine, ...]

    def __post_init__(self) -> None:
        _check_code("kind", self.kind, (ITEM, SERVICE))
        _check_code("care_type", self.care_type, CARE_TYPES)


@dataclass(frozen=True)
class ClaimFacts:
    """One claim, its person and its lines."""

    date_from: date
    date_to: date | None
    date_claimed: date
    insuree_valid: bool  # the person exists, is not deceased/inactive, belongs to a family
    covered: bool  # a cover (policy Active or Expired) effective on date_from and not expired on the target date
    gender: str  # "M", "F", "O"
    dob: date
    facility_care_type: str  # "I", "O", "B"
    service_categories: tuple[str, ...]  # categories of the claim's services
    lines: tuple[LineFacts, ...]

    def __post_init__(self) -> None:
        _check_code("gender", self.gender, GENDERS)
        _check_code("facility_care_type", self.facility_care_type, CARE_TYPES)

    @property
    def target_date(self) -> date:
        return self.date_to if self.date_to is not None else self.date_from

    @property
    def multi_day(self) -> bool:
        return self.date_to is not None and self.date_to != self.date_from


@dataclass
class LineResult:
    key: object
    status: int  # PASSED or REJECTED
    reason: int  # 0, or a REASON_* code (16 on a passed line: partially approved)
    qty_approved: Decimal | None = None  # set when partially approved
    chosen: CoverLine | None = None  # the cover that pays, on passed lines
    note: str = ""  # plain-English detail (dates, counts)


@dataclass
class ClaimResult:
    status: int  # CHECKED or CLAIM_REJECTED
    reason: int
    category: str
    lines: list[LineResult] = field(default_factory=list)


# --- rules ---------------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved by `months`, clamped to the end of the month: 31 Jan + 1 -> 28/29 Feb (sec. 14.1)."""
    moved: date = day + relativedelta(months=months)
    return moved


def age_on(dob: date, day: date) -> int:
    """Whole years from `dob` to `day` (29 February birthdays count on 28 February in common years)."""
    years: int = relativedelta(day, dob).years
    return years


def claim_category(service_categories: Sequence[str], *, multi_day: bool) -> str:
    """S, D, A, H (also when multi-day), C, O: the first present; else V (sec. 6.5)."""
    present = set(service_categories)
    if multi_day:
        present.add(HOSPITALISATION)
    for category in CATEGORY_ORDER:
        if category in present:
            return category
    return VISIT


def patient_mask(gender: str, dob: date, on: date) -> int:
    """1 (male or other) or 2 (female), plus 4 (adult, 18 or older on `on`) or 8 (child)."""
    _check_code("gender", gender, GENDERS)
    sex = FEMALE if gender == "F" else MALE
    return sex | (ADULT if age_on(dob, on) >= ADULT_AGE else CHILD)


def _percent(cover: CoverLine) -> Decimal:
    return HUNDRED if cover.limit_value is None else cover.limit_value


def _fixed(cover: CoverLine) -> Decimal:
    return ZERO if cover.limit_value is None else cover.limit_value


def choose_cover(covers: Sequence[CoverLine], unit_price: Decimal) -> CoverLine:
    """The cover line that pays (sec. 6.6 A): the lower share for the insuree, see the module's docstring."""
    if not covers:
        raise ValueError("choose_cover needs at least one cover line")
    best_c = max((c for c in covers if c.limitation == CO_INSURANCE), key=_percent, default=None)
    best_f = max((c for c in covers if c.limitation == FIXED), key=_fixed, default=None)
    if best_f is None:
        assert best_c is not None
        return best_c
    if best_c is None:
        return best_f
    fixed = _fixed(best_f)
    if fixed == 0 or fixed > unit_price:
        return best_f
    share_fixed = unit_price - fixed
    share_co = unit_price * (HUNDRED - _percent(best_c)) / HUNDRED
    return best_f if share_fixed < share_co else best_c


def _fmt(qty: Decimal) -> str:
    return f"{qty.normalize():f}"


def _care_type_ok(line_care: str, facility_care: str, *, multi_day: bool) -> bool:
    if line_care == IN_PATIENT:
        return multi_day and facility_care in (IN_PATIENT, BOTH)
    if line_care == OUT_PATIENT:
        return not multi_day and facility_care in (OUT_PATIENT, BOTH)
    return True


@dataclass(frozen=True)
class _CoverOutcome:
    cover: CoverLine
    reason: int  # 0 passes (all or part), else the refusal
    approved: Decimal | None = None  # set when only part of the quantity passes
    note: str = ""


def _check_cover(cover: CoverLine, qty: Decimal, target: date) -> _CoverOutcome:
    waits = cover.policy_stage == NEW or cover.insuree_effective > cover.policy_effective
    if waits and cover.waiting_months:
        covered_from = add_months(cover.insuree_effective, cover.waiting_months)
        if target < covered_from:
            return _CoverOutcome(cover, REASON_WAITING_PERIOD, note=f"Waiting period until {covered_from:%Y-%m-%d}.")
    if cover.limit_no is not None:
        limit = Decimal(cover.limit_no)
        used = cover.used_qty
        if used >= limit:
            note = f"Maximum quantity {cover.limit_no} per cover period, {_fmt(used)} already provided."
            return _CoverOutcome(cover, REASON_MAX_QUANTITY, note=note)
        if used + qty > limit:
            left = limit - used
            note = (
                f"{_fmt(left)} of {_fmt(qty)} approved: maximum quantity {cover.limit_no} per cover period, "
                f"{_fmt(used)} already provided."
            )
            return _CoverOutcome(cover, REASON_ACCEPTED, approved=left, note=note)
    return _CoverOutcome(cover, REASON_ACCEPTED)


def _check_covers(line: LineFacts, target: date) -> LineResult:
    covers = [c for c in line.covers if c.insuree_effective <= target <= c.cover_expiry]
    if not covers:
        return LineResult(line.key, REJECTED, REASON_NO_PRODUCT)
    outcomes = [_check_cover(c, line.qty, target) for c in covers]
    passing = [o for o in outcomes if o.reason == REASON_ACCEPTED]
    if not passing:
        first = outcomes[0]
        return LineResult(line.key, REJECTED, first.reason, note=first.note)
    full = [o.cover for o in passing if o.approved is None]
    if full:
        return LineResult(line.key, PASSED, REASON_ACCEPTED, chosen=choose_cover(full, line.unit_price))
    most = max(o.approved for o in passing if o.approved is not None)
    best = [o for o in passing if o.approved == most]
    chosen = choose_cover([o.cover for o in best], line.unit_price)
    outcome = next(o for o in best if o.cover is chosen)
    return LineResult(line.key, PASSED, REASON_MAX_QUANTITY, qty_approved=most, chosen=chosen, note=outcome.note)


def _check_line(line: LineFacts, facts: ClaimFacts, mask: int) -> LineResult:
    target = facts.target_date
    if not line.registered:
        return LineResult(line.key, REJECTED, REASON_NOT_IN_REGISTERS)
    if not line.in_price_list:
        return LineResult(line.key, REJECTED, REASON_NOT_IN_PRICE_LIST)
    if not _care_type_ok(line.care_type, facts.facility_care_type, multi_day=facts.multi_day):
        return LineResult(line.key, REJECTED, REASON_CARE_TYPE)
    if line.patient_category != 0 and line.patient_category & mask != mask:
        return LineResult(line.key, REJECTED, REASON_PATIENT_CATEGORY)
    if line.frequency_days and line.frequency_days > 0 and line.last_provided is not None:
        next_date = line.last_provided + timedelta(days=line.frequency_days)
        if line.last_provided >= target - timedelta(days=line.frequency_days):
            note = f"Last provided on {line.last_provided:%Y-%m-%d}, again from {next_date:%Y-%m-%d}."
            return LineResult(line.key, REJECTED, REASON_FREQUENCY, note=note)
    return _check_covers(line, target)


def _claim_wide_reason(facts: ClaimFacts) -> int:
    if facts.date_claimed < facts.date_from or (facts.date_to is not None and facts.date_to < facts.date_from):
        return REASON_TARGET_DATE
    if not facts.insuree_valid:
        return REASON_INSUREE_NOT_VALID
    if not facts.covered:
        return REASON_NO_COVER
    return REASON_ACCEPTED


def _category_exceeded(category: str, facts: ClaimFacts, results: Sequence[LineResult]) -> tuple[int, str]:
    reason = CATEGORY_REASONS.get(category)
    if reason is None:
        return REASON_ACCEPTED, ""
    for line, result in zip(facts.lines, results, strict=True):
        cover = result.chosen
        if line.kind != SERVICE or result.status != PASSED or cover is None or cover.category_max is None:
            continue
        if cover.category_used >= cover.category_max:
            note = f"Maximum {cover.category_max} per cover period for category {category}, {cover.category_used} used."
            return reason, note
    return REASON_ACCEPTED, ""


def _reject_all(facts: ClaimFacts, reason: int, category: str, note: str = "") -> ClaimResult:
    lines = [LineResult(line.key, REJECTED, reason, note=note) for line in facts.lines]
    return ClaimResult(CLAIM_REJECTED, reason, category, lines)


def check_claim(facts: ClaimFacts) -> ClaimResult:
    """Decide every line and the claim (rules in the module's docstring)."""
    category = claim_category(facts.service_categories, multi_day=facts.multi_day)
    claim_reason = _claim_wide_reason(facts)
    if claim_reason:
        return _reject_all(facts, claim_reason, category)
    mask = patient_mask(facts.gender, facts.dob, facts.target_date)
    results = [_check_line(line, facts, mask) for line in facts.lines]
    claim_reason, note = _category_exceeded(category, facts, results)
    if claim_reason:
        return _reject_all(facts, claim_reason, category, note)
    if any(r.status == PASSED for r in results):
        return ClaimResult(CHECKED, REASON_ACCEPTED, category, results)
    return ClaimResult(CLAIM_REJECTED, REASON_NOT_IN_REGISTERS, category, results)
