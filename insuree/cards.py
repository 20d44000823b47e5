"""Membership cards as PDF: an HTML/CSS template at the CR80 size (85.6 x 54 mm) rendered by WeasyPrint.

- A personal card shows the scheme's name, the photo (or a neutral placeholder), the name, the insurance
  number, the date of birth, the gender and a QR code holding the signed payload (`insuree.signing`).
- A pre-printed stock card shows the scheme's name, the number and its QR code only (no person).
- Layouts: SINGLE puts each card on its own CR80 page (card printers); SHEET puts ten cards (2 x 5) on each
  A4 page with cut marks (office printers).

No database access here: callers pass `CardData`. A whole batch is one HTML document rendered once (the
per-document cost of WeasyPrint is paid once per chunk, not per card); the QR codes are PNG data URIs drawn
with crisp module edges, the placeholder is one shared SVG (WeasyPrint loads it once per document).
"""

import base64
import io
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import qrcode
import qrcode.constants
from django.conf import settings
from django.utils import formats, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .signing import sign

# WeasyPrint logs every step and page at INFO: thousands of lines per batch in the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

SINGLE = "single"
SHEET = "sheet"
LAYOUTS = (SINGLE, SHEET)
SHEET_COLUMNS, SHEET_ROWS = 2, 5
CARD_W_MM, CARD_H_MM = 85.6, 54.0
A4_W_MM, A4_H_MM = 210.0, 297.0

MASK_PATTERN = 2
_QR_SCHEME = "qr:"
_PHOTO_SCHEME = "photo:"
PHOTO_PX = (240, 300)  # 20 x 25 mm at 300 dpi
PHOTO_AS_IS_BYTES = 80_000  # a photo this small is embedded as it is; a larger one is scaled down first
_PLACEHOLDER = (
    "data:image/svg+xml;base64,"
    + base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 100" width="80" height="100">'
        b'<rect width="80" height="100" fill="#e9ecef"/>'
        b'<circle cx="40" cy="38" r="17" fill="#adb5bd"/>'
        b'<path d="M10 100 C10 70 70 70 70 100 Z" fill="#adb5bd"/></svg>'
    ).decode()
)


@dataclass(frozen=True)
class CardData:
    number: str
    name: str = ""
    dob: date | None = None
    gender: str = ""
    photo_path: str | None = None  # a file on disk; None shows the placeholder
    stock: bool = False  # a pre-printed card: number and QR only


def qr_png(payload: str, *, box_size: int = 1) -> bytes:
    """The payload as a QR code PNG, one pixel per module by default (medium error correction, 2-module quiet
    zone); the card scales it up without smoothing, so it prints sharp at any resolution."""
    # A fixed mask pattern (any of the 8 is valid) skips scoring all eight: most of qrcode's time per code.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=2, mask_pattern=MASK_PATTERN
    )
    code.add_data(payload)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def qr_data_uri(payload: str, *, box_size: int = 4) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(payload, box_size=box_size)).decode()


