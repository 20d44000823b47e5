"""API for cards and the enquiry.

- `GET  /api/v1/insurees/{uuid}/card/` the card as PDF, NOT recorded as a print (a preview: GET stays safe and
  repeatable); `insuree.print_card` and scope required.
- `POST /api/v1/insurees/{uuid}/card/` body `{"reason": "..."}`: prints the card, records the print and sets
  `card_issued`, answers the PDF; a reprint without a reason is a 400 with `fields.reason`.
- `GET  /api/v1/enquiry/?q=` what the enquiry page finds (number, card payload, phone or name; at most 50, so
  not paginated) with `kind` and `authentic` (true/false for a card payload, null otherwise).
Out of scope insurees are 404, exactly like unknown ones.
"""

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from openimis.common.api import acting_user, require_perms

from .. import card_services, enquiry
from ..models import Insuree


class PDFRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        return data


class CardPrintIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EnquiryInsureeOut(serializers.Serializer[Any]):
    uuid = serializers.UUIDField()
    insurance_number = serializers.CharField()
    last_name = serializers.CharField()
    other_names = serializers.CharField()
    gender = serializers.CharField()
    dob = serializers.DateField()
    status = serializers.CharField()
    card_issued = serializers.BooleanField()
    photo = serializers.SerializerMethodField()
    family_uuid = serializers.UUIDField(source="family.uuid", allow_null=True, default=None)
    village = serializers.CharField(source="family.village.name", allow_null=True, default=None)

    def get_photo(self, obj: Insuree) -> str | None:
        return reverse("insuree:insuree_photo_file", args=[obj.uuid]) if obj.photo else None


class EnquiryOut(serializers.Serializer[Any]):
    query = serializers.CharField()
    kind = serializers.CharField()
    number = serializers.CharField()
    authentic = serializers.BooleanField(allow_null=True)
    results = EnquiryInsureeOut(many=True, source="insurees")


def _insuree(request: Request, uuid: Any) -> Insuree:
    try:
        return enquiry.card_insuree_by_uuid(acting_user(request), str(uuid))
    except Exception as exc:  # Http404 from the access helper
        raise NotFound() from exc


def _pdf(pdf: bytes, insuree: Insuree) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="card-{insuree.insurance_number}.pdf"'
    return response


class InsureeCardView(APIView):
    permission_classes = [require_perms("insuree.print_card")]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, uuid: Any) -> HttpResponse:
        insuree = _insuree(request, uuid)
        return _pdf(card_services.card_preview(user=acting_user(request), insuree=insuree), insuree)

    @extend_schema(request=CardPrintIn, responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def post(self, request: Request, uuid: Any) -> HttpResponse:
        insuree = _insuree(request, uuid)
        data = CardPrintIn(data=request.data)
        data.is_valid(raise_exception=True)
        pdf = card_services.card_print(user=acting_user(request), insuree=insuree, reason=data.validated_data["reason"])
        return _pdf(pdf, insuree)


class EnquiryView(APIView):
    permission_classes = [require_perms("insuree.enquire_insuree")]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="number, card payload, phone or name")],
        responses=EnquiryOut,
    )
    def get(self, request: Request) -> Response:
        result = enquiry.enquire(acting_user(request), request.query_params.get("q", "")[:200])
        return Response(EnquiryOut(result).data)
