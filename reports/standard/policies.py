"""Policy reports: primary operational indicators, product sales, derived operational indicators, enrolment
performance and policy renewals.

Every report here starts from the same policies (`_policy_q`): those of the families living in the user's area (by
the family's village), on products that serve that area, narrowed to the families under the location parameter and
to the product parameter. Coverage, contributions, claims and renewal reminders are reached through these policies.

Words used in the docstrings:
- a policy is *in force* once paid: it has an effective date (an unpaid policy that lapses is not counted as
  expired, it never covered anyone);
- a policy is *renewed* when a later policy names it as the one it renews (`Policy.previous`, set by
  `policy_renew`);
- *live* contributions are those not cancelled.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from batch.rules import month_end
from claim.models import ClaimBooking, ClaimStatus
from insuree.models import Gender
from location.scope import scope_of
from openimis.accounts.models import User
from policy.models import (
    Contribution,
    InsureePolicy,
    Policy,
    PolicyRenewal,
    PolicyStage,
    PolicyStatus,
    Product,
)

from ..base import (
    CENT,
    ZERO,
    Report,
    ReportData,
    ReportParams,
    code_label,
    money,
    money_sum,
    period,
    reading_db,
    totals,
)

# Policies whose members' cover counts: paid and not suspended (an Expired policy covered its members until its end).
COVERING = (PolicyStatus.ACTIVE, PolicyStatus.EXPIRED)
DISTRICT = "family__village__parent__parent"  # village > municipality > district
REGION = f"{DISTRICT}__parent"
PolicySql = tuple[str, tuple[Any, ...]]  # a query's SQL and parameters
MonthKey = tuple[int, int, int]  # year, month, product


# --- shared parts --------------------------------------------------------------------------------------------------


def _policy_q(user: User, params: ReportParams, db: str, prefix: str = "") -> Q:
    """The policies a report reads (see the module's docstring), reached through `prefix` (e.g. "policy__"). The
    products serving the area are read first (a handful), so that the planner sees the list they make."""
    scope = scope_of(user)
    q = scope.location_q(f"{prefix}family__village__")
    if not scope.national:
        served = Product.objects.using(db).filter(scope.serving_q("location")).values_list("pk", flat=True)
        q &= Q(**{f"{prefix}product__in": list(served)})
    if params.location is not None:
        q &= Q(**{f"{prefix}family__village__path__startswith": params.location.path})
    if params.product is not None:
        q &= Q(**{f"{prefix}product": params.product})
    return q


def _policies(user: User, params: ReportParams, db: str) -> QuerySet[Policy]:
    return Policy.objects.using(db).filter(_policy_q(user, params, db)).order_by()


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """The months of the period, the first and the last cut to the period: (first day, last day) each."""
    months = []
    first = start
    while first <= end:
        last = min(month_end(first.year, first.month), end)
        months.append((first, last))
        first = last + timedelta(days=1)
    return months


def _sql(qs: QuerySet[Any], db: str) -> PolicySql:
    return qs.query.get_compiler(using=db).as_sql()


def _fetch(db: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _product_labels(db: str, ids: Iterable[int]) -> dict[int, str]:
    found = Product.objects.using(db).filter(pk__in=set(ids)).values_list("pk", "code", "name")
    return {pk: code_label(code, name) for pk, code, name in found}


def _officer_labels(db: str, ids: Iterable[int | None]) -> dict[int | None, str]:
    labels: dict[int | None, str] = {None: _("No enrolment officer")}
    labels.update({u.pk: str(u) for u in User.objects.using(db).filter(pk__in={i for i in ids if i is not None})})
    return labels


def _ratio(part: Decimal | int, whole: Decimal | int, scale: int = 1) -> Decimal | str:
    """`part` / `whole` x `scale` to two decimals; "" when there is nothing to divide by."""
    if not whole:
        return ""
    return (Decimal(part) * scale / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def _renewed() -> Exists:
    """The policy (the outer row) has been renewed."""
    return Exists(Policy.objects.filter(previous=OuterRef("pk")))


# --- primary operational indicators --------------------------------------------------------------------------------

# `width_bucket(day, days)` (days sorted) is the number of those days on or before `day`.

# The cover rows (persons) of Active or Expired policies counted at the end of each month k (1 for the first month)
# of the period: a row counts when its effective date is on or before that day and its expiry date on or after it,
# that is for `starts_after < k <= ends_after` (the number of month ends before it starts, and on or before it ends).
# Rows are grouped by those two numbers first, so that the months meet a few hundred groups rather than every row.
_COVERED_SQL = """
WITH cover AS (
    SELECT p.product_id, i.gender,
           width_bucket(ip.effective_date - 1, %s::date[]) AS starts_after,
           width_bucket(ip.expiry_date, %s::date[]) AS ends_after,
           COUNT(*) AS n
      FROM policy_insureepolicy ip
      JOIN ({policies}) p ON p.id = ip.policy_id
      JOIN insuree_insuree i ON i.id = ip.insuree_id
     WHERE p.status IN (%s, %s) AND ip.effective_date <= %s AND ip.expiry_date >= %s
     GROUP BY 1, 2, 3, 4
)
SELECT k, product_id, COALESCE(SUM(n) FILTER (WHERE gender = %s), 0)::int,
       COALESCE(SUM(n) FILTER (WHERE gender = %s), 0)::int, SUM(n)::int
  FROM cover
  JOIN generate_series(1, %s) AS k ON starts_after < k AND k <= ends_after
 GROUP BY 1, 2
"""

# The policies counted in month k (the number of first days of months on or before the day): N or R in the month
# the policy starts (its stage), X in the month it ends when it was in force, S in the month of its last change
# when it is suspended now.
_POLICY_EVENTS_SQL = """
SELECT width_bucket(e.day, %s::date[]), p.product_id, e.kind, COUNT(*)
  FROM ({policies}) p
 CROSS JOIN LATERAL (VALUES
       (p.stage, p.start_date),
       ('X', CASE WHEN p.effective_date IS NOT NULL THEN p.expiry_date END),
       ('S', CASE WHEN p.status = %s THEN (p.updated_at AT TIME ZONE %s)::date END)) AS e(kind, day)
 WHERE e.day BETWEEN %s AND %s
 GROUP BY 1, 2, 3
"""

# The contributions allocated to the period so far at each boundary day j: the day before the period, then the last
# day of each month. A contribution (live, not a photo fee, of a policy that is not Idle) is spread evenly over the
# days of the cover it pays for, from the later of its payment and the policy's effective date to the policy's
# expiry (as `batch.rules.allocated`): by day t it has given nothing before its cover starts, `daily x (t - since
# + 1)` during it and its whole amount after it. Contributions are grouped by where their cover starts and ends
# among the boundaries (the daily amounts and their offsets from the day before the period added up), so that the
# boundaries meet a few hundred groups rather than every contribution; month k's share is the amount at boundary
# k + 1 less the amount at boundary k.
_ALLOCATED_SQL = """
WITH c AS (
    SELECT p.product_id, c.amount, GREATEST(c.pay_date, COALESCE(p.effective_date, c.pay_date)) AS since,
           p.expiry_date AS until
      FROM policy_contribution c
      JOIN ({policies}) p ON p.id = c.policy_id
     WHERE c.cancelled_at IS NULL AND NOT c.is_photo_fee AND p.status <> %s
       AND c.pay_date <= %s AND p.expiry_date >= %s
), g AS (
    SELECT product_id,
           width_bucket(since - 1, %s::date[]) AS starts_after,
           width_bucket(until, %s::date[]) AS ends_after,
           SUM(amount / (until - since + 1)) AS daily,
           SUM(amount / (until - since + 1) * (since - %s::date)) AS offset_days,
           SUM(amount) AS amount
      FROM c
     WHERE since <= until
     GROUP BY 1, 2, 3
)
SELECT b.j, g.product_id,
       SUM(CASE WHEN b.j <= g.starts_after THEN 0
                WHEN b.j <= g.ends_after THEN g.daily * (b.day - %s::date + 1) - g.offset_days
                ELSE g.amount END)
  FROM g
 CROSS JOIN unnest(%s::date[]) WITH ORDINALITY AS b(day, j)
 GROUP BY 1, 2
"""


def _covered(db: str, policies: PolicySql, months: list[tuple[date, date]]) -> dict[MonthKey, tuple[int, ...]]:
    sql, params = policies
    ends = [last for _first, last in months]
    found = _fetch(
        db,
        _COVERED_SQL.format(policies=sql),
        [ends, ends, *params, *COVERING, ends[-1], ends[0], Gender.MALE, Gender.FEMALE, len(months)],
    )
    return {(*_month(months, k), product): (men, women, total) for k, product, men, women, total in found}


def _policy_events(db: str, policies: PolicySql, months: list[tuple[date, date]]) -> dict[MonthKey, dict[str, int]]:
    sql, params = policies
    firsts = [first for first, _last in months]
    found = _fetch(
        db,
        _POLICY_EVENTS_SQL.format(policies=sql),
        [firsts, *params, PolicyStatus.SUSPENDED, timezone.get_current_timezone_name(), firsts[0], months[-1][1]],
    )
    counts: dict[MonthKey, dict[str, int]] = defaultdict(dict)
    for k, product, kind, n in found:
        counts[(*_month(months, k), product)][kind] = n
    return counts


def _allocated(db: str, policies: PolicySql, months: list[tuple[date, date]]) -> dict[MonthKey, Decimal]:
    sql, params = policies
    before = months[0][0] - timedelta(days=1)
    bounds = [before, *(last for _first, last in months)]
    found = _fetch(
        db,
        _ALLOCATED_SQL.format(policies=sql),
        [*params, PolicyStatus.IDLE, bounds[-1], months[0][0], bounds, bounds, before, before, bounds],
    )
    so_far = {(j, product): amount for j, product, amount in found}
    allocated = {}
    for j, product in so_far:
        if j > 1:
            allocated[(*_month(months, j - 1), product)] = so_far[(j, product)] - so_far[(j - 1, product)]
    return allocated


def _month(months: list[tuple[date, date]], k: int) -> tuple[int, int]:
    """Year and month of month k (1 for the first) of the period."""
    first = months[k - 1][0]
    return first.year, first.month


def _primary_rows(user: User, params: ReportParams, db: str, scoped: PolicySql) -> list[list[Any]]:
    start, end = period(params)
    months = _months(start, end)
    covered = _covered(db, scoped, months)
    events = _policy_events(db, scoped, months)
    allocated = _allocated(db, scoped, months)
    paid_rows = (
        Contribution.objects.using(db)
        .filter(_policy_q(user, params, db, "policy__"), cancelled_at__isnull=True, pay_date__range=(start, end))
        .annotate(month=TruncMonth("pay_date"))
        .values_list("month", "product")
        .annotate(paid=Sum("amount"))
        .order_by()
    )
    paid = {(month.year, month.month, product): amount for month, product, amount in paid_rows}
    keys = set(covered) | set(events) | set(allocated) | set(paid)
    labels = _product_labels(db, (k[2] for k in keys))
    rows = []
    for year, month, product in sorted(keys, key=lambda k: (k[0], k[1], labels[k[2]])):
        key = (year, month, product)
        counts = events.get(key, {})
        row = [
            f"{year}-{month:02d}",
            labels[product],
            *covered.get(key, (0, 0, 0)),
            counts.get(PolicyStage.NEW, 0),
            counts.get(PolicyStage.RENEWAL, 0),
            counts.get("S", 0),
            counts.get("X", 0),
            money(paid.get(key)),
            money(allocated.get(key)),
        ]
        if any(row[2:]):
            rows.append(row)
    return rows


def policy_primary_indicators(*, user: User, params: ReportParams) -> ReportData:
    """Per month of the period (the first and last months cut to the period) and product:
    - insurees covered at the month's end (its last day in the period), men, women and all: the members' cover
      (InsureePolicy, from the member's effective date to their expiry) of Active or Expired policies that includes
      that day; a person counts once per policy;
    - new and renewed policies: policies of stage New (Renewal) whose start date is in the month, whatever their
      status;
    - suspended policies: policies Suspended now whose last change (their suspension) was in the month;
    - expired policies: policies in force whose expiry date is in the month;
    - contributions paid: live contributions whose payment date is in the month (photo fees included);
    - contributions allocated: the month's share of the live contributions (photo fees excluded) of policies that
      are not Idle, each spread evenly over the days of the cover it pays for, from the later of its payment date
      and the policy's effective date to the policy's expiry (as the batch run allocates them).
    Months and products with nothing to show are left out."""
    db = reading_db()
    columns_read = ("id", "product_id", "stage", "status", "start_date", "effective_date", "expiry_date", "updated_at")
    try:
        scoped = _sql(_policies(user, params, db).values(*columns_read), db)
    except EmptyResultSet:  # no product serves the user's area
        rows = []
    else:
        rows = _primary_rows(user, params, db, scoped)
    columns = [
        _("Month"),
        _("Product"),
        _("Men covered"),
        _("Women covered"),
        _("Insurees covered"),
        _("New policies"),
        _("Renewed policies"),
        _("Suspended policies"),
        _("Expired policies"),
        _("Contributions paid"),
        _("Contributions allocated"),
    ]
    line = totals(rows, first=2)
    if line is not None:
        line[2:5] = ["", "", ""]  # people covered at each month's end do not add up over months
    return ReportData(_("Primary operational indicators: policies"), columns, rows, line)


# --- product sales -------------------------------------------------------------------------------------------------


def product_sales(*, user: User, params: ReportParams) -> ReportData:
    """Policies whose start date is in the period, whatever their status, per region, district (of the family's
    village) and product: how many, new and renewals; the people they cover (their members' coverage rows, paid
    or not); and their value."""
    db = reading_db()
    start, end = period(params)
    sold = _policies(user, params, db).filter(start_date__range=(start, end))
    grouped = (
        sold.values(
            f"{REGION}__code",
            f"{REGION}__name",
            f"{DISTRICT}__code",
            f"{DISTRICT}__name",
            f"{DISTRICT}_id",
            "product__code",
            "product__name",
            "product_id",
        )
        .annotate(
            new=Count("pk", filter=Q(stage=PolicyStage.NEW)),
            renewals=Count("pk", filter=Q(stage=PolicyStage.RENEWAL)),
            policies=Count("pk"),
            value=money_sum("value"),
        )
        .order_by(f"{REGION}__code", f"{DISTRICT}__code", "product__code")
    )
    members = (
        InsureePolicy.objects.using(db)
        .filter(_policy_q(user, params, db, "policy__"), policy__start_date__range=(start, end))
        .values_list(f"policy__{DISTRICT}_id", "policy__product_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    covered = {(district, product): n for district, product, n in members}
    rows = [
        [
            code_label(g[f"{REGION}__code"], g[f"{REGION}__name"]),
            code_label(g[f"{DISTRICT}__code"], g[f"{DISTRICT}__name"]),
            code_label(g["product__code"], g["product__name"]),
            g["new"],
            g["renewals"],
            g["policies"],
            covered.get((g[f"{DISTRICT}_id"], g["product_id"]), 0),
            money(g["value"]),
        ]
        for g in grouped
    ]
    columns = [
        _("Region"),
        _("District"),
        _("Product"),
        _("New policies"),
        _("Renewals"),
        _("Policies"),
        _("Insurees covered"),
        _("Policy value"),
    ]
    return ReportData(_("Product sales"), columns, rows, totals(rows, first=3))


# --- derived operational indicators --------------------------------------------------------------------------------


@dataclass
class _ProductMeasures:
    """What the derived indicators of one product (or of all, added up) are computed from."""

    collected: Decimal = ZERO
    valuated: Decimal = ZERO
    expired: int = 0
    renewed: int = 0
    active: int = 0
    new: int = 0
    claims: int = 0
    insured: int = 0
    timed: int = 0  # claims with both a submission and a processing time
    waited: timedelta = timedelta()  # their time from submission to processing, added up

    def __add__(self, other: "_ProductMeasures") -> "_ProductMeasures":
        return _ProductMeasures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def row(self, label: str) -> list[Any]:
        waited_days = Decimal(self.waited.total_seconds()) / 86400
        return [
            label,
            money(self.collected),
            money(self.valuated),
            _ratio(self.valuated, self.collected, 100),
            self.expired,
            self.renewed,
            _ratio(self.renewed, self.expired, 100),
            self.active,
            self.new,
            _ratio(self.new, self.active, 100),
            self.claims,
            self.insured,
            _ratio(self.claims, self.insured),
            _ratio(waited_days, self.timed),
        ]


def derived_indicators(*, user: User, params: ReportParams) -> ReportData:
    """Per product, for the period:
    - incurred claims ratio (%): the valuated amount of the product's claims (processed claims whose visit starts
      in the period, the amount valued on the product's policies) over the live contributions paid in the period;
    - renewal ratio (%): of the policies in force whose expiry date is in the period, the share renewed;
    - growth ratio (%): the new policies (stage New) starting in the period over the policies in force on its first
      day (Active or Expired, effective on or before that day and expiring on or after it);
    - claims per insured person: those claims over the people covered by the product at some time in the period
      (members' cover of Active or Expired policies overlapping the period; each person once per product);
    - promptness: the average days from a claim's submission to its processing, over those claims.
    A ratio is left empty when there is nothing to divide by. The claims are those paid from the policies in the
    user's area, wherever the visit was."""
    db = reading_db()
    start, end = period(params)
    through_policy = _policy_q(user, params, db, "policy__")
    measures: dict[int, _ProductMeasures] = defaultdict(_ProductMeasures)
    collected = (
        Contribution.objects.using(db)
        .filter(through_policy, cancelled_at__isnull=True, pay_date__range=(start, end))
        .values_list("product")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for product, amount in collected:
        measures[product].collected = amount
    timed = Q(claim__submitted_at__isnull=False, claim__processed_at__isnull=False)
    waited = ExpressionWrapper(F("claim__processed_at") - F("claim__submitted_at"), output_field=DurationField())
    claims = (
        ClaimBooking.objects.using(db)
        .filter(
            through_policy,
            claim__date_from__range=(start, end),
            claim__status__in=(ClaimStatus.PROCESSED, ClaimStatus.VALUATED),
        )
        .values_list("policy__product")
        .annotate(valuated=Sum("remunerated"), claims=Count("pk"), timed=Count("pk", filter=timed))
        .annotate(waited=Sum(waited, filter=timed))
        .order_by()
    )
    for product, valuated, n, n_timed, waited_for in claims:
        m = measures[product]
        m.valuated, m.claims, m.timed, m.waited = valuated, n, n_timed, waited_for or timedelta()
    expired = Q(expiry_date__range=(start, end), effective_date__isnull=False)
    new = Q(stage=PolicyStage.NEW, start_date__range=(start, end))
    active = Q(status__in=COVERING, effective_date__lte=start, expiry_date__gte=start)
    counts = (
        _policies(user, params, db)
        .filter(expired | new | active)
        .values_list("product")
        .annotate(
            expired=Count("pk", filter=expired),
            renewed=Count("pk", filter=Q(expired, _renewed())),
            active=Count("pk", filter=active),
            new=Count("pk", filter=new),
        )
        .order_by()
    )
    for product, *numbers in counts:
        m = measures[product]
        m.expired, m.renewed, m.active, m.new = numbers
    insured = (
        InsureePolicy.objects.using(db)
        .filter(through_policy, policy__status__in=COVERING, effective_date__lte=end, expiry_date__gte=start)
        .values_list("policy__product")
        .annotate(n=Count("insuree", distinct=True))
        .order_by()
    )
    for product, n in insured:
        measures[product].insured = n
    labels = _product_labels(db, measures)
    ordered = sorted(measures, key=labels.__getitem__)
    rows = [measures[p].row(labels[p]) for p in ordered]
    line = sum((measures[p] for p in ordered), _ProductMeasures()).row(_("Total")) if rows else None
    columns = [
        _("Product"),
        _("Contributions collected"),
        _("Claims valuated"),
        _("Incurred claims ratio (%)"),
        _("Policies expired"),
        _("Policies renewed"),
        _("Renewal ratio (%)"),
        _("Policies in force at the start"),
        _("New policies"),
        _("Growth ratio (%)"),
        _("Claims"),
        _("Insured persons"),
        _("Claims per insured person"),
        _("Days to process (average)"),
    ]
    return ReportData(_("Derived operational indicators"), columns, rows, line)


# --- enrolment performance -----------------------------------------------------------------------------------------


@dataclass
class _OfficerMeasures:
    families: int = 0
    new: int = 0
    renewals: int = 0
    covered: int = 0
    collected: Decimal = ZERO
    lapsed: int = 0

    def row(self, label: str) -> list[Any]:
        return [label, self.families, self.new, self.renewals, self.covered, money(self.collected), self.lapsed]


def _sold_by(user: User, params: ReportParams, db: str, prefix: str = "") -> Q:
    """The policies a report reads (`_policy_q`), of the officer parameter when one is given."""
    q = _policy_q(user, params, db, prefix)
    if params.officer is not None:
        q &= Q(**{f"{prefix}officer": params.officer})
    return q


def enrolment_performance(*, user: User, params: ReportParams) -> ReportData:
    """Per enrolment officer (the policy's officer), for the policies they sold whose enrolment date is in the
    period: the families enrolled (their first policy, by start date, is one of these new policies), the new
    policies and the renewals, and the people those policies cover (members' coverage rows); the live contributions
    paid in the period on any of the officer's policies; and the officer's policies in force whose expiry date is in
    the period and that nobody renewed."""
    db = reading_db()
    start, end = period(params)
    enrolled = Q(enroll_date__range=(start, end))
    lapsed = Q(expiry_date__range=(start, end), effective_date__isnull=False)
    earlier = Policy.objects.filter(family=OuterRef("family"), start_date__lt=OuterRef("start_date"))
    new = enrolled & Q(stage=PolicyStage.NEW)
    counts = (
        Policy.objects.using(db)
        .filter(_sold_by(user, params, db), enrolled | lapsed)
        .values_list("officer")
        .annotate(
            n_families=Count("family", distinct=True, filter=Q(new, ~Exists(earlier))),
            n_new=Count("pk", filter=new),
            n_renewals=Count("pk", filter=enrolled & Q(stage=PolicyStage.RENEWAL)),
            n_lapsed=Count("pk", filter=Q(lapsed, ~_renewed())),
        )
        .order_by()
    )
    members = (
        InsureePolicy.objects.using(db)
        .filter(_sold_by(user, params, db, "policy__"), policy__enroll_date__range=(start, end))
        .values_list("policy__officer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    collected = (
        Contribution.objects.using(db)
        .filter(_sold_by(user, params, db, "policy__"), cancelled_at__isnull=True, pay_date__range=(start, end))
        .values_list("policy__officer")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    by_officer: dict[int | None, _OfficerMeasures] = defaultdict(_OfficerMeasures)
    for officer, families, n_new, renewals, n_lapsed in counts:
        m = by_officer[officer]
        m.families, m.new, m.renewals, m.lapsed = families, n_new, renewals, n_lapsed
    for officer, n in members:
        by_officer[officer].covered = n
    for officer, amount in collected:
        by_officer[officer].collected = amount
    labels = _officer_labels(db, by_officer)
    rows = [
        by_officer[o].row(labels[o])
        for o in sorted(by_officer, key=lambda o: (o is None, labels[o]))
        if by_officer[o] != _OfficerMeasures()
    ]
    columns = [
        _("Enrolment officer"),
        _("Families enrolled"),
        _("New policies"),
        _("Renewals"),
        _("Insurees covered"),
        _("Contributions collected"),
        _("Expired without renewal"),
    ]
    return ReportData(_("Enrolment performance"), columns, rows, totals(rows, first=1))


# --- policy renewals -----------------------------------------------------------------------------------------------


def policy_renewals(*, user: User, params: ReportParams) -> ReportData:
    """The renewal reminders whose renewal date is in the period, per officer of the reminder, district (of the
    family's village) and product of the policy to renew: how many are due, how many were renewed (a policy renews
    the reminded one, or the family has a later policy on that product or on the product proposed for the renewal
    that starts on or after the renewal date) and how many are not renewed yet."""
    db = reading_db()
    start, end = period(params)
    reminders = PolicyRenewal.objects.using(db).filter(
        _policy_q(user, params, db, "policy__"), renewal_date__range=(start, end)
    )
    if params.officer is not None:
        reminders = reminders.filter(officer=params.officer)
    renewing = Policy.objects.filter(previous=OuterRef("policy"))
    later = Policy.objects.filter(
        Q(product=OuterRef("policy__product")) | Q(product=OuterRef("new_product")),
        family=OuterRef("policy__family"),
        start_date__gte=OuterRef("renewal_date"),
    )
    renewed = Q(Exists(renewing)) | Q(Exists(later))
    district = f"policy__{DISTRICT}"
    grouped = list(
        reminders.values_list(
            "officer",
            f"{district}__code",
            f"{district}__name",
            "policy__product__code",
            "policy__product__name",
        )
        .annotate(due=Count("pk"), renewed=Count("pk", filter=renewed))
        .order_by()
    )
    labels = _officer_labels(db, (g[0] for g in grouped))
    grouped.sort(key=lambda g: (g[0] is None, labels[g[0]], g[1], g[3]))
    rows = [
        [labels[officer], code_label(d_code, d_name), code_label(p_code, p_name), due, done, due - done]
        for officer, d_code, d_name, p_code, p_name, due, done in grouped
    ]
    columns = [
        _("Enrolment officer"),
        _("District"),
        _("Product"),
        _("Renewals due"),
        _("Renewed"),
        _("Not renewed yet"),
    ]
    return ReportData(_("Policy renewals"), columns, rows, totals(rows, first=3))


PERIOD_AREA_PRODUCT = ("date_from", "date_to", "location", "product")

REPORTS = (
    Report(
        "policy_primary_indicators",
        gettext_lazy("Primary operational indicators: policies"),
        PERIOD_AREA_PRODUCT,
        policy_primary_indicators,
        description=gettext_lazy(
            "Per product and month: insurees covered, new, renewed, suspended and expired policies, contributions "
            "paid and allocated."
        ),
    ),
    Report(
        "product_sales",
        gettext_lazy("Product sales"),
        PERIOD_AREA_PRODUCT,
        product_sales,
        description=gettext_lazy(
            "Policies starting in the period per region, district and product: new and renewals, insurees and value."
        ),
    ),
    Report(
        "derived_indicators",
        gettext_lazy("Derived operational indicators"),
        PERIOD_AREA_PRODUCT,
        derived_indicators,
        description=gettext_lazy(
            "Per product: incurred claims, renewal and growth ratios, claims per insured person and promptness of "
            "processing."
        ),
    ),
    Report(
        "enrolment_performance",
        gettext_lazy("Enrolment performance"),
        ("date_from", "date_to", "location", "officer"),
        enrolment_performance,
        description=gettext_lazy(
            "Per enrolment officer: families enrolled, new policies, renewals, insurees covered, contributions "
            "collected and policies expired without renewal."
        ),
    ),
    Report(
        "policy_renewals",
        gettext_lazy("Policy renewals"),
        ("date_from", "date_to", "location", "product", "officer"),
        policy_renewals,
        description=gettext_lazy(
            "Renewal reminders of the period per officer, district and product: due, renewed and not renewed yet."
        ),
    ),
)
