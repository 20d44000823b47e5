"""Starting and executing a batch run: relative-price claims valued with an index (reference sec. 6.8, 5.4, 3.3).

Rules enforced:
- A run covers a month and a location: national (no location: the products without a location) or a region (the
  products of exactly that location, as openIMIS does). It cannot start before its month has ended (the month's
  last day must be before today), nor twice for the same (year, month, location): the database constraint
  `batchrun_unique_period_location` is the guard, also against concurrent starts.
- The products of a run are those of its location that began by the month's end and use relative prices (a period
  for relative prices, or an item or service priced relatively). Each care type with a period (both, or in- and
  out-patient) gets an index when that period closes this month (a quarter in March, June, September and December,
  a year in December; `rules.period_window`). A product using relative prices without a period, or without the
  distribution row of a period that closes, is refused at start: no default share of 100 % is assumed (the
  reference's "default 1" would silently pay out a whole year's pool in one month), and nothing is created.
- pool = the contributions of the product's policies allocated to the window (`rules.allocated`, computed in SQL):
  live contributions, photo fees excluded, of policies that are not Idle (reference 6.8).
  share = the distribution percentage / 100. valued = the valued amount of the passed relative-price lines still
  unpaid on Processed claims of the product, processed (local date) in the window, of the care type (in-patient:
  a hospital under the "facility level" interpretation, else a claim spanning several days).
  index = `rules.relative_index` (1 when nothing was valued). Claims of facilities paid by the product's
  capitation (its capitation levels, capitation on) are left out of `valued`, as the reference does.
- A run values the relative-price lines of Processed claims that an index of the run covers (same product,
  processed in the window, its care type): each is paid round(valued x index, 2) (half up), added to the claim's
  remunerated amount (which holds the fixed-price lines, paid at processing). A claim with no relative-price line
  left waiting becomes Valuated. Lines waiting for another index (a quarter or a year that has not closed, a product
  of another location) keep their claim Processed until that run values them. Each run that values lines of a claim
  records a `RunClaim` row: what it valued, and what it counts as paid (its lines, plus the fixed-price lines in the
  run that completes the claim): over the claim's runs they add up to the claim's remunerated amount.
- The line rows are not rewritten (a relative-price line keeps its remunerated amount empty): a line is valued by
  the one run of its product's location whose index covers its processing date, so what it is paid is known from
  that index (`line_remunerations`). Rewriting three million line rows would cost more than the rest of the run.
- A relative-price line of a facility paid by the product's capitation is remunerated 0 (the facility is paid by
  capitation for it): its claim is still Valuated by the run.
- After the claims, the run stores what it pays each facility (`RunFacility`: claims, asked, valued, remunerated)
  and computes the capitation payments of its location's products with capitation on whose
  period closes in the month (`capitation.capitation_compute`; recomputed, to the same amounts, by a resumed run).
- Who may run: a national run (the products without a location) needs a scope covering every region; a regional
  run, the region in the user's scope.
- Execution is resumable: the indices are computed once (in one transaction) and reused when a run is executed
  again; claims are valued in chunks of CHUNK claims (locked), one transaction each; only unpaid lines are valued
  and a claim the run already holds in `RunClaim` (unique per run and claim) is not taken again, so running execute
  twice, or after a crash, or with several workers, values every line once.
- One execution values chunks on CONNECTIONS database connections at once (the setting BATCH_CONNECTIONS, 2 by
  default: the worker thread and a helper thread), so that PostgreSQL uses two cores while one worker runs the run;
  they share the work through the claims' row locks, as separate workers would.
- On Celery (`batch_run_launch`, task `batch.run` in tasks.py): only a holder of `batch.add_batchrun` (roles:
  accountant, scheme administrator) launches a run; the run row and its job are committed together and the task is
  queued after commit. The job's progress follows the claims valued (after each chunk); an error marks the run
  failed and the job failed with its message; a worker killed mid-run leaves its unacknowledged message to the next
  worker, which resumes the run. CHUNK is the setting BATCH_CHUNK (environment variable of the same name).
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from claim.models import ClaimItem, ClaimService, ClaimStatus, LineStatus
from location.models import CareType, Location
from location.selectors import covers_whole_country
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from openimis.common.jobs import job_create, job_progress
from openimis.common.models import Job
from policy.models import (
    PERIODS_PER_YEAR,
    RELATIVE_PERIOD_FIELDS,
    PolicyStatus,
    PriceOrigin,
    Product,
    RelativeDistribution,
)

from . import rules
from .models import BatchRun, BatchRunStatus, RelativeIndex, RunClaim

CHUNK: int = settings.BATCH_CHUNK  # env BATCH_CHUNK
CONNECTIONS: int = settings.BATCH_CONNECTIONS  # env BATCH_CONNECTIONS
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedIndex:
    product: Product
    kind: str
    care_type: str
    period: int
    window: tuple[date, date]
    share: Decimal


def _run_products(location: Location | None, year: int, month: int) -> list[Product]:
    """The products of the run's location that use relative prices, began by the month's end and are still sold
    in the month or have relative-price lines waiting on Processed claims (a claim processed after its product
    expired is still paid)."""
    end = rules.month_end(year, month)
    relative = (
        Q(items__price_origin=PriceOrigin.RELATIVE)
        | Q(services__price_origin=PriceOrigin.RELATIVE)
        | ~Q(period_rel_prices="")
        | ~Q(period_rel_prices_ip="")
        | ~Q(period_rel_prices_op="")
    )
    pending = {
        "status": LineStatus.PASSED,
        "price_origin": PriceOrigin.RELATIVE,
        "remunerated_amount__isnull": True,
        "claim__status": ClaimStatus.PROCESSED,
    }
    current = (
        Q(date_to__gte=date(year, month, 1))
        | Q(pk__in=ClaimItem.objects.filter(**pending).values("product_id"))
        | Q(pk__in=ClaimService.objects.filter(**pending).values("product_id"))
    )
    products = Product.objects.filter(relative, current, location=location, date_from__lte=end)
    return list(products.distinct().order_by("code", "id"))


def _plan(location: Location | None, year: int, month: int) -> list[PlannedIndex]:
    """The indices a run computes; an ApplicationError naming the product when one has no distribution."""
    planned: list[PlannedIndex] = []
    missing: list[str] = []
    for product in _run_products(location, year, month):
        kinds = {
            care: getattr(product, field) for care, field in RELATIVE_PERIOD_FIELDS.items() if getattr(product, field)
        }
        if not kinds:
            missing.append(_("%(product)s has relative prices but no period for them") % {"product": product.code})
            continue
        shares = {
            (d.care_type, d.period_type, d.period): d.percent
            for d in RelativeDistribution.objects.filter(product=product)
        }
        for care_type, kind in sorted(kinds.items()):
            window = rules.period_window(year, month, kind)
            if window is None:
                continue
            period = rules.period_number(month, kind)
            percent = shares.get((care_type, PERIODS_PER_YEAR[kind], period))
            if percent is None:
                missing.append(
                    _("%(product)s has no distribution for %(care)s, period %(period)s")
                    % {"product": product.code, "care": CareType(care_type).label, "period": period}
                )
                continue
            planned.append(PlannedIndex(product, kind, care_type, period, window, percent / 100))
    if missing:
        raise ApplicationError(
            _("Some products have no relative distribution configured."),
            fields={"product": missing},
            code="no_distribution",
        )
    return planned


def batch_run_start(
    *, user: User, year: int, month: int, location: Location | None = None, today: date | None = None
) -> BatchRun:
    """Creates the run of a month and location after checking it may run; nothing is valued yet."""
    if not 2000 <= year <= 9999:
        raise ApplicationError.for_field("year", _("Enter a year between 2000 and 9999."), code="year_invalid")
    if not 1 <= month <= 12:
        raise ApplicationError.for_field("month", _("The month must be between 1 and 12."), code="month_invalid")
    today = today or timezone.localdate()
    if rules.month_end(year, month) >= today:
        raise ApplicationError.for_field(
            "month", _("A batch run can start only after its month has ended."), code="period_not_ended"
        )
    _plan(location, year, month)
    messages: ConstraintMessages = {
        "batchrun_unique_period_location": ("month", _("This month has already been run for this location.")),
    }
    with transaction.atomic(), constraint_errors(messages):
        return BatchRun.objects.create(year=year, month=month, location=location, created_by=user)


def _compute_indices(run: BatchRun) -> None:
    """Computes and stores the run's indices once; a resumed run keeps those it stored."""
    with transaction.atomic():
        locked = BatchRun.objects.select_for_update().get(pk=run.pk)
        if RelativeIndex.objects.filter(run=locked).exists():
            return
        rows = []
        plans = _plan(run.location, run.year, run.month)
        amounts, claims = _valued(plans)
        for plan, valued in zip(plans, amounts, strict=True):
            pool = _pool(plan.product.pk, *plan.window)
            index = rules.relative_index(pool, plan.share, valued)
            rows.append(
                RelativeIndex(
                    run=run,
                    product=plan.product,
                    kind=plan.kind,
                    care_type=plan.care_type,
                    period=plan.period,
                    window_start=plan.window[0],
                    window_end=plan.window[1],
                    pool=pool.quantize(Decimal("0.000001")),
                    share=plan.share,
                    valued=valued,
                    index=index,
                )
            )
        RelativeIndex.objects.bulk_create(rows)
        BatchRun.objects.filter(pk=run.pk).update(claims_expected=claims)
        run.claims_expected = claims


