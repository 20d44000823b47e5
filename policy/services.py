"""Every write to products, the items and services they cover and their relative distribution.

Rules enforced here (the hard ones again by the database; see models.py). A refusal is a ProductError naming
each field and the rule it breaks (all broken rules at once), and nothing is written:
- Creating and copying need `policy.add_product`; changing, closing and editing lines `policy.change_product`;
  deleting `policy.delete_product`.
- The code (up to 8 characters) is unique among products, whatever its case.
- A product is national (no location: only staff whose scope covers the whole country may make one, as for
  payers) or belongs to a region or a district inside the user's scope.
- The conversion product is another product the user sees, still valid after this one ends; following conversion
  products never leads back to the product.
- The rules of `policy.product_rules` (its docstring lists them): validity dates in order; start cycles that are
  real "DD-MM" dates, in order; amounts not negative; percentages 0..100; a threshold only with a lump sum and
  not above the maximum members; discounts with both percentage and period; deductibles and ceilings only for
  the chosen ceiling type, general or in-/out-patient but not both, no deductible above its ceiling; one
  general relative pricing period or in-/out-patient ones, each with a distribution of one percentage per period
  adding up to 100; capitation (share filled) with a level and six weights adding up to 100.
- Copying makes a new product (new code and name, optionally new dates) with the same settings, and copies its
  items, services and distribution with one INSERT ... SELECT each.
- Closing sets "valid to" to today; refused for a product that has already ended or is not valid yet.
- A product something refers to (today: the conversion product of another product; later: policies) is never
  deleted, only closed (ProductInUseError, HTTP 409).
- Lines: an item or service is added by code, must be active, and is covered once per product; the limitation
  rules of `product_rules.check_line` apply (a co-insurance without a limit covers 100 %).
Every function runs in one transaction.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from location.models import Location, LocationType
from location.selectors import covers_whole_country
from openimis.accounts.models import User
from openimis.common.db import ConstraintMessages, constraint_errors, validate_fields
from openimis.common.exceptions import PermissionDeniedError

from . import product_rules, selectors
from .exceptions import ProductError, ProductInUseError
from .models import (
    LINE_FIELDS,
    LINE_KINDS,
    MONEY_FIELDS,
    PERCENT_FIELDS,
    PERIODS_PER_YEAR,
    SCOPE_OF_CEILING_TYPE,
    START_CYCLE_FIELDS,
    VISIT_SUFFIXES,
    Product,
    ProductItem,
    ProductService,
    RelativeDistribution,
)
from .product_rules import RuleError

PRODUCT_FIELDS: tuple[str, ...] = tuple(
    f.name for f in Product._meta.concrete_fields if f.editable and not f.primary_key
)
_CHAR_FIELDS = {
    f.name for f in Product._meta.concrete_fields if f.get_internal_type() == "CharField" and f.name in PRODUCT_FIELDS
}
Distribution = Mapping[str, Sequence[Decimal]]


def _product_messages() -> ConstraintMessages:
    messages: ConstraintMessages = {
        "product_code_unique": ("code", _("Another product already has this code.")),
        "product_code_not_blank": ("code", _("This field cannot be blank.")),
        "product_dates": ("date_to", _("The end of validity cannot be before its start.")),
        "product_not_own_conversion": ("conversion_product", _("A product cannot be its own conversion product.")),
        "product_insurance_period_positive": ("insurance_period", _("The insurance period is at least one month.")),
        "product_max_members_positive": ("max_members", _("A policy covers at least one member.")),
        "product_threshold_needs_lump_sum": ("threshold", _("A threshold needs a lump sum.")),
        "product_location_level": ("location", _("A product belongs to a region or a district.")),
    }
    for field in MONEY_FIELDS:
        messages[f"product_{field}_not_negative"] = (field, _("This amount cannot be negative."))
    for field in PERCENT_FIELDS:
        messages[f"product_{field}_percent"] = (field, _("This is a percentage between 0 and 100."))
    for field in START_CYCLE_FIELDS:
        messages[f"product_{field}_format"] = (field, _("Write the start cycle as DD-MM, e.g. 01-07."))
    for name in (
        "ded_treatment",
        "max_treatment",
        "ded_insuree",
        "max_insuree",
        "ded_policy",
        "max_policy",
        "max_policy_extra_member",
        "max_ceiling_policy",
        "period_rel_prices",
    ):
        messages[f"product_{name}_general_or_split"] = (name, _("Give either a general value or split ones."))
    for scope in SCOPE_OF_CEILING_TYPE.values():
        messages[f"product_{scope}_amounts_need_type"] = (
            "ceiling_type",
            _("Only the amounts of the chosen ceiling type may be filled."),
        )
    return messages


def _line_messages(prefix: str) -> ConstraintMessages:
    messages: ConstraintMessages = {
        f"{prefix}_unique": ("codes", _("The product already covers it.")),
        f"{prefix}_price_origin_valid": ("price_origin", _("Unknown price origin.")),
        f"{prefix}_limitation_type_valid": ("limitation_type", _("Choose co-insurance or a fixed amount.")),
        f"{prefix}_ceiling_exclusion_valid": ("ceiling_exclusion_adult", _("Unknown ceiling exclusion.")),
    }
    for suffix in VISIT_SUFFIXES:
        messages[f"{prefix}_limit{suffix}_needs_type"] = (
            f"limitation_type{suffix}",
            _("Limits were given without a limitation type."),
        )
        for who in ("adult", "child"):
            messages[f"{prefix}_limit_{who}{suffix}_range"] = (
                f"limit_{who}{suffix}",
                _("A co-insurance is a percentage between 0 and 100; a fixed amount is not negative."),
            )
    return messages


def _distribution_messages() -> ConstraintMessages:
    return {
        name: ("distribution", _("The relative distribution is not valid."))
        for name in (
            "reldistr_unique",
            "reldistr_care_type_valid",
            "reldistr_period_type_valid",
            "reldistr_period_range",
            "reldistr_percent_range",
        )
    }


def _require_perm(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def _raise(errors: Sequence[RuleError]) -> None:
    if errors:
        raise ProductError(errors[0].message, fields=product_rules.as_fields(errors))


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        raise ProductError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    values = dict(data)
    for name in _CHAR_FIELDS & set(values):
        values[name] = (values[name] or "").strip()
    for name in START_CYCLE_FIELDS:
        if name in values:
            values[name] = product_rules.normalise_start_cycle(values[name])
    return values


def _check_location(user: User, location: Location | None) -> list[RuleError]:
    if location is None:
        if covers_whole_country(user):
            return []
        return [RuleError("location", _("Only staff working for the whole country may make a product national."))]
    if location.type not in (LocationType.REGION, LocationType.DISTRICT):
        message = _("A product belongs to a region or a district, not to a %(type)s.")
        return [RuleError("location", message % {"type": location.get_type_display().lower()})]
    if not Location.objects.visible_to(user).filter(pk=location.pk).exists():
        return [RuleError("location", _("This region or district is outside your scope."))]
    return []


def _check_conversion(user: User, product: Product) -> list[RuleError]:
    target = product.conversion_product
    if target is None:
        return []
    if product.pk and target.pk == product.pk:
        return [RuleError("conversion_product", _("A product cannot be its own conversion product."))]
    if not Product.objects.visible_to(user).filter(pk=target.pk).exists():
        return [RuleError("conversion_product", _("No such product in your scope."))]
    if product.date_to and target.date_to <= product.date_to:
        return [
            RuleError(
                "conversion_product",
                _("The conversion product must still be valid after this product ends (it ends on %(date)s).")
                % {"date": date_format(target.date_to, "SHORT_DATE_FORMAT")},
            )
        ]
    seen: set[int] = {target.pk}
    next_id = target.conversion_product_id
    while next_id is not None and product.pk:
        if next_id == product.pk:
            return [
                RuleError("conversion_product", _("Following conversion products would lead back to this product."))
            ]
        if next_id in seen:
            break
        seen.add(next_id)
        next_id = Product.objects.filter(pk=next_id).values_list("conversion_product_id", flat=True).first()
    return []


def _validate(user: User, product: Product, distribution: Distribution) -> None:
    validate_fields(product)
    values = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    errors = product_rules.check_product(values)
    errors += product_rules.check_distribution(values, distribution)
    errors += _check_location(user, product.location)
    errors += _check_conversion(user, product)
    _raise(errors)


def _kept_distribution(product: Product, distribution: Distribution) -> dict[str, list[Decimal]]:
    """The distribution of the care types still priced relatively (clearing a period drops its distribution)."""
    periods = product.relative_periods
    return {care: list(percents) for care, percents in distribution.items() if care in periods and percents}


def _save_distribution(product: Product, distribution: Distribution) -> None:
    """Replaces the product's distribution row by row, so that history shows only what changed."""
    periods = product.relative_periods
    wanted: dict[tuple[str, int], tuple[int, Decimal]] = {}
    for care, percents in distribution.items():
        for index, percent in enumerate(percents, start=1):
            wanted[(care, index)] = (PERIODS_PER_YEAR[periods[care]], Decimal(percent))
    existing = {(r.care_type, r.period): r for r in RelativeDistribution.objects.filter(product=product)}
    stale = [r.pk for key, r in existing.items() if key not in wanted]
    if stale:
        RelativeDistribution.objects.filter(pk__in=stale).delete()
    with constraint_errors(_distribution_messages()):
        for key, (period_type, percent) in wanted.items():
            row = existing.get(key)
            if row is not None and (row.period_type, row.percent) != (period_type, percent):
                row.period_type, row.percent = period_type, percent
                row.save(update_fields=["period_type", "percent"])
        RelativeDistribution.objects.bulk_create(
            RelativeDistribution(product=product, care_type=care, period=period, period_type=ptype, percent=percent)
            for (care, period), (ptype, percent) in wanted.items()
            if (care, period) not in existing
        )


