"""Sends the reads of a report run to the read replica ("reports", from `REPORTS_DATABASE_URL`) when one is set.

The report queries name their database (`.using(reading_db())`); the router covers every other read a run makes
(a related row, the user's scope), so that a report never loads the primary. Writes always go to "default", and
the replica is never migrated (it follows the primary).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "reports"
_reporting: ContextVar[bool] = ContextVar("reports_reporting", default=False)


@contextmanager
def reading_replica() -> Iterator[None]:
    """Within the block, reads go to the replica (when one is configured)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


class ReportsRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if _reporting.get() and REPLICA in settings.DATABASES else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
