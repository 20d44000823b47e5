"""A synthetic claim history for the generated insurees: a year of claims from health facilities (benchmarks and
demos only).

    manage.py generate_claims --seed 1                    # 2,000,000 claims over the year before today
    manage.py generate_claims --claims 2000 --seed 3      # a small history (tests)

Run after `generate_insurees` and `generate_policies`, with the medical registers loaded (diagnoses, and items and
services the products cover: `generate_policies` covers the first items and services of the register when it creates
its products). For 1,000,000 insurees and 440,000 policies it writes 2,000,000 claims, about 3.7 million claimed items
and 2.7 million claimed services, 56,000 flags and 1.7 million bookings, in about 9 minutes on 2 cores (559 s in the
claims benchmark; 17 minutes while test runs shared the cores).

Facilities. Each active district gets four generated facilities (codes `G<district id, 5 digits><1-4>`, created
when missing): a hospital and a health centre (care type both) and two dispensaries (out-patient), each with the
generated price lists of its level (`Generated claims: ...`, national, every item and service some product covers,
at the register's price). Claims are made by these facilities only. One generator user (`gen_claim_admin`, not
active) enters them all.

Who and when. Each claim is a day of cover drawn uniformly among the person-days of cover of the year before
`--today` (a cover: the person's InsureePolicy of an Active or Expired policy, from its effective date to its expiry,
within the policy's own dates; active insurees only), weighted by age and sex (young children and old people visit
more often, women of child-bearing age more than men): every claim's person is covered on every day of the visit by
the policy its lines are paid from. The facility is one of the person's district, dispensaries more often than
hospitals. 12 % of the visits are hospital stays of 2-7 days (at the hospital or the health centre), the others
one-day visits (no `date_to`). 8 % are emergencies, 5 % referrals (to the district's hospital).

Lines. 1-3 items and 1-2 services (none twice), from those the person's product covers and that suit the person (the
patient category: sex, adult or child on the visit) and the visit (care type: in-patient lines on stays only,
out-patient lines on one-day visits only); the first lines of the catalogue (by code) are drawn more often. An item's
quantity is drawn around a typical quantity of that item (1-5 units of a consumable, 6-30 of a medicine, within the
register's maximum per claim); a service's is 1, or the days of the stay for a day of hospitalisation. Prices are the
register's (the generated price lists do not override them); the price asked is that price. A claim's main diagnosis
is a common one (a list of frequent ICD-10 codes when the register has them), a pregnancy code (the prefixes of the
`implausible` rule) when a delivery or antenatal service is claimed; 30 % have a secondary diagnosis. The category is
`claim.checks.claim_category` of the services (and the stay).

Statuses (drawn per claim; the shares are of all claims):
- about 85 % accepted: Valuated, or Processed when a passed line has a relative price (price origin R), review
  Not selected; each passed line valued at its amount with the product line's co-insurance or fixed amount applied
  (no deductible or ceiling is replayed), remunerated at once unless its price is relative; one ClaimBooking per claim
  (its policy, the valued total);
- about 7 % Rejected at submission (review Idle, approved 0): every line rejected, with the claim's reason 1 and each
  line's own reason (2, 3, 4, 5, 10, 16 or 17), or a category's maximum reached (11-15, 19: every line with it), or 9
  (claimed before the visit);
- 1 % Entered, not submitted (visits in the last 14 days of the cover); 4.5 % Checked and Not selected, waiting for
  processing (visits in the last 30 days of the cover);
- every 40th claim (exactly 50,000 of 2,000,000) Checked and Selected for review (visits in the last 90 days of the
  cover), each with one or two ClaimFlag rows written as `claim.flags` writes them: far above the norm (an item's
  quantity 8-10 times its typical quantity, so that it stays 3 times above the norm the data gives), the same
  service at two facilities (the claim just before it in the generation is that other visit: the same person and
  service at another facility of the district, 0-3 days earlier, accepted), frequent (the 5 claims before it are
  the same person's earlier visits within 30 days, accepted), implausible (a delivery or antenatal service with a
  main diagnosis that is not a pregnancy code), late entry (entered 31-90 days after the visit), or the random
  sample; the rules' settings (`CLAIM_FLAGS`: days, counts,
  categories) shape the data. The figures of "above norm" and "frequent" are then read from the data written (the
  norms of `claim.norms` when that module is there, the person's claims within the days).
Checked, Processed, Valuated and Rejected claims have `submitted_at`; every line of a submitted claim has its status,
reason and the price used, passed lines the product and policy that pay them with the limitation and price origin.

Determinism and resuming. The n-th claim's draws are hashes of (seed, n), so the same seed gives the same claims
(codes `G<seed>-<n>`, unique per facility, and uuids); the ids depend on what the database holds and on the order the
connections write. Claims are written in transactions of `--chunk` claims (a multiple of 40, so that a claim and the
visits its flags refer to are in the same transaction); a chunk whose claims are already there is skipped, so running
the command twice writes nothing the second time and an interrupted run resumes where it stopped.

Writing: set-based SQL only (temporary tables built with CREATE TEMP TABLE ... AS SELECT and UPDATE ... FROM, then
INSERT ... SELECT), by `--workers` connections at once (2 by default; each builds its own session tables of covers,
lists and facilities, then takes the next chunk; 1 when called inside a transaction, as in tests, since other
connections would not see its rows). The history triggers stay on: every inserted claim, claimed item and service
gets its insert event, with the context `generate_claims`; foreign keys are checked at the end of each statement (see
`generate_policies`). Most of the time goes to those inserts (measured on one connection, 40,000 claims: 6.5 s for the
claims, of which 3.1 s history trigger and 3.4 s foreign-key checks, 2.2 s of them the insuree's; 6.6 s for 74,000
items, of which 3.1 s history; preparing the chunk in temporary tables 3.7 s). At the end, `claim.norms.norms_refresh()`
recomputes the norms when that module exists.
"""

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from claim.models import ClaimStatus, FlagCode, LineStatus, ReviewStatus

ADMIN_USERNAME = "gen_claim_admin"
DEFAULT_CLAIMS = 2_000_000
REVIEW_EVERY = 40  # every 40th claim waits for review: 50,000 of 2,000,000
STAY_SHARE = 0.12
RANDOM_PERCENT = 2.0  # the random sample's share shown on its flag when the setting is 0
# shares of the flags wanted on claims waiting for review (a rule switched off gives its share to the others)
FLAG_SHARES = {
    FlagCode.ABOVE_NORM: 0.35,
    FlagCode.TWO_FACILITIES: 0.15,
    FlagCode.FREQUENT: 0.15,
    FlagCode.IMPLAUSIBLE: 0.10,
    FlagCode.LATE_ENTRY: 0.20,
    FlagCode.RANDOM: 0.05,
}
SECOND_LATE_SHARE = 0.15  # review claims with another flag that were also entered late
# status classes of the other claims: cumulative thresholds of one draw
REJECTED_UNDER, ENTERED_UNDER, WAITING_UNDER = 0.073, 0.083, 0.128
FACILITIES = (  # (number, level, care type, name)
    (1, "H", "B", "District Hospital"),
    (2, "C", "B", "Health Centre"),
    (3, "D", "O", "Dispensary I"),
    (4, "D", "O", "Dispensary II"),
)
LEVEL_NAMES = {"D": "dispensaries", "C": "health centres", "H": "hospitals"}
# frequent ICD-10 codes of out-patient departments, used as main diagnoses when the register has them
COMMON_ICD = (
    "B54", "B50.9", "J06.9", "J18.9", "J20.9", "A09", "A09.0", "K29.7", "N39.0", "L08.9", "B82.9", "I10", "E11.9",
    "J45.9", "H10.9", "H66.9", "K59.0", "M54.5", "R50.9", "T14.9", "D64.9", "B37.9", "A01.0", "J02.9", "J03.9",
    "K02.9", "L30.9", "R51", "S01.9", "A15.0", "B20", "E46", "N76.0", "R10.4", "M79.6", "G43.9", "F32.9",
)  # fmt: skip
LINE_REASONS = (2, 3, 4, 5, 10, 16, 17)  # claim.checks reasons of a single line
CATEGORY_REASONS = {"H": 11, "V": 12, "C": 13, "S": 14, "D": 15, "A": 19}  # claim.checks.CATEGORY_REASONS

