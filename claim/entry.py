"""Entering a batch of claims set-wise (reference sec. 6.1, 6.2): the rules of `services.claim_create`, for up to
1,000 claims, with a fixed number of queries whatever their number.

Rules enforced here (those of a single claim, checked by the same functions: `services.fill_claim` and
`services.retried`). A refusal names the claim's place and the field (`claims.3.code`, `claims.0.items.1.qty`);
when any claim is refused the batch is refused with the errors of every claim, in the order of their places, and
nothing is written:
- Entering needs `claim.add_claim`; each claim's facility, given by its uuid or code, is one in the user's scope.
- A body whose `uuid` is a claim already entered at the same facility gives that claim as it is (a retry: the body
  is not compared); another facility's claim uuid is refused, and so is a uuid given twice in the batch.
- A claim code is unique per facility, whatever its case: a code the facility already has is refused, and so is a
  code an earlier body of the batch gives at the same facility.
- Each other body is checked as `claim_create` checks a claim: code, visit type, insuree in scope, dates,
  diagnoses, lines; its claimed amount is the sum of quantity x price asked.

Reads, one query each: the facilities, the claims with the batch's uuids, the insurees, the diagnoses, the items,
the services and the claim codes already used. Writes, one INSERT each: the claims, their items, their services.

Concurrency: new claims are inserted in uuid order (those without a client uuid last, in the batch's order), as the
per-claim path does, so two batches repeating the same claims wait for each other instead of deadlocking. When the
insert meets a claim that a concurrent transaction has committed meanwhile (same uuid or same code: a unique
violation), the batch is entered again claim by claim with `services.claim_create`, which returns a claim entered
meanwhile and names a code taken meanwhile: the outcome is exact either way.
One transaction (the caller's, when there is one).
"""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from location.models import HealthFacility
from openimis.accounts.models import User
from openimis.common.db import constraint_errors, insert_rows
from openimis.common.exceptions import ApplicationError, PermissionDeniedError

from . import services
from .exceptions import ClaimError
from .models import Claim, ClaimItem, ClaimService
from .selectors import facilities_by_ref, referrals_by_ref

Errors = dict[str, list[str]]
Lines = list[tuple[Any, services.LineInput]]
Checked = dict[int, tuple[Claim, tuple[Lines, Lines]]]  # new claims, filled and not saved, with their lines


def claim_args(
    body: Mapping[str, Any], facility: HealthFacility, referral: HealthFacility | None = None
) -> dict[str, Any]:
    """The arguments of `services.claim_create` for a claim's body (as the API's `ClaimIn` validates it)."""
    return {
        "referral_facility": referral,
        "facility": facility,
        "insurance_number": body["insurance_number"],
        "code": body["code"],
        "date_from": body["date_from"],
        "date_to": body.get("date_to"),
        "date_claimed": body.get("date_claimed"),
        "visit_type": body["visit_type"],
        "diagnoses": body["diagnoses"],
        "items": [dict(line) for line in body["items"]],
        "services": [dict(line) for line in body["services"]],
        "explanation": body["explanation"],
        "guarantee_number": body["guarantee_number"],
        "claim_uuid": body.get("uuid"),
    }


def facility_refused() -> list[str]:
    return [_("No health facility with this uuid or code in your scope.")]


def referral_refused() -> list[str]:
    return [_("No health facility has this uuid or code.")]


@transaction.atomic
def claims_enter(*, user: User, bodies: Sequence[Mapping[str, Any]]) -> list[Claim]:
    """Enters the claims of a batch (status Entered) and returns them in the order of the bodies, a retried one as it
    was entered; or refuses the whole batch (ClaimError) with every error keyed by its place."""
    if not user.has_perm("claim.add_claim"):
        raise PermissionDeniedError(_("You do not have the permission to do this."))
    errors: Errors = {}
    places: dict[uuid.UUID, int] = {}
    for i, body in enumerate(bodies):
        key = body.get("uuid")
        if key is not None and places.setdefault(key, i) != i:
            errors[f"claims.{i}.uuid"] = [_("Also the uuid of claim %(n)s of this batch.") % {"n": places[key]}]
    facilities = facilities_by_ref(user, [b["facility"] for b in bodies])
    referrals = referrals_by_ref([b["referral_facility"] for b in bodies if b.get("referral_facility")])
    args: dict[int, dict[str, Any]] = {}
    for i, body in enumerate(bodies):
        facility = facilities.get(body["facility"])
        referral = referrals.get(body.get("referral_facility") or "")
        if facility is None:
            errors[f"claims.{i}.facility"] = facility_refused()
        elif body.get("referral_facility") and referral is None:
            errors[f"claims.{i}.referral_facility"] = referral_refused()
        elif f"claims.{i}.uuid" not in errors:
            args[i] = claim_args(body, facility, referral)

    claims = _retries(args, errors)
    new = {i: a for i, a in args.items() if i not in claims and f"claims.{i}.uuid" not in errors}
    checked = _checked(user, new, errors)
    _refuse(errors)
    inserted = _insert(checked, _uuid_order(new))
    if inserted is None:
        claims = _one_by_one(user, args, errors)
        _refuse(errors)
    else:
        claims |= inserted
    return [claims[i] for i in range(len(bodies))]


