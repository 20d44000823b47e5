"""Claims from health facilities: the visit, its diagnoses, the items and services given and what they are worth
(reference sec. 6).

Invariants held by the database:
- a claim code is unique per health facility, whatever its case, and not blank; a claim's uuid is unique (a
  client may choose it: a retried submission finds the same claim);
- a claim's status, review and feedback statuses are openIMIS codes; visit from <= visit to; claimed, approved,
  valuated and remunerated amounts are not negative;
- a line's quantity is > 0, its prices and amounts are not negative, its approved quantity is not above what was
  provided; its status is passed (1) or rejected (2); one line per item (service) per claim;
- an attachment has a file, its size is recorded.
"""

import uuid
from typing import TYPE_CHECKING

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from insuree.models import Insuree
from location.models import HealthFacility
from medical.models import Diagnosis, Item, Service
from openimis.common.history import tracked
from policy.models import LimitationType, Policy, PriceOrigin, Product

if TYPE_CHECKING:
    from openimis.accounts.models import User


class ClaimStatus(models.IntegerChoices):
    """openIMIS codes (reference sec. 6.1)."""

    REJECTED = 1, pgettext_lazy("claim status", "Rejected")
    ENTERED = 2, pgettext_lazy("claim status", "Entered")
    CHECKED = 4, pgettext_lazy("claim status", "Checked")
    PROCESSED = 8, pgettext_lazy("claim status", "Processed")
    VALUATED = 16, pgettext_lazy("claim status", "Valuated")


class ReviewStatus(models.IntegerChoices):
    """Shared by review and feedback (reference sec. 6.1)."""

    IDLE = 1, pgettext_lazy("review status", "Idle")
    NOT_SELECTED = 2, pgettext_lazy("review status", "Not selected")
    SELECTED = 4, pgettext_lazy("review status", "Selected")
    DELIVERED = 8, pgettext_lazy("review status", "Delivered")
    BYPASSED = 16, pgettext_lazy("review status", "Bypassed")


class VisitType(models.TextChoices):
    EMERGENCY = "E", _("Emergency")
    REFERRAL = "R", _("Referral")
    OTHER = "O", _("Other")


class LineStatus(models.IntegerChoices):
    PASSED = 1, pgettext_lazy("claim line status", "Passed")
    REJECTED = 2, pgettext_lazy("claim line status", "Rejected")


class ClaimQuerySet(models.QuerySet["Claim"]):
    def visible_to(self, user: "User") -> "ClaimQuerySet":
        """Claims of the facilities in the user's scope: a facility's staff see its claims, district staff (medical
        officers) those of their districts' facilities."""
        from location.scope import scope_of

        return self.filter(scope_of(user).facility_q("facility__"))


def _money(label: object) -> models.DecimalField:
    return models.DecimalField(label, max_digits=18, decimal_places=2, null=True, blank=True)  # type: ignore[arg-type]


def _secondary_diagnosis(n: int) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        Diagnosis,
        verbose_name=_("secondary diagnosis %(n)d") % {"n": n},
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a diagnosis is deactivated, not deleted: no lookup by it
    )


