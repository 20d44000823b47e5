"""Helpers the medical services share."""

from django.utils.translation import gettext as _

from openimis.accounts.models import User
from openimis.common.exceptions import PermissionDeniedError

from ..exceptions import MedicalError


def require_perm(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def raise_problems(problems: dict[str, str]) -> None:
    """Raises one error naming every field at fault (the first message as the summary)."""
    if problems:
        first = next(iter(problems.values()))
        raise MedicalError(first, fields={field: [message] for field, message in problems.items()})
