"""Turning database refusals into domain errors that name the field and the rule; set-wise row updates."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models, transaction

from .exceptions import ApplicationError

# constraint name -> (field or None, message)
ConstraintMessages = dict[str, tuple[str | None, str]]


def constraint_name(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


@contextmanager
def constraint_errors(messages: ConstraintMessages) -> Iterator[None]:
    """Runs the block in a savepoint; a violated constraint listed in `messages` becomes an ApplicationError."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        name = constraint_name(exc)
        if name not in messages:
            raise
        field, message = messages[name]
        raise ApplicationError(message, fields={field: [message]} if field else None, code=name) from exc


def validate_fields(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    """Field rules (required, length, choices, formats) as an ApplicationError; constraints are left to the DB."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fields = {
            ("__all__" if key == NON_FIELD_ERRORS else key): [str(m) for m in msgs]
            for key, msgs in exc.message_dict.items()
        }
        first = next(iter(fields.items()))
        raise ApplicationError(f"{first[0]}: {first[1][0]}", fields=fields) from exc


# field types whose Python values the database driver sends as they are
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _column_values(field: "models.Field[Any, Any]", rows: Sequence[models.Model]) -> list[Any]:
    if field.get_internal_type() in _PLAIN:
        return [getattr(obj, field.attname) for obj in rows]
    return [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in rows]


def update_rows(
    model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str], *, batch: int = 5000
) -> int:
    """Writes `fields` of `rows` (saved instances) with one `UPDATE ... FROM unnest(...)` per batch, one array
    parameter per column: the set-wise counterpart of `bulk_update`, whose CASE expressions grow with the square
    of the batch. No signals, no `auto_now`: the caller sets every field it names. Returns the rows updated."""
    if not rows:
        return 0
    meta = model._meta
    pk_field = cast(models.Field, meta.pk)
    targets: list[models.Field[Any, Any]] = [cast(models.Field, meta.get_field(name)) for name in fields]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = quote(str(pk_field.column))
    sets = ", ".join(f"{quote(str(f.column))} = v.{quote(str(f.column))}" for f in targets)
    names = ", ".join(["_pk", *(quote(str(f.column)) for f in targets)])
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk_field, *targets])
    sql = f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names}) WHERE t.{pk} = v._pk"  # noqa: S608
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(sql, [[obj.pk for obj in chunk], *(_column_values(f, chunk) for f in targets)])
            done += cursor.rowcount
    return done


def insert_rows(model: type[models.Model], rows: Sequence[models.Model], *, batch: int = 5000) -> None:
    """Inserts new instances with one `INSERT ... SELECT FROM unnest(...)` per batch, one array parameter per
    column, and sets their primary keys (taken from the table's sequence first, so each row gets its own whatever
    the order the database inserts them in). Fields are prepared as `save()` does (`auto_now_add`, defaults); no
    signals. Constraint violations raise IntegrityError, as `bulk_create` does."""
    if not rows:
        return
    meta = model._meta
    pk_field = cast(models.Field, meta.pk)
    fields: list[models.Field[Any, Any]] = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in [pk_field, *fields])
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk_field, *fields])
    sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk_field.column, len(chunk)],
            )
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
            for f in fields:
                for obj in chunk:
                    f.pre_save(obj, add=True)  # sets auto_now(_add) values on the instance
            values = [_column_values(f, chunk) for f in fields]
            cursor.execute(sql, [[obj.pk for obj in chunk], *values])
            for obj in chunk:
                obj._state.adding = False
                obj._state.db = connection.alias