def _pool(product_id: int, start: date, end: date) -> Decimal:
    """Σ rules.allocated over the live contributions (not photo fees) of the product's non-Idle policies."""
    sql = """
        WITH c AS (
            SELECT c.amount::numeric(38, 20) AS amount,
                   GREATEST(c.pay_date, COALESCE(p.effective_date, c.pay_date)) AS cover_start,
                   p.expiry_date AS expiry
            FROM policy_contribution c JOIN policy_policy p ON p.id = c.policy_id
            WHERE p.product_id = %(product)s AND p.status <> %(idle)s AND c.cancelled_at IS NULL
              AND NOT c.is_photo_fee AND c.pay_date <= %(end)s
        )
        SELECT COALESCE(SUM(amount * ((LEAST(%(end)s, expiry) - GREATEST(%(start)s, cover_start)) + 1)
                            / ((expiry - cover_start) + 1)), 0)
        FROM c
        WHERE cover_start <= expiry AND GREATEST(%(start)s, cover_start) <= LEAST(%(end)s, expiry)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"product": product_id, "idle": PolicyStatus.IDLE, "start": start, "end": end})
        (total,) = cursor.fetchone()
    return Decimal(total)


def _in_patient_sql() -> str:
    """Whether claim `c` (facility `hf`) counts as in-patient for product `p`."""
    return (
        "(CASE WHEN p.ceiling_interpretation = 'H' THEN hf.level = 'H' "
        "ELSE COALESCE(c.date_to > c.date_from, FALSE) END)"
    )


def _care_type_sql() -> str:
    return f"(CASE WHEN {_in_patient_sql()} THEN 'I' ELSE 'O' END)"


def _capitated_sql() -> str:
    """Whether facility `hf` is paid by the capitation of product `p`: capitation on (a share of contributions),
    the facility's level (and sub-level, when given) one of the product's capitation levels, and the facility in
    the product's location (as `capitation._facilities`)."""
    levels = " OR ".join(
        f"(hf.level = p.capitation_level_{k} AND (p.capitation_sublevel_{k} = '' "
        f"OR hf.sub_level = p.capitation_sublevel_{k}))"
        for k in range(1, 5)
    )
    located = (
        "(p.location_id IS NULL OR hf.district_id = p.location_id OR EXISTS "
        "(SELECT 1 FROM location_location d WHERE d.id = hf.district_id AND d.parent_id = p.location_id))"
    )
    return f"(p.share_contribution IS NOT NULL AND ({levels}) AND {located})"


