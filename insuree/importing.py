"""Reading and checking a file of families and their members, with no database access (the caller supplies
what exists).

File format: CSV (UTF-8, comma or semicolon separated) or XLSX (first sheet), a header row naming the columns
in any order (see `openimis.common.tabular`), then one row per person:

    column           required  meaning
    family_ref       yes       any text grouping the rows of one family (the same value on each member's row)
    is_head          yes       1 on the row of the head of the family, 0 or empty on the other members
    village_code     head      code of the family's village (a village in your area); on a member's row it may
                               be empty (the family's village) or another village (where the member lives now)
    insurance_number no        the number on the person's card; empty: a new number is generated
    last_name        yes       at most 100 characters
    other_names      yes       at most 100 characters
    gender           yes       M, F or O
    dob              yes       date of birth, YYYY-MM-DD (or a date cell in XLSX)
    relationship     no        relationship to the head: 1 brother/sister, 2 father/mother, 3 uncle/aunt,
                               4 son/daughter, 5 grandparent, 6 employee, 7 other, 8 spouse (empty for the head)
    marital_status   no        N, S, M, D or W
    phone            no        at most 50 characters
    email            no
    identity_type    no        D driving licence, N national id, P passport, V voter card
    identity_number  no        at most 25 characters
    poverty          no        head row: 1/yes or 0/no (empty: unknown)
    family_type      no        head row: H, C, G, P, S, T or O
    address          no        head row: the family's address (at most 200 characters)

Rows are numbered as the spreadsheet shows them (the header is usually row 1).
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from openimis.common.tabular import Table

from .models import FamilyType, Gender, IdentityType, MaritalStatus, Relationship
from .numbers import NumberScheme

REQUIRED_COLUMNS = ("family_ref", "is_head", "village_code", "last_name", "other_names", "gender", "dob")
COLUMNS = (
    "family_ref",
    "is_head",
    "village_code",
    "insurance_number",
    "last_name",
    "other_names",
    "gender",
    "dob",
    "relationship",
    "marital_status",
    "phone",
    "email",
    "identity_type",
    "identity_number",
    "poverty",
    "family_type",
    "address",
)
EXAMPLE_ROWS = (
    ("F1", "1", "V0101001", "", "Mwangi", "Joseph Kamau", "M", "1980-04-12", "", "M", "+255712345678", "", "N",
     "19800412-00001", "1", "H", "Plot 12"),
    ("F1", "0", "", "", "Mwangi", "Grace Wanjiru", "F", "1984-09-30", "8", "M", "", "", "", "", "", "", ""),
)  # fmt: skip
TRUE_WORDS = {"1", "yes", "y", "true", "oui"}
FALSE_WORDS = {"0", "no", "n", "false", "non", ""}
EARLIEST_DOB = date(1900, 1, 1)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class PersonRow:
    row: int
    family_ref: str
    is_head: bool
    village_code: str
    insurance_number: str
    last_name: str
    other_names: str
    gender: str
    dob: date | None
    relationship: int | None
    marital_status: str
    phone: str
    email: str
    identity_type: str
    identity_number: str
    poverty: bool | None
    family_type: str
    address: str


def _choice(value: str, choices: Mapping[str, object] | set[str]) -> str | None:
    upper = value.upper()
    return upper if upper in choices else None


def read_rows(table: Table, *, today: date) -> tuple[list[PersonRow], list[RowError]]:
    """Each row's own fields checked; families and numbers are checked across rows by `check_rows`."""
    rows: list[PersonRow] = []
    errors: list[RowError] = []
    genders = set(Gender.values)
    maritals = set(MaritalStatus.values)
    identity_types = set(IdentityType.values)
    family_types = set(FamilyType.values)
    relationships = {str(v) for v in Relationship.values}
    for raw in table.rows:
        n = raw.number

        def bad(field: str, message: str, n: int = n) -> None:
            errors.append(RowError(n, field, message))

        get = raw.get
        family_ref = get("family_ref")
        if not family_ref:
            bad("family_ref", _("The family reference is empty."))
        head_word = get("is_head").lower()
        if head_word not in TRUE_WORDS | FALSE_WORDS:
            bad("is_head", _("Write 1 for the head of the family, 0 or nothing for a member."))
        names = {}
        for column in ("last_name", "other_names"):
            value = get(column)
            if not value:
                bad(column, _("The name is empty."))
            elif len(value) > 100:
                bad(column, _("The name is longer than 100 characters."))
            names[column] = value
        gender = _choice(get("gender"), genders)
        if gender is None:
            bad("gender", _("Unknown gender %r; use M, F or O.") % get("gender"))
        dob: date | None = None
        try:
            dob = date.fromisoformat(get("dob")[:10]) if get("dob") else None
        except ValueError:
            dob = None
        if dob is None:
            bad("dob", _("The date of birth must be a date written YYYY-MM-DD."))
        elif dob > today:
            bad("dob", _("The date of birth is in the future."))
            dob = None
        elif dob < EARLIEST_DOB:
            bad("dob", _("The date of birth is before 1900."))
            dob = None
        relationship: int | None = None
        if get("relationship"):
            if get("relationship") in relationships:
                relationship = int(get("relationship"))
            else:
                bad("relationship", _("Unknown relationship code %r; use 1 to 8.") % get("relationship"))
        marital = MaritalStatus.NOT_SPECIFIED.value
        if get("marital_status"):
            marital = _choice(get("marital_status"), maritals) or ""
            if not marital:
                bad("marital_status", _("Unknown marital status; use N, S, M, D or W."))
        identity_type = ""
        if get("identity_type"):
            identity_type = _choice(get("identity_type"), identity_types) or ""
            if not identity_type:
                bad("identity_type", _("Unknown identity document type; use D, N, P or V."))
        if len(get("identity_number")) > 25:
            bad("identity_number", _("The identity document number is longer than 25 characters."))
        if len(get("phone")) > 50:
            bad("phone", _("The phone number is longer than 50 characters."))
        email = get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                bad("email", _("This is not an e-mail address."))
            if len(email) > 100:
                bad("email", _("The e-mail address is longer than 100 characters."))
        poverty_word = get("poverty").lower()
        poverty: bool | None = None
        if poverty_word in TRUE_WORDS:
            poverty = True
        elif poverty_word and poverty_word in FALSE_WORDS:
            poverty = False
        elif poverty_word:
            bad("poverty", _("Write 1 for a poor family, 0 otherwise."))
        family_type = ""
        if get("family_type"):
            family_type = _choice(get("family_type"), family_types) or ""
            if not family_type:
                bad("family_type", _("Unknown family type; use H, C, G, P, S, T or O."))
        if len(get("address")) > 200:
            bad("address", _("The address is longer than 200 characters."))
        rows.append(
            PersonRow(
                row=n,
                family_ref=family_ref,
                is_head=head_word in TRUE_WORDS,
                village_code=get("village_code"),
                insurance_number=get("insurance_number"),
                last_name=names["last_name"],
                other_names=names["other_names"],
                gender=gender or "",
                dob=dob,
                relationship=relationship,
                marital_status=marital,
                phone=get("phone"),
                email=email,
                identity_type=identity_type,
                identity_number=get("identity_number"),
                poverty=poverty,
                family_type=family_type,
                address=get("address"),
            )
        )
    return rows, errors


