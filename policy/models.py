"""Products (benefit packages): who may buy them, at what price, what they cover and within which limits
(reference sec. 3); the policies families buy on them, the coverage of each member, the contributions that pay for
them and the renewal reminders (reference sec. 4, 5).

Invariants held by the database (the services check them first, with messages naming the field):
- a product's code is unique among products (case-insensitive) and not blank; a deleted product's code is free
  again (deletion is only possible for a product nothing uses; its history is kept);
- valid from <= valid to; a product is national (no location) or belongs to a region or a district (trigger);
  it is not its own conversion product, and a product used as a conversion product cannot be deleted (PROTECT);
- money amounts (premiums, fees, lump sums, deductibles, ceilings, category amounts) are not negative;
  percentages (discounts, capitation share and weights) lie in 0..100; insurance period and max members >= 1;
- a threshold needs a lump sum (reference sec. 14 item 5); start cycles are blank or "DD-MM";
- deductibles, ceilings and policy-ceiling extensions are either general or split in-patient/out-patient, never
  both; only the amounts of the product's ceiling type (per treatment, insuree or policy) are filled;
- relative pricing has one general period or in-/out-patient periods, never both;
- a product line (item or service) is unique per product; its limitation types are C or F; a co-insurance is a
  percentage 0..100, a fixed amount >= 0; limits of a visit type need that visit type's limitation type;
- a relative distribution row is unique per (product, care type, period), with 1 <= period <= periods per year
  and a percentage in 0..100.
Rules across rows (distribution sums, capitation weights) are checked by `policy.product_rules`.

Policies and contributions (the rules across rows are in `policy.enrolment` and `policy.contributions`):
- a policy's status is one of the openIMIS codes, its stage N or R; start <= expiry; its value is not negative;
  an Active policy has an effective date, on or after its start;
- two policies of one family on one product never cover overlapping periods (exclusion constraint): a family
  has at most one current policy per product, and a renewal starts after the policy it renews;
- a person is covered once per policy (unique insuree, policy);
- a contribution's amount is > 0; its receipt is not blank and unique among the live (not cancelled)
  contributions of its product, case-insensitively; its product is always its policy's (trigger); a cancelled
  contribution has a reason;
- a policy has at most one renewal reminder.
"""

import uuid
from datetime import date
from typing import TYPE_CHECKING

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from insuree.models import Family, Insuree
from location.models import CareType, FacilityLevel, FacilitySubLevel, Location
from medical.models import Item, Service
from openimis.common.history import tracked
from payer.models import Payer

if TYPE_CHECKING:
    from openimis.accounts.models import User


class CeilingType(models.TextChoices):
    INSUREE = "I", _("Per insuree")
    TREATMENT = "T", _("Per treatment")
    POLICY = "P", _("Per policy")


class CeilingInterpretation(models.TextChoices):
    CLAIM_TYPE = "I", _("Length of the claim")
    FACILITY_LEVEL = "H", _("Level of the health facility")


class RelativePeriod(models.TextChoices):
    MONTH = "M", _("Monthly")
    QUARTER = "Q", _("Quarterly")
    YEAR = "Y", _("Yearly")


class PeriodType(models.IntegerChoices):
    """openIMIS codes of a distribution's period: the number of periods in a year."""

    MONTH = 12, _("Month")
    QUARTER = 4, _("Quarter")
    YEAR = 1, _("Year")


PERIODS_PER_YEAR: dict[str, int] = {RelativePeriod.MONTH: 12, RelativePeriod.QUARTER: 4, RelativePeriod.YEAR: 1}


class PriceOrigin(models.TextChoices):
    PRICE_LIST = "P", _("Price list")
    PROVIDER = "O", _("Provider's own price")
    RELATIVE = "R", _("Relative price")


class LimitationType(models.TextChoices):
    CO_INSURANCE = "C", _("Co-insurance (%)")
    FIXED_AMOUNT = "F", _("Fixed amount")


class CeilingExclusion(models.TextChoices):
    HOSPITAL = "H", _("Hospital claims")
    NON_HOSPITAL = "N", _("Non-hospital claims")
    BOTH = "B", _("Both")


# --- field groups (used by the constraints, the rules, the forms and the API) ------------------------------

SCOPES = ("treatment", "insuree", "policy")
SCOPE_OF_CEILING_TYPE: dict[str, str] = {
    CeilingType.TREATMENT: "treatment",
    CeilingType.INSUREE: "insuree",
    CeilingType.POLICY: "policy",
}


def deductible_fields(scope: str) -> tuple[str, str, str]:
    """General, in-patient and out-patient deductible of a scope."""
    return f"ded_{scope}", f"ded_ip_{scope}", f"ded_op_{scope}"


def ceiling_fields(scope: str) -> tuple[str, str, str]:
    """General, in-patient and out-patient ceiling of a scope."""
    return f"max_{scope}", f"max_ip_{scope}", f"max_op_{scope}"


