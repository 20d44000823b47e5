"""Insuree photos: checked by content (`openimis.common.uploads`, as claim attachments are), bounded in size,
normalised to a small JPEG (rules in __init__.py).

A photo refused for its content is recorded (`PhotoRejection`: the person's number and village, the reason, who sent
it and from where) in a durable transaction of its own, committed before the refusal is raised: the record stays
while nothing of the upload is written. Refusals of access (permission, scope) are not photo refusals and are not
recorded. Callers therefore must not hold a transaction around `insuree_set_photo` (the durable block raises
RuntimeError then).
"""

import io
from datetime import date
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from openimis.accounts.models import User
from openimis.common import uploads

from ..exceptions import InsureeError, PermissionDeniedError
from ..models import Insuree, PhotoRejection, PhotoSource

MAX_SIZE = (600, 800)
JPEG_QUALITY = 85


def normalise_photo(data: bytes) -> bytes:
    """A JPEG of at most 600 x 800, upright (EXIF orientation applied), without metadata; refuses non-images."""
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise InsureeError.for_field(
            "photo",
            _("The photo is too large (at most %(mb)d MB).") % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    kind = uploads.sniff(data)
    if kind is None or kind not in uploads.IMAGES:
        if not uploads.image_is_readable(data):  # not an image at all
            raise _unreadable()
        raise InsureeError.for_field("photo", _("Send a JPEG, PNG or WebP photo."), code="photo_format")
    if not uploads.image_is_readable(data, kind):
        raise _unreadable()
    try:
        with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            upright = upright.convert("RGB")
            upright.thumbnail(MAX_SIZE, Image.Resampling.LANCZOS)
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _unreadable() from exc
    return out.getvalue()


def _unreadable() -> InsureeError:
    message = _("This file is not a readable photo.")
    return InsureeError(message, fields={"photo": [message]}, code="photo_unreadable")


def insuree_set_photo(
    *, user: User, insuree: Insuree, file: IO[bytes], source: PhotoSource = PhotoSource.PAGE
) -> Insuree:
    """Sets the person's photo; `source` says where it was sent from (the staff page or the API)."""
    if not user.has_perm("insuree.change_insuree"):
        raise PermissionDeniedError(_("You do not have the permission to do this."))
    if not Insuree.objects.visible_to(user).filter(pk=insuree.pk).exists():
        raise PermissionDeniedError(_("This insuree is outside your scope."))
    data = uploads.read_bounded(file, settings.PHOTO_MAX_BYTES)
    try:
        jpeg = normalise_photo(data)
    except InsureeError as exc:
        photo_rejection_record(user=user, insuree=insuree, error=exc, source=source)
        raise
    return _photo_store(insuree, jpeg)


@transaction.atomic(durable=True)
def photo_rejection_record(*, user: User, insuree: Insuree, error: InsureeError, source: PhotoSource) -> PhotoRejection:
    """Records a refused photo of `insuree`, committed at once."""
    family = insuree.family
    village_id = family.village_id if family is not None else insuree.current_village_id
    return PhotoRejection.objects.create(
        insuree=insuree,
        insurance_number=insuree.insurance_number,
        village_id=village_id,
        code=error.code,
        reason=error.message[:200],
        source=source,
        uploaded_by=user,
    )


@transaction.atomic
def _photo_store(insuree: Insuree, jpeg: bytes) -> Insuree:
    old = insuree.photo.name if insuree.photo else ""
    insuree.photo.save(f"{insuree.uuid}.jpg", ContentFile(jpeg), save=False)
    insuree.photo_date = date.today()
    insuree.save(update_fields=["photo", "photo_date", "updated_at"])
    if old:
        storage = insuree.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return insuree