def _retries(args: Mapping[int, Mapping[str, Any]], errors: Errors) -> dict[int, Claim]:
    """The claims already entered with the bodies' uuids (retries), by place; another facility's uuid is refused."""
    found = {c.uuid: c for c in Claim.objects.filter(uuid__in=[a["claim_uuid"] for a in args.values()])}
    retries: dict[int, Claim] = {}
    for i, a in args.items():
        try:
            existing = services.retried(found.get(a["claim_uuid"]), a["facility"])
        except ApplicationError as exc:
            _add(errors, i, exc)
            continue
        if existing is not None:
            retries[i] = existing
    return retries


def _checked(user: User, new: Mapping[int, Mapping[str, Any]], errors: Errors) -> Checked:
    """The new claims filled and checked (not saved) with their lines, by place; refusals added to `errors`."""
    registers = services.registers_for(user, list(new.values()))
    checked: Checked = {}
    refused: dict[int, Errors] = {}
    for i, a in new.items():
        claim = Claim(facility=a["facility"], created_by=user)
        if a["claim_uuid"] is not None:
            claim.uuid = a["claim_uuid"]
        fields: Errors = {}
        fill = {k: v for k, v in a.items() if k not in ("facility", "claim_uuid")}
        checked[i] = (claim, services.fill_claim(claim, registers, fields, **fill))
        refused[i] = fields
    _refuse_codes_taken(checked, refused)
    for i, fields in refused.items():
        if fields:
            del checked[i]
            for field, messages in fields.items():
                errors[f"claims.{i}.{field}"] = messages
    return checked


def _refuse_codes_taken(checked: Checked, refused: dict[int, Errors]) -> None:
    """A claim code the facility already has, or that an earlier body gives at the same facility (any case)."""
    keys = {i: (claim.facility_id, claim.code.upper()) for i, (claim, _lines) in checked.items()}
    used = set(
        Claim.objects.annotate(code_upper=Upper("code"))
        .filter(facility_id__in={f for f, _c in keys.values()}, code_upper__in={c for _f, c in keys.values()})
        .values_list("facility_id", "code_upper")
    )
    message = services.constraint_messages()["claim_code_unique_per_facility"][1]
    for i, key in keys.items():
        if "code" in refused[i]:
            continue
        if key in used:
            refused[i]["code"] = [message]
        used.add(key)


def _uuid_order(args: Mapping[int, Mapping[str, Any]]) -> list[int]:
    """Claims with a client uuid in uuid order, then the others in the batch's order: two batches repeating the same
    claims insert them in the same order, so the second waits for the first instead of deadlocking."""
    return sorted(args, key=lambda i: (args[i]["claim_uuid"] is None, str(args[i]["claim_uuid"]), i))


def _insert(checked: Checked, order: Sequence[int]) -> dict[int, Claim] | None:
    """Inserts the checked claims in the order given, then their lines; None, with nothing inserted, when a
    concurrent transaction has committed a claim with one of their uuids or codes meanwhile."""
    if not checked:
        return {}
    claims = {i: checked[i][0] for i in order}
    try:
        with constraint_errors(services.constraint_messages()):  # a savepoint, rolled back on a unique violation
            insert_rows(Claim, list(claims.values()))
    except (IntegrityError, ApplicationError) as exc:
        if not services.is_unique_violation(exc):
            raise
        return None
    items: list[ClaimItem] = []
    service_rows: list[ClaimService] = []
    for claim, (item_lines, service_lines) in (checked[i] for i in order):
        claim_items, claim_services = services.line_rows(claim, item_lines, service_lines)
        items += claim_items
        service_rows += claim_services
    insert_rows(ClaimItem, items)
    insert_rows(ClaimService, service_rows)
    return claims


def _one_by_one(user: User, args: Mapping[int, Mapping[str, Any]], errors: Errors) -> dict[int, Claim]:
    """The batch entered claim by claim with `claim_create` (each in its savepoint), in uuid order: after a
    concurrent batch has entered some of the same claims (or used the same codes) meanwhile."""
    claims: dict[int, Claim] = {}
    for i in _uuid_order(args):
        try:
            claims[i] = services.claim_create(user=user, **args[i])
        except ApplicationError as exc:  # its savepoint is rolled back; the others go on, to report every error
            _add(errors, i, exc)
    return claims


def _add(errors: Errors, i: int, exc: ApplicationError) -> None:
    for field, messages in (exc.fields or {"": [exc.message]}).items():
        errors[f"claims.{i}.{field}".rstrip(".")] = messages


def _refuse(errors: Errors) -> None:
    if errors:
        fields = dict(sorted(errors.items(), key=lambda kv: _place(kv[0])))
        raise ClaimError(next(iter(fields.values()))[0], fields=fields)


def _place(key: str) -> tuple[tuple[int, str], ...]:
    """`claims.10.code` after `claims.9.code`."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in key.split("."))
