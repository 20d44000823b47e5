"""The dashboard's figures: each one an aggregate SQL query grouped by district and by a key (a month, a status, a
rejection reason), so that a user's dashboard is the sum of the districts in their scope.

People, policies and contributions belong to the district of the family's village (the second id of the village's
path "<region>.<district>.<municipality>.<village>."), claims to the district of their health facility. Months are
those of the twelve ending with the current one (renewals: the current month and the next two).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from claim.models import ClaimStatus, ReviewStatus
from policy.models import PolicyStage, PolicyStatus

ENROLMENT = "enrolment"
CLAIMS = "claims"
MONEY = "money"

MONTHS = 12
RENEWAL_MONTHS = 3

# district of a family's village ("f") and of a claim's facility ("h")
_FAMILY_DISTRICT = "split_part(v.path, '.', 2)::bigint"
_FAMILY_JOINS = """
    JOIN insuree_family f ON f.id = p.family_id
    JOIN location_location v ON v.id = f.village_id"""
_CLAIM_JOINS = "JOIN location_healthfacility h ON h.id = c.facility_id"
_MONTH = "to_char({column}, 'YYYY-MM')"

Data = dict[str, list[Any]]  # key -> the values of the figure's series


def month_start(day: date, shift: int = 0) -> date:
    """The first day of the month `shift` months after the month of `day`."""
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def last_months(today: date, count: int = MONTHS) -> list[str]:
    """ "YYYY-MM" of the `count` months ending with today's."""
    return [month_start(today, shift).strftime("%Y-%m") for shift in range(1 - count, 1)]


def next_months(today: date, count: int = RENEWAL_MONTHS) -> list[str]:
    """ "YYYY-MM" of today's month and the following ones."""
    return [month_start(today, shift).strftime("%Y-%m") for shift in range(count)]


@dataclass(frozen=True)
class Figure:
    """One figure: its query (rows of district id, key, then one value per series) and how the page shows it."""

    name: str
    panel: str
    title: Promise
    series: tuple[Promise, ...]
    sql: str
    axis: Callable[[date], list[str]] | None = None  # fixed keys (months); None: the keys found, in order
    money: bool = False
    chart: str = "bar"
    stacked: bool = False


def _params(today: date) -> dict[str, Any]:
    return {
        "today": today,
        "since": month_start(today, 1 - MONTHS),
        "month": month_start(today),
        "until": month_start(today, RENEWAL_MONTHS),
    }


ENROLMENT_FIGURE = Figure(
    name="enrolment",
    panel=ENROLMENT,
    title=_("Policies sold per month"),
    series=(_("New policies"), _("Renewals")),
    sql=f"""
        SELECT {_FAMILY_DISTRICT}, {_MONTH.format(column="p.enroll_date")},
               count(*) FILTER (WHERE p.stage = '{PolicyStage.NEW}'),
               count(*) FILTER (WHERE p.stage = '{PolicyStage.RENEWAL}')
          FROM policy_policy p {_FAMILY_JOINS}
         WHERE p.enroll_date >= %(since)s AND p.enroll_date <= %(today)s
         GROUP BY 1, 2""",  # noqa: S608 - fixed text
    axis=last_months,
    stacked=True,
)

COVERAGE_FIGURE = Figure(
    name="coverage",
    panel=ENROLMENT,
    title=_("People covered today"),
    series=(_("Covered by an active policy"), _("Registered")),
    sql=f"""
        WITH covered AS (
            SELECT {_FAMILY_DISTRICT} AS district, count(DISTINCT ip.insuree_id) AS people
              FROM policy_insureepolicy ip
              JOIN policy_policy p ON p.id = ip.policy_id AND p.status = {PolicyStatus.ACTIVE:d} {_FAMILY_JOINS}
             WHERE ip.effective_date <= %(today)s AND ip.expiry_date >= %(today)s
             GROUP BY 1
        ), registered AS (
            SELECT {_FAMILY_DISTRICT} AS district, count(*) AS people
              FROM insuree_insuree i
              LEFT JOIN insuree_family f ON f.id = i.family_id
              JOIN location_location v ON v.id = coalesce(f.village_id, i.current_village_id)
             WHERE i.status = 'AC'
             GROUP BY 1
        )
        SELECT r.district, '', coalesce(c.people, 0), r.people
          FROM registered r LEFT JOIN covered c ON c.district = r.district""",  # noqa: S608 - fixed text
)

RENEWALS_FIGURE = Figure(
    name="renewals",
    panel=ENROLMENT,
    title=_("Renewals due"),
    series=(_("Policies ending"), _("Already renewed")),
    sql=f"""
        SELECT {_FAMILY_DISTRICT}, {_MONTH.format(column="p.expiry_date")}, count(*),
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM policy_policy r WHERE r.previous_id = p.id))
          FROM policy_policy p {_FAMILY_JOINS}
         WHERE p.expiry_date >= %(month)s AND p.expiry_date < %(until)s
           AND p.status IN ({PolicyStatus.ACTIVE:d}, {PolicyStatus.EXPIRED:d})
         GROUP BY 1, 2""",  # noqa: S608 - fixed text
    axis=next_months,
)

