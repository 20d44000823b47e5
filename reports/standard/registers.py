"""Registers reports: the status of the registers per region and district, user activity from the history tables,
and the photos refused at upload."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BigIntegerField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pghistory.models import Context, Event

from insuree.models import Family, Insuree, PhotoRejection
from location.models import (
    FacilityLevel,
    FacilityStatus,
    HealthFacility,
    HealthFacilityUserObjectPermission,
    Location,
    LocationType,
    LocationUserObjectPermission,
)
from location.scope import Scope, scope_of
from openimis.accounts.models import User
from payer.models import Payer
from policy.models import Product

from ..base import (
    LIST_LIMIT,
    Report,
    ReportData,
    ReportParams,
    code_label,
    limited,
    reading_db,
    totals,
    users_in_scope,
)

# --- status of registers -----------------------------------------------------------------------------------------

# (key, column label) in the order of the report; the labels are translated when the report runs.
STATUS_COLUMNS = (
    ("villages", gettext_lazy("Villages")),
    ("families", gettext_lazy("Families")),
    ("insurees", gettext_lazy("Insurees")),
    ("hospitals", gettext_lazy("Hospitals")),
    ("health_centres", gettext_lazy("Health centres")),
    ("dispensaries", gettext_lazy("Dispensaries")),
    ("priced", gettext_lazy("Facilities with price lists")),
    ("users", gettext_lazy("Users")),
    ("officers", gettext_lazy("Enrolment officers")),
    ("payers", gettext_lazy("Payers")),
    ("products", gettext_lazy("Products")),
)
STATUS_KEYS = [key for key, _label in STATUS_COLUMNS]
# people granted several districts count in each: their column has no total
NO_TOTAL = ("users", "officers")

Grouped = Iterable[Mapping[str, Any]]


def area_of(path: str) -> Cast:
    """The id of the district of a location path (a district or anything below it), or of the region for a region's
    own path: the second id of the path, else the first."""

    def part(n: int) -> Func:
        return Func(F(path), Value("."), Value(n), function="split_part")

    return Cast(Coalesce(NullIf(part(2), Value("")), part(1)), BigIntegerField())


def _scopes(user: User, params: ReportParams) -> list[Scope]:
    """The user's scope and, when the report is for one region or district, that location as a scope of its own:
    each row must be in both."""
    scopes = [scope_of(user)]
    if params.location is not None:
        scopes.append(Scope(location_paths=(params.location.path,)))
    return scopes


def _facilities(db: str, scopes: list[Scope]) -> Grouped:
    qs = HealthFacility.objects.using(db).filter(status=FacilityStatus.ACTIVE)
    for scope in scopes:
        qs = qs.filter(scope.facility_q())
    priced = Q(price_lists__items_price_list__isnull=False, price_lists__services_price_list__isnull=False)
    return (
        qs.values(area=F("district_id"))
        .annotate(
            hospitals=Count("pk", filter=Q(level=FacilityLevel.HOSPITAL)),
            health_centres=Count("pk", filter=Q(level=FacilityLevel.HEALTH_CENTRE)),
            dispensaries=Count("pk", filter=Q(level=FacilityLevel.DISPENSARY)),
            priced=Count("pk", filter=priced),
        )
        .order_by()
    )


def _villages(db: str, scopes: list[Scope]) -> Grouped:
    qs = Location.objects.using(db).active().filter(type=LocationType.VILLAGE)
    for scope in scopes:
        qs = qs.filter(scope.location_q())
    return qs.values(area=area_of("path")).annotate(villages=Count("pk")).order_by()


def _families(db: str, scopes: list[Scope]) -> Grouped:
    qs = Family.objects.using(db).all()
    for scope in scopes:
        qs = qs.filter(scope.location_q("village__"))
    return qs.values(area=area_of("village__path")).annotate(families=Count("pk")).order_by()


def _insurees(db: str, user: User, params: ReportParams) -> Grouped:
    """Insurees where they are seen (`visible_to`): by their family's village, else by their current village."""
    qs = (
        Insuree.objects.using(db)
        .visible_to(user)
        .annotate(home=Coalesce("family__village__path", "current_village__path"))
    )
    if params.location is not None:
        qs = qs.filter(home__startswith=params.location.path)
    return qs.values(area=area_of("home")).annotate(insurees=Count("pk")).order_by()


