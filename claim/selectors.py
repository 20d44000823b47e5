"""Reads for the claim pages, always scoped to the requesting user (`Claim.objects.visible_to`).

The claim list is a fixed number of queries per page whatever the number of claims: the page (facility and
insuree joined) and its count; the default order (newest claim date first) follows `claim_facility_status_idx`
when a facility and status are chosen. A claim's lines are two queries (items, services), each with its register
entry, product and policy joined.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from location.models import HealthFacility
from location.selectors import facilities_for
from medical.models import Diagnosis, Item, Service
from medical.selectors import diagnoses_for, items_for, services_for
from openimis.accounts.models import User

from .models import Claim, ClaimFlag, ClaimItem, ClaimService, ClaimStatus, ReviewStatus

MAX_SUGGESTIONS = 15


def claims_for(
    user: User,
    *,
    facility: HealthFacility | None = None,
    status: int | None = None,
    visit_from: date | None = None,
    visit_to: date | None = None,
    insurance_number: str = "",
    code: str = "",
) -> QuerySet[Claim]:
    """Claims the user sees; `visit_from` / `visit_to` bound the first day of the visit, `code` matches the start
    of the claim code (any case)."""
    qs = Claim.objects.visible_to(user).select_related("facility", "insuree")
    if facility is not None:
        qs = qs.filter(facility=facility)
    if status is not None:
        qs = qs.filter(status=status)
    if visit_from is not None:
        qs = qs.filter(date_from__gte=visit_from)
    if visit_to is not None:
        qs = qs.filter(date_from__lte=visit_to)
    if insurance_number.strip():
        qs = qs.filter(insuree__insurance_number=insurance_number.strip())
    if code.strip():
        qs = qs.filter(code__istartswith=code.strip())
    return qs.order_by("-date_claimed", "-pk")


def claim_facilities(user: User) -> QuerySet[HealthFacility]:
    """Facilities the user enters claims for, or filters the list by."""
    return facilities_for(user)


@dataclass(frozen=True)
class Line:
    """A claimed item or service, for the claim page."""

    kind: str  # "item" or "service"
    code: str
    name: str
    line: Any  # ClaimItem | ClaimService


def claim_lines(claim: Claim) -> list[Line]:
    related = ("product", "policy")
    items = ClaimItem.objects.filter(claim=claim).select_related("item", *related).order_by("pk")
    services = ClaimService.objects.filter(claim=claim).select_related("service", *related).order_by("pk")
    return [Line("item", i.item.code, i.item.name, i) for i in items] + [
        Line("service", s.service.code, s.service.name, s) for s in services
    ]


def code_suggestions(user: User, kind: str, q: str) -> list[Diagnosis] | list[Item] | list[Service]:
    """Active ICD-10 codes, items or services whose code starts with, or name contains, `q` (a few, for a
    suggestion list)."""
    q = q.strip()
    if not q:
        return []
    if kind == "diagnosis":
        return list(diagnoses_for(user, q=q).only("code", "name")[:MAX_SUGGESTIONS])
    if kind == "item":
        return list(items_for(user, q=q).only("code", "name")[:MAX_SUGGESTIONS])
    return list(services_for(user, q=q).only("code", "name")[:MAX_SUGGESTIONS])


@dataclass(frozen=True)
class AutoPassShare:
    """Of the claims the automatic adjudication decided on (checked claims; those rejected by the checks are not
    counted), how many went on to processing without a reviewer."""

    passed: int
    adjudicated: int

    @property
    def percent(self) -> Decimal | None:
        if not self.adjudicated:
            return None
        return (Decimal(self.passed * 100) / self.adjudicated).quantize(Decimal("0.1"))


def auto_pass_share(user: User, *, since: date | None = None) -> AutoPassShare:
    """The share of claims passed automatically, among the user's claims submitted since `since` (all when None)."""
    qs = Claim.objects.visible_to(user).exclude(review_status=ReviewStatus.IDLE)
    if since is not None:
        qs = qs.filter(submitted_at__date__gte=since)
    counts = qs.aggregate(
        adjudicated=Count("pk"), passed=Count("pk", filter=Q(review_status=ReviewStatus.NOT_SELECTED))
    )
    return AutoPassShare(passed=counts["passed"], adjudicated=counts["adjudicated"])


def review_queue(
    user: User,
    *,
    facility: HealthFacility | None = None,
    visit_from: date | None = None,
    visit_to: date | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    flag: str = "",
) -> QuerySet[Claim]:
    """Checked claims waiting for a reviewer, first submitted first (`claim_waiting_review_idx`), with their
    facility, insuree and flags."""
    qs = (
        Claim.objects.visible_to(user)
        .filter(status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED)
        .select_related("facility", "insuree")
        .prefetch_related(Prefetch("flags", queryset=ClaimFlag.objects.only("claim_id", "code").order_by("id")))
    )
    if facility is not None:
        qs = qs.filter(facility=facility)
    if visit_from is not None:
        qs = qs.filter(date_from__gte=visit_from)
    if visit_to is not None:
        qs = qs.filter(date_from__lte=visit_to)
    if amount_min is not None:
        qs = qs.filter(claimed__gte=amount_min)
    if amount_max is not None:
        qs = qs.filter(claimed__lte=amount_max)
    if flag:
        qs = qs.filter(Exists(ClaimFlag.objects.filter(claim=OuterRef("pk"), code=flag)))
    return qs.order_by("submitted_at", "pk")


def _facility_q(ref: str) -> Q:
    text = ref.strip()
    try:
        return Q(uuid=uuid.UUID(text))
    except ValueError:
        return Q(code__iexact=text)


def facilities_by_ref(user: User, refs: Sequence[str]) -> dict[str, HealthFacility]:
    """The facilities the user sees, keyed by the refs (uuid or code, any case) that name them; one query."""
    return _by_ref(HealthFacility.objects.visible_to(user), refs)


def referrals_by_ref(refs: Sequence[str]) -> dict[str, HealthFacility]:
    """Facilities a patient was referred from or to, keyed by the refs (uuid or code, any case), whatever the user's
    scope: a referral crosses districts. One query."""
    return _by_ref(HealthFacility.objects.all(), refs)


def _by_ref(facilities: QuerySet[HealthFacility], refs: Sequence[str]) -> dict[str, HealthFacility]:
    if not refs:
        return {}
    wanted = Q(pk__in=[])
    for ref in set(refs):
        wanted |= _facility_q(ref)
    found = list(facilities.filter(wanted))
    by_key = {str(f.uuid): f for f in found} | {f.code.upper(): f for f in found}
    result = {}
    for ref in refs:
        text = ref.strip()
        facility = by_key.get(text.lower()) or by_key.get(text.upper())
        if facility is not None:
            result[ref] = facility
    return result
