"""Insuree reports: families and insurees overview, pending insurees, insurees without photo.

A person's place is the village of their family, or their current village when they have no family (as
`Insuree.objects.visible_to` decides the scope); a family's place is its village. "Registered" is the day the
record was created (`created_at`, in the local time zone)."""

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from insuree.models import Gender, Insuree, InsureeStatus
from location.models import Location, LocationType
from openimis.accounts.models import User
from policy.models import InsureePolicy, PolicyStatus

from ..base import LIST_LIMIT, Report, ReportData, ReportParams, code_label, limited, reading_db, totals

# the depth, in a location path ("<region>.<district>.<municipality>.<village>."), of each level a row may stand for
REGION, DISTRICT, VILLAGE = 1, 2, 4


def _home(field: str) -> Coalesce:
    """A field of the person's place: their family's village, else their current village."""
    return Coalesce(f"family__village__{field}", f"current_village__{field}")


def _registered_in(params: ReportParams, field: str = "created_at") -> Q:
    """Rows created (`field`) on a day of the period, in the local time zone."""
    assert params.date_from and params.date_to
    start = timezone.make_aware(datetime.combine(params.date_from, time.min))
    end = timezone.make_aware(datetime.combine(params.date_to + timedelta(days=1), time.min))
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _people(user: User, params: ReportParams) -> QuerySet[Any]:
    """The insurees in the user's area, living in the location parameter."""
    qs: QuerySet[Any] = Insuree.objects.using(reading_db()).visible_to(user)
    if params.location is not None:
        path = params.location.path
        qs = qs.filter(
            Q(family__village__path__startswith=path) | Q(family__isnull=True, current_village__path__startswith=path)
        )
    return qs


def _covered_today() -> Exists:
    """The person is covered today: a cover of theirs whose policy is active, in force from its effective date to its
    expiry date (as the eligibility enquiry says)."""
    today = timezone.localdate()
    return Exists(
        InsureePolicy.objects.filter(
            insuree=OuterRef("pk"),
            policy__status=PolicyStatus.ACTIVE,
            effective_date__lte=today,
            expiry_date__gte=today,
        )
    )


def _rolled_up(by_village: dict[int, list[int]], depths: tuple[int, ...]) -> list[list[Any]]:
    """The counts of each village added up per location at the deepest of `depths` (a district, or the village itself),
    each row led by the labels ("code · name") of the locations at `depths` of its path; sorted by those labels."""
    db = reading_db()
    paths = Location.objects.using(db).filter(pk__in=by_village).values_list("pk", "path")
    lines = {pk: tuple(int(part) for part in path.split(".") if part) for pk, path in paths}
    sums: dict[tuple[int, ...], list[int]] = {}
    for village, counts in by_village.items():
        key = tuple(lines[village][d - 1] for d in depths)
        sums[key] = [a + b for a, b in zip(sums.get(key, [0] * len(counts)), counts, strict=True)]
    places = Location.objects.using(db).in_bulk({pk for key in sums for pk in key})
    return sorted([*(code_label(places[pk].code, places[pk].name) for pk in k), *counts] for k, counts in sums.items())


def families_insurees_overview(*, user: User, params: ReportParams) -> ReportData:
    """Per region and district (per village of the district when the location parameter is a district), as of today:
    the families living there, those registered in the period, the active insurees (status Active; inactive and
    deceased people are left out), men and women among them, and the active insurees covered today (an active policy
    in force today). Each family is counted once through its head, who is always one of its members. The people are
    counted per village in SQL, and the villages added up per district."""
    by_village = params.location is not None and params.location.type == LocationType.DISTRICT
    depths = (REGION, DISTRICT, VILLAGE) if by_village else (REGION, DISTRICT)
    active = Q(status=InsureeStatus.ACTIVE)
    head = Q(family__head=F("pk"))
    people = (
        _people(user, params)
        .filter(Q(family__isnull=False) | Q(current_village__isnull=False))
        .annotate(village=Coalesce("family__village_id", "current_village_id"))
        .values("village")
    )
    counted = people.annotate(
        families=Count("pk", filter=head),
        enrolled=Count("pk", filter=head & _registered_in(params, "family__created_at")),
        insurees=Count("pk", filter=active),
        men=Count("pk", filter=active & Q(gender=Gender.MALE)),
        women=Count("pk", filter=active & Q(gender=Gender.FEMALE)),
    ).order_by()
    covered = dict(
        people.filter(active, _covered_today()).annotate(n=Count("pk")).order_by().values_list("village", "n")
    )
    measures = ("families", "enrolled", "insurees", "men", "women")
    by_village_counts = {g["village"]: [*(g[m] for m in measures), covered.get(g["village"], 0)] for g in counted}
    rows = _rolled_up(by_village_counts, depths)
    columns = [
        _("Region"),
        _("District"),
        *([_("Village")] if by_village else []),
        _("Families"),
        _("Families enrolled in the period"),
        _("Insurees"),
        _("Men"),
        _("Women"),
        _("Insurees covered today"),
    ]
    return ReportData(_("Families and insurees overview"), columns, rows, totals(rows, first=len(depths)))


