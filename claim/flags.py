"""Automatic adjudication of submitted claims: which checked claims a medical officer should look at, and why.

Rules (settings `CLAIM_FLAGS`, each can be switched off or tuned; a flag names the figures it rests on):
- above_norm: a passed line whose quantity, or amount asked (quantity x price used), is at least `factor` times
  the average for that item or service at facilities of the same level (`claim.norms`), once that average rests
  on at least `min_samples` lines;
- two_facilities: a passed service the same person was also given, on a claim of another facility (Checked,
  Processed or Valuated), with visits starting at most `days` days apart;
- frequent: the person has `claims` or more claims (this one included, Checked and beyond) whose visits started
  within the `days` days up to this one's;
- implausible: a passed service of a category listed in `categories` while the main diagnosis starts with none
  of the ICD-10 prefixes listed for it (deliveries and antenatal care without a pregnancy diagnosis);
- late_entry: entered more than `days` days after the visit ended.
Selection for review (reference 6.7): a claim with any flag; else a random share `CLAIM_REVIEW_RANDOM_PERCENT`
(drawn from the claim's uuid, so the same claim is always drawn the same way); else a claim claiming at least
`CLAIM_REVIEW_AMOUNT_AT_LEAST`. Those are Selected (review queue); the others Not selected and processed at once.

Facts come from a fixed number of queries for the whole set; the flags and review statuses are written in bulk.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from location.models import FacilityLevel, HealthFacility
from medical.models import ServiceCategory

from .models import (
    Claim,
    ClaimFlag,
    ClaimItem,
    ClaimNorm,
    ClaimService,
    ClaimStatus,
    FlagCode,
    LineStatus,
    ReviewStatus,
)

USED = [ClaimStatus.CHECKED.value, ClaimStatus.PROCESSED.value, ClaimStatus.VALUATED.value]


@dataclass(frozen=True)
class Finding:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def rule(code: str) -> dict[str, Any] | None:
    """The settings of a rule, or None when it is switched off."""
    conf = settings.CLAIM_FLAGS.get(code) or {}
    return dict(conf) if conf.get("enabled", False) else None


@dataclass
class _Line:
    kind: str  # "item" or "service"
    target_id: int
    code: str
    name: str
    category: str
    qty: Decimal
    price: Decimal


@dataclass
class _ClaimFacts:
    level: str
    icd: str
    start: date
    end: date
    entered: date
    lines: list[_Line] = field(default_factory=list)


def findings_for(claim_ids: Sequence[int]) -> dict[int, list[Finding]]:
    """The flags of each claim (Checked claims: only passed lines count)."""
    ids = list(claim_ids)
    found: dict[int, list[Finding]] = defaultdict(list)
    if not ids:
        return found
    facts = _facts(ids)
    if conf := rule(FlagCode.ABOVE_NORM):
        _above_norm(facts, conf, found)
    if conf := rule(FlagCode.TWO_FACILITIES):
        _two_facilities(ids, conf, found)
    if conf := rule(FlagCode.FREQUENT):
        _frequent(ids, conf, found)
    if conf := rule(FlagCode.IMPLAUSIBLE):
        _implausible(facts, conf, found)
    if conf := rule(FlagCode.LATE_ENTRY):
        limit = int(conf["days"])
        for claim_id, f in facts.items():
            late = (f.entered - f.end).days
            if late > limit:
                found[claim_id].append(Finding(FlagCode.LATE_ENTRY, {"days": late, "limit": limit}))
    return found


def _facts(ids: list[int]) -> dict[int, _ClaimFacts]:
    facts = {
        pk: _ClaimFacts(level=level, icd=icd or "", start=d_from, end=d_to or d_from, entered=timezone.localdate(at))
        for pk, level, icd, d_from, d_to, at in Claim.objects.filter(pk__in=ids).values_list(
            "pk", "facility__level", "icd__code", "date_from", "date_to", "created_at"
        )
    }
    passed = {"claim_id__in": ids, "status": LineStatus.PASSED}
    for claim_id, target_id, code, name, qty, price in ClaimItem.objects.filter(**passed).values_list(
        "claim_id", "item_id", "item__code", "item__name", "qty_provided", "price_adjusted"
    ):
        facts[claim_id].lines.append(_Line("item", target_id, code, name, "", qty, price or Decimal("0")))
    service_rows = ClaimService.objects.filter(**passed).values_list(
        "claim_id",
        "service_id",
        "service__code",
        "service__name",
        "service__category",
        "qty_provided",
        "price_adjusted",
    )
    for claim_id, target_id, code, name, category, qty, price in service_rows:
        facts[claim_id].lines.append(_Line("service", target_id, code, name, category, qty, price or Decimal("0")))
    return facts


def _above_norm(facts: dict[int, _ClaimFacts], conf: dict[str, Any], found: dict[int, list[Finding]]) -> None:
    factor, min_samples = Decimal(str(conf["factor"])), int(conf["min_samples"])
    wanted = {(ln.kind[0].upper(), ln.target_id) for f in facts.values() for ln in f.lines}
    norms = {
        (n.kind, n.target_id, n.level): n
        for n in ClaimNorm.objects.filter(
            target_id__in={t for _k, t in wanted},
            level__in={f.level for f in facts.values()},
            samples__gte=min_samples,
        )
    }
    for claim_id, f in facts.items():
        for ln in f.lines:
            norm = norms.get((ln.kind[0].upper(), ln.target_id, f.level))
            if norm is None:
                continue
            value = (ln.qty * ln.price).quantize(Decimal("0.01"))
            if ln.qty >= factor * norm.avg_qty or (norm.avg_value > 0 and value >= factor * norm.avg_value):
                params = {
                    "kind": ln.kind,
                    "code": ln.code,
                    "name": ln.name,
                    "qty": format(ln.qty.normalize(), "f"),
                    "avg_qty": str(norm.avg_qty),
                    "value": str(value),
                    "avg_value": str(norm.avg_value),
                    "level": f.level,
                }
                found[claim_id].append(Finding(FlagCode.ABOVE_NORM, params))


def _two_facilities(ids: list[int], conf: dict[str, Any], found: dict[int, list[Finding]]) -> None:
    days = int(conf["days"])
    claim, line, facility = Claim._meta.db_table, ClaimService._meta.db_table, HealthFacility._meta.db_table
    service = ClaimService._meta.get_field("service").related_model._meta.db_table  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (l.claim_id, l.service_id) l.claim_id, s.code, s.name, o.code, f.name,
                   abs(o.date_from - c.date_from)
            FROM {line} l
            JOIN {claim} c ON c.id = l.claim_id
            JOIN {claim} o ON o.insuree_id = c.insuree_id AND o.id <> c.id AND o.facility_id <> c.facility_id
                 AND o.status = ANY(%(used)s)
                 AND o.date_from BETWEEN c.date_from - %(days)s AND c.date_from + %(days)s
            JOIN {line} ol ON ol.claim_id = o.id AND ol.service_id = l.service_id AND ol.status = %(passed)s
            JOIN {facility} f ON f.id = o.facility_id
            JOIN {service} s ON s.id = l.service_id
            WHERE l.claim_id = ANY(%(ids)s) AND l.status = %(passed)s
            ORDER BY l.claim_id, l.service_id, abs(o.date_from - c.date_from), o.id
            """,  # noqa: S608 - table names
            {"ids": ids, "used": USED, "days": days, "passed": LineStatus.PASSED.value},
        )
        for claim_id, code, name, other_code, other_facility, apart in cursor.fetchall():
            params = {
                "code": code,
                "name": name,
                "other_claim": other_code,
                "other_facility": other_facility,
                "days": apart,
                "limit": days,
            }
            found[claim_id].append(Finding(FlagCode.TWO_FACILITIES, params))


