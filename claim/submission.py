"""Submitting claims: the facts each claim is checked on, gathered for a whole set of claims at once, then the
rules of `claim.checks` (pure), then the outcome written back (reference sec. 6.4, 6.5).

Rules enforced here:
- Submitting needs `claim.submit_claim`; every claim is in the user's scope and Entered (others are refused, and
  nothing of the set is written).
- Facts come from a fixed number of queries for the whole set, whatever its size: the claims and their lines,
  the registers, the facilities' price lists (a price list applies from its date), the covers of the people
  (policies Active or Expired, the person's cover effective on the visit's first day and not expired on its last),
  the products' lines for those items and services, and the people's earlier claims (status Checked and beyond)
  for quantities used, frequencies and category counts within each cover period.
- A line with no price asked is priced from the facility's price list (its override, else the register's price).
- Outcome: each line passed or rejected with its reason (a partly approved quantity is stored as the approved
  quantity, reason 16 explaining the rest), the chosen product and policy with its limitation and price origin;
  the claim Checked with its category and approved amount (passed lines: approved quantity x price), or Rejected
  with the claim-wide reason; its claimed amount is recomputed with the price-list price of lines entered
  without a price.
- Then the automatic adjudication (`claim.flags`): Checked claims are flagged and selected for review, or passed;
  passed claims are processed by a worker once the submission is committed (`claim.tasks.process_passed`).
The whole set is one transaction.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from insuree.models import InsureeStatus
from location.models import HealthFacility
from medical.models import Item, ItemPriceListEntry, Service, ServicePriceListEntry
from openimis.accounts.models import User
from openimis.common.db import update_rows
from openimis.common.exceptions import PermissionDeniedError
from policy.models import InsureePolicy, PolicyStatus, Product, ProductItem, ProductService

from . import checks, flags, tasks
from .exceptions import ClaimStateError
from .models import Claim, ClaimItem, ClaimService, ClaimStatus, LineStatus

USED_STATUSES = (ClaimStatus.CHECKED, ClaimStatus.PROCESSED, ClaimStatus.VALUATED)
CATEGORY_FIELD = {
    checks.CONSULTATION: "max_no_consultation",
    checks.SURGERY: "max_no_surgery",
    checks.DELIVERY: "max_no_delivery",
    checks.ANTENATAL: "max_no_antenatal",
    checks.HOSPITALISATION: "max_no_hospitalization",
    checks.VISIT: "max_no_visits",
}
SUFFIX = {"O": "", "R": "_r", "E": "_e"}


def _target(d_from: date, d_to: date | None) -> date:
    return d_to or d_from


@transaction.atomic
def claims_submit(*, user: User, claims: Sequence[Claim]) -> dict[int, checks.ClaimResult]:
    if not user.has_perm("claim.submit_claim"):
        raise PermissionDeniedError(_("You do not have the permission to do this."))
    ids = [c.pk for c in claims]
    locked = list(
        Claim.objects.visible_to(user)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("insuree")
        .order_by("pk")
    )
    _attach_facilities(locked)
    if len(locked) != len(set(ids)):
        raise PermissionDeniedError(_("A claim is outside your scope."))
    entered = [c for c in locked if c.status == ClaimStatus.ENTERED]
    if len(entered) != len(locked):
        raise ClaimStateError(_("Only entered claims can be submitted."), code="claim_not_entered")
    facts, lines = _gather(locked)
    results: dict[int, checks.ClaimResult] = {}
    for claim in locked:
        result = checks.check_claim(facts[claim.pk])
        results[claim.pk] = result
        _write(claim, result, lines[claim.pk])
        claim.updated_at = timezone.now()
    written = [ln for keyed in lines.values() for ln, _price in keyed.values()]
    update_rows(ClaimItem, [ln for ln in written if isinstance(ln, ClaimItem)], LINE_FIELDS)
    update_rows(ClaimService, [ln for ln in written if isinstance(ln, ClaimService)], LINE_FIELDS)
    update_rows(Claim, locked, CLAIM_FIELDS)
    _selected, passed = flags.adjudicate(locked)
    if passed:
        ids = [c.pk for c in passed]
        transaction.on_commit(lambda: tasks.process_passed.delay(ids))
    return results


def _gather(claims: list[Claim]) -> tuple[dict[int, checks.ClaimFacts], dict[int, dict[Any, Any]]]:
    claim_ids = [c.pk for c in claims]
    # the registers' entries, products and facilities are few: read once each and shared, not once per row
    items = list(ClaimItem.objects.filter(claim_id__in=claim_ids))
    services = list(ClaimService.objects.filter(claim_id__in=claim_ids))
    for model, lines_, attr in ((Item, items, "item"), (Service, services, "service")):
        entries = model.objects.in_bulk({getattr(ln, f"{attr}_id") for ln in lines_})
        for ln in lines_:
            setattr(ln, attr, entries[getattr(ln, f"{attr}_id")])
    insuree_ids = {c.insuree_id for c in claims}
    item_ids = {ln.item_id for ln in items}
    service_ids = {ln.service_id for ln in services}

    # price lists of the facilities
    item_lists = {
        c.facility_id: getattr(getattr(c.facility, "price_lists", None), "items_price_list", None) for c in claims
    }
    service_lists = {
        c.facility_id: getattr(getattr(c.facility, "price_lists", None), "services_price_list", None) for c in claims
    }
    item_prices = {
        (e.price_list_id, e.item_id): e.price_override
        for e in ItemPriceListEntry.objects.filter(
            price_list_id__in=[p.pk for p in item_lists.values() if p], item_id__in=item_ids
        )
    }
    service_prices = {
        (e.price_list_id, e.service_id): e.price_override
        for e in ServicePriceListEntry.objects.filter(
            price_list_id__in=[p.pk for p in service_lists.values() if p], service_id__in=service_ids
        )
    }

    # covers of the people, and the product lines for the claimed items and services
    covers = list(
        InsureePolicy.objects.filter(
            insuree_id__in=insuree_ids,
            effective_date__isnull=False,
            policy__status__in=(PolicyStatus.ACTIVE, PolicyStatus.EXPIRED),
        ).select_related("policy")
    )
    product_ids = {c.policy.product_id for c in covers}
    products = Product.objects.in_bulk(product_ids)
    for cover in covers:
        cover.policy.product = products[cover.policy.product_id]
    product_items = defaultdict(list)
    for pi in ProductItem.objects.filter(product_id__in=product_ids, item_id__in=item_ids):
        product_items[pi.item_id].append(pi)
    product_services = defaultdict(list)
    for ps in ProductService.objects.filter(product_id__in=product_ids, service_id__in=service_ids):
        product_services[ps.service_id].append(ps)

    # earlier claims of the people
    earlier = Q(claim__insuree_id__in=insuree_ids, claim__status__in=USED_STATUSES, status=LineStatus.PASSED)
    item_history = _history(ClaimItem.objects.filter(earlier, item_id__in=item_ids), "item_id")
    service_history = _history(ClaimService.objects.filter(earlier, service_id__in=service_ids), "service_id")
    # a claim without category counts as a visit (reference 6.4 step 4)
    category_history: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for insuree_id, d_from, d_to, category in Claim.objects.filter(
        insuree_id__in=insuree_ids, status__in=USED_STATUSES
    ).values_list("insuree_id", "date_from", "date_to", "category"):
        category_history[insuree_id].append((_target(d_from, d_to), category or checks.VISIT))

    by_claim_items: dict[int, list[ClaimItem]] = defaultdict(list)
    for ln in items:
        by_claim_items[ln.claim_id].append(ln)
    by_claim_services: dict[int, list[ClaimService]] = defaultdict(list)
    for service_line in services:
        by_claim_services[service_line.claim_id].append(service_line)

    ctx = _Context(
        covers=_by_insuree(covers),
        category_history=category_history,
        item_lists=item_lists,
        service_lists=service_lists,
        item_prices=item_prices,
        service_prices=service_prices,
        product_items=product_items,
        product_services=product_services,
        item_history=item_history,
        service_history=service_history,
    )
    facts: dict[int, checks.ClaimFacts] = {}
    lines: dict[int, dict[Any, Any]] = {}
    for claim in claims:
        facts[claim.pk], lines[claim.pk] = _claim_facts(
            claim, ctx, by_claim_items[claim.pk], by_claim_services[claim.pk]
        )
    return facts, lines


@dataclass
class _Context:
    covers: dict[int, list[InsureePolicy]]  # by person
    category_history: dict[int, list[tuple[date, str]]]
    item_lists: dict[int, Any]
    service_lists: dict[int, Any]
    item_prices: dict[tuple[int, int], Decimal | None]
    service_prices: dict[tuple[int, int], Decimal | None]
    product_items: dict[int, list[ProductItem]]
    product_services: dict[int, list[ProductService]]
    item_history: dict[tuple[int, int], list[tuple[date, Decimal]]]
    service_history: dict[tuple[int, int], list[tuple[date, Decimal]]]


@dataclass
class _Person:
    """What the cover lines of one claim depend on."""

    insuree_id: int
    category: str
    who: str  # "adult" or "child" on the target date
    suffix: str  # the claim's visit type as a field suffix: "", "_r", "_e"
    covers: list[InsureePolicy]


def _cover_lines(
    person: _Person, ctx: _Context, product_lines: Sequence[Any], history: list[tuple[date, Decimal]]
) -> tuple[checks.CoverLine, ...]:
    result = []
    who, suffix, category = person.who, person.suffix, person.category
    for cover in person.covers:
        product = cover.policy.product
        start = cover.effective_date
        assert start is not None
        expiry = min(cover.expiry_date, cover.policy.expiry_date)
        for pl in product_lines:
            if pl.product_id != product.pk:
                continue
            used = sum((q for d, q in history if start <= d <= expiry), Decimal("0"))
            # the limitation of the claim's visit type, or the normal one when that type has none
            if getattr(pl, f"limitation_type{suffix}"):
                kind, value = getattr(pl, f"limitation_type{suffix}"), getattr(pl, f"limit_{who}{suffix}")
            else:
                kind, value = pl.limitation_type, getattr(pl, f"limit_{who}")
            max_field = CATEGORY_FIELD.get(category)
            category_used = sum(
                1 for d, cat in ctx.category_history[person.insuree_id] if start <= d <= expiry and cat == category
            )
            result.append(
                checks.CoverLine(
                    product_id=product.pk,
                    policy_id=cover.policy_id,
                    policy_stage=cover.policy.stage,
                    policy_effective=cover.policy.effective_date or start,
                    insuree_effective=start,
                    cover_expiry=expiry,
                    waiting_months=getattr(pl, f"waiting_period_{who}"),
                    limit_no=getattr(pl, f"limit_no_{who}"),
                    used_qty=used,
                    limitation=kind,
                    limit_value=value,
                    price_origin=pl.price_origin,
                    category_max=getattr(product, max_field) if max_field else None,
                    category_used=category_used,
                )
            )
    return tuple(result)


def _claim_facts(
    claim: Claim, ctx: _Context, items: list[ClaimItem], services: list[ClaimService]
) -> tuple[checks.ClaimFacts, dict[Any, Any]]:
    insuree = claim.insuree
    target = claim.target_date
    multi_day = claim.date_to is not None and claim.date_to != claim.date_from
    categories = tuple(ln.service.category for ln in services)
    person = _Person(
        insuree_id=insuree.pk,
        category=checks.claim_category(categories, multi_day=multi_day),
        who="adult" if checks.age_on(insuree.dob, target) >= checks.ADULT_AGE else "child",
        suffix=SUFFIX.get(claim.visit_type, ""),
        covers=[
            c
            for c in ctx.covers.get(insuree.pk, ())
            if c.effective_date is not None
            and c.effective_date <= claim.date_from
            and c.expiry_date >= target
            and c.policy.start_date <= target <= c.policy.expiry_date
        ],
    )
    line_facts: list[checks.LineFacts] = []
    keyed: dict[Any, Any] = {}
    for item_line in items:
        plist = ctx.item_lists.get(claim.facility_id)
        listed = plist is not None and plist.date_from <= target and (plist.pk, item_line.item_id) in ctx.item_prices
        override = ctx.item_prices.get((plist.pk, item_line.item_id)) if plist is not None else None
        price = item_line.price_asked if item_line.price_asked is not None else (override or item_line.item.price)
        history = ctx.item_history[(insuree.pk, item_line.item_id)]
        covers = _cover_lines(person, ctx, ctx.product_items[item_line.item_id], history)
        key = ("item", item_line.pk)
        line_facts.append(_line_facts(key, "item", item_line, item_line.item, price, listed, history, claim, covers))
        keyed[key] = (item_line, price)
    for service_line in services:
        plist = ctx.service_lists.get(claim.facility_id)
        listed = (
            plist is not None
            and plist.date_from <= target
            and (plist.pk, service_line.service_id) in ctx.service_prices
        )
        override = ctx.service_prices.get((plist.pk, service_line.service_id)) if plist is not None else None
        price = (
            service_line.price_asked
            if service_line.price_asked is not None
            else (override or service_line.service.price)
        )
        history = ctx.service_history[(insuree.pk, service_line.service_id)]
        covers = _cover_lines(person, ctx, ctx.product_services[service_line.service_id], history)
        key = ("service", service_line.pk)
        line_facts.append(
            _line_facts(key, "service", service_line, service_line.service, price, listed, history, claim, covers)
        )
        keyed[key] = (service_line, price)
    facts = checks.ClaimFacts(
        date_from=claim.date_from,
        date_to=claim.date_to,
        date_claimed=claim.date_claimed,
        insuree_valid=insuree.status == InsureeStatus.ACTIVE and insuree.family_id is not None,
        covered=bool(person.covers),
        gender=insuree.gender,
        dob=insuree.dob,
        facility_care_type=claim.facility.care_type,
        service_categories=categories,
        lines=tuple(line_facts),
    )
    return facts, keyed


def _attach_facilities(claims: list[Claim]) -> None:
    """Each claim's facility with its price lists, read once per facility."""
    facilities = HealthFacility.objects.select_related(
        "price_lists__items_price_list", "price_lists__services_price_list"
    ).in_bulk({c.facility_id for c in claims})
    for claim in claims:
        claim.facility = facilities[claim.facility_id]


