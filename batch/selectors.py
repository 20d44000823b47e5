"""Reads of batch runs for pages and downloads, scoped to the requesting user.

- Only holders of `batch.view_batchrun` (accountants, scheme administrators) see runs at all.
- The scheme's national staff (superusers, and users whose scope holds every active region:
  `location.selectors.covers_whole_country`) see every run, the national ones (no location) included.
- Anyone else sees the runs of the regions inside their scope (`scope.location_q`); never a national run.
"""

from django.db.models import Case, Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from location.models import Location, LocationType
from location.scope import scope_of
from location.selectors import covers_whole_country
from openimis.accounts.models import User

from .models import BatchRun, CapitationPayment

VIEW = "batch.view_batchrun"


def runs_for(user: User) -> QuerySet[BatchRun]:
    """The runs the user may see, newest first, with their number of claims valued, the amount they remunerated and
    the capitation of their month (None when none was computed)."""
    if not user.is_authenticated or not user.has_perm(VIEW):
        return BatchRun.objects.none()
    runs = BatchRun.objects.select_related("location", "created_by", "job")
    if not covers_whole_country(user):
        scope = scope_of(user)
        if scope.is_empty:
            return BatchRun.objects.none()
        runs = runs.filter(Q(location__isnull=False) & scope.location_q(prefix="location__"))
    money = DecimalField(max_digits=18, decimal_places=2)
    # the capitation of the run's month for the products of its location (national products for a national run)
    month_capitation = (
        CapitationPayment.objects.filter(year=OuterRef("year"), month=OuterRef("month"))
        .values("year")
        .annotate(total=Sum("payment"))
        .values("total")
    )
    # from the per-facility totals the run stores (a few thousand rows a run), not its million claims
    return runs.annotate(
        claims_count=Coalesce(Sum("facilities__claims"), Value(0)),
        remunerated_total=Coalesce(Sum("facilities__remunerated"), Value(0), output_field=money),
        capitation_total=Case(
            When(
                location__isnull=True,
                then=Subquery(month_capitation.filter(product__location__isnull=True), output_field=money),
            ),
            default=Subquery(month_capitation.filter(product__location=OuterRef("location")), output_field=money),
        ),
    ).order_by("-year", "-month", "-started_at")


def access_run_by_uuid(user: User, uuid: str) -> BatchRun:
    """A run the user may see; 404 otherwise (outside their scope or unknown alike)."""
    return get_object_or_404(runs_for(user), uuid=uuid)


def may_run_nationally(user: User) -> bool:
    """Whether the user may start a national run (and will then see it): the scheme's national staff."""
    return covers_whole_country(user)


def run_regions_for(user: User) -> QuerySet[Location]:
    """The regions a user may start a run for: the active regions in their scope."""
    return Location.objects.visible_to(user).active().filter(type=LocationType.REGION).order_by("code")


def months_waiting(user: User) -> list[tuple[int, int, int]]:
    """(year, month, claims) of the months before this one whose Processed claims (of the user's facilities) still
    wait for a batch run, oldest first: the month a run is due for, and a month that was never run."""
    from datetime import datetime

    from django.db.models.functions import ExtractMonth, ExtractYear, TruncMonth
    from django.utils import timezone

    from claim.models import Claim, ClaimStatus

    today = timezone.localdate()
    this_month = timezone.make_aware(datetime(today.year, today.month, 1))
    claims = Claim.objects.visible_to(user).filter(status=ClaimStatus.PROCESSED)
    rows = (
        claims.annotate(month_start=TruncMonth("processed_at"))
        .filter(month_start__lt=this_month)
        .annotate(y=ExtractYear("month_start"), m=ExtractMonth("month_start"))
        .values_list("y", "m")
        .annotate(n=Count("id"))
        .order_by("y", "m")
    )
    return [(y, m, n) for y, m, n in rows]