def _frequent(ids: list[int], conf: dict[str, Any], found: dict[int, list[Finding]]) -> None:
    days, limit = int(conf["days"]), int(conf["claims"])
    claim = Claim._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, count(o.id)
            FROM {claim} c
            JOIN {claim} o ON o.insuree_id = c.insuree_id AND o.status = ANY(%(used)s)
                 AND o.date_from BETWEEN c.date_from - %(days)s AND c.date_from
            WHERE c.id = ANY(%(ids)s)
            GROUP BY c.id
            HAVING count(o.id) >= %(limit)s
            """,  # noqa: S608 - table names
            {"ids": ids, "used": USED, "days": days, "limit": limit},
        )
        for claim_id, count in cursor.fetchall():
            found[claim_id].append(Finding(FlagCode.FREQUENT, {"claims": count, "days": days, "limit": limit}))


def _implausible(facts: dict[int, _ClaimFacts], conf: dict[str, Any], found: dict[int, list[Finding]]) -> None:
    expected: dict[str, list[str]] = conf.get("categories") or {}
    for claim_id, f in facts.items():
        for ln in f.lines:
            prefixes = expected.get(ln.category)
            if ln.kind != "service" or not prefixes or f.icd.upper().startswith(tuple(p.upper() for p in prefixes)):
                continue
            params = {
                "code": ln.code,
                "name": ln.name,
                "category": ln.category,
                "icd": f.icd,
                "expected": ", ".join(prefixes),
            }
            found[claim_id].append(Finding(FlagCode.IMPLAUSIBLE, params))


def drawn_for_sample(claim: Claim, percent: float) -> bool:
    """Whether the random sample takes this claim: a fixed draw from its uuid (uniform over 0..9,999)."""
    return percent > 0 and claim.uuid.int % 10_000 < round(percent * 100)


def adjudicate(claims: Sequence[Claim]) -> tuple[list[Claim], list[Claim]]:
    """Flags the Checked claims of a submission and selects them for review, or not. Writes the flags and review
    statuses; returns (selected, passed). The caller holds the transaction and the claims' locks."""
    checked = [c for c in claims if c.status == ClaimStatus.CHECKED]
    found = findings_for([c.pk for c in checked])
    percent = float(settings.CLAIM_REVIEW_RANDOM_PERCENT or 0)
    threshold = settings.CLAIM_REVIEW_AMOUNT_AT_LEAST
    rows: list[ClaimFlag] = []
    selected: list[Claim] = []
    passed: list[Claim] = []
    for claim in checked:
        findings = list(found.get(claim.pk, ()))
        if not findings and drawn_for_sample(claim, percent):
            findings.append(Finding(FlagCode.RANDOM, {"percent": percent}))
        if not findings and threshold is not None and claim.claimed >= Decimal(threshold):
            findings.append(Finding(FlagCode.AMOUNT, {"claimed": str(claim.claimed), "threshold": str(threshold)}))
        rows += [ClaimFlag(claim=claim, code=f.code, params=f.params) for f in findings]
        claim.review_status = ReviewStatus.SELECTED if findings else ReviewStatus.NOT_SELECTED
        (selected if findings else passed).append(claim)
    ClaimFlag.objects.bulk_create(rows, batch_size=2000)
    for status, group in ((ReviewStatus.SELECTED, selected), (ReviewStatus.NOT_SELECTED, passed)):
        if group:
            Claim.objects.filter(pk__in=[c.pk for c in group]).update(review_status=status)
    return selected, passed


