"""Claim reports: claim overview."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claim.models import Claim, ClaimStatus
from openimis.accounts.models import User

from ..base import Report, ReportData, ReportParams, facility_label, money, money_sum, place, reading_db, totals

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
    qs = place(qs, params, "facility__")
    counts = {f"n_{s.value}": Count("pk", filter=Q(status=s)) for s in CLAIM_STATUSES}
    grouped: Iterable[dict[str, Any]] = (
        qs.values("facility__code", "facility__name")
        .annotate(
            **counts,
            total=Count("pk"),
            claimed=money_sum("claimed"),
            approved=money_sum("approved"),
            valuated=money_sum("valuated"),
            remunerated=money_sum("remunerated"),
        )
        .order_by("facility__code")
    )
    amounts = ("claimed", "approved", "valuated", "remunerated")
    rows = [
        [
            facility_label(g["facility__code"], g["facility__name"]),
            *(g[f"n_{s.value}"] for s in CLAIM_STATUSES),
            g["total"],
            *(money(g[a]) for a in amounts),
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
    return ReportData(_("Claim overview"), columns, rows, totals(rows, first=1))


REPORTS = (
    Report(
        "claim_overview",
        gettext_lazy("Claim overview"),
        ("date_from", "date_to", "location", "facility"),
        claim_overview,
        description=gettext_lazy("Claims of the period per health facility: counts by status and amounts."),
    ),
)
