"""Documents attached to a claim: scanned prescriptions, referral letters, laboratory results, discharge notes.

Rules enforced here. A refusal names the field and the rule, and nothing is written (no row, no file):
- Adding and removing need `claim.change_claim` and a claim in the user's scope (`Claim.objects.visible_to`);
  pages and the API load claims through their access helpers first, so a claim out of scope is a 404 there.
- Only while the claim is Entered or Checked (`OPEN_STATUSES`): the facility attaches documents while entering the
  claim and, once submitted, when a medical officer reviewing it asks for one. Once Processed, Valuated or
  Rejected the claim's documents are what the decision rested on: they are kept as they are (ClaimStateError,
  409, on `file`). Downloading stays open to whoever sees the claim.
- A file is accepted by its content, never by its name or the type the browser gives: PDF, JPEG, PNG or WebP
  (`openimis.common.uploads.sniff`, as insuree photos are; an image must also parse). It is stored as sent (no
  re-encoding: a scan is evidence), named `claims/<year>/<month>/<uuid>.<extension of the type found>`, with the
  type found as its `mime_type`.
- Not empty, at most `settings.CLAIM_ATTACHMENT_MAX_BYTES` (only that much + 1 byte is read); at most
  `MAX_ATTACHMENTS` per claim, counted with the claim's row locked, so uploads at the same moment cannot pass it.
- The title has at most 100 characters; left empty it is the name the file was sent with (without any folder).

Nothing half-written: the file is written to storage first, then the row; when the row cannot be written the file
is removed before the error goes on. A removed attachment's file is deleted once the removal is committed, and
so are the files of a deleted claim (`claim.services.claim_delete` calls `forget_files_of`). (A caller wrapping a
service in a transaction of its own that it then rolls back would leave the new file behind, unreferenced; views
and the API call the services directly.)
"""

import os
import uuid as uuid_module
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from openimis.accounts.models import User
from openimis.common import uploads
from openimis.common.exceptions import NotFoundError

from .exceptions import ClaimError, ClaimStateError, PermissionDeniedError
from .models import Claim, ClaimAttachment, ClaimStatus

CHANGE = "claim.change_claim"
OPEN_STATUSES = (ClaimStatus.ENTERED, ClaimStatus.CHECKED)
ACCEPTED = (uploads.PDF, uploads.JPEG, uploads.PNG, uploads.WEBP)
MAX_ATTACHMENTS = 10
TITLE_MAX = ClaimAttachment._meta.get_field("title").max_length or 100


# --- reads ---------------------------------------------------------------------------------------------------


def attachments_of(claim: Claim) -> QuerySet[ClaimAttachment]:
    """A claim's attachments, oldest first, with who sent them (the caller has loaded the claim in scope)."""
    return (
        ClaimAttachment.objects.filter(claim=claim).select_related("uploaded_by", "claim").order_by("created_at", "pk")
    )


def attachment_of(claim: Claim, attachment_uuid: str | uuid_module.UUID) -> ClaimAttachment:
    """One attachment of a claim loaded in scope (`access_claim_by_uuid`); any other uuid is a 404."""
    try:
        return attachments_of(claim).get(uuid=attachment_uuid)
    except (ClaimAttachment.DoesNotExist, ValueError) as exc:
        raise Http404("No such attachment") from exc


def can_change(user: User, claim: Claim) -> bool:
    """Whether the page offers adding and removing (the services decide again)."""
    return claim.status in OPEN_STATUSES and user.has_perm(CHANGE)


def download_name(attachment: ClaimAttachment) -> str:
    """The name a download is saved under: the title, with the extension of the stored type."""
    extension = os.path.splitext(attachment.file.name or "")[1]
    base = "".join(c for c in attachment.title if c.isprintable() and c not in '/\\"').strip() or _("attachment")
    return base if base.lower().endswith(extension.lower()) else base + extension


