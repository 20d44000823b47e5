"""Figure: "importing 20,000 items and 10,000 services from XLSX: <= 30 s".

Two generated workbooks (20,000 items with every column; 10,000 services with every column) are uploaded by a
scheme administrator through `medical_import_start`, then each import job runs as the Celery worker runs it, in
this process: take the job, read the workbook (openpyxl, read-only), check every row, write all rows in one
transaction (COPY into a temporary table, one INSERT ... SELECT; history recorded by triggers), record the
outcome. The figure is the sum of the two jobs' wall-clock times. Also printed, not part of the figure: the same
two files imported again (every row matched by code and found unchanged, nothing written).

Run alone: `.venv/bin/python -m bench.bench_medical_import` (it re-creates the bench database first).
"""

import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from unittest import mock

from bench import common

if TYPE_CHECKING:
    from openimis.accounts.models import User
    from openimis.common.models import Job

TARGET_SECONDS = 30.0
ITEMS = 20_000
SERVICES = 10_000
SEED = 20260101

_SUBSTANCES = (
    "Amoxicillin", "Paracetamol", "Ibuprofen", "Metronidazole", "Ciprofloxacin", "Doxycycline", "Artesunate",
    "Metformin", "Amlodipine", "Omeprazole", "Salbutamol", "Prednisolone", "Ceftriaxone", "Fluconazole",
    "Albendazole", "Furosemide", "Diclofenac", "Gentamicin", "Azithromycin", "Enalapril",
)  # fmt: skip
_FORMS = ("tablets", "capsules", "oral suspension, 100 ml", "injection, 2 ml ampoule", "cream, 20 g tube")
_CONSUMABLES = ("Syringe", "Gauze swab", "IV cannula", "Suture", "Glove", "Catheter", "Bandage", "Test strip")
_SERVICES = ("Consultation", "Laboratory test", "X-ray", "Ultrasound", "Minor surgery", "Day of hospitalisation")
ITEM_HEADER = [
    "code", "name", "type", "package", "quantity", "price", "care_type", "frequency", "patient_category",
    "maximum_amount",
]  # fmt: skip
SERVICE_HEADER = [
    "code", "name", "type", "category", "level", "price", "care_type", "frequency", "patient_category",
    "maximum_amount", "package_type", "manual_price",
]  # fmt: skip
MASKS = (15, 15, 15, 7, 11, 6, 5)


def item_rows(rng: random.Random) -> list[list[Any]]:
    rows = []
    for n in range(1, ITEMS + 1):
        if rng.random() < 0.8:
            name = f"{rng.choice(_SUBSTANCES)} {rng.choice((50, 100, 250, 500))} mg {rng.choice(_FORMS)} ({n})"
            type_, package = "D", f"Box of {rng.choice((10, 28, 100, 1000))}"
        else:
            name, type_, package = f"{rng.choice(_CONSUMABLES)}, size {rng.randint(1, 9)} ({n})", "M", "Box of 50"
        price = round(rng.uniform(10, 50_000), 2)
        rows.append(
            [f"I{n:05d}", name, type_, package, rng.choice((None, 10, 100)), price, rng.choice("IOBBB"),
             rng.choice((None, None, 30, 90)), rng.choice(MASKS), rng.choice((None, 10, 30))]
        )  # fmt: skip
    return rows


def service_rows(rng: random.Random) -> list[list[Any]]:
    rows = []
    for n in range(1, SERVICES + 1):
        rows.append(
            [f"S{n:05d}", f"{rng.choice(_SERVICES)} ({n})", rng.choice("PCC"), rng.choice("SCDAHVO"),
             rng.choice("SVDH"), round(rng.uniform(500, 600_000), 2), rng.choice("IOB"), rng.choice((None, 365)),
             rng.choice(MASKS), rng.choice((None, 1, 30)), rng.choice("SSPF"), rng.choice((0, 0, 1))]
        )  # fmt: skip
    return rows