# a passed relative-price line still waiting for its remuneration
PENDING = "l.status = 1 AND l.price_origin = 'R' AND l.remunerated_amount IS NULL"
LINE_TABLES = ("claim_claimitem", "claim_claimservice")


def _processed_on() -> str:
    return "(c.processed_at AT TIME ZONE %(tz)s)::date"


def _valued(plans: list[PlannedIndex]) -> tuple[list[Decimal], int]:
    """The valued amount of each planned index (the unpaid relative-price lines of Processed claims it covers, the
    facilities paid by the product's capitation left out) and how many claims have a line some index covers: one
    pass over the lines, whatever the number of indices."""
    if not plans:
        return [], 0
    lines = " UNION ALL ".join(
        f"SELECT claim_id, product_id, status, price_origin, price_valuated, remunerated_amount FROM {t}"  # noqa: S608
        for t in LINE_TABLES
    )
    sql = f"""
        WITH plans AS (
            SELECT * FROM unnest(%(n)s::int[], %(product)s::int[], %(care)s::text[], %(start)s::date[],
                                 %(end)s::date[]) AS pl(n, product, care, start_on, end_on)
        ), matched AS MATERIALIZED (
            SELECT pl.n, l.claim_id, COALESCE(l.price_valuated, 0) AS valued, {_capitated_sql()} AS capitated
            FROM ({lines}) l
            JOIN plans pl ON pl.product = l.product_id
            JOIN claim_claim c ON c.id = l.claim_id
            JOIN location_healthfacility hf ON hf.id = c.facility_id
            JOIN policy_product p ON p.id = l.product_id
            WHERE {PENDING} AND c.status = %(processed)s
              AND {_processed_on()} BETWEEN pl.start_on AND pl.end_on
              AND (pl.care = 'B' OR pl.care = {_care_type_sql()})
        )
        SELECT n, COALESCE(SUM(valued) FILTER (WHERE NOT capitated), 0) FROM matched GROUP BY n
        UNION ALL
        SELECT -1, COUNT(DISTINCT claim_id) FROM matched
    """  # noqa: S608 - table names and SQL fragments are constants
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "n": list(range(len(plans))),
                "product": [plan.product.pk for plan in plans],
                "care": [plan.care_type for plan in plans],
                "start": [plan.window[0] for plan in plans],
                "end": [plan.window[1] for plan in plans],
                "processed": ClaimStatus.PROCESSED,
                "tz": settings.TIME_ZONE,
            },
        )
        found = dict(cursor.fetchall())
    claims = int(found.pop(-1, 0))
    return [Decimal(found.get(n, 0)) for n in range(len(plans))], claims


