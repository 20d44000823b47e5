"""Entering claims at a health facility (reference sec. 6.1, 6.2, 6.7).

Rules enforced here (the hard ones again by the database, see models.py). A refusal is a ClaimError naming the
field (`items.2.code`, `date_to`) and the rule, and nothing is written:
- Entering and changing a claim need `claim.add_claim` / `claim.change_claim`; the facility is one of the user's
  (scope) and the insuree, found by insurance number, is one the user sees.
- Visit dates: from <= to (to empty for a one-day visit), neither in the future; the claim date is not in the
  future either (a claim dated before its visit is accepted here and rejected at submission with reason 9).
- Diagnoses: a main diagnosis and up to four secondary ones, each an active ICD-10 code.
- Lines: at least one item or service; each given by an active code of the register, a quantity > 0 (and not
  above the register's maximum), a price asked >= 0 (when left empty, the facility's price-list price applies at
  submission); an item or service appears once per claim. The claimed amount is the sum of quantity x price.
- The claim code is unique per facility, whatever its case (constraint `claim_code_unique_per_facility`).
- A client may choose the claim's uuid: entering it again returns the claim already there (idempotent retry)
  instead of a second one, when the same facility entered it. This holds for retries arriving at the same moment
  too (50 at once give one claim, returned 50 times): the unique uuid decides, see `claim_create`.
- Only Entered claims change; changing replaces the lines.
Every function runs in one transaction.
"""

import uuid as uuid_module
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from insuree.models import Insuree
from location.models import HealthFacility
from medical.models import Diagnosis, Item, Service
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors, constraint_name
from openimis.common.exceptions import ApplicationError, PermissionDeniedError

from .attachments import forget_files_of
from .exceptions import ClaimError, ClaimStateError
from .models import Claim, ClaimItem, ClaimService, VisitType

MAX_SECONDARY_DIAGNOSES = 4
DIAGNOSIS_FIELDS = ("icd", "icd_1", "icd_2", "icd_3", "icd_4")


def constraint_messages() -> ConstraintMessages:
    return {
        "claim_code_unique_per_facility": ("code", _("This facility already has a claim with this code.")),
        "claim_code_not_blank": ("code", _("This field is required.")),
        "claim_visit_dates": ("date_to", _("The end of the visit cannot be before its start.")),
        "claimitem_unique": ("items", _("An item appears only once per claim; add up the quantities.")),
        "claimservice_unique": ("services", _("A service appears only once per claim; add up the quantities.")),
    }


@dataclass(frozen=True)
class LineInput:
    code: str
    qty: Decimal
    price: Decimal | None = None
    explanation: str = ""


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("NaN")


@dataclass(frozen=True)
class Registers:
    """What the checks of a claim look up, read beforehand for one claim or a whole batch (`registers_for`)."""

    insurees: Mapping[str, Insuree]  # in the user's scope, by insurance number
    diagnoses: Mapping[str, Diagnosis]  # active, by code in capitals
    items: Mapping[str, Item]  # active, by code in capitals
    services: Mapping[str, Service]  # active, by code in capitals


def _line_code(row: Mapping[str, Any]) -> str:
    return str(row.get("code", "")).strip().upper()


def _diagnosis_codes(codes: Sequence[str]) -> list[str]:
    return [c.strip().upper() for c in codes if c and c.strip()]


def _active_by_code(model: type[Item] | type[Service], codes: set[str]) -> dict[str, Any]:
    active = model.objects.alias(code_upper=Upper("code")).filter(is_active=True)
    return {e.code.upper(): e for e in active.filter(code_upper__in=codes)}  # type: ignore[misc]


def registers_for(user: User, claims: Sequence[Mapping[str, Any]]) -> Registers:
    """The insurees, diagnoses, items and services the claims name (their `insurance_number`, `diagnoses`, `items`
    and `services`): one query each, whatever the number of claims."""
    numbers = {(c.get("insurance_number") or "").strip() for c in claims}
    diagnoses = {code for c in claims for code in _diagnosis_codes(c.get("diagnoses", ()))}
    return Registers(
        insurees={i.insurance_number: i for i in Insuree.objects.visible_to(user).filter(insurance_number__in=numbers)},
        diagnoses={d.code.upper(): d for d in Diagnosis.objects.filter(code__in=diagnoses, is_active=True)},
        items=_active_by_code(Item, {_line_code(r) for c in claims for r in c.get("items", ())}),
        services=_active_by_code(Service, {_line_code(r) for c in claims for r in c.get("services", ())}),
    )


