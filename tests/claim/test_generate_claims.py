"""The synthetic claim history at small scale (2,000 claims for about 2,900 generated insurees): every claim's person
covered on the visit by the policy that pays its lines, at a facility of their district; codes unique; the status
mix; line counts and amounts; the claims waiting for review flagged with figures that hold in the data; the same
seed gives the same claims, and a second run writes nothing."""

import io
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Upper
from django.utils import timezone

from claim.checks import claim_category
from claim.management.commands.generate_claims import REVIEW_EVERY, claim_code, claim_uuid
from claim.models import (
    Claim,
    ClaimBooking,
    ClaimFlag,
    ClaimItem,
    ClaimService,
    ClaimStatus,
    FlagCode,
    LineStatus,
    ReviewStatus,
)
from insuree.models import Insuree
from policy.models import InsureePolicy, PolicyStatus

pytestmark = pytest.mark.django_db

FAMILIES = 700
CLAIMS = 2000
S = ClaimStatus


def _registers() -> None:
    from medical import demo

    with transaction.atomic():
        demo.load(io.StringIO(), password="irrelevant")


def _insurees_and_policies() -> None:
    call_command("generate_insurees", families=FAMILIES, seed=5, stdout=io.StringIO())
    with connection.cursor() as cursor:  # run the deferred checks of the insurees (head is a member) now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    call_command("generate_policies", seed=2, chunk=200, stdout=io.StringIO())


def _generate_claims(seed: int = 3) -> str:
    out = io.StringIO()
    call_command("generate_claims", claims=CLAIMS, seed=seed, chunk=400, stdout=out)
    return out.getvalue()


@pytest.fixture
def generated(country) -> str:
    _registers()
    _insurees_and_policies()
    return _generate_claims()


def _target(claim: Claim):  # type: ignore[no-untyped-def]
    return claim.date_to or claim.date_from


def test_claims_for_covered_people_at_facilities_of_their_district(generated):
    assert f"Created {CLAIMS:,} claims (0 already there)" in generated
    claims = list(Claim.objects.select_related("facility", "insuree__family__village"))
    assert len(claims) == CLAIMS
    today = timezone.localdate()
    covers = defaultdict(list)
    for cover in InsureePolicy.objects.filter(
        effective_date__isnull=False, policy__status__in=[PolicyStatus.ACTIVE, PolicyStatus.EXPIRED]
    ).select_related("policy"):
        covers[cover.insuree_id].append(cover)
    paid_by: dict[int, set[int]] = defaultdict(set)
    for model in (ClaimItem, ClaimService):
        for claim_id, policy_id in model.objects.filter(policy__isnull=False).values_list("claim_id", "policy_id"):
            paid_by[claim_id].add(policy_id)
    for claim in claims:
        target = _target(claim)
        assert today - timedelta(days=365) <= claim.date_from <= target < today
        assert claim.insuree.status == "AC"
        valid = {
            c.policy_id
            for c in covers[claim.insuree_id]
            if c.effective_date is not None
            and c.effective_date <= claim.date_from
            and c.expiry_date >= target
            and c.policy.start_date <= claim.date_from
            and target <= c.policy.expiry_date
        }
        assert valid, claim.code  # covered on every day of the visit
        assert paid_by[claim.pk] <= valid  # and the lines are paid by such a policy
        district = claim.insuree.family.village.path.split(".")[1]
        assert str(claim.facility.district_id) == district and claim.facility.code.startswith("G")
        assert claim.created_by.username == "gen_claim_admin"
        if claim.date_to is not None:  # stays at the hospital or the health centre
            assert claim.date_to > claim.date_from and claim.facility.level in ("H", "C")
    # codes unique per facility, whatever the case; the n-th claim's code and uuid
    assert not Claim.objects.values("facility", c=Upper("code")).annotate(n=Count("id")).filter(n__gt=1).exists()
    assert set(Claim.objects.values_list("code", flat=True)) == {claim_code(3, k) for k in range(1, CLAIMS + 1)}
    assert Claim.objects.get(code=claim_code(3, 17)).uuid == claim_uuid(3, 17)