def file_response(attachment: ClaimAttachment) -> FileResponse:
    """The file as a download with its stored type; the browser neither guesses another type nor keeps a copy."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(attachment), content_type=attachment.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- writes --------------------------------------------------------------------------------------------------


def _locked_open_claim(user: User, claim: Claim, verb: str) -> Claim:
    if not user.has_perm(CHANGE):
        raise PermissionDeniedError(_("You do not have the permission to do this."))
    locked = Claim.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=claim.pk).first()
    if locked is None:
        raise PermissionDeniedError(_("This claim is outside your scope."))
    if locked.status not in OPEN_STATUSES:
        message = (
            _("Documents can be attached only while the claim is Entered or Checked; this claim is %(status)s.")
            if verb == "add"
            else _("Documents can be removed only while the claim is Entered or Checked; this claim is %(status)s.")
        ) % {"status": locked.get_status_display()}
        raise ClaimStateError(message, fields={"file": [message]}, code="claim_attachments_closed")
    return locked


def _title(title: str, file: IO[bytes]) -> str:
    text = (title or "").strip() or os.path.basename(str(getattr(file, "name", "") or "").replace("\\", "/")).strip()
    if len(text) > TITLE_MAX and (title or "").strip():
        raise ClaimError.for_field("title", _("A title is at most %(n)d characters.") % {"n": TITLE_MAX})
    return text[:TITLE_MAX]


def _checked(file: IO[bytes]) -> tuple[bytes, uploads.FileType]:
    limit = settings.CLAIM_ATTACHMENT_MAX_BYTES
    data = uploads.read_bounded(file, limit)
    if not data:
        raise ClaimError.for_field("file", _("The file is empty."), code="attachment_empty")
    if len(data) > limit:
        message = _("A file is at most %(max)s MB; this one is %(size)s MB.") % {
            "max": uploads.megabytes(limit),
            "size": uploads.megabytes(uploads.size_of(file, data)),
        }
        raise ClaimError.for_field("file", message, code="attachment_too_large")
    kind = uploads.sniff(data)
    if kind is None or kind not in ACCEPTED:
        message = _("Accepted types: %(types)s (judged by the content, whatever the file's name).") % {
            "types": ", ".join(k.label for k in ACCEPTED)
        }
        raise ClaimError.for_field("file", message, code="attachment_type")
    if kind in uploads.IMAGES and not uploads.image_is_readable(data, kind):
        message = _("This %(type)s image cannot be read: it is damaged or not what it claims to be.") % {
            "type": kind.label
        }
        raise ClaimError.for_field("file", message, code="attachment_unreadable")
    return data, kind


@transaction.atomic
def attachment_add(*, user: User, claim: Claim, file: IO[bytes], title: str = "") -> ClaimAttachment:
    """Attaches a document to an Entered or Checked claim (rules in the module's docstring)."""
    locked = _locked_open_claim(user, claim, "add")
    clean_title = _title(title, file)
    if ClaimAttachment.objects.filter(claim=locked).count() >= MAX_ATTACHMENTS:
        message = _("A claim has at most %(n)d attachments; remove one first.") % {"n": MAX_ATTACHMENTS}
        raise ClaimError.for_field("file", message, code="attachment_limit")
    data, kind = _checked(file)
    attachment = ClaimAttachment(
        claim=locked, title=clean_title, mime_type=kind.mime_type, size=len(data), uploaded_by=user
    )
    attachment.file.save(f"{attachment.uuid}.{kind.extension}", ContentFile(data), save=False)
    stored, storage = str(attachment.file.name), attachment.file.storage
    written = False
    try:
        with transaction.atomic():
            attachment.save()
        written = True
    finally:
        if not written:
            storage.delete(stored)
    return attachment


@transaction.atomic
def attachment_delete(*, user: User, claim: Claim, attachment: ClaimAttachment) -> None:
    """Removes a document from an Entered or Checked claim; its file goes once the removal is committed."""
    locked = _locked_open_claim(user, claim, "delete")
    found = ClaimAttachment.objects.filter(pk=attachment.pk, claim=locked).first()
    if found is None:
        raise NotFoundError(_("This claim has no such attachment."), code="not_found")
    stored, storage = str(found.file.name), found.file.storage
    found.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def forget_files_of(claim: Claim) -> None:
    """Deletes the files of a claim's attachments once the transaction deleting the claim commits (its rows go
    with the claim, by cascade). Called by `claim_delete`, inside its transaction."""
    storage = ClaimAttachment._meta.get_field("file").storage  # type: ignore[attr-defined]
    names = list(ClaimAttachment.objects.filter(claim=claim).values_list("file", flat=True))

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete_files)
