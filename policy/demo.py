"""Three demo products, made through the services by the demo scheme administrator. Idempotent: products are
matched by code, and only the items and services not covered yet are added.

1. BASIC   national fee-for-service cover (price list prices) of most of the catalogue, with limitations;
2. HOSP-R  national hospital cover: hospital services at relative prices, monthly distributions (I and O);
3. CAP-R01 primary care in region R01 (Ziwani) paying dispensaries and health centres by capitation;
           it converts into BASIC when it ends.
The medical catalogue comes from `medical/demo.py` (loaded before); whatever part of it exists is used.

Then policies for the demo families (from `insuree/demo.py`), sold and paid through the services by the
enrolment officer of each family's district, dated relative to today so that the lists look alive: most families
are Active on BASIC, some Idle (unpaid, or one instalment paid), some Active expiring within two weeks (renewal
reminders), some with an expired policy renewed, and a few not insured yet (for the officers to sell to).
Families that already have a policy are left alone. The nightly
job runs at the end (expiry, reminders).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from insuree.models import Family
from location.models import Location, LocationType
from medical.models import Item, Service
from openimis.accounts.models import User

from . import contributions, enrolment, services
from .models import Policy, PolicyStatus, Product
from .nightly import policies_expire, policy_nightly

D = Decimal
FROM, TO = date(2025, 1, 1), date(2028, 12, 31)

BASIC: dict[str, Any] = {
    "code": "BASIC",
    "name": "Afya Msingi basic cover",
    "date_from": FROM,
    "date_to": TO,
    "grace_period_payment": 1,
    "max_installments": 3,
    "max_members": 8,
    "threshold": 6,
    "lump_sum": D(60000),
    "premium_adult": D(12000),
    "premium_child": D(6000),
    "registration_fee": D(2000),
    "general_assembly_fee": D(500),
    "renewal_discount_perc": D(10),
    "renewal_discount_period": 1,
    "acc_code_premiums": "4100-BASIC",
    "acc_code_remuneration": "5100-BASIC",
    "ceiling_type": "P",
    "ded_op_policy": D(5000),
    "max_ip_policy": D(3000000),
    "max_op_policy": D(1000000),
    "max_policy_extra_member_ip": D(300000),
    "max_policy_extra_member_op": D(100000),
    "max_ceiling_policy_ip": D(5000000),
    "max_ceiling_policy_op": D(1600000),
    "max_no_consultation": 12,
    "max_no_delivery": 2,
    "max_no_antenatal": 8,
    "max_no_hospitalization": 4,
    "max_no_visits": 24,
    "max_amount_surgery": D(1500000),
    "max_amount_delivery": D(250000),
}
MONTHLY_IP = [D(8)] * 8 + [D(9)] * 4  # the rainy season's hospital load comes later in the year
MONTHLY_OP = [D(9)] * 3 + [D(8)] * 8 + [D(9)]
HOSP_R: dict[str, Any] = {
    "code": "HOSP-R",
    "name": "Hospital cover (relative pricing)",
    "date_from": FROM,
    "date_to": TO,
    "administration_period": 1,
    "start_cycle_1": "01-01",
    "start_cycle_2": "01-07",
    "grace_period_enrolment": 1,
    "grace_period_renewal": 2,
    "grace_period_payment": 1,
    "premium_adult": D(18000),
    "premium_child": D(9000),
    "registration_lump_sum": D(5000),
    "enrolment_discount_perc": D(5),
    "enrolment_discount_period": 1,
    "ceiling_type": "I",
    "ceiling_interpretation": "H",
    "max_ip_insuree": D(2000000),
    "max_op_insuree": D(500000),
    "max_no_hospitalization": 3,
    "max_amount_hospitalization": D(1200000),
    "period_rel_prices_ip": "M",
    "period_rel_prices_op": "M",
    "distribution": {"I": MONTHLY_IP, "O": MONTHLY_OP},
}
CAP_R01: dict[str, Any] = {
    "code": "CAP-R01",
    "name": "Ziwani primary care (capitation)",
    "date_from": FROM,
    "date_to": date(2027, 12, 31),
    "insurance_period": 12,
    "max_members": 10,
    "premium_adult": D(8000),
    "premium_child": D(4000),
    "general_assembly_lump_sum": D(1000),
    "ceiling_type": "T",
    "ded_treatment": D(1000),
    "max_treatment": D(200000),
    "max_no_consultation": 10,
    "max_no_visits": 20,
    "share_contribution": D(40),
    "capitation_level_1": "D",
    "capitation_sublevel_1": "N",
    "capitation_level_2": "C",
    "capitation_sublevel_2": "I",
    "weight_population": D(20),
    "weight_nb_families": D(10),
    "weight_insured_population": D(30),
    "weight_nb_insured_families": D(20),
    "weight_nb_visits": D(10),
    "weight_adjusted_amount": D(10),
}

CO_100 = {"limitation_type": "C", "limit_adult": D(100), "limit_child": D(100)}
Limitation = dict[str, Any]


def _basic_item(item: Item) -> Limitation:
    if item.type == "M":  # consumables: the patient pays a fifth, children nothing
        return {"limitation_type": "C", "limit_adult": D(80), "limit_child": D(100)}
    return {**CO_100, "limit_no_adult": 60, "limit_no_child": 40} if item.price >= 5000 else CO_100


def _basic_service(service: Service) -> Limitation:
    hospital = service.level in ("D", "H")
    if service.category == "S":  # surgery: a fixed amount, more on referral and in emergency
        fixed = (service.price * D("0.8")).quantize(D(1))
        return {
            "limitation_type": "F",
            "limit_adult": fixed,
            "limit_child": service.price,
            "limitation_type_r": "F",
            "limit_adult_r": service.price,
            "limit_child_r": service.price,
            "limitation_type_e": "C",
            "limit_adult_e": D(100),
            "limit_child_e": D(100),
            "ceiling_exclusion_child": "H",
        }
    if service.category == "D":
        return {**CO_100, "waiting_period_adult": 9, "limit_no_adult": 2}
    if service.category == "A":
        return {**CO_100, "waiting_period_adult": 0, "limit_no_adult": 8}
    if hospital:
        return {"limitation_type": "C", "limit_adult": D(90), "limit_child": D(100), "limitation_type_e": "C"}
    if service.category == "C":
        return {**CO_100, "limit_no_adult": 12, "limit_no_child": 12}
    return CO_100


def _most(rows: Iterable[Any]) -> list[Any]:
    """Seven in ten of the catalogue, spread over it (a product does not cover everything)."""
    return [row for index, row in enumerate(rows) if index % 10 < 7]


def _cover(
    user: User, product: Product, kind: str, rows: Iterable[Any], limitation: Callable[[Any], Limitation]
) -> int:
    """Adds the rows not covered yet, grouped by identical limitation (one service call per group)."""
    field = "item" if kind == "items" else "service"
    covered = set(getattr(product, kind).values_list(f"{field}__code", flat=True))
    groups: dict[tuple[tuple[str, Any], ...], list[str]] = defaultdict(list)
    for row in rows:
        if row.code not in covered:
            groups[tuple(sorted(limitation(row).items()))].append(row.code)
    added = 0
    for key, codes in groups.items():
        added += len(services.product_lines_add(user=user, product=product, kind=kind, codes=codes, **dict(key)))
    return added


def _product(user: User, values: dict[str, Any]) -> Product:
    existing = Product.objects.filter(code__iexact=values["code"]).first()
    if existing is not None:
        return existing
    return services.product_create(user=user, **values)


def load(out: IO[str], *, password: str) -> list[tuple[str, str, str]]:
    admin = User.objects.filter(username="scheme_admin").first()
    if admin is None:
        out.write("Products: skipped (the demo scheme administrator does not exist).\n")
        return []
    items = list(Item.objects.filter(is_active=True).order_by("code"))
    services_ = list(Service.objects.filter(is_active=True).order_by("code"))
    hospital = [s for s in services_ if s.level in ("D", "H") or s.category in ("H", "S")]
    primary = [s for s in services_ if s.level in ("S", "V") and s.category not in ("H", "S")]

    basic = _product(admin, BASIC)
    added = _cover(admin, basic, "items", _most(items), _basic_item)
    added += _cover(admin, basic, "services", _most(services_), _basic_service)

    hosp = _product(admin, HOSP_R)
    added += _cover(admin, hosp, "services", hospital, lambda s: {**CO_100, "price_origin": "R"})
    added += _cover(admin, hosp, "items", [i for i in items if i.type == "D"], lambda i: CO_100)

    region = Location.objects.filter(code="R01", type=LocationType.REGION, is_active=True).first()
    if region is not None:
        capitation = _product(admin, {**CAP_R01, "location": region, "conversion_product": basic})
        added += _cover(admin, capitation, "services", primary, lambda s: CO_100)
        added += _cover(admin, capitation, "items", [i for i in items if i.price < 5000], lambda i: CO_100)

    out.write(
        f"Products: {Product.objects.count()} ({added} item and service lines added now; "
        f"catalogue: {len(items)} items, {len(services_)} services).\n"
    )
    _policies(out, basic)
    return []


def sell_paid(officer: User, family: Family, product: Product, day: date, receipt: str) -> Policy:
    """A policy of `product` sold to the family on `day` by its enrolment officer and paid in full in cash two days
    later, through the services (the other apps' demos sell their products with it)."""
    policy = enrolment.policy_create(user=officer, family=family, product=product, enroll_date=day).policy
    _pay(officer, policy, policy.value, day + timedelta(days=2), receipt)
    return policy


def _pay(officer: User, policy: Policy, amount: Decimal, day: date, receipt: str) -> None:
    contributions.contribution_record(
        user=officer, policy=policy, amount=amount, receipt=receipt, pay_date=day, pay_type="C"
    )


def _policies(out: IO[str], basic: Product) -> None:
    officers = [u for u in User.objects.filter(username__in=["eo_bahari", "eo_kilele"]).order_by("username")]
    today = date.today()
    sold = 0
    for index, family in enumerate(Family.objects.order_by("pk")):
        if Policy.objects.filter(family=family).exists():
            continue
        officer = next((o for o in officers if Family.objects.visible_to(o).filter(pk=family.pk).exists()), None)
        if officer is None:
            continue
        kind = index % 10
        if index % 20 == 7:
            continue  # registered, not insured yet
        receipt = f"DEMO-{family.pk:05d}"
        if kind in (8, 9):  # a year ago: expiring soon (8), or expired and renewed (9)
            back = 355 if kind == 8 else 400
            day = max(today - timedelta(days=back), basic.date_from)
            old = enrolment.policy_create(user=officer, family=family, product=basic, enroll_date=day).policy
            _pay(officer, old, old.value, day + timedelta(days=2), receipt)
            if kind == 9:
                policies_expire(today=today)
                old.refresh_from_db()
                renewal = enrolment.policy_renew(user=officer, previous=old, enroll_date=today - timedelta(days=20))
                new = renewal.policy
                if new.start_date <= today:
                    _pay(officer, new, new.value, max(new.enroll_date, today - timedelta(days=18)), receipt + "R")
        else:
            day = today - timedelta(days=5 + 9 * index % 200)
            policy = enrolment.policy_create(user=officer, family=family, product=basic, enroll_date=day).policy
            pay_day = min(day + timedelta(days=3), today)
            if kind <= 5:
                _pay(officer, policy, policy.value, pay_day, receipt)
            elif kind == 6:
                _pay(officer, policy, (policy.value / 3).quantize(Decimal("1")), pay_day, receipt)
        sold += 1
    result = policy_nightly(today=today)
    out.write(
        f"Policies: {sold} sold now, {Policy.objects.count()} in all "
        f"({Policy.objects.filter(status=PolicyStatus.ACTIVE).count()} active); "
        f"nightly job: {result.expired} expired, {result.reminders} renewal reminders.\n"
    )
