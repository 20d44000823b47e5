"""The demo country: 2 regions, 4 districts, 12 municipalities, 40 villages, 10 health facilities, and one
user per role with their scope. Idempotent: rows are matched by code / user name."""

import random
from datetime import date
from decimal import Decimal
from typing import IO

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from openimis.accounts import roles
from openimis.accounts.models import User

from .models import HealthFacility, HealthFacilityCatchment, Location, LocationType

COUNTRY = {
    ("R01", "Ziwani"): {
        ("D0101", "Bahari"): [("W010101", "Bandari", 4), ("W010102", "Mchanga", 3), ("W010103", "Mnazi", 3)],
        ("D0102", "Pwani"): [("W010201", "Kisiwa", 4), ("W010202", "Mto Mdogo", 3), ("W010203", "Nyota", 3)],
    },
    ("R02", "Milimani"): {
        ("D0201", "Kilele"): [("W020101", "Jiweni", 4), ("W020102", "Mawingu", 3), ("W020103", "Baridi", 3)],
        ("D0202", "Msitu"): [("W020201", "Miti", 4), ("W020202", "Chemchemi", 3), ("W020203", "Korongo", 3)],
    },
}
VILLAGE_NAMES = [
    "Amani",
    "Baraka",
    "Chanzo",
    "Dimbwi",
    "Embe",
    "Fahari",
    "Gati",
    "Hekima",
    "Imara",
    "Jua",
    "Kivuko",
    "Lulu",
    "Maua",
    "Neema",
    "Ona",
    "Pembe",
    "Rafiki",
    "Saba",
    "Tumaini",
    "Upendo",
    "Vumbi",
    "Wema",
    "Yasini",
    "Zawadi",
    "Bonde",
    "Chui",
    "Dafina",
    "Furaha",
    "Giza",
    "Huruma",
    "Ilala",
    "Jabali",
    "Kilima",
    "Lango",
    "Mvua",
    "Njia",
    "Pepo",
    "Shamba",
    "Tembo",
    "Uzima",
]
# code, name, district, level, sub-level, legal form, care type
FACILITIES = [
    ("HF0101", "Bahari District Hospital", "D0101", "H", "R", "G", "B"),
    ("HF0102", "Bandari Health Centre", "D0101", "C", "I", "G", "O"),
    ("HF0103", "Mnazi Dispensary", "D0101", "D", "N", "C", "O"),
    ("HF0201", "Pwani Health Centre", "D0102", "C", "I", "D", "B"),
    ("HF0202", "Kisiwa Dispensary", "D0102", "D", "N", "P", "O"),
    ("HF0301", "Milimani Regional Hospital", "D0201", "H", "R", "G", "B"),
    ("HF0302", "Jiweni Dispensary", "D0201", "D", "N", "G", "O"),
    ("HF0401", "Msitu Health Centre", "D0202", "C", "I", "G", "B"),
    ("HF0402", "Miti Dispensary", "D0202", "D", "N", "C", "O"),
    ("HF0403", "Korongo Mission Hospital", "D0202", "H", "N", "C", "I"),
]
# user name, role, first name, last name, scope: location codes or ("HF", code)
USERS: list[tuple[str, str, str, str, list[str | tuple[str, str]]]] = [
    ("eo_bahari", roles.ENROLMENT_OFFICER, "Asha", "Mwinyi", ["D0101"]),
    ("eo_kilele", roles.ENROLMENT_OFFICER, "Baraka", "Njoroge", ["D0201"]),
    ("clerk", roles.CLERK, "Chausiku", "Omari", ["D0101", "D0102"]),
    ("receptionist", roles.RECEPTIONIST, "Daudi", "Kimaro", [("HF", "HF0101")]),
    ("claim_admin", roles.CLAIM_ADMINISTRATOR, "Eliya", "Mushi", [("HF", "HF0101")]),
    ("medical_officer", roles.MEDICAL_OFFICER, "Fatuma", "Said", ["R01", "R02"]),
    ("accountant", roles.ACCOUNTANT, "Gabrieli", "Lema", ["R01", "R02"]),
    ("manager", roles.MANAGER, "Halima", "Juma", ["R01", "R02"]),
    ("scheme_admin", roles.SCHEME_ADMINISTRATOR, "Imani", "Moshi", ["R01", "R02"]),
    ("sysadmin", roles.SYSTEM_ADMINISTRATOR, "Juma", "Bakari", ["R01", "R02"]),
]


