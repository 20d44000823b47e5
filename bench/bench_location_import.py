"""Figure: "importing a tree of 10,000 villages: <= 10 s".

A generated country (3 regions, 30 districts, 300 municipalities, 10,000 villages with their populations) is
uploaded as one CSV file by a scheme administrator, then the import job runs as the Celery worker runs it, in
this process: take the job, read the file, check every row, write all rows in one transaction (history
recorded by triggers), record the outcome. The figure is the job's wall-clock time.

Run alone: `.venv/bin/python -m bench.bench_location_import` (it re-creates the bench database first).
"""

import random

from bench import common

TARGET_SECONDS = 10.0
REGIONS = 3
DISTRICTS_PER_REGION = 10
MUNICIPALITIES_PER_DISTRICT = 10
VILLAGES = 10_000
SEED = 20240501


def country_csv() -> tuple[bytes, dict[str, int]]:
    """The generated country as a CSV file, and how many rows it has of each type."""
    rows = common.country_rows(
        random.Random(SEED),
        regions=REGIONS,
        districts_per_region=DISTRICTS_PER_REGION,
        municipalities_per_district=MUNICIPALITIES_PER_DISTRICT,
        villages=VILLAGES,
    )
    return common.to_csv(rows), common.count_types(rows)


def run() -> list[common.Figure]:
    common.prepare()
    from django.apps import apps

    from location.models import Location, LocationType

    data, counts = country_csv()
    total = sum(counts.values())
    print(
        f"file: {total:,} rows ({counts['R']} regions, {counts['D']} districts, {counts['W']} municipalities, "
        f"{counts['V']:,} villages), {len(data) / 1024:.0f} KiB"
    )
    result = common.run_import(common.scheme_admin(), data, "country.csv")
    job = result.job

    if job.result.get("counts") != counts:
        raise common.BenchmarkError(f"the job reports {job.result.get('counts')}, the file has {counts}")
    villages = Location.objects.filter(type=LocationType.VILLAGE, is_active=True).count()
    if villages != VILLAGES:
        raise common.BenchmarkError(f"{villages} active villages after the import, expected {VILLAGES}")
    events = (
        apps.get_model("location", "LocationEvent")
        .objects.filter(pgh_label="insert", pgh_context__metadata__job=str(job.uuid))
        .count()
    )
    if events != total:
        raise common.BenchmarkError(f"{events} history events recorded for the job, expected {total}")

    print(f"job {job.uuid}: {job.get_status_display()}, {job.result['summary']}")
    print(f"history: {events:,} insert events with the job's context")
    print(f"upload request (checks, file saved, job queued): {result.request_seconds * 1000:.0f} ms")
    return [
        common.Figure(
            name=f"import a tree of {VILLAGES:,} villages ({total:,} rows)",
            value=result.job_seconds,
            target=TARGET_SECONDS,
            unit="s",
        )
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
