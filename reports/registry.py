"""The standard reports: one registry gathering the reports of each family (module of `reports.standard`), in the
order the reports page lists them. A report is a query function plus a template file (`reports.base.Report`)."""

from .base import FORMATS, PARAMETERS, Report
from .standard import batch, claims, contributions, insurees, policies, registers

__all__ = ["FORMATS", "PARAMETERS", "REPORTS", "Report"]

FAMILIES = (policies, contributions, claims, batch, insurees, registers)

REPORTS: dict[str, Report] = {r.code: r for module in FAMILIES for r in module.REPORTS}
