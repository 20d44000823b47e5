"""Input and output of the claims API. Money is a string with 2 decimals; statuses are the openIMIS codes with
their label; a rejection reason is its code (`claim.checks`) with its label."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import flags
from ..checks import REASON_LABELS
from ..models import (
    Claim,
    ClaimFlag,
    ClaimItem,
    ClaimService,
    ClaimStatus,
    FlagCode,
    LineStatus,
    ReviewStatus,
    VisitType,
)
from ..services import DIAGNOSIS_FIELDS, MAX_SECONDARY_DIAGNOSES

MAX_CLAIMS = 1000  # claims per submission or bulk request (the size `claims_submit` is built for)


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


def reason_label(code: int) -> str:
    label = REASON_LABELS.get(code)
    return _(label) if label else ""


# --- input ---------------------------------------------------------------------------------------------------


class LineIn(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=6, help_text="An active item (service) code of the registers.")
    qty = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="More than 0.")
    price = _money(
        required=False,
        allow_null=True,
        help_text="The price asked per unit, not negative; empty: the facility's price list applies at submission.",
    )
    explanation = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class ClaimIn(serializers.Serializer[Any]):
    uuid = serializers.UUIDField(
        required=False,
        help_text="Chosen by the client to make retries safe: a claim already entered with this uuid (at the same "
        "facility) is returned as it is, the body of the retry is not compared.",
    )
    facility = serializers.CharField(max_length=36, help_text="The health facility's uuid or its code (your scope).")
    insurance_number = serializers.CharField(max_length=50, help_text="The patient, an insuree in your scope.")
    code = serializers.CharField(max_length=20, help_text="The claim code, unique per facility (any case).")
    date_from = serializers.DateField(help_text="First day of the visit, not in the future.")
    date_to = serializers.DateField(required=False, allow_null=True, help_text="Last day; empty for one day.")
    date_claimed = serializers.DateField(required=False, help_text="Default: today; not in the future.")
    visit_type = serializers.ChoiceField(choices=VisitType.choices, default=VisitType.OTHER)
    diagnoses = serializers.ListField(
        child=serializers.CharField(max_length=6),
        min_length=1,
        max_length=1 + MAX_SECONDARY_DIAGNOSES,
        help_text="ICD-10 codes: the main diagnosis first, then up to four secondary ones.",
    )
    items = LineIn(many=True, required=False, default=list)
    services = LineIn(many=True, required=False, default=list)
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    guarantee_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    referral_facility = serializers.CharField(
        max_length=36,
        required=False,
        allow_blank=True,
        default="",
        help_text="The facility the patient was referred from or to: its uuid or code (any facility).",
    )


class ClaimRefsIn(serializers.Serializer[Any]):
    claims = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        max_length=MAX_CLAIMS,
        help_text=f"Uuids of Entered claims in your scope, at most {MAX_CLAIMS}.",
    )


class ClaimBulkIn(serializers.Serializer[Any]):
    claims: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=ClaimIn(),
        min_length=1,
        max_length=MAX_CLAIMS,
        help_text=f"At most {MAX_CLAIMS} claims, entered and submitted together.",
    )


# --- output --------------------------------------------------------------------------------------------------


class _LineOut(serializers.Serializer[Any]):
    qty = serializers.DecimalField(source="qty_provided", max_digits=12, decimal_places=2)
    qty_approved = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="Set at submission: 0 on a rejected line."
    )
    price_asked = _money(allow_null=True)
    price_used = _money(source="price_adjusted", allow_null=True, help_text="The unit price valued (submission).")
    explanation = serializers.CharField()
    status = serializers.ChoiceField(choices=LineStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    rejection_reason = serializers.IntegerField(help_text="0, or the reason code (16 on a partly approved line).")
    rejection_reason_label = serializers.SerializerMethodField()
    justification = serializers.CharField(help_text="Detail of the decision (dates, counts).")
    price_approved = _money(allow_null=True, help_text="The reviewer's price, when lowered.")
    valuated = _money(source="price_valuated", allow_null=True, help_text="Its value once processed.")

    def get_rejection_reason_label(self, obj: ClaimItem | ClaimService) -> str:
        return reason_label(obj.rejection_reason)


class ClaimItemOut(_LineOut):
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")


class ClaimServiceOut(_LineOut):
    code = serializers.CharField(source="service.code")
    name = serializers.CharField(source="service.name")


class ClaimOut(serializers.Serializer[Any]):
    """A claim in a list: its status and amounts, without its lines."""

    uuid = serializers.UUIDField()
    code = serializers.CharField()
    facility = serializers.UUIDField(source="facility.uuid")
    facility_code = serializers.CharField(source="facility.code")
    insurance_number = serializers.CharField(source="insuree.insurance_number")
    date_from = serializers.DateField()
    date_to = serializers.DateField(allow_null=True)
    date_claimed = serializers.DateField()
    visit_type = serializers.ChoiceField(choices=VisitType.choices)
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    rejection_reason = serializers.IntegerField(help_text="0, or the reason every line was rejected for.")
    rejection_reason_label = serializers.SerializerMethodField()
    category = serializers.CharField(help_text="Set at submission: S, D, A, H, C, O or V.")
    claimed = _money()
    approved = _money(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    review_status = serializers.ChoiceField(
        choices=ReviewStatus.choices,
        help_text="1 Idle (not adjudicated yet), 2 passed without review, 4 waiting for a reviewer, 8 reviewed, "
        "16 processed without review.",
    )
    review_status_label = serializers.CharField(source="get_review_status_display")
    updated_at = serializers.DateTimeField(help_text="Last change (filter `updated_after` to follow changes).")

    def get_rejection_reason_label(self, obj: Claim) -> str:
        return reason_label(obj.rejection_reason)


class FeedbackOut(serializers.Serializer[Any]):
    """The insuree's answers on a claim (reference sec. 6.7): true, false or null (unknown)."""

    feedback_date = serializers.DateField()
    care_rendered = serializers.BooleanField(allow_null=True)
    payment_asked = serializers.BooleanField(allow_null=True)
    drug_prescribed = serializers.BooleanField(allow_null=True)
    drug_received = serializers.BooleanField(allow_null=True)
    assessment = serializers.IntegerField(allow_null=True, help_text="1 (very poor) to 5 (very good), or null.")
    comment = serializers.CharField()
    recorded_at = serializers.DateTimeField(source="created_at")


