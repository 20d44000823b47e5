"""Demo claims: five months of claims from the demo facilities of the two districts whose families are insured, made
through the claim services (enter, submit, review, process) and dated relative to today, so that the claim pages,
the review queue and the norms look alive.

1. A claim administrator for each facility that enters claims (`claim_admin` of the Bahari District Hospital comes
   from location/demo.py; the dispensaries, the health centre and the regional hospital get one here).
2. Hospital cover (HOSP-R, relative prices) sold to three families covered since the start of the history, so that
   their hospital stays are Processed (waiting for the batch valuation) rather than Valuated.
3. The history (~165 claims, from 150 to 11 days ago): consultations with common drugs and tests (malaria, respiratory
   infections, diarrhoea, hypertension, antenatal care ...), a few hospital stays, deliveries and operations, each
   entered and submitted on its claim date at the facility's price-list prices, and processed (the demo submits them
   in monthly batches per facility). A few are refused by the checks: people whose policy is not paid or has expired,
   an item outside a dispensary's price list, a delivery within the waiting period. Claims the random sample picks
   are approved by the demo medical officer.
4. `norms_refresh`, so that "far above the norm" has norms (the common items of dispensaries and hospitals).
5. Recent claims (~45): ~20 that pass and are processed at once; claims in the review queue with each flag (above the
   norm, the same service at two facilities, a frequent claimant, a delivery with a malaria diagnosis, a visit entered
   45 days late), most of them at the claim administrator's hospital; three already reviewed by the medical officer
   (one approved as it stands, one approved with a lower quantity, one rejected); and 5 claims entered at the
   claim administrator's hospital and not submitted yet.

Claim codes start with "DEMO-"; when such claims exist nothing is written again. Deterministic (seeded) for a given
set of demo families and policies. The services stamp "now": the history's timestamps (entered, submitted, reviewed,
processed) are moved back to the claim dates with plain updates, the time of entry before the submission, as the
late-entry rule reads it. Needs the demo country, catalogue, families and policies (loaded before: INSTALLED_APPS
order); skipped without them.
"""

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.utils import timezone
from guardian.shortcuts import assign_perm

from insuree.models import Family, Insuree, InsureeStatus
from location.models import FacilityStatus, HealthFacility
from medical.models import FacilityPriceLists, Item, ItemPriceListEntry, Service, ServicePriceListEntry
from openimis.accounts import roles
from openimis.accounts.models import User
from policy.demo import sell_paid
from policy.models import InsureePolicy, Policy, PolicyStatus, Product, ProductItem, ProductService

from . import entry, flags, norms, processing, review, services, submission
from .checks import add_months, age_on, patient_mask
from .models import Claim, ClaimFlag, ClaimNorm, ClaimStatus, FlagCode, ReviewStatus

SEED = 2026
PREFIX = "DEMO-"
HISTORY_DAYS = 150  # the history runs from this many days ago ...
RECENT_DAYS = 10  # ... to just before the last days, which hold the recent claims
SPACING_DAYS = 10  # a person's visits are at least this far apart (no accidental "frequent" or "two facilities")
MAX_HISTORY_VISITS = 8  # per person (consultation limits of the products are 12)
PER_DAY = [0, 1, 1, 1, 2, 2, 2]  # visits a working day, drawn (half on weekends)
FACILITY_WEIGHTS = {"D": 45, "C": 20, "H": 35}  # where people go: dispensaries first
REVIEWER = "medical_officer"
HOME_ADMIN = "claim_admin"  # location/demo.py: the claim administrator of the Bahari District Hospital
# facility code -> its claim administrator (user name, first name, last name); None: created by location/demo.py
ADMINS: dict[str, tuple[str, str, str] | None] = {
    "HF0101": None,
    "HF0102": ("ca_bandari", "Kheri", "Mbwana"),
    "HF0103": ("ca_mnazi", "Lulu", "Haji"),
    "HF0301": ("ca_milimani", "Mosi", "Ndege"),
    "HF0302": ("ca_jiweni", "Nuru", "Kweka"),
}
HOSPITAL_COVER = "HOSP-R"
HOSPITAL_COVER_FAMILIES = 3

