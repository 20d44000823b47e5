"""Valuation of a processed claim: the deductible / ceiling engine (reference sec. 6.6 B, with this project's
decisions 12.4-12.6 and 14.7; product amounts sec. 3.1, ceiling exclusions sec. 3.2).

Pure rules: no database access, no Django. `value_claim` values the passed lines of ONE claim for ONE policy.
The caller picks the product's amounts for the policy's ceiling type (`Terms`), decides whether the claim is a
hospital claim per the ceiling interpretation, resolves each line's ceiling exclusion (adult/child column against
hospital: H for hospital claims, N for the others, B for both), sums what earlier claims of the same scope
already booked (`Consumed`), and passes the lines in order: items, then services.

Amounts chosen (an amount of None or 0 is "not set"):
- deductible = the general one when set, else the IP one for a hospital claim or the OP one for the others;
  the consumption read is the matching column of `Consumed` (deducted, or deducted_ip / deducted_op).
- ceiling = the same cascade over ceiling / ceiling_ip / ceiling_op, against remunerated(_ip/_op).
- Per treatment ("T"), `Consumed` is ignored (a treatment's amounts hold for the one claim). Without a ceiling
  type ("") no deductible or ceiling may be given (ValueError).

Each line, in the given order (all arithmetic in Decimal, nothing truncated - sec. 12.4 is a python bug):
1. work = qty x unit_price; asked = work.
2. Fixed amount (F): work = min(work, qty x limit). A limit of None or 0 puts no cap on the line (decision of
   this module, matching `checks.choose_cover`, which prefers an F line of 0 to any co-insurance: 0 means the
   product fixes no amount, so the scheme pays the price).
3. Deductible: remaining = deductible - consumed - deducted so far in this claim. When remaining >= work the
   deductible absorbs the whole line: deducted = work and the line is valued 0, nothing else applies (sec. 14.7).
   When 0 < remaining < work: deducted = remaining and work -= remaining.
4. Co-insurance (C): work = work x limit / 100 (limit None = 100 %).
5. Category cap (sec. 12.6: a per-claim cap): when the claim's category is not V and `category_cap` is set, the
   running total of this claim's lines is capped at it; what a line brings above it is `above_category_cap`.
6. A line excluded from the ceiling is paid in full (valued = work) and does not count toward the ceiling.
   Otherwise, with a ceiling: remaining = ceiling - consumed - remunerated so far in this claim, valued =
   min(work, max(remaining, 0)), the rest is `above_ceiling`. Without a ceiling: valued = work.
7. asked, deducted, above_category_cap, above_ceiling and valued are rounded to the cent (ROUND_HALF_UP) at the
   end of the line; the running totals of steps 3, 5 and 6 and the claim's totals are sums of rounded lines.

A line whose price origin is R (relative price) is valued the same way: `valued` is the amount the batch run
multiplies by its index (legacy PriceValuated, sec. 12.5), and the claim's `relative` is True.

The claim's booking (the next claim's `Consumed`): deducted goes to deducted_ip / deducted_op (per `hospital`)
when the IP/OP deductible was the one used, else to deducted; remunerated - the valued amounts of the lines
counted in the ceiling, i.e. not excluded - goes to remunerated_ip / remunerated_op when the IP/OP ceiling was
the one used, else to remunerated. `ClaimValue.valued` is the sum of every line's valued amount.

Unknown codes and negative quantities, prices or limits are a ValueError: a bug of the caller.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .checks import CATEGORY_ORDER, CO_INSURANCE, FIXED, PRICE_ORIGINS, VISIT

TREATMENT, INSUREE, POLICY, NO_CEILING = "T", "I", "P", ""
CEILING_TYPES = (TREATMENT, INSUREE, POLICY, NO_CEILING)
CATEGORIES = (*CATEGORY_ORDER, VISIT)
RELATIVE = "R"
ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _set(amount: Decimal | None) -> bool:
    return amount is not None and amount > 0


def _check_code(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(repr(a) for a in allowed)}, not {value!r}")


def _not_negative(name: str, amount: Decimal | None) -> None:
    if amount is not None and amount < 0:
        raise ValueError(f"{name} must not be negative, not {amount}")


# --- inputs and results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """The product's amounts for this claim (the caller picks the column set of the product's ceiling type)."""

    ceiling_type: str  # "T" treatment, "I" insuree, "P" policy, "" none
    hospital: bool  # hospital claim per the product's ceiling interpretation
    deductible: Decimal | None  # general deductible of the ceiling type's scope
    deductible_ip: Decimal | None
    deductible_op: Decimal | None
    ceiling: Decimal | None  # for "P", see `effective_policy_ceiling`
    ceiling_ip: Decimal | None
    ceiling_op: Decimal | None
    category: str  # the claim's category: S, D, A, H, C, O, V
    category_cap: Decimal | None  # product.max_amount_<category>: a per-claim cap (sec. 12.6)

    def __post_init__(self) -> None:
        _check_code("ceiling_type", self.ceiling_type, CEILING_TYPES)
        _check_code("category", self.category, CATEGORIES)
        amounts = {
            "deductible": self.deductible,
            "deductible_ip": self.deductible_ip,
            "deductible_op": self.deductible_op,
            "ceiling": self.ceiling,
            "ceiling_ip": self.ceiling_ip,
            "ceiling_op": self.ceiling_op,
        }
        for name, amount in amounts.items():
            _not_negative(name, amount)
            if self.ceiling_type == NO_CEILING and amount is not None:
                raise ValueError(f"{name} given without a ceiling type")
        _not_negative("category_cap", self.category_cap)


@dataclass(frozen=True)
class Consumed:
    """What earlier claims of the same scope already booked (ignored per treatment)."""

    deducted: Decimal = ZERO
    deducted_ip: Decimal = ZERO
    deducted_op: Decimal = ZERO
    remunerated: Decimal = ZERO
    remunerated_ip: Decimal = ZERO
    remunerated_op: Decimal = ZERO


NOTHING_CONSUMED = Consumed()


@dataclass(frozen=True)
class Line:
    """One passed claim line with its chosen cover."""

    key: object  # the caller's id for the line
    qty: Decimal  # qty_approved or qty_provided
    unit_price: Decimal  # price_approved, else price asked (origin O) or the price list's price
    limitation: str  # "C" co-insurance or "F" fixed amount
    limit_value: Decimal | None  # C: % the scheme pays (None = 100); F: amount per unit (None or 0 = no cap)
    price_origin: str  # "P", "O", "R"
    excluded_from_ceiling: bool = False  # the adult/child exclusion (H/N/B) applies to this claim

    def __post_init__(self) -> None:
        _check_code("limitation", self.limitation, (CO_INSURANCE, FIXED))
        _check_code("price_origin", self.price_origin, PRICE_ORIGINS)
        _not_negative("qty", self.qty)
        _not_negative("unit_price", self.unit_price)
        _not_negative("limit_value", self.limit_value)
        if self.limitation == CO_INSURANCE and self.limit_value is not None and self.limit_value > HUNDRED:
            raise ValueError(f"a co-insurance percentage must be at most 100, not {self.limit_value}")


@dataclass
class LineValue:
    key: object
    asked: Decimal  # qty x unit price
    deducted: Decimal  # taken by the deductible
    above_category_cap: Decimal
    above_ceiling: Decimal
    valued: Decimal  # what the scheme pays (origin R: the amount the batch run multiplies by its index)


@dataclass
class ClaimValue:
    lines: list[LineValue] = field(default_factory=list)
    # this claim's booking for the running totals (see the module's docstring)
    deducted: Decimal = ZERO
    deducted_ip: Decimal = ZERO
    deducted_op: Decimal = ZERO
    remunerated: Decimal = ZERO
    remunerated_ip: Decimal = ZERO
    remunerated_op: Decimal = ZERO
    valued: Decimal = ZERO  # sum of the lines' valued amounts, excluded lines included
    relative: bool = False  # a line has price origin R: the claim waits for the batch run


# --- rules ---------------------------------------------------------------------------------------------------


def effective_policy_ceiling(
    max_policy: Decimal | None,
    extra_per_member: Decimal | None,
    cap: Decimal | None,
    members: int,
    threshold: int | None,
) -> Decimal | None:
    """The policy ceiling for a policy of `members` members (sec. 6.6 B).

    members > threshold (and an extra amount set): max_policy + (members - threshold) x extra_per_member, capped by
    `cap` (max_ceiling_policy) when it is set - but never below max_policy (decision of this module: the extension
    only adds). Otherwise max_policy. None when max_policy is None. Use it for the general, IP and OP columns alike.
    """
    if members < 0:
        raise ValueError(f"members must not be negative, not {members}")
    if max_policy is None:
        return None
    if threshold is None or members <= threshold or not _set(extra_per_member):
        return max_policy
    assert extra_per_member is not None
    ceiling = max_policy + (members - threshold) * extra_per_member
    if _set(cap):
        assert cap is not None
        ceiling = max(max_policy, min(ceiling, cap))
    return ceiling


def _pick(
    general: Decimal | None, ip: Decimal | None, op: Decimal | None, *, hospital: bool
) -> tuple[Decimal | None, str]:
    """(amount, column): the general amount when set, else the IP/OP one per `hospital`; column "", "ip" or "op"."""
    if _set(general):
        return general, ""
    split, column = (ip, "ip") if hospital else (op, "op")
    if _set(split):
        return split, column
    return None, ""


def value_claim(terms: Terms, consumed: Consumed, lines: Sequence[Line]) -> ClaimValue:
    """Value the passed `lines` of one claim for one policy; see the module's docstring for the rules."""
    if terms.ceiling_type == TREATMENT:
        consumed = NOTHING_CONSUMED
    deductible, ded_column = _pick(terms.deductible, terms.deductible_ip, terms.deductible_op, hospital=terms.hospital)
    ceiling, rem_column = _pick(terms.ceiling, terms.ceiling_ip, terms.ceiling_op, hospital=terms.hospital)
    ded_before: Decimal = getattr(consumed, f"deducted_{ded_column}" if ded_column else "deducted")
    rem_before: Decimal = getattr(consumed, f"remunerated_{rem_column}" if rem_column else "remunerated")
    category_cap = terms.category_cap if terms.category != VISIT and _set(terms.category_cap) else None

    result = ClaimValue()
    deducted_total = remunerated_total = category_total = ZERO
    for line in lines:
        work = asked = line.qty * line.unit_price
        if line.limitation == FIXED and _set(line.limit_value):
            assert line.limit_value is not None
            work = min(work, line.qty * line.limit_value)

        deducted = above_cap = above_ceiling = valued = ZERO
        absorbed = False
        if deductible is not None:
            remaining = deductible - ded_before - deducted_total
            if remaining >= work:
                deducted, work, absorbed = work, ZERO, True
            elif remaining > 0:
                deducted = remaining
                work -= remaining

        if not absorbed:
            if line.limitation == CO_INSURANCE and line.limit_value is not None:
                work = work * line.limit_value / HUNDRED
            if category_cap is not None:
                room = max(category_cap - category_total, ZERO)
                if work > room:
                    above_cap, work = work - room, room
                category_total += _cents(work)
            if line.excluded_from_ceiling or ceiling is None:
                valued = work
            else:
                room = max(ceiling - rem_before - remunerated_total, ZERO)
                valued = min(work, room)
                above_ceiling = work - valued

        value = LineValue(
            key=line.key,
            asked=_cents(asked),
            deducted=_cents(deducted),
            above_category_cap=_cents(above_cap),
            above_ceiling=_cents(above_ceiling),
            valued=_cents(valued),
        )
        result.lines.append(value)
        deducted_total += value.deducted
        if not line.excluded_from_ceiling:
            remunerated_total += value.valued
        result.valued += value.valued
        result.relative = result.relative or line.price_origin == RELATIVE

    setattr(result, f"deducted_{ded_column}" if ded_column else "deducted", deducted_total)
    setattr(result, f"remunerated_{rem_column}" if rem_column else "remunerated", remunerated_total)
    return result
