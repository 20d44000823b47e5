"""Rules on a product's values and on a product line, with no database access (table-driven tests in
tests/policy/test_product_rules.py). Each check returns every broken rule as (field, message); the services turn
them into one ApplicationError naming each field.

Decisions where openIMIS leaves room:
- Start cycles are "DD-MM" dates that exist every year (29-02 is refused), filled in order from cycle 1, each later
  in the year than the previous one.
- Deductibles, ceilings and their policy extensions are given for the product's ceiling type only; for each of
  them either the general amount or the in-/out-patient pair. A deductible may not exceed a ceiling that applies
  to the same claims (general ceiling for any deductible, IP/OP ceiling for the general or same-side deductible).
  The absolute cap of a policy ceiling may not be below the ceiling it caps, and an extension needs that ceiling.
- A threshold needs a lump sum (reference sec. 14 item 5) and may not exceed the maximum members.
- A discount has both its percentage and its period, or neither.
- Relative pricing: one general period or in-/out-patient periods. Each period set needs its distribution: one
  percentage (0-100) per period of the year (12 months, 4 quarters or 1 year) adding up to exactly 100.
- Capitation is used when the share of contributions is filled. Then capitation level 1 is required, a sub-level
  needs its level, and the six weights (empty = 0) add up to exactly 100. Without a share, levels and weights
  stay empty.
- Product lines: the normal-visit limitation type is required; referral and emergency ones are optional (empty =
  as for a normal visit) but limits given for a visit type need its limitation type. A co-insurance limit is a
  percentage 0..100 (empty = 100, openIMIS' default); a fixed-amount limit is an amount >= 0 and must be given.
"""

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .models import (
    CAPITATION_LEVELS,
    DISCOUNTS,
    EXTRA_MEMBER_FIELDS,
    MONEY_FIELDS,
    PERCENT_FIELDS,
    PERIODS_PER_YEAR,
    POLICY_CAP_FIELDS,
    RELATIVE_PERIOD_FIELDS,
    SCOPE_OF_CEILING_TYPE,
    SCOPES,
    START_CYCLE_FIELDS,
    VISIT_SUFFIXES,
    WEIGHT_FIELDS,
    CeilingType,
    LimitationType,
    Product,
    ProductItem,
    ceiling_fields,
    deductible_fields,
    scope_amount_fields,
)

HUNDRED = Decimal(100)
_CYCLE = re.compile(r"^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$")


@dataclass(frozen=True)
class RuleError:
    field: str
    message: str


def _label(field: str, model: Any = Product) -> str:
    return str(model._meta.get_field(field).verbose_name)


def _amount(value: Any) -> str:
    return f"{Decimal(value).normalize():f}"


# --- start cycles ------------------------------------------------------------------------------------------


def parse_start_cycle(text: str) -> tuple[int, int]:
    """(day, month) of a "DD-MM" start cycle; ValueError when it is not a date that exists every year."""
    match = _CYCLE.match(text or "")
    if not match:
        raise ValueError(_("Write the start cycle as DD-MM, e.g. 01-07."))
    day, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(_("%(value)s: there is no month %(month)d.") % {"value": text.strip(), "month": month})
    last = calendar.monthrange(2001, month)[1]  # a common year: 29 February does not come back every year
    if not 1 <= day <= last:
        raise ValueError(
            _("%(value)s is not a date: that month has %(last)d days (start cycles repeat every year).")
            % {"value": text.strip(), "last": last}
        )
    return day, month


def normalise_start_cycle(text: str) -> str:
    """ "1-7" -> "01-07"; text that does not parse is returned stripped, for the rules to refuse."""
    try:
        day, month = parse_start_cycle(text)
    except ValueError:
        return (text or "").strip()
    return f"{day:02d}-{month:02d}"


def check_start_cycles(values: Mapping[str, Any]) -> list[RuleError]:
    errors: list[RuleError] = []
    previous: tuple[int, int] | None = None
    gap = False
    for field in START_CYCLE_FIELDS:
        text = (values.get(field) or "").strip()
        if not text:
            gap = True
            continue
        if gap:
            errors.append(RuleError(field, _("Fill the start cycles in order, from cycle 1, without gaps.")))
            continue
        try:
            day, month = parse_start_cycle(text)
        except ValueError as exc:
            errors.append(RuleError(field, str(exc)))
            previous = None
            continue
        if previous is not None and (month, day) <= previous:
            errors.append(RuleError(field, _("Each start cycle must come later in the year than the one before.")))
        previous = (month, day)
    return errors


# --- the product ---------------------------------------------------------------------------------------------


def _given(values: Mapping[str, Any], field: str) -> bool:
    value = values.get(field)
    return value is not None and value != ""


