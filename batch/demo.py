"""Demo batch runs, so that the batch pages show runs, indices, statements and capitation payments: for every month
that has ended before last month, since the first demo claim was processed, the national run and the run of each
region that has products of its own (CAP-R01's capitation in Ziwani), started by the demo accountant and executed
here (as a worker would). Last month is left for the demo accountant to run from the page.

First, so that Ziwani's capitation has contributions and insured people to share out, the primary-care cover
CAP-R01 is sold (through the enrolment services, by the family's enrolment officer) to a few families of Bahari that
are covered on another product, about seven months ago, and paid.

Idempotent: a month and location already run is skipped, CAP-R01 is sold only when nobody holds it; a run the
services refuse (no distribution configured) is reported and skipped. Needs the demo claims (loaded before:
INSTALLED_APPS order).
"""

from datetime import date, timedelta
from typing import IO

from django.db.models import Min
from django.utils import timezone

from claim.models import Claim, ClaimStatus
from insuree.models import Family
from location.models import Location, LocationType
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError
from policy.demo import sell_paid
from policy.models import Policy, PolicyStatus, Product

from .models import BatchRun
from .services import batch_run_execute, batch_run_start

ACCOUNTANT = "accountant"
CAPITATION_COVER = "CAP-R01"
CAPITATION_FAMILIES = 8
OFFICER = "eo_bahari"


def _sell_capitation_cover(today: date) -> int:
    """CAP-R01 for the first families (by head's insurance number) of the officer's district with an Active policy;
    the number sold."""
    product = Product.objects.filter(code=CAPITATION_COVER).first()
    officer = User.objects.filter(username=OFFICER).first()
    if product is None or officer is None or Policy.objects.filter(product=product).exists():
        return 0
    families = (
        Family.objects.visible_to(officer)
        .filter(policies__status=PolicyStatus.ACTIVE)
        .distinct()
        .order_by("head__insurance_number")[:CAPITATION_FAMILIES]
    )
    day = max(product.date_from, today - timedelta(days=210))
    for family in families:
        sell_paid(officer, family, product, day, receipt=f"DEMO-C{family.pk:05d}")
    return len(families)


def _months(first: date, last: date) -> list[tuple[int, int]]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append((day.year, day.month))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def load(out: IO[str], *, password: str) -> list[tuple[str, str, str]]:
    user = User.objects.filter(username=ACCOUNTANT).first()
    first = Claim.objects.filter(status__in=[ClaimStatus.PROCESSED, ClaimStatus.VALUATED]).aggregate(
        first=Min("processed_at")
    )["first"]
    if user is None or first is None:
        out.write("Demo batch runs: skipped (no demo accountant or no processed claim).\n")
        return []
    today = timezone.localdate()
    sold = _sell_capitation_cover(today)
    before_last_month = today.replace(day=1) - timedelta(days=1)
    before_last_month = before_last_month.replace(day=1) - timedelta(days=1)
    regional = Product.objects.filter(location__type=LocationType.REGION).values("location")
    regions = Location.objects.filter(pk__in=regional)
    locations: list[Location | None] = [None, *regions.order_by("code")]
    done, skipped = 0, []
    for year, month in _months(timezone.localtime(first).date(), before_last_month):
        for location in locations:
            if BatchRun.objects.filter(year=year, month=month, location=location).exists():
                continue
            try:
                run = batch_run_start(user=user, year=year, month=month, location=location, today=today)
            except ApplicationError as error:
                skipped.append(f"{year}-{month:02d} {location or 'national'}: {error.message}")
                continue
            batch_run_execute(run)
            done += 1
    sold_text = f"; {CAPITATION_COVER} sold to {sold} families" if sold else ""
    out.write(f"Demo batch runs: {done} run{sold_text}" + "".join(f"; skipped {s}" for s in skipped) + ".\n")
    return []