# name | weight | who | facility levels | stay (nights) | visit type | main diagnoses | services
#     | items (an indented line continues the one above)
# A line is CODE:QUANTITY (a number, a range, or "days": the nights of the stay); ADULT/CHILD gives the line for
# adults (18 and over) and for children ("-": none); A,B takes the first that fits (price list, patient, cover).
# CONSULT is the outpatient consultation (of a child under five below five). The first service is the visit's own:
# without it the visit is not made. Other lines that do not fit the facility, the person or their cover are left out.
VISITS = """
malaria         | 20 |        | DCH |     | O | B54 B50.9               | CONSULT
    | MRDT:1 AL20:24/ALDT:6-12 PCM500:6-9/PCMSUS:1
respiratory     | 14 |        | DCH |     | O | J06.9 J02.9 J20.9 H66.9 | CONSULT
    | AMX500:15/AMXSUS:1 PCM500:6-9/PCMSUS:1
child pneumonia | 4  | under5 | DCH |     | O | J18.9                   | CONSULT
    | AMXDT:10 PCMSUS:1
diarrhoea       | 8  |        | DCH |     | O | A09 A09.0               | CONSULT
    | MTZ400:15/ZNC20:10 PCM500:6/PCMSUS:1
urinary         | 5  | adult  | DCH |     | O | N39.0                   | CONSULT LUA:1
    | NIT100:14,CTX480:10 PCM500:6-9
hypertension    | 5  | over40 | CH  |     | O | I10                     | OPD2
    | HCTZ25:30 ATN50:30
diabetes        | 3  | over40 | CH  |     | O | E11.9                   | OPD2 LRBG:1
    | MET500:60 GLB5:30
wound           | 4  |        | DCH |     | O | T14.1 S61.9             | CONSULT SUTR:1
    | LID2:1 SUTNY:1 GAUZE:1 PCM500:6/PCMSUS:1
antenatal       | 5  | woman  | DCH |     | O | Z34.9 Z34.0             | ANC1,ANCF LHB:1
    | FEFO:30
gastritis       | 3  | adult  | DCH |     | O | K29.7                   | CONSULT
    | RAN150:30
dermatitis      | 2  |        | DCH |     | O | L30.9                   | CONSULT
    | CALOT:1
scabies         | 2  |        | DCH |     | O | B86                     | CONSULT
    | BZB25:1
worms           | 3  | child  | DCH |     | O | B82.9                   | CONSULT
    | ALB400:1,MBD100:6
dental          | 2  |        | CH  |     | O | K02.9                   | DENTC TOOTH:1
    | LID2:1 AMX500:15/AMXSUS:1 PCM500:6/PCMSUS:1
conjunctivitis  | 2  |        | DCH |     | O | H10.9                   | CONSULT
    | TTC1:1
asthma          | 2  |        | CH  |     | O | J45.9                   | CONSULT NEBU:1
    | SAL4:30/SAL4:15 SALNEB:1
typhoid         | 2  | adult  | CH  |     | O | A01.0                   | CONSULT LWIDAL:1
    | CIP500:14 PCM500:6-9
anaemia         | 2  |        | DCH |     | O | D50.9                   | CONSULT LHB:1
    | FES200:30 FOL5:30
back pain       | 2  | adult  | H   |     | O | M54.5                   | SPC
    | IBU400:30 PCM500:6-9
chest           | 2  | adult  | H   |     | O | J18.9 J20.9             | SPC XRCH:1 LFBC:1
    | AMX500:15 PCM500:6-9
severe malaria  | 4  |        | H   | 2-4 | E | B50.9                   | HGEN:days/HPAED:days LFBC:1
    | ARTINJ:6/ARTINJ:3 MRDT:1 PCMIV:3 NS500:4/NS500:2 GVSET:1 CAN20:1 AL20:24/ALDT:12
pneumonia stay  | 3  |        | H   | 3-5 | O | J18.9                   | HGEN:days/HPAED:days XRCH:1
    | CRO1G:days NS1L:2/NS500:2 CAN20:1 GVSET:1 PCM500:9/PCMSUS:1
delivery        | 4  | woman  | DC  |     | O | O80                     | DELN:1
    | DLVK:1 OXY10:1 CORD:1
delivery ward   | 3  | woman  | H   | 1-2 | O | O80 O70.0               | DELN:1 HMAT:days,HGEN:days
    | DLVK:1 OXY10:1 CORD:1 MATPAD:1
caesarean       | 1  | woman  | H   | 3-4 | R | O82.9 O82.0             | CS:1 HMAT:days,HGEN:days LBGXM:1
    | CFZ1G:1 BUPSP:1 SUTVC:2 OXY10:2 NS1L:3 GVSET:1 CAN20:1
appendicitis    | 1  |        | H   | 3-4 | E | K35.8 K37               | APPX:1 HGEN:days/HPAED:days LFBC:1 USABD:1
    | CRO1G:3 MTZIV:3 PCMIV:3 NS1L:3 SUTVC:2
"""

Part = tuple[str, str] | None  # (code, quantity) for adults or children; None: no line
Token = tuple[tuple[Part, Part], ...]  # alternatives, the first that fits is taken
Line = tuple[str, str, Decimal]  # kind ("item" or "service"), code, quantity
ONE = Decimal(1)
DELIVERIES = {("service", "DELN"), ("service", "CS")}


@dataclass(frozen=True)
class _Visit:
    name: str
    weight: int
    who: str
    levels: str
    stay: tuple[int, int] | None
    visit_type: str
    diagnoses: tuple[str, ...]
    services: tuple[Token, ...]
    items: tuple[Token, ...]


def _part(text: str) -> Part:
    if text == "-":
        return None
    code, _sep, qty = text.partition(":")
    return code, qty or "1"


def _tokens(text: str) -> tuple[Token, ...]:
    tokens = []
    for word in text.split():
        alternatives = []
        for alternative in word.split(","):
            adult, _sep, child = alternative.partition("/")
            alternatives.append((_part(adult), _part(child or adult)))
        tokens.append(tuple(alternatives))
    return tuple(tokens)


def _visits() -> list[_Visit]:
    rows: list[str] = []
    for line in VISITS.strip().splitlines():
        if line[:1].isspace():
            rows[-1] += line
        else:
            rows.append(line)
    visits = []
    for line in rows:
        name, weight, who, levels, stay, visit_type, diagnoses, services_, items = (c.strip() for c in line.split("|"))
        low, _sep, high = stay.partition("-")
        visits.append(
            _Visit(
                name=name,
                weight=int(weight),
                who=who,
                levels=levels,
                stay=(int(low), int(high or low)) if stay else None,
                visit_type=visit_type,
                diagnoses=tuple(diagnoses.split()),
                services=_tokens(services_),
                items=_tokens(items),
            )
        )
    return visits


@dataclass(frozen=True)
class _Cover:
    product_id: int
    start: date  # the person's effective date
    end: date  # the person's cover expiry, within the policy's
    policy_start: date
    policy_effective: date
    stage: str


@dataclass
class _Person:
    insuree: Insuree
    district: str
    covers: list[_Cover]
    visits: list[date] = field(default_factory=list)
    given: dict[tuple[str, str], list[date]] = field(default_factory=lambda: defaultdict(list))
    reserved: bool = False  # kept for one of the recent claims' stories
    delivered: bool = False  # one delivery per woman
    ages: dict[date, int] = field(default_factory=dict)  # by day (age_on is slow-ish, asked often)

    def age(self, on: date) -> int:
        if on not in self.ages:
            self.ages[on] = age_on(self.insuree.dob, on)
        return self.ages[on]

    def covers_on(self, start: date, end: date) -> list[_Cover]:
        return [c for c in self.covers if c.start <= start and end <= c.end and c.policy_start <= end]

    def spaced(self, day: date) -> bool:
        return all(abs((day - other).days) >= SPACING_DAYS for other in self.visits)

    def is_woman(self, on: date) -> bool:
        return self.insuree.gender == "F" and 18 <= self.age(on) <= 42