@pghistory.track(*tracked(), exclude=["updated_at"])
class Claim(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("claim code"), max_length=20)
    # every index costs each claim written: facility and insuree lead `claim_facility_status_idx` and
    # `claim_insuree_idx`, and the rarely deleted rows referenced below need none
    facility = models.ForeignKey(
        HealthFacility,
        verbose_name=_("health facility"),
        on_delete=models.PROTECT,
        related_name="claims",
        db_index=False,
    )
    insuree = models.ForeignKey(
        Insuree, verbose_name=_("insuree"), on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    date_from = models.DateField(_("visit from"))
    date_to = models.DateField(_("visit to"), null=True, blank=True, help_text=_("Empty for a one-day visit."))
    date_claimed = models.DateField(_("claimed on"))
    visit_type = models.CharField(_("visit type"), max_length=1, choices=VisitType.choices, default=VisitType.OTHER)
    icd = models.ForeignKey(Diagnosis, verbose_name=_("main diagnosis"), on_delete=models.PROTECT, related_name="+")
    icd_1 = _secondary_diagnosis(1)
    icd_2 = _secondary_diagnosis(2)
    icd_3 = _secondary_diagnosis(3)
    icd_4 = _secondary_diagnosis(4)
    explanation = models.TextField(_("explanation"), blank=True)
    guarantee_number = models.CharField(_("guarantee number"), max_length=50, blank=True)
    referral_facility = models.ForeignKey(
        HealthFacility,
        verbose_name=_("referred from or to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    status = models.PositiveSmallIntegerField(_("status"), choices=ClaimStatus.choices, default=ClaimStatus.ENTERED)
    review_status = models.PositiveSmallIntegerField(
        _("review"), choices=ReviewStatus.choices, default=ReviewStatus.IDLE
    )
    feedback_status = models.PositiveSmallIntegerField(
        _("feedback"), choices=ReviewStatus.choices, default=ReviewStatus.IDLE
    )
    category = models.CharField(_("category"), max_length=1, blank=True)
    rejection_reason = models.SmallIntegerField(_("rejection reason"), default=0)
    claimed = models.DecimalField(_("claimed"), max_digits=18, decimal_places=2, default=0)
    approved = _money(_("approved"))
    valuated = _money(_("valuated"))
    remunerated = _money(_("remunerated"))
    adjustment = models.TextField(_("reviewer's note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-date_claimed", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        permissions = [
            ("submit_claim", _("Submit claims")),
            ("review_claim", _("Review claims")),
            ("select_claim", _("Select claims for review and feedback")),
            ("process_claim", _("Process claims")),
            ("feedback_claim", _("Record the insuree's feedback on claims")),
        ]
        constraints = [
            models.UniqueConstraint(F("facility"), Upper("code"), name="claim_code_unique_per_facility"),
            models.CheckConstraint(condition=~Q(code=""), name="claim_code_not_blank"),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
            models.CheckConstraint(condition=Q(review_status__in=ReviewStatus.values), name="claim_review_valid"),
            models.CheckConstraint(condition=Q(feedback_status__in=ReviewStatus.values), name="claim_feedback_valid"),
            models.CheckConstraint(condition=Q(visit_type__in=VisitType.values), name="claim_visit_type_valid"),
            models.CheckConstraint(
                condition=Q(date_to__isnull=True) | Q(date_to__gte=F("date_from")), name="claim_visit_dates"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}), name=f"claim_{f}_not_negative"
                )
                for f in ("claimed", "approved", "valuated", "remunerated")
            ),
        ]
        indexes = [
            models.Index(fields=["facility", "status", "-date_claimed"], name="claim_facility_status_idx"),
            models.Index(fields=["insuree", "-date_from"], name="claim_insuree_idx"),
            models.Index(fields=["status", "review_status"], name="claim_review_queue_idx"),
            # the review queue: claims waiting for a reviewer, oldest submission first; counted and filtered by
            # facility, visit and amount from the index alone
            # the claims waiting for a batch run, in id order (batch.services walks them in chunks)
            models.Index(fields=["id"], condition=Q(status=8), name="claim_processed_idx"),
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status=4, review_status=4),
                include=["facility", "date_from", "claimed"],
                name="claim_waiting_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def target_date(self):  # type: ignore[no-untyped-def]
        return self.date_to or self.date_from

    @property
    def is_editable(self) -> bool:
        return self.status == ClaimStatus.ENTERED


class ClaimLine(models.Model):
    """An item or service given during the visit, what was asked for it and what the scheme decided."""

    qty_provided = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    qty_approved = models.DecimalField(_("approved quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    price_asked = _money(_("price asked"))
    price_adjusted = _money(_("price used"))
    price_approved = _money(_("approved price"))
    price_valuated = _money(_("valuated amount"))
    explanation = models.CharField(_("explanation"), max_length=250, blank=True)
    justification = models.CharField(_("reviewer's justification"), max_length=250, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), choices=LineStatus.choices, default=LineStatus.PASSED)
    rejection_reason = models.SmallIntegerField(_("rejection reason"), default=0)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    limitation = models.CharField(_("limitation"), max_length=1, choices=LimitationType.choices, blank=True)
    limitation_value = _money(_("limitation value"))
    price_origin = models.CharField(_("price origin"), max_length=1, choices=PriceOrigin.choices, blank=True)
    deductible_amount = _money(_("deductible"))
    exceed_ceiling_amount = _money(_("above the ceiling"))
    exceed_ceiling_amount_category = _money(_("above the category cap"))
    remunerated_amount = _money(_("remunerated"))

    class Meta:
        abstract = True

    @property
    def value_asked(self):  # type: ignore[no-untyped-def]
        return self.qty_provided * (self.price_asked or 0)


def _line_constraints(prefix: str, target: str) -> list[models.BaseConstraint]:
    money = ("price_asked", "price_adjusted", "price_approved", "price_valuated", "remunerated_amount")
    return [
        models.UniqueConstraint(fields=["claim", target], name=f"{prefix}_unique"),
        models.CheckConstraint(condition=Q(qty_provided__gt=0), name=f"{prefix}_qty_positive"),
        models.CheckConstraint(
            condition=Q(qty_approved__isnull=True) | (Q(qty_approved__gte=0) & Q(qty_approved__lte=F("qty_provided"))),
            name=f"{prefix}_qty_approved_range",
        ),
        models.CheckConstraint(condition=Q(status__in=LineStatus.values), name=f"{prefix}_status_valid"),
        *(
            models.CheckConstraint(
                condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}), name=f"{prefix}_{f}_not_negative"
            )
            for f in money
        ),
    ]


@pghistory.track(*tracked())
class ClaimItem(ClaimLine):
    # (claim, item) and (item, claim) are indexed below: no index of their own
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="items", db_index=False)
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("claimed item")
        verbose_name_plural = _("claimed items")
        constraints = _line_constraints("claimitem", "item")
        indexes = [models.Index(fields=["item", "claim"], name="claimitem_item_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id}: item {self.item_id} x {self.qty_provided}"


@pghistory.track(*tracked())
class ClaimService(ClaimLine):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="services", db_index=False)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("claimed service")
        verbose_name_plural = _("claimed services")
        constraints = _line_constraints("claimservice", "service")
        indexes = [models.Index(fields=["service", "claim"], name="claimservice_service_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id}: service {self.service_id} x {self.qty_provided}"


@pghistory.track(*tracked())
class ClaimAttachment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to="claims/%Y/%m/")
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.CheckConstraint(condition=~Q(file=""), name="claimattachment_has_file")]

    def __str__(self) -> str:
        return self.title or str(self.file.name)


class ClaimBooking(models.Model):
    """What a processed claim took from a policy's deductibles and ceilings (openIMIS ClaimDedRem): the running
    totals the next claims of the same policy (or person, per the product's ceiling type) are valued against."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="bookings")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    insuree = models.ForeignKey(Insuree, on_delete=models.PROTECT, related_name="+")
    deducted = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    deducted_ip = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    deducted_op = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    remunerated = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    remunerated_ip = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    remunerated_op = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["claim", "policy"], name="claimbooking_unique")]
        indexes = [models.Index(fields=["policy", "insuree"], name="claimbooking_policy_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id} on {self.policy_id}"


class FlagCode(models.TextChoices):
    """Why the automatic adjudication put a claim in front of a reviewer (`claim.flags`)."""

    ABOVE_NORM = "above_norm", _("Far above the norm")
    TWO_FACILITIES = "two_facilities", _("Same service at two facilities")
    FREQUENT = "frequent", _("Frequent claimant")
    IMPLAUSIBLE = "implausible", _("Implausible for the diagnosis")
    LATE_ENTRY = "late_entry", _("Entered long after the visit")
    RANDOM = "random", _("Random sample")
    AMOUNT = "amount", _("Amount above the review threshold")


class ClaimFlag(models.Model):
    """One finding of the automatic adjudication on a claim: its rule and the figures behind it (`params`), from
    which `claim.flags.explain` writes the explanation in the reader's language."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(_("flag"), max_length=20, choices=FlagCode.choices)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [models.CheckConstraint(condition=Q(code__in=FlagCode.values), name="claimflag_code_valid")]
        indexes = [models.Index(fields=["code", "claim"], name="claimflag_code_idx")]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.code}"