class FlagOut(serializers.Serializer[Any]):
    """Why the automatic adjudication selected the claim for review, with the figures behind it."""

    code = serializers.ChoiceField(choices=FlagCode.choices)
    code_label = serializers.CharField(source="get_code_display")
    explanation = serializers.SerializerMethodField()
    params = serializers.DictField(help_text="The figures the flag rests on.")

    def get_explanation(self, flag: ClaimFlag) -> str:
        return flags.explain(flag.code, flag.params)


class ClaimDetailOut(ClaimOut):
    """A claim with its diagnoses and lines: what was asked, and what submission decided on each line."""

    diagnoses = serializers.SerializerMethodField()
    explanation = serializers.CharField()
    guarantee_number = serializers.CharField()
    valuated = _money(allow_null=True)
    remunerated = _money(allow_null=True)
    created_at = serializers.DateTimeField()
    items = ClaimItemOut(many=True, source="items.all")
    services = ClaimServiceOut(many=True, source="services.all")
    feedback_status = serializers.ChoiceField(
        choices=ReviewStatus.choices, help_text="1 Idle, 2 Not selected, 4 Selected, 8 Delivered, 16 Bypassed."
    )
    feedback_status_label = serializers.CharField(source="get_feedback_status_display")
    feedback = serializers.SerializerMethodField(help_text="The insuree's answers once delivered, else null.")
    referral_facility = serializers.SerializerMethodField(help_text="The code of the facility referred from or to.")
    flags = FlagOut(many=True, source="flags.all")
    adjustment = serializers.CharField(help_text="The reviewer's note.")
    reviewed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_diagnoses(self, obj: Claim) -> list[str]:
        return [d.code for d in (getattr(obj, name) for name in DIAGNOSIS_FIELDS) if d is not None]

    def get_referral_facility(self, obj: Claim) -> str | None:
        return obj.referral_facility.code if obj.referral_facility is not None else None

    @extend_schema_field(FeedbackOut(allow_null=True))
    def get_feedback(self, obj: Claim) -> dict[str, Any] | None:
        answers = getattr(obj, "feedback", None)  # the reverse one-to-one raises (an AttributeError) when none
        return FeedbackOut(answers).data if answers is not None else None


class ClaimSetOut(serializers.Serializer[Any]):
    claims = ClaimDetailOut(many=True, help_text="In the order of the request.")
