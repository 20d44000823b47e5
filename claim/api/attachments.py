"""REST API for the documents attached to a claim (rules in `claim.attachments`).

- `GET /claims/{uuid}/attachments/` lists them (paginated, oldest first); `POST` (multipart: `file`, `title`)
  attaches one: 201 with it; refusals are 400 naming `file` or `title` (empty, too large, type by content, more
  than 10), 409 once the claim is Processed, Valuated or Rejected.
- `GET /claims/{uuid}/attachments/{attachment_uuid}/` describes one; `DELETE` removes it (204; 409 as above).
- `GET /claims/{uuid}/attachments/{attachment_uuid}/file/` downloads it, with its stored type, as an attachment.

Reading needs `claim.view_claim`, attaching and removing `claim.change_claim`. The claim is looked up within
`Claim.objects.visible_to(user)`: a claim out of scope, or an attachment of another claim, is a 404.
"""

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from openimis.common.api import acting_user, require_perms

from .. import attachments
from ..models import Claim, ClaimAttachment
from ..permissions import access_claim_by_uuid

VIEW = require_perms("claim.view_claim")
CHANGE = require_perms(attachments.CHANGE)
REFUSED = OpenApiResponse(OpenApiTypes.OBJECT, description="`{code, detail, fields}` naming `file` or `title`.")
CLOSED = OpenApiResponse(OpenApiTypes.OBJECT, description="The claim is Processed, Valuated or Rejected.")


class AttachmentIn(serializers.Serializer[Any]):
    file = serializers.FileField(
        allow_empty_file=True,  # refused by the service, with the same words as on the page
        help_text="PDF, JPEG, PNG or WebP (judged by the content), at most 10 MB by default.",
    )
    title = serializers.CharField(
        max_length=attachments.TITLE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty: the file's name.",
    )


class AttachmentOut(serializers.ModelSerializer[ClaimAttachment]):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download = serializers.SerializerMethodField(help_text="The URL of the file (`.../file/`).")

    class Meta:
        model = ClaimAttachment
        fields = ["uuid", "title", "mime_type", "size", "uploaded_by", "created_at", "download"]
        read_only_fields = fields

    def get_download(self, attachment: ClaimAttachment) -> str:
        path = reverse(
            "claim-attachment-file", kwargs={"uuid": attachment.claim.uuid, "attachment_uuid": attachment.uuid}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class _OfClaim(generics.GenericAPIView[ClaimAttachment]):
    """The claim of the URL, loaded in the caller's scope (else 404); the permission depends on the method."""

    def get_permissions(self) -> list[BasePermission]:
        reading = self.request.method in ("GET", "HEAD", "OPTIONS")
        return [VIEW() if reading else CHANGE()]

    def claim(self) -> Claim:
        return access_claim_by_uuid(acting_user(self.request), self.kwargs["uuid"])


@extend_schema_view(
    get=extend_schema(summary="A claim's attachments", responses=AttachmentOut(many=True)),
    post=extend_schema(
        summary="Attach a document to a claim",
        request={"multipart/form-data": AttachmentIn},
        responses={201: AttachmentOut, 400: REFUSED, 409: CLOSED},
    ),
)
class ClaimAttachmentsView(_OfClaim, generics.ListCreateAPIView[ClaimAttachment]):
    """The documents attached to a claim, oldest first; POST attaches one (while the claim is Entered or
    Checked)."""

    serializer_class = AttachmentOut
    parser_classes = [MultiPartParser, FormParser]
    queryset = ClaimAttachment.objects.none()

    def get_queryset(self) -> Any:
        return attachments.attachments_of(self.claim())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = attachments.attachment_add(
            user=acting_user(request),
            claim=self.claim(),
            file=data.validated_data["file"],
            title=data.validated_data["title"],
        )
        body = AttachmentOut(attachment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="One attachment of a claim", responses=AttachmentOut),
    delete=extend_schema(summary="Remove an attachment", responses={204: None, 409: CLOSED}),
)
class ClaimAttachmentView(_OfClaim, generics.RetrieveDestroyAPIView[ClaimAttachment]):
    """One document attached to a claim; DELETE removes it (while the claim is Entered or Checked)."""

    serializer_class = AttachmentOut
    queryset = ClaimAttachment.objects.none()

    def get_object(self) -> ClaimAttachment:
        return attachments.attachment_of(self.claim(), self.kwargs["attachment_uuid"])

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim = self.claim()
        attachment = attachments.attachment_of(claim, self.kwargs["attachment_uuid"])
        attachments.attachment_delete(user=acting_user(request), claim=claim, attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClaimAttachmentFileView(_OfClaim):
    queryset = ClaimAttachment.objects.none()

    @extend_schema(
        summary="Download an attachment",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> FileResponse:
        """The file, with its stored type (PDF, JPEG, PNG or WebP) as `Content-Type`, to save (not to display)."""
        return attachments.file_response(attachments.attachment_of(self.claim(), self.kwargs["attachment_uuid"]))
