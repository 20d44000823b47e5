"""Figure of the standard reports at national scale: "each standard report for one year and the whole country:
<= 10 s" (issue 8; every report of the registry).

1. Data: the insurees, policies and 2,000,000 claims of `bench_claims` (generated as it does when missing); in a full
   run the batch benchmark has left a month valued by a national run (1,000,000 claims, facilities topped up to
   6,000) and that month's capitation, which the two batch reports read.
2. Who: a manager (role `manager`) whose scope is every region.
3. Each report, for the year up to today and the whole country (the claim history: of the insuree with the most
   claims; the commissions: at 5 %), in each format (PDF, XLSX, CSV): the request as the
   page makes it (`report_request`, the job row; the queueing intercepted), then the worker's part in this process
   (the Celery task called with the job id: the query, the file written into the job). The figure of a report is
   its slowest format, from the request to the file stored. Checked: every job succeeded with a file.
   The generators write no renewal reminders and no refused photos: a year of each is written first (`_fill_gaps`).

Run alone: `.venv/bin/python bench/run.py reports` (`BENCH_KEEP_DB=1` to measure on the data an earlier run left).
"""

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING
from unittest import mock

from bench import common

if TYPE_CHECKING:
    from openimis.accounts.models import User

TARGET_SECONDS = 10.0
FORMATS = ("pdf", "xlsx", "csv")


def run() -> list[common.Figure]:
    common.prepare()
    from bench import bench_claims

    bench_claims.ensure_data()
    common.analyze()

    from location.models import Location, LocationType
    from openimis.accounts import roles
    from openimis.accounts.models import User
    from openimis.common.models import Job, JobStatus
    from reports.registry import REPORTS
    from reports.services import report_request
    from reports.tasks import report_run_task

    regions = Location.objects.filter(type=LocationType.REGION)
    manager = User.objects.filter(username="bench_manager").first() or common.make_user(
        "bench_manager", roles.MANAGER, scope=regions
    )
    today = date.today()
    _fill_gaps(today, manager)
    year = {"date_from": (today - timedelta(days=365)).isoformat(), "date_to": today.isoformat()}
    figures = []
    for code, report in REPORTS.items():
        params = {**year, **_required_extras(report.required)}
        seconds: dict[str, float] = {}
        rows = 0
        for fmt in FORMATS:
            with mock.patch.object(report_run_task, "delay"):
                started = time.perf_counter()
                job = report_request(user=manager, code=code, params=params, fmt=fmt)
            report_run_task(job.pk)
            seconds[fmt] = time.perf_counter() - started
            job = Job.objects.get(pk=job.pk)
            if job.status != JobStatus.SUCCEEDED or not job.result_file:
                raise common.BenchmarkError(f"report {code} ({fmt}) ended {job.get_status_display()}: {job.error}")
            rows = job.result["rows"]
        slowest = max(seconds, key=lambda f: seconds[f])
        print(f"{code}: " + ", ".join(f"{f} {s:.2f} s" for f, s in seconds.items()) + f" ({rows:,} rows)")
        figures.append(
            common.Figure(
                f"report {report.title} for a year, whole country ({slowest})",
                seconds[slowest],
                TARGET_SECONDS,
                "s",
                notes=(", ".join(f"{f} {s:.2f} s" for f, s in seconds.items()) + f"; {rows:,} rows",),
            )
        )
    return figures


def _fill_gaps(today: date, manager: "User") -> None:
    """What the generators leave out, so that every report has rows to read: the renewal reminders of a year (as the
    nightly job writes them day by day), and 10,000 refused photos spread over the year."""
    from django.db import connection

    from insuree.models import PhotoRejection
    from policy.models import PolicyRenewal
    from policy.nightly import renewal_reminders_create

    if not PolicyRenewal.objects.exists():
        created = renewal_reminders_create(today=today - timedelta(days=365), days=365)
        print(f"renewal reminders of the year written: {len(created):,}")
    if not PhotoRejection.objects.exists():
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO insuree_photorejection
                       (insuree_id, insurance_number, village_id, code, reason, source, uploaded_by_id, rejected_at)
                SELECT i.id, i.insurance_number, f.village_id, 'photo_format', 'Not a JPEG, PNG or WebP image.',
                       'api', %s, now() - (i.id %% 365) * interval '1 day'
                  FROM insuree_insuree i JOIN insuree_family f ON f.id = i.family_id
                 ORDER BY i.id LIMIT 10000""",
                [manager.pk],
            )
        print("refused photos written: 10,000")


def _required_extras(required: tuple[str, ...]) -> dict[str, str]:
    """Values for the parameters a report requires besides its period."""
    from django.db.models import Count

    from claim.models import Claim

    extras: dict[str, str] = {}
    if "insurance_number" in required:
        busiest = Claim.objects.values("insuree__insurance_number").annotate(n=Count("pk")).order_by("-n").first()
        if busiest is None:
            raise common.BenchmarkError("no claims to take a claim history from")
        extras["insurance_number"] = busiest["insuree__insurance_number"]
    if "rate" in required:
        extras["rate"] = "5"
    return extras


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
