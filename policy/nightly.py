"""The nightly policy work (celery beat, `policy.tasks.policy_nightly`), set-based SQL, not a loop over rows.

- Expiry (reference sec. 4.4 and 12 item 9, the legacy rule): every policy past its expiry date that is not
  Expired yet becomes Expired, whatever its status (Idle, Active, Ready or Suspended), in one UPDATE.
- Renewal reminders (reference sec. 4.4): one per policy, for Active and Expired policies whose expiry date falls
  within `settings.POLICY_RENEWAL_REMINDER_DAYS` from today (and up to a week back, so nights the job did not run
  are caught up), that have not been renewed (no renewal of it, and no later policy of the family on the same
  product or its conversion product). The reminder names the product the family would renew into (the policy's
  own while it is still sold on the renewal date, else its conversion product), the officer and the head's phone,
  with the legacy warning bits: 1 no valid product on the renewal date, 2 no officer, 4 officer inactive.
  Inserted with INSERT ... SELECT ... ON CONFLICT DO NOTHING: running the job twice adds nothing.
- New reminders go to the notifier (`policy.notifications`, settings.POLICY_RENEWAL_NOTIFIER), in batches;
  the ones it sent are marked notified.
Every change is recorded in history (triggers), with the job named in the history context.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction

from .models import PolicyStatus, ReminderStatus, RenewalWarning
from .notifications import notify_reminders

CATCH_UP_DAYS = 7


@dataclass
class NightlyResult:
    expired: int
    reminders: int
    notified: int


def policies_expire(*, today: date) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE policy_policy SET status = %s, updated_at = now()
             WHERE expiry_date < %s AND status IN (%s, %s, %s, %s)
            """,
            [
                PolicyStatus.EXPIRED,
                today,
                PolicyStatus.IDLE,
                PolicyStatus.ACTIVE,
                PolicyStatus.READY,
                PolicyStatus.SUSPENDED,
            ],
        )
        return cursor.rowcount


_REMINDERS_SQL = """
WITH candidates AS (
    SELECT p.id AS policy_id, p.family_id, p.officer_id, p.expiry_date + 1 AS renewal_date,
           p.product_id, pr.date_to AS product_end, pr.conversion_product_id
      FROM policy_policy p
      JOIN policy_product pr ON pr.id = p.product_id
     WHERE p.status IN (%(active)s, %(expired)s)
       AND p.expiry_date BETWEEN %(since)s AND %(until)s
       AND NOT EXISTS (SELECT 1 FROM policy_policyrenewal r WHERE r.policy_id = p.id)
       AND NOT EXISTS (
           SELECT 1 FROM policy_policy n
            WHERE n.family_id = p.family_id
              AND (n.previous_id = p.id
                   OR (n.start_date > p.start_date
                       AND (n.product_id = p.product_id OR n.product_id = pr.conversion_product_id))))
), chosen AS (
    SELECT c.*,
           CASE WHEN c.product_end >= c.renewal_date THEN c.product_id ELSE c.conversion_product_id END
               AS new_product_id
      FROM candidates c
)
INSERT INTO policy_policyrenewal
       (uuid, policy_id, new_product_id, officer_id, renewal_date, prompt_date, phone, warnings, status, notified_at)
SELECT gen_random_uuid(), ch.policy_id, ch.new_product_id, ch.officer_id, ch.renewal_date, %(today)s,
       COALESCE(h.phone, ''),
       (CASE WHEN np.id IS NULL OR np.date_from > ch.renewal_date OR np.date_to < ch.renewal_date
             THEN %(no_product)s ELSE 0 END)
     + (CASE WHEN ch.officer_id IS NULL THEN %(no_officer)s ELSE 0 END)
     + (CASE WHEN u.id IS NOT NULL AND NOT u.is_active THEN %(officer_inactive)s ELSE 0 END),
       %(pending)s, NULL
  FROM chosen ch
  JOIN insuree_family f ON f.id = ch.family_id
  JOIN insuree_insuree h ON h.id = f.head_id
  LEFT JOIN policy_product np ON np.id = ch.new_product_id
  LEFT JOIN accounts_user u ON u.id = ch.officer_id
ON CONFLICT (policy_id) DO NOTHING
RETURNING id
"""


def renewal_reminders_create(*, today: date, days: int | None = None) -> list[int]:
    days = settings.POLICY_RENEWAL_REMINDER_DAYS if days is None else days
    with connection.cursor() as cursor:
        cursor.execute(
            _REMINDERS_SQL,
            {
                "active": PolicyStatus.ACTIVE,
                "expired": PolicyStatus.EXPIRED,
                "since": today - timedelta(days=CATCH_UP_DAYS),
                "until": today + timedelta(days=days),
                "today": today,
                "no_product": RenewalWarning.NO_PRODUCT,
                "no_officer": RenewalWarning.NO_OFFICER,
                "officer_inactive": RenewalWarning.OFFICER_INACTIVE,
                "pending": ReminderStatus.PENDING,
            },
        )
        return [row[0] for row in cursor.fetchall()]


def policy_nightly(*, today: date) -> NightlyResult:
    with transaction.atomic():
        expired = policies_expire(today=today)
        created = renewal_reminders_create(today=today)
    notified = notify_reminders(created)
    return NightlyResult(expired=expired, reminders=len(created), notified=notified)
