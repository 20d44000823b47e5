"""The signed payload printed as the QR code of a membership card.

Format: ``<insurance number>.<signature>``, e.g. ``1234567897.K5Q2M7ZX4B3D9WAE``, where the signature is the
first 16 characters (80 bits) of the RFC 4648 base32 encoding (upper case, no padding) of
HMAC-SHA256(key=settings.CARD_SIGNING_KEY, message="openimis-card:v1:" + number).

Every character of the payload is in the QR "alphanumeric" set (digits, A-Z, "."), so the code stays small, and
a USB scanner that types it into a text box produces exactly this text. The signature is compared in constant
time and case-insensitively (base32 has one letter case; a scanner with caps lock on must not make a card look
forged). A payload without a signature, or with a wrong one, is not valid; `verify` still returns the number it
claims so that the enquiry can show whose number a forged card carries.

Changing CARD_SIGNING_KEY makes every printed card read as forged: rotate it only with a reprint campaign.
"""

import base64
import hashlib
import hmac

from django.conf import settings

SEPARATOR = "."
SIGNATURE_LENGTH = 16
_CONTEXT = b"openimis-card:v1:"
_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _signature(number: str) -> str:
    key = str(settings.CARD_SIGNING_KEY).encode()
    digest = hmac.new(key, _CONTEXT + number.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:SIGNATURE_LENGTH]


def sign(number: str) -> str:
    """The QR payload for a card carrying `number`."""
    if not number or SEPARATOR in number:
        raise ValueError("an insurance number to sign is non-empty and has no separator")
    return f"{number}{SEPARATOR}{_signature(number)}"


def looks_signed(text: str) -> bool:
    """Whether the text has the shape of a card payload (a number, the separator, a base32 signature).

    A typed number has no separator and is a plain number search; anything of this shape is checked, and a
    wrong signature is reported as a forged card.
    """
    number, sep, signature = text.strip().rpartition(SEPARATOR)
    signature = signature.upper()
    return bool(sep and number and len(signature) == SIGNATURE_LENGTH and set(signature) <= _BASE32)


def verify(payload: str) -> tuple[str, bool]:
    """(the number the payload claims, whether its signature is right); an unsigned payload is not valid."""
    text = payload.strip()
    number, sep, signature = text.rpartition(SEPARATOR)
    if not sep or not number:
        return text, False
    valid = hmac.compare_digest(_signature(number).encode(), signature.upper().encode("ascii", "replace"))
    return number, valid
