"""What a user's dashboard shows: the panels their permissions open, each figure summed over the districts of their
scope (precomputed rows), and the review backlog counted live from the review queue.

The districts are those inside the locations granted to the user (every district for a national user); a grant of a
single health facility, or of a municipality or village, holds no whole district and shows no precomputed figure.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from claim import selectors as claim_selectors
from claim.labels import reason_label
from location.models import Location, LocationType
from location.scope import Scope, scope_of
from openimis.accounts.models import User

from . import figures
from .models import DistrictFigure

PANEL_PERMISSIONS = {
    figures.ENROLMENT: "dashboard.view_enrolment_figures",
    figures.CLAIMS: "dashboard.view_claim_figures",
    figures.MONEY: "dashboard.view_money_figures",
}
PANEL_ORDER = (figures.ENROLMENT, figures.MONEY, figures.CLAIMS)


@dataclass
class Chart:
    """One figure ready to draw and to read as a table: one row per label, one value per series."""

    name: str
    title: str
    kind: str
    series: list[str]
    labels: list[str]
    values: list[list[Any]]
    money: bool = False
    stacked: bool = False

    @property
    def is_empty(self) -> bool:
        return not any(v for row in self.values for v in row)

    @property
    def rows(self) -> list[tuple[str, list[Any]]]:
        return list(zip(self.labels, self.values, strict=True))

    def config(self) -> dict[str, Any]:
        """What static/js/dashboard.js draws (money as decimal strings)."""
        return {
            "id": self.name,
            "kind": self.kind,
            "stacked": self.stacked,
            "money": self.money,
            "labels": self.labels,
            "datasets": [
                {"label": label, "data": [str(row[i]) if self.money else row[i] for row in self.values]}
                for i, label in enumerate(self.series)
            ],
        }


@dataclass
class Backlog:
    """Claims waiting for a reviewer now, by how long they have waited."""

    waiting: int
    under_a_week: int
    under_a_month: int
    older: int
    oldest: datetime | None


@dataclass
class Section:
    panel: str
    title: str
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Dashboard:
    sections: list[Section]
    computed_at: datetime | None = None
    districts: int = 0
    backlog: Backlog | None = None
    auto_pass_percent: Decimal | None = None

    @property
    def panels(self) -> list[str]:
        return [section.panel for section in self.sections]

    @property
    def chart_configs(self) -> list[dict[str, Any]]:
        return [chart.config() for section in self.sections for chart in section.charts]


def panels_for(user: User) -> list[str]:
    return [panel for panel in PANEL_ORDER if user.has_perm(PANEL_PERMISSIONS[panel])]


def districts_for(user: User) -> QuerySet[Location]:
    """The districts inside the locations granted to the user."""
    scope = scope_of(user)
    granted = Scope(national=scope.national, location_paths=scope.location_paths)
    if granted.is_empty:
        return Location.objects.none()
    return Location.objects.filter(granted.location_q(), type=LocationType.DISTRICT)


# --- labels of the keys ------------------------------------------------------------------------------------------


def _month_label(key: str) -> str:
    year, month = key.split("-")
    return formats.date_format(date(int(year), int(month), 1), "M Y")


def _axis(figure: figures.Figure, total: figures.Data, today: date) -> list[tuple[str, str]]:
    """(key, label) of the figure's x axis: its months, or the keys found, largest first (rejection reasons)."""
    if figure.axis is not None:
        return [(key, _month_label(key)) for key in figure.axis(today)]
    ordered = sorted(total, key=lambda k: (-sum(total[k]), int(k)))
    return [(key, reason_label(int(key))) for key in ordered]


def _chart(figure: figures.Figure, axis: list[tuple[str, str]], total: figures.Data) -> Chart:
    zero: Any = Decimal(0) if figure.money else 0
    blank = [zero] * len(figure.series)
    return Chart(
        name=figure.name,
        title=str(figure.title),
        kind=figure.chart,
        series=[str(s) for s in figure.series],
        labels=[label for _key, label in axis],
        values=[total.get(key, blank) for key, _label in axis],
        money=figure.money,
        stacked=figure.stacked,
    )


