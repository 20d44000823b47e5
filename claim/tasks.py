"""Thin Celery tasks of the claim app."""

from typing import Any

import pghistory
from celery import shared_task

from . import norms, processing


@shared_task(name="claim.process_passed", acks_late=True)
def process_passed(claim_ids: list[int] | None = None) -> dict[str, Any]:
    """Processes checked claims that need no review (these, or, from beat, every one waiting). Idempotent: a claim
    already processed, or taken by another worker, is skipped."""
    with pghistory.context(job="claim.process_passed"):
        done = processing.claims_process_passed(claim_ids=claim_ids)
    return {"processed": done}


@shared_task(name="claim.norms_refresh", acks_late=True)
def norms_refresh() -> dict[str, Any]:
    """Recomputes the usual quantities and amounts per item/service and facility level (beat: nightly)."""
    return {"norms": norms.norms_refresh()}