def test_statuses_lines_and_amounts(generated):
    claims = {c.pk: c for c in Claim.objects.all()}
    statuses = Counter((c.status, c.review_status) for c in claims.values())
    accepted = statuses[(S.VALUATED, ReviewStatus.NOT_SELECTED)] + statuses[(S.PROCESSED, ReviewStatus.NOT_SELECTED)]
    rejected = statuses[(S.REJECTED, ReviewStatus.IDLE)]
    entered = statuses[(S.ENTERED, ReviewStatus.IDLE)]
    waiting = statuses[(S.CHECKED, ReviewStatus.NOT_SELECTED)]
    selected = statuses[(S.CHECKED, ReviewStatus.SELECTED)]
    assert accepted + rejected + entered + waiting + selected == CLAIMS, statuses
    assert 0.80 <= accepted / CLAIMS <= 0.90
    assert 0.04 <= rejected / CLAIMS <= 0.10
    assert 0 < entered / CLAIMS <= 0.025
    assert 0.02 <= waiting / CLAIMS <= 0.07
    assert selected == CLAIMS // REVIEW_EVERY

    lines: dict[int, list[ClaimItem | ClaimService]] = defaultdict(list)
    services_of: dict[int, list[str]] = defaultdict(list)
    kinds: dict[int, Counter[str]] = defaultdict(Counter)
    for item in ClaimItem.objects.all():
        lines[item.claim_id].append(item)
        kinds[item.claim_id]["item"] += 1
    for service in ClaimService.objects.select_related("service"):
        lines[service.claim_id].append(service)
        services_of[service.claim_id].append(service.service.category)
        kinds[service.claim_id]["service"] += 1
    bookings = dict(ClaimBooking.objects.values_list("claim_id", "remunerated"))
    for pk, claim in claims.items():
        assert 1 <= kinds[pk]["item"] <= 3 and 1 <= kinds[pk]["service"] <= 2, claim.code
        mine = lines[pk]
        assert claim.claimed == sum((ln.qty_provided * ln.price_asked for ln in mine), Decimal(0))
        if claim.status == S.ENTERED:
            assert claim.submitted_at is None and claim.category == "" and claim.approved is None
            assert all(ln.status == LineStatus.PASSED and ln.policy_id is None for ln in mine)
            continue
        assert claim.submitted_at is not None and claim.submitted_at >= claim.created_at
        multi_day = claim.date_to is not None and claim.date_to != claim.date_from
        assert claim.category == claim_category(services_of[pk], multi_day=multi_day), claim.code
        passed = [ln for ln in mine if ln.status == LineStatus.PASSED]
        if claim.status == S.REJECTED:
            assert not passed and claim.approved == 0 and claim.rejection_reason in (1, 9, 11, 12, 13, 14, 15, 19)
            assert all(ln.rejection_reason and ln.qty_approved == 0 for ln in mine)
            if claim.rejection_reason == 9:
                assert claim.date_claimed < claim.date_from
            elif claim.rejection_reason != 1:  # a category's maximum: every line with it
                assert {ln.rejection_reason for ln in mine} == {claim.rejection_reason}
            continue
        assert passed and claim.rejection_reason == 0
        assert claim.approved == sum((ln.qty_provided * ln.price_adjusted for ln in passed), Decimal(0))
        assert all(ln.policy_id and ln.product_id and ln.price_origin for ln in passed)
        if claim.status == S.CHECKED:
            assert claim.valuated is None and claim.processed_at is None
            continue
        relative = any(ln.price_origin == "R" for ln in passed)
        assert claim.status == (S.PROCESSED if relative else S.VALUATED)
        assert claim.valuated == sum((ln.price_valuated for ln in passed), Decimal(0)) == bookings[pk]
        assert claim.remunerated == sum((ln.remunerated_amount or Decimal(0) for ln in passed), Decimal(0))
        assert all(0 <= ln.price_valuated <= ln.qty_provided * ln.price_adjusted for ln in passed)
        assert claim.processed_at is not None and claim.processed_at > claim.submitted_at
    # hospital stays and emergencies happen; some lines of accepted claims are rejected
    assert any(c.date_to for c in claims.values()) and any(c.visit_type == "E" for c in claims.values())
    assert ClaimItem.objects.filter(claim__status=S.VALUATED, status=LineStatus.REJECTED).exists()


