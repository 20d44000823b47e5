"""Properties of the valuation engine (claim.valuation), checked with Hypothesis over generated products, running
totals and claim lines (reference sec. 6.6 B; the module's docstring states the rules).

Amounts of products and running totals are whole cents, as the database stores them (2 decimals); quantities have
2 decimals and unit prices up to 3, so that lines carry fractions of a cent and the rounding rule (step 7) is
exercised. With cent amounts every part of a line but one is a whole number of cents, which is why the parts of a
line add up to what was asked *exactly* (no tolerance) when the scheme covers the whole price.

The runs are deterministic (`derandomize=True`, no example database): the same examples in CI and on a laptop.
`VALUATION_EXAMPLES` raises the number of examples (e.g. 10000 for a nightly run).
"""

import os
from dataclasses import fields, replace
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claim.valuation import (
    CATEGORIES,
    CEILING_TYPES,
    NO_CEILING,
    TREATMENT,
    VISIT,
    ClaimValue,
    Consumed,
    Line,
    LineValue,
    Terms,
    effective_policy_ceiling,
    value_claim,
)

D = Decimal
ZERO = D(0)
CENT = D("0.01")
EXAMPLES = int(os.environ.get("VALUATION_EXAMPLES", "800"))
BOOKING = ("deducted", "deducted_ip", "deducted_op", "remunerated", "remunerated_ip", "remunerated_op")