def _lines(
    kind: str, known: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], fields: dict[str, list[str]]
) -> list[tuple[Any, LineInput]]:
    result: list[tuple[Any, LineInput]] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        prefix = f"{kind}.{i}."
        code = _line_code(row)
        entry = known.get(code)
        qty = _decimal(row.get("qty"))
        price = _decimal(row.get("price"))
        if entry is None:
            fields[f"{prefix}code"] = [_("No active item or service has this code.")]
        elif code in seen:
            fields[f"{prefix}code"] = [_("Already on this claim: add up the quantities on one line.")]
        seen.add(code)
        if qty is None or qty.is_nan() or qty <= 0:
            fields[f"{prefix}qty"] = [_("The quantity must be more than 0.")]
        elif entry is not None and entry.maximum_amount is not None and qty > entry.maximum_amount:
            fields[f"{prefix}qty"] = [
                _("At most %(max)s may be given at once.") % {"max": entry.maximum_amount.normalize()}
            ]
        if price is not None and (price.is_nan() or price < 0):
            fields[f"{prefix}price"] = [_("The price cannot be negative.")]
        if entry is not None and f"{prefix}code" not in fields and f"{prefix}qty" not in fields:
            assert qty is not None
            line = LineInput(code, qty, price, str(row.get("explanation", "") or "").strip()[:250])
            result.append((entry, line))
    return result


def _diagnoses(
    codes: Sequence[str], found: Mapping[str, Diagnosis], fields: dict[str, list[str]]
) -> list[Diagnosis | None]:
    wanted = _diagnosis_codes(codes)
    result: list[Diagnosis | None] = []
    for name, code in zip(DIAGNOSIS_FIELDS, [*wanted, *[""] * 5], strict=False):
        if not code:
            result.append(None)
            continue
        if code not in found:
            fields[name] = [_("%(code)s is not an active ICD-10 code.") % {"code": code}]
        result.append(found.get(code))
    if not wanted:
        fields["icd"] = [_("Give the main diagnosis.")]
    if len(wanted) > 1 + MAX_SECONDARY_DIAGNOSES:
        fields["icd"] = [_("At most four secondary diagnoses.")]
    return result


def _check_dates(
    date_from: date | None, date_to: date | None, date_claimed: date, fields: dict[str, list[str]]
) -> None:
    today = timezone.localdate()
    if date_from is None:
        fields["date_from"] = [_("This field is required.")]
        return
    if date_from > today:
        fields["date_from"] = [_("The visit cannot start in the future.")]
    if date_to is not None:
        if date_to < date_from:
            fields["date_to"] = [_("The end of the visit cannot be before its start.")]
        elif date_to > today:
            fields["date_to"] = [_("The visit cannot end in the future.")]
    if date_claimed > today:
        fields["date_claimed"] = [_("The claim date cannot be in the future.")]


def _raise(fields: dict[str, list[str]]) -> None:
    if fields:
        raise ClaimError(next(iter(fields.values()))[0], fields=fields)