_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION pg_temp.gc_u(seed bigint, salt text, k bigint) RETURNS float8
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT (hashtextextended(salt || ':' || k::text, seed) & 2147483647)::float8 / 2147483648.0 $$
    """,
    """
    CREATE OR REPLACE FUNCTION pg_temp.gc_uuid(seed bigint, salt text, k bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT overlay(overlay(md5(seed::text || ':' || salt || ':' || k::text) PLACING '4' FROM 13)
                      PLACING '8' FROM 17)::uuid $$
    """,
]

# --- session tables: facilities, covers, lines each product covers, diagnoses ---------------------------------------

# The generated facilities per district and kind of visit (S one day, M a stay), with weights: a draw in
# [0, slots) picks the facility whose [slot_from, slot_from + weight) holds it.
_FACILITY_TABLE = """
DROP TABLE IF EXISTS pg_temp.gc_facility;
CREATE TEMP TABLE gc_facility AS
WITH f AS (
    SELECT h.id, h.code, h.name, h.district_id, h.level, c.ctx,
           CASE WHEN c.ctx = 'M' THEN (CASE h.level WHEN 'H' THEN 3 ELSE 2 END)
                ELSE (CASE h.level WHEN 'H' THEN 2 WHEN 'C' THEN 3 ELSE 5 END) END AS weight
      FROM location_healthfacility h
     CROSS JOIN (VALUES ('S'), ('M')) AS c(ctx)
     WHERE h.id = ANY(%(ids)s)
       AND ((c.ctx = 'S' AND h.care_type IN ('O', 'B')) OR (c.ctx = 'M' AND h.care_type IN ('I', 'B')))
)
SELECT f.*, (row_number() OVER w - 1)::int AS ord, (count(*) OVER d)::int AS n,
       (sum(weight) OVER w - weight)::int AS slot_from, (sum(weight) OVER d)::int AS slots
  FROM f
WINDOW w AS (PARTITION BY district_id, ctx ORDER BY code), d AS (PARTITION BY district_id, ctx);
CREATE UNIQUE INDEX ON gc_facility (district_id, ctx, ord);
ANALYZE gc_facility;
DROP TABLE IF EXISTS pg_temp.gc_slot;
CREATE TEMP TABLE gc_slot AS
SELECT f.district_id, f.ctx, s AS slot, f.ord
  FROM gc_facility f CROSS JOIN LATERAL generate_series(f.slot_from, f.slot_from + f.weight - 1) AS s;
CREATE UNIQUE INDEX ON gc_slot (district_id, ctx, slot);
ANALYZE gc_slot;
DROP TABLE IF EXISTS pg_temp.gc_district;
CREATE TEMP TABLE gc_district AS
SELECT district_id,
       max(n) FILTER (WHERE ctx = 'S') AS n_s, max(slots) FILTER (WHERE ctx = 'S') AS slots_s,
       coalesce(max(n) FILTER (WHERE ctx = 'M'), 0) AS n_m, max(slots) FILTER (WHERE ctx = 'M') AS slots_m,
       (array_agg(id ORDER BY code) FILTER (WHERE level = 'H'))[1] AS hospital_id
  FROM gc_facility GROUP BY district_id;
"""

# Items and services each product covers, per patient mask (1 male or 2 female, + 4 adult or 8 child) and kind of
# visit, in lists numbered 0..n-1 in code order: `all` of them; `big` items, which can be claimed 10 times their
# typical quantity (above the norm); `main` services, the visit's own (a consultation or visit on a one-day visit,
# hospitalisation on a stay); `da` services, of the categories the implausible rule watches.
_LISTS = """
DROP TABLE IF EXISTS pg_temp.gc_item;
CREATE TEMP TABLE gc_item AS
WITH base AS (
    SELECT pi.product_id, m.mask, c.ctx, it.id AS target_id, it.code, it.name, it.price, it.maximum_amount,
           pi.price_origin, pi.limitation_type, pi.limit_adult, pi.limit_child,
           pi.limitation_type_r, pi.limit_adult_r, pi.limit_child_r,
           pi.limitation_type_e, pi.limit_adult_e, pi.limit_child_e,
           greatest(1, least(CASE WHEN it.type = 'M'
                                  THEN (ARRAY[1, 2, 3, 5])[1 + floor(pg_temp.gc_u(%(seed)s, 'q', it.id) * 4)::int]
                                  ELSE (ARRAY[6, 10, 14, 20, 30])
                                       [1 + floor(pg_temp.gc_u(%(seed)s, 'q', it.id) * 5)::int]
                             END, coalesce(floor(it.maximum_amount)::int, 1000)))::int AS q
      FROM policy_productitem pi
      JOIN medical_item it ON it.id = pi.item_id AND it.is_active
     CROSS JOIN (VALUES (5), (6), (9), (10)) AS m(mask)
     CROSS JOIN (VALUES ('S'), ('M')) AS c(ctx)
     WHERE pi.product_id = ANY(%(products)s)
       AND (it.patient_category & m.mask) = m.mask
       AND (it.maximum_amount IS NULL OR it.maximum_amount >= 1)
       AND (it.care_type = 'B' OR (c.ctx = 'S' AND it.care_type = 'O') OR (c.ctx = 'M' AND it.care_type = 'I'))
), listed AS (
    SELECT 'all' AS list, base.* FROM base
    UNION ALL
    SELECT 'big', base.* FROM base WHERE maximum_amount IS NULL OR maximum_amount >= 10 * q
)
SELECT listed.*,
       (row_number() OVER (PARTITION BY product_id, mask, ctx, list ORDER BY code, target_id) - 1)::int AS ord
  FROM listed;
CREATE INDEX ON gc_item (product_id, mask, ctx, list, ord);

DROP TABLE IF EXISTS pg_temp.gc_service;
CREATE TEMP TABLE gc_service AS
WITH base AS (
    SELECT ps.product_id, m.mask, c.ctx, s.id AS target_id, s.code, s.name, s.price, s.maximum_amount,
           s.category, s.level, ps.price_origin, ps.limitation_type, ps.limit_adult, ps.limit_child,
           ps.limitation_type_r, ps.limit_adult_r, ps.limit_child_r,
           ps.limitation_type_e, ps.limit_adult_e, ps.limit_child_e
      FROM policy_productservice ps
      JOIN medical_service s ON s.id = ps.service_id AND s.is_active
     CROSS JOIN (VALUES (5), (6), (9), (10)) AS m(mask)
     CROSS JOIN (VALUES ('S'), ('M')) AS c(ctx)
     WHERE ps.product_id = ANY(%(products)s)
       AND (s.patient_category & m.mask) = m.mask
       AND (s.maximum_amount IS NULL OR s.maximum_amount >= 1)
       AND (s.care_type = 'B' OR (c.ctx = 'S' AND s.care_type = 'O') OR (c.ctx = 'M' AND s.care_type = 'I'))
), listed AS (
    SELECT 'all' AS list, base.* FROM base
    UNION ALL
    SELECT 'main', base.* FROM base
     WHERE (ctx = 'S' AND category IN ('C', 'V')) OR (ctx = 'M' AND category = 'H')
    UNION ALL
    SELECT 'da', base.* FROM base WHERE category = ANY(%(watched)s)
)
SELECT listed.*,
       (row_number() OVER (PARTITION BY product_id, mask, ctx, list ORDER BY code, target_id) - 1)::int AS ord
  FROM listed;
CREATE INDEX ON gc_service (product_id, mask, ctx, list, ord);

DROP TABLE IF EXISTS pg_temp.gc_list;
CREATE TEMP TABLE gc_list AS
SELECT p.product_id, m.mask, c.ctx,
       coalesce(i.n_i, 0) AS n_i, coalesce(i.n_big, 0) AS n_big,
       coalesce(s.n_s, 0) AS n_s, coalesce(s.n_main, 0) AS n_main, coalesce(s.n_da, 0) AS n_da
  FROM unnest(%(products)s::bigint[]) AS p(product_id)
 CROSS JOIN (VALUES (5), (6), (9), (10)) AS m(mask)
 CROSS JOIN (VALUES ('S'), ('M')) AS c(ctx)
  LEFT JOIN (SELECT product_id, mask, ctx, (count(*) FILTER (WHERE list = 'all'))::int AS n_i,
                    (count(*) FILTER (WHERE list = 'big'))::int AS n_big
               FROM gc_item GROUP BY 1, 2, 3) i
         ON (i.product_id, i.mask, i.ctx) = (p.product_id, m.mask, c.ctx)
  LEFT JOIN (SELECT product_id, mask, ctx, (count(*) FILTER (WHERE list = 'all'))::int AS n_s,
                    (count(*) FILTER (WHERE list = 'main'))::int AS n_main,
                    (count(*) FILTER (WHERE list = 'da'))::int AS n_da
               FROM gc_service GROUP BY 1, 2, 3) s
         ON (s.product_id, s.mask, s.ctx) = (p.product_id, m.mask, c.ctx);
CREATE UNIQUE INDEX ON gc_list (product_id, mask, ctx);
"""

# Products whose every (mask, kind of visit) has at least one item and one service: the people they cover can claim.
_COVERING_PRODUCTS = "SELECT product_id FROM gc_list GROUP BY product_id HAVING min(n_i) > 0 AND min(n_s) > 0"

_DIAGNOSES = """
DROP TABLE IF EXISTS pg_temp.gc_icd;
CREATE TEMP TABLE gc_icd AS
WITH active AS (SELECT id, code FROM medical_diagnosis WHERE is_active),
pregnancy AS (SELECT id, code FROM active WHERE upper(code) LIKE ANY(%(pregnancy)s)),
common AS (
    SELECT id, code FROM active WHERE upper(code) = ANY(%(common)s)
    UNION ALL
    -- no frequent code in the register: any code that is not a pregnancy code
    SELECT id, code FROM active
     WHERE NOT EXISTS (SELECT 1 FROM active WHERE upper(code) = ANY(%(common)s))
       AND NOT upper(code) LIKE ANY(%(pregnancy)s)
)
SELECT 'P' AS list, id, code, (row_number() OVER (ORDER BY code, id) - 1)::int AS ord FROM pregnancy
UNION ALL
SELECT 'C', id, code, (row_number() OVER (ORDER BY code, id) - 1)::int FROM common;
CREATE INDEX ON gc_icd (list, ord);
"""

# One row per day-weighted cover of the year: a claim draws x in [0, total weight) and takes the row whose
# [cum_from, cum_from + w) holds it, then the day (x - cum_from) / f of its window.
_WINDOW_TABLE = """
DROP TABLE IF EXISTS pg_temp.gc_window;
CREATE TEMP TABLE gc_window AS
WITH cover AS (
    SELECT ip.insuree_id, ip.policy_id, p.product_id, i.dob, i.gender,
           nullif(split_part(v.path, '.', 2), '')::bigint AS district_id,
           greatest(ip.effective_date, p.start_date, %(first)s::date) AS lo,
           least(ip.expiry_date, p.expiry_date, %(last)s::date) AS hi
      FROM policy_insureepolicy ip
      JOIN policy_policy p ON p.id = ip.policy_id
      JOIN insuree_insuree i ON i.id = ip.insuree_id
      JOIN insuree_family fa ON fa.id = i.family_id
      JOIN location_location v ON v.id = fa.village_id
     WHERE ip.effective_date IS NOT NULL AND p.status = ANY(%(covering)s) AND i.status = 'AC'
       AND ip.effective_date <= %(last)s AND ip.expiry_date >= %(first)s AND p.expiry_date >= %(first)s
       AND p.product_id = ANY(%(products)s)
), weighted AS (
    SELECT c.*, d.n_s, d.slots_s, d.n_m, d.slots_m, d.hospital_id,
           CASE WHEN age < 5 THEN 6 WHEN age < 15 THEN 2 WHEN age < 50 THEN (CASE WHEN gender = 'F' THEN 4 ELSE 2 END)
                WHEN age < 65 THEN 3 ELSE 5 END AS f
      FROM (SELECT cover.*, date_part('year', age(lo, dob))::int AS age FROM cover WHERE lo <= hi) c
      JOIN gc_district d ON d.district_id = c.district_id
)
SELECT w.*, ((hi - lo + 1) * f)::bigint AS w,
       (sum((hi - lo + 1) * f) OVER (ORDER BY insuree_id, policy_id) - (hi - lo + 1) * f)::bigint AS cum_from
  FROM weighted w;
CREATE INDEX ON gc_window (cum_from);
ANALYZE gc_window;
"""

# --- one transaction of claims ---------------------------------------------------------------------------------------

# The plan: the n-th claim (k), its role (review: every 40th; twin/frequent: the visits a review claim's flag refers
# to, drawn from that claim's draws, `src`), its cover, kind of visit, dates, facility, flag and line counts.
_PLAN_SQL = """
CREATE TEMP TABLE gc_plan ON COMMIT DROP AS
WITH o AS (
    SELECT k, ((k + %(every)s - 1) / %(every)s) * %(every)s AS r, pg_temp.gc_u(%(seed)s, 'status', k) AS u_status
      FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS k
), wanted AS (
    SELECT o.*,
           CASE WHEN u < %(t_above)s THEN 'above_norm' WHEN u < %(t_two)s THEN 'two_facilities'
                WHEN u < %(t_freq)s THEN 'frequent' WHEN u < %(t_impl)s THEN 'implausible'
                WHEN u < %(t_late)s THEN 'late_entry' ELSE 'random' END AS wanted
      FROM (SELECT o.*, pg_temp.gc_u(%(seed)s, 'flag', r) AS u FROM o) o
), roles AS MATERIALIZED (
    SELECT k, r, wanted,
           CASE WHEN k = r THEN 'review'
                WHEN r <= %(total)s AND wanted = 'two_facilities' AND r - k = 1 THEN 'twin'
                WHEN r <= %(total)s AND wanted = 'frequent' AND r - k < %(fr_claims)s THEN 'frequent'
                WHEN u_status < %(rejected_under)s THEN 'rejected'
                WHEN u_status < %(entered_under)s THEN 'entered'
                WHEN u_status < %(waiting_under)s THEN 'waiting'
                ELSE 'accepted' END AS role
      FROM wanted
), drawn AS MATERIALIZED (
    SELECT roles.*, s.src, floor(pg_temp.gc_u(%(seed)s, 'x', s.src) * %(weight)s)::bigint AS x
      FROM roles
     CROSS JOIN LATERAL (SELECT CASE WHEN role IN ('twin', 'frequent') THEN r ELSE k END AS src) s
), covered AS MATERIALIZED (
    SELECT d.*, w.insuree_id, w.policy_id, w.product_id, w.dob, w.gender, w.district_id, w.lo, w.hi,
           w.n_s, w.slots_s, w.n_m, w.slots_m, w.hospital_id,
           w.lo + ((d.x - w.cum_from) / w.f)::int AS base,
           CASE WHEN pg_temp.gc_u(%(seed)s, 'stay', d.src) < %(stay)s AND w.hi > w.lo AND w.n_m >= 2
                THEN 'M' ELSE 'S' END AS ctx,
           2 + floor(pg_temp.gc_u(%(seed)s, 'len', d.src) * 6)::int AS len,
           -- the source's class: the review claim for its twin and frequent visits
           CASE WHEN d.role IN ('twin', 'frequent') THEN 'review' ELSE d.role END AS src_role,
           pg_temp.gc_u(%(seed)s, 'recent', d.src) AS u_recent,
           %(late_limit)s + 1 + floor(pg_temp.gc_u(%(seed)s, 'late', d.src) * 60)::int AS late_days,
           (d.wanted = 'late_entry' OR pg_temp.gc_u(%(seed)s, 'late2', d.src) < %(second_late)s) AS wants_late
      FROM drawn d
     CROSS JOIN LATERAL (SELECT * FROM gc_window w WHERE w.cum_from <= d.x ORDER BY w.cum_from DESC LIMIT 1) w
), timed AS (
    SELECT c.*, lo + (ctx = 'M')::int AS lo_m,
           CASE src_role
                WHEN 'review' THEN greatest(lo + (ctx = 'M')::int, hi - floor(u_recent * 90)::int)
                WHEN 'entered' THEN greatest(lo + (ctx = 'M')::int, hi - floor(u_recent * 14)::int)
                WHEN 'waiting' THEN greatest(lo + (ctx = 'M')::int, hi - floor(u_recent * 30)::int)
                ELSE greatest(lo + (ctx = 'M')::int, base) END AS t_base
      FROM covered c
), late AS (
    SELECT timed.*,
           src_role = 'review' AND %(late_on)s AND wants_late
           AND least(t_base, %(today)s - 1 - late_days) >= lo_m AS late
      FROM timed
), target AS (
    SELECT late.*, CASE WHEN late THEN least(t_base, %(today)s - 1 - late_days) ELSE t_base END AS t_src FROM late
), dated AS MATERIALIZED (
    SELECT target.*,
           CASE role
                WHEN 'twin' THEN greatest(lo_m, t_src
                                          - floor(pg_temp.gc_u(%(seed)s, 'gap', k) * (%(tf_days)s + 1))::int)
                WHEN 'frequent' THEN greatest(lo_m, t_src - 1
                                              - floor(pg_temp.gc_u(%(seed)s, 'gap', k) * (%(fr_days)s - 1))::int)
                ELSE t_src END AS t,
           (CASE WHEN gender = 'F' THEN 2 ELSE 1 END
            + CASE WHEN date_part('year', age(t_src, dob)) >= 18 THEN 4 ELSE 8 END) AS mask,
           CASE WHEN ctx = 'M' THEN n_m ELSE n_s END AS n_fac,
           floor(pg_temp.gc_u(%(seed)s, 'fac', k) * CASE WHEN ctx = 'M' THEN slots_m ELSE slots_s END)::int AS slot,
           floor(pg_temp.gc_u(%(seed)s, 'fac', src) * CASE WHEN ctx = 'M' THEN slots_m ELSE slots_s END)::int
               AS slot_src,
           pg_temp.gc_u(%(seed)s, 'fac2', k) AS u_other,
           pg_temp.gc_u(%(seed)s, 'vt', k) AS u_vt,
           pg_temp.gc_u(%(seed)s, 'ni', k) AS u_ni,
           pg_temp.gc_u(%(seed)s, 'ns', k) AS u_ns
      FROM target
), placed AS (
    SELECT d.*, f.id AS facility_id, f.level,
           CASE WHEN d.u_vt < 0.08 THEN 'E' WHEN d.u_vt < 0.13 THEN 'R' ELSE 'O' END::varchar(1) AS visit_type,
           CASE WHEN d.role <> 'review' THEN NULL
                WHEN d.wanted = 'above_norm' AND l.n_big > 0 THEN 'above_norm'
                WHEN d.wanted = 'implausible' AND l.n_da > 0 AND %(common_icd)s THEN 'implausible'
                WHEN d.wanted = 'above_norm' AND l.n_da > 0 AND %(common_icd)s AND %(implausible_on)s
                     THEN 'implausible'
                WHEN d.wanted = 'implausible' AND l.n_big > 0 AND %(above_on)s THEN 'above_norm'
                WHEN d.wanted IN ('above_norm', 'implausible', 'late_entry') AND d.late THEN 'late_entry'
                WHEN d.wanted IN ('above_norm', 'implausible', 'late_entry') THEN 'random'
                ELSE d.wanted END AS flag,
           least(l.n_i, CASE WHEN d.u_ni < 0.4 THEN 1 WHEN d.u_ni < 0.75 THEN 2 ELSE 3 END) AS n_items,
           least(l.n_s, CASE WHEN d.u_ns < 0.65 THEN 1 ELSE 2 END) AS n_services
      FROM dated d
      JOIN gc_list l ON l.product_id = d.product_id AND l.mask = d.mask AND l.ctx = d.ctx
      -- the facility: a weighted draw among the district's; for a twin visit another one than its review claim's
      JOIN gc_slot own ON own.district_id = d.district_id AND own.ctx = d.ctx AND own.slot = d.slot
      JOIN gc_slot src ON src.district_id = d.district_id AND src.ctx = d.ctx AND src.slot = d.slot_src
      JOIN gc_facility f ON f.district_id = d.district_id AND f.ctx = d.ctx
                        AND f.ord = CASE WHEN d.role = 'twin'
                                         THEN mod(src.ord + 1 + floor(d.u_other * (d.n_fac - 1))::int, d.n_fac)
                                         ELSE own.ord END
)
SELECT placed.*,
       CASE WHEN ctx = 'M' THEN greatest(lo, t - len + 1) ELSE t END AS date_from,
       CASE WHEN ctx = 'M' THEN t END AS date_to,
       CASE WHEN visit_type = 'R' AND level <> 'H' THEN hospital_id END AS referral_id,
       NULL::date AS date_claimed, NULL::varchar(1) AS category, NULL::smallint AS status,
       NULL::smallint AS review_status, 0::smallint AS rejection_reason, NULL::text AS reject_kind,
       NULL::bigint AS icd_id, NULL::bigint AS icd_1_id, NULL::bigint AS id, NULL::numeric(18, 2) AS claimed,
       NULL::numeric(18, 2) AS approved, NULL::numeric(18, 2) AS valuated, NULL::numeric(18, 2) AS remunerated,
       false AS has_da, NULL::timestamptz AS created_at, NULL::timestamptz AS submitted_at,
       NULL::timestamptz AS processed_at
  FROM placed
"""

# Lines: the j-th item (service) of a claim is number (start + (j - 1) x step) mod n of its list (distinct for j = 1..3
# since 2 x step < n); the start is the source's draw (a twin visit has its review claim's first service), the first
# item of an "above norm" claim is a big one, the first service the visit's own (or, on an "implausible" claim, a
# watched one). Quantities, and the product line's limitation for the visit type and the person's age.
_LINES_SQL = """
CREATE TEMP TABLE gc_line ON COMMIT DROP AS
WITH items AS MATERIALIZED (
    SELECT p.k, j, x.list, p.product_id, p.mask, p.ctx,
           CASE WHEN x.list = 'big' THEN floor(l.n_big * pg_temp.gc_u(%(seed)s, 'big', p.src))::int
                ELSE mod(floor(l.n_i * pg_temp.gc_u(%(seed)s, 'is', p.src) ^ 2)::int
                         + (j - 1) * CASE WHEN l.n_i <= 2 THEN 1
                                          ELSE 1 + floor(pg_temp.gc_u(%(seed)s, 'it', p.k) * ((l.n_i - 1) / 2))::int
                                     END, l.n_i) END AS ord
      FROM gc_plan p
      JOIN gc_list l ON l.product_id = p.product_id AND l.mask = p.mask AND l.ctx = p.ctx
     CROSS JOIN LATERAL generate_series(1, p.n_items) AS j
     CROSS JOIN LATERAL (SELECT CASE WHEN j = 1 AND p.flag = 'above_norm' THEN 'big' ELSE 'all' END AS list) x
), services AS MATERIALIZED (
    SELECT p.k, j, x.list, p.product_id, p.mask, p.ctx,
           CASE x.list
                WHEN 'da' THEN floor(l.n_da * pg_temp.gc_u(%(seed)s, 'da', p.src))::int
                WHEN 'main' THEN floor(l.n_main * pg_temp.gc_u(%(seed)s, 'sm', p.src) ^ 1.5)::int
                ELSE mod(floor(l.n_s * pg_temp.gc_u(%(seed)s, 'ss', p.src) ^ 1.5)::int
                         + (j - 1) * (1 + floor(pg_temp.gc_u(%(seed)s, 'st', p.k) * greatest(l.n_s - 1, 1))::int),
                         l.n_s) END AS ord
      FROM gc_plan p
      JOIN gc_list l ON l.product_id = p.product_id AND l.mask = p.mask AND l.ctx = p.ctx
     CROSS JOIN LATERAL generate_series(1, p.n_services) AS j
     CROSS JOIN LATERAL (SELECT CASE WHEN j = 1 AND p.flag = 'implausible' THEN 'da'
                                     WHEN j = 1 AND l.n_main > 0 THEN 'main' ELSE 'all' END AS list) x
), chosen AS (
    SELECT 'I'::text AS kind, x.k, x.j, i.target_id, i.code, i.name, i.price, i.maximum_amount, i.q,
           ''::text AS category,
           ''::text AS service_level, i.price_origin, i.limitation_type, i.limit_adult, i.limit_child,
           i.limitation_type_r, i.limit_adult_r, i.limit_child_r, i.limitation_type_e, i.limit_adult_e, i.limit_child_e,
           x.list = 'big' AS inflated
      FROM items x
      JOIN gc_item i ON i.product_id = x.product_id AND i.mask = x.mask AND i.ctx = x.ctx AND i.list = x.list
                    AND i.ord = x.ord
    UNION ALL
    SELECT 'S', x.k, x.j, s.target_id, s.code, s.name, s.price, s.maximum_amount, 1, s.category, s.level,
           s.price_origin, s.limitation_type, s.limit_adult, s.limit_child,
           s.limitation_type_r, s.limit_adult_r, s.limit_child_r, s.limitation_type_e, s.limit_adult_e, s.limit_child_e,
           false
      FROM services x
      JOIN gc_service s ON s.product_id = x.product_id AND s.mask = x.mask AND s.ctx = x.ctx AND s.list = x.list
                       AND s.ord = x.ord
), unique_lines AS (  -- an item or service once per claim (a big item may also be drawn as the second)
    SELECT DISTINCT ON (kind, k, target_id) * FROM chosen ORDER BY kind, k, target_id, j
), placed AS (
    SELECT u.kind, u.k, u.j, u.target_id, u.code, u.name, u.price, u.q, u.category, u.price_origin, u.inflated,
           p.role,
           CASE WHEN u.kind = 'S' THEN
                    least(CASE WHEN u.service_level = 'D' AND p.ctx = 'M' THEN p.date_to - p.date_from + 1 ELSE 1 END,
                          coalesce(floor(u.maximum_amount)::int, 1000))
                WHEN u.inflated THEN u.q * (8 + floor(pg_temp.gc_u(%(seed)s, 'qb', u.k) * 3)::int)
                ELSE least(greatest(1, round(u.q * (0.5 + pg_temp.gc_u(%(seed)s, 'q' || u.j, u.k)))::int),
                           coalesce(floor(u.maximum_amount)::int, 1000))
           END::numeric(12, 2) AS qty,
           CASE WHEN p.visit_type = 'R' AND u.limitation_type_r <> '' THEN 'R'
                WHEN p.visit_type = 'E' AND u.limitation_type_e <> '' THEN 'E' ELSE '' END AS own,
           date_part('year', age(coalesce(p.date_to, p.date_from), p.dob)) >= 18 AS adult,
           u.limitation_type AS type_o, u.limitation_type_r AS type_r, u.limitation_type_e AS type_e,
           u.limit_adult, u.limit_child, u.limit_adult_r, u.limit_child_r, u.limit_adult_e, u.limit_child_e
      FROM unique_lines u
      JOIN gc_plan p ON p.k = u.k
)
SELECT kind, k, j, target_id, code, name, price, q, category, price_origin, inflated, role, qty,
       CASE own WHEN 'R' THEN type_r WHEN 'E' THEN type_e ELSE type_o END AS limitation_type,
       CASE own WHEN 'R' THEN CASE WHEN adult THEN limit_adult_r ELSE limit_child_r END
                WHEN 'E' THEN CASE WHEN adult THEN limit_adult_e ELSE limit_child_e END
                ELSE CASE WHEN adult THEN limit_adult ELSE limit_child END END AS lim,
       %(passed)s::smallint AS status, 0::smallint AS reason, pg_temp.gc_u(%(seed)s, 'lr' || kind || j, k) AS u_reject,
       NULL::numeric(18, 2) AS valued
  FROM placed;
CREATE INDEX ON gc_line (k);
"""

# The claim's category, what it asks, and its outcome: Rejected claims with their reason (every line rejected), lines
# rejected here and there on accepted claims, the main diagnosis (a pregnancy code with a delivery or antenatal
# service, unless the claim is to be found implausible) and a secondary one.
_OUTCOME_SQL = """
UPDATE gc_plan p
   SET claimed = c.claimed, has_da = c.has_da, category = c.category, reject_kind = c.reject_kind,
       rejection_reason = c.rejection_reason, icd_id = c.icd_id, icd_1_id = nullif(c.icd_1_id, c.icd_id)
  FROM (
    SELECT a.k, a.claimed, a.has_da, cat.category, rk.reject_kind,
           CASE rk.reject_kind WHEN 'lines' THEN 1 WHEN 'dates' THEN 9
                               WHEN 'category' THEN (%(category_reasons)s::jsonb ->> cat.category)::int
                               ELSE 0 END AS rejection_reason,
           (SELECT i.id FROM gc_icd i
             WHERE i.list = il.list AND i.ord = floor(pg_temp.gc_u(%(seed)s, 'icd', a.k) * il.n)::int) AS icd_id,
           CASE WHEN pg_temp.gc_u(%(seed)s, 'icd1', a.k) < 0.3
                THEN (SELECT i.id FROM gc_icd i
                       WHERE i.list = 'C'
                         AND i.ord = floor(pg_temp.gc_u(%(seed)s, 'icd1x', a.k) * %(n_common)s)::int) END AS icd_1_id
      FROM (SELECT k, sum(round(qty * price, 2)) AS claimed,
                   bool_or(kind = 'S' AND category = ANY(%(watched)s)) AS has_da,
                   bool_or(kind = 'S' AND category = 'S') AS has_s, bool_or(kind = 'S' AND category = 'D') AS has_d,
                   bool_or(kind = 'S' AND category = 'A') AS has_a, bool_or(kind = 'S' AND category = 'H') AS has_h,
                   bool_or(kind = 'S' AND category = 'C') AS has_c, bool_or(kind = 'S' AND category = 'O') AS has_o
              FROM gc_line GROUP BY k) a
      JOIN gc_plan q ON q.k = a.k
     CROSS JOIN LATERAL (
           SELECT CASE WHEN a.has_s THEN 'S' WHEN a.has_d THEN 'D' WHEN a.has_a THEN 'A'
                       WHEN a.has_h OR q.ctx = 'M' THEN 'H' WHEN a.has_c THEN 'C' WHEN a.has_o THEN 'O'
                       ELSE 'V' END AS category) cat
     CROSS JOIN LATERAL (
           SELECT CASE WHEN q.role <> 'rejected' THEN NULL
                       WHEN u < 0.6 OR (u < 0.85 AND cat.category = 'O') THEN 'lines'
                       WHEN u < 0.85 THEN 'category' ELSE 'dates' END AS reject_kind
             FROM (SELECT pg_temp.gc_u(%(seed)s, 'rk', a.k) AS u) x) rk
     CROSS JOIN LATERAL (
           SELECT CASE WHEN pregnancy THEN 'P' ELSE 'C' END AS list,
                  CASE WHEN pregnancy THEN %(n_pregnancy)s ELSE %(n_common)s END AS n
             FROM (SELECT a.has_da AND q.flag IS DISTINCT FROM 'implausible' AND %(pregnancy_icd)s AS pregnancy) x) il
  ) c
 WHERE c.k = p.k;

UPDATE gc_line l
   SET status = %(rejected_line)s,
       reason = CASE p.reject_kind
                     WHEN 'lines' THEN (%(line_reasons)s::int[])[1 + floor(l.u_reject * %(n_line_reasons)s)::int]
                     ELSE p.rejection_reason END
  FROM gc_plan p
 WHERE p.k = l.k AND (p.role = 'rejected' OR (p.role IN ('accepted', 'waiting') AND l.j > 1 AND l.u_reject < 0.04));
"""

# Amounts, statuses and times: passed lines of accepted claims valued (co-insurance or fixed amount, no deductible or
# ceiling replayed); the claim approved (Checked and beyond), valued and remunerated (accepted), Processed when a
# passed line has a relative price; entered, submitted and processed times; the ids, in the order of the claims.
_AMOUNTS_SQL = """
UPDATE gc_line
   SET valued = round(CASE WHEN limitation_type = 'F'
                           THEN CASE WHEN coalesce(lim, 0) > 0 THEN least(qty * price, qty * lim) ELSE qty * price END
                           ELSE qty * price * coalesce(lim, 100) / 100 END, 2)
 WHERE status = %(passed)s AND role IN ('accepted', 'twin', 'frequent');

UPDATE gc_plan p
   SET approved = c.approved, valuated = c.valuated, remunerated = c.remunerated, status = c.status,
       review_status = c.review_status, category = c.category, date_claimed = c.date_claimed,
       created_at = c.created_at, submitted_at = c.submitted_at, processed_at = c.processed_at, id = c.id
  FROM (
    SELECT q.k, ids.id,
           CASE WHEN q.role = 'rejected' THEN 0 WHEN q.role <> 'entered' THEN a.approved END AS approved,
           CASE WHEN accepted THEN a.valuated END AS valuated,
           CASE WHEN accepted THEN a.remunerated END AS remunerated,
           CASE q.role WHEN 'rejected' THEN %(rejected)s WHEN 'entered' THEN %(entered)s
                       WHEN 'waiting' THEN %(checked)s WHEN 'review' THEN %(checked)s
                       ELSE CASE WHEN a.relative THEN %(processed)s ELSE %(valuated)s END END AS status,
           CASE q.role WHEN 'rejected' THEN %(idle)s WHEN 'entered' THEN %(idle)s
                       WHEN 'review' THEN %(selected)s ELSE %(not_selected)s END AS review_status,
           CASE WHEN q.role = 'entered' THEN '' ELSE q.category END AS category,
           dc.date_claimed, ca.created_at, sa.submitted_at,
           CASE WHEN accepted THEN least(now(), sa.submitted_at + interval '1 day'
                                                + pg_temp.gc_u(%(seed)s, 'proc', q.k) * interval '10 days')
           END AS processed_at
      FROM gc_plan q
      JOIN (SELECT k, sum(round(qty * price, 2)) FILTER (WHERE status = %(passed)s) AS approved,
                   coalesce(sum(valued), 0) AS valuated,
                   coalesce(sum(valued) FILTER (WHERE price_origin <> 'R'), 0) AS remunerated,
                   coalesce(bool_or(price_origin = 'R' AND status = %(passed)s), false) AS relative
              FROM gc_line GROUP BY k) a ON a.k = q.k
      JOIN (SELECT k, nextval(pg_get_serial_sequence('claim_claim', 'id')) AS id
              FROM (SELECT k FROM gc_plan ORDER BY k) o) ids ON ids.k = q.k
     CROSS JOIN LATERAL (SELECT q.role IN ('accepted', 'twin', 'frequent') AS accepted) r
     CROSS JOIN LATERAL (
           SELECT CASE WHEN q.late AND q.role = 'review' THEN q.t + q.late_days
                       WHEN q.reject_kind = 'dates'
                       THEN q.date_from - 1 - floor(pg_temp.gc_u(%(seed)s, 'dc', q.k) * 10)::int
                       ELSE least(%(today)s, q.t + floor(pg_temp.gc_u(%(seed)s, 'dc', q.k) ^ 3 * 8)::int)
                  END AS date_claimed) dc
     CROSS JOIN LATERAL (
           SELECT least(now() - interval '2 hours',
                        ((CASE WHEN q.reject_kind = 'dates' THEN q.t ELSE dc.date_claimed END) + time '08:00')
                        AT TIME ZONE 'UTC' + pg_temp.gc_u(%(seed)s, 'at', q.k) * interval '9 hours') AS created_at) ca
     CROSS JOIN LATERAL (
           SELECT CASE WHEN q.role <> 'entered'
                       THEN least(now() - interval '1 hour', ca.created_at + interval '5 minutes'
                                                             + pg_temp.gc_u(%(seed)s, 'sub', q.k) * interval '3 hours')
                  END
                  AS submitted_at) sa
  ) c
 WHERE c.k = p.k;
"""

_INSERT_CLAIMS_SQL = """
INSERT INTO claim_claim
       (id, uuid, code, facility_id, insuree_id, date_from, date_to, date_claimed, visit_type, icd_id, icd_1_id,
        icd_2_id, icd_3_id, icd_4_id, explanation, guarantee_number, referral_facility_id, status, review_status,
        feedback_status, category, rejection_reason, claimed, approved, valuated, remunerated, adjustment,
        created_by_id, created_at, updated_at, submitted_at, reviewed_by_id, reviewed_at, processed_at)
SELECT id, pg_temp.gc_uuid(%(seed)s, 'claim', k), 'G' || %(seed)s || '-' || lpad(k::text, 7, '0'), facility_id,
       insuree_id, date_from, date_to, date_claimed, visit_type, icd_id, icd_1_id, NULL, NULL, NULL, '', '',
       referral_id, status, review_status, %(idle)s, category, rejection_reason, claimed, approved, valuated,
       remunerated, '', %(admin)s, created_at, coalesce(processed_at, submitted_at, created_at), submitted_at, NULL,
       NULL, processed_at
  FROM gc_plan
 ORDER BY id
"""

_LINE_COLUMNS = """
       qty_provided, qty_approved, price_asked, price_adjusted, price_approved, price_valuated, explanation,
       justification, status, rejection_reason, product_id, policy_id, limitation, limitation_value, price_origin,
       deductible_amount, exceed_ceiling_amount, exceed_ceiling_amount_category, remunerated_amount
"""

_LINE_VALUES = """
       l.qty, CASE WHEN l.status <> %(passed)s AND p.role <> 'entered' THEN 0 END, l.price,
       CASE WHEN p.role <> 'entered' THEN l.price END, NULL, l.valued, '', '', l.status, l.reason,
       CASE WHEN p.role <> 'entered' AND l.status = %(passed)s THEN p.product_id END,
       CASE WHEN p.role <> 'entered' AND l.status = %(passed)s THEN p.policy_id END,
       CASE WHEN p.role <> 'entered' AND l.status = %(passed)s THEN l.limitation_type ELSE '' END,
       CASE WHEN p.role <> 'entered' AND l.status = %(passed)s THEN l.lim END,
       CASE WHEN p.role <> 'entered' AND l.status = %(passed)s THEN l.price_origin ELSE '' END,
       CASE WHEN l.valued IS NOT NULL THEN 0 END, CASE WHEN l.valued IS NOT NULL THEN 0 END,
       CASE WHEN l.valued IS NOT NULL THEN 0 END, CASE WHEN l.price_origin <> 'R' THEN l.valued END
"""

_INSERT_ITEMS_SQL = f"""
INSERT INTO claim_claimitem (claim_id, item_id, {_LINE_COLUMNS})
SELECT p.id, l.target_id, {_LINE_VALUES}
  FROM gc_line l JOIN gc_plan p ON p.k = l.k
 WHERE l.kind = 'I'
 ORDER BY p.id, l.j
"""  # noqa: S608 - fixed text

_INSERT_SERVICES_SQL = f"""
INSERT INTO claim_claimservice (claim_id, service_id, {_LINE_COLUMNS})
SELECT p.id, l.target_id, {_LINE_VALUES}
  FROM gc_line l JOIN gc_plan p ON p.k = l.k
 WHERE l.kind = 'S'
 ORDER BY p.id, l.j
"""  # noqa: S608 - fixed text

_INSERT_BOOKINGS_SQL = """
INSERT INTO claim_claimbooking
       (claim_id, policy_id, insuree_id, deducted, deducted_ip, deducted_op, remunerated, remunerated_ip,
        remunerated_op)
SELECT id, policy_id, insuree_id, 0, 0, 0, valuated, 0, 0
  FROM gc_plan
 WHERE role IN ('accepted', 'twin', 'frequent')
 ORDER BY id
"""

# The flags of the claims waiting for review, with the params `claim.flags` writes.
_INSERT_FLAGS_SQL = """
INSERT INTO claim_claimflag (claim_id, code, params, created_at)
SELECT p.id, p.flag,
       CASE p.flag
            WHEN 'above_norm' THEN jsonb_build_object(
                'kind', 'item', 'code', l.code, 'name', l.name, 'qty', trim_scale(l.qty)::text,
                'avg_qty', round(l.q::numeric, 2)::text, 'value', round(l.qty * l.price, 2)::text,
                'avg_value', round(l.q * l.price, 2)::text, 'level', p.level)
            WHEN 'two_facilities' THEN jsonb_build_object(
                'code', s.code, 'name', s.name, 'other_claim', 'G' || %(seed)s || '-' || lpad(o.k::text, 7, '0'),
                'other_facility', f.name, 'days', abs(p.date_from - o.date_from), 'limit', %(tf_days)s)
            WHEN 'frequent' THEN jsonb_build_object('claims', %(fr_claims)s, 'days', %(fr_days)s,
                                                    'limit', %(fr_claims)s)
            WHEN 'implausible' THEN jsonb_build_object(
                'code', s.code, 'name', s.name, 'category', s.category, 'icd', d.code, 'expected', %(expected)s)
            WHEN 'late_entry' THEN jsonb_build_object('days', p.date_claimed - p.t, 'limit', %(late_limit)s)
            ELSE jsonb_build_object('percent', %(percent)s)
       END,
       p.submitted_at
  FROM gc_plan p
  LEFT JOIN gc_line l ON l.k = p.k AND l.kind = 'I' AND l.inflated
  LEFT JOIN gc_line s ON s.k = p.k AND s.kind = 'S' AND s.j = 1
  LEFT JOIN gc_plan o ON o.k = p.k - 1 AND p.flag = 'two_facilities'
  LEFT JOIN location_healthfacility f ON f.id = o.facility_id
  LEFT JOIN medical_diagnosis d ON d.id = p.icd_id
 WHERE p.role = 'review'
UNION ALL
SELECT p.id, 'late_entry', jsonb_build_object('days', p.date_claimed - p.t, 'limit', %(late_limit)s), p.submitted_at
  FROM gc_plan p
 WHERE p.role = 'review' AND p.late AND p.flag <> 'late_entry'
 ORDER BY 1, 2
"""

_CHECK_SQL = """
SELECT count(*) FILTER (WHERE facility_id IS NULL), count(*) FILTER (WHERE icd_id IS NULL),
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM gc_line l WHERE l.k = p.k)),
       count(*) FILTER (WHERE date_from < lo OR coalesce(date_to, date_from) > hi),
       count(*) FILTER (WHERE role = 'review' AND flag IS NULL)
  FROM gc_plan p
