"""Card printing jobs (thin Celery tasks around `insuree.card_services`); registers their job kinds.

Import this module from `InsureeConfig.ready()` so that the workers know the tasks and the job pages show
the kinds' names.
"""

from typing import Any

from celery import shared_task
from django.utils.translation import gettext_lazy as _

from openimis.common.jobs import JobTask
from openimis.common.models import JOB_KINDS, Job

JOB_KINDS.setdefault("insuree.cards", _("Printing of membership cards"))
JOB_KINDS.setdefault("insuree.card_stock", _("Printing of pre-printed card stock"))


@shared_task(base=JobTask, name="insuree.print_cards")
def print_cards_task(job: Job) -> dict[str, Any]:
    from .card_services import card_batch_run

    return card_batch_run(job=job)


@shared_task(base=JobTask, name="insuree.print_stock_cards")
def print_stock_cards_task(job: Job) -> dict[str, Any]:
    from .card_services import card_stock_run

    return card_stock_run(job=job)