def _by_insuree(covers: list[InsureePolicy]) -> dict[int, list[InsureePolicy]]:
    found: dict[int, list[InsureePolicy]] = defaultdict(list)
    for cover in covers:
        found[cover.insuree_id].append(cover)
    return found


def _history(lines: Any, target_field: str) -> dict[tuple[int, int], list[tuple[date, Decimal]]]:
    """(person, item or service) -> the target dates and quantities of its earlier passed provisions."""
    history: dict[tuple[int, int], list[tuple[date, Decimal]]] = defaultdict(list)
    rows = lines.values_list(
        "claim__insuree_id", target_field, "claim__date_from", "claim__date_to", "qty_approved", "qty_provided"
    )
    for insuree_id, target_id, d_from, d_to, approved, provided in rows:
        history[(insuree_id, target_id)].append((_target(d_from, d_to), approved if approved is not None else provided))
    return history


def _line_facts(
    key: Any,
    kind: str,
    ln: Any,
    entry: Any,
    price: Decimal,
    in_list: bool,
    history: list[tuple[date, Decimal]],
    claim: Claim,
    covers: tuple[checks.CoverLine, ...],
) -> checks.LineFacts:
    target = claim.target_date
    before = [d for d, _q in history if d <= target]
    return checks.LineFacts(
        key=key,
        kind=kind,
        qty=ln.qty_provided,
        unit_price=price,
        registered=entry.is_active,
        in_price_list=in_list,
        care_type=entry.care_type,
        patient_category=entry.patient_category,
        frequency_days=entry.frequency,
        last_provided=max(before) if before else None,
        covers=covers,
    )


