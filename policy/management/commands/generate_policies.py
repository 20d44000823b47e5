"""Synthetic policies, member cover and contributions for the generated families (benchmarks and demos only).

    manage.py generate_policies --seed 1                  # every family that has no policy yet
    manage.py generate_policies --families 20000 --seed 1 # the first 20,000 families (by id) only

Run after `generate_insurees`. For 250,000 families (1,000,000 insurees) it writes about 440,000 policies, 1.65
million cover rows (InsureePolicy) and 600,000 contributions, in about 3 minutes on 2 cores.

Products. Matched by code and created when missing (through the ORM, with the database's constraints):
GEN-NAT (national, free cycle, lump sum for up to 4 members then premiums per head, early renewal discount),
GEN-CYC (national, two start cycles six months apart, the next one 7 to 10 days after `--today`, at most 6
members, early enrolment discount) and one regional product per region, GEN-RG1.. (free cycle, one month of
administration period, premiums per head). Each covers the first active medical items and services (if any), added
with INSERT ... SELECT ... ON CONFLICT DO NOTHING. Officers: one enrolment officer per district (`gen_eo_<code>`,
scope on that district, one in ten inactive); about 5 % of the policies have no officer.

Families. Each family gets one scenario, drawn from a hash of (seed, family id), so the same seed gives the same
data: 74 % hold an Active policy covering `--today`, most of them renewals (stage R, `previous` set) of one or
two expired policies; 7 % an Idle one (half unpaid, half partly paid: one instalment); 8 % only expired policies
(one in five never paid); 3 % a Suspended one; 3 % a Ready one (paid, waiting for activation); 5 % none. A family
keeps one product (a quarter of the families of a region with a regional product buy it, 30 % GEN-CYC, the
others GEN-NAT). Renewals are enrolled up to 45 days before the previous policy ends (some early enough for the
renewal discount), or late after a lapse of 1-45 days (then the previous policy expired first).

Dates and value follow the rules of `policy.periods` and `policy.values`, computed in SQL (temporary functions
`pg_temp.gen_*` that mirror the Python rules; `tests/policy/test_generator.py` compares both on every generated
policy): start from the enrolment date, administration period, start cycles and grace periods, or the day after
the previous expiry for a renewal; expiry at the end of the insurance period; value from the members covered on the
enrolment date (members born later are not on that policy; the first `max_members` in joining order, head first),
adults counted on the enrolment date, with lump sum, threshold, fees and discounts. Policies of a family never
overlap (the database's exclusion constraint holds them). Paid policies (Active, Ready, Suspended, most Expired)
have one or two instalments (at most the product's maximum) paid between the enrolment date and the last date for
payment, summing to the value; their effective date is the later of the last payment and the start, and so is
their members' cover. Receipts (`G<family>-<policy>-<instalment>`) are unique per product. Policies that ended
before `--today` are Expired, as the nightly job would have left them; no renewal reminders are written (the
nightly job writes them).

Writing: set-based SQL only (CREATE TEMP TABLE ... AS SELECT, UPDATE ... FROM, INSERT ... SELECT), in one
transaction per `--chunk` families (10,000 by default). The history triggers stay on (pgtrigger.ignore is not used):
every inserted policy, cover row and contribution gets its insert event, with the context `generate_policies`.
Each transaction checks its foreign keys at the end of each statement (SET CONSTRAINTS ALL IMMEDIATE) rather than at
commit: pending deferred checks make every later AFTER trigger of the transaction slower, so that with them the
history triggers' cost grows with the rows already written (measured: successive INSERTs of 5,000 cover rows took
0.30, 0.43, 0.58 then 0.71 s with deferred checks, a steady 0.23 s with immediate ones).

Idempotent: a family that already has a policy is skipped, so running the command twice writes nothing the second
time, and an interrupted run resumes where it stopped.
"""

import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pghistory
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from policy.models import PolicyStatus, Product
from policy.periods import add_months, cycle_days

D = Decimal
NATIONAL = "GEN-NAT"
CYCLES = "GEN-CYC"
REGIONAL = "GEN-RG"  # + 1..9
MAX_REGIONS = 9
ADMIN_USERNAME = "gen_policy_admin"
OFFICER_PREFIX = "gen_eo_"
ITEM_LINES = 400
SERVICE_LINES = 200