"""

# The figures read from the data once every claim is written: the claims of the person within the days (frequent)
# and the norm of the item at the facility's level (above norm, when `claim.norms` has computed them).
_FREQUENT_COUNTS_SQL = """
UPDATE claim_claimflag g
   SET params = g.params || jsonb_build_object('claims', x.n)
  FROM (SELECT g.id, count(o.id) AS n
          FROM claim_claimflag g
          JOIN claim_claim c ON c.id = g.claim_id
          JOIN claim_claim o ON o.insuree_id = c.insuree_id AND o.status = ANY(%(used)s)
                            AND o.date_from BETWEEN c.date_from - %(fr_days)s AND c.date_from
         WHERE g.code = 'frequent' AND c.created_by_id = %(admin)s
         GROUP BY g.id) x
 WHERE x.id = g.id AND (g.params ->> 'claims')::int IS DISTINCT FROM x.n
"""

_ABOVE_NORM_SQL = """
UPDATE claim_claimflag g
   SET params = g.params || jsonb_build_object('avg_qty', n.avg_qty::text, 'avg_value', n.avg_value::text)
  FROM claim_claim c, location_healthfacility f, medical_item i, claim_claimnorm n
 WHERE g.code = 'above_norm' AND c.id = g.claim_id AND c.created_by_id = %(admin)s AND f.id = c.facility_id
   AND g.params ->> 'kind' = 'item' AND i.code = g.params ->> 'code' AND i.is_active
   AND n.kind = 'I' AND n.target_id = i.id AND n.level = f.level
