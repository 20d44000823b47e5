"""The dashboard's precomputed figures: one row per (figure, district), replaced as a whole by each refresh.

A table rather than the cache: the figures survive restarts, every web host reads the same ones, and a user's
dashboard is the sum of the rows of the districts in their scope (one indexed query).

`data` maps a key of the figure (a month "YYYY-MM", a status code, a rejection reason...) to the list of its
values, in the order of the figure's series; money is kept as decimal strings.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from location.models import Location


class DistrictFigure(models.Model):
    name = models.CharField(_("figure"), max_length=40)
    district = models.ForeignKey(Location, verbose_name=_("district"), on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        default_permissions = ()
        permissions = [
            ("view_dashboard", _("View the dashboard")),
            ("view_enrolment_figures", _("See the enrolment figures of the dashboard")),
            ("view_claim_figures", _("See the claim figures of the dashboard")),
            ("view_money_figures", _("See the money figures of the dashboard")),
        ]
        constraints = [models.UniqueConstraint(fields=["name", "district"], name="districtfigure_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.district_id}"