def _location(code: str, name: str, type_: str, parent: Location | None, rng: random.Random) -> Location:
    values: dict[str, object] = {"name": name, "type": type_, "parent": parent}
    if type_ == LocationType.VILLAGE:
        male, female = rng.randint(300, 2400), rng.randint(300, 2500)
        values.update(male_population=male, female_population=female, other_population=0, families=(male + female) // 5)
    location, _created = Location.objects.update_or_create(code=code, is_active=True, defaults=values)
    location.refresh_from_db(fields=["path"])  # set by the database trigger
    return location


def _assign_catchments(facilities: dict[str, HealthFacility]) -> None:
    """Each village is served by one dispensary or health centre of its district (hospitals serve by referral)."""
    for facility in facilities.values():
        if facility.level == "H" or facility.catchments.exists():
            continue
        peers = sorted(f.code for f in facilities.values() if f.district_id == facility.district_id and f.level != "H")
        villages = Location.objects.filter(
            type=LocationType.VILLAGE, path__startswith=facility.district.path, is_active=True
        ).order_by("code")
        mine = [v for i, v in enumerate(villages) if peers[i % len(peers)] == facility.code]
        HealthFacilityCatchment.objects.bulk_create(
            HealthFacilityCatchment(facility=facility, village=v, percentage=Decimal(100)) for v in mine
        )


def load(out: IO[str], *, password: str) -> list[tuple[str, str, str]]:
    rng = random.Random(2026)
    by_code: dict[str, Location] = {}
    names = iter(VILLAGE_NAMES)
    for (r_code, r_name), districts in COUNTRY.items():
        region = by_code[r_code] = _location(r_code, r_name, LocationType.REGION, None, rng)
        for (d_code, d_name), municipalities in districts.items():
            district = by_code[d_code] = _location(d_code, d_name, LocationType.DISTRICT, region, rng)
            for w_code, w_name, n_villages in municipalities:
                municipality = by_code[w_code] = _location(w_code, w_name, LocationType.MUNICIPALITY, district, rng)
                for i in range(1, n_villages + 1):
                    v_code = f"V{w_code[1:]}{i}"
                    by_code[v_code] = _location(v_code, next(names), LocationType.VILLAGE, municipality, rng)
    facilities: dict[str, HealthFacility] = {}
    for code, name, district_code, level, sub_level, legal_form, care_type in FACILITIES:
        facility, _created = HealthFacility.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "district": by_code[district_code],
                "level": level,
                "sub_level": sub_level,
                "legal_form": legal_form,
                "care_type": care_type,
                "contract_start_date": date(2026, 1, 1),
                "contract_end_date": date(2028, 12, 31),
                "phone": f"+255 22 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            },
        )
        facilities[code] = facility
    _assign_catchments(facilities)
    roles.sync_roles()
    logins = []
    for username, role, first, last, scope in USERS:
        user, _created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=role)])
        labels = []
        for item in scope:
            if isinstance(item, tuple):
                assign_perm("location.scope_healthfacility", user, facilities[item[1]])
                labels.append(facilities[item[1]].name)
            else:
                assign_perm("location.scope_location", user, by_code[item])
                labels.append(by_code[item].name)
        logins.append((roles.role_label(role), username, ", ".join(labels)))
    out.write(
        f"Demo country: {Location.objects.count()} locations, {HealthFacility.objects.count()} health facilities.\n"
    )
    return logins
