"""Every write to the medical registers (items, services, diagnoses), price lists and the price lists health
facilities use.

Rules enforced here (and, for the hard ones, again by the database; see models.py):
- Creating, changing and deactivating needs the model's permission (`medical.add_item`, `change_item`,
  `delete_item` ... for items, services, diagnoses, items and services price lists); imports also need
  `medical.import_registers`; choosing a facility's price lists needs `location.change_healthfacility`.
- Codes are required, at most 6 characters, unique among the active rows of their register (a deactivated row's
  code is free again); names are required.
- Prices, maximum quantities, package quantities and override prices are not negative, with at most 2 decimals;
  the frequency is a whole number of days (empty: no limit).
- The patient category is the sum of 1 male, 2 female, 4 adult, 8 child, with at least one of male/female and
  at least one of adult/child (15: everyone).
- An inactive item, service or diagnosis is history: it cannot be changed (create a new one with the code).
- Deactivating an item or service removes it from every price list, set-based, by a database trigger (so bulk
  SQL obeys it too); the removed entries are recorded in history. The function returns how many went.
- A price list is national or belongs to a region or district in the user's scope; its name is unique among
  active price lists of its kind. Users see national lists, those of their area and those of an area above it,
  and change those of their area; national lists are made and changed by staff whose scope covers the whole
  country (the lists above a user's area serve them read-only).
- A price list holds each item (service) once, only active ones, with an optional override price (empty: the
  register price applies). Inactive price lists cannot be changed; a list in use by a facility cannot be
  deactivated, nor moved to an area that leaves one of its facilities out.
- Copying a price list creates a new list (new name, date and area) with all entries of active items/services,
  override prices included, in one INSERT ... SELECT.
- A facility in the user's scope uses at most one active items and one active services price list, which must
  be visible to the user and serve the facility's district (national, or of its region or district).
- Imports (CSV or XLSX, see importing.py) run as background jobs: every row is checked first and the report
  names each wrong row with its spreadsheet number, column and reason; then all rows are written in one
  transaction with set-based SQL (COPY into a temporary table, one UPDATE ... FROM and one INSERT ... SELECT),
  or none. Registers upsert by code: a row whose code is active updates that row (only the columns the file has;
  unchanged rows are not touched), a new code creates a row; imports never deactivate. Price-list files upsert
  entries by (price list name, code) and may create the price lists they name (date_from required, location_code
  optional); entries missing from the file stay.
Every function runs in one transaction: on any refusal nothing is written.
"""

from .imports import IMPORT_KINDS, medical_import, medical_import_start, register_rows_write
from .price_lists import (
    check_editable,
    facility_price_lists_set,
    item_price_list_copy,
    item_price_list_create,
    item_price_list_entry_add,
    kind_of,
    price_list_copy,
    price_list_create,
    price_list_deactivate,
    price_list_entry_add,
    price_list_entry_remove,
    price_list_entry_update,
    price_list_update,
    serves,
    service_price_list_copy,
    service_price_list_create,
    service_price_list_entry_add,
)
from .registers import (
    DIAGNOSIS_FIELDS,
    ITEM_FIELDS,
    SERVICE_FIELDS,
    diagnosis_create,
    diagnosis_deactivate,
    diagnosis_update,
    item_create,
    item_deactivate,
    item_update,
    service_create,
    service_deactivate,
    service_update,
)

__all__ = [
    "DIAGNOSIS_FIELDS",
    "IMPORT_KINDS",
    "ITEM_FIELDS",
    "SERVICE_FIELDS",
    "check_editable",
    "diagnosis_create",
    "diagnosis_deactivate",
    "diagnosis_update",
    "facility_price_lists_set",
    "item_create",
    "item_deactivate",
    "item_price_list_copy",
    "item_price_list_create",
    "item_price_list_entry_add",
    "item_update",
    "kind_of",
    "medical_import",
    "medical_import_start",
    "price_list_copy",
    "price_list_create",
    "price_list_deactivate",
    "price_list_entry_add",
    "price_list_entry_remove",
    "price_list_entry_update",
    "price_list_update",
    "register_rows_write",
    "serves",
    "service_create",
    "service_deactivate",
    "service_price_list_copy",
    "service_price_list_create",
    "service_price_list_entry_add",
    "service_update",
]
