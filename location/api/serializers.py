from rest_framework import serializers

from ..models import (
    CareType,
    FacilityLevel,
    FacilityStatus,
    FacilitySubLevel,
    HealthFacility,
    LegalForm,
    Location,
    LocationType,
)


class LocationOut(serializers.ModelSerializer):
    parent = serializers.UUIDField(source="parent.uuid", read_only=True, allow_null=True, default=None)  # type: ignore[assignment]

    class Meta:
        model = Location
        fields = [
            "uuid",
            "code",
            "name",
            "type",
            "parent",
            "male_population",
            "female_population",
            "other_population",
            "families",
            "is_active",
        ]


class LocationCreateIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=LocationType.choices)
    code = serializers.CharField(max_length=8)
    name = serializers.CharField(max_length=50)
    parent = serializers.UUIDField(required=False, allow_null=True)  # type: ignore[assignment]
    male_population = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    female_population = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    other_population = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    families = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class LocationUpdateIn(serializers.Serializer):
    code = serializers.CharField(max_length=8, required=False)
    name = serializers.CharField(max_length=50, required=False)
    male_population = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    female_population = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    other_population = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    families = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class LocationMoveIn(serializers.Serializer):
    parent = serializers.UUIDField()  # type: ignore[assignment]


class ImportIn(serializers.Serializer):
    file = serializers.FileField(help_text="CSV: type, code, name, parent_code[, male_population, ...]")


class DeactivateOut(serializers.Serializer):
    deactivated = serializers.IntegerField()


class CatchmentIO(serializers.Serializer):
    village = serializers.UUIDField()
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2)


class FacilityOut(serializers.ModelSerializer):
    district = serializers.UUIDField(source="district.uuid", read_only=True)  # type: ignore[assignment]
    catchments = serializers.SerializerMethodField()

    class Meta:
        model = HealthFacility
        fields = [
            "uuid",
            "code",
            "name",
            "acc_code",
            "legal_form",
            "level",
            "sub_level",
            "district",
            "care_type",
            "address",
            "phone",
            "fax",
            "email",
            "contract_start_date",
            "contract_end_date",
            "status",
            "offline",
            "catchments",
        ]

    def get_catchments(self, obj: HealthFacility) -> list[dict[str, str]]:
        return [{"village": str(c.village.uuid), "percentage": str(c.percentage)} for c in obj.catchments.all()]


class FacilityIn(serializers.Serializer):
    code = serializers.CharField(max_length=8)
    name = serializers.CharField(max_length=100)
    acc_code = serializers.CharField(max_length=25, required=False, allow_blank=True)
    legal_form = serializers.ChoiceField(choices=LegalForm.choices)
    level = serializers.ChoiceField(choices=FacilityLevel.choices)
    sub_level = serializers.ChoiceField(choices=FacilitySubLevel.choices, required=False, allow_blank=True)
    district = serializers.UUIDField()
    care_type = serializers.ChoiceField(choices=CareType.choices, required=False)
    address = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    fax = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=100, required=False, allow_blank=True)
    contract_start_date = serializers.DateField(required=False, allow_null=True)
    contract_end_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=FacilityStatus.choices, required=False)
    offline = serializers.BooleanField(required=False)
    catchments = CatchmentIO(many=True, required=False)
