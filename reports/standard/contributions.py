"""Contribution reports: collection, distribution over the cover, payment categories, matching funds, commissions and
daily payments.

Every report reads the live contributions (not cancelled) of the families in the user's area (by the family's
village), narrowed by the location (the family's village under it), product, payer and officer parameters it takes.
The pay date decides the period unless a report says otherwise. A contribution's district is the district of its
family's village.

The queries group by ids and name the few districts and products found afterwards (`_Labels`): grouping a year of
contributions by names costs a sort of wide rows. The statements that read a whole year of contributions run with
PostgreSQL's JIT off (`_reading`): their estimated cost makes PostgreSQL compile them, which takes seconds, longer than
running them.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Min, Q, QuerySet
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from location.models import Location
from openimis.accounts.models import User
from payer.models import Payer, PayerType
from policy.models import Contribution, PayType, PolicyStage, PolicyStatus, Product

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

VILLAGE = "policy__family__village__"
DISTRICT = f"{VILLAGE}parent__parent"  # the village's municipality's parent
HUNDRED = Decimal(100)


# --- shared parts ------------------------------------------------------------------------------------------------


def _live(user: User, params: ReportParams) -> QuerySet[Contribution]:
    """The live contributions in the user's area, narrowed by the location and product parameters."""
    qs = Contribution.objects.using(reading_db()).visible_to(user).live()
    if params.location is not None:
        qs = qs.filter(**{f"{VILLAGE}path__startswith": params.location.path})
    if params.product is not None:
        qs = qs.filter(product=params.product)
    return qs


def _paid_in_period(user: User, params: ReportParams) -> QuerySet[Contribution]:
    start, end = period(params)
    return _live(user, params).filter(pay_date__gte=start, pay_date__lte=end)


def _of_payer(
    qs: QuerySet[Contribution], user: User, params: ReportParams, *, families_too: bool = False
) -> QuerySet[Contribution]:
    """Narrowed to the payer parameter, a payer the user sees (one the user does not see pays nothing here); with
    `families_too`, the contributions without a payer stay."""
    if params.payer is None:
        return qs
    payer = Q(payer__in=Payer.objects.using(reading_db()).visible_to(user).filter(pk=params.payer.pk))
    return qs.filter(payer | Q(payer__isnull=True) if families_too else payer)


@contextmanager
def _reading() -> Iterator[None]:
    """A transaction on the reading database in which PostgreSQL does not compile statements (JIT)."""
    db = reading_db()
    with transaction.atomic(using=db), connections[db].cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def _rows_of(qs: QuerySet[Any]) -> list[dict[str, Any]]:
    with _reading():
        return list(qs)


def _fetch_over(qs: QuerySet[Any], statement: str, args: list[Any]) -> list[tuple[Any, ...]]:
    """The rows of `statement`, a statement the ORM cannot write, reading the SQL of `qs` where it says {rows} (its
    parameters first, then `args`); none when `qs` can match nothing (a user without any area)."""
    try:
        sql, qs_args = qs.order_by().query.sql_with_params()
    except EmptyResultSet:
        return []
    with _reading(), connections[reading_db()].cursor() as cursor:
        cursor.execute(statement.format(rows=sql), [*qs_args, *args])
        return cursor.fetchall()


class _Labels:
    """The "code · name" of the districts (and their regions) and products a report found, read in two queries."""

    def __init__(self, *, districts: Iterable[int] = (), products: Iterable[int] = ()) -> None:
        db = reading_db()
        self._districts = Location.objects.using(db).select_related("parent").in_bulk(set(districts))
        self._products = Product.objects.using(db).in_bulk(set(products))

    def district(self, pk: int) -> str:
        district = self._districts[pk]
        return code_label(district.code, district.name)

    def region(self, district: int) -> str:
        region = self._districts[district].parent
        assert region is not None
        return code_label(region.code, region.name)

    def product(self, pk: int) -> str:
        product = self._products[pk]
        return code_label(product.code, product.name)

    def district_key(self, pk: int) -> tuple[str, str]:
        district = self._districts[pk]
        return district.parent.code if district.parent else "", district.code

    def product_key(self, pk: int) -> str:
        return self._products[pk].code


def _totals_without(rows: list[list[Any]], *, first: int, blank: tuple[int, ...]) -> list[Any] | None:
    """The totals line, with the columns in `blank` (balances, shares, texts) left empty."""
    line = totals([[ZERO if i in blank else v for i, v in enumerate(row)] for row in rows], first=first)
    if line is not None:
        for i in blank:
            line[i] = ""
    return line


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(CENT) if whole else ZERO


