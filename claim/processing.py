"""Processing checked claims: what each passed line is worth to the scheme (reference sec. 6.6).

Rules enforced here:
- Processing needs `claim.process_claim`; every claim is in the user's scope and Checked (others are refused
  and nothing of the set is written). Claims are valued in order of their visit, so that each one sees the
  deductibles and ceilings the earlier ones took.
- The passed lines of a claim are grouped by the policy chosen at submission; each group is valued by the pure
  `claim.valuation.value_claim` with the product's amounts for its ceiling type, the claim's category cap, whether
  it is a hospital claim (ceiling interpretation I: a multi-day claim; H: a hospital-level facility), each line's
  ceiling exclusion (adult/child column: B always, H on hospital claims, N on the others), and what earlier
  processed claims booked on the policy (ceiling type P), on the policy for this person (I), or nothing (T).
  A policy ceiling grows with the members above the product's threshold (`effective_policy_ceiling`).
- Each line keeps its deductible, the amounts above the category cap and the ceiling, and its valued amount; a
  line at a fixed or provider price is remunerated that amount at once, a relative-price line waits for the
  batch run (remunerated empty). The claim becomes Valuated (no relative-price line) or Processed, with its
  valued and remunerated totals; a claim still selected for review is marked bypassed (feedback, which
  does not hold payment, is left as it is).
- Each (claim, policy) booking is stored (ClaimBooking) for the next claims' running totals.
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from location.models import FacilityLevel
from openimis.accounts.models import User
from openimis.common.exceptions import PermissionDeniedError
from policy.models import (
    SCOPE_OF_CEILING_TYPE,
    CeilingInterpretation,
    InsureePolicy,
    Policy,
    ProductItem,
    ProductService,
)

from . import checks, valuation
from .exceptions import ClaimStateError
from .models import Claim, ClaimBooking, ClaimItem, ClaimService, ClaimStatus, LineStatus, ReviewStatus

CATEGORY_CAP_FIELD = {
    checks.CONSULTATION: "max_amount_consultation",
    checks.SURGERY: "max_amount_surgery",
    checks.DELIVERY: "max_amount_delivery",
    checks.ANTENATAL: "max_amount_antenatal",
    checks.HOSPITALISATION: "max_amount_hospitalization",
}
VALUED_FIELDS = [
    "deductible_amount",
    "exceed_ceiling_amount",
    "exceed_ceiling_amount_category",
    "price_valuated",
    "remunerated_amount",
]
BOOKING_FIELDS = ("deducted", "deducted_ip", "deducted_op", "remunerated", "remunerated_ip", "remunerated_op")


@transaction.atomic
def claims_process(*, user: User, claims: Sequence[Claim]) -> dict[int, valuation.ClaimValue]:
    if not user.has_perm("claim.process_claim"):
        raise PermissionDeniedError(_("You do not have the permission to do this."))
    ids = {c.pk for c in claims}
    locked = list(
        Claim.objects.visible_to(user)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("insuree", "facility")
        .order_by("date_from", "pk")
    )
    if len(locked) != len(ids):
        raise PermissionDeniedError(_("A claim is outside your scope."))
    if any(c.status != ClaimStatus.CHECKED for c in locked):
        raise ClaimStateError(_("Only checked claims can be processed."), code="claim_not_checked")
    return {claim.pk: _process(claim) for claim in locked}


# review statuses that let a checked claim be processed: no review wanted, or the review done
READY_FOR_PROCESSING = (ReviewStatus.NOT_SELECTED, ReviewStatus.DELIVERED, ReviewStatus.BYPASSED)
PASSED_CHUNK = 200


def claims_process_passed(*, claim_ids: Sequence[int] | None = None) -> int:
    """Processes Checked claims that wait for no review (those named, or all of them): the automatic path after a
    submission or a review, run by a worker. Chunks of claims in visit order, one transaction each; rows locked by
    another worker are skipped (it processes them), so running this twice values nothing twice."""
    done = 0
    while True:
        with transaction.atomic():
            rows = Claim.objects.filter(status=ClaimStatus.CHECKED, review_status__in=READY_FOR_PROCESSING)
            if claim_ids is not None:
                rows = rows.filter(pk__in=list(claim_ids))
            chunk = list(
                rows.select_for_update(of=("self",), skip_locked=True)
                .select_related("insuree", "facility")
                .order_by("date_from", "pk")[:PASSED_CHUNK]
            )
            for claim in chunk:
                _process(claim)
        done += len(chunk)
        if len(chunk) < PASSED_CHUNK:
            return done


def _hospital(claim: Claim, interpretation: str) -> bool:
    if interpretation == CeilingInterpretation.FACILITY_LEVEL:
        return claim.facility.level == FacilityLevel.HOSPITAL
    return claim.date_to is not None and claim.date_to != claim.date_from


def _consumed(policy: Policy, claim: Claim, scope: str) -> valuation.Consumed:
    if scope in ("", "treatment"):
        return valuation.NOTHING_CONSUMED
    rows = ClaimBooking.objects.filter(policy=policy).exclude(claim=claim)
    if scope == "insuree":
        rows = rows.filter(insuree_id=claim.insuree_id)
    sums = rows.aggregate(**{f: Sum(f) for f in BOOKING_FIELDS})
    return valuation.Consumed(**{f: sums[f] or Decimal("0") for f in BOOKING_FIELDS})


def _terms(policy: Policy, claim: Claim, hospital: bool) -> valuation.Terms:
    product = policy.product
    scope = SCOPE_OF_CEILING_TYPE.get(product.ceiling_type or "", "")
    amounts: dict[str, Decimal | None] = dict.fromkeys(
        ("deductible", "deductible_ip", "deductible_op", "ceiling", "ceiling_ip", "ceiling_op")
    )
    if scope:
        amounts["deductible"] = getattr(product, f"ded_{scope}")
        amounts["deductible_ip"] = getattr(product, f"ded_ip_{scope}")
        amounts["deductible_op"] = getattr(product, f"ded_op_{scope}")
        for suffix in ("", "_ip", "_op"):
            ceiling = getattr(product, f"max{suffix}_{scope}")
            if scope == "policy":
                members = InsureePolicy.objects.filter(policy=policy).count()
                ceiling = valuation.effective_policy_ceiling(
                    ceiling,
                    getattr(product, f"max_policy_extra_member{suffix}"),
                    getattr(product, f"max_ceiling_policy{suffix}"),
                    members,
                    product.threshold,
                )
            amounts[f"ceiling{suffix}"] = ceiling
    cap_field = CATEGORY_CAP_FIELD.get(claim.category)
    return valuation.Terms(
        ceiling_type=product.ceiling_type or "",
        hospital=hospital,
        category=claim.category or checks.VISIT,
        category_cap=getattr(product, cap_field) if cap_field else None,
        **amounts,
    )


def _excluded(column: str, hospital: bool) -> bool:
    return column == "B" or (column == "H" and hospital) or (column == "N" and not hospital)


def _process(claim: Claim) -> valuation.ClaimValue:
    lines: list[ClaimItem | ClaimService] = [
        *ClaimItem.objects.filter(claim=claim, status=LineStatus.PASSED).order_by("pk"),
        *ClaimService.objects.filter(claim=claim, status=LineStatus.PASSED).order_by("pk"),
    ]
    by_policy: dict[int, list[ClaimItem | ClaimService]] = defaultdict(list)
    for line in lines:
        if line.policy_id is not None:
            by_policy[line.policy_id].append(line)
    policies = {p.pk: p for p in Policy.objects.filter(pk__in=by_policy).select_related("product")}
    adult = checks.age_on(claim.insuree.dob, claim.target_date) >= checks.ADULT_AGE
    who = "adult" if adult else "child"
    total = valuation.ClaimValue()
    remunerated = Decimal("0")
    for policy_id, group in by_policy.items():
        policy = policies[policy_id]
        product = policy.product
        hospital = _hospital(claim, product.ceiling_interpretation)
        exclusions = _exclusion_columns(product.pk, group, who)
        value_lines = [
            valuation.Line(
                key=_line_key(line),
                qty=line.qty_approved if line.qty_approved is not None else line.qty_provided,
                unit_price=(line.price_approved if line.price_approved is not None else line.price_adjusted)
                or Decimal("0"),
                limitation=line.limitation or "C",
                limit_value=line.limitation_value,
                price_origin=line.price_origin or "P",
                excluded_from_ceiling=_excluded(exclusions.get(_target_key(line), ""), hospital),
            )
            for line in group
        ]
        scope = SCOPE_OF_CEILING_TYPE.get(product.ceiling_type or "", "")
        result = valuation.value_claim(_terms(policy, claim, hospital), _consumed(policy, claim, scope), value_lines)
        values = {v.key: v for v in result.lines}
        for line in group:
            v = values[_line_key(line)]
            line.deductible_amount = v.deducted
            line.exceed_ceiling_amount = v.above_ceiling
            line.exceed_ceiling_amount_category = v.above_category_cap
            line.price_valuated = v.valued
            line.remunerated_amount = None if line.price_origin == valuation.RELATIVE else v.valued
            if line.remunerated_amount is not None:
                remunerated += line.remunerated_amount
        ClaimBooking.objects.create(
            claim=claim,
            policy=policy,
            insuree_id=claim.insuree_id,
            **{f: getattr(result, f) for f in BOOKING_FIELDS},
        )
        total.lines += result.lines
        total.valued += result.valued
        total.relative = total.relative or result.relative
    ClaimItem.objects.bulk_update([ln for ln in lines if isinstance(ln, ClaimItem)], VALUED_FIELDS)
    ClaimService.objects.bulk_update([ln for ln in lines if isinstance(ln, ClaimService)], VALUED_FIELDS)
    claim.status = ClaimStatus.PROCESSED if total.relative else ClaimStatus.VALUATED
    claim.valuated = total.valued
    claim.remunerated = remunerated
    claim.processed_at = timezone.now()
    if claim.review_status == ReviewStatus.SELECTED:
        claim.review_status = ReviewStatus.BYPASSED
    claim.save(
        update_fields=[
            "status",
            "valuated",
            "remunerated",
            "processed_at",
            "review_status",
            "updated_at",
        ]
    )
    return total


def _line_key(line: ClaimItem | ClaimService) -> tuple[str, int]:
    """Items and services are numbered separately: the kind makes a line's key unique within the claim."""
    return ("item" if isinstance(line, ClaimItem) else "service", line.pk)


def _target_key(line: ClaimItem | ClaimService) -> tuple[str, int]:
    if isinstance(line, ClaimItem):
        return ("item", line.item_id)
    return ("service", line.service_id)


def _exclusion_columns(
    product_id: int, group: Sequence[ClaimItem | ClaimService], who: str
) -> dict[tuple[str, int], str]:
    column = f"ceiling_exclusion_{who}"
    item_ids = [ln.item_id for ln in group if isinstance(ln, ClaimItem)]
    service_ids = [ln.service_id for ln in group if isinstance(ln, ClaimService)]
    result: dict[tuple[str, int], str] = {}
    for item_id, value in ProductItem.objects.filter(product_id=product_id, item_id__in=item_ids).values_list(
        "item_id", column
    ):
        result[("item", item_id)] = value
    for service_id, value in ProductService.objects.filter(
        product_id=product_id, service_id__in=service_ids
    ).values_list("service_id", column):
        result[("service", service_id)] = value
    return result