def test_claims_waiting_for_review_have_flags_that_hold(generated):
    waiting = Claim.objects.filter(status=S.CHECKED, review_status=ReviewStatus.SELECTED)
    assert waiting.count() == CLAIMS // REVIEW_EVERY
    assert not waiting.filter(flags__isnull=True).exists()
    assert not ClaimFlag.objects.exclude(claim__in=waiting).exists()
    codes = Counter(ClaimFlag.objects.values_list("code", flat=True))
    assert set(codes) <= set(FlagCode.values)
    assert {FlagCode.ABOVE_NORM, FlagCode.TWO_FACILITIES, FlagCode.FREQUENT, FlagCode.LATE_ENTRY} <= set(codes)
    for flag in ClaimFlag.objects.select_related("claim__facility", "claim__icd"):
        claim, p = flag.claim, flag.params
        assert flag.created_at == claim.submitted_at
        if flag.code == FlagCode.ABOVE_NORM:
            assert p["kind"] == "item" and p["level"] == claim.facility.level
            line = ClaimItem.objects.get(claim=claim, item__code=p["code"])
            assert line.qty_provided == Decimal(p["qty"]) and line.item.name == p["name"]
            assert Decimal(p["qty"]) >= 3 * Decimal(p["avg_qty"]) and Decimal(p["value"]) >= 3 * Decimal(p["avg_value"])
        elif flag.code == FlagCode.TWO_FACILITIES:
            other = Claim.objects.select_related("facility").get(code=p["other_claim"])
            assert other.insuree_id == claim.insuree_id and other.facility_id != claim.facility_id
            assert other.facility.name == p["other_facility"] and other.status in (S.VALUATED, S.PROCESSED)
            assert p["days"] == abs((claim.date_from - other.date_from).days) <= p["limit"]
            for c in (claim, other):
                assert ClaimService.objects.filter(claim=c, service__code=p["code"], status=LineStatus.PASSED).exists()
        elif flag.code == FlagCode.FREQUENT:
            within = Claim.objects.filter(
                insuree=claim.insuree,
                status__in=[S.CHECKED, S.PROCESSED, S.VALUATED],
                date_from__range=(claim.date_from - timedelta(days=p["days"]), claim.date_from),
            )
            assert within.count() == p["claims"] >= p["limit"]
        elif flag.code == FlagCode.IMPLAUSIBLE:
            watched = ClaimService.objects.filter(
                claim=claim, service__code=p["code"], service__category__in=["D", "A"]
            )
            assert watched.exists() and p["category"] in ("D", "A")
            assert p["icd"] == claim.icd.code and not claim.icd.code.startswith(("O", "Z3"))
        elif flag.code == FlagCode.LATE_ENTRY:
            entered = timezone.localdate(claim.created_at)
            assert p["days"] == (entered - _target(claim)).days > p["limit"]
        else:
            assert flag.code == FlagCode.RANDOM and p["percent"] > 0
    # visits with a delivery or antenatal service have a pregnancy diagnosis, unless flagged implausible
    implausible = set(ClaimFlag.objects.filter(code=FlagCode.IMPLAUSIBLE).values_list("claim_id", flat=True))
    for claim in Claim.objects.filter(services__service__category__in=["D", "A"]).select_related("icd").distinct():
        assert claim.pk in implausible or claim.icd.code.startswith(("O", "Z3")), claim.code


def test_history_recorded_and_a_second_run_writes_nothing(generated):
    counts = (Claim.objects.count(), ClaimItem.objects.count(), ClaimService.objects.count(), ClaimFlag.objects.count())
    events = apps.get_model("claim", "ClaimEvent").objects.filter(
        pgh_label="insert", pgh_context__metadata__command="generate_claims"
    )
    assert events.count() == counts[0]
    assert apps.get_model("claim", "ClaimItemEvent").objects.filter(pgh_label="insert").count() == counts[1]
    again = _generate_claims()
    assert f"Created 0 claims ({CLAIMS:,} already there)" in again
    assert (
        Claim.objects.count(),
        ClaimItem.objects.count(),
        ClaimService.objects.count(),
        ClaimFlag.objects.count(),
    ) == counts


def _fingerprint() -> tuple[list[tuple], list[tuple], list[tuple]]:
    claims = sorted(
        Claim.objects.values_list(
            "uuid", "code", "facility__code", "insuree_id", "date_from", "date_to", "date_claimed", "status",
            "review_status", "category", "claimed", "approved", "valuated", "icd_id",
        )
    )  # fmt: skip
    lines = sorted(
        [*ClaimItem.objects.values_list("claim__code", "item_id", "qty_provided", "status", "rejection_reason")]
        + [*ClaimService.objects.values_list("claim__code", "service_id", "qty_provided", "status", "rejection_reason")]
    )
    flags = sorted((code, flag, str(params)) for code, flag, params in ClaimFlag.objects.values_list(
        "claim__code", "code", "params"
    ))  # fmt: skip
    return claims, lines, flags


def test_same_seed_same_claims(generated):
    first = _fingerprint()
    Claim.objects.all().delete()
    assert "Created 2,000 claims" in _generate_claims()
    assert _fingerprint() == first
    _generate_claims(seed=4)  # another seed: other claims, other codes
    assert Claim.objects.count() == 2 * CLAIMS
    other = Claim.objects.filter(code__startswith="G4-")
    assert other.count() == CLAIMS
    assert set(other.values_list("insuree_id", "date_from")[:100]) != set(
        Claim.objects.filter(code__startswith="G3-").values_list("insuree_id", "date_from")[:100]
    )


def test_needs_policies(country):
    _registers()
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Nobody was covered|No product covers"):
        call_command("generate_claims", claims=40, stdout=io.StringIO())
    assert not Insuree.objects.exists() and not Claim.objects.exists()
