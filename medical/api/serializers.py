"""Explicit input and output shapes of the medical API (money as strings with 2 decimals, never floats)."""

from typing import Any

from rest_framework import serializers

from location.models import CareType

from ..models import (
    Diagnosis,
    FacilityPriceLists,
    Item,
    ItemType,
    PackageType,
    Service,
    ServiceCategory,
    ServiceLevel,
    ServiceType,
)


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


# --- registers ---------------------------------------------------------------------------------------------


class ItemOut(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = [
            "uuid",
            "code",
            "name",
            "type",
            "package",
            "quantity",
            "price",
            "care_type",
            "frequency",
            "patient_category",
            "maximum_amount",
            "is_active",
        ]


class _EntryIn(serializers.Serializer):
    code = serializers.CharField(max_length=6)
    name = serializers.CharField(max_length=100)
    price = _money()
    care_type = serializers.ChoiceField(choices=CareType.choices, required=False)
    frequency = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    patient_category = serializers.IntegerField(
        required=False, help_text="Sum of 1 male, 2 female, 4 adult, 8 child, with at least one sex and one age."
    )
    maximum_amount = _money(required=False, allow_null=True)


class ItemIn(_EntryIn):
    type = serializers.ChoiceField(choices=ItemType.choices, required=False)
    package = serializers.CharField(max_length=255, required=False, allow_blank=True)
    quantity = _money(required=False, allow_null=True)


class ServiceOut(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = [
            "uuid",
            "code",
            "name",
            "type",
            "category",
            "level",
            "price",
            "care_type",
            "frequency",
            "patient_category",
            "maximum_amount",
            "package_type",
            "manual_price",
            "is_active",
        ]


class ServiceIn(_EntryIn):
    type = serializers.ChoiceField(choices=ServiceType.choices, required=False)
    category = serializers.ChoiceField(choices=ServiceCategory.choices, required=False, allow_blank=True)
    level = serializers.ChoiceField(choices=ServiceLevel.choices, required=False)
    package_type = serializers.ChoiceField(choices=PackageType.choices, required=False)
    manual_price = serializers.BooleanField(required=False)


class DiagnosisOut(serializers.ModelSerializer):
    class Meta:
        model = Diagnosis
        fields = ["uuid", "code", "name", "is_active"]


class DiagnosisIn(serializers.Serializer):
    code = serializers.CharField(max_length=6)
    name = serializers.CharField(max_length=255)


class RegisterDeactivateOut(serializers.Serializer):
    removed_from_price_lists = serializers.IntegerField()


class MedicalImportIn(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8, comma or semicolon) or XLSX; the first row names the columns.")


# --- price lists -------------------------------------------------------------------------------------------


class PriceListOut(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    date_from = serializers.DateField()
    location = serializers.UUIDField(source="location.uuid", allow_null=True, default=None)  # type: ignore[assignment]
    location_code = serializers.CharField(source="location.code", allow_null=True, default=None)
    is_active = serializers.BooleanField()
    entry_count = serializers.IntegerField(required=False)


class PriceListIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    date_from = serializers.DateField()
    location = serializers.UUIDField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="A region or district; empty for a national price list."
    )


class PriceListCopyIn(PriceListIn):
    date_from = serializers.DateField(required=False, help_text="Default: the date of the copied list.")
    location = serializers.UUIDField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="Default: the area of the copied list; null for national."
    )


class TargetOut(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    price = _money()


class ItemEntryOut(serializers.Serializer):
    item = TargetOut()
    price_override = _money(allow_null=True)
    effective_price = _money()


class ServiceEntryOut(serializers.Serializer):
    service = TargetOut()
    price_override = _money(allow_null=True)
    effective_price = _money()


class ItemEntryIn(serializers.Serializer):
    item = serializers.UUIDField()
    price_override = _money(required=False, allow_null=True, help_text="Empty: the register price applies.")


class ServiceEntryIn(serializers.Serializer):
    service = serializers.UUIDField()
    price_override = _money(required=False, allow_null=True, help_text="Empty: the register price applies.")


class EntryUpdateIn(serializers.Serializer):
    price_override = _money(allow_null=True)


class FacilityPriceListsOut(serializers.Serializer):
    facility = serializers.UUIDField(source="uuid")
    code = serializers.CharField()
    name = serializers.CharField()
    items_price_list = serializers.SerializerMethodField()
    services_price_list = serializers.SerializerMethodField()

    def _list(self, facility: Any, field: str) -> str | None:
        try:
            row: FacilityPriceLists | None = facility.price_lists
        except FacilityPriceLists.DoesNotExist:
            row = None
        price_list = getattr(row, field) if row else None
        return str(price_list.uuid) if price_list else None

    def get_items_price_list(self, facility: Any) -> str | None:
        return self._list(facility, "items_price_list")

    def get_services_price_list(self, facility: Any) -> str | None:
        return self._list(facility, "services_price_list")


class FacilityPriceListsIn(serializers.Serializer):
    items_price_list = serializers.UUIDField(allow_null=True)
    services_price_list = serializers.UUIDField(allow_null=True)
