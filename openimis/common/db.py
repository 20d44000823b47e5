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


def update_rows(
    model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str], *, batch: int = 5000
) -> int:
    """Writes `fields` of `rows` (saved instances) with one `UPDATE ... FROM (VALUES ...)` per batch: the set-wise
    counterpart of `bulk_update`, whose CASE expressions grow with the square of the batch. No signals, no
    `auto_now`: the caller sets every field it names. Returns the number of rows updated."""
    if not rows:
        return 0
    meta = model._meta
    targets: list[models.Field[Any, Any]] = [cast(models.Field, meta.get_field(name)) for name in fields]
    columns = [str(f.column) for f in targets]
    table = connection.ops.quote_name(meta.db_table)
    pk = connection.ops.quote_name(str(meta.pk.column))  # type: ignore[union-attr]
    sets = ", ".join(
        f"{connection.ops.quote_name(c)} = v.{connection.ops.quote_name(c)}::{f.db_type(connection)}"
        for c, f in zip(columns, targets, strict=True)
    )
    names = ", ".join(["_pk", *(connection.ops.quote_name(c) for c in columns)])
    row_sql = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list[Any] = []
            for obj in chunk:
                params.append(obj.pk)
                for f in targets:
                    params.append(f.get_db_prep_save(getattr(obj, f.attname), connection))
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v({names}) "  # noqa: S608 - names from the model
                f"WHERE t.{pk} = v._pk",
                params,
            )
            done += cursor.rowcount
    return done
