"""Insurance numbers: format, check digit and generation, with no database access.

The scheme is configured in settings: INSUREE_NUMBER_LENGTH (digits, check digit included; default 10) and
INSUREE_NUMBER_MODULO (10: Luhn, the default; another N: the legacy variant where the last digit is the rest of
the number before it modulo N, e.g. N = 7 makes "12342" valid since 1234 % 7 = 2).
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class NumberScheme:
    length: int = 10
    modulo: int = 10

    @classmethod
    def from_settings(cls) -> "NumberScheme":
        return cls(
            length=getattr(settings, "INSUREE_NUMBER_LENGTH", 10), modulo=getattr(settings, "INSUREE_NUMBER_MODULO", 10)
        )

    def check_digit(self, body: str) -> str:
        if self.modulo == 10:
            return str(luhn_check_digit(body))
        return str(int(body) % self.modulo)

    def problem(self, number: str) -> str | None:
        """Why a typed number is not valid, or None."""
        if not number:
            return _("The insurance number is empty.")
        if not number.isdigit():
            return _("An insurance number is made of digits only.")
        if len(number) != self.length:
            return _("An insurance number has %(n)d digits.") % {"n": self.length}
        if self.check_digit(number[:-1]) != number[-1]:
            return _("The check digit is wrong: the number was probably mistyped.")
        return None

    def generate(self) -> str:
        """A random valid number (uniqueness is the database's to enforce)."""
        body = str(secrets.randbelow(9 * 10 ** (self.length - 2)) + 10 ** (self.length - 2))
        return body + self.check_digit(body)


def luhn_check_digit(body: str) -> int:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10
