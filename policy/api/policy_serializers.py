"""Input and output of the policy, contribution, renewal and eligibility API. Money is a string with 2 decimals."""

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from ..contributions import ContributionResult, policy_last_payment_date
from ..eligibility import Eligibility, LineCheck, Money, PolicyCover
from ..models import Contribution, InsureePolicy, PayType, Policy, PolicyRenewal, PolicyStage, ReminderStatus


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


_PRODUCT_REF = "The product's uuid or its code."
_OFFICER = "Username of the enrolment officer; default: you."

# --- policies ------------------------------------------------------------------------------------------------


class PolicyOut(serializers.ModelSerializer):
    family = serializers.UUIDField(source="family.uuid", read_only=True)  # type: ignore[assignment]
    head_insurance_number = serializers.CharField(source="family.head.insurance_number", read_only=True)
    product = serializers.UUIDField(source="product.uuid", read_only=True)  # type: ignore[assignment]
    product_code = serializers.CharField(source="product.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    value = _money(read_only=True)
    paid = _money(read_only=True, help_text="What the live contributions pay towards the value (photo fees aside).")
    balance = _money(read_only=True, help_text="What is still due; 0 when paid.")

    class Meta:
        model = Policy
        fields = [
            "uuid",
            "family",
            "head_insurance_number",
            "product",
            "product_code",
            "stage",
            "status",
            "status_label",
            "enroll_date",
            "start_date",
            "effective_date",
            "expiry_date",
            "value",
            "paid",
            "balance",
        ]


class CoverOut(serializers.ModelSerializer):
    """A covered member and the dates of their own cover (`effective_date` empty: not covered yet)."""

    uuid = serializers.UUIDField(source="insuree.uuid", read_only=True)
    insurance_number = serializers.CharField(source="insuree.insurance_number", read_only=True)
    last_name = serializers.CharField(source="insuree.last_name", read_only=True)
    other_names = serializers.CharField(source="insuree.other_names", read_only=True)

    class Meta:
        model = InsureePolicy
        fields = [
            "uuid",
            "insurance_number",
            "last_name",
            "other_names",
            "enroll_date",
            "start_date",
            "effective_date",
            "expiry_date",
        ]


class ContributionOut(serializers.ModelSerializer):
    policy = serializers.UUIDField(source="policy.uuid", read_only=True)  # type: ignore[assignment]
    product_code = serializers.CharField(source="product.code", read_only=True)
    payer = serializers.UUIDField(source="payer.uuid", read_only=True, allow_null=True, default=None)  # type: ignore[assignment]
    amount = _money(read_only=True)
    cancelled = serializers.BooleanField(source="is_cancelled", read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "uuid",
            "policy",
            "product_code",
            "payer",
            "amount",
            "receipt",
            "pay_date",
            "pay_type",
            "is_photo_fee",
            "created_at",
            "cancelled",
            "cancelled_at",
            "cancel_reason",
        ]


class PolicyContributionOut(ContributionOut):
    """A contribution within its policy's detail."""

    class Meta(ContributionOut.Meta):
        fields = [f for f in ContributionOut.Meta.fields if f not in ("policy", "product_code")]


class PolicyDetailOut(PolicyOut):
    product_name = serializers.CharField(source="product.name", read_only=True)
    previous = serializers.UUIDField(  # type: ignore[assignment]
        source="previous.uuid", read_only=True, allow_null=True, default=None, help_text="The policy this one renews."
    )
    officer = serializers.CharField(  # type: ignore[assignment]
        source="officer.username", read_only=True, allow_null=True, default=None
    )
    last_payment_date = serializers.SerializerMethodField(
        help_text="Last day a payment is accepted while the policy is not paid; null: no limit."
    )
    members = CoverOut(source="coverage", many=True, read_only=True)
    contributions = PolicyContributionOut(many=True, read_only=True)

    class Meta(PolicyOut.Meta):
        fields = [
            *PolicyOut.Meta.fields,
            "product_name",
            "previous",
            "officer",
            "status_reason",
            "last_payment_date",
            "members",
            "contributions",
        ]

    def get_last_payment_date(self, obj: Policy) -> date | None:
        return policy_last_payment_date(obj)


class PolicyResultOut(PolicyDetailOut):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(PolicyDetailOut.Meta):
        fields = [*PolicyDetailOut.Meta.fields, "warnings"]


class PolicyCreateIn(serializers.Serializer[Any]):
    family = serializers.UUIDField(help_text="A family in your scope.")
    product = serializers.CharField(max_length=36, help_text=_PRODUCT_REF)
    enroll_date = serializers.DateField(help_text="Not in the future.")
    officer = serializers.CharField(max_length=150, required=False, help_text=_OFFICER)


class PolicyUpdateIn(serializers.Serializer[Any]):
    enroll_date = serializers.DateField(required=False)
    officer = serializers.CharField(max_length=150, required=False, help_text="Username of the enrolment officer.")


class PolicyRenewIn(serializers.Serializer[Any]):
    enroll_date = serializers.DateField()
    product = serializers.CharField(
        max_length=36,
        required=False,
        help_text=_PRODUCT_REF + " Default: the policy's product, or its conversion product once no longer sold.",
    )
    officer = serializers.CharField(max_length=150, required=False, help_text=_OFFICER)


class ReasonIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)


