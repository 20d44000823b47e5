"""Uploaded files, the same way wherever people send them (insuree photos, claim attachments):

- read with a bound: at most `limit + 1` bytes are read, so a file above the limit is refused without being read
  into memory in full (`read_bounded`);
- typed by their content (the first bytes, "magic numbers"), never by their name or by the type the browser
  claims: an .exe renamed .pdf is not a PDF (`sniff`); an image must also parse (`image_is_readable`);
- sizes in messages are given in MB, in the user's language (`megabytes`).

Storing, naming and the limits themselves belong to each use (see `insuree.services.photos` and
`claim.attachments`).
"""

import io
from dataclasses import dataclass
from typing import IO

from django.utils.formats import number_format
from PIL import Image, UnidentifiedImageError

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    label: str  # as people know it: "PDF", "JPEG"
    mime_type: str
    extension: str  # the one a stored file gets, whatever the name it was sent with
    pillow_format: str = ""  # images: the Pillow format name


PDF = FileType("PDF", "application/pdf", "pdf")
JPEG = FileType("JPEG", "image/jpeg", "jpg", "JPEG")
PNG = FileType("PNG", "image/png", "png", "PNG")
WEBP = FileType("WebP", "image/webp", "webp", "WEBP")
IMAGES = (JPEG, PNG, WEBP)


def sniff(data: bytes) -> FileType | None:
    """The type of a file from its first bytes: PDF, JPEG, PNG, WebP, else None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def image_is_readable(data: bytes, kind: FileType | None = None) -> bool:
    """The image parses as the type its first bytes announce (a damaged or disguised file does not); without a
    type, as any image format Pillow reads (GIF, BMP, TIFF...)."""
    try:
        with Image.open(io.BytesIO(data), formats=[kind.pillow_format] if kind else None) as probe:
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def read_bounded(file: IO[bytes], limit: int) -> bytes:
    """The file's bytes from its start, at most `limit + 1` of them: more than `limit` means it is too large."""
    if file.seekable():
        file.seek(0)
    return file.read(limit + 1)


def size_of(file: IO[bytes], data: bytes) -> int:
    """The whole file's size (an upload knows it; another file is measured), for a message about its size."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    if file.seekable():
        return file.seek(0, io.SEEK_END)
    return len(data)


def megabytes(size: int) -> str:
    """The size in MB, rounded up to a tenth (a file just above a limit of 10 never reads "10"), without decimals
    when whole, with the decimal separator of the user's language: "10", "12.4"."""
    tenths = -(-size * 10 // MB)
    return number_format(tenths // 10) if tenths % 10 == 0 else number_format(tenths / 10, decimal_pos=1)