def _users(db: str, scopes: list[Scope]) -> Grouped:
    """Active users by the area of each grant (a location grant in the district or below it, or on the region
    itself; a facility grant in the facility's district), each user once per area; officers are those whose role
    sells policies (as `policy_selectors.officer_choices` tells them)."""
    sellers = User.objects.using(db).filter(
        pk=OuterRef("user_id"),
        groups__permissions__codename="add_policy",
        groups__permissions__content_type__app_label="policy",
    )
    located = LocationUserObjectPermission.objects.using(db).filter(
        permission__codename="scope_location", user__is_active=True, content_object__is_active=True
    )
    placed = HealthFacilityUserObjectPermission.objects.using(db).filter(
        permission__codename="scope_healthfacility", user__is_active=True
    )
    for scope in scopes:
        located = located.filter(scope.location_q("content_object__"))
        placed = placed.filter(scope.facility_q("content_object__"))
    grants = (
        located.annotate(area=area_of("content_object__path"), sells=Exists(sellers))
        .values_list("area", "user_id", "sells")
        .union(
            placed.annotate(area=F("content_object__district_id"), sells=Exists(sellers)).values_list(
                "area", "user_id", "sells"
            )
        )
    )
    try:
        sql, sql_params = grants.query.get_compiler(using=db).as_sql()
    except EmptyResultSet:  # an area that holds no grant at all (a user with no area)
        return []
    with connections[db].cursor() as cursor:
        cursor.execute(
            f"SELECT area, count(*), count(*) FILTER (WHERE sells) FROM ({sql}) AS g GROUP BY area",  # noqa: S608
            sql_params,
        )
        return [{"area": area, "users": users, "officers": officers} for area, users, officers in cursor.fetchall()]


def _payers(db: str, scopes: list[Scope]) -> Grouped:
    qs = Payer.objects.using(db).filter(is_active=True)
    for scope in scopes:
        qs = qs.filter(scope.serving_q("location"))
    return qs.values(area=area_of("location__path")).annotate(payers=Count("pk")).order_by()


def _products(db: str, scopes: list[Scope], today: date) -> Grouped:
    qs = Product.objects.using(db).valid_on(today)
    for scope in scopes:
        qs = qs.filter(scope.serving_q("location"))
    return qs.values(area=area_of("location__path")).annotate(products=Count("pk")).order_by()


def _status_counts(found: dict[str, int]) -> list[int]:
    return [found.get(key, 0) for key in STATUS_KEYS]


