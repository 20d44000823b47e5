"""Reads for the policy and contribution pages, always scoped to the requesting user (`visible_to`).

The policy list stays a fixed number of queries per page at national scale (400,000 policies): the page, its
count, and what the live contributions pay for the page's policies in one aggregate (`with_paid`, on
`contribution_policy_idx`), never a query per row; the "idle and unpaid" filter compares it in SQL (a correlated
subquery). The default order is the newest first by primary key (an index scan that stops after a page); the
expiring filter walks `policy_expiry_idx`, soonest first.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from insuree.models import Family, Insuree
from location.models import Location, LocationType, LocationUserObjectPermission
from openimis.accounts.models import User
from openimis.common.history import HistoryEntry, history_of

from . import enrolment
from .exceptions import PolicyError
from .models import (
    Contribution,
    InsureePolicy,
    Policy,
    PolicyRenewal,
    PolicyStage,
    PolicyStatus,
    Product,
    ReminderStatus,
)

MAX_AREA_VILLAGES = 1000  # above this many villages in scope, the area filter lists municipalities and up
FAMILY_POLICIES = 50


def paid_expression() -> Coalesce:
    """What the live contributions of the row's policy pay towards its value (photo fees aside)."""
    total = (
        Contribution.objects.filter(policy=OuterRef("pk"), cancelled_at__isnull=True, is_photo_fee=False)
        .order_by()
        .values("policy")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    money = DecimalField(max_digits=18, decimal_places=2)
    return Coalesce(Subquery(total, output_field=money), Value(Decimal("0")), output_field=money)


def _name_q(text: str) -> Q:
    query = Q()
    for word in text.split():
        query &= Q(family__head__last_name__icontains=word) | Q(family__head__other_names__icontains=word)
    return query


def policies_for(
    user: User,
    *,
    q: str = "",
    status: int | None = None,
    product: Product | None = None,
    location: Location | None = None,
    expiring_within: int | None = None,
    idle_unpaid: bool = False,
    today: date | None = None,
) -> QuerySet[Policy]:
    """Policies the user sees (`with_paid` adds what is paid to a page of them).

    `q`: a member's insurance number (the family's policies) or words of the head's name; `location`: families
    living anywhere below it; `expiring_within`: policies whose expiry date is from today to N days ahead (soonest
    first); `idle_unpaid`: Idle policies not fully paid (with `paid` annotated)."""
    qs = Policy.objects.visible_to(user).select_related("family__head", "family__village", "product")
    text = q.strip()
    if text.isdigit():
        families = Insuree.objects.filter(insurance_number=text, family__isnull=False).values("family_id")
        qs = qs.filter(family_id__in=families)
    elif text:
        qs = qs.filter(_name_q(text))
    if status is not None:
        qs = qs.filter(status=status)
    if product is not None:
        qs = qs.filter(product=product)
    if location is not None:
        qs = qs.filter(family__village__path__startswith=location.path)
    if idle_unpaid:
        qs = qs.annotate(paid=paid_expression()).filter(status=PolicyStatus.IDLE, paid__lt=F("value"))
    if expiring_within is not None:
        day = today or timezone.localdate()
        qs = qs.filter(expiry_date__gte=day, expiry_date__lte=day + timedelta(days=expiring_within))
        return qs.order_by("expiry_date", "pk")
    return qs.order_by("-pk")


def with_paid(policies: Iterable[Policy]) -> list[Policy]:
    """Sets `paid` on each policy of a page, from one query over the page's ids: computing it in the list query
    would run the subquery for every row an OFFSET skips too."""
    rows = list(policies)
    totals = dict(
        Contribution.objects.live()
        .filter(policy__in=[p.pk for p in rows], is_photo_fee=False)
        .order_by()
        .values("policy")
        .annotate(s=Sum("amount"))
        .values_list("policy", "s")
    )
    for policy in rows:
        policy.paid = totals.get(policy.pk, Decimal("0"))  # type: ignore[attr-defined]
    return rows


def family_policies(family: Family) -> list[Policy]:
    """The family's policies, the latest first, with `paid` annotated (the family card of the family page)."""
    qs = Policy.objects.filter(family=family).select_related("product").annotate(paid=paid_expression())
    return list(qs.order_by("-start_date", "-pk")[:FAMILY_POLICIES])


def policy_members(policy: Policy) -> list[InsureePolicy]:
    """The cover of each member, the head first."""
    rows = list(InsureePolicy.objects.filter(policy=policy).select_related("insuree").order_by("insuree__created_at"))
    rows.sort(key=lambda row: row.insuree_id != policy.family.head_id)
    return rows


def policy_contributions(policy: Policy) -> list[Contribution]:
    return list(
        Contribution.objects.filter(policy=policy)
        .select_related("payer", "created_by", "cancelled_by")
        .order_by("pay_date", "pk")
    )


def renewal_of(policy: Policy) -> Policy | None:
    """The policy that renews this one, if any (a policy is renewed at most once)."""
    return Policy.objects.filter(previous=policy).first()


@dataclass
class SubjectEntry:
    """A history entry of the policy, of one member's cover or of one contribution."""

    subject: str
    entry: HistoryEntry


def _entries(obj: Policy | InsureePolicy | Contribution, subject: str, implied: tuple[str, ...]) -> list[SubjectEntry]:
    """The object's history without the fields its subject already names; a creation lists the values given."""
    hidden = {str(getattr(type(obj)._meta.get_field(name), "verbose_name", name)) for name in implied}
    rows = []
    for entry in history_of(obj):
        entry.changes = [
            c for c in entry.changes if c.field not in hidden and not (entry.action == "insert" and c.after == "—")
        ]
        rows.append(SubjectEntry(subject, entry))
    return rows


def policy_history(policy: Policy) -> list[SubjectEntry]:
    """Changes to the policy, to the cover of its members and to its contributions, newest first."""
    rows = _entries(policy, _("Policy"), ("family", "created_by"))
    for cover in InsureePolicy.objects.filter(policy=policy).select_related("insuree"):
        subject = _("Cover of %(name)s") % {"name": cover.insuree.full_name}
        rows += _entries(cover, subject, ("insuree", "policy"))
    for contribution in Contribution.objects.filter(policy=policy):
        subject = _("Contribution %(receipt)s") % {"receipt": contribution.receipt}
        rows += _entries(contribution, subject, ("policy", "product", "created_by"))
    rows.sort(key=lambda row: row.entry.at, reverse=True)
    return rows


def officer_choices(user: User, family: Family) -> QuerySet[User]:
    """Who may be named the policy's officer: the user, and the active users who sell policies and work in the
    family's village (a grant on the village or an area above it)."""
    above = [int(part) for part in family.village.path.split(".") if part]
    grant = LocationUserObjectPermission.objects.filter(
        user=OuterRef("pk"), permission__codename="scope_location", content_object_id__in=above
    )
    sells = Q(groups__permissions__codename="add_policy", groups__permissions__content_type__app_label="policy")
    sellers = User.objects.filter(sells).values("pk")
    return User.objects.filter(Q(pk=user.pk) | (Q(is_active=True) & Q(Exists(grant)) & Q(pk__in=sellers))).order_by(
        "last_name", "first_name", "username"
    )


def area_choices(user: User) -> list[Location]:
    """Areas to filter policies by: regions, districts and municipalities in scope, and the villages too when
    there are not too many of them (a national user picks a municipality)."""
    visible = Location.objects.visible_to(user).active()
    villages = visible.filter(type=LocationType.VILLAGE)
    if villages.count() > MAX_AREA_VILLAGES:
        visible = visible.exclude(type=LocationType.VILLAGE)
    return list(visible.order_by("path"))


def reminders_for(user: User) -> QuerySet[PolicyRenewal]:
    """The renewal reminders still to act on (to contact, notified), the soonest renewal first."""
    return (
        PolicyRenewal.objects.visible_to(user)
        .filter(status__in=[ReminderStatus.PENDING, ReminderStatus.NOTIFIED])
        .select_related("policy__family__head", "policy__family__village", "policy__product", "new_product", "officer")
        .order_by("renewal_date", "pk")
    )


# --- terms shown before confirming -----------------------------------------------------------------------------


def _problems(user: User, family: Family, product: Product, day: date, *, valid_on: date | None = None) -> list[str]:
    """Why the service would refuse these terms (the same check, `enrolment.check_terms`), shown in the preview."""
    try:
        enrolment.check_terms(user, family=family, product=product, enroll_date=day, valid_on=valid_on)
    except PolicyError as exc:
        return [message for messages in exc.fields.values() for message in messages] or [exc.message]
    return []


@dataclass
class Preview:
    quote: enrolment.Quote | None
    problems: list[str]


def new_policy_preview(user: User, family: Family, product: Product, day: date) -> Preview:
    terms = enrolment.quote(family=family, product=product, stage=PolicyStage.NEW, enroll_date=day)
    return Preview(terms, _problems(user, family, product, day))


def changed_policy_preview(user: User, policy: Policy, day: date) -> Preview:
    terms = enrolment.quote(
        family=policy.family, product=policy.product, stage=policy.stage, enroll_date=day, previous=policy.previous
    )
    return Preview(terms, _problems(user, policy.family, policy.product, day))


def renewal_preview(user: User, previous: Policy, day: date) -> Preview:
    """The terms of renewing `previous` with this enrolment date: on its product, or the one it converts into."""
    renewal_day = max(day, previous.expiry_date + timedelta(days=1))
    product = enrolment.renewal_product(previous, renewal_day)
    if product is None:
        return Preview(None, [_("Neither this product nor a conversion product is sold on the renewal date.")])
    terms = enrolment.quote(
        family=previous.family, product=product, stage=PolicyStage.RENEWAL, enroll_date=day, previous=previous
    )
    return Preview(terms, _problems(user, previous.family, product, day, valid_on=renewal_day))