"""


@dataclass
class Written:
    claims: int = 0
    items: int = 0
    services: int = 0
    flags: int = 0
    bookings: int = 0

    def add(self, other: "Written") -> None:
        self.claims += other.claims
        self.items += other.items
        self.services += other.services
        self.flags += other.flags
        self.bookings += other.bookings


@dataclass(frozen=True)
class Setup:
    seed: int
    today: date
    facilities: list[int]
    rules: dict[str, dict[str, Any]]
    admin: int
    total: int


def claim_uuid(seed: int, k: int) -> uuid.UUID:
    """The uuid of the k-th generated claim (as `pg_temp.gc_uuid(seed, 'claim', k)`)."""
    digest = hashlib.md5(f"{seed}:claim:{k}".encode(), usedforsecurity=False).hexdigest()
    return uuid.UUID(digest[:12] + "4" + digest[13:16] + "8" + digest[17:])


def claim_code(seed: int, k: int) -> str:
    return f"G{seed}-{k:07d}"


def _written_before(seed: int, lo: int, hi: int) -> bool:
    """Whether a chunk's claims are there (a chunk is written whole or not at all)."""
    from claim.models import Claim

    return Claim.objects.filter(uuid__in=[claim_uuid(seed, lo), claim_uuid(seed, hi)]).exists()


