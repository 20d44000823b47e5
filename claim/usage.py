"""What a person has used of their policies, for the eligibility enquiry (`policy.eligibility.USAGE_SOURCES`).

For each policy asked about, within the person's cover on it (effective date to expiry): the number of their
claims per category (Checked, Processed or Valuated claims; a claim without category counts as a visit), the
quantities of each item and service on passed lines of those claims, and the amounts booked on the policy's lines
(deductibles taken, amounts remunerated or valued). One query when the person has no claims, three otherwise,
whatever the number of policies.
"""

from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import Coalesce

from policy.eligibility import Usage, Window

from .checks import VISIT
from .models import Claim, ClaimItem, ClaimService, ClaimStatus, LineStatus

USED = (ClaimStatus.CHECKED, ClaimStatus.PROCESSED, ClaimStatus.VALUATED)
ZERO = Decimal("0")
# claim category -> the name of the limit in the eligibility answer (category O has no limit)
CATEGORY_NAMES = {
    "C": "consultation",
    "S": "surgery",
    "D": "delivery",
    "A": "antenatal",
    "H": "hospitalization",
    VISIT: "visits",
}


def claims_usage(insuree_id: int, windows: dict[int, Window]) -> dict[int, Usage]:
    result: dict[int, Usage] = {pid: Usage() for pid in windows}
    # plain SQL: this runs on every eligibility enquiry, and the ORM's compiling costs more than the query
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, date_from, date_to, category FROM {Claim._meta.db_table}"  # noqa: S608 - a table name
            " WHERE insuree_id = %s AND status = ANY(%s)",
            [insuree_id, list(USED)],
        )
        claims = cursor.fetchall()
    in_window: dict[int, list[int]] = {pid: [] for pid in windows}
    for pk, d_from, d_to, category in claims:
        target = d_to or d_from
        for pid, (start, end) in windows.items():
            if start <= target <= end:
                in_window[pid].append(pk)
                usage = result[pid]
                key = CATEGORY_NAMES.get(category or VISIT)
                if key:
                    usage.categories[key] = usage.categories.get(key, 0) + 1
    claim_ids = [pk for pks in in_window.values() for pk in pks]
    if not claim_ids:  # most people: no claim in their cover, nothing more to read
        return result
    for model, field, attr in ((ClaimItem, "item_id", "items"), (ClaimService, "service_id", "services")):
        rows = (
            model.objects.filter(claim__insuree_id=insuree_id, claim__status__in=USED, status=LineStatus.PASSED)  # type: ignore[attr-defined]
            .filter(claim_id__in=claim_ids)
            .values_list("claim_id", field, "policy_id")
            .annotate(
                qty=Sum(Coalesce("qty_approved", "qty_provided")),
                deducted=Sum(Coalesce("deductible_amount", ZERO)),
                paid=Sum(Coalesce("remunerated_amount", "price_valuated", ZERO)),
            )
        )
        for claim_id, target_id, line_policy, qty, deducted, paid in rows:
            for pid, pks in in_window.items():
                if claim_id in pks:
                    counts = getattr(result[pid], attr)
                    counts[target_id] = counts.get(target_id, 0) + int(qty)
                    if line_policy == pid:
                        result[pid].deducted += deducted or ZERO
                        result[pid].remunerated += paid or ZERO
    return result
