"""Is this person covered, and what is left? (reference sec. 4.5) — for facility staff, many times a day.

Reads only, scoped: the person is looked up in `Insuree.objects.visible_to(user)` by insurance number (unique
index) or by a card's signed QR payload (`insuree.signing`: the signature is checked; a forged card is reported as
such and shows nobody).

For each of the person's policies (current ones first, then the most recent others, at most `MAX_POLICIES`):
product, status, dates of the person's own cover, and whether it covers them on the day asked (`covered`: the
policy is Active, the person's effective date is on or before the day and their expiry on or after it).
What remains on a policy: the product's maximum number of claims per category (consultations, surgeries,
deliveries, antenatal care, hospitalisations, visits) and the used and left counts; the category amount caps;
the deductibles and ceilings of the product's ceiling type with the amounts used and remaining. For an item or
service asked for by code: whether the product covers it, from when (cover start + waiting period of the person's
age group), the maximum quantity, used and left.

Usage comes from the claims: an app holding claims registers a `UsageSource` in `USAGE_SOURCES`; each is given
the person and, per policy, the window of their cover (effective date to expiry; policies not effective yet are
left out) and returns what the person used in it. With no source registered nothing is used.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from insuree import signing
from insuree.models import Insuree
from openimis.accounts.models import User

from .models import (
    CATEGORIES,
    SCOPE_OF_CEILING_TYPE,
    InsureePolicy,
    PolicyStatus,
    Product,
    ProductItem,
    ProductService,
    ceiling_fields,
    deductible_fields,
)
from .periods import add_months
from .values import ADULT_AGE, age_on

MAX_POLICIES = 10
CURRENT = (PolicyStatus.IDLE, PolicyStatus.ACTIVE, PolicyStatus.READY, PolicyStatus.SUSPENDED)
CATEGORY_LABELS = {
    "consultation": _("Consultations"),
    "surgery": _("Surgeries"),
    "delivery": _("Deliveries"),
    "antenatal": _("Antenatal care"),
    "hospitalization": _("Hospitalisations"),
    "visits": _("Visits"),
}


@dataclass
class Usage:
    """What a person used under one policy: claims per category, quantities per item / service id, and the
    amounts counted against deductibles ("ded") and ceilings ("ceiling")."""

    categories: dict[str, int] = field(default_factory=dict)
    items: dict[int, int] = field(default_factory=dict)
    services: dict[int, int] = field(default_factory=dict)
    deducted: Decimal = Decimal("0")
    remunerated: Decimal = Decimal("0")


Window = tuple[date, date]  # a person's cover on a policy: effective date, expiry date
UsageSource = Callable[[int, dict[int, Window]], dict[int, Usage]]  # (insuree id, windows by policy id) -> usage
USAGE_SOURCES: list[UsageSource] = []


def usage_of(insuree_id: int, covers: Sequence[InsureePolicy]) -> dict[int, Usage]:
    totals: dict[int, Usage] = {c.policy_id: Usage() for c in covers}
    windows = {c.policy_id: (c.effective_date, c.expiry_date) for c in covers if c.effective_date is not None}
    if not windows:
        return totals
    for source in USAGE_SOURCES:
        for pid, usage in source(insuree_id, windows).items():
            total = totals.setdefault(pid, Usage())
            for name, n in usage.categories.items():
                total.categories[name] = total.categories.get(name, 0) + n
            for key, n in usage.items.items():
                total.items[key] = total.items.get(key, 0) + n
            for key, n in usage.services.items():
                total.services[key] = total.services.get(key, 0) + n
            total.deducted += usage.deducted
            total.remunerated += usage.remunerated
    return totals


@dataclass
class Limit:
    name: str
    label: str
    maximum: int | None
    used: int

    @property
    def left(self) -> int | None:
        return None if self.maximum is None else max(self.maximum - self.used, 0)


@dataclass
class Money:
    name: str
    label: str
    amount: Decimal
    used: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.amount - self.used, Decimal("0"))


@dataclass
class LineCheck:
    """An item or service asked about."""

    kind: str  # "item" or "service"
    code: str
    name: str = ""
    covered: bool = False
    from_date: date | None = None
    maximum: int | None = None
    used: int = 0
    reason: str = ""

    @property
    def left(self) -> int | None:
        return None if self.maximum is None else max(self.maximum - self.used, 0)

    @property
    def ok(self) -> bool:
        return self.covered and not self.reason


@dataclass
class PolicyCover:
    cover: InsureePolicy
    covered: bool
    limits: list[Limit]
    amount_caps: list[Money]
    deductibles: list[Money]
    ceilings: list[Money]
    lines: list[LineCheck] = field(default_factory=list)

    @property
    def policy(self):  # type: ignore[no-untyped-def]
        return self.cover.policy

    @property
    def product(self) -> Product:
        return self.cover.policy.product


@dataclass
class Eligibility:
    query: str
    on: date
    insuree: Insuree | None = None
    authentic: bool | None = None  # None: not a card payload
    policies: list[PolicyCover] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return any(p.covered for p in self.policies)

    @property
    def forged(self) -> bool:
        return self.authentic is False


_INSUREE_FIELDS = ("uuid", "insurance_number", "family_id", "last_name", "other_names", "gender", "dob", "photo")
_PRODUCT_FIELDS = (
    "uuid",
    "code",
    "name",
    "ceiling_type",
    *(f"max_no_{c}" for c in (*CATEGORIES, "visits")),
    *(f"max_amount_{c}" for c in CATEGORIES),
    *(f for scope in SCOPE_OF_CEILING_TYPE.values() for f in (*deductible_fields(scope), *ceiling_fields(scope))),
)
_COVER_FIELDS = (
    "insuree_id",
    "enroll_date",
    "start_date",
    "effective_date",
    "expiry_date",
    *(
        f"policy__{f}"
        for f in ("uuid", "status", "stage", "start_date", "effective_date", "expiry_date", "value", "product_id")
    ),
    *(f"policy__product__{f}" for f in _PRODUCT_FIELDS),
)


def _insuree(user: User, number: str) -> Insuree | None:
    # only what the answer shows: this runs many times a day, at national scale
    return Insuree.objects.visible_to(user).filter(insurance_number=number).only(*_INSUREE_FIELDS).order_by().first()


def _money_rows(product: Product, names: Sequence[str], used: Decimal) -> list[Money]:
    rows = []
    for name in names:
        amount = getattr(product, name)
        if amount is not None:
            label = Product._meta.get_field(name).verbose_name  # type: ignore[union-attr]
            rows.append(Money(name, str(label), amount, used))
    return rows


def _line(kind: str, code: str, cover: InsureePolicy, adult: bool, usage: Usage, on: date) -> LineCheck:
    product = cover.policy.product
    model = ProductItem if kind == "item" else ProductService
    target = kind
    line = (
        model.objects.filter(product=product, **{f"{target}__code__iexact": code})  # type: ignore[attr-defined]
        .select_related(target)
        .first()
    )
    check = LineCheck(kind=kind, code=code.upper())
    if line is None:
        check.reason = str(_("Not covered by this product."))
        return check
    obj = getattr(line, target)
    check.code, check.name, check.covered = obj.code, obj.name, True
    waiting = line.waiting_period_adult if adult else line.waiting_period_child
    start = cover.effective_date or cover.start_date
    check.from_date = add_months(start, waiting) if waiting else start
    check.maximum = line.limit_no_adult if adult else line.limit_no_child
    check.used = (usage.items if kind == "item" else usage.services).get(obj.pk, 0)
    if check.from_date > on:
        check.reason = str(
            _("Waiting period until %(date)s.") % {"date": date_format(check.from_date, "SHORT_DATE_FORMAT")}
        )
    elif check.left == 0:
        check.reason = str(_("The maximum quantity is used."))
    return check


def eligibility(user: User, query: str, *, on: date | None = None, item: str = "", service: str = "") -> Eligibility:
    on = on or timezone.localdate()
    text = query.strip()
    result = Eligibility(query=text, on=on)
    if not text:
        return result
    if signing.looks_signed(text):
        number, valid = signing.verify(text)
        result.authentic = valid
        if not valid:
            return result
    else:
        number = text
    result.insuree = _insuree(user, number)
    if result.insuree is None:
        return result
    covers = list(
        InsureePolicy.objects.filter(insuree=result.insuree)
        .select_related("policy__product")
        .only(*_COVER_FIELDS)
        .order_by("-expiry_date", "-pk")[: MAX_POLICIES * 3]
    )
    covers.sort(key=lambda c: (c.policy.status not in CURRENT, -c.expiry_date.toordinal()))
    covers = covers[:MAX_POLICIES]
    usage = usage_of(result.insuree.pk, covers)
    adult = age_on(result.insuree.dob, on) >= ADULT_AGE
    for cover in covers:
        result.policies.append(_policy_cover(cover, usage[cover.policy_id], on, adult, item=item, service=service))
    return result


def _policy_cover(cover: InsureePolicy, usage: Usage, on: date, adult: bool, *, item: str, service: str) -> PolicyCover:
    policy, product = cover.policy, cover.policy.product
    covered = (
        policy.status == PolicyStatus.ACTIVE
        and cover.effective_date is not None
        and cover.effective_date <= on <= cover.expiry_date
    )
    limits = []
    for category in (*CATEGORIES, "visits"):
        maximum = getattr(product, f"max_no_{category}")
        if maximum is not None:
            limits.append(Limit(category, str(CATEGORY_LABELS[category]), maximum, usage.categories.get(category, 0)))
    caps = _money_rows(product, [f"max_amount_{c}" for c in CATEGORIES], Decimal("0"))
    scope = SCOPE_OF_CEILING_TYPE.get(product.ceiling_type or "", "")
    deductibles = _money_rows(product, deductible_fields(scope), usage.deducted) if scope else []
    ceilings = _money_rows(product, ceiling_fields(scope), usage.remunerated) if scope else []
    lines = []
    if item:
        lines.append(_line("item", item, cover, adult, usage, on))
    if service:
        lines.append(_line("service", service, cover, adult, usage, on))
    return PolicyCover(cover, covered, limits, caps, deductibles, ceilings, lines)
