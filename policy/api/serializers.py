from typing import Any

from rest_framework import serializers

from ..models import LINE_FIELDS, Product, ProductItem
from ..services import PRODUCT_FIELDS

_FK_FIELDS = ("location", "conversion_product")


class ProductOut(serializers.ModelSerializer):
    location = serializers.UUIDField(source="location.uuid", read_only=True, allow_null=True, default=None)  # type: ignore[assignment]
    conversion_product = serializers.UUIDField(  # type: ignore[assignment]
        source="conversion_product.uuid", read_only=True, allow_null=True, default=None
    )
    distribution = serializers.SerializerMethodField(
        help_text="Care type (B all care, I in-patient, O out-patient) -> percentages (0-100) per period, in order."
    )

    class Meta:
        model = Product
        fields = ["uuid", *PRODUCT_FIELDS, "distribution"]

    def get_distribution(self, obj: Product) -> dict[str, list[str]]:
        """Percentages as decimal strings, like every amount of the API."""
        out: dict[str, list[str]] = {}
        for row in sorted(obj.distribution.all(), key=lambda r: (r.care_type, r.period)):
            out.setdefault(row.care_type, []).append(f"{row.percent:.2f}")
        return out


class ProductIn(serializers.ModelSerializer):
    """Every product field; on PATCH only those sent change. `distribution` replaces the current one when sent."""

    location = serializers.UUIDField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text="A region or district in your scope; null for a national product."
    )
    conversion_product = serializers.UUIDField(required=False, allow_null=True)  # type: ignore[assignment]
    distribution = serializers.DictField(
        child=serializers.ListField(child=serializers.DecimalField(max_digits=5, decimal_places=2)),
        required=False,
        help_text="Care type (B, I or O) -> one percentage per period (12 monthly, 4 quarterly, 1 yearly) "
        "adding up to 100.",
    )

    class Meta:
        model = Product
        fields = [*PRODUCT_FIELDS, "distribution"]
        validators: list[Any] = []  # uniqueness is the database's job (one clear error, no race)
        extra_kwargs: dict[str, dict[str, Any]] = {"code": {"validators": []}}


class ProductCopyIn(serializers.Serializer):
    code = serializers.CharField(max_length=8)
    name = serializers.CharField(max_length=100)
    date_from = serializers.DateField(required=False, help_text="Default: the copied product's.")
    date_to = serializers.DateField(required=False, help_text="Default: the copied product's.")


class LineOut(serializers.ModelSerializer):
    uuid = serializers.UUIDField(source="target.uuid", read_only=True, help_text="The item's or service's uuid.")
    code = serializers.CharField(source="target.code", read_only=True)
    name = serializers.CharField(source="target.name", read_only=True)

    class Meta:
        model = ProductItem
        fields = ["uuid", "code", "name", *LINE_FIELDS]


class LineIn(serializers.ModelSerializer):
    class Meta:
        model = ProductItem
        fields = list(LINE_FIELDS)
        validators: list[Any] = []


class LineAddIn(LineIn):
    codes = serializers.ListField(
        child=serializers.CharField(max_length=6),
        min_length=1,
        max_length=1000,
        help_text="Codes of active items (or services); each gets the same limitation.",
    )

    class Meta(LineIn.Meta):
        fields = ["codes", *LINE_FIELDS]
