"""Capitation on a small example worked out by hand (reference sec. 6.9): each facility's payment to the cent, the
payments adding up to the pool's share, refusals that change nothing, and recomputing replacing the month."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from batch.capitation import capitation_compute
from batch.models import CapitationPayment
from claim.models import Claim, ClaimItem, ClaimService, ClaimStatus
from insuree.models import Family, Insuree
from location.models import HealthFacility, HealthFacilityCatchment, Location
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from policy.models import Contribution, InsureePolicy, Policy, PolicyStatus, Product
from tests.factories import FacilityFactory
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory, ItemFactory, ServiceFactory
from tests.policy.factories import ProductFactory

FEB_1 = date(2026, 2, 1)
WEIGHTS = {
    "weight_population": D("10"),
    "weight_nb_families": D("10"),
    "weight_insured_population": D("20"),
    "weight_nb_insured_families": D("20"),
    "weight_nb_visits": D("20"),
    "weight_adjusted_amount": D("20"),
}


@dataclass
class Capitated:
    product: Product
    hfa: HealthFacility
    hfb: HealthFacility
    hfc: HealthFacility
    insuree: Insuree
    user: User


def _population(village: Location, male: int, female: int, families: int) -> None:
    Location.objects.filter(pk=village.pk).update(male_population=male, female_population=female, families=families)


def _cover(family: Family, product: Product, user: User, expiry: date = date(2026, 12, 31)) -> Policy:
    policy = Policy.objects.create(
        family=family, product=product, status=PolicyStatus.ACTIVE, value=D("100.00"), enroll_date=date(2026, 1, 1),
        start_date=date(2026, 1, 1), effective_date=date(2026, 1, 1), expiry_date=expiry, created_by=user,
    )  # fmt: skip
    for insuree in Insuree.objects.filter(family=family):
        InsureePolicy.objects.create(
            insuree=insuree, policy=policy, enroll_date=date(2026, 1, 1), start_date=date(2026, 1, 1),
            effective_date=date(2026, 1, 1), expiry_date=expiry,
        )  # fmt: skip
    return policy


def _claim(
    s: Capitated, code: str, facility: HealthFacility, processed: date | None, lines: list[tuple[str, str, str | None]],
    status: int = ClaimStatus.PROCESSED, product: Product | None = None,
) -> Claim:  # fmt: skip
    """A claim with item lines (price adjusted, quantity provided, quantity approved) and one service line of 5.00."""
    claim = Claim.objects.create(
        code=code, facility=facility, insuree=s.insuree, date_from=date(2026, 1, 5), date_claimed=date(2026, 1, 5),
        icd=DiagnosisFactory.create(), created_by=s.user, status=status,
        processed_at=timezone.make_aware(datetime(processed.year, processed.month, processed.day, 10))
        if processed else None,
    )  # fmt: skip
    for price, qty, approved in lines:
        ClaimItem.objects.create(
            claim=claim, item=ItemFactory.create(), qty_provided=D(qty), qty_approved=D(approved) if approved else None,
            price_asked=D(price), price_adjusted=D(price), product=product or s.product,
        )  # fmt: skip
    return claim


@pytest.fixture
def capitated(country, scheme_admin) -> Capitated:
    """Three dispensaries (HFA and HFC in district A, HFB in district B) and a hospital that is not capitated.

    population: VA1 100 (20 families), VA2 200 (40), VB1 300 (50); catchments: HFA = VA1 100 % + VA2 50 %,
    HFB = VB1 100 %, HFC = VA2 50 %, the hospital VA1 100 %.
    insured on 31 January: a family of 2 in VA1, a family of 3 in VA2, a family of 1 in VB1 (a family of VB1
    whose cover ended on 15 January does not count).
    pool: 3,650.00 paid on 1 January for the year = 10.00 a day -> 310.00 for January; share 50 % -> 155.00.
    """
    product = ProductFactory.create(code="CAP", share_contribution=D("50"), capitation_level_1="D", **WEIGHTS)
    hfa, hfb = country.facility_a, country.facility_b
    hfc = FacilityFactory.create(code="HFC", district=country.district_a, level="D")
    hospital = FacilityFactory.create(code="HFH", district=country.district_a, level="H")
    _population(country.village_a1, 60, 40, 20)
    _population(country.village_a2, 100, 100, 40)
    _population(country.village_b1, 150, 150, 50)
    for facility, village, percent in [
        (hfa, country.village_a1, "100"),
        (hfa, country.village_a2, "50"),
        (hfb, country.village_b1, "100"),
        (hfc, country.village_a2, "50"),
        (hospital, country.village_a1, "100"),
    ]:
        HealthFacilityCatchment.objects.create(facility=facility, village=village, percentage=D(percent))
    first = make_family(country.village_a1, members=1)
    policy = _cover(first, product, scheme_admin)
    Contribution.objects.create(
        policy=policy, amount=D("3650.00"), receipt="R-CAP", pay_date=date(2026, 1, 1), pay_type="C",
        created_by=scheme_admin,
    )  # fmt: skip
    _cover(make_family(country.village_a2, members=2), product, scheme_admin)
    _cover(make_family(country.village_b1, members=0), product, scheme_admin)
    _cover(make_family(country.village_b1, members=3), product, scheme_admin, expiry=date(2026, 1, 15))
    s = Capitated(product, hfa, hfb, hfc, first.head, scheme_admin)
    # visits and adjusted amounts: HFA 2 claims, 10.00 x 2 + 5.00 x 1 = 25.00 and 15.00 x 2 (approved) = 30.00;
    # HFB 1 claim (already Valuated) of 45.00; total 3 visits, 100.00
    first_claim = _claim(s, "A1", hfa, date(2026, 1, 10), [("10.00", "2", None)])
    ClaimService.objects.create(
        claim=first_claim, service=ServiceFactory.create(), qty_provided=1, price_asked=D("5.00"),
        price_adjusted=D("5.00"), product=product,
    )  # fmt: skip
    _claim(s, "A2", hfa, date(2026, 1, 31), [("15.00", "3", "2")])
    _claim(s, "B1", hfb, date(2026, 1, 20), [("45.00", "1", None)], status=ClaimStatus.VALUATED)
    # not counted: processed in February, not processed yet, another product's lines, a facility not capitated
    _claim(s, "A3", hfa, date(2026, 2, 1), [("99.00", "1", None)])
    _claim(s, "B2", hfb, None, [("99.00", "1", None)], status=ClaimStatus.CHECKED)
    _claim(s, "C1", hfc, date(2026, 1, 12), [("99.00", "1", None)], product=ProductFactory.create(code="OTHER"))
    _claim(s, "H1", hospital, date(2026, 1, 12), [("99.00", "1", None)])
    return s


def _payments(product: Product, year: int = 2026, month: int = 1) -> dict[str, D]:
    rows = CapitationPayment.objects.filter(product=product, year=year, month=month)
    return dict(rows.values_list("facility__code", "payment"))


def test_payments_to_the_cent(capitated):
    # parts of 155.00: population 15.50, families 15.50, insured people, insured families, visits, amount 31.00 each
    # population 200/300/100: 5.17 7.75 2.58; families 40/50/20: 5.64 7.05 2.82 = 15.51, HFB (largest) 7.04
    # insured people 3.5/1/1.5: 18.08 5.17 7.75; insured families 1.5/1/0.5: 15.50 10.33 5.17
    # visits 2/1/0: 20.67 10.33 0; adjusted amount 55.00/45.00/0: 17.05 13.95 0
    rows = capitation_compute(product=capitated.product, year=2026, month=1, today=FEB_1)

    assert len(rows) == 3
    assert _payments(capitated.product) == {"HFA": D("82.11"), "HFB": D("54.57"), "HFC": D("18.32")}
    assert sum(_payments(capitated.product).values()) == D("155.00")
    hfa = CapitationPayment.objects.get(facility=capitated.hfa)
    assert (hfa.population, hfa.families, hfa.insured_people, hfa.insured_families) == (
        D("200"),
        D("40"),
        D("3.5"),
        D("1.5"),
    )
    assert (hfa.visits, hfa.adjusted_amount, hfa.pool) == (2, D("55.00"), D("310"))
    assert (hfa.window_start, hfa.window_end) == (date(2026, 1, 1), date(2026, 1, 31))
    hfb = CapitationPayment.objects.get(facility=capitated.hfb)
    assert [
        hfb.paid_population,
        hfb.paid_families,
        hfb.paid_insured_people,
        hfb.paid_insured_families,
        hfb.paid_visits,
        hfb.paid_adjusted_amount,
    ] == [D("7.75"), D("7.04"), D("5.17"), D("10.33"), D("10.33"), D("13.95")]
    hfc = CapitationPayment.objects.get(facility=capitated.hfc)
    assert (hfc.population, hfc.insured_people, hfc.visits, hfc.adjusted_amount) == (D("100"), D("1.5"), 0, D("0"))


def test_regional_product_pays_its_facilities_only(capitated, country):
    Product.objects.filter(pk=capitated.product.pk).update(location=country.region_a)
    capitated.product.refresh_from_db()

    capitation_compute(product=capitated.product, year=2026, month=1, today=FEB_1)

    # HFB is outside region A: HFA and HFC share the whole 155.00
    payments = _payments(capitated.product)
    assert set(payments) == {"HFA", "HFC"}
    assert sum(payments.values()) == D("155.00")


def test_recomputing_replaces_the_month(capitated):
    capitation_compute(product=capitated.product, year=2026, month=1, today=FEB_1)
    first_ids = set(CapitationPayment.objects.values_list("id", flat=True))
    Claim.objects.filter(code="A2").update(facility=capitated.hfc)  # HFC now has a visit of 30.00

    capitation_compute(product=capitated.product, year=2026, month=1, today=FEB_1)

    assert CapitationPayment.objects.count() == 3
    assert not first_ids & set(CapitationPayment.objects.values_list("id", flat=True))
    # visits 1/1/1: 10.33 10.33 10.34 (remainder to the first largest: HFA); amounts 25/45/30: 7.75 13.95 9.30
    payments = _payments(capitated.product)
    assert payments == {
        "HFA": D("5.17") + D("5.64") + D("18.08") + D("15.50") + D("10.34") + D("7.75"),
        "HFB": D("7.75") + D("7.04") + D("5.17") + D("10.33") + D("10.33") + D("13.95"),
        "HFC": D("2.58") + D("2.82") + D("7.75") + D("5.17") + D("10.33") + D("9.30"),
    }
    assert sum(payments.values()) == D("155.00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"share_contribution": None}, "share_contribution"), ({"capitation_level_1": ""}, "capitation_level_1")],
)
def test_product_without_capitation_is_refused(capitated, fields, field):
    Product.objects.filter(pk=capitated.product.pk).update(**fields)
    capitated.product.refresh_from_db()

    with pytest.raises(ApplicationError) as error:
        capitation_compute(product=capitated.product, year=2026, month=1, today=FEB_1)

    assert error.value.code == "no_capitation" and field in error.value.fields
    assert not CapitationPayment.objects.exists()


def test_month_not_ended_is_refused(capitated):
    with pytest.raises(ApplicationError) as error:
        capitation_compute(product=capitated.product, year=2026, month=1, today=date(2026, 1, 31))

    assert error.value.code == "period_not_ended"
    assert not CapitationPayment.objects.exists()


def test_quarterly_product_outside_its_closing_month_is_refused(capitated):
    Product.objects.filter(pk=capitated.product.pk).update(period_rel_prices="Q")
    capitated.product.refresh_from_db()

    with pytest.raises(ApplicationError) as error:
        capitation_compute(product=capitated.product, year=2026, month=1, today=FEB_1)

    assert error.value.code == "period_not_closing"
    assert not CapitationPayment.objects.exists()