# --- contribution collection -------------------------------------------------------------------------------------


def contribution_collection(*, user: User, params: ReportParams) -> ReportData:
    """Live contributions paid in the period (pay date), per region, district, product and payment type: how many and
    how much. With a payer, only that payer's contributions."""
    qs = _of_payer(_paid_in_period(user, params), user, params)
    grouped = _rows_of(
        qs.values("product_id", "pay_type", district=F(DISTRICT))
        .annotate(n=Count("pk"), amount=money_sum("amount"))
        .order_by()
    )
    labels = _Labels(districts=(g["district"] for g in grouped), products=(g["product_id"] for g in grouped))
    grouped.sort(key=lambda g: (labels.district_key(g["district"]), labels.product_key(g["product_id"]), g["pay_type"]))
    rows = [
        [
            labels.region(g["district"]),
            labels.district(g["district"]),
            labels.product(g["product_id"]),
            str(PayType(g["pay_type"]).label),
            g["n"],
            money(g["amount"]),
        ]
        for g in grouped
    ]
    columns = [_("Region"), _("District"), _("Product"), _("Payment type"), _("Payments"), _("Amount")]
    return ReportData(_("Contribution collection"), columns, rows, totals(rows, first=4))


# --- contribution distribution -----------------------------------------------------------------------------------

# A contribution allocated over days f..x (see `contribution_distribution`) adds amount / (x - f + 1) a day: its
# allocation rate goes up by that on day f and down by it on day x + 1. What all contributions allocated up to a day t
# is then the sum, over the changes of rate on days d <= t, of rate x (t - d + 1); and what they collected up to t the
# sum of the payments of days <= t. The contributions are summed per product and days of allocation (`spans`), then
# the payments and the changes of rate per product and day (`flows`): a few thousand rows, read at the two edges of
# each month's window (its eve and its last day), rather than every contribution for every month.
_DISTRIBUTION_SQL = """
WITH c AS MATERIALIZED ({rows}),
spans AS (
    SELECT product_id, cover_from, expiry, SUM(amount) / (expiry - cover_from + 1) AS daily
      FROM c
     WHERE allocated
     GROUP BY product_id, cover_from, expiry
),
flows AS (
    SELECT product_id, day, SUM(paid) AS paid, SUM(rate) AS rate
      FROM (
          SELECT product_id, pay_date AS day, amount AS paid, 0 AS rate FROM c
          UNION ALL
          SELECT product_id, cover_from, 0, daily FROM spans
          UNION ALL
          SELECT product_id, expiry + 1, 0, -daily FROM spans
      ) AS f
     GROUP BY product_id, day
),
windows AS (
    SELECT m.month, GREATEST(m.month, %s::date) AS first_day,
           LEAST((m.month + INTERVAL '1 month' - INTERVAL '1 day')::date, %s::date) AS last_day
      FROM (SELECT (date_trunc('month', %s::timestamp) + n * INTERVAL '1 month')::date AS month
              FROM generate_series(0, %s::integer) AS n) AS m
),
edges AS (
    SELECT month, first_day - 1 AS day, -1 AS sign FROM windows
    UNION ALL
    SELECT month, last_day, 1 FROM windows
),
upto AS (
    SELECT e.month, e.sign, f.product_id, SUM(f.paid) AS paid, SUM(f.rate * (e.day - f.day + 1)) AS allocated
      FROM edges e
      JOIN flows f ON f.day <= e.day
     GROUP BY e.month, e.sign, f.product_id
)
SELECT to_char(upto.month, 'YYYY-MM'), upto.product_id,
       SUM(upto.sign * upto.paid), SUM(upto.sign * upto.allocated),
       COALESCE(SUM(upto.paid - upto.allocated) FILTER (WHERE upto.sign = 1), 0)
  FROM upto
 GROUP BY upto.month, upto.product_id
"""