deterministic = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
fewer = settings(deterministic, max_examples=max(EXAMPLES // 4, 1))


# --- strategies ----------------------------------------------------------------------------------------------


def cents(top: int) -> st.SearchStrategy[Decimal]:
    """0 .. top, in whole cents."""
    return st.integers(0, top * 100).map(lambda n: D(n) / 100)


def product_amount(top: int) -> st.SearchStrategy[Decimal | None]:
    """A product's amount: not set (None), set to 0 (also "not set"), or an amount; small ones are likely, so that
    deductibles and ceilings are often reached within a claim."""
    return st.one_of(st.none(), st.just(ZERO), cents(top))


@st.composite
def terms_strategy(draw: st.DrawFn, ceiling_types: tuple[str, ...] = CEILING_TYPES, caps: bool = True) -> Terms:
    ceiling_type = draw(st.sampled_from(ceiling_types))

    def amount(top: int) -> Decimal | None:
        return None if ceiling_type == NO_CEILING else draw(product_amount(top))

    return Terms(
        ceiling_type=ceiling_type,
        hospital=draw(st.booleans()),
        deductible=amount(300),
        deductible_ip=amount(300),
        deductible_op=amount(300),
        ceiling=amount(1500),
        ceiling_ip=amount(1500),
        ceiling_op=amount(1500),
        category=draw(st.sampled_from(CATEGORIES)),
        category_cap=draw(product_amount(1500)) if caps else None,
    )


def consumed_strategy() -> st.SearchStrategy[Consumed]:
    return st.builds(Consumed, *(st.one_of(st.just(ZERO), cents(2000)) for _ in BOOKING))


@st.composite
def line_strategy(draw: st.DrawFn) -> Line:
    limitation = draw(st.sampled_from("CF"))
    if limitation == "C":  # the percentage the scheme pays, 2 decimals, None = 100 %
        limit = draw(st.one_of(st.none(), st.just(D(100)), st.integers(0, 10000).map(lambda n: D(n) / 100)))
    else:  # a fixed amount per unit, None or 0 = no cap
        limit = draw(product_amount(400))
    return Line(
        key=None,
        qty=draw(st.integers(0, 1000).map(lambda n: D(n) / 100)),
        unit_price=draw(st.integers(0, 500_000).map(lambda n: D(n) / 1000)),
        limitation=limitation,
        limit_value=limit,
        price_origin=draw(st.sampled_from("POR")),
        excluded_from_ceiling=draw(st.booleans()),
    )


def lines_strategy(max_size: int = 8) -> st.SearchStrategy[list[Line]]:
    return st.lists(line_strategy(), max_size=max_size).map(
        lambda lines: [replace(line, key=i) for i, line in enumerate(lines)]
    )


# --- what the module's docstring promises, computed from the inputs ------------------------------------------


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _set(amount: Decimal | None) -> bool:
    return amount is not None and amount > 0


def chosen(terms: Terms, consumed: Consumed, kind: str) -> tuple[Decimal | None, str]:
    """(what is left of the deductible / ceiling chosen, its booking column); (None, kind) when none is set.

    The general amount when set, else the IP one for a hospital claim or the OP one for the others; what is left
    is the amount less the matching column of `Consumed` (not below 0), or the whole amount per treatment."""
    names = ("deductible", "deducted") if kind == "deducted" else ("ceiling", "remunerated")
    split = "ip" if terms.hospital else "op"
    for suffix in ("", "_" + split):
        amount = getattr(terms, names[0] + suffix)
        if _set(amount):
            before = ZERO if terms.ceiling_type == TREATMENT else getattr(consumed, names[1] + suffix)
            return max(amount - before, ZERO), names[1] + suffix
    return None, kind


def cap_applies(terms: Terms) -> bool:
    return terms.category != VISIT and _set(terms.category_cap)


def after_fixed(line: Line) -> Decimal:
    """qty x price, capped at qty x the fixed amount (F with an amount set)."""
    work = line.qty * line.unit_price
    if line.limitation == "F" and _set(line.limit_value):
        assert line.limit_value is not None
        work = min(work, line.qty * line.limit_value)
    return work


def full_cover(line: Line) -> bool:
    """The scheme covers the whole price: co-insurance of 100 % (or None), or a fixed amount not below the price."""
    if line.limitation == "C":
        return line.limit_value is None or line.limit_value == 100
    return not _set(line.limit_value) or line.limit_value >= line.unit_price  # type: ignore[operator]


def parts(v: LineValue) -> Decimal:
    return v.deducted + v.above_category_cap + v.above_ceiling + v.valued


def paid(v: LineValue) -> Decimal:
    """What the line brings after the deductible and co-insurance: paid, or above a cap or the ceiling."""
    return v.valued + v.above_category_cap + v.above_ceiling


def total(values: list[LineValue], name: str) -> Decimal:
    return sum((getattr(v, name) for v in values), ZERO)


def plus(consumed: Consumed, booking: ClaimValue) -> Consumed:
    return Consumed(*(getattr(consumed, name) + getattr(booking, name) for name in BOOKING))


# --- properties ----------------------------------------------------------------------------------------------


def check_lines(terms: Terms, consumed: Consumed, lines: list[Line], result: ClaimValue) -> None:
    """Each line stays within what was asked; its parts add up."""
    assert [v.key for v in result.lines] == [line.key for line in lines]
    for line, v in zip(lines, result.lines, strict=True):
        amounts = (v.asked, v.deducted, v.above_category_cap, v.above_ceiling, v.valued)
        assert all(a >= 0 and a == _cents(a) for a in amounts), (line, v)  # not negative, whole cents
        assert v.asked == _cents(line.qty * line.unit_price)
        assert v.valued <= v.asked
        # the parts of the price never exceed it; with the whole price covered they add up to it, to the cent
        assert parts(v) <= v.asked, (line, v)
        if full_cover(line):
            assert parts(v) == v.asked, (line, v)
        if line.excluded_from_ceiling or chosen(terms, consumed, "remunerated")[0] is None:
            assert v.above_ceiling == 0
        if not cap_applies(terms):
            assert v.above_category_cap == 0
        if chosen(terms, consumed, "deducted")[0] is None:
            assert v.deducted == 0
        if v.deducted == _cents(after_fixed(line)) and v.deducted > 0:  # absorbed by the deductible (sec. 14.7)
            assert paid(v) == 0, (line, v)


def check_totals(lines: list[Line], result: ClaimValue) -> None:
    """The claim's valued total is the sum of its lines, never above what was asked."""
    assert result.valued == total(result.lines, "valued")
    assert result.valued <= total(result.lines, "asked")
    assert result.relative is any(line.price_origin == "R" for line in lines)


def check_deductible(terms: Terms, consumed: Consumed, result: ClaimValue) -> None:
    """The deductible chosen is booked in its column, never beyond what is left of it, and met before any line
    pays."""
    left, column = chosen(terms, consumed, "deducted")
    deducted = total(result.lines, "deducted")
    assert {name: getattr(result, name) for name in BOOKING if name.startswith("deducted")} == {
        name: deducted if name == column else ZERO for name in BOOKING if name.startswith("deducted")
    }
    if left is None:
        return
    assert deducted <= left
    so_far = ZERO
    for v in result.lines:
        so_far += v.deducted
        if paid(v) > 0:  # a line pays (or is capped) only once the deductible is used up
            assert so_far == left, (left, result.lines)


def check_ceiling(terms: Terms, consumed: Consumed, lines: list[Line], result: ClaimValue) -> None:
    """What counts toward the ceiling (lines not excluded) is booked in its column, never beyond what is left of
    it; something is above the ceiling only once it is reached."""
    left, column = chosen(terms, consumed, "remunerated")
    pairs = list(zip(lines, result.lines, strict=True))
    counted = sum((v.valued for line, v in pairs if not line.excluded_from_ceiling), ZERO)
    assert {name: getattr(result, name) for name in BOOKING if name.startswith("remunerated")} == {
        name: counted if name == column else ZERO for name in BOOKING if name.startswith("remunerated")
    }
    if left is None:
        return
    assert counted <= left
    if total(result.lines, "above_ceiling") > 0:
        assert counted == left


def check_category_cap(terms: Terms, result: ClaimValue) -> None:
    """The category cap bounds the claim (before the ceiling); something is above it only once it is reached."""
    if not cap_applies(terms):
        return
    assert terms.category_cap is not None
    under_cap = sum((v.valued + v.above_ceiling for v in result.lines), ZERO)
    assert result.valued <= under_cap <= terms.category_cap
    if total(result.lines, "above_category_cap") > 0:
        assert under_cap == terms.category_cap


@deterministic
@given(terms_strategy(), consumed_strategy(), lines_strategy())
def test_valuation_keeps_its_promises(terms: Terms, consumed: Consumed, lines: list[Line]) -> None:
    """One generated claim, every property of a single valuation (one generation is most of the cost)."""
    result = value_claim(terms, consumed, lines)
    check_lines(terms, consumed, lines, result)
    check_totals(lines, result)
    check_deductible(terms, consumed, result)
    check_ceiling(terms, consumed, lines, result)
    check_category_cap(terms, result)
    assert value_claim(terms, consumed, lines) == result  # pure: the same answer again
    if terms.ceiling_type == TREATMENT:  # per treatment, earlier claims do not count
        assert value_claim(terms, Consumed(), lines) == result


@fewer
@given(
    terms_strategy(ceiling_types=("I", "P"), caps=False),
    consumed_strategy(),
    lines_strategy(),
    st.integers(0, 8),
)
def test_a_claims_booking_carries_over_to_the_next(
    terms: Terms, consumed: Consumed, lines: list[Line], split: int
) -> None:
    """Per insuree or policy the running totals carry over: valuing the lines as two claims in a row (the second
    with the first's booking added to what was consumed) values every line as one claim would. (The category cap
    is per claim, so it is left out here.)"""
    whole = value_claim(terms, consumed, lines)
    first = value_claim(terms, consumed, lines[:split])
    second = value_claim(terms, plus(consumed, first), lines[split:])
    assert first.lines + second.lines == whole.lines
    assert {f: getattr(first, f) + getattr(second, f) for f in BOOKING} == {f: getattr(whole, f) for f in BOOKING}


@fewer
@given(
    product_amount(5000),
    product_amount(500),
    product_amount(8000),
    st.integers(0, 30),
    st.one_of(st.none(), st.integers(0, 30)),
)
def test_the_policy_ceiling_only_grows_with_members(max_policy, extra, cap, members, threshold) -> None:
    ceiling = effective_policy_ceiling(max_policy, extra, cap, members, threshold)
    if max_policy is None:
        assert ceiling is None
        return
    assert ceiling is not None and ceiling >= max_policy  # the extension only adds
    if _set(cap):
        assert ceiling <= max(max_policy, cap)
    bigger = effective_policy_ceiling(max_policy, extra, cap, members + 1, threshold)
    assert bigger is not None and bigger >= ceiling
    if threshold is None or members <= threshold or not _set(extra):
        assert ceiling == max_policy


def test_the_strategies_cover_every_field() -> None:
    """A guard for later changes to the dataclasses: a new input field needs a strategy here."""
    assert {f.name for f in fields(Terms)} == {
        "ceiling_type",
        "hospital",
        "deductible",
        "deductible_ip",
        "deductible_op",
        "ceiling",
        "ceiling_ip",
        "ceiling_op",
        "category",
        "category_cap",
    }
    assert {f.name for f in fields(Line)} == {
        "key",
        "qty",
        "unit_price",
        "limitation",
        "limit_value",
        "price_origin",
        "excluded_from_ceiling",
    }
    assert {f.name for f in fields(Consumed)} == set(BOOKING)