class _Steps:
    """Runs the statements of a chunk; with `out`, prints the time each named step took."""

    def __init__(self, cursor: Any, params: dict[str, Any], out: Any) -> None:
        self.cursor, self.params, self.out = cursor, params, out
        self.times: dict[str, float] = {}

    def __call__(self, sql: str, name: str = "") -> int:
        started = time.perf_counter()
        self.cursor.execute(sql, self.params)
        if name:
            self.times[name] = time.perf_counter() - started
        return int(self.cursor.rowcount)

    def report(self) -> None:
        if self.out is not None:
            self.out.write("  " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.times.items()))


def _rules() -> dict[str, dict[str, Any]]:
    """The flag rules' settings, with the defaults of `openimis.settings.base` for what is not set."""
    defaults: dict[str, dict[str, Any]] = {
        FlagCode.ABOVE_NORM: {"enabled": True, "factor": 3, "min_samples": 20},
        FlagCode.TWO_FACILITIES: {"enabled": True, "days": 3},
        FlagCode.FREQUENT: {"enabled": True, "claims": 6, "days": 30},
        FlagCode.IMPLAUSIBLE: {"enabled": True, "categories": {"D": ["O", "Z3"], "A": ["O", "Z3"]}},
        FlagCode.LATE_ENTRY: {"enabled": True, "days": 30},
    }
    configured: dict[str, dict[str, Any]] = getattr(settings, "CLAIM_FLAGS", {}) or {}
    return {code: {**default, **(configured.get(code) or {})} for code, default in defaults.items()}