def _check_numbers(values: Mapping[str, Any]) -> list[RuleError]:
    errors = []
    for field in MONEY_FIELDS:
        if _given(values, field) and Decimal(values[field]) < 0:
            errors.append(RuleError(field, _("%(label)s cannot be negative.") % {"label": _label(field).capitalize()}))
    for field in PERCENT_FIELDS:
        if _given(values, field) and not 0 <= Decimal(values[field]) <= HUNDRED:
            errors.append(
                RuleError(
                    field, _("%(label)s is a percentage between 0 and 100.") % {"label": _label(field).capitalize()}
                )
            )
    if _given(values, "insurance_period") and values["insurance_period"] < 1:
        errors.append(RuleError("insurance_period", _("The insurance period is at least one month.")))
    if _given(values, "max_members") and values["max_members"] < 1:
        errors.append(RuleError("max_members", _("A policy covers at least one member.")))
    return errors


def _check_members(values: Mapping[str, Any]) -> list[RuleError]:
    errors = []
    if _given(values, "threshold"):
        if not _given(values, "lump_sum"):
            errors.append(
                RuleError(
                    "threshold",
                    _("A threshold needs a lump sum: the lump sum covers up to the threshold's number of members."),
                )
            )
        if _given(values, "max_members") and values["threshold"] > values["max_members"]:
            errors.append(RuleError("threshold", _("The threshold cannot exceed the maximum members.")))
    for perc, period in DISCOUNTS:
        if _given(values, perc) and not _given(values, period):
            errors.append(RuleError(period, _("Give the period of the discount too.")))
        elif _given(values, period) and not _given(values, perc):
            errors.append(RuleError(perc, _("Give the percentage of the discount too.")))
    return errors


def _check_general_or_split(values: Mapping[str, Any], general: str, ip: str, op: str, what: str) -> list[RuleError]:
    if _given(values, general) and (_given(values, ip) or _given(values, op)):
        field = ip if _given(values, ip) else op
        return [
            RuleError(
                field,
                _("Give either a general %(what)s or in-patient/out-patient ones, not both.") % {"what": what},
            )
        ]
    return []


def _check_deductible_under_ceiling(values: Mapping[str, Any], scope: str) -> list[RuleError]:
    ded_g, ded_ip, ded_op = deductible_fields(scope)
    max_g, max_ip, max_op = ceiling_fields(scope)
    # each deductible against every ceiling that applies to the same claims
    pairs = [
        (ded_g, max_g),
        (ded_g, max_ip),
        (ded_g, max_op),
        (ded_ip, max_g),
        (ded_ip, max_ip),
        (ded_op, max_g),
        (ded_op, max_op),
    ]
    errors = []
    for ded, ceiling in pairs:
        if _given(values, ded) and _given(values, ceiling) and Decimal(values[ded]) > Decimal(values[ceiling]):
            errors.append(
                RuleError(
                    ded,
                    _("The deductible (%(ded)s) is above its ceiling (%(label)s: %(ceiling)s).")
                    % {"ded": _amount(values[ded]), "label": _label(ceiling), "ceiling": _amount(values[ceiling])},
                )
            )
            break
    return errors


def _check_policy_extensions(values: Mapping[str, Any]) -> list[RuleError]:
    errors = []
    for extra, cap, ceiling in zip(EXTRA_MEMBER_FIELDS, POLICY_CAP_FIELDS, ceiling_fields("policy"), strict=True):
        for field in (extra, cap):
            if _given(values, field) and not _given(values, ceiling):
                errors.append(
                    RuleError(
                        field, _("This extends the %(label)s: give that ceiling too.") % {"label": _label(ceiling)}
                    )
                )
        if _given(values, cap) and _given(values, ceiling) and Decimal(values[cap]) < Decimal(values[ceiling]):
            errors.append(RuleError(cap, _("The absolute cap cannot be below the ceiling it caps.")))
    return errors


def _check_ceilings(values: Mapping[str, Any]) -> list[RuleError]:
    errors: list[RuleError] = []
    chosen = values.get("ceiling_type") or ""
    chosen_scope = SCOPE_OF_CEILING_TYPE.get(chosen) if chosen else None
    for scope in SCOPES:
        given = [f for f in scope_amount_fields(scope) if _given(values, f)]
        if given and chosen_scope is None:
            errors.append(
                RuleError(
                    "ceiling_type",
                    _("Choose whether the deductibles and ceilings apply per treatment, insuree or policy."),
                )
            )
            return errors
        if given and scope != chosen_scope:
            errors.append(
                RuleError(
                    given[0],
                    _("The deductibles and ceilings apply %(chosen)s: leave the amounts %(other)s empty.")
                    % {
                        "chosen": CeilingType(chosen).label.lower(),
                        "other": CeilingType(
                            next(c for c, s in SCOPE_OF_CEILING_TYPE.items() if s == scope)
                        ).label.lower(),
                    },
                )
            )
    for scope in SCOPES:
        errors += _check_general_or_split(values, *deductible_fields(scope), what=_("deductible"))
        errors += _check_general_or_split(values, *ceiling_fields(scope), what=_("ceiling"))
        errors += _check_deductible_under_ceiling(values, scope)
    errors += _check_general_or_split(values, *EXTRA_MEMBER_FIELDS, what=_("extra per member"))
    errors += _check_general_or_split(values, *POLICY_CAP_FIELDS, what=_("absolute cap"))
    errors += _check_policy_extensions(values)
    return errors