def contribution_distribution(*, user: User, params: ReportParams) -> ReportData:
    """Per month of the period (the part of the month inside the period) and product:
    - collected: the live contributions paid in the month (pay date);
    - allocated: the part of live contributions that falls in the month, as openIMIS allocates contributions: one
      paid on a policy that is not Idle and has an effective date, no later than the policy's expiry date, is spread
      evenly over the days from the later of its pay date and the policy's effective date to the expiry date, both
      included, and the month gets the share of its days;
    - not allocated: the live contributions paid up to the month's end less the part of them allocated up to the
      month's end (those never allocated, on Idle policies or paid after the expiry, stay in it).
    The totals add up collected and allocated; not allocated is a balance, not totalled."""
    start, end = period(params)
    allocated = ExpressionWrapper(
        Q(policy__effective_date__isnull=False)
        & ~Q(policy__status=PolicyStatus.IDLE)
        & Q(pay_date__lte=F("policy__expiry_date"))
        & Q(policy__effective_date__lte=F("policy__expiry_date")),
        output_field=BooleanField(),
    )
    qs = (
        _live(user, params)
        .filter(pay_date__lte=end)
        .alias(is_allocated=allocated)
        # contributions wholly allocated before the period weigh in no month
        .filter(Q(pay_date__gte=start) | Q(policy__expiry_date__gte=start) | Q(is_allocated=False))
        .values(
            "product_id",
            "amount",
            "pay_date",
            cover_from=Greatest("pay_date", "policy__effective_date"),
            expiry=F("policy__expiry_date"),
            allocated=allocated,
        )
    )
    months = (end.year - start.year) * 12 + end.month - start.month
    found = _fetch_over(qs, _DISTRIBUTION_SQL, [start, end, start, months])
    labels = _Labels(products=(product for _month, product, *_amounts in found))
    found.sort(key=lambda r: (r[0], labels.product_key(r[1])))
    rows = [
        [month, labels.product(product), money(collected), money(allocated), money(balance)]
        for month, product, collected, allocated, balance in found
    ]
    columns = [_("Month"), _("Product"), _("Collected"), _("Allocated"), _("Not allocated")]
    return ReportData(_("Contribution distribution"), columns, rows, _totals_without(rows, first=2, blank=(4,)))


# --- payment category overview -----------------------------------------------------------------------------------

# `paid`: per policy paid in the period, its payments of the period other than photo fees, and its photo fees.
# `earlier`: what each policy's live payments other than photo fees came to before the period. `members`: how many
# people each policy covers (for the fees per member). The payments of the period cover `before`..`after` of the
# policy's payments: their part below `registration` goes to registration, their part between `registration` and
# `fees` to the general assembly, their part above `fees` to the contribution proper.
_CATEGORY_SQL = """
WITH paid AS ({rows}),
earlier AS (
    SELECT policy_id, SUM(amount) AS amount
      FROM policy_contribution
     WHERE cancelled_at IS NULL AND NOT is_photo_fee AND pay_date < %s
     GROUP BY policy_id
),
members AS (
    SELECT policy_id, COUNT(*) AS n FROM policy_insureepolicy GROUP BY policy_id
),
owed AS (
    SELECT paid.district, paid.product_id, paid.photo,
           COALESCE(e.amount, 0) AS before, COALESCE(e.amount, 0) + paid.paid AS after,
           CASE WHEN NOT paid.is_new THEN 0
                WHEN p.registration_lump_sum > 0 THEN p.registration_lump_sum
                ELSE COALESCE(m.n, 0) * COALESCE(p.registration_fee, 0) END AS registration,
           CASE WHEN p.general_assembly_lump_sum > 0 THEN p.general_assembly_lump_sum
                ELSE COALESCE(m.n, 0) * COALESCE(p.general_assembly_fee, 0) END AS assembly
      FROM paid
      JOIN policy_product p ON p.id = paid.product_id
      LEFT JOIN earlier e ON e.policy_id = paid.policy_id
      LEFT JOIN members m ON m.policy_id = paid.policy_id
),
split AS (
    SELECT district, product_id, photo, before, after, registration, registration + assembly AS fees FROM owed
)
SELECT district, product_id,
       SUM(LEAST(after, registration) - LEAST(before, registration)),
       SUM(LEAST(GREATEST(after, registration), fees) - LEAST(GREATEST(before, registration), fees)),
       SUM(GREATEST(after, fees) - GREATEST(before, fees)),
       SUM(photo)
  FROM split
 GROUP BY district, product_id
"""


