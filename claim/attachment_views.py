"""Staff pages for the documents attached to a claim: the claim page's "Attachments" card (`card_context`),
attaching a document, removing one, downloading one. The rules are in `claim.attachments`.

Claims are loaded through `claim.permissions` (404 outside the user's scope), attachments within their claim (404
for any other). Attaching and removing are plain POSTs answered with a redirect to the claim page, the outcome in
a message; sent by HTMX (as the card's forms are when scripts run) the answer is the card itself, with a refusal
next to the input it names.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from openimis.accounts.models import User
from openimis.common import uploads
from openimis.common.exceptions import ApplicationError
from openimis.common.pages import AuthedRequest, BootstrapFormMixin, apply_error

from . import attachments
from .models import Claim
from .permissions import access_claim_by_uuid

TYPE_LABELS = {kind.mime_type: kind.label for kind in attachments.ACCEPTED}


class AttachmentForm(BootstrapFormMixin, forms.Form):
    # an empty file reaches the service, which refuses it with the same words for pages and the API
    file = forms.FileField(label=gettext_lazy("Document"), allow_empty_file=True)
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=attachments.TITLE_MAX,
        required=False,
        help_text=gettext_lazy("For example: referral letter. Empty: the file's name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(kind.mime_type for kind in attachments.ACCEPTED)


def card_context(
    user: User, claim: Claim, form: AttachmentForm | None = None, notice: str = "", error: str = ""
) -> dict[str, Any]:
    """What the "Attachments" card of a claim shows: each document (name, type, size, who sent it and when), the
    buttons removing them and the form attaching another, while the claim takes changes and the user may make
    them."""
    found = list(attachments.attachments_of(claim))
    can_change = attachments.can_change(user, claim)
    full = len(found) >= attachments.MAX_ATTACHMENTS
    return {
        "attachments": [(a, attachments.download_name(a), TYPE_LABELS.get(a.mime_type, a.mime_type)) for a in found],
        "can_change_attachments": can_change,
        "attachment_form": (form or AttachmentForm()) if can_change and (not full or form is not None) else None,
        "attachments_full": full,
        "attachment_limit": attachments.MAX_ATTACHMENTS,
        "attachment_types": ", ".join(kind.label for kind in attachments.ACCEPTED),
        "attachment_max_mb": uploads.megabytes(settings.CLAIM_ATTACHMENT_MAX_BYTES),
        "attachment_notice": notice,
        "attachment_error": error,
    }


def _answer(
    request: AuthedRequest, claim: Claim, *, form: AttachmentForm | None = None, notice: str = "", error: str = ""
) -> HttpResponse:
    if request.headers.get("HX-Request"):
        context = {"claim": claim, **card_context(request.user, claim, form, notice, error)}
        return render(request, "claim/_attachments_card.html", context)
    if notice:
        messages.success(request, notice)
    for message in [error] if error else [str(m) for errors in (form.errors.values() if form else []) for m in errors]:
        messages.error(request, message)
    return redirect(reverse("claim:claim_detail", args=[claim.uuid]) + "#attachments")


@login_required
@permission_required(attachments.CHANGE, raise_exception=True)
@require_POST
def attachment_add(request: AuthedRequest, uuid: str) -> HttpResponse:
    claim = access_claim_by_uuid(request.user, uuid)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachments.attachment_add(
                user=request.user, claim=claim, file=form.cleaned_data["file"], title=form.cleaned_data["title"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return _answer(request, claim, notice=_("The document was attached."))
    return _answer(request, claim, form=form)


@login_required
@permission_required(attachments.CHANGE, raise_exception=True)
@require_POST
def attachment_delete(request: AuthedRequest, uuid: str, attachment_uuid: str) -> HttpResponse:
    claim = access_claim_by_uuid(request.user, uuid)
    attachment = attachments.attachment_of(claim, attachment_uuid)
    try:
        attachments.attachment_delete(user=request.user, claim=claim, attachment=attachment)
    except ApplicationError as exc:
        return _answer(request, claim, error=exc.message)
    return _answer(request, claim, notice=_("The document was removed."))


@login_required
@permission_required("claim.view_claim", raise_exception=True)
@require_GET
def attachment_file(request: AuthedRequest, uuid: str, attachment_uuid: str) -> FileResponse:
    """The document, only to users who see the claim (no public media URL: claims are health data)."""
    claim = access_claim_by_uuid(request.user, uuid)
    return attachments.file_response(attachments.attachment_of(claim, attachment_uuid))