def photo_jpeg(path: str) -> bytes:
    """The photo as a JPEG of card resolution: enrolment photos can be camera-sized (megabytes each), which
    would make a batch PDF of gigabytes and slow the rendering down."""
    from PIL import Image, ImageOps

    if os.path.getsize(path) <= PHOTO_AS_IS_BYTES and path.lower().endswith((".jpg", ".jpeg")):
        return Path(path).read_bytes()
    with Image.open(path) as original:
        original.draft("RGB", (PHOTO_PX[0] * 2, PHOTO_PX[1] * 2))  # JPEG: decode at a reduced scale, fast
        picture = ImageOps.exif_transpose(original).convert("RGB")
    picture.thumbnail(PHOTO_PX)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _fetcher() -> Any:
    """WeasyPrint's URL fetcher, plus `qr:<payload>` drawn here: a short URL instead of a data URI keeps the
    batch's HTML small and quick to parse. Other URLs (photos on disk, the placeholder) load as usual; only
    file and data URLs are allowed (no network access from a card)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class CardFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(_QR_SCHEME):
                png = qr_png(unquote(url[len(_QR_SCHEME) :]))
                return URLFetcherResponse(url, body=png, headers={"Content-Type": "image/png"})
            if url.startswith(_PHOTO_SCHEME):
                jpeg = photo_jpeg(unquote(url[len(_PHOTO_SCHEME) :]))
                return URLFetcherResponse(url, body=jpeg, headers={"Content-Type": "image/jpeg"})
            return super().fetch(url, headers)

    return CardFetcher(allowed_protocols=["data"])


_CSS = """
@page { size: %(page_w)smm %(page_h)smm; margin: 0 }
* { box-sizing: border-box }
html, body { margin: 0; padding: 0; font-family: "DejaVu Sans", "Liberation Sans", sans-serif; color: #111 }
.card { width: 85.6mm; height: 54mm; overflow: hidden; position: relative; background: #fff }
.single .card { page-break-after: always }
.single .card:last-child { page-break-after: auto }
.band { height: 9mm; background: #0b5394; color: #fff; padding: 1.2mm 3mm 0 3mm; font-size: 7.5pt;
        font-weight: bold; line-height: 1.15 }
.band small { display: block; font-weight: normal; font-size: 5.5pt; opacity: .9 }
.photo { position: absolute; left: 3mm; top: 12mm; width: 20mm; height: 25mm; object-fit: cover;
         border: .2mm solid #999 }
.details { position: absolute; left: 26mm; top: 11.5mm; width: 33mm; font-size: 6.5pt; line-height: 1.25 }
.details .name { font-size: 8pt; font-weight: bold; margin-bottom: 1mm; overflow-wrap: break-word }
.details .label { color: #555; font-size: 5pt; text-transform: uppercase; margin-top: .8mm }
.number { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; font-weight: bold; letter-spacing: .3pt }
.qr { position: absolute; right: 2.5mm; top: 11.5mm; width: 23mm; height: 23mm; image-rendering: pixelated }
.foot { position: absolute; left: 3mm; right: 3mm; bottom: 2mm; font-size: 5pt; color: #555 }
.stock .number { position: absolute; left: 4mm; top: 17mm; font-size: 13pt }
.stock .hint { position: absolute; left: 4mm; top: 27mm; width: 50mm; font-size: 6pt; color: #555 }
.sheet-page { width: 210mm; height: 297mm; position: relative; page-break-after: always }
.sheet-page:last-child { page-break-after: auto }
.sheet-page .card { position: absolute }
"""


def _card_html(card: CardData, scheme: str, labels: dict[str, str]) -> str:
    qr = _QR_SCHEME + quote(sign(card.number), safe="")
    band = f'<div class="band">{escape(scheme)}<small>{labels["title"]}</small></div>'
    if card.stock:
        return (
            f'<div class="card stock">{band}<div class="number">{escape(card.number)}</div>'
            f'<div class="hint">{labels["stock_hint"]}</div><img class="qr" src="{qr}" alt=""></div>'
        )
    photo = _PHOTO_SCHEME + quote(card.photo_path, safe="") if card.photo_path else _PLACEHOLDER
    dob = formats.date_format(card.dob, "j M Y") if card.dob else ""
    return (
        f'<div class="card">{band}<img class="photo" src="{photo}" alt="">'
        f'<div class="details"><div class="name">{escape(card.name)}</div>'
        f'<div class="label">{labels["number"]}</div><div class="number">{escape(card.number)}</div>'
        f'<div class="label">{labels["dob"]}</div><div>{escape(dob)}</div>'
        f'<div class="label">{labels["gender"]}</div><div>{escape(card.gender)}</div></div>'
        f'<img class="qr" src="{qr}" alt=""><div class="foot">{labels["foot"]}</div></div>'
    )


def _labels() -> dict[str, str]:
    return {
        key: escape(text)
        for key, text in {
            "title": _("Membership card"),
            "number": _("Insurance number"),
            "dob": _("Date of birth"),
            "gender": _("Gender"),
            "foot": _("Show this card at every visit to a health facility."),
            "stock_hint": _("Name and photo are recorded at enrolment."),
        }.items()
    }


def _sheet_marks() -> str:
    """Cut marks in the margins of an A4 sheet, on the lines between the cards: one SVG drawn as the page's
    background (one image for every sheet instead of two dozen positioned elements per page)."""
    left = (A4_W_MM - SHEET_COLUMNS * CARD_W_MM) / 2
    top = (A4_H_MM - SHEET_ROWS * CARD_H_MM) / 2
    length = 5.0
    lines = []
    for col in range(SHEET_COLUMNS + 1):
        x = left + col * CARD_W_MM
        lines.append((x, top - length - 1, x, top - 1))
        lines.append((x, A4_H_MM - top + 1, x, A4_H_MM - top + length + 1))
    for row in range(SHEET_ROWS + 1):
        y = top + row * CARD_H_MM
        lines.append((left - length - 1, y, left - 1, y))
        lines.append((A4_W_MM - left + 1, y, A4_W_MM - left + length + 1, y))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{A4_W_MM}mm" height="{A4_H_MM}mm" '
        f'viewBox="0 0 {A4_W_MM} {A4_H_MM}"><g stroke="#000" stroke-width="0.2">'
        + "".join(f'<line x1="{a:.2f}" y1="{b:.2f}" x2="{c:.2f}" y2="{d:.2f}"/>' for a, b, c, d in lines)
        + "</g></svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _sheet_css() -> str:
    left = (A4_W_MM - SHEET_COLUMNS * CARD_W_MM) / 2
    top = (A4_H_MM - SHEET_ROWS * CARD_H_MM) / 2
    rules = [f".sheet-page {{ background: url({_sheet_marks()}) no-repeat 0 0 / 210mm 297mm }}"]
    for index in range(SHEET_COLUMNS * SHEET_ROWS):
        row, col = divmod(index, SHEET_COLUMNS)
        rules.append(f".p{index} {{ left: {left + col * CARD_W_MM:.2f}mm; top: {top + row * CARD_H_MM:.2f}mm }}")
    return "\n".join(rules)


def cards_html(cards: Iterable[CardData], layout: str = SINGLE, *, scheme: str | None = None) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown card layout {layout!r}")
    scheme = scheme if scheme is not None else str(settings.SCHEME_NAME)
    labels = _labels()
    items = [_card_html(card, scheme, labels) for card in cards]
    if layout == SINGLE:
        css = _CSS % {"page_w": CARD_W_MM, "page_h": CARD_H_MM}
        body = f'<body class="single">{"".join(items)}</body>'
    else:
        css = _CSS % {"page_w": A4_W_MM, "page_h": A4_H_MM} + _sheet_css()
        per_page = SHEET_COLUMNS * SHEET_ROWS
        pages = []
        for start in range(0, len(items), per_page):
            placed = [
                item.replace('<div class="card', f'<div class="p{index} card', 1)
                for index, item in enumerate(items[start : start + per_page])
            ]
            pages.append(f'<div class="sheet-page">{"".join(placed)}</div>')
        body = f'<body class="sheet">{"".join(pages)}</body>'
    lang = translation.get_language() or "en"
    return f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>{css}</style></head>{body}</html>'


def render_cards(cards: Sequence[CardData], layout: str = SINGLE, *, scheme: str | None = None) -> bytes:
    """One PDF with every card of the list, in order."""
    from weasyprint import HTML

    if not cards:
        raise ValueError("no cards to render")
    html = cards_html(cards, layout, scheme=scheme)
    pdf = HTML(string=html, base_url=str(settings.MEDIA_ROOT), url_fetcher=_fetcher()).write_pdf()
    assert pdf is not None
    return pdf


def merge_pdfs(parts: Sequence[bytes]) -> bytes:
    """The pages of several PDFs (chunks of one batch) as one document."""
    if len(parts) == 1:
        return parts[0]
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