EXTRA_MEMBER_FIELDS = ("max_policy_extra_member", "max_policy_extra_member_ip", "max_policy_extra_member_op")
POLICY_CAP_FIELDS = ("max_ceiling_policy", "max_ceiling_policy_ip", "max_ceiling_policy_op")


def scope_amount_fields(scope: str) -> tuple[str, ...]:
    extra = EXTRA_MEMBER_FIELDS + POLICY_CAP_FIELDS if scope == "policy" else ()
    return deductible_fields(scope) + ceiling_fields(scope) + extra


CATEGORIES = ("consultation", "surgery", "delivery", "antenatal", "hospitalization")
CATEGORY_COUNT_FIELDS = tuple(f"max_no_{c}" for c in CATEGORIES) + ("max_no_visits",)
CATEGORY_AMOUNT_FIELDS = tuple(f"max_amount_{c}" for c in CATEGORIES)

CONTRIBUTION_FIELDS = (
    "lump_sum",
    "premium_adult",
    "premium_child",
    "registration_lump_sum",
    "registration_fee",
    "general_assembly_lump_sum",
    "general_assembly_fee",
)
CEILING_AMOUNT_FIELDS = tuple(f for scope in SCOPES for f in scope_amount_fields(scope))
MONEY_FIELDS = CONTRIBUTION_FIELDS + CEILING_AMOUNT_FIELDS + CATEGORY_AMOUNT_FIELDS
START_CYCLE_FIELDS = ("start_cycle_1", "start_cycle_2", "start_cycle_3", "start_cycle_4")
DISCOUNTS = (
    ("enrolment_discount_perc", "enrolment_discount_period"),
    ("renewal_discount_perc", "renewal_discount_period"),
)
CAPITATION_LEVELS = (
    ("capitation_level_1", "capitation_sublevel_1"),
    ("capitation_level_2", "capitation_sublevel_2"),
    ("capitation_level_3", "capitation_sublevel_3"),
    ("capitation_level_4", "capitation_sublevel_4"),
)
WEIGHT_FIELDS = (
    "weight_population",
    "weight_nb_families",
    "weight_insured_population",
    "weight_nb_insured_families",
    "weight_nb_visits",
    "weight_adjusted_amount",
)
PERCENT_FIELDS = ("enrolment_discount_perc", "renewal_discount_perc", "share_contribution", *WEIGHT_FIELDS)
# care type of a distribution -> the product field holding its period
RELATIVE_PERIOD_FIELDS: dict[str, str] = {
    CareType.BOTH: "period_rel_prices",
    CareType.IN_PATIENT: "period_rel_prices_ip",
    CareType.OUT_PATIENT: "period_rel_prices_op",
}

START_CYCLE_PATTERN = r"^[0-9]{2}-[0-9]{2}$"


def _money(label: StrOrPromise, help_text: StrOrPromise = "") -> models.DecimalField:
    return models.DecimalField(label, max_digits=18, decimal_places=2, null=True, blank=True, help_text=help_text)


def _percent(label: StrOrPromise, help_text: StrOrPromise = "") -> models.DecimalField:
    return models.DecimalField(label, max_digits=5, decimal_places=2, null=True, blank=True, help_text=help_text)


def _months(label: StrOrPromise, help_text: StrOrPromise = "") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, help_text=help_text)


def _start_cycle(label: StrOrPromise) -> models.CharField:
    return models.CharField(label, max_length=5, blank=True, help_text=_("Day and month, DD-MM (e.g. 01-07)."))


def _general_or_split(prefix: str, general: str, ip: str, op: str, *, text: bool = False) -> models.CheckConstraint:
    def empty(field: str) -> Q:
        return Q(**{field: ""}) if text else Q(**{f"{field}__isnull": True})

    return models.CheckConstraint(
        condition=empty(general) | (empty(ip) & empty(op)), name=f"{prefix}_{general}_general_or_split"
    )


