"""Rows of the export files, in the layouts the imports read back (see importing.py).

Exports hold active rows only, so that a file exported, edited and imported again updates the same rows. Price
list files add the item's or service's name and register price and the effective price, for reading; the
import ignores those columns.
"""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from . import importing
from .models import PriceListKind

PRICE_LIST_HEADER = [
    "price_list",
    "date_from",
    "location_code",
    "code",
    "name",
    "price",
    "price_override",
    "effective_price",
]


def register_rows(qs: QuerySet[Any], layout: importing.Layout) -> tuple[list[str], Iterator[list[Any]]]:
    header = layout.names
    rows = ([getattr(obj, name) for name in header] for obj in qs.filter(is_active=True).iterator(chunk_size=2000))
    return header, rows


def price_list_rows(kind: PriceListKind, price_lists: QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    target = kind.target_field
    entries = (
        kind.entry_model.objects.filter(price_list__in=price_lists.filter(is_active=True))
        .select_related("price_list__location", target)
        .order_by("price_list__name", f"{target}__code")
    )

    def rows() -> Iterator[list[Any]]:
        for entry in entries.iterator(chunk_size=2000):
            pl, obj = entry.price_list, getattr(entry, target)
            yield [
                pl.name,
                pl.date_from,
                pl.location.code if pl.location else "",
                obj.code,
                obj.name,
                obj.price,
                entry.price_override,
                entry.price_override if entry.price_override is not None else obj.price,
            ]

    return PRICE_LIST_HEADER, rows()