CONTRIBUTIONS_FIGURE = Figure(
    name="contributions",
    panel=MONEY,
    title=_("Contributions collected and due, by month of enrolment"),
    series=(_("Due (policy value)"), _("Collected")),
    sql=f"""
        SELECT {_FAMILY_DISTRICT}, {_MONTH.format(column="p.enroll_date")}, sum(p.value), coalesce(sum(paid.amount), 0)
          FROM policy_policy p {_FAMILY_JOINS}
          LEFT JOIN (
              SELECT policy_id, sum(amount) AS amount FROM policy_contribution
               WHERE cancelled_at IS NULL AND NOT is_photo_fee GROUP BY policy_id
          ) paid ON paid.policy_id = p.id
         WHERE p.enroll_date >= %(since)s AND p.enroll_date <= %(today)s
         GROUP BY 1, 2""",  # noqa: S608 - fixed text
    axis=last_months,
    money=True,
)

AMOUNTS_FIGURE = Figure(
    name="claim_amounts",
    panel=MONEY,
    title=_("Amounts claimed and valuated per month"),
    series=(_("Claimed"), _("Valuated")),
    sql=f"""
        SELECT h.district_id, {_MONTH.format(column="c.date_claimed")},
               coalesce(sum(c.claimed) FILTER (WHERE c.status <> {ClaimStatus.ENTERED:d}), 0),
               coalesce(sum(c.valuated), 0)
          FROM claim_claim c {_CLAIM_JOINS}
         WHERE c.date_claimed >= %(since)s AND c.date_claimed <= %(today)s
         GROUP BY 1, 2""",  # noqa: S608 - fixed text
    axis=last_months,
    money=True,
    chart="line",
)

STATUSES = (ClaimStatus.ENTERED, ClaimStatus.CHECKED, ClaimStatus.VALUATED, ClaimStatus.PROCESSED, ClaimStatus.REJECTED)

CLAIM_STATUS_FIGURE = Figure(
    name="claim_status",
    panel=CLAIMS,
    title=_("Claims per month and status"),
    series=tuple(status.label for status in STATUSES),
    sql=f"""
        SELECT h.district_id, {_MONTH.format(column="c.date_claimed")},
               {", ".join(f"count(*) FILTER (WHERE c.status = {status:d})" for status in STATUSES)}
          FROM claim_claim c {_CLAIM_JOINS}
         WHERE c.date_claimed >= %(since)s AND c.date_claimed <= %(today)s
         GROUP BY 1, 2""",  # noqa: S608 - fixed text
    axis=last_months,
    stacked=True,
)

REJECTIONS_FIGURE = Figure(
    name="rejections",
    panel=CLAIMS,
    title=_("Rejected claims by reason, last 12 months"),
    series=(_("Rejected claims"),),
    sql=f"""
        SELECT h.district_id, c.rejection_reason::text, count(*)
          FROM claim_claim c {_CLAIM_JOINS}
         WHERE c.status = {ClaimStatus.REJECTED:d} AND c.date_claimed >= %(since)s AND c.date_claimed <= %(today)s
         GROUP BY 1, 2""",  # noqa: S608 - fixed text
    chart="bar-horizontal",
)

REVIEW_FIGURE = Figure(
    name="review",
    panel=CLAIMS,
    title=_("Claims adjudicated and passed automatically, per month of submission"),
    series=(_("Adjudicated"), _("Passed automatically")),
    sql=f"""
        SELECT h.district_id, {_MONTH.format(column="(c.submitted_at AT TIME ZONE %(zone)s)")},
               count(*), count(*) FILTER (WHERE c.review_status = {ReviewStatus.NOT_SELECTED:d})
          FROM claim_claim c {_CLAIM_JOINS}
         WHERE c.review_status <> {ReviewStatus.IDLE:d} AND (c.submitted_at AT TIME ZONE %(zone)s) >= %(since)s
         GROUP BY 1, 2""",  # noqa: S608 - fixed text
    axis=last_months,
)

FIGURES: dict[str, Figure] = {
    f.name: f
    for f in (
        ENROLMENT_FIGURE,
        COVERAGE_FIGURE,
        RENEWALS_FIGURE,
        CONTRIBUTIONS_FIGURE,
        AMOUNTS_FIGURE,
        CLAIM_STATUS_FIGURE,
        REJECTIONS_FIGURE,
        REVIEW_FIGURE,
    )
}


def _value(value: Any, money: bool) -> Any:
    return str(value) if money else int(value)


def compute(figure: Figure, *, today: date) -> dict[int, Data]:
    """The figure of every district that has any: district id -> key -> values."""
    params = {**_params(today), "zone": timezone.get_current_timezone_name()}
    with connection.cursor() as cursor:
        cursor.execute(figure.sql, params)
        rows = cursor.fetchall()
    found: dict[int, Data] = {}
    for district, key, *values in rows:
        found.setdefault(district, {})[key] = [_value(v, figure.money) for v in values]
    return found


def add(total: Data, data: Data, *, money: bool) -> None:
    """Adds one district's figure to a running total, key by key and series by series."""
    zero: Any = Decimal(0) if money else 0
    for key, values in data.items():
        sums = total.setdefault(key, [zero] * len(values))
        total[key] = [s + (Decimal(v) if money else v) for s, v in zip(sums, values, strict=True)]