def _product_constraints() -> list[models.BaseConstraint]:
    constraints: list[models.BaseConstraint] = [
        models.UniqueConstraint(Upper("code"), name="product_code_unique"),
        models.CheckConstraint(condition=~Q(code=""), name="product_code_not_blank"),
        models.CheckConstraint(condition=Q(date_from__lte=F("date_to")), name="product_dates"),
        models.CheckConstraint(
            condition=Q(conversion_product__isnull=True) | ~Q(conversion_product=F("id")),
            name="product_not_own_conversion",
        ),
        models.CheckConstraint(condition=Q(insurance_period__gte=1), name="product_insurance_period_positive"),
        models.CheckConstraint(
            condition=Q(max_members__isnull=True) | Q(max_members__gte=1), name="product_max_members_positive"
        ),
        models.CheckConstraint(
            condition=Q(threshold__isnull=True) | Q(lump_sum__isnull=False), name="product_threshold_needs_lump_sum"
        ),
        models.CheckConstraint(
            condition=Q(ceiling_interpretation__in=CeilingInterpretation.values),
            name="product_ceiling_interpretation_valid",
        ),
    ]
    for field in MONEY_FIELDS:
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
                name=f"product_{field}_not_negative",
            )
        )
    for field in PERCENT_FIELDS:
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{field}__isnull": True}) | (Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": 100})),
                name=f"product_{field}_percent",
            )
        )
    for field in START_CYCLE_FIELDS:
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{field: ""}) | Q(**{f"{field}__regex": START_CYCLE_PATTERN}),
                name=f"product_{field}_format",
            )
        )
    for scope in SCOPES:
        constraints.append(_general_or_split("product", *deductible_fields(scope)))
        constraints.append(_general_or_split("product", *ceiling_fields(scope)))
    constraints.append(_general_or_split("product", *EXTRA_MEMBER_FIELDS))
    constraints.append(_general_or_split("product", *POLICY_CAP_FIELDS))
    constraints.append(
        _general_or_split("product", "period_rel_prices", "period_rel_prices_ip", "period_rel_prices_op", text=True)
    )
    for code, scope in SCOPE_OF_CEILING_TYPE.items():
        empty = Q()
        for field in scope_amount_fields(scope):
            empty &= Q(**{f"{field}__isnull": True})
        constraints.append(
            models.CheckConstraint(condition=Q(ceiling_type=code) | empty, name=f"product_{scope}_amounts_need_type")
        )
    return constraints


_PRODUCT_LOCATION_SQL = """
BEGIN
    IF NEW.location_id IS NOT NULL
       AND (SELECT type FROM location_location WHERE id = NEW.location_id) NOT IN ('R', 'D') THEN
        RAISE EXCEPTION 'a product belongs to a region or a district'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'product_location_level';
    END IF;
    RETURN NEW;
END;
"""


class ProductQuerySet(models.QuerySet["Product"]):
    def visible_to(self, user: "User") -> "ProductQuerySet":
        """National products, those of the user's area and those of a region or district above it."""
        from location.scope import scope_of

        return self.filter(scope_of(user).serving_q("location"))

    def valid_on(self, day: date) -> "ProductQuerySet":
        return self.filter(date_from__lte=day, date_to__gte=day)


