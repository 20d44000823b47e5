"""The standard reports: one registry gathering the reports of each family (module of `reports.standard`), in the
order the reports page lists them. A report is a query function plus a template file (`reports.base.Report`)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .base import FORMATS, PARAMETERS, Report
from .standard import batch, claims, contributions, insurees, policies, registers

__all__ = ["FAMILIES", "FORMATS", "PARAMETERS", "REPORTS", "Report"]

FAMILIES: tuple[tuple[Promise, tuple[Report, ...]], ...] = (
    (_("Policies and enrolment"), policies.REPORTS),
    (_("Contributions"), contributions.REPORTS),
    (_("Claims"), claims.REPORTS),
    (_("Batch runs and capitation"), batch.REPORTS),
    (_("Families and insurees"), insurees.REPORTS),
    (_("Registers and users"), registers.REPORTS),
)

REPORTS: dict[str, Report] = {r.code: r for _title, family in FAMILIES for r in family}