# pure rules of policy.periods / policy.values, for the SQL below (session-local temporary functions)
_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION pg_temp.gen_u(seed bigint, salt text, k bigint) RETURNS float8
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT (hashtextextended(salt || ':' || k::text, seed) & 2147483647)::float8 / 2147483648.0 $$
    """,
    """
    CREATE OR REPLACE FUNCTION pg_temp.gen_uuid(seed bigint, salt text, k bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT overlay(overlay(md5(seed::text || ':' || salt || ':' || k::text) PLACING '4' FROM 13)
                      PLACING '8' FROM 17)::uuid $$
    """,
    # periods.add_months: clamped to the end of the month, like relativedelta
    """
    CREATE OR REPLACE FUNCTION pg_temp.gen_add_months(d date, m int) RETURNS date
    LANGUAGE sql IMMUTABLE AS $$ SELECT (d + make_interval(months => m))::date $$
    """,
    # periods.cover_end
    """
    CREATE OR REPLACE FUNCTION pg_temp.gen_cover_end(s date, m int) RETURNS date
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN extract(day FROM e) <> extract(day FROM s) THEN e ELSE e - 1 END
         FROM (SELECT pg_temp.gen_add_months(s, m) AS e) x $$
    """,
    # periods.policy_start; cycles are month * 100 + day, sorted
    """
    CREATE OR REPLACE FUNCTION pg_temp.gen_start(
        stage text, enroll date, prev_expiry date, admin int, grace int, cycles int[]
    ) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
        ref date := enroll;
        base date;
        c int;
        candidate date;
    BEGIN
        IF stage = 'N' THEN
            ref := pg_temp.gen_add_months(ref, coalesce(admin, 0));
        ELSIF prev_expiry IS NOT NULL THEN
            ref := greatest(ref, prev_expiry + 1);
        END IF;
        IF coalesce(cardinality(cycles), 0) = 0 THEN
            RETURN ref;
        END IF;
        base := pg_temp.gen_add_months(ref, -coalesce(grace, 0));
        FOREACH c IN ARRAY cycles LOOP
            candidate := make_date(extract(year FROM base)::int, c / 100, mod(c, 100));
            IF candidate >= base THEN
                RETURN candidate;
            END IF;
        END LOOP;
        RETURN make_date(extract(year FROM base)::int + 1, cycles[1] / 100, mod(cycles[1], 100));
    END $$
    """,
    # periods.last_payment_date
    """
    CREATE OR REPLACE FUNCTION pg_temp.gen_last_payment(
        stage text, enroll date, start date, prev_expiry date, cycles int[],
        grace_enrol int, grace_renew int, grace_pay int
    ) RETURNS date LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
        grace int;
        begin_day date;
    BEGIN
        IF coalesce(cardinality(cycles), 0) > 0 THEN
            grace := coalesce(CASE WHEN stage = 'N' THEN grace_enrol ELSE grace_renew END, 0);
            begin_day := start;
        ELSE
            grace := coalesce(grace_pay, 0);
            begin_day := CASE WHEN stage = 'N' THEN enroll ELSE coalesce(prev_expiry + 1, start) END;
        END IF;
        IF grace <= 0 THEN
            RETURN NULL;
        END IF;
        RETURN pg_temp.gen_cover_end(begin_day, grace);
    END $$
    """,
]

_PRODUCTS_TABLE = """
DROP TABLE IF EXISTS pg_temp.gen_product;
CREATE TEMP TABLE gen_product AS
SELECT p.id, p.code, p.location_id AS region_id, p.insurance_period, p.administration_period AS admin,
       p.grace_period_enrolment AS grace_enrol, p.grace_period_renewal AS grace_renew,
       p.grace_period_payment AS grace_pay,
       ARRAY(SELECT substr(c, 4, 2)::int * 100 + substr(c, 1, 2)::int
               FROM unnest(ARRAY[p.start_cycle_1, p.start_cycle_2, p.start_cycle_3, p.start_cycle_4]) AS c
              WHERE c <> '' ORDER BY 1) AS cycles,
       p.max_members, p.max_installments, p.threshold, p.lump_sum, p.premium_adult, p.premium_child,
       p.registration_lump_sum, p.registration_fee, p.general_assembly_lump_sum, p.general_assembly_fee,
       p.enrolment_discount_perc, p.enrolment_discount_period, p.renewal_discount_perc, p.renewal_discount_period,
       CASE WHEN p.id = %(national)s THEN 'nat' WHEN p.id = %(cycles)s THEN 'cyc' ELSE 'reg' END AS role
  FROM policy_product p
 WHERE p.id = ANY(%(ids)s)
"""

_OFFICERS_TABLE = """
DROP TABLE IF EXISTS pg_temp.gen_officer;
CREATE TEMP TABLE gen_officer AS
SELECT d.id AS district_id, u.id AS user_id
  FROM location_location d
  JOIN accounts_user u ON u.username = %(prefix)s || lower(d.code)
 WHERE d.type = 'D'
"""

# One row per family of the chunk without any policy: its scenario, product, officer, chain length and anchor
# (the start of its last policy, approximately: the dates are then computed by the rules, policy after policy).
_CHAIN_SQL = """
CREATE TEMP TABLE gen_chain ON COMMIT DROP AS
WITH fam AS (
    SELECT f.id AS fid, f.head_id,
           split_part(v.path, '.', 1)::bigint AS region_id,
           split_part(v.path, '.', 2)::bigint AS district_id,
           pg_temp.gen_u(%(seed)s, 'kind', f.id) AS u_kind,
           pg_temp.gen_u(%(seed)s, 'chain', f.id) AS u_chain,
           pg_temp.gen_u(%(seed)s, 'product', f.id) AS u_product,
           pg_temp.gen_u(%(seed)s, 'anchor', f.id) AS u_anchor,
           pg_temp.gen_u(%(seed)s, 'late', f.id) AS u_late,
           pg_temp.gen_u(%(seed)s, 'lapse', f.id) AS u_lapse,
           pg_temp.gen_u(%(seed)s, 'paid', f.id) AS u_paid,
           pg_temp.gen_u(%(seed)s, 'officer', f.id) AS u_officer
      FROM insuree_family f
      JOIN location_location v ON v.id = f.village_id
     WHERE f.id BETWEEN %(lo)s AND %(hi)s
       AND NOT EXISTS (SELECT 1 FROM policy_policy p WHERE p.family_id = f.id)
), kinds AS (
    SELECT fam.*,
           CASE WHEN u_kind < 0.74 THEN 'active'
                WHEN u_kind < 0.775 THEN 'idle'
                WHEN u_kind < 0.81 THEN 'partial'
                WHEN u_kind < 0.89 THEN 'expired'
                WHEN u_kind < 0.92 THEN 'suspended'
                WHEN u_kind < 0.95 THEN 'ready'
                ELSE 'none' END AS kind,
           CASE WHEN u_product < 0.25 AND rp.id IS NOT NULL THEN rp.id
                WHEN u_product < 0.55 THEN %(cycles)s
                ELSE %(national)s END AS product_id,
           CASE WHEN u_officer < 0.05 THEN NULL ELSE o.user_id END AS officer_id
      FROM fam
      LEFT JOIN gen_product rp ON rp.role = 'reg' AND rp.region_id = fam.region_id
      LEFT JOIN gen_officer o ON o.district_id = fam.district_id
), chains AS (
    SELECT k.*, coalesce(cardinality(p.cycles), 0) > 0 AS cyclic,
           CASE WHEN k.kind = 'active' THEN (CASE WHEN u_chain < 0.22 THEN 1 WHEN u_chain < 0.75 THEN 2 ELSE 3 END)
                WHEN k.kind IN ('idle', 'partial') AND coalesce(cardinality(p.cycles), 0) = 0 AND u_chain < 0.5
                    THEN 2
                WHEN k.kind IN ('expired', 'suspended') AND u_chain < 0.3 THEN 2
                ELSE 1 END AS n
      FROM kinds k
      JOIN gen_product p ON p.id = k.product_id
)
SELECT c.*,
       CASE WHEN NOT c.cyclic AND c.n >= 2
                 AND (c.kind IN ('idle', 'partial') OR (c.kind = 'active' AND c.u_late < 0.2))
            THEN 1 + floor(c.u_lapse * 45)::int ELSE 0 END AS lapse,
       CASE WHEN c.cyclic THEN
                CASE WHEN c.kind IN ('active', 'suspended')
                         THEN pg_temp.gen_add_months(%(next_cycle)s, CASE WHEN c.u_anchor < 0.5 THEN -6 ELSE -12 END)
                     WHEN c.kind = 'expired'
                         THEN pg_temp.gen_add_months(%(next_cycle)s, CASE WHEN c.u_anchor < 0.5 THEN -18 ELSE -24 END)
                     ELSE %(next_cycle)s END
            ELSE
                CASE WHEN c.kind IN ('active', 'suspended') THEN %(today)s - (1 + floor(c.u_anchor * 359)::int)
                     WHEN c.kind = 'expired' THEN %(today)s - (370 + floor(c.u_anchor * 330)::int)
                     ELSE %(today)s - floor(c.u_anchor * 61)::int END
       END AS anchor
  FROM chains c
"""

# One row per policy to write (i = 1 .. n in the family's chain), with its product's rules.
_PLAN_SQL = """
CREATE TEMP TABLE gen_plan ON COMMIT DROP AS
SELECT c.fid, g.i, c.n, c.kind, c.product_id, c.officer_id, c.lapse,
       (CASE WHEN g.i = 1 THEN 'N' ELSE 'R' END)::varchar(1) AS stage,
       (CASE WHEN g.i < c.n THEN %(expired)s
             WHEN c.kind = 'active' THEN %(active)s
             WHEN c.kind IN ('idle', 'partial') THEN %(idle)s
             WHEN c.kind = 'expired' THEN %(expired)s
             WHEN c.kind = 'suspended' THEN %(suspended)s
             ELSE %(ready)s END)::smallint AS status,
       CASE WHEN g.i < c.n OR c.kind IN ('active', 'suspended', 'ready') THEN 'full'
            WHEN c.kind = 'partial' THEN 'partial'
            WHEN c.kind = 'expired' AND c.u_paid < 0.8 THEN 'full'
            ELSE 'none' END AS paid,
       CASE WHEN g.i = c.n THEN c.anchor
            ELSE pg_temp.gen_add_months(c.anchor - c.lapse, -12 * (c.n - g.i)) END AS anchor,
       floor(pg_temp.gen_u(%(seed)s, 'early' || g.i, c.fid) * 46)::int AS early,
       pg_temp.gen_u(%(seed)s, 'instalments' || g.i, c.fid) AS u_instalments,
       pg_temp.gen_u(%(seed)s, 'first' || g.i, c.fid) AS u_first,
       pg_temp.gen_u(%(seed)s, 'second' || g.i, c.fid) AS u_second,
       pg_temp.gen_u(%(seed)s, 'share' || g.i, c.fid) AS u_share,
       pg_temp.gen_u(%(seed)s, 'paytype' || g.i, c.fid) AS u_pay_type,
       p.insurance_period, p.admin, p.grace_enrol, p.grace_renew, p.grace_pay, p.cycles, p.max_members,
       p.max_installments,
       NULL::bigint AS id, NULL::bigint AS previous_id, NULL::date AS enroll_date, NULL::date AS start_date,
       NULL::date AS expiry_date, NULL::date AS prev_expiry, NULL::date AS effective_date,
       NULL::numeric(18, 2) AS value, NULL::date AS pay_limit, 0 AS instalments, NULL::date AS pay1,
       NULL::date AS pay2, NULL::numeric(18, 2) AS amount1
  FROM gen_chain c
  JOIN gen_product p ON p.id = c.product_id
 CROSS JOIN LATERAL generate_series(1, c.n) AS g(i)
 WHERE c.kind <> 'none'
"""

# New policies are enrolled an administration period before their anchor (free cycle) or a few days before the
# cycle; renewals a few days before the previous policy ends, or on their start after a lapse. Never after today.
_ENROLL_SQL = """
UPDATE gen_plan
   SET enroll_date = CASE
           WHEN i = 1 AND coalesce(cardinality(cycles), 0) = 0 THEN pg_temp.gen_add_months(anchor, -coalesce(admin, 0))
           WHEN i = n AND lapse > 0 THEN anchor
           ELSE least(anchor - early, %(today)s) END
"""

_PREVIOUS_EXPIRY_SQL = """
UPDATE gen_plan p SET prev_expiry = q.expiry_date
  FROM gen_plan q
 WHERE p.i = %(i)s AND q.fid = p.fid AND q.i = p.i - 1
"""

_START_SQL = """
UPDATE gen_plan
   SET start_date = pg_temp.gen_start(stage, enroll_date, prev_expiry, admin,
                                      CASE WHEN stage = 'N' THEN grace_enrol ELSE grace_renew END, cycles)
 WHERE i = %(i)s
"""

_EXPIRY_SQL = "UPDATE gen_plan SET expiry_date = pg_temp.gen_cover_end(start_date, insurance_period) WHERE i = %(i)s"

_CHECK_SQL = """
SELECT count(*) FILTER (WHERE enroll_date > %(today)s),
       count(*) FILTER (WHERE status <> %(expired)s AND expiry_date < %(today)s),
       count(*) FILTER (WHERE status IN (%(active)s, %(suspended)s) AND start_date > %(today)s),
       count(*) FILTER (WHERE status = %(expired)s AND expiry_date >= %(today)s)
  FROM gen_plan
"""

# Members in the order they joined (head first), as `policy.enrolment.family_members`; the deceased left out.
_MEMBERS_SQL = """
CREATE TEMP TABLE gen_member ON COMMIT DROP AS
SELECT i.family_id AS fid, i.id AS insuree_id, i.dob, i.relationship,
       row_number() OVER (PARTITION BY i.family_id ORDER BY (i.id <> c.head_id), i.created_at, i.id) AS ord
  FROM gen_chain c
  JOIN insuree_insuree i ON i.family_id = c.fid
 WHERE c.kind <> 'none' AND i.status <> 'DE'
"""

# Who each policy covers: the members born by its enrolment date, the first max_members of them.
_COVER_SQL = """
CREATE TEMP TABLE gen_cover ON COMMIT DROP AS
SELECT fid, i, insuree_id, rn, adult, other
  FROM (SELECT p.fid, p.i, m.insuree_id, p.max_members,
               row_number() OVER (PARTITION BY p.fid, p.i ORDER BY m.ord) AS rn,
               m.dob + interval '18 years' <= p.enroll_date AS adult,
               m.relationship IS NOT DISTINCT FROM 7 AS other
          FROM gen_plan p
          JOIN gen_member m ON m.fid = p.fid AND m.dob <= p.enroll_date) x
 WHERE rn <= coalesce(max_members, 2147483647)
"""

# policy.values.policy_value, term by term
_VALUE_SQL = """
WITH counts AS (
    SELECT fid, i, count(*) AS covered,
           count(*) FILTER (WHERE adult AND NOT other) AS adults,
           count(*) FILTER (WHERE NOT adult AND NOT other) AS children,
           count(*) FILTER (WHERE adult AND other) AS other_adults,
           count(*) FILTER (WHERE NOT adult AND other) AS other_children
      FROM gen_cover GROUP BY fid, i
), terms AS (
    SELECT p.fid, p.i, pr.*,
           c.covered, c.adults, c.children, c.other_adults, c.other_children,
           coalesce(pr.premium_adult, 0) AS pa, coalesce(pr.premium_child, 0) AS pc,
           CASE WHEN pr.threshold IS NULL THEN 0 ELSE greatest(0, c.adults - pr.threshold) END AS extra_adults,
           CASE WHEN pr.threshold IS NULL THEN 0
                ELSE greatest(0, c.children - greatest(0, pr.threshold - c.adults)) END AS extra_children,
           p.stage, p.enroll_date, p.start_date, p.prev_expiry
      FROM gen_plan p
      JOIN counts c ON c.fid = p.fid AND c.i = p.i
      JOIN gen_product pr ON pr.id = p.product_id
), amounts AS (
    SELECT fid, i,
           round(CASE WHEN lump_sum > 0 THEN lump_sum + extra_adults * pa + extra_children * pc
                      ELSE adults * pa + children * pc END
                 + other_adults * pa + other_children * pc, 2)
         + round(CASE WHEN general_assembly_lump_sum > 0 THEN general_assembly_lump_sum
                      ELSE covered * coalesce(general_assembly_fee, 0) END, 2)
         + CASE WHEN stage = 'N'
                THEN round(CASE WHEN registration_lump_sum > 0 THEN registration_lump_sum
                                ELSE covered * coalesce(registration_fee, 0) END, 2)
                ELSE 0 END AS total,
           CASE WHEN stage = 'N' THEN
                    CASE WHEN coalesce(cardinality(cycles), 0) > 0 AND enrolment_discount_perc IS NOT NULL
                              AND enrolment_discount_period IS NOT NULL
                              AND enroll_date <= pg_temp.gen_add_months(start_date, -enrolment_discount_period)
                         THEN enrolment_discount_perc ELSE 0 END
                ELSE
                    CASE WHEN renewal_discount_perc IS NOT NULL AND renewal_discount_period IS NOT NULL
                              AND enroll_date <= pg_temp.gen_add_months(coalesce(prev_expiry + 1, start_date),
                                                                        -renewal_discount_period)
                         THEN renewal_discount_perc ELSE 0 END
           END AS rate
      FROM terms
)
UPDATE gen_plan p SET value = a.total - round(a.total * a.rate / 100, 2)
  FROM amounts a
 WHERE a.fid = p.fid AND a.i = p.i
"""

# Instalments (within the product's maximum), pay dates between the enrolment and the last date for payment
# (and today), amounts summing to the value when paid; the effective date of a paid policy.
_PAYMENT_SQL = """
UPDATE gen_plan
   SET pay_limit = least(%(today)s, coalesce(pg_temp.gen_last_payment(stage, enroll_date, start_date, prev_expiry,
                                                                      cycles, grace_enrol, grace_renew, grace_pay),
                                             %(today)s)),
       instalments = CASE WHEN paid = 'none' OR value < 0.02 THEN 0
                          WHEN paid = 'full' AND coalesce(max_installments, 2) >= 2 AND u_instalments < 0.4 THEN 2
                          ELSE 1 END
"""

_PAY_DATES_SQL = """
UPDATE gen_plan
   SET pay1 = least(enroll_date + floor(u_first * 21)::int, pay_limit),
       pay2 = least(least(enroll_date + floor(u_first * 21)::int, pay_limit) + 5 + floor(u_second * 36)::int,
                    pay_limit),
       amount1 = CASE WHEN paid = 'full' AND instalments = 1 THEN value
                      WHEN paid = 'full' THEN greatest(0.01, least(value - 0.01, round(value * (0.4 + 0.2 * u_share))))
                      ELSE greatest(0.01, least(value - 0.01, round(value * (0.25 + 0.5 * u_share)))) END
 WHERE instalments > 0
"""

_EFFECTIVE_SQL = """
UPDATE gen_plan
   SET effective_date = greatest(CASE instalments WHEN 2 THEN pay2 WHEN 1 THEN pay1 ELSE enroll_date END, start_date)
 WHERE paid = 'full'
"""

_IDS_SQL = """
UPDATE gen_plan p SET id = s.id
  FROM (SELECT fid, i, nextval(pg_get_serial_sequence('policy_policy', 'id')) AS id
          FROM (SELECT fid, i FROM gen_plan ORDER BY fid, i) o) s
 WHERE s.fid = p.fid AND s.i = p.i;
UPDATE gen_plan p SET previous_id = q.id FROM gen_plan q WHERE q.fid = p.fid AND q.i = p.i - 1;
"""

_INSERT_POLICIES_SQL = """
INSERT INTO policy_policy
       (id, uuid, family_id, product_id, officer_id, previous_id, stage, status, value, enroll_date, start_date,
        effective_date, expiry_date, status_reason, created_by_id, created_at, updated_at)
SELECT id, pg_temp.gen_uuid(%(seed)s, 'policy' || i, fid), fid, product_id, officer_id, previous_id, stage, status,
       value, enroll_date, start_date, effective_date, expiry_date,
       CASE WHEN status = %(suspended)s THEN 'Membership under review (generated).' ELSE '' END,
       coalesce(officer_id, %(admin)s), (enroll_date + time '09:00') AT TIME ZONE 'UTC', now()
  FROM gen_plan
 ORDER BY id
"""

_INSERT_COVER_SQL = """
INSERT INTO policy_insureepolicy (insuree_id, policy_id, enroll_date, start_date, effective_date, expiry_date)
SELECT c.insuree_id, p.id, p.enroll_date, p.start_date, p.effective_date, p.expiry_date
  FROM gen_cover c
  JOIN gen_plan p ON p.fid = c.fid AND p.i = c.i
 ORDER BY p.id, c.rn
"""

_INSERT_CONTRIBUTIONS_SQL = """
INSERT INTO policy_contribution
       (uuid, policy_id, product_id, payer_id, amount, receipt, pay_date, pay_type, is_photo_fee, created_by_id,
        created_at, cancelled_at, cancelled_by_id, cancel_reason)
SELECT pg_temp.gen_uuid(%(seed)s, 'contribution' || p.i || '-' || k, p.fid), p.id, p.product_id, NULL,
       CASE WHEN k = 1 THEN p.amount1 ELSE p.value - p.amount1 END,
       'G' || p.fid || '-' || p.i || '-' || k,
       CASE WHEN k = 1 THEN p.pay1 ELSE p.pay2 END,
       CASE WHEN p.u_pay_type < 0.5 THEN 'C' WHEN p.u_pay_type < 0.85 THEN 'M' ELSE 'B' END,
       false, coalesce(p.officer_id, %(admin)s),
       ((CASE WHEN k = 1 THEN p.pay1 ELSE p.pay2 END) + time '11:00') AT TIME ZONE 'UTC', NULL, NULL, ''
  FROM gen_plan p
 CROSS JOIN LATERAL generate_series(1, p.instalments) AS k
 ORDER BY p.id, k
"""


@dataclass
class Written:
    policies: int = 0
    cover: int = 0
    contributions: int = 0
    families: int = 0

    def add(self, other: "Written") -> None:
        self.policies += other.policies
        self.cover += other.cover
        self.contributions += other.contributions
        self.families += other.families


def next_cycle_after(today: date) -> date:
    """The first start cycle of GEN-CYC when it is created: 7 to 10 days after `today` (day 28 at most)."""
    day = today + timedelta(days=10)
    return day.replace(day=min(day.day, 28))


def _cycle_text(day: date) -> str:
    return f"{day.day:02d}-{day.month:02d}"


class Command(BaseCommand):
    help = "Generates policies, member cover and contributions for the generated families (benchmarks and demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families", type=int, default=None, help="only the first N families by id (default: all of them)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed, the same policies)")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the day the data is as of, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--chunk", type=int, default=10000, help="families per transaction (default 10,000)")

    def handle(self, *args: Any, **options: Any) -> None:
        today: date = options["today"] or timezone.localdate()
        seed: int = options["seed"]
        chunk: int = options["chunk"]
        if chunk < 1:
            raise CommandError("--chunk must be at least 1.")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            limit = options["families"]
            if limit is not None and limit < 1:
                raise CommandError("--families must be at least 1.")
            if limit is None:
                cursor.execute("SELECT id FROM insuree_family ORDER BY id")
            else:
                cursor.execute("SELECT id FROM insuree_family ORDER BY id LIMIT %s", [limit])
            family_ids = [row[0] for row in cursor.fetchall()]
        if not family_ids:
            raise CommandError("There is no family; run generate_insurees first.")
        with pghistory.context(command="generate_policies"):
            with transaction.atomic():
                admin = self._admin_user()
                products = self._products(today)
                self._officers()
            next_cycle = self._next_cycle(products[CYCLES], today)
            with connection.cursor() as cursor:
                for sql in _FUNCTIONS:
                    cursor.execute(sql)
                cursor.execute(
                    _PRODUCTS_TABLE,
                    {
                        "national": products[NATIONAL].pk,
                        "cycles": products[CYCLES].pk,
                        "ids": [p.pk for p in products.values()],
                    },
                )
                cursor.execute(_OFFICERS_TABLE, {"prefix": OFFICER_PREFIX})
            params = {
                "seed": seed,
                "today": today,
                "next_cycle": next_cycle,
                "national": products[NATIONAL].pk,
                "cycles": products[CYCLES].pk,
                "admin": admin,
                "active": PolicyStatus.ACTIVE.value,
                "idle": PolicyStatus.IDLE.value,
                "expired": PolicyStatus.EXPIRED.value,
                "suspended": PolicyStatus.SUSPENDED.value,
                "ready": PolicyStatus.READY.value,
            }
            total = Written()
            for start in range(0, len(family_ids), chunk):
                part = family_ids[start : start + chunk]
                total.add(self._write_chunk(params, part[0], part[-1]))
                self.stdout.write(
                    f"{start + len(part):,} families: {total.policies:,} policies, {total.cover:,} covered, "
                    f"{total.contributions:,} contributions ({time.perf_counter() - started:.0f} s)"
                )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE policy_policy, policy_insureepolicy, policy_contribution")
        skipped = len(family_ids) - total.families
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {total.policies:,} policies for {total.families:,} families ({skipped:,} already had "
                f"policies), {total.cover:,} cover rows and {total.contributions:,} contributions "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )

    # --- set-up: the generator's user, products and officers (a few rows, through the ORM) ------------------

    def _admin_user(self) -> int:
        from openimis.accounts.models import User

        user, _created = User.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={
                "first_name": "Policy",
                "last_name": "generator",
                "is_active": False,
                "password": make_password(None),
            },
        )
        return user.pk

    def _products(self, today: date) -> dict[str, Product]:
        from location.models import Location, LocationType

        date_from, date_to = date(today.year - 4, 1, 1), date(today.year + 3, 12, 31)
        cycle = next_cycle_after(today)
        common: dict[str, Any] = {"date_from": date_from, "date_to": date_to, "insurance_period": 12}
        specs: dict[str, dict[str, Any]] = {
            NATIONAL: {
                **common,
                "name": "Generated national cover",
                "grace_period_payment": 3,
                "max_installments": 2,
                "max_members": 10,
                "threshold": 4,
                "lump_sum": D(40000),
                "premium_adult": D(10000),
                "premium_child": D(5000),
                "registration_fee": D(1000),
                "general_assembly_fee": D(500),
                "renewal_discount_perc": D(5),
                "renewal_discount_period": 1,
                "ceiling_type": "P",
                "ded_policy": D(5000),
                "max_policy": D(2000000),
                "max_no_consultation": 12,
                "max_no_hospitalization": 4,
            },
            CYCLES: {
                **common,
                "name": "Generated national cover, two cycles",
                "start_cycle_1": _cycle_text(cycle),
                "start_cycle_2": _cycle_text(add_months(cycle, 6)),
                "grace_period_enrolment": 1,
                "grace_period_renewal": 2,
                "grace_period_payment": 1,
                "max_installments": 2,
                "max_members": 6,
                "premium_adult": D(15000),
                "premium_child": D(7000),
                "registration_lump_sum": D(3000),
                "general_assembly_lump_sum": D(2000),
                "enrolment_discount_perc": D(10),
                "enrolment_discount_period": 1,
                "ceiling_type": "I",
                "max_insuree": D(500000),
                "max_no_visits": 20,
            },
        }
        regions = list(Location.objects.filter(type=LocationType.REGION, is_active=True).order_by("code")[:MAX_REGIONS])
        for number, region in enumerate(regions, start=1):
            specs[f"{REGIONAL}{number}"] = {
                **common,
                "name": f"Generated regional cover, {region.name}"[:100],
                "location": region,
                "administration_period": 1,
                "grace_period_payment": 2,
                "max_installments": 3,
                "premium_adult": D(8000),
                "premium_child": D(4000),
                "general_assembly_fee": D(300),
                "ceiling_type": "T",
                "ded_treatment": D(500),
                "max_treatment": D(100000),
                "max_no_consultation": 10,
            }
        products: dict[str, Product] = {}
        for code, values in specs.items():
            product = Product.objects.filter(code=code).first()
            if product is None:
                product = Product.objects.create(code=code, **values)
                self._lines(product.pk, items=ITEM_LINES if product.location_id is None else ITEM_LINES // 2)
            products[code] = product
        return products

    def _lines(self, product_id: int, *, items: int) -> None:
        """Covers the first active items and services of the catalogue (if any), with a few limitations."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO policy_productitem
                       (product_id, item_id, price_origin, limitation_type, limit_adult, limit_child,
                        limitation_type_r, limitation_type_e, ceiling_exclusion_adult, ceiling_exclusion_child,
                        limit_no_adult, limit_no_child)
                SELECT %(product)s, i.id, 'P', 'C', CASE WHEN i.type = 'M' THEN 80 ELSE 100 END, 100, '', '', '', '',
                       CASE WHEN i.price >= 5000 THEN 60 END, CASE WHEN i.price >= 5000 THEN 40 END
                  FROM medical_item i WHERE i.is_active ORDER BY i.code LIMIT %(limit)s
                ON CONFLICT (product_id, item_id) DO NOTHING
                """,
                {"product": product_id, "limit": items},
            )
            cursor.execute(
                """
                INSERT INTO policy_productservice
                       (product_id, service_id, price_origin, limitation_type, limit_adult, limit_child,
                        limitation_type_r, limitation_type_e, ceiling_exclusion_adult, ceiling_exclusion_child,
                        waiting_period_adult, limit_no_adult)
                SELECT %(product)s, s.id, 'P', 'C', CASE WHEN s.level IN ('D', 'H') THEN 90 ELSE 100 END, 100,
                       '', '', '', '', CASE WHEN s.category = 'D' THEN 9 END,
                       CASE WHEN s.category = 'C' THEN 12 WHEN s.category = 'D' THEN 2 END
                  FROM medical_service s WHERE s.is_active ORDER BY s.code LIMIT %(limit)s
                ON CONFLICT (product_id, service_id) DO NOTHING
                """,
                {"product": product_id, "limit": items // 2},
            )

    def _officers(self) -> None:
        """One enrolment officer per active district, scoped to it; one in ten no longer active."""
        from django.contrib.auth.models import Group, Permission

        from location.models import Location, LocationType, LocationUserObjectPermission
        from openimis.accounts import roles
        from openimis.accounts.models import User

        districts = list(Location.objects.filter(type=LocationType.DISTRICT, is_active=True).order_by("code"))
        names = {f"{OFFICER_PREFIX}{d.code.lower()}": (n, d) for n, d in enumerate(districts)}
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        User.objects.bulk_create(
            User(
                username=name,
                first_name="Officer",
                last_name=district.name[:150],
                is_active=n % 10 != 9,
                password=make_password(None),
            )
            for name, (n, district) in names.items()
            if name not in existing
        )
        users = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
        group = Group.objects.get(name=roles.ENROLMENT_OFFICER)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=pk, group_id=group.pk) for pk in users.values()], ignore_conflicts=True
        )
        scope = Permission.objects.get(codename="scope_location", content_type__app_label="location")
        LocationUserObjectPermission.objects.bulk_create(
            [
                LocationUserObjectPermission(user_id=users[name], permission=scope, content_object=district)
                for name, (_n, district) in names.items()
            ],
            ignore_conflicts=True,
        )

    def _next_cycle(self, product: Product, today: date) -> date:
        """The first start cycle of GEN-CYC after today; its cycles must be two, six months apart."""
        cycles = cycle_days(product)
        if len(cycles) != 2 or add_months(date(2001, *cycles[0]), 6) != date(2001, *cycles[1]):
            raise CommandError(f"Product {CYCLES} must have two start cycles six months apart: {cycles}.")
        days = [date(today.year + k, month, day) for k in (0, 1) for month, day in cycles]
        return min(d for d in days if d > today)

    # --- one transaction of families -----------------------------------------------------------------------

    @transaction.atomic
    def _write_chunk(self, params: dict[str, Any], lo: int, hi: int) -> Written:
        params = {**params, "lo": lo, "hi": hi}
        with connection.cursor() as cursor:
            # Foreign keys checked at the end of each statement rather than at commit: pending deferred checks
            # make every later AFTER trigger (the history triggers) slower, quadratic in the transaction's rows.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # inside an outer transaction (tests) the previous chunk's tables were not dropped by a commit
            cursor.execute(
                "DROP TABLE IF EXISTS pg_temp.gen_chain, pg_temp.gen_plan, pg_temp.gen_member, pg_temp.gen_cover"
            )
            cursor.execute(_CHAIN_SQL, params)
            cursor.execute("ANALYZE gen_chain")
            cursor.execute("SELECT count(*) FILTER (WHERE kind <> 'none'), count(*) FROM gen_chain")
            _with_policies, families = cursor.fetchone()
            cursor.execute(_PLAN_SQL, params)
            cursor.execute("ANALYZE gen_plan")
            cursor.execute(_ENROLL_SQL, params)
            cursor.execute("SELECT coalesce(max(n), 0) FROM gen_plan")
            longest = cursor.fetchone()[0]
            for i in range(1, longest + 1):
                if i > 1:
                    cursor.execute(_PREVIOUS_EXPIRY_SQL, {"i": i})
                cursor.execute(_START_SQL, {"i": i})
                cursor.execute(_EXPIRY_SQL, {"i": i})
            cursor.execute(_CHECK_SQL, params)
            late, unexpired, not_started, expired_later = cursor.fetchone()
            if late or unexpired or not_started or expired_later:
                raise CommandError(
                    f"Inconsistent dates in families {lo}-{hi}: {late} enrolled after today, {unexpired} current "
                    f"but ended, {not_started} active but not started, {expired_later} expired but not ended."
                )
            cursor.execute(_MEMBERS_SQL)
            cursor.execute(_COVER_SQL)
            cursor.execute(_VALUE_SQL)
            cursor.execute(_PAYMENT_SQL, params)
            cursor.execute(_PAY_DATES_SQL)
            cursor.execute(_EFFECTIVE_SQL)
            cursor.execute(_IDS_SQL)
            cursor.execute(_INSERT_POLICIES_SQL, params)
            policies = cursor.rowcount
            cursor.execute(_INSERT_COVER_SQL)
            cover = cursor.rowcount
            cursor.execute(_INSERT_CONTRIBUTIONS_SQL, params)
            contributions = cursor.rowcount
        return Written(policies=policies, cover=cover, contributions=contributions, families=families)
