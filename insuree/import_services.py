"""Importing families and their members from a file (format: `insuree.importing`), run as a background job.

Rules:
- Starting an import needs `insuree.import_families`; the file is at most IMPORT_MAX_BYTES.
- Every row is checked before anything is written: its own fields, its village (an active village in the
  importer's area), its insurance number (format and check digit, not held by an insuree, not twice in the
  file), exactly one head per family. Any error: the job fails with the list of rows and reasons, nothing is
  written.
- Otherwise everything is written in one transaction with bulk inserts: family ids are reserved from the
  family sequence, the insurees are inserted with their family already set, then the families with their
  heads, 250 families at a time, each step's deferred checks (foreign keys, "the head is a member") run at
  the end of the step (see `_write_import`). Each row is recorded once in history (an insert event, no
  update event), tagged with the job and the user who started it.
- An empty insurance number gets a new number, unused by any insuree and by any reserved card stock number.
  A number of the file that is a reserved card stock number is marked as taken by the imported person.
"""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from location.models import Location, LocationType
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from openimis.common.jobs import JobFailed, job_create, job_progress
from openimis.common.models import Job
from openimis.common.tabular import TableUnreadable, read_table

from . import importing
from .models import Family, Insuree, StockNumber
from .numbers import NumberScheme

MAX_ROWS = 200_000
_CHUNK = 10_000


class FamilyImportError(ApplicationError):
    code = "family_import_invalid"


