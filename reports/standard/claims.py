"""Claim reports: claim overview, primary operational indicators, claim history of an insuree, referrals.

The claims of a report are those of the facilities in the user's scope (`Claim.objects.visible_to`), narrowed by the
location and facility parameters when the report takes them."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claim.models import Claim, ClaimStatus, VisitType
from insuree.models import Insuree
from location.models import HealthFacility
from openimis.accounts.models import User

from ..base import (
    CENT,
    LIST_LIMIT,
    ZERO,
    Report,
    ReportData,
    ReportParams,
    code_label,
    limited,
    money,
    money_sum,
    place,
    reading_db,
    totals,
)

CLAIM_STATUSES = (
    ClaimStatus.ENTERED,
    ClaimStatus.CHECKED,
    ClaimStatus.PROCESSED,
    ClaimStatus.VALUATED,
    ClaimStatus.REJECTED,
)
# the order of the primary indicators: from entry to the end of the claim's way
INDICATOR_STATUSES = (
    ClaimStatus.ENTERED,
    ClaimStatus.CHECKED,
    ClaimStatus.REJECTED,
    ClaimStatus.PROCESSED,
    ClaimStatus.VALUATED,
)
AMOUNTS = ("claimed", "approved", "valuated", "remunerated")


def _claims(user: User, params: ReportParams, day: str) -> QuerySet[Any]:
    """The claims in the user's scope whose date `day` ("date_from": the visit's start, "date_claimed") is in the
    period, narrowed by the location and facility parameters."""
    qs: QuerySet[Any] = Claim.objects.using(reading_db()).visible_to(user)
    qs = qs.filter(**{f"{day}__gte": params.date_from, f"{day}__lte": params.date_to})
    return place(qs, params, "facility__")


def _figures(statuses: Iterable[ClaimStatus]) -> dict[str, Any]:
    """The aggregates of a group of claims: a count per status (`n_<code>`), the count (`total`), the amounts."""
    counts = {f"n_{s.value}": Count("pk", filter=Q(status=s)) for s in statuses}
    return {**counts, "total": Count("pk"), **{a: money_sum(a) for a in AMOUNTS}}


def _amount_columns() -> list[str]:
    return [_("Claimed"), _("Approved"), _("Valuated"), _("Remunerated")]


def claim_overview(*, user: User, params: ReportParams) -> ReportData:
    """Claims whose visit starts in the period, per health facility: how many in each status, and the amounts."""
    grouped: Iterable[dict[str, Any]] = (
        _claims(user, params, "date_from")
        .values("facility__code", "facility__name")
        .annotate(**_figures(CLAIM_STATUSES))
        .order_by("facility__code")
    )
    rows = [
        [
            code_label(g["facility__code"], g["facility__name"]),
            *(g[f"n_{s.value}"] for s in CLAIM_STATUSES),
            g["total"],
            *(money(g[a]) for a in AMOUNTS),
        ]
        for g in grouped
    ]
    columns = [
        _("Health facility"),
        *(str(s.label) for s in CLAIM_STATUSES),
        _("Claims"),
        *_amount_columns(),
    ]
    return ReportData(_("Claim overview"), columns, rows, totals(rows, first=1))


def claim_primary_indicators(*, user: User, params: ReportParams) -> ReportData:
    """Claims claimed in the period (their `date_claimed`, the day the facility claimed them), per health facility and
    month of that date: how many were claimed, how many are now in each status (Entered, Checked, Rejected,
    Processed, Valuated), and the sums of their claimed, approved, valuated and remunerated amounts. A whole country
    over a year may have more facility-months than a file can list: the first LIST_LIMIT are listed, and the totals
    line adds up all of them."""
    # grouped by facility id and month, narrow keys the planner aggregates in a hash table; labelled afterwards
    grouped = list(
        _claims(user, params, "date_claimed")
        .annotate(month=TruncMonth("date_claimed"))
        .values("facility_id", "month")
        .annotate(**_figures(INDICATOR_STATUSES))
        .order_by()
    )
    facilities = (
        HealthFacility.objects.using(reading_db()).only("code", "name").in_bulk({g["facility_id"] for g in grouped})
    )
    grouped.sort(key=lambda g: (facilities[g["facility_id"]].code, g["month"]))
    rows = [
        [
            code_label(facilities[g["facility_id"]].code, facilities[g["facility_id"]].name),
            f"{g['month']:%Y-%m}",
            g["total"],
            *(g[f"n_{s.value}"] for s in INDICATOR_STATUSES),
            *(money(g[a]) for a in AMOUNTS),
        ]
        for g in grouped
    ]
    columns = [
        _("Health facility"),
        _("Month"),
        _("Claims"),
        *(str(s.label) for s in INDICATOR_STATUSES),
        *_amount_columns(),
    ]
    title = _("Primary operational indicators: claims")
    shown = rows[:LIST_LIMIT]
    return ReportData(title, columns, shown, totals(rows, first=2), note=limited(shown, len(rows)))


def claim_history(*, user: User, params: ReportParams) -> ReportData:
    """Every claim of one insuree (the insurance number parameter) whose visit starts in the period, oldest first:
    the insuree must be in the user's area, and the claims are those the user sees (`Claim.objects.visible_to`: the
    facilities in the user's scope). No insurance number, or one outside the area, gives no rows."""
    columns = [
        _("Claim code"),
        _("Health facility"),
        _("Visit from"),
        _("Visit to"),
        _("Main diagnosis"),
        _("Status"),
        _("Claimed"),
        _("Approved"),
        _("Remunerated"),
    ]
    title = _("Claim history")
    if not params.insurance_number:
        return ReportData(title, columns, [])
    person = Insuree.objects.using(reading_db()).visible_to(user).filter(insurance_number=params.insurance_number)
    found = (
        _claims(user, params, "date_from")
        .filter(insuree__in=person.values("pk"))
        .order_by("date_from", "code")
        .values(
            "code",
            "facility__code",
            "facility__name",
            "date_from",
            "date_to",
            "icd__code",
            "icd__name",
            "status",
            "claimed",
            "approved",
            "remunerated",
        )  # fmt: skip
    )
    rows: list[list[Any]] = [
        [
            c["code"],
            code_label(c["facility__code"], c["facility__name"]),
            c["date_from"],
            c["date_to"] or "",
            code_label(c["icd__code"], c["icd__name"]),
            str(ClaimStatus(c["status"]).label),
            money(c["claimed"]),
            money(c["approved"]),
            money(c["remunerated"]),
        ]
        for c in found
    ]
    return ReportData(title, columns, rows, totals(rows, first=6))


