"""Capitation payments of a product for a month (reference sec. 6.9).

Rules enforced:
- Only a product with capitation configured: a share of contributions for capitation (`share_contribution`) and at
  least `capitation_level_1`; otherwise a refusal naming the missing field, nothing changed.
- Only a month that has ended (its last day is before today), as for a batch run.
- The pool is the product's contributions allocated to the window of its relative-pricing period (general period,
  else out-patient, else in-patient, else the month; reference 6.9), computed by the batch run's SQL
  (`services._pool`). A quarterly or yearly product has capitation only in the closing month of its period: another
  month is refused.
- Eligible facilities: those whose level matches one of the product's capitation levels 1-4 and, when that level
  has a sub-level, whose sub-level matches too; within the product's region or district when it has one.
- Measures per facility (set-based SQL, one query per kind, grouped by facility), catchment percentages applied:
  population (male + female + other) and families of its catchment villages; insured people and insured families
  living in those villages (family village, else the insuree's current village) covered by a policy of the product
  on the month's last day (insuree-policy effective on or before it, expiring on or after it: the expiry date is the
  last day of cover here, so the reference's "month end < expiry" would drop every calendar-year policy in
  December); visits = the claims of the facility with status Processed or Valuated, processed (local date) in the
  month, with passed lines of the product; adjusted amount = Σ price_adjusted x quantity (approved, else provided)
  of those lines.
- Amounts by `rules.capitation`: pool x share x weight per measure, split in proportion to the measures, to the
  cent, adding up to each part exactly. Weights and share are percentages on the product (empty weight = 0).
  Each row keeps the facility's share of each of the six parts (`paid_*`); the payment is their sum (a database
  check).
- Recomputing a month replaces the product's rows of that month in one transaction (the product row is locked, so
  two concurrent computations of the same product run one after the other).
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claim.models import ClaimStatus, LineStatus
from openimis.common.exceptions import ApplicationError
from policy.models import CAPITATION_LEVELS, Product

from . import rules
from .models import CapitationPayment

# private, but the one place the pool of allocated contributions is computed: reused rather than copied
from .services import _pool

# the product's weight field for each measure of rules.MEASURES
WEIGHTS = {
    "population": "weight_population",
    "families": "weight_nb_families",
    "insured_people": "weight_insured_population",
    "insured_families": "weight_nb_insured_families",
    "visits": "weight_nb_visits",
    "adjusted_amount": "weight_adjusted_amount",
}

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def capitation_window(product: Product, year: int, month: int) -> tuple[date, date] | None:
    """The window of the product's capitation closing in the month, None in a month that closes none."""
    kind = product.period_rel_prices or product.period_rel_prices_op or product.period_rel_prices_ip or "M"
    return rules.period_window(year, month, kind)


def _window(product: Product, year: int, month: int) -> tuple[date, date]:
    window = capitation_window(product, year, month)
    if window is None:
        raise ApplicationError.for_field(
            "month",
            _("The capitation of %(product)s is computed only in the last month of its period.")
            % {"product": product.code},
            code="period_not_closing",
        )
    return window


def _facilities(product: Product) -> list[int]:
    """The ids of the facilities the product's capitation levels and location make eligible."""
    levels, params = [], []
    for level_field, sublevel_field in CAPITATION_LEVELS:
        level, sublevel = getattr(product, level_field), getattr(product, sublevel_field)
        if not level:
            continue
        if sublevel:
            levels.append("(hf.level = %s AND hf.sub_level = %s)")
            params += [level, sublevel]
        else:
            levels.append("hf.level = %s")
            params.append(level)
    where = " OR ".join(levels)
    located = ""
    if product.location_id is not None:
        located = "AND (hf.district_id = %s OR d.parent_id = %s)"
        params += [product.location_id, product.location_id]
    sql = f"""
        SELECT hf.id FROM location_healthfacility hf JOIN location_location d ON d.id = hf.district_id
        WHERE ({where}) {located} ORDER BY hf.id
    """  # noqa: S608 - SQL fragments are constants, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _catchment(ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Facility -> (population, families) of its catchment villages, catchment percentages applied."""
    sql = """
        SELECT hc.facility_id,
               SUM((COALESCE(v.male_population, 0) + COALESCE(v.female_population, 0)
                    + COALESCE(v.other_population, 0)) * hc.percentage / 100),
               SUM(COALESCE(v.families, 0) * hc.percentage / 100)
        FROM location_healthfacilitycatchment hc JOIN location_location v ON v.id = hc.village_id
        WHERE hc.facility_id = ANY(%(ids)s)
        GROUP BY hc.facility_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids})
        return {f: (Decimal(p), Decimal(n)) for f, p, n in cursor.fetchall()}


def _insured(ids: list[int], product_id: int, day: date) -> dict[int, tuple[Decimal, Decimal]]:
    """Facility -> (insured people, insured families) of its catchment villages covered by the product on `day`."""
    sql = """
        WITH covered AS (
            SELECT DISTINCT i.id AS insuree_id, i.family_id, COALESCE(f.village_id, i.current_village_id) AS village_id
            FROM policy_insureepolicy ip
            JOIN policy_policy p ON p.id = ip.policy_id
            JOIN insuree_insuree i ON i.id = ip.insuree_id
            LEFT JOIN insuree_family f ON f.id = i.family_id
            WHERE p.product_id = %(product)s AND ip.effective_date <= %(day)s AND ip.expiry_date >= %(day)s
        ), per_village AS (
            SELECT village_id, COUNT(DISTINCT insuree_id) AS people, COUNT(DISTINCT family_id) AS families
            FROM covered WHERE village_id IS NOT NULL GROUP BY village_id
        )
        SELECT hc.facility_id, SUM(pv.people * hc.percentage / 100), SUM(pv.families * hc.percentage / 100)
        FROM location_healthfacilitycatchment hc JOIN per_village pv ON pv.village_id = hc.village_id
        WHERE hc.facility_id = ANY(%(ids)s)
        GROUP BY hc.facility_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids, "product": product_id, "day": day})
        return {f: (Decimal(p), Decimal(n)) for f, p, n in cursor.fetchall()}