def flag_thresholds(rules: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Cumulative thresholds of the wanted flag's draw, the rules switched off left out (random always stays)."""
    shares = {code: share for code, share in FLAG_SHARES.items() if rules.get(code, {}).get("enabled", True)}
    total = sum(shares.values())
    thresholds: dict[str, float] = {}
    running = 0.0
    for code in FLAG_SHARES:
        running += shares.get(code, 0.0) / total
        thresholds[code] = running
    return thresholds


class Command(BaseCommand):
    verbosity = 1
    help = "Generates a year of claims for the generated insurees: lines, statuses, flags (benchmarks and demos)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--claims", type=int, default=DEFAULT_CLAIMS, help="how many claims (default 2,000,000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed, the same claims)")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the day the data is as of, YYYY-MM-DD (default: today); visits in the year before it",
        )
        parser.add_argument(
            "--chunk", type=int, default=40000, help="claims per transaction, a multiple of 40 (default 40,000)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="database connections writing chunks at the same time (default 2; 1 inside a transaction)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today: date = options["today"] or timezone.localdate()
        seed: int = options["seed"]
        total_claims: int = options["claims"]
        chunk: int = options["chunk"]
        if total_claims < 1:
            raise CommandError("--claims must be at least 1.")
        if chunk < REVIEW_EVERY or chunk % REVIEW_EVERY:
            raise CommandError(f"--chunk must be a multiple of {REVIEW_EVERY}.")
        # other connections would not see what the caller's transaction wrote (tests): then one connection
        workers = 1 if connection.in_atomic_block else max(1, options["workers"])
        self.verbosity = int(options.get("verbosity", 1))
        self.started = time.perf_counter()
        rules = _rules()
        with pghistory.context(command="generate_claims"), transaction.atomic():
            admin = self._admin_user()
            facilities = self._facilities(today)
        todo = [
            (lo, min(lo + chunk - 1, total_claims))
            for lo in range(1, total_claims + 1, chunk)
            if not _written_before(seed, lo, min(lo + chunk - 1, total_claims))
        ]
        skipped = total_claims - sum(hi - lo + 1 for lo, hi in todo)
        setup = Setup(seed=seed, today=today, facilities=facilities, rules=rules, admin=admin, total=total_claims)
        self.total = Written()
        self.lock = threading.Lock()
        if workers == 1 or len(todo) <= 1:
            params = self._work(setup, iter(todo))
        else:
            params = self._work_in_threads(setup, todo, min(workers, len(todo)))
        with pghistory.context(command="generate_claims"):
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE claim_claim, claim_claimitem, claim_claimservice, claim_claimflag, claim_claimbooking"
                )
            self._refresh_figures(params, rules, today)
        total = self.total
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {total.claims:,} claims ({skipped:,} already there), {total.items:,} claimed items, "
                f"{total.services:,} claimed services, {total.flags:,} flags and {total.bookings:,} bookings "
                f"in {time.perf_counter() - self.started:.1f} s."
            )
        )

    def _work(self, setup: "Setup", chunks: Iterator[tuple[int, int]]) -> dict[str, Any]:
        """Writes chunks taken from `chunks` on this thread's connection (its own session tables) until none is left."""
        with pghistory.context(command="generate_claims"):
            params = self._session_tables(setup.seed, setup.today, setup.facilities, setup.rules)
            params.update({"admin": setup.admin, "total": setup.total})
            while True:
                with self.lock:
                    lo, hi = next(chunks, (0, 0))
                if not lo:
                    return params
                written = self._write_chunk({**params, "lo": lo, "hi": hi})
                with self.lock:
                    self.total.add(written)
                    t = self.total
                    self.stdout.write(
                        f"claims {lo:,}-{hi:,}: {t.claims:,} written, {t.items:,} items, {t.services:,} services, "
                        f"{t.flags:,} flags ({time.perf_counter() - self.started:.0f} s)"
                    )

    def _work_in_threads(self, setup: "Setup", todo: list[tuple[int, int]], workers: int) -> dict[str, Any]:
        chunks = iter(todo)
        results: list[dict[str, Any]] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                results.append(self._work(setup, chunks))
            except BaseException as exc:  # noqa: BLE001 - re-raised by the main thread below
                errors.append(exc)
                with self.lock:  # the other workers stop after their current chunk
                    for _rest in chunks:
                        pass
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, name=f"generate_claims-{n}") for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        return {**results[0], "seed": setup.seed}

    # --- set-up: the generator's user, facilities and price lists (a few rows, through the ORM) ----------------------

    def _admin_user(self) -> int:
        from openimis.accounts.models import User

        user, _created = User.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={
                "first_name": "Claim",
                "last_name": "generator",
                "is_active": False,
                "password": make_password(None),
            },
        )
        return user.pk

    def _facilities(self, today: date) -> list[int]:
        """Four facilities per active district (created when missing) with the generated price lists of their level."""
        from location.models import HealthFacility, Location, LocationType
        from medical.models import FacilityPriceLists, ItemPriceList, ServicePriceList

        districts = list(Location.objects.filter(type=LocationType.DISTRICT, is_active=True).order_by("code"))
        if not districts:
            raise CommandError("There is no active district.")
        if max(d.pk for d in districts) > 99999:
            raise CommandError("District ids above 99,999 do not fit the generated facility codes.")
        wanted = {
            f"G{d.pk:05d}{number}": (d, level, care_type, f"{d.name.removesuffix(' District')} {name}"[:100])
            for d in districts
            for number, level, care_type, name in FACILITIES
        }
        existing = set(HealthFacility.objects.filter(code__in=wanted).values_list("code", flat=True))
        HealthFacility.objects.bulk_create(
            HealthFacility(code=code, name=name, legal_form="G", level=level, district=district, care_type=care_type)
            for code, (district, level, care_type, name) in wanted.items()
            if code not in existing
        )
        facilities = list(HealthFacility.objects.filter(code__in=wanted))
        lists: dict[str, tuple[int, int]] = {}
        for level, name in LEVEL_NAMES.items():
            common = {"location": None, "date_from": date(today.year - 2, 1, 1), "is_active": True}
            items, _c = ItemPriceList.objects.get_or_create(name=f"Generated claims: items, {name}", defaults=common)
            services, _c = ServicePriceList.objects.get_or_create(
                name=f"Generated claims: services, {name}", defaults=common
            )
            lists[level] = (items.pk, services.pk)
            with connection.cursor() as cursor:  # every item and service some product covers, at the register's price
                cursor.execute(
                    """
                    INSERT INTO medical_itempricelistentry (price_list_id, item_id, price_override)
                    SELECT %s, i.id, NULL FROM medical_item i
                     WHERE i.is_active AND EXISTS (SELECT 1 FROM policy_productitem p WHERE p.item_id = i.id)
                    ON CONFLICT (price_list_id, item_id) DO NOTHING
                    """,
                    [items.pk],
                )
                cursor.execute(
                    """
                    INSERT INTO medical_servicepricelistentry (price_list_id, service_id, price_override)
                    SELECT %s, s.id, NULL FROM medical_service s
                     WHERE s.is_active AND EXISTS (SELECT 1 FROM policy_productservice p WHERE p.service_id = s.id)
                    ON CONFLICT (price_list_id, service_id) DO NOTHING
                    """,
                    [services.pk],
                )
        assigned = set(FacilityPriceLists.objects.filter(facility__in=facilities).values_list("facility_id", flat=True))
        FacilityPriceLists.objects.bulk_create(
            FacilityPriceLists(
                facility=f, items_price_list_id=lists[f.level][0], services_price_list_id=lists[f.level][1]
            )
            for f in facilities
            if f.pk not in assigned
        )
        return [f.pk for f in facilities]

    # --- session tables: facilities, covers, lines, diagnoses --------------------------------------------------------

    def _session_tables(
        self, seed: int, today: date, facilities: list[int], rules: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        from policy.models import PolicyStatus

        implausible = rules[FlagCode.IMPLAUSIBLE]
        categories: dict[str, list[str]] = implausible.get("categories") or {}
        watched = sorted(categories) if implausible.get("enabled") else []
        prefixes = sorted({p.upper() for c in watched for p in categories[c]})
        with connection.cursor() as cursor:
            for sql in _FUNCTIONS:
                cursor.execute(sql)
            cursor.execute(_FACILITY_TABLE, {"ids": facilities})
            cursor.execute("SELECT array_agg(id ORDER BY id) FROM policy_product")
            products = cursor.fetchone()[0] or []
            cursor.execute(_LISTS, {"seed": seed, "products": products, "watched": watched or ["-"]})
            cursor.execute(_COVERING_PRODUCTS)
            covering = [row[0] for row in cursor.fetchall()]
            if not covering:
                raise CommandError(
                    "No product covers items and services for every patient: load the medical registers, then run "
                    "generate_policies (it covers the first items and services of the register)."
                )
            cursor.execute(_DIAGNOSES, {"pregnancy": [f"{p}%" for p in prefixes] or ["-"], "common": list(COMMON_ICD)})
            cursor.execute("SELECT count(*) FILTER (WHERE list = 'P'), count(*) FILTER (WHERE list = 'C') FROM gc_icd")
            n_pregnancy, n_common = cursor.fetchone()
            if not n_common:
                raise CommandError("There is no active diagnosis: load the medical registers first.")
            cursor.execute(
                _WINDOW_TABLE,
                {
                    "first": today - timedelta(days=365),
                    "last": today - timedelta(days=1),
                    "covering": [PolicyStatus.ACTIVE.value, PolicyStatus.EXPIRED.value],
                    "products": covering,
                },
            )
            cursor.execute("SELECT coalesce(sum(w), 0), count(*) FROM gc_window")
            weight, covers = cursor.fetchone()
        if not covers:
            raise CommandError("Nobody was covered in the year before --today: run generate_policies first.")
        thresholds = flag_thresholds(rules)
        frequent, two, late = rules[FlagCode.FREQUENT], rules[FlagCode.TWO_FACILITIES], rules[FlagCode.LATE_ENTRY]
        percent = float(getattr(settings, "CLAIM_REVIEW_RANDOM_PERCENT", 0) or 0) or RANDOM_PERCENT
        return {
            "seed": seed,
            "today": today,
            "weight": int(weight),
            "every": REVIEW_EVERY,
            "stay": STAY_SHARE,
            "second_late": SECOND_LATE_SHARE,
            "rejected_under": REJECTED_UNDER,
            "entered_under": ENTERED_UNDER,
            "waiting_under": WAITING_UNDER,
            "t_above": thresholds[FlagCode.ABOVE_NORM],
            "t_two": thresholds[FlagCode.TWO_FACILITIES],
            "t_freq": thresholds[FlagCode.FREQUENT],
            "t_impl": thresholds[FlagCode.IMPLAUSIBLE],
            "t_late": thresholds[FlagCode.LATE_ENTRY],
            "fr_claims": max(2, int(frequent["claims"])),
            "fr_days": max(2, int(frequent["days"])),
            "tf_days": max(0, int(two["days"])),
            "late_limit": int(late["days"]),
            "late_on": bool(late.get("enabled")),
            "above_on": bool(rules[FlagCode.ABOVE_NORM].get("enabled")),
            "implausible_on": bool(implausible.get("enabled")),
            "percent": percent,
            "watched": watched or ["-"],
            "expected": ", ".join(prefixes),
            "common_icd": n_common > 0,
            "pregnancy_icd": n_pregnancy > 0,
            "n_common": n_common,
            "n_pregnancy": n_pregnancy,
            "category_reasons": json.dumps(CATEGORY_REASONS),
            "line_reasons": list(LINE_REASONS),
            "n_line_reasons": len(LINE_REASONS),
            "passed": LineStatus.PASSED.value,
            "rejected_line": LineStatus.REJECTED.value,
            "rejected": ClaimStatus.REJECTED.value,
            "entered": ClaimStatus.ENTERED.value,
            "checked": ClaimStatus.CHECKED.value,
            "processed": ClaimStatus.PROCESSED.value,
            "valuated": ClaimStatus.VALUATED.value,
            "idle": ReviewStatus.IDLE.value,
            "selected": ReviewStatus.SELECTED.value,
            "not_selected": ReviewStatus.NOT_SELECTED.value,
        }

    # --- one transaction of claims ---------------------------------------------------------------------------------

    @transaction.atomic
    def _write_chunk(self, params: dict[str, Any]) -> Written:
        with connection.cursor() as cursor:
            run = _Steps(cursor, params, self.stdout if self.verbosity >= 2 else None)
            # foreign keys checked per statement: pending deferred checks slow every later trigger (generate_policies)
            run("SET CONSTRAINTS ALL IMMEDIATE")
            # the statements are large expressions over a few thousand rows: compiling them (JIT) costs seconds
            run("SET LOCAL jit = off")
            # inside an outer transaction (tests) the previous chunk's tables were not dropped by a commit
            run("DROP TABLE IF EXISTS pg_temp.gc_plan, pg_temp.gc_line")
            run(_PLAN_SQL, "plan")
            run("CREATE UNIQUE INDEX ON gc_plan (k); ANALYZE gc_plan")
            run(_LINES_SQL, "lines")
            run("ANALYZE gc_line")
            run(_OUTCOME_SQL, "outcome")
            run(_AMOUNTS_SQL, "amounts")
            run(_CHECK_SQL)
            no_facility, no_icd, no_line, outside, unflagged = cursor.fetchone()
            if no_facility or no_icd or no_line or outside or unflagged:
                raise CommandError(
                    f"Inconsistent plan for claims {params['lo']}-{params['hi']}: {no_facility} without facility, "
                    f"{no_icd} without diagnosis, {no_line} without lines, {outside} outside the cover, "
                    f"{unflagged} waiting for review without flag."
                )
            written = Written(
                claims=run(_INSERT_CLAIMS_SQL, "insert claims"),
                items=run(_INSERT_ITEMS_SQL, "insert items"),
                services=run(_INSERT_SERVICES_SQL, "insert services"),
                flags=run(_INSERT_FLAGS_SQL, "insert flags"),
                bookings=run(_INSERT_BOOKINGS_SQL, "insert bookings"),
            )
            run.report()
        return written

    # --- figures read from the data at the end ---------------------------------------------------------------------

    def _refresh_figures(self, params: dict[str, Any], rules: dict[str, dict[str, Any]], today: date) -> None:
        used = [ClaimStatus.CHECKED.value, ClaimStatus.PROCESSED.value, ClaimStatus.VALUATED.value]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_FREQUENT_COUNTS_SQL, {**params, "used": used})
        try:
            from claim.norms import norms_refresh  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            self.stdout.write("claim.norms is not there: norms not refreshed, above-norm flags keep typical figures.")
            return
        started = time.perf_counter()
        norms = norms_refresh(today=today)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_ABOVE_NORM_SQL, params)
        self.stdout.write(f"norms_refresh: {norms:,} norms in {time.perf_counter() - started:.1f} s")