@pghistory.track(*tracked(), exclude=["updated_at"])
class Product(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # identity and validity
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    location = models.ForeignKey(
        Location,
        verbose_name=_("region or district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a national product, sold everywhere."),
    )
    date_from = models.DateField(_("valid from"))
    date_to = models.DateField(_("valid to"))
    conversion_product = models.ForeignKey(
        "self",
        verbose_name=_("conversion product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="converted_from",
        help_text=_("The product policies renew into once this one has ended."),
    )
    # cover period and enrolment
    insurance_period = models.PositiveSmallIntegerField(
        _("insurance period (months)"), default=12, help_text=_("How long a policy covers its members.")
    )
    administration_period = _months(
        _("administration period (months)"),
        _("Months added to the enrolment date before the cover of a new policy may start."),
    )
    start_cycle_1 = _start_cycle(_("start cycle 1"))
    start_cycle_2 = _start_cycle(_("start cycle 2"))
    start_cycle_3 = _start_cycle(_("start cycle 3"))
    start_cycle_4 = _start_cycle(_("start cycle 4"))
    grace_period_enrolment = _months(
        _("grace period for enrolment (months)"),
        _("Months after a cycle start during which a new enrolment still joins that cycle."),
    )
    grace_period_renewal = _months(
        _("grace period for renewal (months)"),
        _("Months after a cycle start during which a renewal still joins that cycle."),
    )
    grace_period_payment = _months(
        _("grace period for payment (months)"),
        _("Months allowed to pay the contribution (openIMIS column WaitingPeriod)."),
    )
    max_installments = models.PositiveSmallIntegerField(
        _("maximum instalments"),
        null=True,
        blank=True,
        help_text=_("How many payments a contribution may be split in."),
    )
    recurrence = models.PositiveSmallIntegerField(
        _("recurrence"), null=True, blank=True, help_text=_("Kept for exchange with openIMIS (Recurrence).")
    )
    # members and contributions
    max_members = models.PositiveSmallIntegerField(
        _("maximum members"), null=True, blank=True, help_text=_("Most family members one policy covers.")
    )
    threshold = models.PositiveSmallIntegerField(
        _("threshold (members)"),
        null=True,
        blank=True,
        help_text=_("Members the lump sum covers; each further member pays the adult or child premium."),
    )
    lump_sum = _money(_("lump sum"))
    premium_adult = _money(_("premium per adult"))
    premium_child = _money(_("premium per child"))
    registration_lump_sum = _money(_("registration lump sum"))
    registration_fee = _money(_("registration fee per member"))
    general_assembly_lump_sum = _money(_("general assembly lump sum"))
    general_assembly_fee = _money(_("general assembly fee per member"))
    enrolment_discount_perc = _percent(
        _("early enrolment discount %"), _("Applies to new policies of a product with start cycles.")
    )
    enrolment_discount_period = _months(
        _("early enrolment discount period (months)"), _("Enrolled at least this long before the cycle starts.")
    )
    renewal_discount_perc = _percent(_("early renewal discount %"))
    renewal_discount_period = _months(
        _("early renewal discount period (months)"), _("Renewed at least this long before the policy expires.")
    )
    acc_code_premiums = models.CharField(_("accounting code for contributions"), max_length=25, blank=True)
    acc_code_remuneration = models.CharField(_("accounting code for remuneration"), max_length=25, blank=True)
    # deductibles and ceilings
    ceiling_type = models.CharField(
        _("deductibles and ceilings apply"),
        max_length=1,
        choices=CeilingType.choices,
        blank=True,
        help_text=_("Only the amounts of this kind are used; leave empty for a product without any."),
    )
    ceiling_interpretation = models.CharField(
        _("in-patient claims are told by"),
        max_length=1,
        choices=CeilingInterpretation.choices,
        default=CeilingInterpretation.CLAIM_TYPE,
        help_text=_("A claim is in-patient when it spans several days (length) or comes from a hospital (level)."),
    )
    ded_treatment = _money(_("deductible per treatment"))
    ded_ip_treatment = _money(_("in-patient deductible per treatment"))
    ded_op_treatment = _money(_("out-patient deductible per treatment"))
    max_treatment = _money(_("ceiling per treatment"))
    max_ip_treatment = _money(_("in-patient ceiling per treatment"))
    max_op_treatment = _money(_("out-patient ceiling per treatment"))
    ded_insuree = _money(_("deductible per insuree"))
    ded_ip_insuree = _money(_("in-patient deductible per insuree"))
    ded_op_insuree = _money(_("out-patient deductible per insuree"))
    max_insuree = _money(_("ceiling per insuree"))
    max_ip_insuree = _money(_("in-patient ceiling per insuree"))
    max_op_insuree = _money(_("out-patient ceiling per insuree"))
    ded_policy = _money(_("deductible per policy"))
    ded_ip_policy = _money(_("in-patient deductible per policy"))
    ded_op_policy = _money(_("out-patient deductible per policy"))
    max_policy = _money(_("ceiling per policy"))
    max_ip_policy = _money(_("in-patient ceiling per policy"))
    max_op_policy = _money(_("out-patient ceiling per policy"))
    max_policy_extra_member = _money(
        _("policy ceiling: extra per member above the threshold"),
    )
    max_policy_extra_member_ip = _money(_("in-patient policy ceiling: extra per member above the threshold"))
    max_policy_extra_member_op = _money(_("out-patient policy ceiling: extra per member above the threshold"))
    max_ceiling_policy = _money(_("policy ceiling: absolute cap"))
    max_ceiling_policy_ip = _money(_("in-patient policy ceiling: absolute cap"))
    max_ceiling_policy_op = _money(_("out-patient policy ceiling: absolute cap"))
    # limits per claim category
    max_no_consultation = models.PositiveIntegerField(_("maximum consultations"), null=True, blank=True)
    max_no_surgery = models.PositiveIntegerField(_("maximum surgeries"), null=True, blank=True)
    max_no_delivery = models.PositiveIntegerField(_("maximum deliveries"), null=True, blank=True)
    max_no_antenatal = models.PositiveIntegerField(_("maximum antenatal care"), null=True, blank=True)
    max_no_hospitalization = models.PositiveIntegerField(_("maximum hospitalisations"), null=True, blank=True)
    max_no_visits = models.PositiveIntegerField(_("maximum visits"), null=True, blank=True)
    max_amount_consultation = _money(_("maximum amount per consultation claim"))
    max_amount_surgery = _money(_("maximum amount per surgery claim"))
    max_amount_delivery = _money(_("maximum amount per delivery claim"))
    max_amount_antenatal = _money(_("maximum amount per antenatal claim"))
    max_amount_hospitalization = _money(_("maximum amount per hospitalisation claim"))
    # relative pricing
    period_rel_prices = models.CharField(
        _("relative pricing period"), max_length=1, choices=RelativePeriod.choices, blank=True
    )
    period_rel_prices_ip = models.CharField(
        _("in-patient relative pricing period"), max_length=1, choices=RelativePeriod.choices, blank=True
    )
    period_rel_prices_op = models.CharField(
        _("out-patient relative pricing period"), max_length=1, choices=RelativePeriod.choices, blank=True
    )
    # capitation
    share_contribution = _percent(
        _("capitation share of contributions %"),
        _("Filling it turns capitation on: then give at least one facility level and weights adding up to 100."),
    )
    capitation_level_1 = models.CharField(
        _("capitation level 1"), max_length=1, choices=FacilityLevel.choices, blank=True
    )
    capitation_sublevel_1 = models.CharField(
        _("capitation sub-level 1"), max_length=1, choices=FacilitySubLevel.choices, blank=True
    )
    capitation_level_2 = models.CharField(
        _("capitation level 2"), max_length=1, choices=FacilityLevel.choices, blank=True
    )
    capitation_sublevel_2 = models.CharField(
        _("capitation sub-level 2"), max_length=1, choices=FacilitySubLevel.choices, blank=True
    )
    capitation_level_3 = models.CharField(
        _("capitation level 3"), max_length=1, choices=FacilityLevel.choices, blank=True
    )
    capitation_sublevel_3 = models.CharField(
        _("capitation sub-level 3"), max_length=1, choices=FacilitySubLevel.choices, blank=True
    )
    capitation_level_4 = models.CharField(
        _("capitation level 4"), max_length=1, choices=FacilityLevel.choices, blank=True
    )
    capitation_sublevel_4 = models.CharField(
        _("capitation sub-level 4"), max_length=1, choices=FacilitySubLevel.choices, blank=True
    )
    weight_population = _percent(_("weight of the population %"))
    weight_nb_families = _percent(_("weight of the number of families %"))
    weight_insured_population = _percent(_("weight of the insured population %"))
    weight_nb_insured_families = _percent(_("weight of the number of insured families %"))
    weight_nb_visits = _percent(_("weight of the number of visits %"))
    weight_adjusted_amount = _percent(_("weight of the adjusted amount %"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = _product_constraints()
        indexes = [models.Index(fields=["date_from", "date_to"], name="product_validity_idx")]
        triggers = [
            pgtrigger.Trigger(
                name="product_location_level",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("location_id"),
                func=_PRODUCT_LOCATION_SQL,
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def is_valid_on(self, day: date) -> bool:
        return self.date_from <= day <= self.date_to

    @property
    def status(self) -> str:
        """One of "valid", "ended" or "future", today."""
        today = timezone.localdate()
        if today > self.date_to:
            return "ended"
        return "future" if today < self.date_from else "valid"

    @property
    def start_cycles(self) -> list[str]:
        return [c for c in (self.start_cycle_1, self.start_cycle_2, self.start_cycle_3, self.start_cycle_4) if c]

    @property
    def uses_capitation(self) -> bool:
        return self.share_contribution is not None

    @property
    def relative_periods(self) -> dict[str, str]:
        """Care type (B, I, O) -> period (M, Q, Y) for the care types priced relatively."""
        return {care: getattr(self, field) for care, field in RELATIVE_PERIOD_FIELDS.items() if getattr(self, field)}


# --- product lines -----------------------------------------------------------------------------------------

VISIT_SUFFIXES = ("", "_r", "_e")  # normal visit, referral, emergency
LINE_FIELDS = (
    "price_origin",
    "limitation_type",
    "limit_adult",
    "limit_child",
    "limitation_type_r",
    "limit_adult_r",
    "limit_child_r",
    "limitation_type_e",
    "limit_adult_e",
    "limit_child_e",
    "limit_no_adult",
    "limit_no_child",
    "waiting_period_adult",
    "waiting_period_child",
    "ceiling_exclusion_adult",
    "ceiling_exclusion_child",
)


def _limit(label: StrOrPromise) -> models.DecimalField:
    return models.DecimalField(label, max_digits=18, decimal_places=2, null=True, blank=True)


def _line_constraints(prefix: str, target: str) -> list[models.BaseConstraint]:
    constraints: list[models.BaseConstraint] = [
        models.UniqueConstraint(fields=["product", target], name=f"{prefix}_unique"),
        models.CheckConstraint(condition=Q(price_origin__in=PriceOrigin.values), name=f"{prefix}_price_origin_valid"),
        models.CheckConstraint(
            condition=Q(limitation_type__in=LimitationType.values), name=f"{prefix}_limitation_type_valid"
        ),
        models.CheckConstraint(
            condition=Q(ceiling_exclusion_adult__in=["", *CeilingExclusion.values])
            & Q(ceiling_exclusion_child__in=["", *CeilingExclusion.values]),
            name=f"{prefix}_ceiling_exclusion_valid",
        ),
    ]
    for suffix in VISIT_SUFFIXES:
        kind = f"limitation_type{suffix}"
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{kind}__in": LimitationType.values})
                | (Q(**{f"limit_adult{suffix}__isnull": True}) & Q(**{f"limit_child{suffix}__isnull": True})),
                name=f"{prefix}_limit{suffix}_needs_type",
            )
        )
        for who in ("adult", "child"):
            field = f"limit_{who}{suffix}"
            constraints.append(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | (
                        Q(**{f"{field}__gte": 0})
                        & (~Q(**{kind: LimitationType.CO_INSURANCE}) | Q(**{f"{field}__lte": 100}))
                    ),
                    name=f"{prefix}_{field}_range",
                )
            )
    return constraints


class ProductLine(models.Model):
    """How a product covers one medical item or service (reference sec. 3.2)."""

    price_origin = models.CharField(
        _("price origin"), max_length=1, choices=PriceOrigin.choices, default=PriceOrigin.PRICE_LIST
    )
    limitation_type = models.CharField(
        _("limitation"), max_length=1, choices=LimitationType.choices, default=LimitationType.CO_INSURANCE
    )
    limit_adult = _limit(_("limit for adults"))
    limit_child = _limit(_("limit for children"))
    limitation_type_r = models.CharField(
        _("limitation on referral"), max_length=1, choices=LimitationType.choices, blank=True
    )
    limit_adult_r = _limit(_("limit for adults on referral"))
    limit_child_r = _limit(_("limit for children on referral"))
    limitation_type_e = models.CharField(
        _("limitation in emergency"), max_length=1, choices=LimitationType.choices, blank=True
    )
    limit_adult_e = _limit(_("limit for adults in emergency"))
    limit_child_e = _limit(_("limit for children in emergency"))
    limit_no_adult = models.PositiveIntegerField(
        _("maximum quantity for an adult"), null=True, blank=True, help_text=_("Per insuree and policy period.")
    )
    limit_no_child = models.PositiveIntegerField(
        _("maximum quantity for a child"), null=True, blank=True, help_text=_("Per insuree and policy period.")
    )
    waiting_period_adult = _months(_("waiting period for adults (months)"))
    waiting_period_child = _months(_("waiting period for children (months)"))
    ceiling_exclusion_adult = models.CharField(
        _("excluded from ceilings for adults"), max_length=1, choices=CeilingExclusion.choices, blank=True
    )
    ceiling_exclusion_child = models.CharField(
        _("excluded from ceilings for children"), max_length=1, choices=CeilingExclusion.choices, blank=True
    )

    class Meta:
        abstract = True

    def _limits(self, suffix: str) -> str:
        kind = getattr(self, f"limitation_type{suffix}")
        if not kind:
            return "—"
        unit = " %" if kind == LimitationType.CO_INSURANCE else ""
        values = [getattr(self, f"limit_{who}{suffix}") for who in ("adult", "child")]
        shown = ["—" if v is None else f"{v.normalize():f}{unit}" for v in values]
        return f"{kind} {shown[0]} / {shown[1]}"

    @property
    def limits_normal(self) -> str:
        """E.g. "C 80 % / 100 %": limitation type, then the limits for adults and children."""
        return self._limits("")

    @property
    def limits_referral(self) -> str:
        return self._limits("_r")

    @property
    def limits_emergency(self) -> str:
        return self._limits("_e")


@pghistory.track(*tracked())
class ProductItem(ProductLine):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("covered item")
        verbose_name_plural = _("covered items")
        constraints = _line_constraints("productitem", "item")

    def __str__(self) -> str:
        return f"{self.product_id}: item {self.item_id}"

    @property
    def target(self) -> Item:
        return self.item


@pghistory.track(*tracked())
class ProductService(ProductLine):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("covered service")
        verbose_name_plural = _("covered services")
        constraints = _line_constraints("productservice", "service")

    def __str__(self) -> str:
        return f"{self.product_id}: service {self.service_id}"

    @property
    def target(self) -> Service:
        return self.service


@pghistory.track(*tracked())
class RelativeDistribution(models.Model):
    """The share of a year's allocated contributions paid out in each period, per care type (reference 3.3, 6.8).

    Stored as percentages 0..100; the rows of one care type add up to 100 (checked by the services).
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="distribution")
    care_type = models.CharField(_("care type"), max_length=1, choices=CareType.choices)
    period_type = models.PositiveSmallIntegerField(_("period type"), choices=PeriodType.choices)
    period = models.PositiveSmallIntegerField(_("period"), help_text=_("1 to 12 for months, 1 to 4 for quarters."))
    percent = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Share (0-100) of the period; the percentages of one care type add up to 100."),
    )

    class Meta:
        ordering = ["care_type", "period"]
        verbose_name = _("relative distribution")
        constraints = [
            models.UniqueConstraint(fields=["product", "care_type", "period"], name="reldistr_unique"),
            models.CheckConstraint(condition=Q(care_type__in=CareType.values), name="reldistr_care_type_valid"),
            models.CheckConstraint(condition=Q(period_type__in=PeriodType.values), name="reldistr_period_type_valid"),
            models.CheckConstraint(
                condition=Q(period__gte=1) & Q(period__lte=F("period_type")), name="reldistr_period_range"
            ),
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100), name="reldistr_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.care_type} {self.period}/{self.period_type}: {self.percent} %"


class LineKind:
    """What differs between item lines and service lines, so pages, API and services share one code path."""

    def __init__(self, key: str, model: type[ProductItem] | type[ProductService], target: type[Item] | type[Service]):
        self.key = key  # "items" / "services": the name in URLs
        self.model = model
        self.target_model = target
        self.target_field = "item" if model is ProductItem else "service"

    @property
    def label(self) -> str:
        return str(self.target_model._meta.verbose_name)


LINE_KINDS: dict[str, LineKind] = {
    "items": LineKind("items", ProductItem, Item),
    "services": LineKind("services", ProductService, Service),
}


# --- policies ------------------------------------------------------------------------------------------------


class PolicyStatus(models.IntegerChoices):
    """openIMIS codes (reference sec. 4.1)."""

    IDLE = 1, pgettext_lazy("policy status", "Idle")
    ACTIVE = 2, pgettext_lazy("policy status", "Active")
    SUSPENDED = 4, pgettext_lazy("policy status", "Suspended")
    EXPIRED = 8, pgettext_lazy("policy status", "Expired")
    READY = 16, pgettext_lazy("policy status", "Ready")


class PolicyStage(models.TextChoices):
    NEW = "N", pgettext_lazy("policy stage", "New")
    RENEWAL = "R", pgettext_lazy("policy stage", "Renewal")


class PolicyQuerySet(models.QuerySet["Policy"]):
    def visible_to(self, user: "User") -> "PolicyQuerySet":
        """Policies of the families the user sees (by the family's village)."""
        from location.scope import scope_of

        return self.filter(scope_of(user).location_q("family__village__"))


class DateRange(models.Func):
    function = "DATERANGE"
    output_field = DateRangeField()


@pghistory.track(*tracked(), exclude=["updated_at"])
class Policy(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    family = models.ForeignKey(Family, verbose_name=_("family"), on_delete=models.PROTECT, related_name="policies")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="policies")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolment officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    stage = models.CharField(_("stage"), max_length=1, choices=PolicyStage.choices, default=PolicyStage.NEW)
    status = models.PositiveSmallIntegerField(_("status"), choices=PolicyStatus.choices, default=PolicyStatus.IDLE)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    enroll_date = models.DateField(_("enrolment date"))
    start_date = models.DateField(_("start date"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"))
    status_reason = models.CharField(_("reason of the status"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        permissions = [
            ("renew_policy", _("Renew policies")),
            ("suspend_policy", _("Suspend and resume policies")),
            ("activate_policy", _("Activate policies that are ready")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PolicyStatus.values), name="policy_status_valid"),
            models.CheckConstraint(condition=Q(stage__in=PolicyStage.values), name="policy_stage_valid"),
            models.CheckConstraint(condition=Q(start_date__lte=F("expiry_date")), name="policy_dates"),
            models.CheckConstraint(condition=Q(value__gte=0), name="policy_value_not_negative"),
            models.CheckConstraint(
                condition=~Q(status=PolicyStatus.ACTIVE) | Q(effective_date__isnull=False),
                name="policy_active_has_effective_date",
            ),
            models.CheckConstraint(
                condition=Q(effective_date__isnull=True) | Q(effective_date__gte=F("start_date")),
                name="policy_effective_after_start",
            ),
            ExclusionConstraint(
                name="policy_no_overlap",
                expressions=[
                    ("family", RangeOperators.EQUAL),
                    ("product", RangeOperators.EQUAL),
                    (DateRange("start_date", "expiry_date", models.Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]
        indexes = [
            models.Index(fields=["family", "-start_date"], name="policy_family_idx"),
            models.Index(fields=["product", "status"], name="policy_product_status_idx"),
            models.Index(fields=["expiry_date"], name="policy_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.start_date}–{self.expiry_date}"

    @property
    def is_editable(self) -> bool:
        return self.status == PolicyStatus.IDLE


class InsureePolicyQuerySet(models.QuerySet["InsureePolicy"]):
    def visible_to(self, user: "User") -> "InsureePolicyQuerySet":
        from location.scope import scope_of

        return self.filter(scope_of(user).location_q("policy__family__village__"))


@pghistory.track(*tracked())
class InsureePolicy(models.Model):
    """The cover of one person by one policy (reference sec. 2.5): claims are checked against these dates.

    `effective_date` is empty while the person is not covered yet (policy unpaid, or a member who joined later
    and whose top-up is not paid)."""

    insuree = models.ForeignKey(Insuree, on_delete=models.CASCADE, related_name="coverage")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="coverage")
    enroll_date = models.DateField(_("enrolment date"))
    start_date = models.DateField(_("start date"))
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"))

    objects = InsureePolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverage")
        constraints = [
            models.UniqueConstraint(fields=["insuree", "policy"], name="insureepolicy_unique"),
            models.CheckConstraint(condition=Q(start_date__lte=F("expiry_date")), name="insureepolicy_dates"),
        ]
        indexes = [
            models.Index(fields=["policy"], name="insureepolicy_policy_idx"),
            models.Index(fields=["insuree", "-expiry_date"], name="insureepolicy_insuree_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.insuree_id} on {self.policy_id}"


# --- contributions -----------------------------------------------------------------------------------------


class PayType(models.TextChoices):
    """openIMIS codes (reference sec. 5.1) and the ones offices asked for."""

    CASH = "C", _("Cash")
    MOBILE = "M", _("Mobile money")
    BANK = "B", _("Bank transfer")
    CHEQUE = "Q", _("Cheque")
    FUNDING = "F", _("Funding")


class ContributionQuerySet(models.QuerySet["Contribution"]):
    def visible_to(self, user: "User") -> "ContributionQuerySet":
        from location.scope import scope_of

        return self.filter(scope_of(user).location_q("policy__family__village__"))

    def live(self) -> "ContributionQuerySet":
        return self.filter(cancelled_at__isnull=True)


_CONTRIBUTION_PRODUCT_SQL = """
BEGIN
    NEW.product_id := (SELECT product_id FROM policy_policy WHERE id = NEW.policy_id);
    RETURN NEW;
END;
"""


@pghistory.track(*tracked())
class Contribution(models.Model):
    """A payment towards a policy (openIMIS "premium"), by the family or by a payer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="contributions")
    # copied from the policy by a trigger: the receipt is unique within a product
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", editable=False)
    payer = models.ForeignKey(
        Payer, verbose_name=_("payer"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    receipt = models.CharField(_("receipt number"), max_length=50)
    pay_date = models.DateField(_("payment date"))
    pay_type = models.CharField(_("payment type"), max_length=1, choices=PayType.choices)
    is_photo_fee = models.BooleanField(
        _("photo fee"), default=False, help_text=_("A photo fee does not count towards the policy value.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["pay_date", "id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        permissions = [("cancel_contribution", _("Cancel contributions"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_amount_positive"),
            models.CheckConstraint(condition=~Q(receipt=""), name="contribution_receipt_not_blank"),
            models.CheckConstraint(condition=Q(pay_type__in=PayType.values), name="contribution_pay_type_valid"),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""),
                name="contribution_cancel_has_reason",
            ),
            models.UniqueConstraint(
                F("product"),
                Upper("receipt"),
                condition=Q(cancelled_at__isnull=True),
                name="contribution_receipt_unique",
            ),
        ]
        indexes = [models.Index(fields=["policy"], name="contribution_policy_idx")]
        triggers = [
            pgtrigger.Trigger(
                name="contribution_product_of_policy",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("policy_id", "product_id"),
                func=_CONTRIBUTION_PRODUCT_SQL,
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt} {self.amount}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


# --- renewal reminders -------------------------------------------------------------------------------------


class RenewalWarning(models.IntegerChoices):
    """Bit flags (legacy meaning, reference sec. 4.4 and 12 item 8)."""

    NO_PRODUCT = 1, _("No valid product on the renewal date")
    NO_OFFICER = 2, _("No enrolment officer")
    OFFICER_INACTIVE = 4, _("The enrolment officer is no longer active")


class ReminderStatus(models.TextChoices):
    PENDING = "P", _("To contact")
    NOTIFIED = "N", _("Notified")
    RENEWED = "R", _("Renewed")
    DISMISSED = "D", _("Dismissed")


class PolicyRenewalQuerySet(models.QuerySet["PolicyRenewal"]):
    def visible_to(self, user: "User") -> "PolicyRenewalQuerySet":
        from location.scope import scope_of

        return self.filter(scope_of(user).location_q("policy__family__village__"))


class PolicyRenewal(models.Model):
    """A reminder that a policy expires soon: the officer's list of families to visit, and the SMS hook."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    policy = models.OneToOneField(Policy, on_delete=models.CASCADE, related_name="reminder")
    new_product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    renewal_date = models.DateField(_("renewal date"))
    prompt_date = models.DateField(_("reminder date"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    warnings = models.PositiveSmallIntegerField(_("warnings"), default=0)
    status = models.CharField(_("status"), max_length=1, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    objects = PolicyRenewalQuerySet.as_manager()

    class Meta:
        ordering = ["renewal_date", "id"]
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        indexes = [models.Index(fields=["status", "renewal_date"], name="policyrenewal_status_idx")]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.renewal_date}"

    @property
    def warning_labels(self) -> list[str]:
        return [str(w.label) for w in RenewalWarning if self.warnings & w.value]