LINE_FIELDS = [
    "status",
    "rejection_reason",
    "price_adjusted",
    "qty_approved",
    "product",
    "policy",
    "limitation",
    "limitation_value",
    "price_origin",
    "justification",
]
CLAIM_FIELDS = ["status", "rejection_reason", "category", "claimed", "approved", "submitted_at", "updated_at"]


def _write(claim: Claim, result: checks.ClaimResult, keyed: dict[Any, Any]) -> None:
    """Sets the outcome on the claim and its lines (in memory); `claims_submit` saves the whole set at once."""
    approved = Decimal("0")
    # what the facility claims, each line at its price asked or, when none was asked, the price list's
    claim.claimed = sum((ln.qty_provided * price for ln, price in keyed.values()), Decimal("0"))
    for line_result in result.lines:
        ln, price = keyed[line_result.key]
        ln.status = line_result.status
        ln.rejection_reason = line_result.reason
        ln.price_adjusted = price
        chosen = line_result.chosen
        if line_result.status == checks.PASSED and chosen is not None:
            ln.qty_approved = line_result.qty_approved
            ln.product_id, ln.policy_id = chosen.product_id, chosen.policy_id
            ln.limitation, ln.limitation_value, ln.price_origin = (
                chosen.limitation,
                chosen.limit_value,
                chosen.price_origin,
            )
            approved += (line_result.qty_approved if line_result.qty_approved is not None else ln.qty_provided) * price
        else:
            ln.qty_approved = Decimal("0")
        if line_result.note:
            ln.justification = line_result.note[:250]
    claim.status = ClaimStatus.CHECKED if result.status == checks.CHECKED else ClaimStatus.REJECTED
    claim.rejection_reason = result.reason
    claim.category = result.category
    claim.approved = approved if claim.status == ClaimStatus.CHECKED else Decimal("0")
    claim.submitted_at = timezone.now()
