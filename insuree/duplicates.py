"""Likely duplicates among insurees: finding them, listing suspected pairs, recording "not the same person".

Rules:
- A candidate is an insuree the user may see (`Insuree.objects.visible_to`) that matches a person being
  registered for at least one reason: a similar name (both the last name and the other names are
  trigram-similar, PostgreSQL `%` on UPPER(...), the GIN index `insuree_names_trgm`) with the same date of
  birth (and the same village, family or current, when one is given); the same phone; the same identity
  document number.
- A pair an officer dismissed ("not the same person", `DuplicateDismissal`, stored smaller id first) is never
  suggested again, neither by `likely_duplicates` (when the person is known, `exclude_pk`) nor by the
  suspected-pairs list.
- Suspected pairs are people of the same date of birth whose names are both trigram-similar, both in the
  user's scope. The list is computed by one SQL statement ordered by date of birth, read a page at a time
  without counting the whole set; it is meant for district-sized scopes (see `suspected_pairs`).
- Dismissing needs `insuree.change_insuree` and both people in the user's scope; it is idempotent.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.db.models.functions import Upper
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from location.models import Location
from openimis.common.exceptions import ApplicationError, PermissionDeniedError

from .models import DuplicateDismissal, Insuree

if TYPE_CHECKING:
    from openimis.accounts.models import User

REASON_NAME = "name"
REASON_PHONE = "phone"
REASON_IDENTITY = "identity"
REASON_LABELS = {
    REASON_NAME: gettext_lazy("similar name, same date of birth and village"),
    REASON_PHONE: gettext_lazy("same phone number"),
    REASON_IDENTITY: gettext_lazy("same identity document number"),
}
_NAME_WITHOUT_VILLAGE = gettext_lazy("similar name, same date of birth")


class DuplicateError(ApplicationError):
    code = "duplicate_invalid"


@dataclass(frozen=True)
class Candidate:
    insuree: Insuree
    reasons: tuple[str, ...]
    similarity: float
    village_checked: bool = True

    @property
    def reason_labels(self) -> list[str]:
        labels = []
        for reason in self.reasons:
            if reason == REASON_NAME and not self.village_checked:
                labels.append(str(_NAME_WITHOUT_VILLAGE))
            else:
                labels.append(str(REASON_LABELS[reason]))
        return labels


def _dismissed_with(pk: int) -> Exists:
    return Exists(
        DuplicateDismissal.objects.filter(
            Q(first_id=OuterRef("pk"), second_id=pk) | Q(first_id=pk, second_id=OuterRef("pk"))
        )
    )


def likely_duplicates(
    *,
    user: "User",
    last_name: str,
    other_names: str,
    dob: date | None,
    village: Location | int | None = None,
    phone: str = "",
    identity_number: str = "",
    exclude_pk: int | None = None,
    limit: int = 10,
) -> list[Candidate]:
    """The insurees in the user's scope who may be the person described, most reasons first."""
    last, other = last_name.strip().upper(), other_names.strip().upper()
    phone, identity_number = phone.strip(), identity_number.strip()
    village_id = village.pk if isinstance(village, Location) else village
    conditions: dict[str, Q] = {}
    if last and other and dob is not None:
        name_q = Q(dob=dob, _ulast__trigram_similar=last, _uother__trigram_similar=other)
        if village_id is not None:
            name_q &= Q(current_village_id=village_id) | Q(family__village_id=village_id)
        conditions[REASON_NAME] = name_q
    if phone:
        conditions[REASON_PHONE] = Q(phone=phone) & ~Q(phone="")
    if identity_number:
        conditions[REASON_IDENTITY] = Q(identity_number=identity_number) & ~Q(identity_number="")
    if not conditions:
        return []
    any_reason = Q(pk__in=[])
    for condition in conditions.values():
        any_reason |= condition
    qs = (
        Insuree.objects.visible_to(user)
        .annotate(_ulast=Upper("last_name"), _uother=Upper("other_names"))
        .filter(any_reason)
        .select_related("family__village", "current_village")
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk).exclude(_dismissed_with(exclude_pk))
    flags = {f"_r_{key}": ExpressionWrapper(q, output_field=BooleanField()) for key, q in conditions.items()}
    similarity: Any = Value(0.0)
    if last and other:
        similarity = (TrigramSimilarity(Upper("last_name"), last) + TrigramSimilarity(Upper("other_names"), other)) / 2
    qs = qs.annotate(**flags, _similarity=similarity).order_by("-_similarity", "pk")[: limit * 3]
    candidates = [
        Candidate(
            insuree=row,
            reasons=tuple(key for key in conditions if getattr(row, f"_r_{key}")),
            similarity=float(row._similarity),  # type: ignore[attr-defined]
            village_checked=village_id is not None,
        )
        for row in qs
    ]
    candidates.sort(key=lambda c: (-len(c.reasons), -c.similarity, c.insuree.pk))
    return candidates[:limit]