def explain(code: str, params: dict[str, Any]) -> str:
    """A flag in the reader's language, with its figures."""
    p: dict[str, Any] = defaultdict(str, params)
    if code == FlagCode.ABOVE_NORM:
        p["level"] = FacilityLevel(params["level"]).label if params.get("level") in FacilityLevel.values else ""
        return (
            _(
                "%(code)s %(name)s: quantity %(qty)s for %(value)s, where a %(level)s usually claims %(avg_qty)s for "
                "%(avg_value)s."
            )
            % p
        )
    if code == FlagCode.TWO_FACILITIES:
        return (
            _(
                "%(code)s %(name)s was also claimed for this person by %(other_facility)s (claim %(other_claim)s), "
                "%(days)s day(s) apart."
            )
            % p
        )
    if code == FlagCode.FREQUENT:
        return _("%(claims)s claims for this person within %(days)s days.") % p
    if code == FlagCode.IMPLAUSIBLE:
        category = params.get("category")
        p["category"] = ServiceCategory(category).label if category in ServiceCategory.values else ""
        return _("%(code)s %(name)s (%(category)s) is unusual with the main diagnosis %(icd)s.") % p
    if code == FlagCode.LATE_ENTRY:
        return _("Entered %(days)s days after the visit ended.") % p
    if code == FlagCode.RANDOM:
        return _("Picked in the random sample of %(percent)s %% of the claims.") % p
    if code == FlagCode.AMOUNT:
        return _("Claims %(claimed)s, at or above the review threshold of %(threshold)s.") % p
    return str(code)
