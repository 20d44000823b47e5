"""The report queries: one aggregate query per report, returning plain data (`ReportData`) that the renderers turn
into PDF, XLSX or CSV.

Rules:
- Every query is scoped to the requesting user's area (`location.scope.scope_of`): a district manager's report holds
  nothing of another district, whatever parameters were stored in the job.
- Queries read from the "reports" database (a read replica) when it is configured, else from "default"
  (`reading_db`).
- Amounts are `Decimal` to the cent; no data gives a report with no rows (the renderers say so), never an error.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from batch.models import CapitationPayment, RunFacility
from claim.models import Claim, ClaimStatus
from location.models import HealthFacility, Location
from location.scope import scope_of
from openimis.accounts.models import User
from policy.models import Product

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def reading_db() -> str:
    """The database alias the report queries read from: the read replica when configured."""
    return "reports" if "reports" in settings.DATABASES else "default"


@dataclass(frozen=True)
class ReportParams:
    date_from: date | None = None
    date_to: date | None = None
    location: Location | None = None
    product: Product | None = None
    facility: HealthFacility | None = None


@dataclass
class ReportData:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    totals: list[Any] | None = None  # the totals line, aligned with the columns ("" where nothing adds up)
    parameters: list[tuple[str, str]] = field(default_factory=list)  # (label, value) shown in the head

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


def _facility_label(code: str, name: str) -> str:
    return f"{code} · {name}"


def _period_months(params: ReportParams) -> Q:
    """Rows with (year, month) fields inside the months of the period."""
    assert params.date_from and params.date_to
    start, end = params.date_from, params.date_to
    after = Q(year__gt=start.year) | Q(year=start.year, month__gte=start.month)
    before = Q(year__lt=end.year) | Q(year=end.year, month__lte=end.month)
    return after & before


def _place(qs: QuerySet[Any], params: ReportParams, prefix: str) -> QuerySet[Any]:
    """Narrows to the location and facility parameters (`prefix` reaches the facility, e.g. "facility__")."""
    if params.location is not None:
        qs = qs.filter(**{f"{prefix}district__path__startswith": params.location.path})
    if params.facility is not None:
        qs = qs.filter(**{f"{prefix}pk": params.facility.pk})
    return qs


def _money_sum(expr: str, **extra: Any) -> Coalesce:
    return Coalesce(Sum(expr, **extra), Value(ZERO), output_field=DecimalField(max_digits=20, decimal_places=2))


CLAIM_STATUSES = (
    ClaimStatus.ENTERED,
    ClaimStatus.CHECKED,
    ClaimStatus.PROCESSED,
    ClaimStatus.VALUATED,
    ClaimStatus.REJECTED,
)


def claim_overview(*, user: User, params: ReportParams) -> ReportData:
    """Claims whose visit starts in the period, per health facility: how many in each status, and the amounts."""
    qs: QuerySet[Any] = Claim.objects.using(reading_db()).visible_to(user)
    qs = qs.filter(date_from__gte=params.date_from, date_from__lte=params.date_to)
    qs = _place(qs, params, "facility__")
    counts = {f"n_{s.value}": Count("pk", filter=Q(status=s)) for s in CLAIM_STATUSES}
    grouped: Iterable[dict[str, Any]] = (
        qs.values("facility__code", "facility__name")
        .annotate(
            **counts,
            total=Count("pk"),
            claimed=_money_sum("claimed"),
            approved=_money_sum("approved"),
            valuated=_money_sum("valuated"),
            remunerated=_money_sum("remunerated"),
        )
        .order_by("facility__code")
    )
    amounts = ("claimed", "approved", "valuated", "remunerated")
    rows = [
        [
            _facility_label(g["facility__code"], g["facility__name"]),
            *(g[f"n_{s.value}"] for s in CLAIM_STATUSES),
            g["total"],
            *(_money(g[a]) for a in amounts),
        ]
        for g in grouped
    ]
    columns = [
        _("Health facility"),
        *(str(s.label) for s in CLAIM_STATUSES),
        _("Claims"),
        _("Claimed"),
        _("Approved"),
        _("Valuated"),
        _("Remunerated"),
    ]
    return ReportData(_("Claim overview"), columns, rows, _totals(rows, first=1))


def _totals(rows: list[list[Any]], *, first: int) -> list[Any] | None:
    """The totals line: "Total" then, from column `first`, the sum of each column."""
    if not rows:
        return None
    width = len(rows[0])
    line: list[Any] = [_("Total")] + [""] * (first - 1)
    for col in range(first, width):
        values = [r[col] for r in rows]
        line.append(sum(values, ZERO if isinstance(values[0], Decimal) else 0))
    return line


MEASURES = ("population", "families", "insured_people", "insured_families", "visits", "adjusted_amount")


def capitation_payment(*, user: User, params: ReportParams) -> ReportData:
    """The capitation payments of the months of the period, per facility (and product): measures and payment."""
    scope = scope_of(user)
    qs = CapitationPayment.objects.using(reading_db()).filter(scope.facility_q("facility__"), _period_months(params))
    qs = _place(qs, params, "facility__")
    if params.product is not None:
        qs = qs.filter(product=params.product)
    grouped = (
        qs.values("facility__code", "facility__name", "product__code", "product__name")
        .annotate(
            population=Sum("population"),
            families=Sum("families"),
            insured_people=Sum("insured_people"),
            insured_families=Sum("insured_families"),
            visits=Sum("visits"),
            adjusted_amount=Sum("adjusted_amount"),
            payment=Sum("payment"),
        )
        .order_by("facility__code", "product__code")
    )
    rows = [
        [
            _facility_label(g["facility__code"], g["facility__name"]),
            f"{g['product__code']} · {g['product__name']}",
            g["population"].quantize(CENT),
            g["families"].quantize(CENT),
            g["insured_people"].quantize(CENT),
            g["insured_families"].quantize(CENT),
            int(g["visits"]),
            _money(g["adjusted_amount"]),
            _money(g["payment"]),
        ]
        for g in grouped
    ]
    columns = [
        _("Health facility"),
        _("Product"),
        _("Population"),
        _("Families"),
        _("Insured people"),
        _("Insured families"),
        _("Visits"),
        _("Adjusted amount"),
        _("Payment"),
    ]
    return ReportData(_("Capitation payment"), columns, rows, _totals(rows, first=2))


def batch_remuneration(*, user: User, params: ReportParams) -> ReportData:
    """What the batch runs of the months of the period paid each facility, per run (month and region)."""
    scope = scope_of(user)
    qs = RunFacility.objects.using(reading_db()).filter(scope.facility_q("facility__"), _run_months(params))
    qs = _place(qs, params, "facility__")
    found = qs.values_list(
        "run__year",
        "run__month",
        "run__location__code",
        "run__location__name",
        "facility__code",
        "facility__name",
        "claims",
        "asked",
        "valued",
        "remunerated",
    ).order_by("run__year", "run__month", "run__location__code", "facility__code")
    rows = [
        [
            f"{year}-{month:02d}",
            f"{region_code} · {region_name}" if region_code else _("National"),
            _facility_label(code, name),
            claims,
            _money(asked),
            _money(valued),
            _money(remunerated),
        ]
        for year, month, region_code, region_name, code, name, claims, asked, valued, remunerated in found
    ]
    columns = [
        _("Month"),
        _("Region"),
        _("Health facility"),
        _("Claims"),
        _("Asked"),
        _("Valued"),
        _("Remunerated"),
    ]
    return ReportData(_("Batch remuneration"), columns, rows, _totals(rows, first=3))


def _run_months(params: ReportParams) -> Q:
    assert params.date_from and params.date_to
    start, end = params.date_from, params.date_to
    after = Q(run__year__gt=start.year) | Q(run__year=start.year, run__month__gte=start.month)
    before = Q(run__year__lt=end.year) | Q(run__year=end.year, run__month__lte=end.month)
    return after & before


QueryFunction = Callable[..., ReportData]