# --- suspected pairs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuspectedPair:
    first: Insuree
    second: Insuree
    similarity: float


_PAIRS_SQL = """
WITH s AS MATERIALIZED (
    SELECT i.id, i.dob, UPPER(i.last_name) AS l, UPPER(i.other_names) AS o FROM insuree_insuree i {scope}
)
SELECT a.id, b.id, (similarity(a.l, b.l) + similarity(a.o, b.o)) / 2 AS score
FROM s a
JOIN s b ON b.dob = a.dob AND b.id > a.id
WHERE a.l %% b.l AND a.o %% b.o
  AND NOT EXISTS (SELECT 1 FROM insuree_duplicatedismissal d WHERE d.first_id = a.id AND d.second_id = b.id)
ORDER BY a.dob DESC, a.id, b.id
LIMIT %s OFFSET %s
"""


def suspected_pairs(*, user: "User", offset: int = 0, limit: int = 50) -> list[SuspectedPair]:
    """A page of same-birthday pairs with similar names in the user's scope (ask `limit` + 1: a next page?).

    The people in scope are read once (a district: tens of thousands), then paired by a hash join on the date
    of birth; only same-birthday pairs are compared by trigrams. At national scope (a million people) this
    compares some 17 million pairs and takes tens of seconds: a nightly job storing the pairs is the way there.
    """
    from location.scope import scope_of

    scope_sql, scope_params = "", []
    if not scope_of(user).national:  # national scope: no filter at all
        sub_sql, sub_params = Insuree.objects.visible_to(user).values("pk").query.sql_with_params()
        scope_sql, scope_params = f"WHERE i.id IN ({sub_sql})", list(sub_params)
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_SQL.format(scope=scope_sql), [*scope_params, limit, offset])
        rows = cursor.fetchall()
    people = Insuree.objects.select_related("family__village", "current_village").in_bulk(
        {pk for row in rows for pk in row[:2]}
    )
    return [SuspectedPair(people[a], people[b], float(score)) for a, b, score in rows if a in people and b in people]


# --- dismissal ---------------------------------------------------------------------------------------------


def access_insuree_for_duplicates(user: "User", uuid: Any) -> Insuree:
    try:
        return Insuree.objects.visible_to(user).get(uuid=uuid)
    except (Insuree.DoesNotExist, ValueError) as exc:
        raise Http404("No such insuree") from exc


@transaction.atomic
def duplicate_dismiss(*, user: "User", first: Insuree, second: Insuree, note: str = "") -> DuplicateDismissal:
    """Records that two insurees are not the same person (ordered pair, recorded once)."""
    if not user.has_perm("insuree.change_insuree"):
        raise PermissionDeniedError(_("You may not change insurees."))
    if first.pk == second.pk:
        raise DuplicateError(_("A person cannot be a duplicate of themselves."))
    visible = set(Insuree.objects.visible_to(user).filter(pk__in=[first.pk, second.pk]).values_list("pk", flat=True))
    if visible != {first.pk, second.pk}:
        raise PermissionDeniedError(_("Both people must be in your area."))
    low, high = sorted((first.pk, second.pk))
    existing = DuplicateDismissal.objects.filter(first_id=low, second_id=high).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return DuplicateDismissal.objects.create(
                first_id=low, second_id=high, dismissed_by=user, note=note.strip()[:200]
            )
    except IntegrityError:  # dismissed by someone else at the same moment
        return DuplicateDismissal.objects.get(first_id=low, second_id=high)


def is_dismissed(first_pk: int, second_pk: int) -> bool:
    low, high = sorted((first_pk, second_pk))
    return DuplicateDismissal.objects.filter(first_id=low, second_id=high).exists()
