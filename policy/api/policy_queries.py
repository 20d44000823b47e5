"""Reads behind the policy, contribution and renewal API: querysets already scoped to the requesting user.

Every queryset starts from the model's `visible_to(user)`, so a policy outside the caller's scope is simply not
found. Lists carry what a policy's row shows (family head, product, paid and balance) in one query.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from insuree.models import Family, Insuree
from openimis.accounts.models import User

from ..models import Contribution, InsureePolicy, Policy, PolicyRenewal, PolicyStatus, Product, ReminderStatus

_MONEY = DecimalField(max_digits=18, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


def _paid() -> Coalesce:
    """What the live contributions pay towards a policy's value (photo fees do not count), as in
    `policy.enrolment.paid_amount`."""
    total = (
        Contribution.objects.filter(policy=OuterRef("pk"), cancelled_at__isnull=True, is_photo_fee=False)
        .order_by()
        .values("policy")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_MONEY), _ZERO, output_field=_MONEY)


def policies_for(user: User) -> QuerySet[Policy]:
    """Policies the user sees, with `paid` and `balance` (what is still due, 0 when paid)."""
    return (
        Policy.objects.visible_to(user)
        .select_related("family__head", "product")
        .annotate(paid=_paid())
        .annotate(balance=Greatest(F("value") - F("paid"), _ZERO, output_field=_MONEY))
    )


def policy_details_for(user: User) -> QuerySet[Policy]:
    """`policies_for` with what one policy's page shows: covered members and contributions."""
    return (
        policies_for(user)
        .select_related("officer", "previous")
        .prefetch_related(
            Prefetch("coverage", queryset=InsureePolicy.objects.select_related("insuree").order_by("insuree__pk")),
            Prefetch("contributions", queryset=Contribution.objects.select_related("payer").order_by("pay_date", "pk")),
        )
    )


def filter_policies(
    qs: QuerySet[Policy],
    *,
    insurance_number: str | None = None,
    expiring_within: int | None = None,
    idle_unpaid: bool | None = None,
) -> QuerySet[Policy]:
    if insurance_number:
        number = insurance_number.strip()
        families = Insuree.objects.filter(insurance_number=number).values("family_id")
        covering = InsureePolicy.objects.filter(insuree__insurance_number=number).values("policy_id")
        qs = qs.filter(Q(family_id__in=families) | Q(pk__in=covering))
    if expiring_within is not None:
        today = timezone.localdate()
        qs = qs.filter(expiry_date__gte=today, expiry_date__lte=today + timedelta(days=expiring_within))
    if idle_unpaid is not None:
        unpaid = Q(status=PolicyStatus.IDLE) & Q(value__gt=F("paid"))
        qs = qs.filter(unpaid) if idle_unpaid else qs.exclude(unpaid)
    return qs


def contributions_for(user: User) -> QuerySet[Contribution]:
    return (
        Contribution.objects.visible_to(user).select_related("policy", "product", "payer").order_by("-pay_date", "-pk")
    )


def renewals_for(user: User) -> QuerySet[PolicyRenewal]:
    return (
        PolicyRenewal.objects.visible_to(user)
        .select_related("policy__family__head", "policy__product", "new_product", "officer")
        .order_by("renewal_date", "pk")
    )


def pending_renewals_for(user: User) -> QuerySet[PolicyRenewal]:
    return renewals_for(user).filter(status=ReminderStatus.PENDING)


def product_by_ref(user: User, ref: str) -> Product | None:
    """A product the user sees, named by its uuid or its code (any case)."""
    text = ref.strip()
    try:
        key = uuid.UUID(text)
    except ValueError:
        return Product.objects.visible_to(user).filter(code__iexact=text).first()
    return Product.objects.visible_to(user).filter(uuid=key).first()


def family_by_uuid(user: User, key: uuid.UUID) -> Family | None:
    return Family.objects.visible_to(user).select_related("village").filter(uuid=key).first()


def policy_by_uuid(user: User, key: uuid.UUID) -> Policy | None:
    return Policy.objects.visible_to(user).select_related("family", "product").filter(uuid=key).first()


def officer_by_username(username: str) -> User | None:
    return User.objects.filter(username=username.strip(), is_active=True).first()