@dataclass
class _Facility:
    facility: HealthFacility
    admin: User
    district: str
    listed: dict[tuple[str, str], Decimal]  # (kind, code) in its price lists -> the price there


@dataclass
class _Plan:
    facility: _Facility
    person: _Person
    start: date
    end: date | None
    claimed: date
    diagnoses: list[str]
    lines: list[Line]
    visit_type: str = "O"
    referral: HealthFacility | None = None
    explanation: str = ""
    claim: Claim | None = None
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> date:
        return self.end or self.start

    def set_qty(self, kind: str, code: str, qty: Decimal) -> None:
        self.lines = [ln for ln in self.lines if (ln[0], ln[1]) != (kind, code)] + [(kind, code, qty)]


def _first_service(visit: _Visit) -> tuple[str, str] | None:
    part = visit.services[0][0][0] if visit.services else None
    return ("service", part[0]) if part is not None else None


def _who_fits(who: str, person: _Person, on: date) -> bool:
    age = person.age(on)
    return {
        "": True,
        "adult": age >= 18,
        "child": age < 18,
        "under5": age < 5,
        "over40": age >= 40,
        "woman": person.is_woman(on),
    }[who]


def _care_fits(line_care: str, facility_care: str, *, multi_day: bool) -> bool:
    """The care-type rule of the submission checks (claim.checks, 3c)."""
    if line_care == "I":
        return multi_day and facility_care in ("I", "B")
    if line_care == "O":
        return not multi_day and facility_care in ("O", "B")
    return True


class _Planner:
    """Plans visits that pass the checks: lines in the facility's price lists, for the person's sex and age, of the
    visit's care type, not given again too soon, and paid by one of the person's covers (waiting periods over)."""

    def __init__(self, rng: random.Random, today: date, people: list[_Person], facilities: list[_Facility]) -> None:
        self.rng, self.today, self.people, self.facilities = rng, today, people, facilities
        self.visits = _visits()
        codes: dict[str, set[str]] = {"item": set(), "service": set()}
        for visit in self.visits:
            for kind, tokens in (("service", visit.services), ("item", visit.items)):
                for token in tokens:
                    for adult, child in token:
                        codes[kind] |= {p[0] for p in (adult, child) if p is not None}
        codes["service"] |= {"OPD1", "OPDU5"}
        codes["item"] |= {"CRO1G", "TRM50"}
        self.entries: dict[tuple[str, str], Any] = {
            **{("item", e.code): e for e in Item.objects.filter(is_active=True, code__in=codes["item"])},
            **{("service", e.code): e for e in Service.objects.filter(is_active=True, code__in=codes["service"])},
        }
        product_ids = {c.product_id for p in people for c in p.covers}
        self.paid_by: dict[tuple[int, str, str], Any] = {}
        for model, kind, target in ((ProductItem, "item", "item__code"), (ProductService, "service", "service__code")):
            rows = model.objects.filter(product_id__in=product_ids).values(  # type: ignore[attr-defined]
                "product_id", target, "waiting_period_adult", "waiting_period_child"
            )
            for row in rows:
                self.paid_by[(row["product_id"], kind, row[target])] = row

    def pays(self, person: _Person, kind: str, code: str, start: date, end: date) -> bool:
        adult = person.age(end) >= 18
        for cover in person.covers_on(start, end):
            line = self.paid_by.get((cover.product_id, kind, code))
            if line is None:
                continue
            waiting = line["waiting_period_adult" if adult else "waiting_period_child"]
            waits = cover.stage == "N" or cover.start > cover.policy_effective
            if waits and waiting and end < add_months(cover.start, waiting):
                continue
            return True
        return False

    def price(self, facility: _Facility, kind: str, code: str) -> Decimal:
        """The price of the facility's price list (the register's for a line not on it)."""
        listed = facility.listed.get((kind, code))
        return listed if listed is not None else self.entries[(kind, code)].price

    def covered_for(self, person: _Person, kind: str, code: str, day: date) -> bool:
        """Whether a product covering the person on `day` has a line for the item or service (waiting or not)."""
        return any((c.product_id, kind, code) in self.paid_by for c in person.covers_on(day, day))

    def fits(self, facility: _Facility, person: _Person, kind: str, code: str, start: date, end: date | None) -> bool:
        entry = self.entries.get((kind, code))
        target = end or start
        if entry is None or (kind, code) not in facility.listed:
            return False
        mask = patient_mask(person.insuree.gender, person.insuree.dob, target)
        if entry.patient_category and entry.patient_category & mask != mask:
            return False
        multi_day = end is not None and end != start
        if not _care_fits(entry.care_type, facility.facility.care_type, multi_day=multi_day):
            return False
        if entry.frequency and any(abs((target - d).days) <= entry.frequency for d in person.given[(kind, code)]):
            return False
        return self.pays(person, kind, code, start, target)

    def _resolve(
        self, token: Token, kind: str, facility: _Facility, person: _Person, start: date, end: date | None, nights: int
    ) -> Line | None:
        adult = person.age(end or start) >= 18
        for adult_part, child_part in token:
            part = adult_part if adult else child_part
            if part is None:
                return None
            code, qty_text = part
            if code == "CONSULT":
                code = "OPDU5" if person.age(start) < 5 else "OPD1"
            if not self.fits(facility, person, kind, code, start, end):
                continue
            low, _sep, high = qty_text.partition("-")
            qty = Decimal(nights if qty_text == "days" else self.rng.randint(int(low), int(high or low)))
            maximum = self.entries[(kind, code)].maximum_amount
            return kind, code, min(qty, maximum) if maximum is not None else qty
        return None

    def plan(
        self, person: _Person, facility: _Facility, day: date, *, visit: str = "", stays: bool = True
    ) -> _Plan | None:
        """A visit of the person to the facility starting on `day` (the one named, else drawn), or None."""
        level = facility.facility.level
        candidates = [
            v
            for v in self.visits
            if (v.name == visit if visit else True)
            and level in v.levels
            and (v.stay is None or (stays and facility.facility.care_type in ("I", "B")))
            and _who_fits(v.who, person, day)
            and not (person.delivered and _first_service(v) in DELIVERIES)
        ]
        # a weighted draw without replacement: the visits in a random order, the frequent ones first more often
        candidates.sort(key=lambda v: self.rng.random() ** (1 / v.weight), reverse=True)
        for candidate in candidates:
            plan = self._build(candidate, person, facility, day)
            if plan is not None:
                return plan
        return None

    def _build(self, visit: _Visit, person: _Person, facility: _Facility, day: date) -> _Plan | None:
        nights = self.rng.randint(*visit.stay) if visit.stay else 0
        end = day + timedelta(days=nights) if nights else None
        if (end or day) > self.today or not person.covers_on(day, end or day):
            return None
        lines: list[Line] = []
        for index, token in enumerate(visit.services):
            line = self._resolve(token, "service", facility, person, day, end, nights)
            if line is None and index == 0:
                return None  # the visit's own service does not fit
            if line is not None:
                lines.append(line)
        for token in visit.items:
            line = self._resolve(token, "item", facility, person, day, end, nights)
            if line is not None:
                lines.append(line)
        referral = None
        if visit.visit_type == "R":
            referral = next((f.facility for f in self.district_facilities(person.district) if f is not facility), None)
        return _Plan(
            facility=facility,
            person=person,
            start=day,
            end=end,
            claimed=min(self.today, (end or day) + timedelta(days=self.rng.choice([0, 0, 1, 1, 2]))),
            diagnoses=[self.rng.choice(visit.diagnoses)],
            lines=lines,
            visit_type=visit.visit_type if referral is not None or visit.visit_type != "R" else "O",
            referral=referral,
        )

    def manual(self, person: _Person, facility: _Facility, day: date, diagnosis: str, lines: list[Line]) -> _Plan:
        """A visit as given, whether or not it passes the checks."""
        return _Plan(facility, person, day, None, min(self.today, day + timedelta(days=1)), [diagnosis], lines)

    def keep(self, plan: _Plan) -> _Plan:
        """Books the visit on the person (spacing, frequencies)."""
        plan.person.visits.append(plan.start)
        for kind, code, _qty in plan.lines:
            plan.person.given[(kind, code)].append(plan.target)
            plan.person.delivered |= (kind, code) in DELIVERIES
        return plan

    def district_facilities(self, district: str, level: str = "") -> list[_Facility]:
        order = {"D": 0, "C": 1, "H": 2}
        found = [f for f in self.facilities if f.district == district and (not level or f.facility.level == level)]
        return sorted(found, key=lambda f: (order.get(f.facility.level, 3), f.facility.code))

    def facility_for(self, person: _Person) -> _Facility | None:
        choices = self.district_facilities(person.district)
        if not choices:
            return None
        weights = [FACILITY_WEIGHTS.get(f.facility.level, 10) for f in choices]
        return self.rng.choices(choices, weights=weights)[0]

    def person_for(self, day: date, accept: Callable[[_Person], bool] = lambda p: True) -> _Person | None:
        """Someone covered on `day`, free that day, of a district with facilities (children, women and old people
        more often)."""
        districts = {f.district for f in self.facilities}
        eligible = [
            p
            for p in self.people
            if not p.reserved and p.district in districts and p.covers_on(day, day) and p.spaced(day) and accept(p)
        ]
        if not eligible:
            return None
        weights = [3 if p.age(day) < 5 else 2 if p.is_woman(day) or p.age(day) >= 60 else 1 for p in eligible]
        return self.rng.choices(eligible, weights=weights)[0]

    def story(
        self,
        facility: _Facility | None,
        day: date,
        visits: Sequence[str],
        accept: Callable[[_Person], bool] = lambda p: True,
    ) -> _Plan | None:
        """The first person of the facility's district (in a random order) for whom one of `visits` (tried in
        order; "" for any same-day visit) can be planned on `day`; the person is reserved for the story."""
        if facility is None:
            return None
        people = [p for p in self.people if p.district == facility.district and not p.reserved and accept(p)]
        for person in self.rng.sample(people, len(people)):
            for visit in visits:
                plan = self.plan(person, facility, day, visit=visit, stays=bool(visit))
                if plan is not None:
                    person.reserved = True
                    return plan
        return None


