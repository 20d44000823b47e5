"""Telling families that their policy is about to expire.

The backend is a class named by settings.POLICY_RENEWAL_NOTIFIER with one method, `send(messages)`, taking
`RenewalMessage`s and returning the ids of the reminders it delivered. The default backend writes each message to
the log (logger "openimis.sms"); an SMS gateway plugs in as another backend. Reminders without a phone number
stay on the officer's list only.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import PolicyRenewal, ReminderStatus

BATCH = 2000
logger = logging.getLogger("openimis.sms")


@dataclass(frozen=True)
class RenewalMessage:
    reminder_id: int
    phone: str
    text: str


class Notifier(Protocol):
    def send(self, messages: Sequence[RenewalMessage]) -> list[int]: ...


class LoggingNotifier:
    def send(self, messages: Sequence[RenewalMessage]) -> list[int]:
        for message in messages:
            logger.info("renewal reminder to %s: %s", message.phone, message.text)
        return [m.reminder_id for m in messages]


def notifier() -> Notifier:
    return import_string(settings.POLICY_RENEWAL_NOTIFIER)()  # type: ignore[no-any-return]


def _messages(reminders: QuerySet[PolicyRenewal]) -> Iterable[RenewalMessage]:
    for r in reminders:
        head = r.policy.family.head
        product = r.new_product or r.policy.product
        text = _(
            "Dear %(name)s, your health insurance (%(product)s) ends on %(date)s. "
            "Please renew it with your enrolment officer."
        ) % {
            "name": head.full_name,
            "product": product.name,
            "date": date_format(r.policy.expiry_date, "SHORT_DATE_FORMAT"),
        }
        yield RenewalMessage(r.pk, r.phone, text)


def notify_reminders(ids: Sequence[int]) -> int:
    """Sends the reminders with a phone number; returns how many were delivered."""
    sent_total = 0
    backend = notifier()
    with translation.override(settings.LANGUAGE_CODE):
        for start in range(0, len(ids), BATCH):
            chunk = (
                PolicyRenewal.objects.filter(pk__in=ids[start : start + BATCH], status=ReminderStatus.PENDING)
                .exclude(phone="")
                .select_related("policy__family__head", "policy__product", "new_product")
            )
            sent = backend.send(list(_messages(chunk)))
            if sent:
                PolicyRenewal.objects.filter(pk__in=sent).update(
                    status=ReminderStatus.NOTIFIED, notified_at=timezone.now()
                )
            sent_total += len(sent)
    return sent_total
