from rest_framework import serializers

from ..models import Payer, PayerType


class PayerLocationOut(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()


class PayerOut(serializers.ModelSerializer):
    location = PayerLocationOut(read_only=True, allow_null=True, help_text="Null for a national payer.")
    type = serializers.ChoiceField(choices=PayerType.choices, read_only=True)
    type_display = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = Payer
        fields = [
            "uuid",
            "type",
            "type_display",
            "name",
            "address",
            "location",
            "phone",
            "fax",
            "email",
            "is_active",
        ]


class PayerIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=PayerType.choices)
    name = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=100, required=False, allow_blank=True)
    location = serializers.UUIDField(
        required=False, allow_null=True, help_text="A region or district in your scope; null for a national payer."
    )
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    fax = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=100, required=False, allow_blank=True)