def families_import_start(*, user: User, upload: Any) -> Job:
    """Checks the permission and the file's size, then queues the import as a job."""
    from .import_tasks import import_families_task

    if not user.has_perm("insuree.import_families"):
        raise PermissionDeniedError(_("You may not import families."))
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise FamilyImportError.for_field(
            "file", _("The file is larger than %d MB.") % (settings.IMPORT_MAX_BYTES // 2**20)
        )
    return job_create(user=user, kind="insuree.import", task=import_families_task, input_file=upload)


def _existing_numbers(numbers: list[str]) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        taken.update(Insuree.objects.filter(insurance_number__in=chunk).values_list("insurance_number", flat=True))
    return taken


def _reserved_numbers(numbers: list[str]) -> set[str]:
    reserved: set[str] = set()
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        reserved.update(StockNumber.objects.filter(number__in=chunk).values_list("number", flat=True))
    return reserved


def families_import(*, job: Job) -> dict[str, Any]:
    """Runs an import job: every row checked first; then all rows written in one transaction, or none."""
    user = job.created_by
    with job.input_file.open("rb") as handle:
        data = handle.read()
    try:
        table = read_table(data, required=importing.REQUIRED_COLUMNS)
    except TableUnreadable as exc:
        raise JobFailed(exc.message) from exc
    if not table.rows:
        raise JobFailed(_("The file has no rows."))
    if len(table.rows) > MAX_ROWS:
        raise JobFailed(_("The file has more than %d rows; split it.") % MAX_ROWS)
    job_progress(job=job, percent=5, message=_("Checking the rows"))
    rows, errors = importing.read_rows(table, today=timezone.localdate())
    codes = {r.village_code for r in rows if r.village_code}
    active = Location.objects.active().filter(type=LocationType.VILLAGE, code__in=codes)
    villages = dict(active.visible_to(user).values_list("code", "pk"))
    out_of_scope = set(active.values_list("code", flat=True)) - set(villages)
    numbers = [r.insurance_number for r in rows if r.insurance_number]
    scheme = NumberScheme.from_settings()
    errors += importing.check_rows(
        rows,
        villages=villages,
        out_of_scope=out_of_scope,
        numbers_taken=_existing_numbers(numbers),
        scheme=scheme,
        progress=lambda fraction: job_progress(job=job, percent=5 + 35 * fraction, message=_("Checking rows")),
    )
    if errors:
        errors.sort(key=lambda e: (e.row, e.field))
        raise JobFailed(
            ngettext(
                "The file has %(n)d error; nothing was imported.",
                "The file has %(n)d errors; nothing was imported.",
                len(errors),
            )
            % {"n": len(errors)},
            report={"errors": [e.as_dict() for e in errors]},
        )
    try:
        families, insurees = _write_import(job, rows, villages, scheme)
    except IntegrityError as exc:  # a number taken by someone else while the job ran
        raise JobFailed(
            _("Another registration took one of the numbers while importing; nothing was imported.")
        ) from exc
    summary = _("Imported %(families)d families with %(insurees)d insurees.") % {
        "families": families,
        "insurees": insurees,
    }
    return {"families": families, "insurees": insurees, "summary": summary}


def _new_numbers(scheme: NumberScheme, count: int, in_file: set[str]) -> list[str]:
    """`count` new valid numbers, unused in the file, by insurees and by card stock (checked, not assumed)."""
    chosen: set[str] = set()
    while len(chosen) < count:
        batch = {scheme.generate() for _ in range(count - len(chosen))} - in_file - chosen
        listed = list(batch)
        chosen |= batch - _existing_numbers(listed) - _reserved_numbers(listed)
    return list(chosen)


_FAMILIES_PER_STEP = 250


@transaction.atomic
def _write_import(
    job: Job, rows: list[importing.PersonRow], villages: dict[str, int], scheme: NumberScheme
) -> tuple[int, int]:
    """Writes every family in one transaction, a step of 250 families at a time.

    Each step runs with the deferrable constraints deferred (the insurees reference their family, the family
    its head), then makes them immediate, which checks the step's rows at once. This keeps the queue of
    pending checks short: PostgreSQL's cost per history-trigger row grows with that queue, so checking only at
    commit made 100,000 rows take minutes instead of seconds.
    """
    heads = {r.family_ref: r for r in rows if r.is_head}
    members: dict[str, list[importing.PersonRow]] = {ref: [] for ref in heads}
    for r in rows:
        members[r.family_ref].append(r)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('insuree_family', 'id')) FROM generate_series(1, %s)", [len(heads)]
        )
        family_ids = dict(zip(heads, (row[0] for row in cursor.fetchall()), strict=True))
    in_file = _file_numbers(rows)
    generated = iter(_new_numbers(scheme, sum(1 for r in rows if not r.insurance_number), in_file))
    refs = list(heads)
    created = 0
    for step in range(0, len(refs), _FAMILIES_PER_STEP):
        job_progress(job=job, percent=45 + 50 * step / len(refs), message=_("Writing families"))
        people: list[Insuree] = []
        head_of: dict[str, Insuree] = {}
        for ref in refs[step : step + _FAMILIES_PER_STEP]:
            head = heads[ref]
            for r in members[ref]:
                person = Insuree(
                    insurance_number=r.insurance_number or next(generated),
                    family_id=family_ids[ref],
                    last_name=r.last_name,
                    other_names=r.other_names,
                    gender=r.gender,
                    dob=r.dob,  # type: ignore[misc]  # every row was checked: dob is set
                    marital_status=r.marital_status,
                    relationship=None if r.is_head else r.relationship,
                    phone=r.phone,
                    email=r.email,
                    identity_type=r.identity_type,
                    identity_number=r.identity_number,
                    current_village_id=villages[r.village_code or head.village_code],
                )
                people.append(person)
                if r.is_head:
                    head_of[ref] = person
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            Insuree.objects.bulk_create(people, batch_size=2000)
            Family.objects.bulk_create(
                [
                    Family(
                        id=family_ids[ref],
                        head_id=head_of[ref].pk,
                        village_id=villages[heads[ref].village_code],
                        poverty=heads[ref].poverty,
                        family_type=heads[ref].family_type,
                        address=heads[ref].address,
                    )
                    for ref in head_of
                ],
                batch_size=2000,
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks this step's rows now
            cursor.execute(  # numbers of pre-printed cards handed out with the import
                """
                UPDATE insuree_stocknumber s SET insuree_id = i.id, taken_at = now(), taken_by_id = %s
                FROM insuree_insuree i
                WHERE i.insurance_number = s.number AND s.insuree_id IS NULL AND i.id = ANY(%s)
                """,
                [job.created_by_id, [p.pk for p in people if p.insurance_number in in_file]],
            )
        created += len(people)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return len(heads), created


def _file_numbers(rows: list[importing.PersonRow]) -> set[str]:
    return {r.insurance_number for r in rows if r.insurance_number}
