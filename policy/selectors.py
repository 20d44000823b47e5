"""Reads for pages, the API and reports: products always scoped to the requesting user."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Upper
from django.utils.text import capfirst

from insuree.models import Family
from location.models import Location, LocationType
from openimis.accounts.models import User
from openimis.common.history import Change, HistoryEntry, history_of

from .models import LINE_FIELDS, LINE_KINDS, LineKind, Product, ProductItem, ProductService, RelativeDistribution


def _count_of(model: type[ProductItem] | type[ProductService]) -> Coalesce:
    counts = (
        model.objects.filter(product=OuterRef("pk")).order_by().values("product").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def products_for(
    user: User,
    *,
    q: str = "",
    location: Location | None = None,
    national: bool | None = None,
    valid_on: date | None = None,
) -> QuerySet[Product]:
    """Products the user sees; `location`: those sold there (national ones, its own and those of the areas above)."""
    qs = Product.objects.visible_to(user).select_related("location")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if location is not None:
        above = [int(part) for part in location.path.split(".") if part]
        qs = qs.filter(Q(location__isnull=True) | Q(location_id__in=above))
    if national is not None:
        qs = qs.filter(location__isnull=national)
    if valid_on is not None:
        qs = qs.valid_on(valid_on)
    return qs.order_by("code")


def products_with_counts(qs: QuerySet[Product]) -> QuerySet[Product]:
    return qs.annotate(item_count=_count_of(ProductItem), service_count=_count_of(ProductService))


def product_lines(product: Product, kind: LineKind, *, q: str = "") -> QuerySet[Any]:
    target = kind.target_field
    qs = kind.model.objects.filter(product=product).select_related(target)  # type: ignore[attr-defined]
    if q:
        qs = qs.filter(Q(**{f"{target}__code__icontains": q}) | Q(**{f"{target}__name__icontains": q}))
    return qs.order_by(f"{target}__code")


def active_targets_by_code(kind: LineKind, codes: list[str]) -> dict[str, Any]:
    """Active items or services whose code is one of `codes` (case-insensitive), keyed by the upper-cased code."""
    wanted = {c.upper() for c in codes}
    qs = kind.target_model.objects.filter(is_active=True).annotate(ucode=Upper("code")).filter(ucode__in=wanted)
    return {row.ucode: row for row in qs}


def product_distribution(product: Product) -> dict[str, list[Decimal]]:
    """Care type -> percentages in period order."""
    out: dict[str, list[Decimal]] = {}
    for care, percent in RelativeDistribution.objects.filter(product=product).values_list("care_type", "percent"):
        out.setdefault(care, []).append(percent)
    return out


def products_converting_into(product: Product) -> QuerySet[Product]:
    return Product.objects.filter(conversion_product=product).order_by("code")


def location_choices(user: User) -> QuerySet[Location]:
    """Regions and districts a product may belong to, for this user."""
    return (
        Location.objects.visible_to(user)
        .active()
        .filter(type__in=[LocationType.REGION, LocationType.DISTRICT])
        .order_by("path")
    )


def conversion_choices(user: User, product: Product | None = None) -> QuerySet[Product]:
    qs = Product.objects.visible_to(user).order_by("code")
    return qs.exclude(pk=product.pk) if product is not None and product.pk else qs


# --- history -------------------------------------------------------------------------------------------------


@dataclass
class LineHistoryEntry:
    at: datetime
    action: str
    user: User | None
    kind: str
    target: str  # the item or service; for a group, the first codes
    changes: list[Change] = field(default_factory=list)
    count: int = 1  # lines added or removed together (one request, one kind)


def _label(model: Any, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _display(model: Any, name: str, value: Any) -> Any:
    f = model._meta.get_field(name)
    if value is None or value == "":
        return "—"
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    return value


def _line_events(product: Product, kind: LineKind, limit: int) -> list[tuple[Any, LineKind, Any, Any]]:
    """(event, kind, item or service, previous event of the same line) of the latest changes of one kind."""
    event_model = apps.get_model("policy", f"{kind.model.__name__}Event")
    recent = list(
        event_model.objects.filter(product_id=product.pk)
        .select_related("pgh_context")
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    updated = {e.pgh_obj_id for e in recent if e.pgh_label == "update"}
    previous: dict[int, Any] = {}
    last_of: dict[int, Any] = {}
    for event in event_model.objects.filter(pgh_obj_id__in=updated).order_by("pgh_id"):
        previous[event.pgh_id] = last_of.get(event.pgh_obj_id)
        last_of[event.pgh_obj_id] = event
    target_field = f"{kind.target_field}_id"
    targets = kind.target_model.objects.in_bulk({getattr(e, target_field) for e in recent})
    return [(e, kind, targets.get(getattr(e, target_field)), previous.get(e.pgh_id)) for e in recent]


def product_line_history(product: Product, *, limit: int = 100, events: int = 2000) -> list[LineHistoryEntry]:
    """The latest changes to the items and services a product covers, newest first (removed lines included).

    Lines added or removed together (same request or job, same kind) make one entry.
    """
    raw = [row for kind in LINE_KINDS.values() for row in _line_events(product, kind, events)]
    raw.sort(key=lambda r: (r[0].pgh_created_at, r[0].pgh_id), reverse=True)
    user_ids = {
        int(r[0].pgh_context.metadata["user"])
        for r in raw
        if r[0].pgh_context and r[0].pgh_context.metadata.get("user")
    }
    users = User.objects.in_bulk(user_ids)
    entries: list[LineHistoryEntry] = []
    codes: list[str] = []
    last_key: tuple[Any, ...] | None = None
    for event, kind, target, before in raw:
        code = target.code if target else "—"
        key = (event.pgh_context_id, event.pgh_label, kind.key)
        if event.pgh_label in ("insert", "delete") and key == last_key and event.pgh_context_id:
            entries[-1].count += 1
            codes.append(code)
            entries[-1].target = ", ".join(sorted(codes)[:8]) + (" …" if len(codes) > 8 else "")
            continue
        if len(entries) == limit:
            break
        last_key, codes = key, [code]
        changes = []
        if event.pgh_label == "update" and before is not None:
            changes = [
                Change(
                    _label(kind.model, n),
                    _display(kind.model, n, getattr(before, n)),
                    _display(kind.model, n, getattr(event, n)),
                )
                for n in LINE_FIELDS
                if getattr(before, n) != getattr(event, n)
            ]
        metadata = event.pgh_context.metadata if event.pgh_context else {}
        user_id = metadata.get("user")
        entries.append(
            LineHistoryEntry(
                at=event.pgh_created_at,
                action=event.pgh_label,
                user=users.get(int(user_id)) if user_id else None,
                kind=kind.label,
                target=str(target) if target else "—",
                changes=changes,
            )
        )
    return entries


def product_history(product: Product) -> tuple[list[HistoryEntry], list[LineHistoryEntry]]:
    """The product's own changes (its creation lists only the values given) and those of its lines."""
    entries = history_of(product)
    for entry in entries:
        if entry.action == "insert":
            entry.changes = [c for c in entry.changes if c.after != "—"]
    return entries, product_line_history(product)


def products_for_family(user: User, family: Family, *, valid_on: date | None = None) -> QuerySet[Product]:
    """Products the family may buy: national ones and those of its village's district or region (the user's scope
    does not narrow this: an officer sells the products of the family's area)."""
    village = family.village
    above = [int(part) for part in village.path.split(".") if part]
    qs = Product.objects.filter(Q(location__isnull=True) | Q(location_id__in=above))
    if valid_on is not None:
        qs = qs.valid_on(valid_on)
    return qs.order_by("code")
