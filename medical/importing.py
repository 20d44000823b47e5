"""Reading and checking files of medical items, services, diagnoses and price-list entries, with no database
access (the caller checks what needs the database: codes and price lists that exist).

Every file is a table (CSV or XLSX, see openimis.common.tabular) whose header row names the columns, in any
order; columns the file does not have keep their current value on rows that update and take their default on
rows that create. Rows are numbered as the spreadsheet shows them (the header is row 1).

Items:      code*, name*, price*, type (D drug / M medical consumable; default D), package, quantity,
            care_type (I / O / B; default B), frequency (days), patient_category (mask, default 15),
            maximum_amount
Services:   code*, name*, price*, type (P preventive / C curative; default C), category (S C D A H V O or empty),
            level (S V D H; default S), care_type, frequency, patient_category, maximum_amount,
            package_type (S P F; default S), manual_price (1/0, yes/no)
Diagnoses:  code*, name*
Price lists (one file per kind): price_list*, code* (of the item or service), price_override (empty: the
            register price applies); date_from and location_code (a region or district; empty: national) are
            read only for a price list the file creates.
The patient category is the sum of 1 male, 2 female, 4 adult, 8 child, with at least one sex and one age
(15 = everyone, 6 = adult women). Amounts take a dot or a comma as decimal mark, at most 2 decimals.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from openimis.common.tabular import Table

from . import rules
from .models import Item, Service


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any] = field(default_factory=dict)


class CellError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- cell parsers: text in, typed value out, CellError for what cannot be read ----------------------------


def as_text(text: str) -> str:
    return text


def as_amount(text: str) -> Decimal | None:
    if text == "":
        return None
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise CellError(_("%r is not an amount.") % text) from exc
    if not value.is_finite():
        raise CellError(_("%r is not an amount.") % text)
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        rounded = value.quantize(Decimal("0.01"))
        if abs(rounded - value) < Decimal("1e-9"):  # "12.500", or a spreadsheet's float noise (12.499999999)
            return rounded
    return value


def as_whole(text: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit():
        raise CellError(_("Must be a whole number of 0 or more."))
    return int(text)


def as_mask(text: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit():
        raise CellError(_("The patient category must be a number from 1 to 15."))
    return int(text)


def as_flag(text: str) -> bool:
    word = text.lower()
    if word in ("", "0", "no", "n", "false", "non", "faux"):
        return False
    if word in ("1", "yes", "y", "true", "oui", "o", "vrai", "x"):
        return True
    raise CellError(_("Use 1 or 0 (yes or no)."))


def as_date(text: str) -> date | None:
    if text == "":
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("%r is not a date; write it as 2026-01-31.") % text)


def as_choice(model: type[models.Model], name: str) -> Callable[[str], str]:
    """A code (any case) or the English label of one of the field's choices."""
    choices = model._meta.get_field(name).flatchoices  # type: ignore[union-attr]
    words = {str(code).lower(): str(code) for code, _label in choices}
    with_labels = {**{str(label).lower(): str(code) for code, label in choices}, **words}

    def parse(text: str) -> str:
        if text == "":
            return ""
        code = with_labels.get(text.lower())
        if code is None:
            raise CellError(
                _("Unknown value %(value)r; use one of %(codes)s.")
                % {"value": text, "codes": ", ".join(str(c) for c, _label in choices if c)}
            )
        return code

    return parse


# --- file layouts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    default: Any = None  # the value of a created row when the column is absent or the cell is empty


@dataclass(frozen=True)
class Layout:
    required: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


ITEM_LAYOUT = Layout(
    required=("code", "name", "price"),
    columns=(
        Column("code", as_text, ""),
        Column("name", as_text, ""),
        Column("type", as_choice(Item, "type"), "D"),
        Column("package", as_text, ""),
        Column("quantity", as_amount),
        Column("price", as_amount),
        Column("care_type", as_choice(Item, "care_type"), "B"),
        Column("frequency", as_whole),
        Column("patient_category", as_mask, 15),
        Column("maximum_amount", as_amount),
    ),
)
SERVICE_LAYOUT = Layout(
    required=("code", "name", "price"),
    columns=(
        Column("code", as_text, ""),
        Column("name", as_text, ""),
        Column("type", as_choice(Service, "type"), "C"),
        Column("category", as_choice(Service, "category"), ""),
        Column("level", as_choice(Service, "level"), "S"),
        Column("price", as_amount),
        Column("care_type", as_choice(Service, "care_type"), "B"),
        Column("frequency", as_whole),
        Column("patient_category", as_mask, 15),
        Column("maximum_amount", as_amount),
        Column("package_type", as_choice(Service, "package_type"), "S"),
        Column("manual_price", as_flag, False),
    ),
)
DIAGNOSIS_LAYOUT = Layout(required=("code", "name"), columns=(Column("code", as_text, ""), Column("name", as_text, "")))
PRICE_LIST_LAYOUT = Layout(
    required=("price_list", "code"),
    columns=(
        Column("price_list", as_text, ""),
        Column("code", as_text, ""),
        Column("price_override", as_amount),
        Column("date_from", as_date),
        Column("location_code", as_text, ""),
    ),
)


def parse_rows(table: Table, layout: Layout) -> tuple[list[ParsedRow], list[RowError]]:
    """Each cell read into its type; an absent column or an empty cell gives the column's default."""
    present = [c for c in layout.columns if table.has(c.name)]
    absent = {c.name: c.default for c in layout.columns if not table.has(c.name)}
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for raw in table.rows:
        values = dict(absent)
        for column in present:
            try:
                value = column.parse(raw.get(column.name))
            except CellError as exc:
                errors.append(RowError(raw.number, column.name, exc.message))
                continue
            values[column.name] = column.default if value is None or value == "" else value
        rows.append(ParsedRow(raw.number, values))
    return rows, errors


def check_rows(
    rows: Sequence[ParsedRow],
    *,
    key: Callable[[ParsedRow], Any],
    problems: Callable[[Mapping[str, Any]], dict[str, str]],
    skip: set[tuple[int, str]],
) -> list[RowError]:
    """Each row's own rules, and each key (code, or price list and code) once in the file."""
    errors: list[RowError] = []
    first_row: dict[Any, int] = {}
    for r in rows:
        for name, message in problems(r.values).items():
            if (r.row, name) not in skip:  # a cell that could not be read is reported once
                errors.append(RowError(r.row, name, message))
        k = key(r)
        if k is None:
            continue
        if k in first_row:
            errors.append(
                RowError(
                    r.row,
                    "code",
                    _("Code %(code)s already appears in row %(row)d.")
                    % {
                        "code": r.values.get("code", ""),
                        "row": first_row[k],
                    },
                )
            )
        else:
            first_row[k] = r.row
    return errors


def register_problems(model: type[Item] | type[Service]) -> Callable[[Mapping[str, Any]], dict[str, str]]:
    return lambda values: rules.register_problems(model, values)


def diagnosis_problems(values: Mapping[str, Any]) -> dict[str, str]:
    return rules.diagnosis_problems(values)


def entry_problems(values: Mapping[str, Any]) -> dict[str, str]:
    found = {
        "price_list": rules.text_problem(values.get("price_list", ""), max_length=100),
        "code": rules.text_problem(values.get("code", ""), max_length=6),
        "price_override": rules.amount_problem(values.get("price_override")),
    }
    return {k: v for k, v in found.items() if v}


def sorted_errors(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda e: (e.row, e.field))
