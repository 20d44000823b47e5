"""The standard reports: one registry gathering the reports of each family (module of `reports.standard`), in the
order the reports page lists them. A report is a query function plus a template file (`reports.base.Report`)."""

from .base import FORMATS, PARAMETERS, Report
from .standard import batch, claims

__all__ = ["FORMATS", "PARAMETERS", "REPORTS", "Report"]

REPORTS: dict[str, Report] = {r.code: r for module in (claims, batch) for r in module.REPORTS}