def percentage(part: int, whole: int) -> Decimal:
    """`part` as a percentage of `whole`, to two decimals (0.00 when `whole` is 0)."""
    return (Decimal(part) * 100 / whole).quantize(CENT) if whole else ZERO


def claim_referrals(*, user: User, params: ReportParams) -> ReportData:
    """Claims whose visit starts in the period (any status), per health facility: how many, those whose visit type is
    Referral, those that name a referral facility (the patient was referred from or to another facility), the
    referrals (either of the two, counted once) and their share of the claims."""
    referral_visit = Q(visit_type=VisitType.REFERRAL)
    referred = Q(referral_facility__isnull=False)
    grouped: Iterable[dict[str, Any]] = (
        _claims(user, params, "date_from")
        .values("facility__code", "facility__name")
        .annotate(
            total=Count("pk"),
            referral_visits=Count("pk", filter=referral_visit),
            referred=Count("pk", filter=referred),
            referrals=Count("pk", filter=referral_visit | referred),
        )
        .order_by("facility__code")
    )
    rows: list[list[Any]] = [
        [
            code_label(g["facility__code"], g["facility__name"]),
            g["total"],
            g["referral_visits"],
            g["referred"],
            g["referrals"],
            percentage(g["referrals"], g["total"]),
        ]
        for g in grouped
    ]
    line = totals(rows, first=1)
    if line is not None:
        line[-1] = percentage(line[4], line[1])
    columns = [
        _("Health facility"),
        _("Claims"),
        _("Referral visits"),
        _("With a referral facility"),
        _("Referrals"),
        _("Referrals (%)"),
    ]
    return ReportData(_("Percentage of referrals"), columns, rows, line)


REPORTS = (
    Report(
        "claim_overview",
        gettext_lazy("Claim overview"),
        ("date_from", "date_to", "location", "facility"),
        claim_overview,
        description=gettext_lazy("Claims of the period per health facility: counts by status and amounts."),
    ),
    Report(
        "claim_primary_indicators",
        gettext_lazy("Primary operational indicators: claims"),
        ("date_from", "date_to", "location", "facility"),
        claim_primary_indicators,
        description=gettext_lazy(
            "Claims claimed in the period per health facility and month: counts by status and amounts."
        ),
    ),
    Report(
        "claim_history",
        gettext_lazy("Claim history"),
        ("date_from", "date_to", "insurance_number"),
        claim_history,
        description=gettext_lazy("Every claim of one insuree whose visit is in the period, with its amounts."),
        required=("date_from", "date_to", "insurance_number"),
    ),
    Report(
        "claim_referrals",
        gettext_lazy("Percentage of referrals"),
        ("date_from", "date_to", "location", "facility"),
        claim_referrals,
        description=gettext_lazy("Claims of the period per health facility: how many are referrals, and their share."),
    ),
)
