"""Refreshing the dashboard's precomputed figures (celery beat, and once after the demo data is loaded).

Rules:
- a refresh computes a figure for every district at once and replaces all the figure's rows in one transaction:
  readers see the old figures or the new ones, never a mix;
- every district gets a row, empty when it has nothing to count, so the page can tell "nothing" from "not yet";
- refreshes of one figure wait for each other (a transaction-level advisory lock); running one twice in a row
  gives the same rows, with a later `computed_at`.
"""

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from location.models import Location, LocationType

from . import figures
from .models import DistrictFigure


@transaction.atomic
def figure_refresh(*, name: str, today: date | None = None) -> int:
    """Recomputes one figure for every district; returns the number of districts."""
    figure = figures.FIGURES[name]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"dashboard.{name}"])
    found = figures.compute(figure, today=today or timezone.localdate())
    now = timezone.now()
    districts = Location.objects.filter(type=LocationType.DISTRICT).values_list("pk", flat=True)
    DistrictFigure.objects.filter(name=name).delete()
    rows = DistrictFigure.objects.bulk_create(
        DistrictFigure(name=name, district_id=pk, data=found.get(pk, {}), computed_at=now) for pk in districts
    )
    return len(rows)


def figures_refresh(*, today: date | None = None) -> dict[str, int]:
    """Recomputes every figure, each in its own transaction; figure name -> districts."""
    return {name: figure_refresh(name=name, today=today) for name in figures.FIGURES}