def registers_status(*, user: User, params: ReportParams) -> ReportData:
    """The registers as they are today, one line per active district in the user's area (or in the chosen region or
    district), even when all its counts are nil:
    - villages: active villages; families: all; insurees: all, placed by their family's village (by their current
      village when they have no family);
    - hospitals, health centres, dispensaries: active facilities of the district by level; facilities with price
      lists: active ones that use both an items and a services price list;
    - users: active users with a grant in the district (on it, below it, or on one of its facilities); enrolment
      officers: those of them whose role sells policies. A user granted several districts counts in each;
    - payers: active payers bound to the district; products: products bound to it and valid today.
    A region's own line (no district) counts what is bound to the region itself (users granted the whole region,
    its payers and products); the "National" line the payers and products bound to no location. Payers and products
    of a region or of the nation are shown to a district's users too, as they serve that district.
    """
    db = reading_db()
    scopes = _scopes(user, params)
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    families = (
        _villages(db, scopes),
        _families(db, scopes),
        _insurees(db, user, params),
        _facilities(db, scopes),
        _users(db, scopes),
        _payers(db, scopes),
        _products(db, scopes, timezone.localdate()),
    )
    for grouped in families:
        for found in grouped:
            counts[found["area"]].update({key: n for key, n in found.items() if key != "area"})
    districts = Location.objects.using(db).active().filter(type=LocationType.DISTRICT)
    for scope in scopes:
        districts = districts.filter(scope.location_q())
    areas = (
        Location.objects.using(db)
        .filter(Q(pk__in=[a for a in counts if a is not None]) | Q(pk__in=districts.values("pk")))
        .values_list("pk", "type", "code", "name", "parent__code", "parent__name")
    )
    lines: list[tuple[tuple[int, str, str], list[Any]]] = []
    for pk, kind, code, name, parent_code, parent_name in areas:
        if kind == LocationType.REGION:
            lines.append(((1, code, ""), [code_label(code, name), "", *_status_counts(counts[pk])]))
        else:
            head = [code_label(parent_code, parent_name), code_label(code, name)]
            lines.append(((1, parent_code, code), [*head, *_status_counts(counts[pk])]))
    if None in counts:
        lines.append(((0, "", ""), [_("National"), "", *_status_counts(counts[None])]))
    rows = [row for _order, row in sorted(lines, key=lambda line: line[0])]
    total = totals(rows, first=2)
    if total is not None:
        for i, key in enumerate(STATUS_KEYS, start=2):
            if key in NO_TOTAL:
                total[i] = ""
    columns = [_("Region"), _("District"), *(str(label) for _k, label in STATUS_COLUMNS)]
    return ReportData(_("Status of registers"), columns, rows, total)


# --- user activity -------------------------------------------------------------------------------------------------

ACTIONS = ("insert", "update", "delete")


def _period(params: ReportParams) -> tuple[datetime, datetime]:
    """The period as [start, end) instants in the scheme's time zone: from the first day's midnight to the midnight
    after the last day."""
    assert params.date_from and params.date_to
    zone = timezone.get_current_timezone()
    start = datetime.combine(params.date_from, time.min, tzinfo=zone)
    return start, datetime.combine(params.date_to + timedelta(days=1), time.min, tzinfo=zone)


def event_models() -> list[type[Event]]:
    """Every history table (one per tracked model), in a stable order."""
    found = [m for m in apps.get_models() if issubclass(m, Event) and not m._meta.proxy]
    return sorted(found, key=lambda m: m._meta.db_table)


def _activity(db: str, start: datetime, end: datetime, only: User | None) -> list[tuple[int, int, int, int, int]]:
    """(user id, table index, inserts, updates, deletes) of the events of the period recorded in a request or job
    naming a user (`only` that user, when given), one line per user and table.

    Each table is read for the period and joined to the contexts (one per request or job) that overlap it: a context
    is created before its first event, and its `updated_at` is moved to each later event's time."""
    quote = connections[db].ops.quote_name
    tables = event_models()
    branches = " UNION ALL ".join(
        f"SELECT {i} AS entity, pgh_label, pgh_context_id FROM {quote(m._meta.db_table)}"  # noqa: S608 - model tables
        " WHERE pgh_created_at >= %s AND pgh_created_at < %s"
        for i, m in enumerate(tables)
    )
    counts = ", ".join(f"count(*) FILTER (WHERE e.pgh_label = '{action}')" for action in ACTIONS)
    one_user = "AND (metadata ->> 'user')::bigint = %s" if only is not None else ""
    sql = f"""
        WITH ctx AS (
            SELECT id, (metadata ->> 'user')::bigint AS user_id FROM {quote(Context._meta.db_table)}
             WHERE jsonb_typeof(metadata -> 'user') = 'number' AND created_at < %s AND updated_at >= %s {one_user}
        )
        SELECT ctx.user_id, e.entity, {counts}
          FROM ({branches}) AS e JOIN ctx ON ctx.id = e.pgh_context_id
         GROUP BY ctx.user_id, e.entity
    """  # noqa: S608 - table names from the models, values as parameters
    sql_params: list[Any] = [end, start, *([only.pk] if only is not None else []), *[start, end] * len(tables)]
    with connections[db].cursor() as cursor:
        cursor.execute(sql, sql_params)
        return cursor.fetchall()