@dataclass(frozen=True)
class Run:
    job: "Job"
    request_seconds: float
    job_seconds: float


def run_import(user: "User", what: str, data: bytes, filename: str) -> Run:
    """The production path: the upload request's service, then the queued task called in this process."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from medical.services import medical_import_start
    from medical.tasks import import_medical_task
    from openimis.common.models import JobStatus

    upload = SimpleUploadedFile(filename, data, content_type="application/octet-stream")
    with mock.patch.object(import_medical_task, "delay") as delay:
        started = time.perf_counter()
        job = medical_import_start(user=user, what=what, upload=upload)
        queued = time.perf_counter()
    if delay.call_args_list != [mock.call(job.pk)]:
        raise common.BenchmarkError(f"the import job was not queued once after commit: {delay.call_args_list}")
    import_medical_task(job.pk)
    finished = time.perf_counter()
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        raise common.BenchmarkError(f"import job {job.uuid} ended {job.get_status_display()}: {job.error} {job.result}")
    return Run(job=job, request_seconds=queued - started, job_seconds=finished - queued)


def _check(run: Run, model_name: str, expected: int) -> None:
    from django.apps import apps

    if run.job.result.get("created") != expected:
        raise common.BenchmarkError(f"{model_name}: the job reports {run.job.result}, expected {expected} created")
    active = apps.get_model("medical", model_name).objects.filter(is_active=True).count()
    if active != expected:
        raise common.BenchmarkError(f"{active} active {model_name} rows after the import, expected {expected}")
    events = (
        apps.get_model("medical", f"{model_name}Event")
        .objects.filter(pgh_label="insert", pgh_context__metadata__job=str(run.job.uuid))
        .count()
    )
    if events != expected:
        raise common.BenchmarkError(f"{events} history events recorded for the {model_name} job, expected {expected}")


def run() -> list[common.Figure]:
    common.prepare()
    from openimis.common.tabular import xlsx_bytes

    rng = random.Random(SEED)
    started = time.perf_counter()
    items_file = xlsx_bytes(ITEM_HEADER, item_rows(rng), title="items")
    services_file = xlsx_bytes(SERVICE_HEADER, service_rows(rng), title="services")
    print(
        f"files: {ITEMS:,} items ({len(items_file) / 1024:.0f} KiB), {SERVICES:,} services "
        f"({len(services_file) / 1024:.0f} KiB), generated in {time.perf_counter() - started:.1f} s"
    )
    admin = common.scheme_admin()
    items = run_import(admin, "items", items_file, "items.xlsx")
    _check(items, "Item", ITEMS)
    services = run_import(admin, "services", services_file, "services.xlsx")
    _check(services, "Service", SERVICES)
    print(f"items job {items.job.uuid}: {items.job_seconds:.2f} s, {items.job.result['summary']}")
    print(f"services job {services.job.uuid}: {services.job_seconds:.2f} s, {services.job.result['summary']}")
    print(f"upload requests (checks, file saved, job queued): {items.request_seconds * 1000:.0f} ms, "
          f"{services.request_seconds * 1000:.0f} ms")  # fmt: skip
    again = [
        run_import(admin, what, data, f"{what}.xlsx")
        for what, data in (("items", items_file), ("services", services_file))
    ]
    unchanged = [r.job.result["unchanged"] for r in again]
    if unchanged != [ITEMS, SERVICES]:
        raise common.BenchmarkError(f"importing the same files again should change nothing: {unchanged}")
    print(f"the same files again (all rows unchanged): {again[0].job_seconds:.2f} s + {again[1].job_seconds:.2f} s")
    return [
        common.Figure(
            name=f"import {ITEMS:,} items and {SERVICES:,} services from XLSX",
            value=items.job_seconds + services.job_seconds,
            target=TARGET_SECONDS,
            unit="s",
        )
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
