"""The batch run on small examples worked out by hand (reference sec. 6.8): indices and amounts to the cent,
refusals that change nothing, and claims valued exactly once."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone
from pghistory.models import Events

from batch import services
from batch.models import BatchRun, BatchRunStatus, RelativeIndex, RunClaim
from batch.services import batch_run_execute, batch_run_start
from claim.models import Claim, ClaimItem, ClaimService, ClaimStatus
from insuree.models import Insuree
from location.models import HealthFacility
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from policy.models import Contribution, Policy, PolicyStatus, PriceOrigin, Product, RelativeDistribution
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory, ItemFactory, ServiceFactory
from tests.policy.factories import ProductFactory

FEB_1 = date(2026, 2, 1)


@dataclass
class Scheme:
    product: Product
    insuree: Insuree
    facility: HealthFacility
    user: User


def _scheme(country, user, **product_fields) -> Scheme:
    """A product with one policy of 2026 and one contribution of 365.00 paid on 1 January: 1.00 a day."""
    product = ProductFactory.create(code=product_fields.pop("code", "REL"), **product_fields)
    family = make_family(country.village_a1, members=0)
    policy = Policy.objects.create(
        family=family,
        product=product,
        status=PolicyStatus.ACTIVE,
        value=D("365.00"),
        enroll_date=date(2026, 1, 1),
        start_date=date(2026, 1, 1),
        effective_date=date(2026, 1, 1),
        expiry_date=date(2026, 12, 31),
        created_by=user,
    )
    Contribution.objects.create(
        policy=policy, amount=D("365.00"), receipt=f"R-{product.code}", pay_date=date(2026, 1, 1), pay_type="C",
        created_by=user,
    )  # fmt: skip
    return Scheme(product, family.head, country.facility_a, user)


def _distribute(product: Product, care_type: str, period_type: int, percents: dict[int, str]) -> None:
    for period, percent in percents.items():
        RelativeDistribution.objects.create(
            product=product, care_type=care_type, period_type=period_type, period=period, percent=D(percent)
        )


def _claim(s: Scheme, code: str, processed: date, relative: list[str], fixed: list[str] = (), **dates) -> Claim:  # type: ignore[assignment]
    """A Processed claim with relative-price item lines (valued, unpaid) and fixed-price service lines (paid)."""
    day = dates.pop("date_from", processed)
    claim = Claim.objects.create(
        code=code,
        facility=dates.pop("facility", s.facility),
        insuree=s.insuree,
        date_from=day,
        date_to=dates.pop("date_to", None),
        date_claimed=day,
        icd=DiagnosisFactory.create(),
        created_by=s.user,
        status=ClaimStatus.PROCESSED,
        processed_at=timezone.make_aware(datetime(processed.year, processed.month, processed.day, 10)),
        valuated=sum((D(v) for v in [*relative, *fixed]), D(0)),
        remunerated=sum((D(v) for v in fixed), D(0)),
    )
    for value in relative:
        ClaimItem.objects.create(
            claim=claim, item=ItemFactory.create(), qty_provided=1, price_asked=D(value), price_valuated=D(value),
            product=s.product, price_origin=PriceOrigin.RELATIVE,
        )  # fmt: skip
    for value in fixed:
        ClaimService.objects.create(
            claim=claim, service=ServiceFactory.create(), qty_provided=1, price_asked=D(value), price_valuated=D(value),
            product=s.product, price_origin=PriceOrigin.PRICE_LIST, remunerated_amount=D(value),
        )  # fmt: skip
    return claim


def _paid(claim: Claim) -> tuple[int, D | None, list[D | None]]:
    """The claim's status and remunerated amount, and what each of its item lines was paid by a run (None: waiting)."""
    claim.refresh_from_db()
    paid = services.line_remunerations(claim.pk)
    return claim.status, claim.remunerated, [paid.get(("item", line.pk)) for line in claim.items.order_by("id")]


def _run(user, year: int, month: int, today: date = FEB_1, location=None) -> BatchRun:
    run = batch_run_start(user=user, year=year, month=month, location=location, today=today)
    return batch_run_execute(run)


@pytest.fixture
def monthly(country, scheme_admin) -> Scheme:
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {1: "50", 2: "50"})
    return s