def _entity(event_model: type[Event]) -> str:
    tracked = event_model.pgh_tracked_model
    return capfirst(str(tracked._meta.verbose_name)) if tracked is not None else event_model._meta.db_table


def user_activity(*, user: User, params: ReportParams) -> ReportData:
    """Per user and entity (tracked model), how many records the user inserted, updated and deleted in the period,
    read from the history tables: an event counts when it was recorded in the period (its time) in a request or job
    of a user who works in the requesting user's area (`users_in_scope`; the chosen user only, if one is chosen).
    Changes made with no user (commands, the nightly jobs) are not counted."""
    db = reading_db()
    start, end = _period(params)
    found = _activity(db, start, end, params.user)
    users = users_in_scope(user, db).in_bulk({user_id for user_id, *_counts in found})
    entity = [_entity(m) for m in event_models()]
    rows = sorted(
        [str(users[user_id]), entity[table], *counted, sum(counted)]
        for user_id, table, *counted in found
        if user_id in users
    )
    columns = [_("User"), _("Entity"), _("Inserts"), _("Updates"), _("Deletes"), _("Total")]
    return ReportData(_("User activity"), columns, rows, totals(rows, first=2))


# --- rejected photos -----------------------------------------------------------------------------------------------


def _rejections(user: User, params: ReportParams) -> QuerySet[PhotoRejection]:
    start, end = _period(params)
    qs = PhotoRejection.objects.using(reading_db()).filter(
        scope_of(user).location_q("village__"), rejected_at__gte=start, rejected_at__lt=end
    )
    if params.location is not None:
        qs = qs.filter(village__path__startswith=params.location.path)
    if params.officer is not None:
        qs = qs.filter(uploaded_by=params.officer)
    return qs


def rejected_photos(*, user: User, params: ReportParams) -> ReportData:
    """The photo uploads refused in the period (by the time of the refusal), oldest first, of people whose village
    (their family's, else their current one, when the photo was sent) is in the user's area; narrowed to a region or
    district and to the officer who sent the photo."""
    qs = _rejections(user, params)
    found = list(qs.select_related("insuree", "village", "uploaded_by").order_by("rejected_at", "pk")[:LIST_LIMIT])
    rows = [
        [
            timezone.localtime(r.rejected_at).strftime("%Y-%m-%d %H:%M"),
            r.insurance_number,
            r.insuree.full_name if r.insuree else "—",
            code_label(r.village.code, r.village.name) if r.village else "—",
            str(r.uploaded_by),
            r.get_source_display(),
            r.reason,
        ]
        for r in found
    ]
    columns = [
        _("Refused at"),
        _("Insurance number"),
        _("Name"),
        _("Village"),
        _("Sent by"),
        _("Sent from"),
        _("Reason"),
    ]
    note = limited(rows, qs.count() if len(rows) == LIST_LIMIT else len(rows))
    return ReportData(_("Rejected photos"), columns, rows, note=note)


REPORTS = (
    Report(
        "registers_status",
        gettext_lazy("Status of registers"),
        ("location",),
        registers_status,
        description=gettext_lazy(
            "Per region and district, as of today: villages, families, insurees, health facilities by level and "
            "with price lists, users, enrolment officers, payers and products."
        ),
        required=(),
    ),
    Report(
        "user_activity",
        gettext_lazy("User activity"),
        ("date_from", "date_to", "user"),
        user_activity,
        description=gettext_lazy(
            "Per user of your area and entity, the records inserted, updated and deleted in the period."
        ),
    ),
    Report(
        "rejected_photos",
        gettext_lazy("Rejected photos"),
        ("date_from", "date_to", "location", "officer"),
        rejected_photos,
        description=gettext_lazy("The insuree photos refused at upload in the period, with the reason."),
    ),
)