# --- reading the precomputed rows --------------------------------------------------------------------------------


@dataclass
class _Row:
    name: str
    district: int
    place: tuple[int | None, str]  # (id, name) of the district, or its region on a dashboard of several regions
    data: figures.Data
    computed_at: datetime


def _rows(user: User, names: list[str]) -> list[_Row]:
    found = list(
        DistrictFigure.objects.filter(name__in=names, district__in=districts_for(user))
        .order_by("district__parent__name", "district__name")
        .values_list(
            "name", "district_id", "district__name", "district__parent_id", "district__parent__name", "data",
            "computed_at",
        )
    )  # fmt: skip
    by_region = len({row[3] for row in found}) > 1
    return [
        _Row(name, district, (region, region_name) if by_region else (district, district_name), data, at)
        for name, district, district_name, region, region_name, data, at in found
    ]


def _coverage(figure: figures.Figure, rows: list[_Row]) -> Chart:
    """People covered and registered per district (per region when the dashboard spans several regions)."""
    totals: dict[tuple[int | None, str], figures.Data] = {}
    for row in rows:
        figures.add(totals.setdefault(row.place, {}), row.data, money=False)
    places = list(totals)
    axis = [(str(pk), name) for pk, name in places]
    return _chart(figure, axis, {str(pk): totals[(pk, name)].get("", [0, 0]) for pk, name in places})


def _summed(figure: figures.Figure, rows: list[_Row], today: date) -> Chart:
    total: figures.Data = {}
    for row in rows:
        figures.add(total, row.data, money=figure.money)
    return _chart(figure, _axis(figure, total, today), total)


def _auto_pass_percent(chart: Chart) -> Decimal | None:
    adjudicated = sum(row[0] for row in chart.values)
    if not adjudicated:
        return None
    return (Decimal(100) * sum(row[1] for row in chart.values) / adjudicated).quantize(Decimal("0.1"))


def backlog_for(user: User) -> Backlog:
    """The claims of the user's review queue, counted by how long ago they were submitted."""
    now = timezone.now()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    counts = (
        claim_selectors.review_queue(user)
        .select_related(None)
        .prefetch_related(None)
        .order_by()
        .aggregate(
            waiting=Count("pk"),
            under_a_week=Count("pk", filter=Q(submitted_at__gte=week)),
            under_a_month=Count("pk", filter=Q(submitted_at__lt=week, submitted_at__gte=month)),
            older=Count("pk", filter=Q(submitted_at__lt=month)),
            oldest=Min("submitted_at"),
        )
    )
    return Backlog(**counts)


def _panel_title(panel: str) -> str:
    return {figures.ENROLMENT: _("Enrolment"), figures.MONEY: _("Money"), figures.CLAIMS: _("Claims")}[panel]


def dashboard_for(user: User) -> Dashboard:
    """The user's dashboard: one section per panel their permissions open (none: an empty dashboard)."""
    sections = {panel: Section(panel, _panel_title(panel)) for panel in panels_for(user)}
    board = Dashboard(sections=list(sections.values()))
    chosen = [f for f in figures.FIGURES.values() if f.panel in sections]
    rows = _rows(user, [f.name for f in chosen])
    board.computed_at = min((row.computed_at for row in rows), default=None)
    board.districts = len({row.district for row in rows})
    today = timezone.localtime(board.computed_at).date() if board.computed_at else timezone.localdate()
    for figure in chosen:
        mine = [row for row in rows if row.name == figure.name]
        chart = _coverage(figure, mine) if figure is figures.COVERAGE_FIGURE else _summed(figure, mine, today)
        sections[figure.panel].charts.append(chart)
        if figure is figures.REVIEW_FIGURE:
            board.auto_pass_percent = _auto_pass_percent(chart)
    if figures.CLAIMS in sections:
        board.backlog = backlog_for(user)
    return board