def load(out: IO[str], *, password: str) -> list[tuple[str, str, str]]:
    today = timezone.localdate()
    reviewer = User.objects.filter(username=REVIEWER).first()
    facilities = _facilities(password)
    logins = [
        (str(roles.role_label(roles.CLAIM_ADMINISTRATOR)), f.admin.username, f.facility.name)
        for f in facilities
        if f.admin.username != HOME_ADMIN
    ]
    if _demo_claims().exists():
        _summary(out, "already loaded")
        return logins
    home = next((f for f in facilities if f.admin.username == HOME_ADMIN), None)
    if reviewer is None or home is None:
        out.write("Demo claims: skipped (the demo claim administrator or medical officer does not exist).\n")
        return logins
    districts = {f.district for f in facilities}
    sold = _sell_hospital_cover(today, districts)
    people = _people(districts)
    if not any(p.covers for p in people):
        out.write("Demo claims: skipped (nobody is insured in the demo districts).\n")
        return logins
    demo = _Demo(today, reviewer, _Planner(random.Random(SEED), today, people, facilities), home)
    demo.history()
    norms.norms_refresh(today=today)
    demo.recent()
    _feedback(reviewer, today)
    _summary(out, f"{sold} hospital covers sold" if sold else "")
    return logins


def _feedback(reviewer: User, today: date) -> None:
    """Four valuated claims of the last weeks selected for feedback by the medical officer; the enrolment officer of
    Bahari has asked the insuree of the first one already (the others wait in the feedback list)."""
    from . import feedback

    picked = list(
        _demo_claims()
        .filter(status=ClaimStatus.VALUATED, date_from__gte=today - timedelta(days=40))
        .order_by("date_from", "code")[:4]
    )
    if not picked:
        return
    feedback.claims_select_for_feedback(user=reviewer, claims=picked)
    officer = User.objects.filter(username="eo_bahari").first()
    first = picked[0]
    if (
        officer is not None
        and officer.has_perm("claim.feedback_claim")
        and Claim.objects.visible_to(officer).filter(pk=first.pk).exists()
    ):
        feedback.feedback_record(
            user=officer,
            claim=first,
            feedback_date=today,
            care_rendered=True,
            payment_asked=False,
            drug_prescribed=True,
            drug_received=True,
            assessment=4,
            comment="Seen quickly; the drugs were given at the facility.",
        )


