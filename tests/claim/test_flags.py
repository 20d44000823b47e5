"""Automatic adjudication: one test per flag (raised with its figures, and not raised just below its threshold),
the selection for review (flags, random share, amount), the passed claims sent on to processing, the norms, and
the share of claims passed automatically."""

# ruff: noqa: F811 - `insured` is the submission tests' fixture, imported

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from claim import flags, norms, processing, submission
from claim.models import Claim, ClaimFlag, ClaimNorm, ClaimStatus, FlagCode, ReviewStatus
from claim.selectors import auto_pass_share
from medical.models import FacilityPriceLists, ServicePriceListEntry
from openimis.accounts import roles
from policy.models import ProductService
from tests.factories import FacilityFactory, UserFactory
from tests.medical.factories import DiagnosisFactory
from tests.policy.factories import ServiceFactory

from .test_submission import VISIT, _enter, insured  # noqa: F401 - the covered family and its registers

pytestmark = pytest.mark.django_db
RULES: dict[str, dict[str, Any]] = {
    "above_norm": {"enabled": False, "factor": 3, "min_samples": 20},
    "two_facilities": {"enabled": False, "days": 3},
    "frequent": {"enabled": False, "claims": 6, "days": 30},
    "implausible": {"enabled": False, "categories": {"D": ["O", "Z3"], "A": ["O", "Z3"]}},
    "late_entry": {"enabled": False, "days": 30},
}


@pytest.fixture
def only(settings):
    """Switches on one rule (with its figures), all others off."""

    def _only(code: str, **conf):
        rules = {k: dict(v) for k, v in RULES.items()}
        rules[code] |= {"enabled": True, **conf}
        settings.CLAIM_FLAGS = rules

    _only("late_entry", days=100_000)  # by default nothing is flagged
    return _only


def _submit(user, claim) -> Claim:
    submission.claims_submit(user=user, claims=[claim])
    claim.refresh_from_db()
    return claim


def _codes(claim) -> list[str]:
    return list(ClaimFlag.objects.filter(claim=claim).values_list("code", flat=True))