def payment_category_overview(*, user: User, params: ReportParams) -> ReportData:
    """Live contributions paid in the period (pay date), per district and product, split into registration fees,
    general assembly fees, contributions proper and photo fees.

    What a policy owes besides its contribution proper is read from its product, as the policy's value is computed:
    the registration (new policies only) is the product's registration lump sum when above 0, else its registration
    fee times the members the policy covers; the general assembly likewise, for new policies and renewals. Photo fees
    (`is_photo_fee`) are a category of their own. A policy's other payments, in order of pay date (then entry), pay
    the registration first, then the general assembly, then the contribution proper (with whatever is beyond); a
    payment of the period comes after all the policy's earlier live payments, so that fees paid in an earlier period
    are not counted again."""
    start, _end = period(params)
    policies = (
        _paid_in_period(user, params)
        .values(
            "policy_id",
            "product_id",
            district=F(DISTRICT),
            is_new=ExpressionWrapper(Q(policy__stage=PolicyStage.NEW), output_field=BooleanField()),
        )
        .annotate(
            paid=money_sum("amount", filter=Q(is_photo_fee=False)),
            photo=money_sum("amount", filter=Q(is_photo_fee=True)),
        )
    )
    found = _fetch_over(policies, _CATEGORY_SQL, [start])
    labels = _Labels(districts=(r[0] for r in found), products=(r[1] for r in found))
    found.sort(key=lambda r: (labels.district_key(r[0]), labels.product_key(r[1])))
    rows = []
    for district, product, *amounts in found:
        parts = [money(a) for a in amounts]
        rows.append([labels.district(district), labels.product(product), *parts, sum(parts, ZERO)])
    columns = [
        _("District"),
        _("Product"),
        _("Registration fees"),
        _("General assembly fees"),
        _("Contributions"),
        _("Photo fees"),
        _("Total"),
    ]
    return ReportData(_("Payment category overview"), columns, rows, totals(rows, first=2))


# --- matching funds ----------------------------------------------------------------------------------------------


def matching_funds(*, user: User, params: ReportParams) -> ReportData:
    """Live contributions paid in the period (pay date), per district and product: what the families paid themselves
    (contributions without a payer), what payers paid, by type of payer (government, donor, ...), and the share of
    the total the payers paid. With a payer, the payers' columns hold that payer's contributions only; the families'
    own payments stay, so that the share is that payer's."""
    qs = _of_payer(_paid_in_period(user, params), user, params, families_too=True)
    by_type = {f"type_{t.value}": money_sum("amount", filter=Q(payer__type=t)) for t in PayerType}
    grouped = _rows_of(
        qs.values("product_id", district=F(DISTRICT))
        .annotate(
            families=money_sum("amount", filter=Q(payer__isnull=True)),
            **by_type,
            payers=money_sum("amount", filter=Q(payer__isnull=False)),
            total=money_sum("amount"),
        )
        .order_by()
    )
    labels = _Labels(districts=(g["district"] for g in grouped), products=(g["product_id"] for g in grouped))
    grouped.sort(key=lambda g: (labels.district_key(g["district"]), labels.product_key(g["product_id"])))
    rows = [
        [
            labels.district(g["district"]),
            labels.product(g["product_id"]),
            money(g["families"]),
            *(money(g[f"type_{t.value}"]) for t in PayerType),
            money(g["payers"]),
            money(g["total"]),
            _share(g["payers"], g["total"]),
        ]
        for g in grouped
    ]
    columns = [
        _("District"),
        _("Product"),
        _("Paid by families"),
        *(str(t.label) for t in PayerType),
        _("Paid by payers"),
        _("Total"),
        _("Paid by payers (%)"),
    ]
    line = _totals_without(rows, first=2, blank=(len(columns) - 1,))
    if line is not None:
        line[-1] = _share(line[-3], line[-2])
    return ReportData(_("Matching funds"), columns, rows, line)


# --- commissions -------------------------------------------------------------------------------------------------