@transaction.atomic
def product_create(*, user: User, distribution: Distribution | None = None, **data: Any) -> Product:
    """Creates a product; `distribution` maps a care type (B, I, O) to its percentages in period order."""
    _require_perm(user, "policy.add_product")
    product = Product(**_clean(data))
    wanted = dict(distribution or {})
    _validate(user, product, wanted)
    with constraint_errors(_product_messages()):
        product.save()
    _save_distribution(product, wanted)
    return product


@transaction.atomic
def product_update(
    *, user: User, product: Product, distribution: Distribution | None = None, **changes: Any
) -> Product:
    """Changes the given fields; without `distribution` the current one is kept (and checked against the periods)."""
    _require_perm(user, "policy.change_product")
    values = _clean(changes)
    for name, value in values.items():
        setattr(product, name, value)
    wanted = _kept_distribution(
        product, distribution if distribution is not None else selectors.product_distribution(product)
    )
    _validate(user, product, wanted)
    with constraint_errors(_product_messages()):
        product.save(update_fields=[*values.keys(), "updated_at"])
    _save_distribution(product, wanted)
    return product


def _copy_rows(model: type[Any], source: Product, target: Product) -> int:
    """INSERT ... SELECT of a product's child rows for another product (one statement, history by triggers)."""
    quote = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key and f.name != "product"]
    names = ", ".join(quote(c) for c in columns)
    table = quote(model._meta.db_table)
    # Only identifiers from the model's own metadata are formatted in; the ids are parameters.
    sql = f"INSERT INTO {table} (product_id, {names}) SELECT %s, {names} FROM {table} WHERE product_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [target.pk, source.pk])
        return cursor.rowcount


