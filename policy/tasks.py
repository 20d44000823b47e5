"""Thin Celery tasks of the policy app."""

from typing import Any

import pghistory
from celery import shared_task
from django.utils import timezone

from .nightly import policy_nightly


@shared_task(name="policy.nightly", acks_late=True)
def policy_nightly_task() -> dict[str, Any]:
    """Expires policies and creates renewal reminders (beat: every night). Running it twice changes nothing."""
    with pghistory.context(job="policy.nightly"):
        result = policy_nightly(today=timezone.localdate())
    return {"expired": result.expired, "reminders": result.reminders, "notified": result.notified}