class ClaimNorm(models.Model):
    """What is usual for an item or service at a level of facility, over the last year of accepted claims: the
    basis of the "far above the norm" flag. Recomputed nightly (`claim.norms.norms_refresh`)."""

    kind = models.CharField(max_length=1, choices=[("I", _("item")), ("S", _("service"))])
    target_id = models.IntegerField()
    level = models.CharField(max_length=1)
    samples = models.PositiveIntegerField()
    avg_qty = models.DecimalField(max_digits=12, decimal_places=2)
    avg_value = models.DecimalField(max_digits=18, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "target_id", "level"], name="claimnorm_unique"),
            models.CheckConstraint(condition=Q(kind__in=("I", "S")), name="claimnorm_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}{self.target_id}@{self.level}"


class Assessment(models.IntegerChoices):
    VERY_POOR = 1, pgettext_lazy("assessment", "Very poor")
    POOR = 2, pgettext_lazy("assessment", "Poor")
    FAIR = 3, pgettext_lazy("assessment", "Fair")
    GOOD = 4, pgettext_lazy("assessment", "Good")
    VERY_GOOD = 5, pgettext_lazy("assessment", "Very good")


@pghistory.track(*tracked())
class Feedback(models.Model):
    """The insuree's answers, asked by an enrolment officer after the visit (reference sec. 6.7)."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="feedback")
    feedback_date = models.DateField(_("date of the interview"))
    care_rendered = models.BooleanField(_("was the care rendered?"), null=True)
    payment_asked = models.BooleanField(_("was a payment asked?"), null=True)
    drug_prescribed = models.BooleanField(_("were drugs prescribed?"), null=True)
    drug_received = models.BooleanField(_("were the drugs received?"), null=True)
    assessment = models.PositiveSmallIntegerField(
        _("the insuree's assessment"), choices=Assessment.choices, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(assessment__isnull=True) | Q(assessment__gte=1, assessment__lte=5),
                name="feedback_assessment_range",
            )
        ]

    def __str__(self) -> str:
        return f"feedback on {self.claim_id}"
