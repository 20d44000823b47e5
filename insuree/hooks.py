"""Apps built on families (policies) learn here that a person joined, left or changed family.

insuree cannot import the apps that depend on it, so they register a function at start-up (their AppConfig.ready):
`membership_hooks.append(fn)`. The family services call each one inside their transaction, after the change is
saved, as fn(user=..., insuree=..., old_family_id=..., new_family_id=...); a hook returns warnings for the officer
(e.g. "not covered until the top-up is paid"), which the service leaves on `insuree.membership_warnings`.
A hook that refuses raises a domain error, and the whole change is rolled back.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openimis.accounts.models import User

    from .models import Insuree

MembershipHook = Callable[..., list[str]]
membership_hooks: list[MembershipHook] = []


def membership_changed(
    *, user: "User", insuree: "Insuree", old_family_id: int | None, new_family_id: int | None
) -> list[str]:
    warnings: list[str] = []
    for hook in membership_hooks:
        warnings += hook(user=user, insuree=insuree, old_family_id=old_family_id, new_family_id=new_family_id)
    insuree.membership_warnings = warnings
    return warnings
