"""Turning database refusals into domain errors that name the field and the rule."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction

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