class QuoteIn(serializers.Serializer[Any]):
    family = serializers.UUIDField(help_text="A family in your scope.")
    product = serializers.CharField(
        max_length=36,
        required=False,
        help_text=_PRODUCT_REF + " Required for a new policy; for a renewal the default is the renewal product.",
    )
    enroll_date = serializers.DateField()
    stage = serializers.ChoiceField(choices=PolicyStage.choices, default=PolicyStage.NEW)
    previous = serializers.UUIDField(required=False, help_text="The policy renewed (stage R only).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["stage"] == PolicyStage.RENEWAL and not attrs.get("previous"):
            raise serializers.ValidationError({"previous": _("A renewal quote needs the policy it renews.")})
        if attrs["stage"] == PolicyStage.NEW and not attrs.get("product"):
            raise serializers.ValidationError({"product": _("This field is required.")})
        return attrs


class ProductRefOut(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class MemberRefOut(serializers.Serializer[Any]):
    insurance_number = serializers.CharField()
    last_name = serializers.CharField()
    other_names = serializers.CharField()
    dob = serializers.DateField()


class ValueBreakdownOut(serializers.Serializer[Any]):
    """value = contribution + assembly + registration - discount."""

    contribution = _money()
    assembly = _money()
    registration = _money()
    discount = _money()
    adults = serializers.IntegerField()
    children = serializers.IntegerField()
    other_adults = serializers.IntegerField()
    other_children = serializers.IntegerField()
    extra_adults = serializers.IntegerField()
    extra_children = serializers.IntegerField()


class QuoteOut(serializers.Serializer[Any]):
    product = ProductRefOut()
    stage = serializers.CharField()
    enroll_date = serializers.DateField()
    start_date = serializers.DateField()
    expiry_date = serializers.DateField()
    value = _money(source="value.value")
    breakdown = ValueBreakdownOut(source="value")
    last_payment_date = serializers.DateField(allow_null=True)
    covered = MemberRefOut(many=True)
    excluded = MemberRefOut(many=True, help_text="Members over the product's maximum: neither covered nor charged.")
    warnings = serializers.ListField(child=serializers.CharField())


# --- contributions -------------------------------------------------------------------------------------------


class ContributionIn(serializers.Serializer[Any]):
    policy = serializers.UUIDField(help_text="A policy in your scope.")
    amount = _money(help_text="More than 0.")
    receipt = serializers.CharField(max_length=50, help_text="Unique among the live contributions of the product.")
    pay_date = serializers.DateField()
    pay_type = serializers.ChoiceField(choices=PayType.choices)
    payer = serializers.UUIDField(required=False, allow_null=True, help_text="Required for a funding (F).")
    is_photo_fee = serializers.BooleanField(default=False)


class ContributionResultOut(ContributionOut):
    """The contribution and what it did to its policy."""

    policy_status = serializers.IntegerField(read_only=True)
    policy_status_label = serializers.CharField(read_only=True)
    paid = _money(read_only=True)
    balance = _money(read_only=True)
    activated = serializers.BooleanField(read_only=True, help_text="This payment made the policy active (or ready).")

    class Meta(ContributionOut.Meta):
        fields = [*ContributionOut.Meta.fields, "policy_status", "policy_status_label", "paid", "balance", "activated"]


def contribution_result(result: ContributionResult) -> dict[str, Any]:
    body = dict(ContributionOut(result.contribution).data)
    body["policy_status"] = result.policy.status
    body["policy_status_label"] = result.policy.get_status_display()
    body["paid"] = f"{result.paid:.2f}"
    body["balance"] = f"{result.balance:.2f}"
    body["activated"] = result.activated
    return body


# --- renewal reminders ---------------------------------------------------------------------------------------


class PolicyRenewalOut(serializers.ModelSerializer):
    policy = serializers.UUIDField(source="policy.uuid", read_only=True)  # type: ignore[assignment]
    family = serializers.UUIDField(source="policy.family.uuid", read_only=True)
    head_insurance_number = serializers.CharField(source="policy.family.head.insurance_number", read_only=True)
    head_name = serializers.CharField(source="policy.family.head.full_name", read_only=True)
    product_code = serializers.CharField(source="policy.product.code", read_only=True)
    expiry_date = serializers.DateField(source="policy.expiry_date", read_only=True)
    new_product_code = serializers.CharField(
        source="new_product.code", read_only=True, allow_null=True, default=None, help_text="The product to renew on."
    )
    officer = serializers.CharField(  # type: ignore[assignment]
        source="officer.username", read_only=True, allow_null=True, default=None
    )
    warnings = serializers.ListField(source="warning_labels", child=serializers.CharField(), read_only=True)  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=ReminderStatus.choices, read_only=True)

    class Meta:
        model = PolicyRenewal
        fields = [
            "uuid",
            "policy",
            "family",
            "head_insurance_number",
            "head_name",
            "product_code",
            "expiry_date",
            "new_product_code",
            "officer",
            "renewal_date",
            "prompt_date",
            "phone",
            "warnings",
            "status",
        ]


# --- eligibility ---------------------------------------------------------------------------------------------


class EligibilityQuery(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=50, required=False, help_text="The insurance number (exact).")
    card = serializers.CharField(max_length=100, required=False, help_text="The signed QR payload of a card.")
    item = serializers.CharField(
        max_length=6, required=False, allow_blank=True, default="", help_text="Code of an item to check."
    )
    service = serializers.CharField(
        max_length=6, required=False, allow_blank=True, default="", help_text="Code of a service to check."
    )
    on = serializers.DateField(required=False, help_text="The day of care; default: today.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        number, card = attrs.get("number", "").strip(), attrs.get("card", "").strip()
        if not number and not card:
            raise serializers.ValidationError({"number": _("Give an insurance number or a card payload.")})
        if number and card:
            raise serializers.ValidationError({"card": _("Give an insurance number or a card payload, not both.")})
        attrs["number"], attrs["card"] = number, card
        return attrs


class EligibilityInsureeOut(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    insurance_number = serializers.CharField()
    last_name = serializers.CharField()
    other_names = serializers.CharField()
    dob = serializers.DateField()
    gender = serializers.CharField()
    photo = serializers.CharField(allow_null=True, help_text="URL of the photo; null without one.")


class LimitOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    maximum = serializers.IntegerField(allow_null=True)
    used = serializers.IntegerField()
    left = serializers.IntegerField(allow_null=True)


class MoneyOut(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    amount = _money()
    used = _money()
    remaining = _money()


class LineCheckOut(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[("item", "item"), ("service", "service")])
    code = serializers.CharField()
    name = serializers.CharField()
    covered = serializers.BooleanField(help_text="The product covers it.")
    from_date = serializers.DateField(allow_null=True, help_text="Covered from (after the waiting period).")
    maximum = serializers.IntegerField(allow_null=True)
    used = serializers.IntegerField()
    left = serializers.IntegerField(allow_null=True)
    ok = serializers.BooleanField(help_text="Covered on the day asked, within the maximum.")
    reason = serializers.CharField(help_text="Why not, when not ok.")


class PolicyCoverOut(serializers.Serializer[Any]):
    policy = serializers.UUIDField()
    product_code = serializers.CharField()
    product_name = serializers.CharField()
    status = serializers.IntegerField()
    status_label = serializers.CharField()
    start_date = serializers.DateField(help_text="Of the person's cover.")
    effective_date = serializers.DateField(allow_null=True)
    expiry_date = serializers.DateField()
    covered = serializers.BooleanField(help_text="This policy covers the person on the day asked.")
    limits = LimitOut(many=True)
    amount_caps = MoneyOut(many=True)
    deductibles = MoneyOut(many=True)
    ceilings = MoneyOut(many=True)
    lines = LineCheckOut(many=True, help_text="The item and service asked about, if any.")


class EligibilityOut(serializers.Serializer[Any]):
    """Documents the eligibility answer, which the view writes by hand (`eligibility_body`) to stay fast."""

    on = serializers.DateField()
    authentic = serializers.BooleanField(
        allow_null=True, help_text="For a card: whether its signature is right; null for a number."
    )
    insuree = EligibilityInsureeOut(allow_null=True, help_text="null for a forged card.")
    covered = serializers.BooleanField(help_text="At least one policy covers the person on the day asked.")
    policies = PolicyCoverOut(many=True)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _money_rows(rows: list[Money]) -> list[dict[str, Any]]:
    return [
        {"name": m.name, "label": m.label, "amount": f"{m.amount:.2f}", "used": f"{m.used:.2f}",
         "remaining": f"{m.remaining:.2f}"}
        for m in rows
    ]  # fmt: skip


def _line(check: LineCheck) -> dict[str, Any]:
    return {
        "kind": check.kind,
        "code": check.code,
        "name": check.name,
        "covered": check.covered,
        "from_date": _iso(check.from_date),
        "maximum": check.maximum,
        "used": check.used,
        "left": check.left,
        "ok": check.ok,
        "reason": check.reason,
    }


def _cover(pc: PolicyCover) -> dict[str, Any]:
    cover, policy, product = pc.cover, pc.cover.policy, pc.cover.policy.product
    return {
        "policy": str(policy.uuid),
        "product_code": product.code,
        "product_name": product.name,
        "status": policy.status,
        "status_label": str(policy.get_status_display()),
        "start_date": _iso(cover.start_date),
        "effective_date": _iso(cover.effective_date),
        "expiry_date": _iso(cover.expiry_date),
        "covered": pc.covered,
        "limits": [
            {"name": x.name, "label": x.label, "maximum": x.maximum, "used": x.used, "left": x.left} for x in pc.limits
        ],
        "amount_caps": _money_rows(pc.amount_caps),
        "deductibles": _money_rows(pc.deductibles),
        "ceilings": _money_rows(pc.ceilings),
        "lines": [_line(line) for line in pc.lines],
    }


def eligibility_body(result: Eligibility) -> dict[str, Any]:
    """The answer of `GET /eligibility/`, shaped as `EligibilityOut` (tests compare the two)."""
    person = result.insuree
    insuree = None
    if person is not None:
        insuree = {
            "uuid": str(person.uuid),
            "insurance_number": person.insurance_number,
            "last_name": person.last_name,
            "other_names": person.other_names,
            "dob": person.dob.isoformat(),
            "gender": person.gender,
            "photo": reverse("insuree:insuree_photo_file", args=[person.uuid]) if person.photo else None,
        }
    return {
        "on": result.on.isoformat(),
        "authentic": result.authentic,
        "insuree": insuree,
        "covered": result.covered,
        "policies": [_cover(pc) for pc in result.policies],
    }