def _facilities(password: str) -> list[_Facility]:
    """The facilities that enter demo claims, each with its claim administrator (created when missing)."""
    group = Group.objects.filter(name=roles.CLAIM_ADMINISTRATOR).first()
    if group is None:
        roles.sync_roles()
        group = Group.objects.get(name=roles.CLAIM_ADMINISTRATOR)
    found = HealthFacility.objects.filter(code__in=ADMINS, status=FacilityStatus.ACTIVE).select_related("district")
    lists = {p.facility_id: p for p in FacilityPriceLists.objects.filter(facility__in=found)}
    result = []
    for facility in sorted(found, key=lambda f: f.code):
        person = ADMINS[facility.code]
        if person is None:
            admin = User.objects.filter(username=HOME_ADMIN).first()
        else:
            admin = _admin(person, facility, group, password)
        price_lists = lists.get(facility.pk)
        if admin is None or price_lists is None:
            continue
        items = ItemPriceListEntry.objects.filter(price_list_id=price_lists.items_price_list_id).values_list(
            "item__code", "price_override", "item__price"
        )
        services_ = ServicePriceListEntry.objects.filter(price_list_id=price_lists.services_price_list_id).values_list(
            "service__code", "price_override", "service__price"
        )
        listed = {("item", code): price if override is None else override for code, override, price in items}
        listed |= {("service", code): price if override is None else override for code, override, price in services_}
        result.append(_Facility(facility, admin, facility.district.code, listed))
    return result


def _admin(person: tuple[str, str, str], facility: HealthFacility, group: Group, password: str) -> User:
    username, first, last = person
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.set([group])
    assign_perm("location.scope_healthfacility", user, facility)
    return user


def _sell_hospital_cover(today: date, districts: set[str]) -> int:
    """HOSP-R for a few families covered (on another product) since before the history starts: sold about seven
    months ago by their enrolment officer and paid, so it starts on the product's next cycle."""
    product = Product.objects.filter(code=HOSPITAL_COVER).first()
    if product is None:
        return 0
    officers = list(User.objects.filter(username__in=["eo_bahari", "eo_kilele"]).order_by("username"))
    covered_since = today - timedelta(days=HISTORY_DAYS)
    families = (
        Policy.objects.filter(
            status=PolicyStatus.ACTIVE,
            effective_date__lte=covered_since,
            family__village__parent__parent__code__in=districts,
        )
        .exclude(family__policies__product=product)
        .select_related("family")
        .order_by("family__head__insurance_number")
    )
    sold, seen = 0, set()
    day = max(product.date_from, today - timedelta(days=210))
    for policy in families:
        family = policy.family
        if sold >= HOSPITAL_COVER_FAMILIES:
            break
        officer = next((o for o in officers if Family.objects.visible_to(o).filter(pk=family.pk).exists()), None)
        if officer is None or family.pk in seen:
            continue
        seen.add(family.pk)
        sell_paid(officer, family, product, day, receipt=f"{PREFIX}H{family.pk:05d}")
        sold += 1
    return sold


def _people(districts: set[str]) -> list[_Person]:
    """The people of the districts, with their covers (policies Active or Expired, effective); people without a cover
    too (no covers), for the claims the checks refuse."""
    people: dict[int, _Person] = {}
    insurees = Insuree.objects.filter(
        status=InsureeStatus.ACTIVE, family__village__parent__parent__code__in=districts
    ).select_related("family__village__parent__parent")
    for insuree in insurees.order_by("insurance_number"):
        village = insuree.family.village if insuree.family is not None else None
        district = village.parent.parent if village is not None and village.parent is not None else None
        if district is not None:
            people[insuree.pk] = _Person(insuree, district.code, [])
    rows = InsureePolicy.objects.filter(
        insuree_id__in=people,
        effective_date__isnull=False,
        policy__status__in=(PolicyStatus.ACTIVE, PolicyStatus.EXPIRED),
    ).select_related("policy")
    for ip in rows.order_by("insuree_id", "effective_date", "pk"):
        assert ip.effective_date is not None
        policy = ip.policy
        people[ip.insuree_id].covers.append(
            _Cover(
                product_id=policy.product_id,
                start=ip.effective_date,
                end=min(ip.expiry_date, policy.expiry_date),
                policy_start=policy.start_date,
                policy_effective=policy.effective_date or ip.effective_date,
                stage=policy.stage,
            )
        )
    return list(people.values())


