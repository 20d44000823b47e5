"""No table: an unmanaged model that only carries the permission to run the standard reports (`reports.run_report`).
The runs themselves are jobs (openimis.common Job, kind "reports.run"), which record who ran what and when."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("run_report", _("Run reports"))]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
