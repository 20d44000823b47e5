"""Reads for the enquiry (who is this person, is this card genuine) and for the card pages.

Every read goes through `Insuree.objects.visible_to(user)`: an officer finds only the people of the districts
granted to them, and a user with no grant finds nobody.

The enquiry box accepts, in this order of recognition:
- a card's QR payload (`insuree.signing`: typed by a USB scanner, filled in by the camera scanner, or pasted):
  the number it claims is looked up exactly and the signature is checked: authentic or forged;
- digits: an insurance number (exact, unique index); when no insuree has it, a phone number;
- text starting with "+" or made of digits, spaces and dashes: a phone number (exact, partial index);
- anything else: names (each word must match the last name or the other names, trigram index), at most 50.
An unsigned number says nothing about authenticity (`authentic` is None).
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from openimis.accounts.models import User

from . import signing
from .models import Insuree, InsureeQuerySet

NAME_LIMIT = 50
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{3,}$")


def _base(user: User) -> InsureeQuerySet:
    return Insuree.objects.visible_to(user).select_related("family__village__parent", "family__head")


def insuree_by_number(user: User, number: str) -> Insuree | None:
    return _base(user).filter(insurance_number=number.strip()).order_by().first()


def insurees_by_name(user: User, q: str) -> list[Insuree]:
    words = q.split()
    if not words:
        return []
    query = Q()
    for word in words:
        query &= Q(last_name__icontains=word) | Q(other_names__icontains=word)
    return list(_base(user).filter(query).order_by("last_name", "other_names", "pk")[:NAME_LIMIT])


def insurees_by_phone(user: User, phone: str) -> list[Insuree]:
    return list(_base(user).filter(phone=phone.strip()).order_by("last_name", "pk")[:NAME_LIMIT])


def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


@dataclass
class EnquiryResult:
    query: str
    kind: str  # "card", "number", "phone", "name" or "" (empty query)
    number: str = ""
    authentic: bool | None = None  # None: the query was not a card payload
    insurees: list[Insuree] = field(default_factory=list)

    @property
    def forged(self) -> bool:
        return self.authentic is False

    @property
    def rows(self) -> list[tuple[Insuree, int]]:
        """Each insuree with their age today (for the page)."""
        today = timezone.localdate()
        return [(insuree, age_on(insuree.dob, today)) for insuree in self.insurees]


def enquire(user: User, q: str) -> EnquiryResult:
    text = q.strip()
    if not text:
        return EnquiryResult(query="", kind="")
    if signing.looks_signed(text):
        number, valid = signing.verify(text)
        found = insuree_by_number(user, number)
        return EnquiryResult(text, "card", number=number, authentic=valid, insurees=[found] if found else [])
    if text.isdigit():
        found = insuree_by_number(user, text)
        if found is not None:
            return EnquiryResult(text, "number", number=text, insurees=[found])
        return EnquiryResult(text, "phone", insurees=insurees_by_phone(user, text))
    if _PHONE.match(text):
        return EnquiryResult(text, "phone", insurees=insurees_by_phone(user, text))
    return EnquiryResult(text, "name", insurees=insurees_by_name(user, text))


def card_insuree_by_uuid(user: User, uuid: str) -> Insuree:
    """The insuree whose card page is asked for, within the user's scope (404 otherwise)."""
    try:
        return _base(user).get(uuid=uuid)
    except (Insuree.DoesNotExist, ValueError) as exc:
        raise Http404("No such insuree") from exc


def card_prints_of(insuree: Insuree) -> list[object]:
    return list(insuree.card_prints.select_related("printed_by")[:20])
