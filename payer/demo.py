"""Demo payers: the Ministry of Health and a donor for the whole country, a fishermen's co-operative in the
Bahari district and the Milimani regional council. Idempotent: payers are matched by name among active ones.

Needs the demo regions and districts (location/demo.py runs first: INSTALLED_APPS order)."""

from typing import IO

from location.models import Location

from .models import Payer, PayerType

# name, type, location code (None: national), address, phone, fax, e-mail
PAYERS: list[tuple[str, str, str | None, str, str, str, str]] = [
    (
        "Ministry of Health",
        PayerType.GOVERNMENT,
        None,
        "Afya House, Uhuru Street",
        "+255 22 212 0261",
        "+255 22 213 9951",
        "contributions@moh.example.org",
    ),
    (
        "Global Health Solidarity Fund",
        PayerType.DONOR,
        None,
        "Plot 14, Ocean Road",
        "+255 22 260 4400",
        "",
        "grants@ghsf.example.org",
    ),
    (
        "Bahari Fishermen's Co-operative Society",
        PayerType.COOPERATIVE,
        "D0101",
        "Fish Market, Bandari",
        "+255 754 310 822",
        "",
        "bahari.coop@example.org",
    ),
    (
        "Milimani Regional Council",
        PayerType.LOCAL_AUTHORITY,
        "R02",
        "Council Building, Kilele",
        "+255 27 250 3017",
        "+255 27 250 3018",
        "social.welfare@milimani.example.org",
    ),
]


def load(out: IO[str], *, password: str) -> list[tuple[str, str, str]]:
    codes = {code for _n, _t, code, *_rest in PAYERS if code}
    locations = {loc.code: loc for loc in Location.objects.active().filter(code__in=codes)}
    for name, type_, code, address, phone, fax, email in PAYERS:
        values = {
            "name": name,
            "type": type_,
            "location": locations[code] if code else None,
            "address": address,
            "phone": phone,
            "fax": fax,
            "email": email,
        }
        payer = Payer.objects.filter(name__iexact=name, is_active=True).first()
        if payer is None:
            Payer.objects.create(**values)
            continue
        changed = [field for field, value in values.items() if getattr(payer, field) != value]
        if changed:  # a second run writes nothing, not even updated_at
            for field in changed:
                setattr(payer, field, values[field])
            payer.save(update_fields=[*changed, "updated_at"])
    out.write(f"Demo payers: {Payer.objects.filter(is_active=True).count()} active payers.\n")
    return []
