"""Writes to families and insurees; the rules are listed in the package docstring (insuree/services/__init__.py)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from location.models import Location, LocationType
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors, constraint_name, validate_fields
from openimis.common.exceptions import ApplicationError

from .. import hooks
from ..card_services import stock_number_take
from ..exceptions import FamilyError, InsureeError, PermissionDeniedError
from ..models import Family, Insuree, Relationship, StockNumber
from ..numbers import NumberScheme
from ..selectors import child_head_warning

PERSON_FIELDS = (
    "insurance_number",
    "last_name",
    "other_names",
    "gender",
    "dob",
    "marital_status",
    "relationship",
    "profession",
    "education",
    "identity_type",
    "identity_number",
    "phone",
    "email",
    "current_address",
    "current_village",
    "first_health_facility",
    "vulnerable",
)
FAMILY_FIELDS = ("poverty", "family_type", "address", "ethnicity", "confirmation_type", "confirmation_number")
GENERATE_ATTEMPTS = 8


@dataclass
class FamilyResult:
    """A written family and the warnings the officer should see (nothing refused)."""

    family: Family
    warnings: list[str] = field(default_factory=list)


def number_used_message() -> str:
    return _("This insurance number is already used")


def _messages(prefix: str = "") -> ConstraintMessages:
    return {
        "insuree_number_unique": (f"{prefix}insurance_number", number_used_message()),
        "insuree_number_not_blank": (f"{prefix}insurance_number", _("This field cannot be blank.")),
        "insuree_names_not_blank": (f"{prefix}last_name", _("This field cannot be blank.")),
        "insuree_current_village": (f"{prefix}current_village", _("Choose a village.")),
        "family_village": ("village", _("Choose a village.")),
        "family_head_is_member": ("head", _("The head of a family must be one of its members.")),
    }


def _require_perms(user: User, *perms: str) -> None:
    if not user.has_perms(perms):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _check_village(user: User, village: Location | None, name: str = "village", *, required: bool = True) -> None:
    if village is None:
        if required:
            raise FamilyError.for_field(name, _("This field is required."))
        return
    if village.type != LocationType.VILLAGE or not village.is_active:
        raise FamilyError.for_field(name, _("Choose an active village."))
    if not Location.objects.visible_to(user).filter(pk=village.pk).exists():
        raise FamilyError.for_field(name, _("This village is outside your scope."), code="out_of_scope")


def _check_family_scope(user: User, family: Family) -> None:
    if not Family.objects.visible_to(user).filter(pk=family.pk).exists():
        raise PermissionDeniedError(_("This family is outside your scope."))


def _check_head_is_member() -> None:
    """Runs the deferred "head is a member" trigger now, so a violation is a domain error and not a failed commit."""
    trigger = next(t for t in Family._meta.triggers if t.name == "family_head_is_member")  # type: ignore[attr-defined]
    pgid = trigger.get_pgid(Family)
    with constraint_errors(_messages()), connection.cursor() as cursor:
        cursor.execute(f'SET CONSTRAINTS "{pgid}" IMMEDIATE')  # noqa: S608 - a trigger name from the model
        cursor.execute(f'SET CONSTRAINTS "{pgid}" DEFERRED')  # noqa: S608


def _person_problems(person: Insuree, prefix: str, *, typed_number: bool) -> dict[str, list[str]]:
    """Field rules of one person, keyed by `prefix` + field name (all of them, not only the first)."""
    fields: dict[str, list[str]] = {}
    exclude = ["family", "photo"] + ([] if typed_number else ["insurance_number"])
    try:
        validate_fields(person, exclude=exclude)
    except ApplicationError as exc:
        fields.update({f"{prefix}{k}": v for k, v in exc.fields.items()})
    if typed_number and f"{prefix}insurance_number" not in fields:
        problem = NumberScheme.from_settings().problem(person.insurance_number)
        if problem:
            fields[f"{prefix}insurance_number"] = [problem]
    if isinstance(person.dob, date) and person.dob > date.today():
        fields.setdefault(f"{prefix}dob", []).append(_("The date of birth cannot be in the future."))
    return fields


def _insert_person(person: Insuree, prefix: str, *, generate: bool) -> None:
    """Inserts in a savepoint; a generated number that is taken is replaced and retried (a few times)."""
    if not generate:
        with constraint_errors(_messages(prefix)):
            person.save(force_insert=True)
        return
    scheme = NumberScheme.from_settings()
    for _attempt in range(GENERATE_ATTEMPTS):
        person.insurance_number = scheme.generate()
        if StockNumber.objects.filter(number=person.insurance_number).exists():
            continue  # reserved for a pre-printed card: only that card's holder gets it
        try:
            with transaction.atomic():
                person.save(force_insert=True)
            return
        except IntegrityError as exc:
            name = constraint_name(exc)
            if name != "insuree_number_unique":
                messages = _messages(prefix)
                if name not in messages:
                    raise
                target, message = messages[name]
                raise InsureeError.for_field(target or "__all__", message, code=name) from exc
            person.pk = None
    raise InsureeError.for_field(
        f"{prefix}insurance_number",
        _("No free insurance number could be generated; please try again."),
        code="number_generation_failed",
    )


def _take_from_stock(user: User, person: Insuree, prefix: str) -> None:
    """A typed number printed on a pre-printed card is taken from the card stock, once."""
    if not StockNumber.objects.filter(number=person.insurance_number).exists():
        return
    try:
        stock_number_take(user=user, number=person.insurance_number, insuree=person)
    except ApplicationError as exc:
        raise InsureeError.for_field(f"{prefix}insurance_number", exc.message, code=exc.code) from exc


def _build_person(values: dict[str, Any]) -> tuple[Insuree, bool]:
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise InsureeError(_("These fields cannot be set here: %s") % ", ".join(sorted(unknown)))
    values = _clean(values)
    typed = bool(values.get("insurance_number"))
    values["insurance_number"] = values.get("insurance_number") or ""
    person = Insuree(**values)
    return person, typed


def _raise_if(fields: dict[str, list[str]]) -> None:
    if fields:
        first_field, first_messages = next(iter(fields.items()))
        raise InsureeError(f"{first_field}: {first_messages[0]}", fields=fields)


@transaction.atomic
def family_register(
    *, user: User, village: Location | None, head: dict[str, Any], members: list[dict[str, Any]], **family_fields: Any
) -> FamilyResult:
    """Creates the head, the family and its members at once; numbers left empty are generated.

    Field errors name the person: `head.last_name`, `members.2.insurance_number`.
    """
    _require_perms(user, "insuree.add_family", "insuree.add_insuree")
    unknown = set(family_fields) - set(FAMILY_FIELDS)
    if unknown:
        raise FamilyError(_("These fields cannot be set here: %s") % ", ".join(sorted(unknown)))
    people: list[tuple[str, Insuree, bool]] = []
    fields: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for prefix, values in [("head.", head), *((f"members.{i}.", m) for i, m in enumerate(members))]:
        person, typed = _build_person(values)
        fields.update(_person_problems(person, prefix, typed_number=typed))
        if typed:
            if person.insurance_number in seen:
                fields.setdefault(f"{prefix}insurance_number", []).append(
                    _("This insurance number is already given to another person of this family.")
                )
            seen[person.insurance_number] = prefix
        people.append((prefix, person, typed))
    people[0][1].relationship = None  # the head has no relationship to himself
    family = Family(village=village, **_clean(family_fields))
    try:
        validate_fields(family, exclude=["head", "village"])
    except ApplicationError as exc:
        fields.update(exc.fields)
    try:
        _check_village(user, village)
    except ApplicationError as exc:
        fields.update(exc.fields)
    for prefix, person, _typed in people:
        if person.current_village is not None:
            try:
                _check_village(user, person.current_village, f"{prefix}current_village")
            except ApplicationError as exc:
                fields.update(exc.fields)
    _raise_if(fields)

    _prefix, head_person, head_typed = people[0]
    _insert_person(head_person, "head.", generate=not head_typed)
    if head_typed:
        _take_from_stock(user, head_person, "head.")
    family.head = head_person
    with constraint_errors(_messages()):
        family.save(force_insert=True)
    head_person.family = family
    head_person.save(update_fields=["family", "updated_at"])
    for prefix, person, typed in people[1:]:
        person.family = family
        _insert_person(person, prefix, generate=not typed)
        if typed:
            _take_from_stock(user, person, prefix)
    _check_head_is_member()
    warnings = child_head_warning(head_person.dob, [p.dob for _p, p, _t in people[1:]])
    return FamilyResult(family=family, warnings=warnings)


@transaction.atomic
def insuree_add_to_family(*, user: User, family: Family, **values: Any) -> Insuree:
    """A new member; an empty insurance number is generated."""
    _require_perms(user, "insuree.add_insuree")
    _check_family_scope(user, family)
    person, typed = _build_person(values)
    fields = _person_problems(person, "", typed_number=typed)
    if person.current_village is not None:
        try:
            _check_village(user, person.current_village, "current_village")
        except ApplicationError as exc:
            fields.update(exc.fields)
    _raise_if(fields)
    person.family = family
    _insert_person(person, "", generate=not typed)
    if typed:
        _take_from_stock(user, person, "")
    hooks.membership_changed(user=user, insuree=person, old_family_id=None, new_family_id=family.pk)
    return person


@transaction.atomic
def insuree_update(*, user: User, insuree: Insuree, **changes: Any) -> Insuree:
    """Changes the given fields (any of PERSON_FIELDS but the insurance number, which is for life)."""
    _require_perms(user, "insuree.change_insuree")
    editable = set(PERSON_FIELDS) - {"insurance_number"}
    unknown = set(changes) - editable
    if unknown:
        raise InsureeError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    if not Insuree.objects.visible_to(user).filter(pk=insuree.pk).exists():
        raise PermissionDeniedError(_("This insuree is outside your scope."))
    changes = _clean(changes)
    for name, value in changes.items():
        setattr(insuree, name, value)
    is_head = insuree.family_id is not None and Family.objects.filter(head=insuree).exists()
    if is_head:
        insuree.relationship = None
    try:
        fields = _person_problems(insuree, "", typed_number=False)
        if "current_village" in changes and insuree.current_village is not None:
            try:
                _check_village(user, insuree.current_village, "current_village")
            except ApplicationError as exc:
                fields.update(exc.fields)
        _raise_if(fields)
        with constraint_errors(_messages()):
            insuree.save(update_fields=[*changes.keys(), *(["relationship"] if is_head else []), "updated_at"])
    except ApplicationError:
        insuree.refresh_from_db()
        raise
    return insuree


@transaction.atomic
def family_update(*, user: User, family: Family, **changes: Any) -> Family:
    """Changes family fields (FAMILY_FIELDS and `village`, which must be a village in the user's scope)."""
    _require_perms(user, "insuree.change_family")
    unknown = set(changes) - {*FAMILY_FIELDS, "village"}
    if unknown:
        raise FamilyError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    _check_family_scope(user, family)
    changes = _clean(changes)
    for name, value in changes.items():
        setattr(family, name, value)
    try:
        validate_fields(family, exclude=["head", "village"])
        if "village" in changes:
            _check_village(user, family.village)
        with constraint_errors(_messages()):
            family.save(update_fields=[*changes.keys(), "updated_at"])
    except ApplicationError:
        family.refresh_from_db()
        raise
    return family


@transaction.atomic
def family_change_head(
    *, user: User, family: Family, new_head: Insuree, old_head_relationship: int | None = None
) -> FamilyResult:
    """Another member becomes the head; the former head stays a member with `old_head_relationship`."""
    _require_perms(user, "insuree.change_family")
    _check_family_scope(user, family)
    if new_head.family_id != family.pk:
        raise FamilyError.for_field("head", _("The new head must be a member of this family."), code="head_not_member")
    if new_head.pk == family.head_id:
        raise FamilyError.for_field("head", _("This person is already the head of the family."))
    if old_head_relationship is not None and old_head_relationship not in Relationship.values:
        raise FamilyError.for_field("old_head_relationship", _("Choose a valid relationship."))
    old_head = family.head
    family.head = new_head
    with constraint_errors(_messages()):
        family.save(update_fields=["head", "updated_at"])
    new_head.relationship = None
    new_head.save(update_fields=["relationship", "updated_at"])
    old_head.relationship = old_head_relationship
    old_head.save(update_fields=["relationship", "updated_at"])
    _check_head_is_member()
    dobs = list(family.members.exclude(pk=new_head.pk).values_list("dob", flat=True))
    return FamilyResult(family=family, warnings=child_head_warning(new_head.dob, dobs))


def _refuse_head(insuree: Insuree) -> None:
    if Family.objects.filter(head=insuree).exists():
        raise InsureeError(
            _("The head of a family cannot leave it; choose another head first."), code="insuree_is_head"
        )


@transaction.atomic
def insuree_move_to_family(*, user: User, insuree: Insuree, family: Family, relationship: int | None = None) -> Insuree:
    """The insuree leaves their family (not as its head) and joins another family in the user's scope."""
    _require_perms(user, "insuree.change_insuree")
    if not Insuree.objects.visible_to(user).filter(pk=insuree.pk).exists():
        raise PermissionDeniedError(_("This insuree is outside your scope."))
    _check_family_scope(user, family)
    if insuree.family_id == family.pk:
        raise InsureeError.for_field("family", _("This person is already a member of this family."))
    if relationship is not None and relationship not in Relationship.values:
        raise InsureeError.for_field("relationship", _("Choose a valid relationship."))
    _refuse_head(insuree)
    old_family_id = insuree.family_id
    insuree.family = family
    insuree.relationship = relationship
    insuree.save(update_fields=["family", "relationship", "updated_at"])
    hooks.membership_changed(user=user, insuree=insuree, old_family_id=old_family_id, new_family_id=family.pk)
    return insuree


@transaction.atomic
def insuree_remove_from_family(*, user: User, insuree: Insuree) -> Insuree:
    """The insuree stays registered without a family, found by their current village (the family's if unset)."""
    _require_perms(user, "insuree.change_insuree")
    if insuree.family_id is None:
        raise InsureeError(_("This person is not a member of a family."), code="insuree_no_family")
    family = insuree.family
    assert family is not None
    _check_family_scope(user, family)
    _refuse_head(insuree)
    if insuree.current_village_id is None:
        insuree.current_village_id = family.village_id
    insuree.family = None
    insuree.relationship = None
    insuree.save(update_fields=["family", "relationship", "current_village", "updated_at"])
    hooks.membership_changed(user=user, insuree=insuree, old_family_id=family.pk, new_family_id=None)
    return insuree


@transaction.atomic
def family_delete(*, user: User, family: Family, detach_members: bool) -> None:
    """Deletes the family; its members are deleted too, or kept without a family (`detach_members`)."""
    _require_perms(user, "insuree.delete_family", *([] if detach_members else ["insuree.delete_insuree"]))
    _check_family_scope(user, family)
    # The deferred trigger re-reads the family when it fires; run pending checks while the family still exists.
    _check_head_is_member()
    members = Insuree.objects.filter(family=family)
    member_ids = list(members.values_list("pk", flat=True))
    members.filter(current_village__isnull=True).update(current_village_id=family.village_id)
    try:
        with transaction.atomic():
            Insuree.objects.filter(pk__in=member_ids).update(family=None, relationship=None)
            Family.objects.filter(pk=family.pk).delete()
    except ProtectedError as exc:
        raise FamilyError(
            _("Policies or other records refer to this family; it cannot be deleted."), code="family_referenced"
        ) from exc
    if not detach_members:
        try:
            with transaction.atomic():
                Insuree.objects.filter(pk__in=member_ids).delete()
        except ProtectedError as exc:
            raise FamilyError(
                _("A member is still referenced (for example by a card-stock number); detach the members instead."),
                code="family_members_referenced",
            ) from exc
