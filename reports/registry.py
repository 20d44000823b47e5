"""The standard reports: one registry entry per report, naming its parameters, its query and its PDF template."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import queries

PARAMETERS = ("date_from", "date_to", "location", "product", "facility")
FORMATS = ("pdf", "xlsx", "csv")


@dataclass(frozen=True)
class Report:
    code: str
    title: Promise | str
    parameters: tuple[str, ...]
    query: queries.QueryFunction
    template: str = "reports/report.html"
    description: Promise | str = ""


REPORTS: dict[str, Report] = {
    r.code: r
    for r in (
        Report(
            "claim_overview",
            _("Claim overview"),
            ("date_from", "date_to", "location", "facility"),
            queries.claim_overview,
            description=_("Claims of the period per health facility: counts by status and amounts."),
        ),
        Report(
            "capitation_payment",
            _("Capitation payment"),
            ("date_from", "date_to", "location", "product"),
            queries.capitation_payment,
            description=_("Capitation payments of the months of the period per health facility."),
        ),
        Report(
            "batch_remuneration",
            _("Batch remuneration"),
            ("date_from", "date_to", "location", "facility"),
            queries.batch_remuneration,
            description=_("What the batch runs of the months of the period paid each health facility."),
        ),
    )
}
