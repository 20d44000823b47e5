"""Insuree photos: checked by content (`openimis.common.uploads`, as claim attachments are), bounded in size,
normalised to a small JPEG (rules in __init__.py)."""

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
from ..models import Insuree

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


@transaction.atomic
def insuree_set_photo(*, user: User, insuree: Insuree, file: IO[bytes]) -> Insuree:
    if not user.has_perm("insuree.change_insuree"):
        raise PermissionDeniedError(_("You do not have the permission to do this."))
    if not Insuree.objects.visible_to(user).filter(pk=insuree.pk).exists():
        raise PermissionDeniedError(_("This insuree is outside your scope."))
    data = uploads.read_bounded(file, settings.PHOTO_MAX_BYTES)
    jpeg = normalise_photo(data)
    old = insuree.photo.name if insuree.photo else ""
    insuree.photo.save(f"{insuree.uuid}.jpg", ContentFile(jpeg), save=False)
    insuree.photo_date = date.today()
    insuree.save(update_fields=["photo", "photo_date", "updated_at"])
    if old:
        storage = insuree.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return insuree