class _Demo:
    def __init__(self, today: date, reviewer: User, planner: _Planner, home: _Facility) -> None:
        self.today, self.reviewer, self.planner, self.home = today, reviewer, planner, home
        self.rng = planner.rng
        self.clock = random.Random(SEED + 1)  # times of day, apart from the draws of the visits
        self.numbers: Counter[str] = Counter()
        self.now = timezone.now()
        others = [f for f in planner.facilities if f.district != home.district]
        # the other district's hospital, and each district's dispensary
        self.other = next((f for f in others if f.facility.level == "H"), None)
        self.home_dispensary = next(iter(planner.district_facilities(home.district, "D")), None)
        self.other_dispensary = (
            next(iter(planner.district_facilities(self.other.district, "D")), None) if self.other else None
        )
        self.stories: dict[str, _Plan | None] = {}

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    # --- history -----------------------------------------------------------------------------------------------

    def history(self) -> None:
        self._reserve_stories()
        plans = self._hospital_stays() + self._refused()
        for offset in range(HISTORY_DAYS, RECENT_DAYS, -1):
            day = self.day(offset)
            count = self.rng.choice(PER_DAY)
            for _n in range(count // 2 if day.weekday() >= 5 else count):
                person = self.planner.person_for(day, lambda p: len(p.visits) < MAX_HISTORY_VISITS)
                facility = self.planner.facility_for(person) if person is not None else None
                plan = self.planner.plan(person, facility, day) if person and facility else None
                if plan is not None:
                    plans.append(self.planner.keep(plan))
        months: dict[date, list[_Plan]] = defaultdict(list)  # facilities submit their claims monthly
        for plan in sorted(plans, key=lambda p: (p.start, p.facility.facility.code)):
            months[plan.claimed.replace(day=1)].append(plan)
        for month in sorted(months):
            self.run(months[month], approve_selected=True)

    def _reserve_stories(self) -> None:
        """People of the recent claims' stories, kept out of the history (their claims are the story)."""
        p = self.planner
        late, frequent = self.day(45), self.day(27)
        self.stories = {
            "implausible": p.story(self.home, self.day(3), ["delivery ward"])
            or p.story(self.home, self.day(3), ["antenatal"]),
            "late": p.story(self.home, late, [""]),
            "frequent": p.story(self.home, frequent, [""], lambda x: bool(x.covers_on(frequent, self.today))),
            "two facilities": p.story(self.home_dispensary, self.day(5), ["malaria"], self._covered_until_today),
            "above norm home": p.story(self.home, self.day(2), ["malaria"], self._adult_until_today),
            "above norm": p.story(self.other_dispensary, self.day(3), ["malaria"], self._adult_until_today),
            "two facilities other": p.story(self.other_dispensary, self.day(8), ["malaria"], self._covered_until_today),
            "late other": p.story(self.other, self.day(40), ["chest"]),
            "antenatal malaria": p.story(self.other_dispensary, self.day(4), ["antenatal"]),
        }

    def _covered_until_today(self, person: _Person) -> bool:
        return bool(person.covers_on(self.day(10), self.today))

    def _adult_until_today(self, person: _Person) -> bool:
        return self._covered_until_today(person) and person.age(self.today) >= 18

    def _refused(self) -> list[_Plan]:
        """Claims the checks refuse, wholly or in part."""
        return self._no_cover() + self._outside_price_list() + self._within_waiting_period()

    def _no_cover(self) -> list[_Plan]:
        """A person (of each district) whose family's policy is not paid, and one whose policy expired and is not
        renewed yet: the claim is refused (no cover on the visit dates)."""
        p, plans = self.planner, list[_Plan]()
        districts = {f.district for f in p.facilities}
        people = [x.insuree.pk for x in p.people if not x.covers]
        unpaid = set(
            InsureePolicy.objects.filter(insuree_id__in=people, effective_date__isnull=True).values_list(
                "insuree_id", flat=True
            )
        )
        first_of_district: dict[str, _Person] = {}
        for x in p.people:
            if not x.covers and x.insuree.pk in unpaid and x.district in districts:
                first_of_district.setdefault(x.district, x)
        for person in first_of_district.values():
            facility = p.district_facilities(person.district)[0]
            lines: list[Line] = [("service", "OPD1", ONE), ("item", "MRDT", ONE), ("item", "PCM500", Decimal(6))]
            plans.append(p.keep(p.manual(person, facility, self.day(20 + 7 * len(plans)), "B54", lines)))
        for person in p.people:
            gap = next(
                (
                    c.end + timedelta(days=4)
                    for c in person.covers
                    if self.day(HISTORY_DAYS - 5) <= c.end <= self.day(RECENT_DAYS + 8)
                    and not person.covers_on(c.end + timedelta(days=4), c.end + timedelta(days=4))
                ),
                None,
            )
            if gap is not None and not person.reserved and person.district in districts:
                facility = p.district_facilities(person.district)[0]
                lines = [("service", "OPD1", ONE), ("item", "AMX500", Decimal(15))]
                plans.append(p.keep(p.manual(person, facility, gap, "J06.9", lines)))
                break
        return plans

    def _outside_price_list(self) -> list[_Plan]:
        """Ceftriaxone at a dispensary (not on its price list: that line refused, the rest passes), and a claim of
        tramadol only at another (every line refused, and the claim)."""
        p, plans = self.planner, list[_Plan]()
        dispensaries = [f for f in p.facilities if f.facility.level == "D"]
        for n, facility in enumerate(dispensaries[:2]):
            day = self.day(HISTORY_DAYS - 20 - 30 * n)

            def adult_of(person: _Person, facility: _Facility = facility, day: date = day) -> bool:
                return person.district == facility.district and person.age(day) >= 18

            person = p.person_for(day, adult_of)
            if person is None:
                continue
            if n == 0:
                plan = p.plan(person, facility, day, visit="respiratory") or p.manual(
                    person, facility, day, "J06.9", [("service", "OPD1", ONE)]
                )
                plan.set_qty("item", "CRO1G", Decimal(2))
            else:
                plan = p.manual(person, facility, day, "M54.5", [("item", "TRM50", Decimal(10))])
            plans.append(p.keep(plan))
        return plans

    def _within_waiting_period(self) -> list[_Plan]:
        """A delivery at a dispensary within the waiting period of a new policy: the delivery refused, the kit and
        drugs paid."""
        p = self.planner
        for offset in (60, 90, 120):
            day = self.day(offset)

            def waiting(person: _Person, day: date = day) -> bool:
                return (
                    person.is_woman(day)
                    and not person.delivered
                    and p.covered_for(person, "service", "DELN", day)
                    and not p.pays(person, "service", "DELN", day, day)
                )

            woman = p.person_for(day, waiting)
            dispensary = next(iter(p.district_facilities(woman.district, "D")), None) if woman else None
            if woman is not None and dispensary is not None:
                lines = [("service", "DELN", ONE)] + [("item", code, ONE) for code in ("DLVK", "OXY10", "CORD")]
                woman.reserved = True
                return [p.keep(p.manual(woman, dispensary, day, "O80", lines))]
        return []

    def _hospital_stays(self) -> list[_Plan]:
        """Stays of people with the hospital cover (relative prices: Processed, waiting for the batch valuation)."""
        p, plans = self.planner, list[_Plan]()
        hospital_cover = set(Product.objects.filter(code=HOSPITAL_COVER).values_list("pk", flat=True))
        insured = [x for x in p.people if not x.reserved and any(c.product_id in hospital_cover for c in x.covers)]
        # women first (a caesarean), then other adults
        insured.sort(key=lambda x: (not x.is_woman(self.today), x.age(self.today) < 18, x.insuree.insurance_number))
        for n, person in enumerate(insured[:5]):
            hospital = next(iter(p.district_facilities(person.district, "H")), None)
            start = max([self.day(HISTORY_DAYS)] + [c.start for c in person.covers if c.product_id in hospital_cover])
            span = (self.day(RECENT_DAYS + 5) - start).days
            if hospital is None or span < 0:
                continue
            day = start + timedelta(days=(span * (2 * n + 1)) // 10)
            visits = ["caesarean", "pneumonia stay", "severe malaria", "appendicitis", "delivery ward"]
            visits = visits[:1] + visits[1 + n % 4 :] + visits[1 : 1 + n % 4]  # a different stay for each
            for visit in visits if person.spaced(day) else []:
                plan = p.plan(person, hospital, day, visit=visit)
                if plan is not None:
                    plans.append(p.keep(plan))
                    break
        return plans

    # --- recent claims -----------------------------------------------------------------------------------------

    def recent(self) -> None:
        p, stories = self.planner, self.stories
        first: list[_Plan] = []
        # a frequent claimant: five visits in four weeks, passed; the sixth goes to the reviewer
        frequent = stories["frequent"]
        sixth = None
        if frequent is not None:
            earlier = [p.keep(frequent)]
            needed = int((flags.rule(FlagCode.FREQUENT) or {}).get("claims", 6))
            for offset in (22, 17, 12, 7, 5, 3, 2, 1):
                plan = p.plan(frequent.person, frequent.facility, self.day(offset), stays=False)
                if plan is None:
                    continue
                if len(earlier) < needed - 1:
                    earlier.append(p.keep(plan))
                else:
                    sixth = p.keep(plan)
                    break
            first += earlier
        # the same consultation at two facilities, a day apart: the first visit passes
        seconds = []
        for name, second_facility in (("two facilities", self.home), ("two facilities other", self.other)):
            plan = stories[name]
            if plan is None or second_facility is None:
                continue
            first.append(p.keep(plan))
            again = p.plan(plan.person, second_facility, plan.start + timedelta(days=1), visit="malaria")
            if again is not None:
                seconds.append((name, p.keep(again)))
        # claims that pass, processed at once
        for _n in range(22):
            day = self.day(self.rng.randint(1, RECENT_DAYS))
            person = p.person_for(day)
            facility = p.facility_for(person) if person is not None else None
            plan = p.plan(person, facility, day) if person and facility else None
            if plan is not None:
                first.append(p.keep(plan))
        self.run(first)

        queued = [plan for _name, plan in seconds]
        if sixth is not None:
            queued.append(sixth)
        implausible = stories["implausible"]
        if implausible is not None:
            implausible.diagnoses = ["B50.9"]  # a delivery (or antenatal visit) entered with malaria as its diagnosis
            queued.append(p.keep(implausible))
        for name in ("late", "late other"):
            plan = stories[name]
            if plan is not None:
                plan.claimed = self.today  # entered today, weeks after the visit
                plan.explanation = "Paper claim found in the ward register at the monthly reconciliation."
                if name == "late other":
                    plan.set_qty("item", "AMX500", Decimal(30))
                queued.append(p.keep(plan))
        for name in ("above norm home", "above norm"):
            plan = stories[name]
            line = self._far_above_norm(plan) if plan is not None else None
            if plan is not None and line is not None:
                plan.set_qty(*line)
                queued.append(p.keep(plan))
        antenatal = stories["antenatal malaria"]
        if antenatal is not None:
            antenatal.diagnoses = ["B54", "Z34.9"]
            queued.append(p.keep(antenatal))
        self.run(queued)
        self._review(dict(seconds).get("two facilities other"), stories["late other"], antenatal)
        self._entered()

    def _far_above_norm(self, plan: _Plan) -> tuple[str, str, Decimal] | None:
        """An item of the visit (else another) five times its norm at facilities of this level, within the item's
        maximum and at least the rule's factor."""
        conf = flags.rule(FlagCode.ABOVE_NORM)
        if conf is None:
            return None
        factor = Decimal(str(conf["factor"]))
        wanted = ClaimNorm.objects.filter(
            kind="I", level=plan.facility.facility.level, samples__gte=int(conf["min_samples"])
        ).order_by("-samples", "target_id")
        items = {e.pk: e for (kind, _code), e in self.planner.entries.items() if kind == "item"}
        on_claim = {code for kind, code, _qty in plan.lines if kind == "item"}
        for norm in sorted(
            wanted, key=lambda n: 0 if n.target_id in items and items[n.target_id].code in on_claim else 1
        ):
            item = items.get(norm.target_id)
            if item is None or not self.planner.fits(plan.facility, plan.person, "item", item.code, plan.start, None):
                continue
            qty = Decimal(math.ceil(norm.avg_qty * 5))
            if item.maximum_amount is not None:
                qty = min(qty, item.maximum_amount)
            if qty >= factor * norm.avg_qty:
                return "item", item.code, qty
        return None

    def _review(self, rejected: _Plan | None, lowered: _Plan | None, approved: _Plan | None) -> None:
        """The medical officer's work of the last days: one rejected, one approved with less, one approved."""
        done = []
        if rejected is not None and rejected.claim is not None and self._waiting(rejected.claim):
            review.claim_reject(
                user=self.reviewer,
                claim=rejected.claim,
                justification="Seen the day before at the dispensary for the same fever; that consultation is paid.",
            )
            done.append(rejected.claim)
        if lowered is not None and lowered.claim is not None and self._waiting(lowered.claim):
            review.claim_review(
                user=self.reviewer,
                claim=lowered.claim,
                lines=[
                    review.LineDecision(
                        kind="item", code="AMX500", qty_approved=15, justification="A five-day course is 15 capsules."
                    )
                ],
                adjustment="Amoxicillin reduced to a five-day course.",
                approve=True,
            )
            done.append(lowered.claim)
        if approved is not None and approved.claim is not None and self._waiting(approved.claim):
            review.claim_review(
                user=self.reviewer,
                claim=approved.claim,
                adjustment="Malaria in pregnancy treated at the antenatal visit: approved.",
                approve=True,
            )
            done.append(approved.claim)
        processing.claims_process_passed(claim_ids=[c.pk for c in done])
        self._stamp(done)

    def _waiting(self, claim: Claim) -> bool:
        claim.refresh_from_db(fields=["status", "review_status"])
        return claim.status == ClaimStatus.CHECKED and claim.review_status == ReviewStatus.SELECTED

    def _entered(self) -> None:
        """Claims entered at the claim administrator's hospital, not submitted yet."""
        made = 0
        for offset in (2, 1, 1, 0, 0, 0, 2, 1):
            day = self.day(offset)
            person = self.planner.person_for(day, lambda x: x.district == self.home.district)
            plan = self.planner.plan(person, self.home, day, stays=False) if person is not None else None
            if plan is not None:
                plan.claimed = self.today
                self._enter([self.planner.keep(plan)])
                made += 1
            if made == 5:
                break

    # --- entering, submitting, processing ----------------------------------------------------------------------

    def run(self, plans: list[_Plan], *, approve_selected: bool = False) -> list[Claim]:
        """Enters the claims, submits them (per facility, by its administrator) and processes those that pass;
        with `approve_selected`, the medical officer approves those selected for review first (the history)."""
        claims = self._enter(plans)
        by_facility: dict[int, list[_Plan]] = defaultdict(list)
        for plan in plans:
            by_facility[plan.facility.facility.pk].append(plan)
        for group in by_facility.values():
            submission.claims_submit(user=group[0].facility.admin, claims=[p.claim for p in group if p.claim])
        if approve_selected:
            selected = Claim.objects.filter(
                pk__in=[c.pk for c in claims], status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED
            )
            if selected:
                review.claims_approve(user=self.reviewer, claims=list(selected))
        processing.claims_process_passed(claim_ids=[c.pk for c in claims])
        self._stamp(claims)
        return claims

    def _enter(self, plans: list[_Plan]) -> list[Claim]:
        """Enters the claims, a batch per facility (`claims_enter`); a referral one by one (`claim_create`: the
        batch has no referral facility). Each is entered on its claim date."""
        by_facility: dict[int, list[_Plan]] = defaultdict(list)
        for plan in plans:
            facility = plan.facility.facility
            self.numbers[facility.code] += 1
            code = f"{PREFIX}{facility.code}-{self.numbers[facility.code]:04d}"
            body = _body(plan, code, self.planner.price)
            if plan.referral is None:
                by_facility[facility.pk].append(plan)
                plan.body = body
                continue
            body.pop("facility")
            plan.claim = services.claim_create(
                user=plan.facility.admin, facility=facility, referral_facility=plan.referral, **body
            )
        for group in by_facility.values():
            entered = entry.claims_enter(user=group[0].facility.admin, bodies=[p.body for p in group])
            for plan, claim in zip(group, entered, strict=True):
                plan.claim = claim
        claims = []
        for plan in plans:
            assert plan.claim is not None
            plan.claim.created_at = self._time(plan.claimed)
            claims.append(plan.claim)
        Claim.objects.bulk_update(claims, ["created_at"])
        return claims

    def _time(self, day: date, after: datetime | None = None, minutes: tuple[int, int] = (0, 480)) -> datetime:
        start = after or timezone.make_aware(datetime.combine(day, time(8)))
        return min(self.now, start + timedelta(minutes=self.clock.randint(*minutes)))

    def _stamp(self, claims: list[Claim]) -> None:
        """Submitted a few hours after entry, reviewed the next day, processed minutes later (never after now)."""
        fresh = list(Claim.objects.filter(pk__in=[c.pk for c in claims]))
        for claim in fresh:
            entered = claim.created_at
            moments = [entered]
            if claim.submitted_at is not None:
                claim.submitted_at = self._time(entered.date(), entered, (30, 240))
                moments.append(claim.submitted_at)
            if claim.reviewed_at is not None:
                claim.reviewed_at = self._time(entered.date(), moments[-1], (18 * 60, 30 * 60))
                moments.append(claim.reviewed_at)
            if claim.processed_at is not None:
                claim.processed_at = self._time(entered.date(), moments[-1], (2, 20))
                moments.append(claim.processed_at)
            claim.updated_at = max(moments)
            if claim.submitted_at is not None and claim.review_status != ReviewStatus.NOT_SELECTED:
                ClaimFlag.objects.filter(claim=claim).update(created_at=claim.submitted_at)
        Claim.objects.bulk_update(fresh, ["submitted_at", "reviewed_at", "processed_at", "updated_at"])


def _body(plan: _Plan, code: str, price: Callable[[_Facility, str, str], Decimal]) -> dict[str, Any]:
    """The claim as `claim.entry.claims_enter` takes it, each line at the facility's price."""
    lines = {
        kind: [{"code": c, "qty": q, "price": price(plan.facility, kind, c)} for k, c, q in plan.lines if k == kind]
        for kind in ("item", "service")
    }
    return {
        "facility": plan.facility.facility.code,
        "insurance_number": plan.person.insuree.insurance_number,
        "code": code,
        "date_from": plan.start,
        "date_to": plan.end,
        "date_claimed": plan.claimed,
        "visit_type": plan.visit_type,
        "diagnoses": plan.diagnoses,
        "items": lines["item"],
        "services": lines["service"],
        "explanation": plan.explanation,
        "guarantee_number": "",
    }


def _demo_claims() -> QuerySet[Claim]:
    return Claim.objects.filter(facility__code__in=ADMINS, code__startswith=PREFIX)


def _summary(out: IO[str], note: str) -> None:
    demo = _demo_claims()
    statuses = Counter(demo.values_list("status", flat=True))
    by_status = ", ".join(f"{ClaimStatus(s).label} {statuses[s]}" for s in sorted(statuses, reverse=True))
    waiting = demo.filter(status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED).count()
    extra = f"; {note}" if note else ""
    out.write(f"Demo claims: {demo.count()} ({by_status}); {waiting} waiting for review{extra}.\n")