@transaction.atomic
def claim_create(
    *,
    user: User,
    facility: HealthFacility,
    insurance_number: str,
    code: str,
    date_from: date | None,
    date_to: date | None = None,
    date_claimed: date | None = None,
    visit_type: str = VisitType.OTHER,
    diagnoses: Sequence[str] = (),
    items: Sequence[Mapping[str, Any]] = (),
    services: Sequence[Mapping[str, Any]] = (),
    explanation: str = "",
    guarantee_number: str = "",
    referral_facility: HealthFacility | None = None,
    claim_uuid: uuid_module.UUID | None = None,
) -> Claim:
    """Enters a claim (status Entered), or returns the one already entered with `claim_uuid` (a retry)."""
    _require(user, "claim.add_claim")
    if not HealthFacility.objects.visible_to(user).filter(pk=facility.pk).exists():
        raise PermissionDeniedError(_("This health facility is outside your scope."))
    if claim_uuid is not None:
        existing = _entered_before(claim_uuid, facility)
        if existing is not None:
            return existing
    claim = Claim(facility=facility, created_by=user)
    if claim_uuid is not None:
        claim.uuid = claim_uuid
    item_lines, service_lines = _fill(
        user,
        claim,
        insurance_number=insurance_number,
        code=code,
        date_from=date_from,
        date_to=date_to,
        date_claimed=date_claimed,
        visit_type=visit_type,
        diagnoses=diagnoses,
        items=items,
        services=services,
        explanation=explanation,
        guarantee_number=guarantee_number,
        referral_facility=referral_facility,
    )
    try:
        with constraint_errors(constraint_messages()):  # a savepoint, rolled back when the insert is refused
            claim.save(force_insert=True)
    except (IntegrityError, ApplicationError) as exc:
        # The same uuid entered at the same moment by a retry. PostgreSQL reports a unique violation against a
        # concurrent row only once that row's transaction has committed, and which unique index (uuid, or the
        # claim code when the retry repeats it) reports first is not fixed: whatever the constraint, a claim
        # with this uuid now readable (read committed) is the one to return.
        if claim_uuid is None or not is_unique_violation(exc):
            raise
        existing = _entered_before(claim_uuid, facility)
        if existing is None:
            raise
        return existing
    _write_lines(claim, item_lines, service_lines)
    return claim


def _fill(user: User, claim: Claim, **values: Any) -> tuple[list[tuple[Any, LineInput]], list[tuple[Any, LineInput]]]:
    """Checks the input and sets it on the claim (not saved); returns the lines to write. Refusals name fields."""
    fields: dict[str, list[str]] = {}
    lines = fill_claim(claim, registers_for(user, [values]), fields, **values)
    _raise(fields)
    return lines


def fill_claim(
    claim: Claim,
    registers: Registers,
    fields: dict[str, list[str]],
    *,
    insurance_number: str,
    code: str,
    date_from: date | None,
    date_to: date | None,
    date_claimed: date | None,
    visit_type: str,
    diagnoses: Sequence[str],
    items: Sequence[Mapping[str, Any]],
    services: Sequence[Mapping[str, Any]],
    explanation: str,
    guarantee_number: str,
    referral_facility: HealthFacility | None = None,
) -> tuple[list[tuple[Any, LineInput]], list[tuple[Any, LineInput]]]:
    """Sets the input on the claim (not saved) and checks it against registers read beforehand, adding each refusal
    to `fields` under the field it names; returns the lines to write. No query: one claim (`claim_create`) and a
    batch (`claim.entry`) are checked alike."""
    claim.code = (code or "").strip()
    claim.date_from = date_from  # type: ignore[assignment]  # None is refused below, before saving
    claim.date_to = date_to
    claim.date_claimed = date_claimed or timezone.localdate()
    claim.visit_type = visit_type
    claim.explanation = (explanation or "").strip()
    claim.guarantee_number = (guarantee_number or "").strip()[:50]
    claim.referral_facility = referral_facility
    if not claim.code:
        fields["code"] = [_("This field is required.")]
    elif len(claim.code) > 20:
        fields["code"] = [_("A claim code has at most 20 characters.")]
    if visit_type not in VisitType.values:
        fields["visit_type"] = [_("Choose emergency, referral or other.")]
    insuree = registers.insurees.get((insurance_number or "").strip())
    if insuree is None:
        fields["insurance_number"] = [_("No insuree with this number in your scope.")]
    else:
        claim.insuree = insuree
    _check_dates(date_from, date_to, claim.date_claimed, fields)
    for name, diagnosis in zip(DIAGNOSIS_FIELDS, _diagnoses(diagnoses, registers.diagnoses, fields), strict=True):
        setattr(claim, name, diagnosis)
    item_lines = _lines("items", registers.items, items, fields)
    service_lines = _lines("services", registers.services, services, fields)
    if not items and not services:
        fields["items"] = [_("A claim has at least one item or service.")]
    claim.claimed = sum((line.qty * (line.price or 0) for _e, line in (*item_lines, *service_lines)), Decimal("0"))
    return item_lines, service_lines


