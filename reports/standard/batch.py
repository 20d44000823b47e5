"""Batch reports (issue 7's runs): capitation payment and batch remuneration."""

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from batch.models import CapitationPayment, RunFacility
from location.scope import scope_of
from openimis.accounts.models import User

from ..base import (
    CENT,
    Report,
    ReportData,
    ReportParams,
    code_label,
    money,
    months_between,
    place,
    reading_db,
    totals,
)

MEASURES = ("population", "families", "insured_people", "insured_families", "visits", "adjusted_amount")


def capitation_payment(*, user: User, params: ReportParams) -> ReportData:
    """The capitation payments of the months of the period, per facility (and product): measures and payment."""
    scope = scope_of(user)
    qs = CapitationPayment.objects.using(reading_db()).filter(scope.facility_q("facility__"), months_between(params))
    qs = place(qs, params, "facility__")
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
            code_label(g["facility__code"], g["facility__name"]),
            code_label(g["product__code"], g["product__name"]),
            g["population"].quantize(CENT),
            g["families"].quantize(CENT),
            g["insured_people"].quantize(CENT),
            g["insured_families"].quantize(CENT),
            int(g["visits"]),
            money(g["adjusted_amount"]),
            money(g["payment"]),
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
    return ReportData(_("Capitation payment"), columns, rows, totals(rows, first=2))


def batch_remuneration(*, user: User, params: ReportParams) -> ReportData:
    """What the batch runs of the months of the period paid each facility, per run (month and region)."""
    scope = scope_of(user)
    qs = RunFacility.objects.using(reading_db()).filter(scope.facility_q("facility__"), months_between(params, "run__"))
    qs = place(qs, params, "facility__")
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
            code_label(region_code, region_name) if region_code else _("National"),
            code_label(code, name),
            claims,
            money(asked),
            money(valued),
            money(remunerated),
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
    return ReportData(_("Batch remuneration"), columns, rows, totals(rows, first=3))


REPORTS = (
    Report(
        "capitation_payment",
        gettext_lazy("Capitation payment"),
        ("date_from", "date_to", "location", "product"),
        capitation_payment,
        description=gettext_lazy("Capitation payments of the months of the period per health facility."),
    ),
    Report(
        "batch_remuneration",
        gettext_lazy("Batch remuneration"),
        ("date_from", "date_to", "location", "facility"),
        batch_remuneration,
        description=gettext_lazy("What the batch runs of the months of the period paid each health facility."),
    ),
)
