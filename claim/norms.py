"""What is usual for each item and service at each level of facility: the basis of the "far above the norm" flag.

`norms_refresh` recomputes the whole table (ClaimNorm) in one statement from the passed lines of the claims accepted
(Processed or Valuated) whose visit began within the last year: the number of lines, the average quantity provided
and the average amount asked (quantity x the price used at the check). Norms of pairs no longer seen are removed.
It runs nightly (celery beat) and after the claim generator; running it twice changes nothing.
"""

from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from location.models import HealthFacility

from .models import Claim, ClaimItem, ClaimNorm, ClaimService, ClaimStatus, LineStatus

WINDOW_DAYS = 365


def _select(kind: str, table: str, target: str) -> str:
    return f"""
        SELECT '{kind}', l.{target}, f.level, count(*),
               round(avg(l.qty_provided), 2),
               round(avg(l.qty_provided * coalesce(l.price_adjusted, l.price_asked, 0)), 2)
        FROM {table} l
        JOIN {Claim._meta.db_table} c ON c.id = l.claim_id
        JOIN {HealthFacility._meta.db_table} f ON f.id = c.facility_id
        WHERE c.status = ANY(%(accepted)s) AND l.status = %(passed)s AND c.date_from >= %(since)s
        GROUP BY l.{target}, f.level"""  # noqa: S608 - table and column names


@transaction.atomic
def norms_refresh(*, today: date | None = None) -> int:
    """Recomputes every norm; returns how many there are."""
    since = (today or timezone.localdate()) - timedelta(days=WINDOW_DAYS)
    norm = ClaimNorm._meta.db_table
    params: dict[str, Any] = {
        "accepted": [ClaimStatus.PROCESSED.value, ClaimStatus.VALUATED.value],
        "passed": LineStatus.PASSED.value,
        "since": since,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH fresh (kind, target_id, level, samples, avg_qty, avg_value) AS (
                {_select("I", ClaimItem._meta.db_table, "item_id")}
                UNION ALL
                {_select("S", ClaimService._meta.db_table, "service_id")}
            ), upserted AS (
                INSERT INTO {norm} (kind, target_id, level, samples, avg_qty, avg_value, updated_at)
                SELECT kind, target_id, level, samples, avg_qty, avg_value, now() FROM fresh
                ON CONFLICT (kind, target_id, level) DO UPDATE
                SET samples = EXCLUDED.samples, avg_qty = EXCLUDED.avg_qty, avg_value = EXCLUDED.avg_value,
                    updated_at = EXCLUDED.updated_at
                RETURNING id
            )
            DELETE FROM {norm} WHERE id NOT IN (SELECT id FROM upserted)
            """,  # noqa: S608 - table names
            params,
        )
    return ClaimNorm.objects.count()