def _listed(qs: QuerySet[Any], fields: tuple[str, ...]) -> tuple[list[tuple[Any, ...]], int]:
    """The first LIST_LIMIT people of `qs` by village, then name (with `fields`), and how many there are in all
    (counted only when the list is full)."""
    ordered = qs.annotate(
        village_code=_home("code"),
        village_name=_home("name"),
        head_number=Subquery(
            Insuree.objects.filter(pk=OuterRef("family__head_id")).order_by().values("insurance_number")
        ),
        registered_on=TruncDate("created_at"),
    ).order_by("village_code", "last_name", "other_names", "insurance_number")
    found = list(ordered.values_list(*fields)[:LIST_LIMIT])
    return found, qs.count() if len(found) == LIST_LIMIT else len(found)


def _village(code: str | None, name: str | None) -> str:
    return code_label(code, name or "") if code else ""


def pending_insurees(*, user: User, params: ReportParams) -> ReportData:
    """Active insurees registered in the period who are covered by no policy at all: no cover row (InsureePolicy), not
    even of an unpaid or expired policy; by village, then name."""
    never_covered = ~Exists(InsureePolicy.objects.filter(insuree=OuterRef("pk")))
    qs = _people(user, params).filter(_registered_in(params), never_covered, status=InsureeStatus.ACTIVE)
    fields = (
        "insurance_number",
        "other_names",
        "last_name",
        "gender",
        "dob",
        "village_code",
        "village_name",
        "head_number",
        "registered_on",
    )
    found, total = _listed(qs, fields)
    rows: list[list[Any]] = [
        [number, f"{other} {last}", str(Gender(gender).label), dob, _village(v_code, v_name), head or "", day]
        for number, other, last, gender, dob, v_code, v_name, head, day in found
    ]
    columns = [
        _("Insurance number"),
        _("Name"),
        _("Gender"),
        _("Date of birth"),
        _("Village"),
        _("Family head"),
        _("Registered on"),
    ]
    return ReportData(_("Pending insurees"), columns, rows, note=limited(rows, total))


def insurees_without_photo(*, user: User, params: ReportParams) -> ReportData:
    """Active insurees registered in the period who have no photo; by village, then name."""
    qs = _people(user, params).filter(_registered_in(params), photo="", status=InsureeStatus.ACTIVE)
    fields = (
        "village_code",
        "village_name",
        "insurance_number",
        "other_names",
        "last_name",
        "gender",
        "head_number",
        "card_issued",
    )
    found, total = _listed(qs, fields)
    rows: list[list[Any]] = [
        [
            _village(v_code, v_name),
            number,
            f"{other} {last}",
            str(Gender(gender).label),
            head or "",
            _("Yes") if card else _("No"),
        ]
        for v_code, v_name, number, other, last, gender, head, card in found
    ]
    columns = [
        _("Village"),
        _("Insurance number"),
        _("Name"),
        _("Gender"),
        _("Family head"),
        _("Card issued"),
    ]
    return ReportData(_("Insurees without photo"), columns, rows, note=limited(rows, total))


LOCATION_PERIOD = ("date_from", "date_to", "location")

REPORTS = (
    Report(
        "families_insurees_overview",
        gettext_lazy("Families and insurees overview"),
        LOCATION_PERIOD,
        families_insurees_overview,
        description=gettext_lazy(
            "Families and insurees per region and district (per village of a district): men, women, families "
            "enrolled in the period, insurees covered today."
        ),
    ),
    Report(
        "pending_insurees",
        gettext_lazy("Pending insurees"),
        LOCATION_PERIOD,
        pending_insurees,
        description=gettext_lazy("Insurees registered in the period who are covered by no policy."),
    ),
    Report(
        "insurees_without_photo",
        gettext_lazy("Insurees without photo"),
        LOCATION_PERIOD,
        insurees_without_photo,
        description=gettext_lazy("Active insurees registered in the period who have no photo, by village."),
    ),
)