@transaction.atomic
def claim_update(
    *,
    user: User,
    claim: Claim,
    insurance_number: str,
    code: str,
    date_from: date | None,
    date_to: date | None = None,
    date_claimed: date | None = None,
    visit_type: str = VisitType.OTHER,
    diagnoses: Sequence[str] = (),
    items: Sequence[Mapping[str, Any]] = (),
    services: Sequence[Mapping[str, Any]] = (),
    explanation: str = "",
    guarantee_number: str = "",
    referral_facility: HealthFacility | None = None,
) -> Claim:
    """Changes an Entered claim: its fields as for a new claim, and its lines replaced."""
    _require(user, "claim.change_claim")
    locked = Claim.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=claim.pk).first()
    if locked is None:
        raise PermissionDeniedError(_("This claim is outside your scope."))
    if not locked.is_editable:
        raise ClaimStateError(_("A submitted claim cannot be changed."), code="claim_not_editable")
    item_lines, service_lines = _fill(
        user,
        locked,
        insurance_number=insurance_number,
        code=code,
        date_from=date_from,
        date_to=date_to,
        date_claimed=date_claimed,
        visit_type=visit_type,
        diagnoses=diagnoses,
        items=items,
        services=services,
        explanation=explanation,
        guarantee_number=guarantee_number,
        referral_facility=referral_facility,
    )
    with constraint_errors(constraint_messages()):
        locked.save()
    ClaimItem.objects.filter(claim=locked).delete()
    ClaimService.objects.filter(claim=locked).delete()
    _write_lines(locked, item_lines, service_lines)
    return locked


def _entered_before(claim_uuid: uuid_module.UUID, facility: HealthFacility) -> Claim | None:
    return retried(Claim.objects.filter(uuid=claim_uuid).first(), facility)


def retried(existing: Claim | None, facility: HealthFacility) -> Claim | None:
    """The claim a client already entered with this uuid, at this facility; another facility's is refused."""
    if existing is not None and existing.facility_id != facility.pk:
        raise ClaimError.for_field("uuid", _("This claim identifier is already used."))
    return existing


def is_unique_violation(exc: Exception) -> bool:
    if isinstance(exc, ApplicationError):
        return exc.code == "claim_code_unique_per_facility"
    name = constraint_name(exc) if isinstance(exc, IntegrityError) else None
    return name is not None and "uuid" in name


def _write_lines(
    claim: Claim,
    item_lines: list[tuple[Any, LineInput]],
    service_lines: list[tuple[Any, LineInput]],
) -> None:
    items, services = line_rows(claim, item_lines, service_lines)
    with constraint_errors(constraint_messages()):
        ClaimItem.objects.bulk_create(items)
        ClaimService.objects.bulk_create(services)


def line_rows(
    claim: Claim,
    item_lines: list[tuple[Any, LineInput]],
    service_lines: list[tuple[Any, LineInput]],
) -> tuple[list[ClaimItem], list[ClaimService]]:
    """The rows of a claim's checked lines, not saved (the claim may not be saved yet either)."""
    items = [
        ClaimItem(claim=claim, item=e, qty_provided=ln.qty, price_asked=ln.price, explanation=ln.explanation)
        for e, ln in item_lines
    ]
    services = [
        ClaimService(claim=claim, service=e, qty_provided=ln.qty, price_asked=ln.price, explanation=ln.explanation)
        for e, ln in service_lines
    ]
    return items, services


@transaction.atomic
def claim_delete(*, user: User, claim: Claim) -> None:
    """Deletes an Entered claim (a mistake); a submitted claim is kept."""
    _require(user, "claim.delete_claim")
    locked = Claim.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=claim.pk).first()
    if locked is None:
        raise PermissionDeniedError(_("This claim is outside your scope."))
    if not locked.is_editable:
        raise ClaimStateError(_("A submitted claim cannot be deleted."), code="claim_not_editable")
    forget_files_of(locked)  # its attachments' files go once the deletion is committed
    locked.delete()