def _matching_index(line: str = "l", run: str = "%(run)s", ri: str = "ri") -> str:
    """The index of run `run` that values line `line` of claim `c` (joined to its product `p` and facility `hf`)."""
    return f"""
        {ri}.run_id = {run} AND {ri}.product_id = {line}.product_id
        AND {_processed_on()} BETWEEN {ri}.window_start AND {ri}.window_end
        AND ({ri}.care_type = 'B' OR {ri}.care_type = {_care_type_sql()})
    """


def _line_is_covered(table: str) -> str:
    return f"""
        EXISTS (SELECT 1 FROM {table} l JOIN policy_product p ON p.id = l.product_id
                JOIN batch_relativeindex ri ON {_matching_index()}
                WHERE l.claim_id = c.id AND {PENDING})
    """  # noqa: S608 - table names and SQL fragments are constants


def _waiting(run: BatchRun) -> int:
    """How many claims the run has still to value (a count for the progress bar; not locked)."""
    covered = " OR ".join(_line_is_covered(t) for t in LINE_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*) FROM claim_claim c JOIN location_healthfacility hf ON hf.id = c.facility_id
            WHERE c.status = %(processed)s
              AND NOT EXISTS (SELECT 1 FROM batch_runclaim rc WHERE rc.claim_id = c.id AND rc.run_id = %(run)s)
              AND ({covered})
            """,  # noqa: S608 - table names and SQL fragments are constants
            {"run": run.pk, "processed": ClaimStatus.PROCESSED, "tz": settings.TIME_ZONE},
        )
        (count,) = cursor.fetchone()
    return int(count)


def _value_chunk(run: BatchRun, *, after: int = 0, wait: bool = False) -> tuple[int, int | None]:
    """Values, in one transaction, the claims of the run among the next CHUNK Processed claims with an id above
    `after`: (how many were valued, the last id looked at), or (0, None) when no Processed claim is left beyond
    `after`. Claims another worker is valuing are skipped, or, with `wait`, waited for (and then found valued). The
    next Processed claims come in id order from the partial index `claim_processed_idx`, so a chunk costs the same
    at the start and at the end of a run of a million claims."""
    params = {
        "run": run.pk,
        "processed": ClaimStatus.PROCESSED,
        "tz": settings.TIME_ZONE,
        "limit": CHUNK,
        "after": after,
    }
    covered = " OR ".join(_line_is_covered(t) for t in LINE_TABLES)
    with transaction.atomic(), connection.cursor() as cursor:
        # the chunk's statements are estimated costly enough for PostgreSQL to compile them (JIT): two seconds of
        # compiling for a second of work, every chunk
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            "SELECT id FROM claim_claim WHERE id > %(after)s AND status = %(processed)s ORDER BY id LIMIT %(limit)s",
            params,
        )
        following = [row[0] for row in cursor.fetchall()]
        if not following:
            return 0, None
        cursor.execute(
            f"""
            SELECT c.id FROM claim_claim c JOIN location_healthfacility hf ON hf.id = c.facility_id
            WHERE c.id = ANY(%(following)s) AND c.status = %(processed)s
              AND NOT EXISTS (SELECT 1 FROM batch_runclaim rc WHERE rc.claim_id = c.id AND rc.run_id = %(run)s)
              AND ({covered})
            ORDER BY c.id
            FOR UPDATE OF c {"" if wait else "SKIP LOCKED"}
            """,  # noqa: S608 - table names and SQL fragments are constants
            {**params, "following": following},
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0, following[-1]
        params["ids"] = ids
        columns = "claim_id, product_id, status, price_origin, price_valuated, remunerated_amount"
        lines = " UNION ALL ".join(
            f"SELECT {columns} FROM {t} WHERE claim_id = ANY(%(ids)s)"  # noqa: S608 - constant table names
            for t in LINE_TABLES
        )
        cursor.execute(
            f"""
            WITH lines AS (
                SELECT l.claim_id, COALESCE(l.price_valuated, 0) AS valued, ri.index,
                       ri.id IS NOT NULL AS this_run, {_capitated_sql()} AS capitated,
                       EXISTS (SELECT 1 FROM batch_runclaim rc JOIN batch_relativeindex e ON e.run_id = rc.run_id
                               WHERE rc.claim_id = l.claim_id AND {_matching_index(run="rc.run_id", ri="e")})
                           AS earlier
                FROM ({lines}) l
                JOIN claim_claim c ON c.id = l.claim_id
                JOIN location_healthfacility hf ON hf.id = c.facility_id
                LEFT JOIN policy_product p ON p.id = l.product_id
                LEFT JOIN batch_relativeindex ri ON {_matching_index()}
                WHERE {PENDING}
            ), per_claim AS (
                SELECT claim_id,
                       SUM(valued) FILTER (WHERE this_run) AS valued,
                       SUM(CASE WHEN capitated THEN 0 ELSE ROUND(valued * index, 2) END) FILTER (WHERE this_run)
                           AS paid,
                       BOOL_OR(NOT this_run AND NOT earlier) AS waiting
                FROM lines GROUP BY claim_id
            ), before AS (
                SELECT claim_id, SUM(remunerated) AS remunerated FROM batch_runclaim
                WHERE claim_id = ANY(%(ids)s) GROUP BY claim_id
            ), recorded AS (
                INSERT INTO batch_runclaim (run_id, claim_id, valued, remunerated)
                SELECT %(run)s, pc.claim_id, pc.valued,
                       CASE WHEN pc.waiting THEN pc.paid
                            ELSE COALESCE(c.remunerated, 0) + pc.paid - COALESCE(b.remunerated, 0) END
                FROM per_claim pc JOIN claim_claim c ON c.id = pc.claim_id
                LEFT JOIN before b ON b.claim_id = pc.claim_id
                WHERE pc.valued IS NOT NULL
                ON CONFLICT (run_id, claim_id) DO NOTHING
                RETURNING claim_id
            )
            UPDATE claim_claim c
            SET status = CASE WHEN pc.waiting THEN c.status ELSE %(valuated)s END,
                remunerated = COALESCE(c.remunerated, 0) + pc.paid, updated_at = now()
            FROM recorded r JOIN per_claim pc ON pc.claim_id = r.claim_id
            WHERE c.id = r.claim_id
            """,  # noqa: S608 - table names and SQL fragments are constants
            {**params, "valuated": ClaimStatus.VALUATED},
        )
    return len(ids), following[-1]


def line_remunerations(claim_id: int) -> dict[tuple[str, int], Decimal]:
    """What each relative-price line of a claim was paid by the runs that valued it: {("item" | "service", line id):
    amount}; lines still waiting are absent."""
    kinds = {"claim_claimitem": "item", "claim_claimservice": "service"}
    paid: dict[tuple[str, int], Decimal] = {}
    with connection.cursor() as cursor:
        for table, kind in kinds.items():
            cursor.execute(
                f"""
                SELECT l.id, CASE WHEN {_capitated_sql()} THEN 0
                                  ELSE ROUND(COALESCE(l.price_valuated, 0) * e.index, 2) END
                FROM {table} l JOIN claim_claim c ON c.id = l.claim_id
                JOIN location_healthfacility hf ON hf.id = c.facility_id
                JOIN policy_product p ON p.id = l.product_id
                JOIN batch_runclaim rc ON rc.claim_id = c.id
                JOIN batch_relativeindex e ON {_matching_index(run="rc.run_id", ri="e")}
                WHERE l.claim_id = %(claim)s AND {PENDING}
                """,  # noqa: S608 - table names and SQL fragments are constants
                {"claim": claim_id, "tz": settings.TIME_ZONE},
            )
            paid.update({(kind, line): Decimal(amount) for line, amount in cursor.fetchall()})
    return paid


def batch_run_execute(run: BatchRun, progress: Callable[[int, int], None] | None = None) -> BatchRun:
    """Computes the run's indices (once) and values its claims chunk by chunk; resumable, idempotent.
    `progress`, when given, is called with (claims valued by the run so far, claims of the run) after each chunk."""
    if run.status == BatchRunStatus.DONE:
        return run
    started = time.monotonic()

    def phase(name: str) -> None:
        logger.info("batch run %s: %s at %.1f s", run.uuid, name, time.monotonic() - started)

    with pghistory.context(user=run.created_by_id, batch_run=str(run.uuid)):
        _compute_indices(run)
        phase("indices computed")
        counted = {"done": 0, "total": 0}
        if progress is not None:
            counted["done"] = RunClaim.objects.filter(run=run).count()
            expected = BatchRun.objects.values_list("claims_expected", flat=True).get(pk=run.pk)
            counted["total"] = expected if expected is not None else counted["done"] + _waiting(run)
            phase(f"{counted['total']} claims to value")
        lock = threading.Lock()

        def valued_chunk(valued: int) -> None:
            with lock:
                counted["done"] += valued
                if progress is not None:
                    progress(counted["done"], max(counted["total"], counted["done"]))

        helpers = [
            threading.Thread(target=_helper_loop, args=(run, valued_chunk), name=f"batch-run-{run.pk}-{n}")
            for n in range(1, CONNECTIONS)
        ]
        for helper in helpers:
            helper.start()
        try:
            _value_loop(run, valued_chunk)
        finally:
            for helper in helpers:
                helper.join()
        phase(f"{counted['done']} claims valued")
        _facility_totals(run)
        phase("facility totals stored")
        _capitation(run)
        phase("capitation computed")
    run.status, run.finished_at = BatchRunStatus.DONE, timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


def _value_loop(run: BatchRun, valued_chunk: Callable[[int], None]) -> None:
    """Values chunks until none is left: claims other connections hold are skipped in a first pass over the ids and
    waited for in a second one, so the run is done only when no claim is left."""
    for wait in (False, True):
        after: int | None = 0
        while after is not None:
            valued, after = _value_chunk(run, after=after, wait=wait)
            if valued:
                valued_chunk(valued)


def _helper_loop(run: BatchRun, valued_chunk: Callable[[int], None]) -> None:
    """`_value_loop` on a thread of its own, with its own database connection (closed at the end); its errors are
    left to the main loop, which values whatever this one could not."""
    try:
        with pghistory.context(user=run.created_by_id, batch_run=str(run.uuid)):
            _value_loop(run, valued_chunk)
    except Exception:  # the main loop values the claims left; a real fault fails it there too
        logger.exception("batch run %s: a helper connection stopped", run.uuid)
    finally:
        connection.close()


def _facility_totals(run: BatchRun) -> None:
    """Stores what the run pays each facility (`RunFacility`), from its `RunClaim` rows; again on a resumed run."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO batch_runfacility (run_id, facility_id, claims, asked, valued, remunerated)
            SELECT rc.run_id, c.facility_id, COUNT(*), COALESCE(SUM(c.claimed), 0), SUM(rc.valued), SUM(rc.remunerated)
            FROM batch_runclaim rc JOIN claim_claim c ON c.id = rc.claim_id
            WHERE rc.run_id = %(run)s
            GROUP BY rc.run_id, c.facility_id
            ON CONFLICT (run_id, facility_id) DO UPDATE
            SET claims = EXCLUDED.claims, asked = EXCLUDED.asked, valued = EXCLUDED.valued,
                remunerated = EXCLUDED.remunerated
            """,
            {"run": run.pk},
        )


def capitation_products(run: BatchRun) -> list[Product]:
    """The products of the run's location with capitation on, sold in the run's month, whose period closes then."""
    from .capitation import capitation_window

    month_start, month_end = date(run.year, run.month, 1), rules.month_end(run.year, run.month)
    products = (
        Product.objects.filter(
            location=run.location,
            share_contribution__isnull=False,
            date_from__lte=month_end,
            date_to__gte=month_start,
        )
        .exclude(capitation_level_1="")
        .order_by("code", "id")
    )
    return [p for p in products if capitation_window(p, run.year, run.month) is not None]


def _capitation(run: BatchRun) -> None:
    """The capitation payments of the run's month for its location's capitation products (recomputing replaces
    them: a resumed run computes them again, to the same amounts)."""
    from .capitation import capitation_compute

    for product in capitation_products(run):
        capitation_compute(product=product, year=run.year, month=run.month)


def batch_run_launch(*, user: User, year: int, month: int, location: Location | None = None) -> Job:
    """Starts the run of a month and location (the refusals of `batch_run_start`) and queues its execution as a
    job ("batch.run") once the run row is committed; the run is linked to the job. Permission: `batch.add_batchrun`
    (roles: accountant, scheme administrator)."""
    from .tasks import batch_run_task

    if not user.has_perm("batch.add_batchrun"):
        raise PermissionDeniedError(_("You do not have the permission to do this."))
    if location is None and not covers_whole_country(user):
        message = _("Only staff covering every region can run the national products.")
        raise ApplicationError.for_field("location", message, code="location_out_of_scope")
    if location is not None and not Location.objects.visible_to(user).filter(pk=location.pk).exists():
        message = _("This region is outside your area.")
        raise ApplicationError.for_field("location", message, code="location_out_of_scope")
    with transaction.atomic():
        run = batch_run_start(user=user, year=year, month=month, location=location)
        job = job_create(user=user, kind="batch.run", task=batch_run_task, params={"run": str(run.uuid)})
        run.job = job
        run.save(update_fields=["job"])
    return job


def batch_run_job(*, job: Job) -> dict[str, Any]:
    """Executes the run of a "batch.run" job (again after a crash: the run resumes), the job's progress following
    the claims valued. An error marks the run failed and is raised again (the job then fails with its message)."""
    run = BatchRun.objects.select_related("location").get(job=job)

    def progress(done: int, total: int) -> None:
        job_progress(
            job=job,
            percent=100 * done / total if total else 100,
            message=_("Claims valued: %(done)d of %(total)d") % {"done": done, "total": total},
        )

    try:
        batch_run_execute(run, progress=progress)
    except Exception:  # not swallowed: raised again for JobTask to fail the job with its message
        BatchRun.objects.filter(pk=run.pk).update(status=BatchRunStatus.FAILED, finished_at=timezone.now())
        raise
    totals = RunClaim.objects.filter(run=run).aggregate(claims=Count("id"), remunerated=Sum("remunerated"))
    return {"run": str(run.uuid), "claims": totals["claims"], "remunerated": str(totals["remunerated"] or Decimal(0))}
