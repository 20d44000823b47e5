"""The monthly batch run: relative-price claims valued with an index (reference sec. 6.8).

Invariants held by the database:
- one run per (year, month, location), a national run (location empty) included: the constraint treats NULL
  locations as equal, so two national runs of a month cannot both exist, whatever races;
- a run's month is 1..12 and its status one of running, done, failed;
- one relative index per (run, product, period kind, care type); its window starts on or before it ends;
- a claim has at most one `RunClaim` per run (unique (run, claim)); a claim whose lines wait for indices of
  different runs (products of other locations or periods) has one per run that valued some of its lines.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from claim.models import Claim
from location.models import CareType, HealthFacility, Location
from openimis.common.models import Job
from policy.models import Product, RelativePeriod


class BatchRunStatus(models.IntegerChoices):
    RUNNING = 1, _("Running")
    DONE = 2, _("Done")
    FAILED = 3, _("Failed")


class BatchRun(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey(
        Location,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the national products."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.PositiveSmallIntegerField(
        _("status"), choices=BatchRunStatus.choices, default=BatchRunStatus.RUNNING
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    claims_expected = models.PositiveIntegerField(
        _("claims to value"), null=True, blank=True, help_text=_("Counted with the indices, for the progress bar.")
    )

    class Meta:
        ordering = ["-year", "-month", "id"]
        verbose_name = _("batch run")
        verbose_name_plural = _("batch runs")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "location"], nulls_distinct=False, name="batchrun_unique_period_location"
            ),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="batchrun_month_range"),
            models.CheckConstraint(condition=Q(status__in=BatchRunStatus.values), name="batchrun_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.location_id or 'national'}"


class RelativeIndex(models.Model):
    """What a unit of value on the relative-price lines of a product is worth for a period and care type."""

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="indices")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("period kind"), max_length=1, choices=RelativePeriod.choices)
    care_type = models.CharField(_("care type"), max_length=1, choices=CareType.choices)
    period = models.PositiveSmallIntegerField(_("period"))
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("to"))
    pool = models.DecimalField(
        _("allocated contributions"), max_digits=24, decimal_places=6, help_text=_("Rounded for storage only.")
    )
    share = models.DecimalField(_("distribution share"), max_digits=7, decimal_places=6)
    valued = models.DecimalField(_("valued amount"), max_digits=18, decimal_places=2)
    index = models.DecimalField(_("index"), max_digits=20, decimal_places=10)

    class Meta:
        ordering = ["run", "product", "care_type"]
        verbose_name = _("relative index")
        verbose_name_plural = _("relative indices")
        constraints = [
            models.UniqueConstraint(fields=["run", "product", "kind", "care_type"], name="relindex_unique"),
            models.CheckConstraint(condition=Q(kind__in=RelativePeriod.values), name="relindex_kind_valid"),
            models.CheckConstraint(condition=Q(care_type__in=CareType.values), name="relindex_care_type_valid"),
            models.CheckConstraint(condition=Q(window_start__lte=F("window_end")), name="relindex_window"),
            models.CheckConstraint(
                condition=Q(pool__gte=0) & Q(share__gte=0) & Q(share__lte=1) & Q(valued__gte=0) & Q(index__gte=0),
                name="relindex_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.kind}{self.period} {self.care_type}: {self.index}"


class RunClaim(models.Model):
    """A claim valued by a run: what the relative-price lines the run valued were valued at, and what the run counts
    as paid for the claim (those lines' remuneration, plus, in the run that leaves no line waiting, the lines paid at
    processing): over a claim's runs, `remunerated` adds up to the claim's remunerated amount."""

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="claims")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="+")
    valued = models.DecimalField(_("valued on relative prices"), max_digits=18, decimal_places=2)
    remunerated = models.DecimalField(_("remunerated"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("claim of a batch run")
        verbose_name_plural = _("claims of a batch run")
        constraints = [
            models.UniqueConstraint(fields=["run", "claim"], name="runclaim_unique"),
            models.CheckConstraint(condition=Q(valued__gte=0) & Q(remunerated__gte=0), name="runclaim_amounts"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.claim_id}"


class RunFacility(models.Model):
    """What a run pays a facility: its claims the run valued, what they asked, were valued at on relative prices and
    are paid (the sums of the run's `RunClaim` rows of that facility, stored when the claims are done)."""

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="facilities")
    facility = models.ForeignKey(HealthFacility, on_delete=models.PROTECT, related_name="+")
    claims = models.PositiveIntegerField(_("claims"))
    asked = models.DecimalField(_("asked"), max_digits=18, decimal_places=2)
    valued = models.DecimalField(_("valued on relative prices"), max_digits=18, decimal_places=2)
    remunerated = models.DecimalField(_("remunerated"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("facility of a batch run")
        verbose_name_plural = _("facilities of a batch run")
        constraints = [
            models.UniqueConstraint(fields=["run", "facility"], name="runfacility_unique"),
            models.CheckConstraint(
                condition=Q(asked__gte=0) & Q(valued__gte=0) & Q(remunerated__gte=0), name="runfacility_amounts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.facility_id}"


class CapitationPayment(models.Model):
    """A facility's capitation payment of a product for a month (reference sec. 6.9): what it counted for (its
    catchment, with the catchment percentages applied, the insured in it, its claims of the month) and what it is
    paid. One row per (product, year, month, facility); recomputing a month replaces the product's rows."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    facility = models.ForeignKey(HealthFacility, on_delete=models.PROTECT, related_name="+")
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("to"))
    pool = models.DecimalField(
        _("allocated contributions"), max_digits=24, decimal_places=6, help_text=_("Rounded for storage only.")
    )
    population = models.DecimalField(_("population"), max_digits=18, decimal_places=4)
    families = models.DecimalField(_("families"), max_digits=18, decimal_places=4)
    insured_people = models.DecimalField(_("insured people"), max_digits=18, decimal_places=4)
    insured_families = models.DecimalField(_("insured families"), max_digits=18, decimal_places=4)
    visits = models.PositiveIntegerField(_("visits"))
    adjusted_amount = models.DecimalField(_("adjusted amount"), max_digits=18, decimal_places=2)
    # the facility's share of each of the six parts of the pool; they add up to the payment
    paid_population = models.DecimalField(_("paid for the population"), max_digits=18, decimal_places=2)
    paid_families = models.DecimalField(_("paid for the families"), max_digits=18, decimal_places=2)
    paid_insured_people = models.DecimalField(_("paid for the insured people"), max_digits=18, decimal_places=2)
    paid_insured_families = models.DecimalField(_("paid for the insured families"), max_digits=18, decimal_places=2)
    paid_visits = models.DecimalField(_("paid for the visits"), max_digits=18, decimal_places=2)
    paid_adjusted_amount = models.DecimalField(_("paid for the adjusted amount"), max_digits=18, decimal_places=2)
    payment = models.DecimalField(_("capitation payment"), max_digits=18, decimal_places=2)
    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-month", "product", "facility"]
        verbose_name = _("capitation payment")
        verbose_name_plural = _("capitation payments")
        constraints = [
            models.UniqueConstraint(fields=["product", "year", "month", "facility"], name="capitation_unique"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="capitation_month_range"),
            models.CheckConstraint(condition=Q(window_start__lte=F("window_end")), name="capitation_window"),
            models.CheckConstraint(
                condition=Q(pool__gte=0)
                & Q(population__gte=0)
                & Q(families__gte=0)
                & Q(insured_people__gte=0)
                & Q(insured_families__gte=0)
                & Q(adjusted_amount__gte=0)
                & Q(payment__gte=0)
                & Q(paid_population__gte=0)
                & Q(paid_families__gte=0)
                & Q(paid_insured_people__gte=0)
                & Q(paid_insured_families__gte=0)
                & Q(paid_visits__gte=0)
                & Q(paid_adjusted_amount__gte=0),
                name="capitation_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    payment=F("paid_population")
                    + F("paid_families")
                    + F("paid_insured_people")
                    + F("paid_insured_families")
                    + F("paid_visits")
                    + F("paid_adjusted_amount")
                ),
                name="capitation_payment_is_sum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.year}-{self.month:02d} {self.facility_id}: {self.payment}"