def check_rows(
    rows: list[PersonRow],
    *,
    villages: Mapping[str, int],
    out_of_scope: set[str],
    numbers_taken: set[str],
    scheme: NumberScheme,
    progress: Callable[[float], None] = lambda _fraction: None,
) -> list[RowError]:
    """Checks families, villages and insurance numbers across the file and against what exists.

    `villages`: code -> id of the active villages in the user's scope named in the file; `out_of_scope`: codes
    of active villages named in the file that the user may not work in; `numbers_taken`: numbers of the file
    already held by an insuree or reserved on pre-printed cards.
    """
    errors: list[RowError] = []
    first_row_of: dict[str, int] = {}
    families: dict[str, list[PersonRow]] = defaultdict(list)
    total = len(rows) or 1
    for index, r in enumerate(rows):
        if index % 5000 == 0:
            progress(index / total)
        if r.family_ref:
            families[r.family_ref].append(r)
        if r.village_code and r.village_code not in villages:
            if r.village_code in out_of_scope:
                errors.append(RowError(r.row, "village_code", _("Village %s is outside your area.") % r.village_code))
            else:
                errors.append(RowError(r.row, "village_code", _("No active village has code %s.") % r.village_code))
        number = r.insurance_number
        if number:
            problem = scheme.problem(number)
            if problem:
                errors.append(RowError(r.row, "insurance_number", problem))
            elif number in numbers_taken:
                errors.append(RowError(r.row, "insurance_number", _("Number %s is already used.") % number))
            if number in first_row_of:
                errors.append(
                    RowError(
                        r.row,
                        "insurance_number",
                        _("Number %(number)s already appears in row %(row)d.")
                        % {"number": number, "row": first_row_of[number]},
                    )
                )
            else:
                first_row_of[number] = r.row
    for ref, members in families.items():
        heads = [m for m in members if m.is_head]
        if not heads:
            errors.append(
                RowError(members[0].row, "is_head", _("Family %s has no head (a row with is_head = 1).") % ref)
            )
        for extra in heads[1:]:
            errors.append(
                RowError(
                    extra.row,
                    "is_head",
                    _("Family %(ref)s already has its head in row %(row)d.") % {"ref": ref, "row": heads[0].row},
                )
            )
        if heads and not heads[0].village_code:
            errors.append(RowError(heads[0].row, "village_code", _("The head's row needs the family's village.")))
    progress(1.0)
    return sorted(errors, key=lambda e: (e.row, e.field))
