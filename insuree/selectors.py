"""Reads for pages, the API and exports: always scoped to the requesting user (`visible_to`)."""

from collections.abc import Sequence
from datetime import date

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from location.models import HealthFacility, Location, LocationType
from openimis.accounts.models import User

from .models import Family, Insuree

ADULT_AGE = 18


def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def child_head_warning(
    head_dob: date | None, member_dobs: Sequence[date | None], today: date | None = None
) -> list[str]:
    """A head under 18 with no adult in the family is allowed (orphans) but worth a second look."""
    today = today or date.today()
    if head_dob is None or age_on(head_dob, today) >= ADULT_AGE:
        return []
    if any(d is not None and age_on(d, today) >= ADULT_AGE for d in member_dobs):
        return []
    return [_("The head of the family is a child (under 18) and no adult member is registered.")]


def family_warnings(family: Family) -> list[str]:
    dobs = list(family.members.exclude(pk=family.head_id).values_list("dob", flat=True))
    return child_head_warning(family.head.dob, dobs)


def villages_for(user: User) -> QuerySet[Location]:
    """Active villages in the user's scope, grouped by municipality."""
    return (
        Location.objects.visible_to(user)
        .active()
        .filter(type=LocationType.VILLAGE)
        .select_related("parent")
        .order_by("path")
    )


def facilities_for(user: User) -> QuerySet[HealthFacility]:
    return HealthFacility.objects.visible_to(user).order_by("code")


def _person_q(q: str, prefix: str = "") -> Q:
    q = q.strip()
    query = (
        Q(**{f"{prefix}insurance_number": q})
        | Q(**{f"{prefix}last_name__icontains": q})
        | Q(**{f"{prefix}other_names__icontains": q})
    )
    digits = "".join(c for c in q if c.isdigit())
    if len(digits) >= 4:
        query |= Q(**{f"{prefix}phone__contains": q})
    return query


def families_for(user: User, *, q: str = "", village: Location | None = None) -> QuerySet[Family]:
    """Families the user sees; `q` matches any member's insurance number (exact), name or phone."""
    qs = Family.objects.visible_to(user).select_related("head", "village", "village__parent")
    if q:
        members = Insuree.objects.filter(_person_q(q), family=OuterRef("pk"))
        qs = qs.filter(Exists(members))
    if village is not None:
        qs = qs.filter(village=village)
    return qs.annotate(member_count=Count("members")).order_by("head__last_name", "head__other_names", "pk")


def insurees_for(
    user: User, *, q: str = "", insurance_number: str = "", family: Family | None = None
) -> QuerySet[Insuree]:
    qs = Insuree.objects.visible_to(user).select_related("family", "family__village")
    if q:
        qs = qs.filter(_person_q(q))
    if insurance_number:
        qs = qs.filter(insurance_number=insurance_number.strip())
    if family is not None:
        qs = qs.filter(family=family)
    return qs.order_by("last_name", "other_names", "pk")


def family_members(family: Family) -> QuerySet[Insuree]:
    """The head first, then the others by age (oldest first)."""
    is_head = Case(When(pk=family.head_id, then=Value(True)), default=Value(False), output_field=BooleanField())
    return family.members.annotate(is_head=is_head).order_by("-is_head", "dob", "pk")


def family_headed_by(user: User, insurance_number: str) -> Family | None:
    """The family in the user's scope whose head has this insurance number."""
    return Family.objects.visible_to(user).filter(head__insurance_number=insurance_number.strip()).first()