def _check_capitation(values: Mapping[str, Any]) -> list[RuleError]:
    levels = [f for pair in CAPITATION_LEVELS for f in pair]
    if not _given(values, "share_contribution"):
        given = [f for f in (*levels, *WEIGHT_FIELDS) if _given(values, f)]
        if given:
            return [RuleError(given[0], _("Capitation settings need a share of contributions; fill it or clear them."))]
        return []
    errors = []
    if not _given(values, "capitation_level_1"):
        errors.append(RuleError("capitation_level_1", _("Capitation needs at least one health facility level.")))
    for level, sublevel in CAPITATION_LEVELS:
        if _given(values, sublevel) and not _given(values, level):
            errors.append(RuleError(sublevel, _("A sub-level needs its level.")))
    total = sum((Decimal(values[f]) for f in WEIGHT_FIELDS if _given(values, f)), Decimal(0))
    if total != HUNDRED:
        errors.append(
            RuleError(
                "weights",
                _("The six capitation weights must add up to 100; they add up to %(total)s.")
                % {"total": _amount(total)},
            )
        )
    return errors


def check_product(values: Mapping[str, Any]) -> list[RuleError]:
    """Every rule on a product's own fields (location and conversion product need the database: see services)."""
    errors: list[RuleError] = []
    date_from, date_to = values.get("date_from"), values.get("date_to")
    if date_from and date_to and date_to < date_from:
        errors.append(RuleError("date_to", _("The end of validity cannot be before its start.")))
    errors += check_start_cycles(values)
    errors += _check_numbers(values)
    errors += _check_members(values)
    errors += _check_ceilings(values)
    errors += _check_general_or_split(
        values, "period_rel_prices", "period_rel_prices_ip", "period_rel_prices_op", what=_("relative pricing period")
    )
    errors += _check_capitation(values)
    return errors


# --- relative distribution -----------------------------------------------------------------------------------


def distribution_field(care_type: str) -> str:
    return f"distribution_{care_type}"


def check_distribution(values: Mapping[str, Any], distribution: Mapping[str, Sequence[Decimal]]) -> list[RuleError]:
    """The distribution of each care type priced relatively: one percentage per period, adding up to 100."""
    errors = []
    for care, period_field in RELATIVE_PERIOD_FIELDS.items():
        field = distribution_field(care)
        period = values.get(period_field) or ""
        percents = list(distribution.get(care) or [])
        if not period:
            if percents:
                errors.append(RuleError(field, _("Choose the relative pricing period of this distribution first.")))
            continue
        expected = PERIODS_PER_YEAR[period]
        if len(percents) != expected:
            errors.append(
                RuleError(
                    field,
                    _("Give %(n)d percentages, one per period of the year (%(given)d given).")
                    % {"n": expected, "given": len(percents)},
                )
            )
            continue
        if any(not 0 <= p <= HUNDRED for p in percents):
            errors.append(RuleError(field, _("Each percentage lies between 0 and 100.")))
            continue
        total = sum(percents, Decimal(0))
        if total != HUNDRED:
            errors.append(
                RuleError(
                    field,
                    _("The percentages must add up to 100; they add up to %(total)s.") % {"total": _amount(total)},
                )
            )
    return errors


# --- product lines -------------------------------------------------------------------------------------------


def complete_line(values: dict[str, Any]) -> dict[str, Any]:
    """openIMIS' default: a co-insurance without a limit covers 100 %."""
    for suffix in VISIT_SUFFIXES:
        if values.get(f"limitation_type{suffix}") == LimitationType.CO_INSURANCE:
            for who in ("adult", "child"):
                if values.get(f"limit_{who}{suffix}") is None:
                    values[f"limit_{who}{suffix}"] = HUNDRED
    return values


def check_line(values: Mapping[str, Any]) -> list[RuleError]:
    errors = []
    if not values.get("limitation_type"):
        errors.append(RuleError("limitation_type", _("Choose co-insurance or a fixed amount.")))
    for suffix in VISIT_SUFFIXES:
        kind = values.get(f"limitation_type{suffix}") or ""
        limits = [f"limit_adult{suffix}", f"limit_child{suffix}"]
        if not kind:
            if any(_given(values, f) for f in limits):
                errors.append(
                    RuleError(
                        f"limitation_type{suffix}",
                        _("Limits were given without a limitation type: choose co-insurance or a fixed amount."),
                    )
                )
            continue
        for field in limits:
            label = _label(field, ProductItem).capitalize()
            if not _given(values, field):
                if kind == LimitationType.FIXED_AMOUNT:
                    errors.append(RuleError(field, _("%(label)s: a fixed amount is needed.") % {"label": label}))
                continue
            value = Decimal(values[field])
            if value < 0:
                errors.append(RuleError(field, _("%(label)s cannot be negative.") % {"label": label}))
            elif kind == LimitationType.CO_INSURANCE and value > HUNDRED:
                errors.append(
                    RuleError(
                        field, _("%(label)s: a co-insurance is a percentage between 0 and 100.") % {"label": label}
                    )
                )
    return errors


def as_fields(errors: Sequence[RuleError]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(error.field, []).append(error.message)
    return fields
