"""Reading and checking a CSV file of locations, with no database access (the caller supplies what exists).

File format (UTF-8, comma or semicolon separated, a header row naming the columns in any order):
    type, code, name, parent_code, male_population, female_population, other_population, families
`type` is R/D/W/V or region/district/municipality/ward/village. `parent_code` names a location of the level
just above, either already in the system or anywhere in the same file; it is empty for regions.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import PARENT_TYPE

REQUIRED_COLUMNS = ("type", "code", "name", "parent_code")
NUMBER_COLUMNS = ("male_population", "female_population", "other_population", "families")
TYPE_WORDS = {
    "r": "R",
    "region": "R",
    "d": "D",
    "district": "D",
    "w": "W",
    "ward": "W",
    "municipality": "W",
    "v": "V",
    "village": "V",
}
LEVEL_ORDER = ("R", "D", "W", "V")


@dataclass(frozen=True)
class Existing:
    id: int
    type: str
    path: str


@dataclass
class ImportRow:
    row: int
    type: str
    code: str
    name: str
    parent_code: str
    numbers: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


class FileUnreadable(ValueError):
    pass


def read_rows(data: bytes) -> tuple[list[ImportRow], list[RowError]]:
    """Parses the file: each row's own fields checked; references between rows are checked by `check_rows`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileUnreadable(_("The file is not UTF-8 text; save it as 'CSV UTF-8'.")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FileUnreadable(_("The header row lacks the columns: %s.") % ", ".join(missing))
    reader.fieldnames = header
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    for number, raw in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(values.values()):
            continue
        type_ = TYPE_WORDS.get(values.get("type", "").lower(), "")
        if not type_:
            errors.append(RowError(number, "type", _("Unknown type %r; use R, D, W or V.") % values.get("type", "")))
        code, name = values.get("code", ""), values.get("name", "")
        if not code:
            errors.append(RowError(number, "code", _("The code is empty.")))
        elif len(code) > 8:
            errors.append(RowError(number, "code", _("The code is longer than 8 characters.")))
        if not name:
            errors.append(RowError(number, "name", _("The name is empty.")))
        elif len(name) > 50:
            errors.append(RowError(number, "name", _("The name is longer than 50 characters.")))
        numbers: dict[str, int | None] = {}
        for column in NUMBER_COLUMNS:
            value = values.get(column, "")
            if value == "":
                numbers[column] = None
            elif value.isdigit():
                numbers[column] = int(value)
            else:
                errors.append(RowError(number, column, _("Must be a whole number of 0 or more.")))
        rows.append(ImportRow(number, type_, code, name, values.get("parent_code", ""), numbers))
    if not rows and not errors:
        raise FileUnreadable(_("The file has no rows."))
    return rows, errors


def check_rows(
    rows: list[ImportRow],
    *,
    existing: Mapping[str, Existing],
    parent_in_scope: Callable[[Existing], bool],
    may_create_top: bool,
    progress: Callable[[float], None] = lambda _fraction: None,
) -> list[RowError]:
    """Checks codes and parents across the file and against the locations that exist."""
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    for r in rows:
        if r.code in first_row:
            errors.append(
                RowError(
                    r.row,
                    "code",
                    _("Code %(code)s already appears in row %(row)d.") % {"code": r.code, "row": first_row[r.code]},
                )
            )
        else:
            first_row[r.code] = r.row
        if r.code and r.code in existing:
            errors.append(RowError(r.row, "code", _("An active location already has code %s.") % r.code))
    in_file = {r.code: r for r in rows if r.code}
    total = len(rows) or 1
    for index, r in enumerate(rows):
        if index % 1000 == 0:
            progress(index / total)
        if not r.type:
            continue
        if r.type in ("R", "D") and not may_create_top:
            errors.append(RowError(r.row, "type", _("You may not create regions or districts.")))
        expected = PARENT_TYPE[r.type]
        if expected is None:
            if r.parent_code:
                errors.append(RowError(r.row, "parent_code", _("A region has no parent.")))
            continue
        if not r.parent_code:
            errors.append(RowError(r.row, "parent_code", _("A parent code is required for this type.")))
            continue
        parent_type: str | None
        if r.parent_code in in_file:
            parent_type = in_file[r.parent_code].type
        elif r.parent_code in existing:
            parent = existing[r.parent_code]
            parent_type = parent.type
            if not parent_in_scope(parent):
                errors.append(RowError(r.row, "parent_code", _("Parent %s is outside your scope.") % r.parent_code))
                continue
        else:
            errors.append(RowError(r.row, "parent_code", _("No location with code %s.") % r.parent_code))
            continue
        if parent_type != expected:
            errors.append(
                RowError(
                    r.row,
                    "parent_code",
                    _("The parent of a %(type)s must be of type %(expected)s, not %(actual)s.")
                    % {"type": r.type, "expected": expected, "actual": parent_type},
                )
            )
    progress(1.0)
    return sorted(errors, key=lambda e: (e.row, e.field))
