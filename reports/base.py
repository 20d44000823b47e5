"""What every standard report is made of: its registry entry (`Report`), its parameters (`ReportParams`), the plain
data its query returns (`ReportData`), and the helpers the queries share.

Rules for a report query (`Report.query(user=..., params=...) -> ReportData`):
- It is scoped to the requesting user's area (`location.scope.scope_of`): a district manager's report holds nothing
  of another district, whatever parameters were stored in the job.
- It reads from the "reports" database (a read replica) when one is configured, else from "default"
  (`reading_db`), and it aggregates in SQL: a national report for a year must take seconds, not minutes.
- Amounts are `Decimal` to the cent, counts are `int`; no data gives a report with no rows (the renderers say so),
  never an error.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from location.models import HealthFacility, HealthFacilityUserObjectPermission, Location, LocationUserObjectPermission
from location.scope import scope_of
from openimis.accounts.models import User
from payer.models import Payer
from policy.models import Product

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# Every parameter a report may take; a report names the ones it takes, and the form shows only those.
PARAMETERS = (
    "date_from",
    "date_to",
    "location",
    "product",
    "facility",
    "payer",
    "officer",
    "user",
    "insurance_number",
    "rate",
)
FORMATS = ("pdf", "xlsx", "csv")


def reading_db() -> str:
    """The database alias the report queries read from: the read replica when configured."""
    return "reports" if "reports" in settings.DATABASES else "default"


@dataclass(frozen=True)
class ReportParams:
    date_from: date | None = None
    date_to: date | None = None
    location: Location | None = None  # a region or district in the user's scope
    product: Product | None = None
    facility: HealthFacility | None = None
    payer: Payer | None = None
    officer: User | None = None  # an enrolment officer (policies sold, renewals, commissions)
    user: User | None = None  # any user in the user's area (user activity)
    insurance_number: str = ""  # one insuree (claim history)
    rate: Decimal | None = None  # a percentage (commissions)


@dataclass
class ReportData:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    totals: list[Any] | None = None  # the totals line, aligned with the columns ("" where nothing adds up)
    parameters: list[tuple[str, str]] = field(default_factory=list)  # (label, value) shown in the head
    note: str = ""  # said under the head of the PDF and as the last line of a spreadsheet (e.g. rows left out)

    @property
    def is_empty(self) -> bool:
        return not self.rows


QueryFunction = Callable[..., ReportData]


@dataclass(frozen=True)
class Report:
    code: str
    title: Promise | str
    parameters: tuple[str, ...]
    query: QueryFunction
    template: str = "reports/report.html"
    description: Promise | str = ""
    required: tuple[str, ...] = ("date_from", "date_to")  # parameters the form requires (of those it takes)


# A report that lists people or records (not aggregates) lists at most this many rows, and says how many it left out:
# a national list of a million insurees is of no use on paper, and past a few thousand rows a PDF takes longer to
# write than the 10 s a report may take. The spreadsheets keep the same rows, so that the formats agree.
LIST_LIMIT = 5_000


def limited(rows: list[list[Any]], total: int) -> str:
    """The note of a list report: empty when every row is there, else how many of `total` are listed.
    `rows` is what the query read with `[:LIST_LIMIT]`; `total` the count of the whole list."""
    if total <= len(rows):
        return ""
    return _("The first %(shown)s of %(total)s rows are listed; choose a smaller area or period to see the rest.") % {
        "shown": f"{len(rows):,}",
        "total": f"{total:,}",
    }


def money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


def code_label(code: str, name: str) -> str:
    """How a report shows a coded row (facility, location, product): "code · name"."""
    return f"{code} · {name}"


def period(params: ReportParams) -> tuple[date, date]:
    """The period of a report that requires one (the form requires both dates)."""
    assert params.date_from and params.date_to
    return params.date_from, params.date_to


def months_between(params: ReportParams, prefix: str = "") -> Q:
    """Rows with (year, month) fields (reached through `prefix`, e.g. "run__") inside the months of the period."""
    assert params.date_from and params.date_to
    start, end = params.date_from, params.date_to
    year, month = f"{prefix}year", f"{prefix}month"
    after = Q(**{f"{year}__gt": start.year}) | Q(**{year: start.year, f"{month}__gte": start.month})
    before = Q(**{f"{year}__lt": end.year}) | Q(**{year: end.year, f"{month}__lte": end.month})
    return after & before


def place(qs: QuerySet[Any], params: ReportParams, prefix: str) -> QuerySet[Any]:
    """Narrows to the location and facility parameters (`prefix` reaches the facility, e.g. "facility__")."""
    if params.location is not None:
        qs = qs.filter(**{f"{prefix}district__path__startswith": params.location.path})
    if params.facility is not None:
        qs = qs.filter(**{f"{prefix}pk": params.facility.pk})
    return qs


def money_sum(expr: str, **extra: Any) -> Coalesce:
    return Coalesce(Sum(expr, **extra), Value(ZERO), output_field=DecimalField(max_digits=20, decimal_places=2))


def totals(rows: list[list[Any]], *, first: int) -> list[Any] | None:
    """The totals line: "Total" then, from column `first`, the sum of each column."""
    if not rows:
        return None
    width = len(rows[0])
    line: list[Any] = [_("Total")] + [""] * (first - 1)
    for col in range(first, width):
        values = [r[col] for r in rows]
        line.append(sum(values, ZERO if isinstance(values[0], Decimal) else 0))
    return line


def users_in_scope(user: User, db: str = "default") -> QuerySet[User]:
    """The users who work in `user`'s area: a location grant inside it, or a grant on one of its facilities.
    National users see every user."""
    scope = scope_of(user)
    if scope.national:
        return User.objects.using(db).all()
    located = LocationUserObjectPermission.objects.using(db).filter(
        scope.location_q("content_object__"), user=OuterRef("pk"), permission__codename="scope_location"
    )
    placed = HealthFacilityUserObjectPermission.objects.using(db).filter(
        scope.facility_q("content_object__"), user=OuterRef("pk"), permission__codename="scope_healthfacility"
    )
    return User.objects.using(db).filter(Q(Exists(located)) | Q(Exists(placed)))
