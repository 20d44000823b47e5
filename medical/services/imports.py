"""Imports of registers and price lists from CSV or XLSX files, run as background jobs (rules: see the package
docstring; file layouts: medical/importing.py)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from location.models import Location, LocationType
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors
from openimis.common.jobs import JobFailed, job_create, job_progress
from openimis.common.models import Job
from openimis.common.tabular import Table, TableUnreadable, read_table

from .. import importing
from ..exceptions import MedicalError
from ..models import ITEMS, SERVICES, Diagnosis, Item, PriceListKind, Service
from ._base import require_perm
from .price_lists import price_list_messages
from .registers import diagnosis_messages, item_messages, service_messages


@dataclass(frozen=True)
class ImportKind:
    key: str  # as in URLs and the API: items, services, diagnoses, item_price_lists, service_price_lists
    job_kind: str
    label: Any
    perms: tuple[str, ...]
    layout: importing.Layout


IMPORT_KINDS = {
    k.key: k
    for k in (
        ImportKind(
            "items",
            "medical.import_items",
            gettext_lazy("Import of medical items"),
            ("medical.import_registers", "medical.add_item", "medical.change_item"),
            importing.ITEM_LAYOUT,
        ),
        ImportKind(
            "services",
            "medical.import_services",
            gettext_lazy("Import of medical services"),
            ("medical.import_registers", "medical.add_service", "medical.change_service"),
            importing.SERVICE_LAYOUT,
        ),
        ImportKind(
            "diagnoses",
            "medical.import_diagnoses",
            gettext_lazy("Import of diagnoses"),
            ("medical.import_registers", "medical.add_diagnosis", "medical.change_diagnosis"),
            importing.DIAGNOSIS_LAYOUT,
        ),
        ImportKind(
            "item_price_lists",
            "medical.import_item_price_lists",
            gettext_lazy("Import of items price lists"),
            ("medical.import_registers", "medical.change_itempricelist"),
            importing.PRICE_LIST_LAYOUT,
        ),
        ImportKind(
            "service_price_lists",
            "medical.import_service_price_lists",
            gettext_lazy("Import of services price lists"),
            ("medical.import_registers", "medical.change_servicepricelist"),
            importing.PRICE_LIST_LAYOUT,
        ),
    )
}
BY_JOB_KIND = {k.job_kind: k for k in IMPORT_KINDS.values()}


def medical_import_start(*, user: User, what: str, upload: Any) -> Job:
    """Checks the permissions and the file's size, then queues the import as a job."""
    from ..tasks import import_medical_task

    kind = IMPORT_KINDS[what]
    for perm in kind.perms:
        require_perm(user, perm)
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise MedicalError.for_field("file", _("The file is larger than %d MB.") % (settings.IMPORT_MAX_BYTES // 2**20))
    return job_create(user=user, kind=kind.job_kind, task=import_medical_task, input_file=upload)


def medical_import(*, job: Job) -> dict[str, Any]:
    """Runs an import job: every row checked first; then all rows written in one transaction, or none."""
    kind = BY_JOB_KIND[job.kind]
    with job.input_file.open("rb") as handle:
        data = handle.read()
    try:
        table = read_table(data, required=kind.layout.required)
    except TableUnreadable as exc:
        raise JobFailed(exc.message) from exc
    job_progress(job=job, percent=10, message=_("Checking the rows"))
    if kind.key == "items":
        return _import_register(job, table, Item, kind.layout, importing.register_problems(Item), item_messages())
    if kind.key == "services":
        problems = importing.register_problems(Service)
        return _import_register(job, table, Service, kind.layout, problems, service_messages())
    if kind.key == "diagnoses":
        return _import_register(job, table, Diagnosis, kind.layout, importing.diagnosis_problems, diagnosis_messages())
    return _import_price_lists(job, table, ITEMS if kind.key == "item_price_lists" else SERVICES)


def _refuse(errors: list[importing.RowError]) -> JobFailed:
    return JobFailed(
        ngettext(
            "The file has %(n)d error; nothing was imported.",
            "The file has %(n)d errors; nothing was imported.",
            len(errors),
        )
        % {"n": len(errors)},
        report={"errors": [e.as_dict() for e in importing.sorted_errors(errors)]},
    )


def _parse(
    table: Table, layout: importing.Layout, key: Callable[[importing.ParsedRow], Any], problems: Any
) -> tuple[list[importing.ParsedRow], list[importing.RowError]]:
    rows, errors = importing.parse_rows(table, layout)
    unreadable = {(e.row, e.field) for e in errors}
    errors += importing.check_rows(rows, key=key, problems=problems, skip=unreadable)
    if not rows and not errors:
        raise JobFailed(_("The file has no rows."))
    return rows, errors


# --- registers ---------------------------------------------------------------------------------------------


def _code_key(row: importing.ParsedRow) -> str | None:
    return row.values.get("code") or None


def _import_register(
    job: Job,
    table: Table,
    model: type[Item] | type[Service] | type[Diagnosis],
    layout: importing.Layout,
    problems: Callable[..., dict[str, str]],
    messages: ConstraintMessages,
) -> dict[str, Any]:
    rows, errors = _parse(table, layout, _code_key, problems)
    if errors:
        raise _refuse(errors)
    job_progress(job=job, percent=50, message=_("Writing the rows"))
    present = [c.name for c in layout.columns if table.has(c.name)]
    with transaction.atomic(), constraint_errors(messages):
        created, updated = register_rows_write(model, rows, columns=layout.names, present=present)
    unchanged = len(rows) - created - updated
    summary = _("%(what)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
        "what": str(model._meta.verbose_name_plural).capitalize(),
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
    }
    return {"created": created, "updated": updated, "unchanged": unchanged, "summary": summary}


def _temp_table(cursor: Any, name: str, columns: Sequence[tuple[str, str]], rows: Any) -> None:
    """A temporary table, dropped at commit, filled with COPY (the fastest way into PostgreSQL)."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    definition = ", ".join(f'"{column}" {db_type}' for column, db_type in columns)
    cursor.execute(f"CREATE TEMP TABLE {name} ({definition}) ON COMMIT DROP")
    names = ", ".join(f'"{column}"' for column, _type in columns)
    with cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(f"ANALYZE {name}")


def register_rows_write(
    model: type[models.Model], rows: Sequence[importing.ParsedRow], *, columns: Sequence[str], present: Sequence[str]
) -> tuple[int, int]:
    """Upsert by code, set-based: rows whose code is active update that row (only the columns the file has, and
    only when a value differs, so history records real changes), the others are inserted. Returns (created,
    updated). Runs inside the caller's transaction."""
    table = model._meta.db_table
    fields = [model._meta.get_field(name) for name in columns]
    typed: list[tuple[str, str]] = [(str(f.column), str(f.db_type(connection))) for f in fields]  # type: ignore[union-attr]
    stamped = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        _temp_table(
            cursor,
            "medical_import_rows",
            [("row_number", "integer"), *typed],
            ([r.row, *[r.values[name] for name in columns]] for r in rows),
        )
        updatable = [name for name in present if name != "code"]
        updated = 0
        if updatable:
            sets = ", ".join([f'"{c}" = s."{c}"' for c in updatable] + (["updated_at = now()"] if stamped else []))
            mine = ", ".join(f't."{c}"' for c in updatable)
            theirs = ", ".join(f's."{c}"' for c in updatable)
            cursor.execute(
                f"UPDATE {table} t SET {sets} FROM medical_import_rows s "  # noqa: S608 - names from the model
                f"WHERE t.code = s.code AND t.is_active AND ROW({mine}) IS DISTINCT FROM ROW({theirs})",
                [],
            )
            updated = cursor.rowcount
        names = ", ".join(f'"{c}"' for c, _type in typed)
        values = ", ".join(f's."{c}"' for c, _type in typed)
        stamps = (", created_at, updated_at", ", now(), now()") if stamped else ("", "")
        cursor.execute(
            f"INSERT INTO {table} (uuid, is_active, {names}{stamps[0]}) "  # noqa: S608
            f"SELECT gen_random_uuid(), true, {values}{stamps[1]} FROM medical_import_rows s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.code = s.code AND t.is_active) "
            "ORDER BY s.row_number",
            [],
        )
        created = cursor.rowcount
    return created, updated


# --- price lists -------------------------------------------------------------------------------------------


@dataclass
class _NewList:
    first_row: int
    date_from: date | None = None
    location: Location | None = None

    def values(self, name: str) -> dict[str, Any]:
        return {"name": name, "date_from": self.date_from, "location": self.location}


def _entry_key(row: importing.ParsedRow) -> tuple[str, str] | None:
    name, code = row.values.get("price_list"), row.values.get("code")
    return (name, code) if name and code else None


def _import_price_lists(job: Job, table: Table, kind: PriceListKind) -> dict[str, Any]:
    user = job.created_by
    rows, errors = _parse(table, importing.PRICE_LIST_LAYOUT, _entry_key, importing.entry_problems)
    lists, new_lists, targets, more = _resolve_entries(user, kind, rows)
    errors += more
    if errors:
        raise _refuse(errors)
    job_progress(job=job, percent=50, message=_("Writing the rows"))
    with transaction.atomic(), constraint_errors(price_list_messages(kind)):
        manager: Any = kind.list_model.objects
        created_lists = manager.bulk_create([kind.list_model(**spec.values(name)) for name, spec in new_lists.items()])
        ids = {name: pl.pk for name, pl in lists.items()} | {pl.name: pl.pk for pl in created_lists}
        created, updated = _entries_write(
            kind,
            [(r.row, ids[r.values["price_list"]], targets[r.values["code"]], r.values["price_override"]) for r in rows],
            overrides=table.has("price_override"),
        )
    unchanged = len(rows) - created - updated
    summary = _(
        "Price lists created: %(lists)d. Entries: %(created)d added, %(updated)d changed, %(unchanged)d unchanged."
    ) % {"lists": len(created_lists), "created": created, "updated": updated, "unchanged": unchanged}
    return {
        "lists_created": len(created_lists),
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "summary": summary,
    }


def _resolve_entries(
    user: User, kind: PriceListKind, rows: list[importing.ParsedRow]
) -> tuple[dict[str, Any], dict[str, _NewList], dict[str, int], list[importing.RowError]]:
    """The price lists and items/services the rows name, and the rows naming what does not exist for this user."""
    names = {r.values["price_list"] for r in rows if r.values["price_list"]}
    visible = {pl.name: pl for pl in kind.list_model.objects.visible_to(user).filter(is_active=True, name__in=names)}
    hidden = set(kind.list_model.objects.filter(is_active=True, name__in=names).values_list("name", flat=True))
    in_scope = set(
        Location.objects.visible_to(user)
        .values_list("pk", flat=True)
        .filter(pk__in=[pl.location_id for pl in visible.values() if pl.location_id])
    )
    location_codes = {r.values["location_code"] for r in rows if r.values["location_code"]}
    locations = {
        loc.code: loc
        for loc in Location.objects.visible_to(user).filter(
            is_active=True, code__in=location_codes, type__in=[LocationType.REGION, LocationType.DISTRICT]
        )
    }
    targets = dict(
        kind.target_model.objects.filter(is_active=True, code__in={r.values["code"] for r in rows}).values_list(
            "code", "pk"
        )
    )
    may_create = user.has_perm(kind.perm("add"))
    errors: list[importing.RowError] = []
    new_lists: dict[str, _NewList] = {}
    for r in rows:
        name, code, location_code = r.values["price_list"], r.values["code"], r.values["location_code"]
        if name in visible:
            location_id = visible[name].location_id
            if location_id and location_id not in in_scope:
                errors.append(
                    importing.RowError(
                        r.row, "price_list", _("Price list %s is above your scope: you may not change it.") % name
                    )
                )
        elif name in hidden:
            errors.append(importing.RowError(r.row, "price_list", _("Price list %s is outside your scope.") % name))
        elif name and not may_create:
            errors.append(
                importing.RowError(
                    r.row, "price_list", _("There is no price list %s and you may not create one.") % name
                )
            )
        elif name:
            spec = new_lists.setdefault(name, _NewList(r.row))
            spec.date_from = spec.date_from or r.values["date_from"]
            if location_code and location_code not in locations:
                errors.append(
                    importing.RowError(
                        r.row, "location_code", _("No region or district with code %s in your scope.") % location_code
                    )
                )
            elif location_code and spec.location is None:
                spec.location = locations[location_code]
        if code and code not in targets:
            message = (
                _("No active item has code %s.") if kind is ITEMS else _("No active service has code %s.")
            ) % code
            errors.append(importing.RowError(r.row, "code", message))
    for name, spec in new_lists.items():
        if spec.date_from is None:
            errors.append(
                importing.RowError(
                    spec.first_row, "date_from", _("Price list %s is new: give the date it applies from.") % name
                )
            )
    return visible, new_lists, targets, errors


def _entries_write(kind: PriceListKind, rows: list[tuple[int, int, int, Any]], *, overrides: bool) -> tuple[int, int]:
    """Upsert by (price list, item or service), set-based; returns (created, updated)."""
    table = kind.entry_model._meta.db_table
    column = f"{kind.target_field}_id"
    with connection.cursor() as cursor:
        _temp_table(
            cursor,
            "medical_import_entries",
            [
                ("row_number", "integer"),
                ("price_list_id", "bigint"),
                ("target_id", "bigint"),
                ("price_override", "numeric(18, 2)"),
            ],
            rows,
        )
        updated = 0
        if overrides:
            cursor.execute(
                f"UPDATE {table} e SET price_override = s.price_override FROM medical_import_entries s "  # noqa: S608
                f"WHERE e.price_list_id = s.price_list_id AND e.{column} = s.target_id "
                "AND e.price_override IS DISTINCT FROM s.price_override",
                [],
            )
            updated = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {table} (price_list_id, {column}, price_override) "  # noqa: S608
            "SELECT s.price_list_id, s.target_id, s.price_override FROM medical_import_entries s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} e "
            f"WHERE e.price_list_id = s.price_list_id AND e.{column} = s.target_id) "
            "ORDER BY s.row_number",
            [],
        )
        created = cursor.rowcount
    return created, updated