def test_an_unflagged_claim_passes_and_is_sent_to_processing(
    only, claim_admin, country, sale, insured, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claim = _submit(claim_admin, _enter(claim_admin, country, sale.family))
    assert (claim.status, claim.review_status, _codes(claim)) == (ClaimStatus.CHECKED, ReviewStatus.NOT_SELECTED, [])
    assert len(callbacks) == 1  # process_passed, once committed
    assert processing.claims_process_passed(claim_ids=[claim.pk]) == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VALUATED
    assert processing.claims_process_passed(claim_ids=[claim.pk]) == 0  # nothing is valued twice


def test_above_norm_flags_a_line_three_times_the_usual(only, claim_admin, country, sale, insured):
    only("above_norm", factor=3, min_samples=20)
    cons = ProductService.objects.get(product=sale.product).service
    ClaimNorm.objects.create(
        kind="S", target_id=cons.pk, level=country.facility_a.level, samples=25, avg_qty=1, avg_value=1500
    )
    claim = _submit(claim_admin, _enter(claim_admin, country, sale.family))  # 1 x 4500: three times 1500
    assert claim.review_status == ReviewStatus.SELECTED
    flag = ClaimFlag.objects.get(claim=claim)
    assert flag.code == FlagCode.ABOVE_NORM
    assert (flag.params["code"], flag.params["value"], flag.params["avg_value"]) == ("CONS", "4500.00", "1500.00")
    text = flags.explain(flag.code, flag.params)
    assert "CONS" in text and "4500.00" in text and "1500.00" in text


def test_above_norm_needs_enough_samples_and_the_factor(only, claim_admin, country, sale, insured):
    only("above_norm", factor=3, min_samples=20)
    cons = ProductService.objects.get(product=sale.product).service
    norm = ClaimNorm.objects.create(
        kind="S", target_id=cons.pk, level=country.facility_a.level, samples=19, avg_qty=1, avg_value=1500
    )
    first = _submit(claim_admin, _enter(claim_admin, country, sale.family, code="N1"))
    norm.samples, norm.avg_value = 20, Decimal("1501")  # enough samples, but 4500 is less than 3 x 1501
    norm.save()
    second = _submit(claim_admin, _enter(claim_admin, country, sale.family, code="N2"))
    assert (_codes(first), _codes(second)) == ([], [])


def test_two_facilities_flags_the_same_service_a_few_days_apart(only, claim_admin, country, sale, insured):
    only("two_facilities", days=3)
    other = FacilityFactory.create(code="HFA2", name="Facility A2", district=country.district_a)
    lists = FacilityPriceLists.objects.get(facility=country.facility_a)
    FacilityPriceLists.objects.create(
        facility=other, items_price_list=lists.items_price_list, services_price_list=lists.services_price_list
    )
    admin_2 = UserFactory.create(username="claim_admin_2", role=roles.CLAIM_ADMINISTRATOR, scope=[other])
    first = _submit(claim_admin, _enter(claim_admin, country, sale.family, code="A-1"))
    far = _submit(
        admin_2,
        _enter(admin_2, country, sale.family, code="B-0", facility=other, date_from=VISIT + timedelta(days=4)),
    )
    near = _submit(
        admin_2,
        _enter(admin_2, country, sale.family, code="B-1", facility=other, date_from=VISIT + timedelta(days=3)),
    )
    assert _codes(first) == []  # alone when it came
    assert _codes(far) == []  # 4 days apart
    assert _codes(near) == [FlagCode.TWO_FACILITIES]
    params = ClaimFlag.objects.get(claim=near).params
    assert (params["other_claim"], params["other_facility"], params["days"]) == ("A-1", "Facility A", 3)
    assert "Facility A" in flags.explain(FlagCode.TWO_FACILITIES, params)


def test_frequent_claimant(only, claim_admin, country, sale, insured):
    only("frequent", claims=3, days=30)
    done = [
        _submit(claim_admin, _enter(claim_admin, country, sale.family, code=f"F{n}", date_from=VISIT + timedelta(n)))
        for n in range(3)
    ]
    assert [_codes(c) for c in done] == [[], [], [FlagCode.FREQUENT]]
    assert ClaimFlag.objects.get(claim=done[2]).params == {"claims": 3, "days": 30, "limit": 3}


def test_implausible_service_for_the_diagnosis(only, claim_admin, country, sale, insured):
    only("implausible", categories={"D": ["O", "Z3"]})
    delivery = ServiceFactory.create(code="DELIV", price=Decimal("20000"), category="D")
    ProductService.objects.create(product=sale.product, service=delivery)
    lists = FacilityPriceLists.objects.get(facility=country.facility_a)
    assert lists.services_price_list is not None
    ServicePriceListEntry.objects.create(price_list=lists.services_price_list, service=delivery)
    DiagnosisFactory.create(code="O80", name="Single spontaneous delivery")
    services = [{"code": "DELIV", "qty": 1}]
    malaria = _submit(claim_admin, _enter(claim_admin, country, sale.family, code="D1", services=services))
    assert _codes(malaria) == [FlagCode.IMPLAUSIBLE]
    assert "B54" in flags.explain(FlagCode.IMPLAUSIBLE, ClaimFlag.objects.get(claim=malaria).params)
    birth = _submit(
        claim_admin, _enter(claim_admin, country, sale.family, code="D2", services=services, diagnoses=["O80"])
    )
    assert _codes(birth) == []


def test_late_entry(only, claim_admin, country, sale, insured):
    late = (timezone.localdate() - VISIT).days  # the claims below are entered today for a visit on VISIT
    only("late_entry", days=late - 1)
    flagged = _submit(claim_admin, _enter(claim_admin, country, sale.family, code="L1"))
    assert ClaimFlag.objects.get(claim=flagged).params == {"days": late, "limit": late - 1}
    only("late_entry", days=late)
    assert _codes(_submit(claim_admin, _enter(claim_admin, country, sale.family, code="L2"))) == []


def test_random_sample_is_a_fixed_draw_from_the_uuid(only, settings, claim_admin, country, sale, insured):
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 100.0
    claim = _submit(claim_admin, _enter(claim_admin, country, sale.family))
    assert (claim.review_status, _codes(claim)) == (ReviewStatus.SELECTED, [FlagCode.RANDOM])
    # the draw: the uuid's number modulo 10,000 below percent x 100
    assert flags.drawn_for_sample(claim, 0.01) == (claim.uuid.int % 10_000 < 1)
    assert not flags.drawn_for_sample(claim, 0)


def test_amount_threshold(only, settings, claim_admin, country, sale, insured):
    settings.CLAIM_REVIEW_AMOUNT_AT_LEAST = 7500
    at = _submit(claim_admin, _enter(claim_admin, country, sale.family, code="M1"))  # claims 7500
    settings.CLAIM_REVIEW_AMOUNT_AT_LEAST = 7501
    below = _submit(claim_admin, _enter(claim_admin, country, sale.family, code="M2"))
    assert (_codes(at), _codes(below)) == ([FlagCode.AMOUNT], [])
    assert "7500" in flags.explain(FlagCode.AMOUNT, ClaimFlag.objects.get(claim=at).params)


def test_a_rejected_claim_is_not_adjudicated(only, settings, claim_admin, country, sale, insured):
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 100.0
    claim = _submit(
        claim_admin, _enter(claim_admin, country, sale.family, date_from=date(2020, 1, 1), date_claimed=None)
    )
    assert (claim.status, claim.review_status, _codes(claim)) == (ClaimStatus.REJECTED, ReviewStatus.IDLE, [])


def test_norms_are_the_averages_of_accepted_claims(only, claim_admin, country, sale, insured):
    for n in range(3):
        claim = _submit(claim_admin, _enter(claim_admin, country, sale.family, code=f"R{n}"))
        processing.claims_process_passed(claim_ids=[claim.pk])
    _enter(claim_admin, country, sale.family, code="ENTERED")  # not accepted: not counted
    assert norms.norms_refresh() == 2  # AMX250 and CONS at facility A's level
    cons = ClaimNorm.objects.get(kind="S")
    assert (cons.samples, cons.avg_qty, cons.avg_value) == (3, Decimal("1.00"), Decimal("4500.00"))
    amx = ClaimNorm.objects.get(kind="I")
    assert (amx.samples, amx.avg_qty, amx.avg_value) == (3, Decimal("10.00"), Decimal("3000.00"))
    Claim.objects.update(date_from=VISIT - timedelta(days=400), date_to=None)  # older than a year
    assert norms.norms_refresh(today=VISIT) == 0


def test_share_passed_automatically(only, settings, claim_admin, medical_officer, country, sale, insured):
    for n in range(3):
        _submit(claim_admin, _enter(claim_admin, country, sale.family, code=f"P{n}"))
    settings.CLAIM_REVIEW_RANDOM_PERCENT = 100.0
    _submit(claim_admin, _enter(claim_admin, country, sale.family, code="S1"))
    _submit(claim_admin, _enter(claim_admin, country, sale.family, code="X", date_from=date(2020, 1, 1)))  # rejected
    _enter(claim_admin, country, sale.family, code="E")  # not submitted
    share = auto_pass_share(medical_officer, since=timezone.localdate() - timedelta(days=1))
    assert (share.passed, share.adjudicated, share.percent) == (3, 4, Decimal("75.0"))
    nobody_sees = auto_pass_share(
        UserFactory.create(username="mo_b", role=roles.MEDICAL_OFFICER, scope=[country.region_b])
    )
    assert (nobody_sees.adjudicated, nobody_sees.percent) == (0, None)