def test_monthly_index_and_amounts_to_the_cent(monthly, scheme_admin):
    # pool: 31 days of January x 1.00 = 31.00; share 50 % -> 15.50; valued 12.34 + 17.66 = 30.00
    # index 15.50 / 30.00 = 0.5166666667; 12.34 x index = 6.3756... -> 6.38; 17.66 x index = 9.1243... -> 9.12
    first = _claim(monthly, "C1", date(2026, 1, 10), ["12.34"], fixed=["10.00"])
    second = _claim(monthly, "C2", date(2026, 1, 31), ["17.66"])
    later = _claim(monthly, "C3", date(2026, 2, 2), ["50.00"])  # processed in February: the next run's

    run = _run(scheme_admin, 2026, 1)

    index = RelativeIndex.objects.get(run=run)
    assert (index.kind, index.care_type, index.period) == ("M", "B", 1)
    assert (index.window_start, index.window_end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert (index.pool, index.share, index.valued, index.index) == (D("31"), D("0.5"), D("30.00"), D("0.5166666667"))
    assert _paid(first) == (ClaimStatus.VALUATED, D("16.38"), [D("6.38")])  # 6.38 + the fixed 10.00
    assert _paid(second) == (ClaimStatus.VALUATED, D("9.12"), [D("9.12")])
    assert _paid(later) == (ClaimStatus.PROCESSED, D("0"), [None])
    assert sorted(RunClaim.objects.values_list("claim__code", "valued", "remunerated")) == [
        ("C1", D("12.34"), D("16.38")),
        ("C2", D("17.66"), D("9.12")),
    ]
    assert run.status == BatchRunStatus.DONE and run.finished_at is not None


def test_nothing_valued_gives_index_one(monthly, scheme_admin):
    # a deductible absorbed the whole relative line: valued 0 -> index 1, the claim is paid its fixed line only
    claim = _claim(monthly, "C1", date(2026, 1, 10), ["0.00"], fixed=["7.25"])

    run = _run(scheme_admin, 2026, 1)

    assert RelativeIndex.objects.get(run=run).index == D("1")
    assert _paid(claim) == (ClaimStatus.VALUATED, D("7.25"), [D("0.00")])


def test_quarterly_index_only_in_the_closing_month(country, scheme_admin):
    s = _scheme(country, scheme_admin, period_rel_prices="Q")
    _distribute(s.product, "B", 4, {1: "25", 2: "25", 3: "25", 4: "25"})
    january = _claim(s, "C1", date(2026, 1, 15), ["10.00"])
    march = _claim(s, "C2", date(2026, 3, 10), ["20.00"])

    february = _run(scheme_admin, 2026, 2, today=date(2026, 3, 1))
    assert not RelativeIndex.objects.filter(run=february).exists()
    assert _paid(january)[0] == ClaimStatus.PROCESSED

    # first quarter: 90 days -> pool 90.00 x 25 % = 22.50; valued 30.00 -> index 0.75
    run = _run(scheme_admin, 2026, 3, today=date(2026, 4, 1))
    index = RelativeIndex.objects.get(run=run)
    assert (index.kind, index.period, index.window_start) == ("Q", 1, date(2026, 1, 1))
    assert (index.pool, index.valued, index.index) == (D("90"), D("30.00"), D("0.75"))
    assert _paid(january) == (ClaimStatus.VALUATED, D("7.50"), [D("7.50")])
    assert _paid(march) == (ClaimStatus.VALUATED, D("15.00"), [D("15.00")])


def test_yearly_index_only_in_december(country, scheme_admin):
    s = _scheme(country, scheme_admin, period_rel_prices="Y")
    _distribute(s.product, "B", 1, {1: "100"})
    march = _claim(s, "C1", date(2026, 3, 10), ["100.00"])
    november = _claim(s, "C2", date(2026, 11, 20), ["46.00"])

    june = _run(scheme_admin, 2026, 6, today=date(2026, 7, 1))
    assert not RelativeIndex.objects.filter(run=june).exists()
    assert _paid(march)[0] == ClaimStatus.PROCESSED

    # the year: 365 days -> pool 365.00 x 100 % = 365.00; valued 146.00 -> index 2.5
    run = _run(scheme_admin, 2026, 12, today=date(2027, 1, 1))
    index = RelativeIndex.objects.get(run=run)
    assert (index.kind, index.period, index.window_start, index.window_end) == (
        "Y",
        1,
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    assert (index.pool, index.valued, index.index) == (D("365"), D("146.00"), D("2.5"))
    assert _paid(march) == (ClaimStatus.VALUATED, D("250.00"), [D("250.00")])
    assert _paid(november) == (ClaimStatus.VALUATED, D("115.00"), [D("115.00")])


def test_in_and_out_patient_indices(country, scheme_admin):
    s = _scheme(country, scheme_admin, period_rel_prices_ip="M", period_rel_prices_op="M")
    _distribute(s.product, "I", 12, {1: "60"})
    _distribute(s.product, "O", 12, {1: "40"})
    # in-patient (several days): 31.00 x 60 % = 18.60 over 10.00 -> 1.86
    stay = _claim(s, "IP", date(2026, 1, 20), ["10.00"], date_from=date(2026, 1, 3), date_to=date(2026, 1, 5))
    # out-patient (one day): 31.00 x 40 % = 12.40 over 5.00 + 19.80 -> 0.5
    visit_1 = _claim(s, "OP1", date(2026, 1, 20), ["5.00"])
    visit_2 = _claim(s, "OP2", date(2026, 1, 21), ["19.80"], date_from=date(2026, 1, 4), date_to=date(2026, 1, 4))

    run = _run(scheme_admin, 2026, 1)

    indices = {i.care_type: (i.valued, i.index) for i in RelativeIndex.objects.filter(run=run)}
    assert indices == {"I": (D("10.00"), D("1.86")), "O": (D("24.80"), D("0.5"))}
    assert _paid(stay) == (ClaimStatus.VALUATED, D("18.60"), [D("18.60")])
    assert _paid(visit_1) == (ClaimStatus.VALUATED, D("2.50"), [D("2.50")])
    assert _paid(visit_2) == (ClaimStatus.VALUATED, D("9.90"), [D("9.90")])


def test_facility_level_tells_in_patient(country, scheme_admin):
    s = _scheme(country, scheme_admin, period_rel_prices_ip="M", period_rel_prices_op="M", ceiling_interpretation="H")
    _distribute(s.product, "I", 12, {1: "60"})
    _distribute(s.product, "O", 12, {1: "40"})
    HealthFacility.objects.filter(pk=country.facility_b.pk).update(level="H")
    hospital_day = _claim(s, "H1", date(2026, 1, 20), ["10.00"], facility=country.facility_b)
    long_stay_at_dispensary = _claim(s, "D1", date(2026, 1, 20), ["4.00"], date_to=date(2026, 1, 25))

    run = _run(scheme_admin, 2026, 1)

    indices = {i.care_type: (i.valued, i.index) for i in RelativeIndex.objects.filter(run=run)}
    assert indices == {"I": (D("10.00"), D("1.86")), "O": (D("4.00"), D("3.1"))}
    assert _paid(hospital_day)[1] == D("18.60")
    assert _paid(long_stay_at_dispensary)[1] == D("12.40")


def test_refused_before_the_month_has_ended(monthly, scheme_admin):
    with pytest.raises(ApplicationError) as exc:
        batch_run_start(user=scheme_admin, year=2026, month=1, today=date(2026, 1, 31))
    assert exc.value.code == "period_not_ended" and "month" in exc.value.fields
    assert not BatchRun.objects.exists()


def test_refused_a_second_time_for_the_same_month_and_location(monthly, scheme_admin, country):
    claim = _claim(monthly, "C1", date(2026, 1, 10), ["12.00"])
    _run(scheme_admin, 2026, 1)
    before = _paid(claim)

    with pytest.raises(ApplicationError) as exc:
        batch_run_start(user=scheme_admin, year=2026, month=1, today=FEB_1)
    assert exc.value.code == "batchrun_unique_period_location" and "month" in exc.value.fields
    assert BatchRun.objects.count() == 1 and _paid(claim) == before
    # a region's run of the same month is another run
    assert batch_run_start(user=scheme_admin, year=2026, month=1, location=country.region_a, today=FEB_1).pk


def test_refused_without_distribution(country, scheme_admin):
    s = _scheme(country, scheme_admin, period_rel_prices="M")
    _distribute(s.product, "B", 12, {2: "100"})  # nothing for January
    ProductFactory.create(code="NOPER").items.create(item=ItemFactory.create(), price_origin=PriceOrigin.RELATIVE)
    claim = _claim(s, "C1", date(2026, 1, 10), ["12.00"])

    with pytest.raises(ApplicationError) as exc:
        batch_run_start(user=scheme_admin, year=2026, month=1, today=FEB_1)

    assert exc.value.code == "no_distribution"
    assert len(exc.value.fields["product"]) == 2
    assert any("NOPER" in m for m in exc.value.fields["product"])
    assert not BatchRun.objects.exists() and _paid(claim)[0] == ClaimStatus.PROCESSED


def test_executing_twice_values_nothing_twice(monthly, scheme_admin):
    claims = [_claim(monthly, f"C{n}", date(2026, 1, 10), ["12.34"]) for n in range(3)]
    run = _run(scheme_admin, 2026, 1)
    paid = [_paid(c) for c in claims]

    run.status = BatchRunStatus.RUNNING  # as if the worker died after the last chunk
    batch_run_execute(run)

    assert [_paid(c) for c in claims] == paid
    assert RunClaim.objects.count() == 3 and RelativeIndex.objects.count() == 1


def test_a_resumed_run_finishes_with_the_same_amounts(monthly, scheme_admin, monkeypatch):
    # 15.50 over 4 x 12.34 = 49.36 -> 0.3140194489 (10 places); each line 12.34 x it = 3.8749999994... -> 3.87
    # (exactly 3.875 with the unrounded index: amounts use the stored index, rules.py)
    claims = [_claim(monthly, f"C{n}", date(2026, 1, 10), ["12.34"]) for n in range(4)]
    run = batch_run_start(user=scheme_admin, year=2026, month=1, today=FEB_1)
    monkeypatch.setattr(services, "CHUNK", 1)
    services._compute_indices(run)
    assert services._value_chunk(run) == (1, claims[0].pk)  # the worker dies here
    _claim(monthly, "LATE", date(2026, 1, 31), ["99.00"])  # a claim arriving meanwhile does not change the index

    batch_run_execute(run)

    assert RelativeIndex.objects.get(run=run).index == D("0.3140194489")
    assert [_paid(c)[1] for c in claims] == [D("3.87")] * 4
    assert RunClaim.objects.filter(run=run).count() == 5


def test_an_expired_product_counts_only_while_its_claims_wait(monthly, scheme_admin):
    old = ProductFactory.create(
        code="OLD", period_rel_prices="M", date_from=date(2020, 1, 1), date_to=date(2025, 12, 31)
    )
    run = batch_run_start(user=scheme_admin, year=2026, month=1, today=FEB_1)  # OLD has no distribution: not asked
    run.delete()

    # a claim processed after the product expired still waits for an index of OLD: its distribution is needed
    late = Scheme(old, monthly.insuree, monthly.facility, scheme_admin)
    _claim(late, "C-OLD", date(2026, 1, 5), ["10.00"])
    with pytest.raises(ApplicationError) as exc:
        batch_run_start(user=scheme_admin, year=2026, month=1, today=FEB_1)
    assert exc.value.fields["product"] == ["OLD has no distribution for Both, period 1"]


def test_the_history_of_the_claim_names_the_run(monthly, scheme_admin):
    claim = _claim(monthly, "C1", date(2026, 1, 10), ["12.00"])
    run = _run(scheme_admin, 2026, 1)

    event = list(Events.objects.tracks(claim).order_by("pgh_created_at"))[-1]
    assert event.pgh_label == "update"
    assert event.pgh_data["status"] == ClaimStatus.VALUATED
    # 15.50 / 12.00 = 1.2916666667; x 12.00 = 15.5000000004
    assert D(str(event.pgh_data["remunerated"])) == D("15.50")
    assert event.pgh_context["batch_run"] == str(run.uuid)
    assert event.pgh_context["user"] == scheme_admin.pk
    assert claim.items.get().remunerated_amount is None  # the line row is not rewritten: its index tells its pay


@pytest.mark.parametrize(("year", "month", "field"), [(2026, 13, "month"), (2026, 0, "month"), (1999, 5, "year")])
def test_refused_a_month_that_does_not_exist(scheme_admin, year, month, field):
    with pytest.raises(ApplicationError) as exc:
        batch_run_start(user=scheme_admin, year=year, month=month, today=FEB_1)
    assert list(exc.value.fields) == [field]
    assert not BatchRun.objects.exists()


def test_capitated_facilities_are_left_out_of_the_index_and_paid_nothing_by_it(country, scheme_admin):
    # capitation pays the level "H" facility A: its 20.00 is left out of the sum and remunerated 0
    # pool 31.00 x 50 % = 15.50 over facility B's 10.00 alone -> index 1.55
    s = _scheme(country, scheme_admin, period_rel_prices="M", share_contribution=D("10"), capitation_level_1="H")
    _distribute(s.product, "B", 12, {1: "50", 2: "50"})
    HealthFacility.objects.filter(pk=country.facility_a.pk).update(level="H")
    HealthFacility.objects.filter(pk=country.facility_b.pk).update(level="D")
    capitated = _claim(s, "CAP", date(2026, 1, 10), ["20.00"], facility=country.facility_a)
    paid = _claim(s, "REL", date(2026, 1, 12), ["10.00"], facility=country.facility_b)

    run = _run(scheme_admin, 2026, 1)

    assert RelativeIndex.objects.get(run=run).valued == D("10.00")
    assert RelativeIndex.objects.get(run=run).index == D("1.55")
    assert _paid(capitated) == (ClaimStatus.VALUATED, D("0.00"), [D("0.00")])
    assert _paid(paid) == (ClaimStatus.VALUATED, D("15.50"), [D("15.50")])


def test_the_run_computes_the_capitation_of_its_month(country, scheme_admin):
    # a monthly capitation product: 31.00 allocated in January x 10 % = 3.10, all on visits, to facility A alone
    from batch.models import CapitationPayment

    s = _scheme(
        country, scheme_admin, code="CAP", share_contribution=D("10"), capitation_level_1="D",
        weight_nb_visits=D("100"),
    )  # fmt: skip
    HealthFacility.objects.filter(pk__in=[country.facility_a.pk, country.facility_b.pk]).update(level="D")
    _claim(s, "V1", date(2026, 1, 10), [], fixed=["10.00"], facility=country.facility_a)

    run = _run(scheme_admin, 2026, 1)

    payments = dict(CapitationPayment.objects.filter(product=s.product).values_list("facility__code", "payment"))
    assert payments == {country.facility_a.code: D("3.10"), country.facility_b.code: D("0.00")}
    assert run.status == BatchRunStatus.DONE


def test_a_national_run_needs_every_region_in_scope(country, monthly):
    from batch.services import batch_run_launch
    from openimis.accounts import roles
    from tests.factories import UserFactory

    regional = UserFactory.create(username="acc_a", role=roles.ACCOUNTANT, scope=[country.region_a])
    with pytest.raises(ApplicationError) as exc:
        batch_run_launch(user=regional, year=2026, month=1)
    assert list(exc.value.fields) == ["location"]
    with pytest.raises(ApplicationError) as exc:
        batch_run_launch(user=regional, year=2026, month=1, location=country.region_b)
    assert exc.value.code == "location_out_of_scope"
    assert not BatchRun.objects.exists()


def test_a_claim_with_lines_waiting_for_different_runs_is_paid_by_each_once(country, scheme_admin):
    # A monthly: January pool 31.00 x 50 % = 15.50 over its line of 10.00 -> index 1.55, paid 15.50 in January
    # B quarterly: Q1 pool 90 days x 1.00 = 90.00 x 25 % = 22.50 over its line of 30.00 -> 0.75, paid 22.50 in March
    a = _scheme(country, scheme_admin, code="A", period_rel_prices="M")
    _distribute(a.product, "B", 12, {1: "50", 2: "25", 3: "25"})
    b = _scheme(country, scheme_admin, code="B", period_rel_prices="Q")
    _distribute(b.product, "B", 4, {1: "25", 2: "25", 3: "25", 4: "25"})
    claim = _claim(a, "MIX", date(2026, 1, 10), ["10.00"], fixed=["5.00"])
    ClaimItem.objects.create(
        claim=claim, item=ItemFactory.create(), qty_provided=1, price_asked=D("30.00"), price_valuated=D("30.00"),
        product=b.product, price_origin=PriceOrigin.RELATIVE,
    )  # fmt: skip

    january = _run(scheme_admin, 2026, 1)
    claim.refresh_from_db()
    assert (claim.status, claim.remunerated) == (ClaimStatus.PROCESSED, D("20.50"))  # 5.00 + 15.50
    assert RunClaim.objects.filter(run=january).values_list("valued", "remunerated").get() == (D("10.00"), D("15.50"))

    march = _run(scheme_admin, 2026, 3, today=date(2026, 4, 1))
    claim.refresh_from_db()
    assert (claim.status, claim.remunerated) == (ClaimStatus.VALUATED, D("43.00"))
    assert RunClaim.objects.filter(run=march).values_list("valued", "remunerated").get() == (D("30.00"), D("27.50"))
    assert sum(RunClaim.objects.filter(claim=claim).values_list("remunerated", flat=True)) == claim.remunerated
    assert sorted(services.line_remunerations(claim.pk).values()) == [D("15.50"), D("22.50")]
