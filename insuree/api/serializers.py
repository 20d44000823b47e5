from rest_framework import serializers

from ..models import (
    ConfirmationType,
    Education,
    Family,
    FamilyType,
    Gender,
    IdentityType,
    Insuree,
    MaritalStatus,
    Profession,
    Relationship,
)


class PlaceOut(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class InsureeOut(serializers.ModelSerializer):
    family = serializers.UUIDField(source="family.uuid", read_only=True, allow_null=True, default=None)
    current_village = PlaceOut(read_only=True, allow_null=True)
    first_health_facility = PlaceOut(read_only=True, allow_null=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Insuree
        fields = [
            "uuid",
            "insurance_number",
            "family",
            "last_name",
            "other_names",
            "gender",
            "dob",
            "marital_status",
            "relationship",
            "profession",
            "education",
            "identity_type",
            "identity_number",
            "phone",
            "email",
            "current_address",
            "current_village",
            "first_health_facility",
            "vulnerable",
            "card_issued",
            "status",
            "photo_date",
            "has_photo",
        ]

    def get_has_photo(self, obj: Insuree) -> bool:
        return bool(obj.photo)


class FamilyOut(serializers.ModelSerializer):
    village = PlaceOut(read_only=True)
    head = InsureeOut(read_only=True)

    class Meta:
        model = Family
        fields = [
            "uuid",
            "village",
            "head",
            "poverty",
            "family_type",
            "address",
            "ethnicity",
            "confirmation_type",
            "confirmation_number",
        ]


class FamilyDetailOut(FamilyOut):
    members = serializers.SerializerMethodField()

    class Meta(FamilyOut.Meta):
        fields = [*FamilyOut.Meta.fields, "members"]

    def get_members(self, obj: Family) -> list[dict]:
        from ..selectors import family_members

        return InsureeOut(family_members(obj), many=True).data  # type: ignore[return-value]


class FamilyRegisteredOut(FamilyDetailOut):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(FamilyDetailOut.Meta):
        fields = [*FamilyDetailOut.Meta.fields, "warnings"]


class PersonIn(serializers.Serializer):
    insurance_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text="Leave out or empty to generate one."
    )
    last_name = serializers.CharField(max_length=100)
    other_names = serializers.CharField(max_length=100)
    gender = serializers.ChoiceField(choices=Gender.choices)
    dob = serializers.DateField()
    marital_status = serializers.ChoiceField(choices=MaritalStatus.choices, required=False)
    relationship = serializers.ChoiceField(choices=Relationship.choices, required=False, allow_null=True)
    profession = serializers.ChoiceField(choices=Profession.choices, required=False, allow_null=True)
    education = serializers.ChoiceField(choices=Education.choices, required=False, allow_null=True)
    identity_type = serializers.ChoiceField(choices=IdentityType.choices, required=False, allow_blank=True)
    identity_number = serializers.CharField(max_length=25, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=100, required=False, allow_blank=True)
    current_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    current_village = serializers.UUIDField(required=False, allow_null=True, help_text="A village in your scope.")
    first_health_facility = serializers.UUIDField(required=False, allow_null=True)
    vulnerable = serializers.BooleanField(required=False)


class FamilyFieldsIn(serializers.Serializer):
    village = serializers.UUIDField(help_text="The family's permanent village, in your scope.")
    poverty = serializers.BooleanField(required=False, allow_null=True)
    family_type = serializers.ChoiceField(choices=FamilyType.choices, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ethnicity = serializers.CharField(max_length=1, required=False, allow_blank=True)
    confirmation_type = serializers.ChoiceField(choices=ConfirmationType.choices, required=False, allow_blank=True)
    confirmation_number = serializers.CharField(max_length=12, required=False, allow_blank=True)


class FamilyRegisterIn(FamilyFieldsIn):
    head = PersonIn()
    members = PersonIn(many=True, required=False)


class PhotoIn(serializers.Serializer):
    photo = serializers.FileField(help_text="JPEG, PNG or WebP, at most 5 MB.")