@transaction.atomic
def product_copy(
    *,
    user: User,
    product: Product,
    code: str,
    name: str,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Product:
    """A new product with the settings, items, services and distribution of `product`."""
    _require_perm(user, "policy.add_product")
    values = {f: getattr(product, f) for f in PRODUCT_FIELDS}
    values.update(code=code, name=name, date_from=date_from or product.date_from, date_to=date_to or product.date_to)
    copy = Product(**_clean(values))
    _validate(user, copy, selectors.product_distribution(product))
    with constraint_errors(_product_messages()):
        copy.save()
    for model in (ProductItem, ProductService, RelativeDistribution):
        _copy_rows(model, product, copy)
    return copy


@transaction.atomic
def product_close(*, user: User, product: Product, on: date | None = None) -> Product:
    """Ends the product's validity today (or on `on`): it is no longer sold, and its history stays as it is."""
    _require_perm(user, "policy.change_product")
    day = on or timezone.localdate()
    if product.date_to <= day:
        raise ProductError.for_field(
            "date_to",
            _("This product already ends on %(date)s.") % {"date": date_format(product.date_to, "SHORT_DATE_FORMAT")},
            code="product_ended",
        )
    if product.date_from > day:
        raise ProductError.for_field(
            "date_from",
            _("This product is not valid yet (from %(date)s): change its dates or delete it instead.")
            % {"date": date_format(product.date_from, "SHORT_DATE_FORMAT")},
            code="product_not_started",
        )
    product.date_to = day
    product.save(update_fields=["date_to", "updated_at"])
    return product


def _in_use_message(objects: Any) -> str:
    counts: dict[str, int] = {}
    for obj in objects:
        label = str(obj._meta.verbose_name_plural)
        counts[label] = counts.get(label, 0) + 1
    used_by = ", ".join(f"{label} ({n})" for label, n in sorted(counts.items()))
    return _("This product is in use (%(used_by)s): it cannot be deleted, only closed.") % {"used_by": used_by}


@transaction.atomic
def product_delete(*, user: User, product: Product) -> None:
    """Deletes a product nothing refers to, with its lines and distribution (history keeps them)."""
    _require_perm(user, "policy.delete_product")
    converting = list(selectors.products_converting_into(product).values_list("code", flat=True)[:5])
    if converting:
        raise ProductInUseError(
            _("This product is the conversion product of %(codes)s: it cannot be deleted, only closed.")
            % {"codes": ", ".join(converting)}
        )
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError as exc:
        raise ProductInUseError(_in_use_message(exc.protected_objects)) from exc
    except RestrictedError as exc:
        raise ProductInUseError(_in_use_message(exc.restricted_objects)) from exc


# --- lines (items and services a product covers) -----------------------------------------------------------


def _line_values(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise ProductError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    choices = {"price_origin", "ceiling_exclusion_adult", "ceiling_exclusion_child"}
    choices |= {f"limitation_type{suffix}" for suffix in VISIT_SUFFIXES}
    return {name: (value or "") if name in choices else value for name, value in data.items()}


def _check_line(line: ProductItem | ProductService, target_field: str) -> None:
    values = product_rules.complete_line({name: getattr(line, name) for name in LINE_FIELDS})
    for name, value in values.items():
        setattr(line, name, value)
    _raise(product_rules.check_line(values))
    validate_fields(line, exclude=["product", target_field])


@transaction.atomic
def product_lines_add(
    *, user: User, product: Product, kind: str, codes: Sequence[str], **limitation: Any
) -> list[ProductItem | ProductService]:
    """Covers the items (kind "items") or services ("services") with these codes, all with the same limitation."""
    _require_perm(user, "policy.change_product")
    spec = LINE_KINDS[kind]
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if not wanted:
        raise ProductError.for_field("codes", _("Give at least one code."))
    found = selectors.active_targets_by_code(spec, wanted)
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ProductError.for_field(
            "codes",
            _("No active %(what)s with the code %(codes)s.") % {"what": spec.label, "codes": ", ".join(missing)},
        )
    template = spec.model(product=product, **_line_values(limitation))
    _check_line(template, spec.target_field)
    covered = set(
        spec.model.objects.filter(  # type: ignore[attr-defined]
            product=product, **{f"{spec.target_field}__in": found.values()}
        ).values_list(f"{spec.target_field}__code", flat=True)
    )
    if covered:
        raise ProductError.for_field(
            "codes", _("The product already covers %(codes)s.") % {"codes": ", ".join(sorted(covered))}
        )
    values = {name: getattr(template, name) for name in LINE_FIELDS}
    lines = [spec.model(product=product, **{spec.target_field: target}, **values) for target in found.values()]
    with constraint_errors(_line_messages(spec.model._meta.model_name or "")):
        return list(spec.model.objects.bulk_create(lines))  # type: ignore[attr-defined,arg-type]


@transaction.atomic
def product_line_update(
    *, user: User, line: ProductItem | ProductService, **changes: Any
) -> ProductItem | ProductService:
    _require_perm(user, "policy.change_product")
    values = _line_values(changes)
    for name, value in values.items():
        setattr(line, name, value)
    target_field = "item" if isinstance(line, ProductItem) else "service"
    _check_line(line, target_field)
    with constraint_errors(_line_messages(line._meta.model_name or "")):
        line.save(update_fields=list(LINE_FIELDS))
    return line


@transaction.atomic
def product_lines_remove(*, user: User, product: Product, kind: str, target_uuids: Sequence[Any]) -> int:
    """Stops covering these items or services (by their uuid); returns how many lines were removed."""
    _require_perm(user, "policy.change_product")
    spec = LINE_KINDS[kind]
    lookup = {"product": product, f"{spec.target_field}__uuid__in": list(target_uuids)}
    deleted, _by_model = spec.model.objects.filter(**lookup).delete()  # type: ignore[attr-defined]
    return deleted
