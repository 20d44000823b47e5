"""The answer to a submitted set of claims (`POST /claims/submit/`, `POST /claims/bulk/`): each claim's outcome and
the decision on each of its lines, in the order of the request.

A batch answers up to 1,000 claims and 5,000 lines: the rows are read with three plain `values()` queries and the
JSON is built from them directly, which costs a tenth of walking model instances through nested serializers. The
serializers below describe the same shape for the OpenAPI schema (a test compares both).
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from ..labels import reason_label
from ..models import Claim, ClaimFlag, ClaimItem, ClaimService, ClaimStatus, FlagCode, LineStatus, ReviewStatus


class LineOutcomeOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    qty = serializers.DecimalField(max_digits=12, decimal_places=2)
    qty_approved = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    price_used = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=LineStatus.choices)
    rejection_reason = serializers.IntegerField()
    rejection_reason_label = serializers.CharField(allow_blank=True)
    justification = serializers.CharField(allow_blank=True)


class ClaimOutcomeOut(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    status_label = serializers.CharField()
    rejection_reason = serializers.IntegerField()
    rejection_reason_label = serializers.CharField(allow_blank=True)
    category = serializers.CharField(allow_blank=True, help_text="Set at submission: S, D, A, H, C, O or V.")
    claimed = serializers.DecimalField(max_digits=18, decimal_places=2)
    approved = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    review_status = serializers.ChoiceField(
        choices=ReviewStatus.choices, help_text="2: passed without review (processed next); 4: waiting for a reviewer."
    )
    review_status_label = serializers.CharField()
    flags = serializers.ListField(child=serializers.ChoiceField(choices=FlagCode.choices))
    items = LineOutcomeOut(many=True)
    services = LineOutcomeOut(many=True)


class ClaimOutcomeSetOut(serializers.Serializer[Any]):
    claims = ClaimOutcomeOut(many=True, help_text="In the order of the request.")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def outcomes(claims: Sequence[Claim]) -> dict[str, list[dict[str, Any]]]:
    ids = [c.pk for c in claims]
    rows = {
        r["pk"]: r
        for r in Claim.objects.filter(pk__in=ids).values(
            "pk", "uuid", "code", "status", "rejection_reason", "category", "claimed", "approved", "review_status"
        )
    }
    lines: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    fields = (
        "claim_id",
        "qty_provided",
        "qty_approved",
        "price_adjusted",
        "status",
        "rejection_reason",
        "justification",
    )
    for kind, model, code in (("items", ClaimItem, "item__code"), ("services", ClaimService, "service__code")):
        for line in model.objects.filter(claim_id__in=ids).order_by("pk").values(*fields, code):
            lines[(kind, line["claim_id"])].append(
                {
                    "code": line[code],
                    "qty": _money(line["qty_provided"]),
                    "qty_approved": _money(line["qty_approved"]),
                    "price_used": _money(line["price_adjusted"]),
                    "status": line["status"],
                    "rejection_reason": line["rejection_reason"],
                    "rejection_reason_label": reason_label(line["rejection_reason"]),
                    "justification": line["justification"],
                }
            )
    flags: dict[int, list[str]] = defaultdict(list)
    for claim_id, flag in ClaimFlag.objects.filter(claim_id__in=ids).order_by("pk").values_list("claim_id", "code"):
        flags[claim_id].append(flag)
    answer = []
    for pk in ids:
        r = rows[pk]
        answer.append(
            {
                "uuid": str(r["uuid"]),
                "code": r["code"],
                "status": r["status"],
                "status_label": str(ClaimStatus(r["status"]).label),
                "rejection_reason": r["rejection_reason"],
                "rejection_reason_label": reason_label(r["rejection_reason"]),
                "category": r["category"],
                "claimed": _money(r["claimed"]),
                "approved": _money(r["approved"]),
                "review_status": r["review_status"],
                "review_status_label": str(ReviewStatus(r["review_status"]).label),
                "flags": flags[pk],
                "items": lines[("items", pk)],
                "services": lines[("services", pk)],
            }
        )
    return {"claims": answer}