def commissions(*, user: User, params: ReportParams) -> ReportData:
    """Per enrolment officer (the officer of the policy): the live contributions paid in the period (pay date) on the
    policies the officer sold, new policies and renewals (the policy's stage) apart, and the commission at the rate
    (a percentage of the total; 0 without a rate), rounded half up to the cent per officer. As in openIMIS, fundings
    (payment type "Funding") earn no commission and are left out, and so are the policies without an officer."""
    qs = _paid_in_period(user, params).exclude(pay_type=PayType.FUNDING).filter(policy__officer__isnull=False)
    if params.officer is not None:
        qs = qs.filter(policy__officer=params.officer)
    new, renewal = Q(policy__stage=PolicyStage.NEW), Q(policy__stage=PolicyStage.RENEWAL)
    names = ("policy__officer__last_name", "policy__officer__first_name", "policy__officer__username")
    grouped = _rows_of(
        qs.values("policy__officer", *names)
        .annotate(
            new_n=Count("pk", filter=new),
            new_amount=money_sum("amount", filter=new),
            renewal_n=Count("pk", filter=renewal),
            renewal_amount=money_sum("amount", filter=renewal),
            total=money_sum("amount"),
        )
        .order_by(*names)
    )
    rate = params.rate or ZERO
    rows = [
        [
            _officer(g["policy__officer__first_name"], g["policy__officer__last_name"], g["policy__officer__username"]),
            g["new_n"],
            money(g["new_amount"]),
            g["renewal_n"],
            money(g["renewal_amount"]),
            money(g["total"]),
            (g["total"] * rate / HUNDRED).quantize(CENT, ROUND_HALF_UP),
        ]
        for g in grouped
    ]
    columns = [
        _("Enrolment officer"),
        _("Payments on new policies"),
        _("Paid on new policies"),
        _("Payments on renewals"),
        _("Paid on renewals"),
        _("Total paid"),
        _("Commission"),
    ]
    return ReportData(_("Overview of commissions"), columns, rows, totals(rows, first=1))


def _officer(first_name: str, last_name: str, username: str) -> str:
    full = f"{first_name} {last_name}".strip()
    return f"{full} ({username})" if full else username


# --- contribution payment ----------------------------------------------------------------------------------------


def contribution_payment(*, user: User, params: ReportParams) -> ReportData:
    """Live contributions paid in the period, per pay date and payment type: how many payments, how much, and the
    range of their receipt numbers (the lowest and the highest, in text order). With a payer, only that payer's
    contributions."""
    qs = _of_payer(_paid_in_period(user, params), user, params)
    grouped = _rows_of(
        qs.values("pay_date", "pay_type")
        .annotate(n=Count("pk"), amount=money_sum("amount"), first=Min("receipt"), last=Max("receipt"))
        .order_by("pay_date", "pay_type")
    )
    rows = [
        [
            g["pay_date"].isoformat(),
            str(PayType(g["pay_type"]).label),
            g["n"],
            money(g["amount"]),
            g["first"],
            g["last"],
        ]
        for g in grouped
    ]
    columns = [_("Day"), _("Payment type"), _("Payments"), _("Amount"), _("First receipt"), _("Last receipt")]
    return ReportData(_("Contribution payment"), columns, rows, _totals_without(rows, first=2, blank=(4, 5)))


REPORTS = (
    Report(
        "contribution_collection",
        gettext_lazy("Contribution collection"),
        ("date_from", "date_to", "location", "product", "payer"),
        contribution_collection,
        description=gettext_lazy(
            "Contributions paid in the period per region, district, product and payment type: payments and amounts."
        ),
    ),
    Report(
        "contribution_distribution",
        gettext_lazy("Contribution distribution"),
        ("date_from", "date_to", "location", "product"),
        contribution_distribution,
        description=gettext_lazy(
            "Per month and product: contributions collected, the part allocated to the month over the policies' "
            "cover, and what is collected but not allocated yet."
        ),
    ),
    Report(
        "payment_category_overview",
        gettext_lazy("Payment category overview"),
        ("date_from", "date_to", "location", "product"),
        payment_category_overview,
        description=gettext_lazy(
            "Contributions paid in the period per district and product, split into registration fees, general "
            "assembly fees, contributions and photo fees."
        ),
    ),
    Report(
        "matching_funds",
        gettext_lazy("Matching funds"),
        ("date_from", "date_to", "location", "product", "payer"),
        matching_funds,
        description=gettext_lazy(
            "Contributions paid in the period per district and product: paid by the families themselves and by "
            "payers, by type of payer, with the payers' share."
        ),
    ),
    Report(
        "commissions",
        gettext_lazy("Overview of commissions"),
        ("date_from", "date_to", "location", "officer", "rate"),
        commissions,
        description=gettext_lazy(
            "Per enrolment officer: contributions paid in the period on the policies sold, new policies and "
            "renewals apart, and the commission at the rate."
        ),
        required=("date_from", "date_to", "rate"),
    ),
    Report(
        "contribution_payment",
        gettext_lazy("Contribution payment"),
        ("date_from", "date_to", "location", "payer"),
        contribution_payment,
        description=gettext_lazy(
            "Per day and payment type: the payments received, their amount and the range of their receipt numbers."
        ),
    ),
)