def _claims(ids: list[int], product_id: int, start: date, end: date) -> dict[int, tuple[int, Decimal]]:
    """Facility -> (visits, adjusted amount) of its claims processed in [start, end] with lines of the product."""
    sql = """
        WITH lines AS (
            SELECT claim_id, price_adjusted, qty_approved, qty_provided FROM claim_claimitem
            WHERE product_id = %(product)s AND status = %(passed)s
            UNION ALL
            SELECT claim_id, price_adjusted, qty_approved, qty_provided FROM claim_claimservice
            WHERE product_id = %(product)s AND status = %(passed)s
        )
        SELECT c.facility_id, COUNT(DISTINCT c.id),
               COALESCE(SUM(COALESCE(l.price_adjusted, 0) * COALESCE(l.qty_approved, l.qty_provided)), 0)
        FROM claim_claim c JOIN lines l ON l.claim_id = c.id
        WHERE c.facility_id = ANY(%(ids)s) AND c.status > %(checked)s
          AND (c.processed_at AT TIME ZONE %(tz)s)::date BETWEEN %(start)s AND %(end)s
        GROUP BY c.facility_id
    """
    params = {
        "ids": ids,
        "product": product_id,
        "passed": LineStatus.PASSED,
        "checked": ClaimStatus.CHECKED,
        "tz": settings.TIME_ZONE,
        "start": start,
        "end": end,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {f: (int(n), Decimal(a)) for f, n, a in cursor.fetchall()}


def capitation_compute(
    *, product: Product, year: int, month: int, today: date | None = None
) -> list[CapitationPayment]:
    """Computes and stores the capitation payments of `product` for a month, replacing earlier ones."""
    if not 1 <= month <= 12:
        raise ApplicationError.for_field("month", _("The month must be between 1 and 12."), code="month_invalid")
    if product.share_contribution is None:
        raise ApplicationError.for_field(
            "share_contribution",
            _("%(product)s has no capitation share of contributions.") % {"product": product.code},
            code="no_capitation",
        )
    if not product.capitation_level_1:
        raise ApplicationError.for_field(
            "capitation_level_1",
            _("%(product)s has no capitation level.") % {"product": product.code},
            code="no_capitation",
        )
    today = today or timezone.localdate()
    end = rules.month_end(year, month)
    if end >= today:
        raise ApplicationError.for_field(
            "month", _("Capitation can be computed only after its month has ended."), code="period_not_ended"
        )
    window = _window(product, year, month)
    with transaction.atomic():
        Product.objects.select_for_update().filter(pk=product.pk).first()
        ids = _facilities(product)
        catchment = _catchment(ids)
        insured = _insured(ids, product.pk, end)
        claims = _claims(ids, product.pk, date(year, month, 1), end)
        measures = [
            rules.FacilityMeasures(
                facility=f,
                population=catchment.get(f, (ZERO, ZERO))[0],
                families=catchment.get(f, (ZERO, ZERO))[1],
                insured_people=insured.get(f, (ZERO, ZERO))[0],
                insured_families=insured.get(f, (ZERO, ZERO))[1],
                visits=Decimal(claims.get(f, (0, ZERO))[0]),
                adjusted_amount=claims.get(f, (0, ZERO))[1],
            )
            for f in ids
        ]
        pool = _pool(product.pk, *window)
        weights = {m: (getattr(product, field) or ZERO) / HUNDRED for m, field in WEIGHTS.items()}
        share = product.share_contribution / HUNDRED
        # each part is divided on its own in rules.capitation: one call per measure gives the facilities' shares
        # of that part, which add up to the same payments as one call with all the weights
        paid = {m: rules.capitation(pool, share, {m: weights[m]}, measures) for m in rules.MEASURES}
        CapitationPayment.objects.filter(product=product, year=year, month=month).delete()
        rows = [
            CapitationPayment(
                product=product,
                year=year,
                month=month,
                facility_id=m.facility,
                window_start=window[0],
                window_end=window[1],
                pool=pool.quantize(Decimal("0.000001")),
                population=m.population.quantize(Decimal("0.0001")),
                families=m.families.quantize(Decimal("0.0001")),
                insured_people=m.insured_people.quantize(Decimal("0.0001")),
                insured_families=m.insured_families.quantize(Decimal("0.0001")),
                visits=int(m.visits),
                adjusted_amount=m.adjusted_amount.quantize(rules.CENT),
                paid_population=paid["population"][m.facility],
                paid_families=paid["families"][m.facility],
                paid_insured_people=paid["insured_people"][m.facility],
                paid_insured_families=paid["insured_families"][m.facility],
                paid_visits=paid["visits"][m.facility],
                paid_adjusted_amount=paid["adjusted_amount"][m.facility],
                payment=sum((paid[k][m.facility] for k in rules.MEASURES), ZERO),
            )
            for m in measures
        ]
        return CapitationPayment.objects.bulk_create(rows)
