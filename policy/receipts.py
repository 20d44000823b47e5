"""The receipt of a contribution as a PDF (A5), rendered by WeasyPrint from an HTML/CSS string, in the active
language (the requesting user's).

A receipt shows the scheme's name, the receipt number, the payment date, the family's head and their insurance
number, the product, the amount (with payment type and payer), the policy's value, what is paid and what is
still due, and who recorded the payment. A cancelled contribution's receipt says so in large letters, with the
reason. No database access here: callers pass `ReceiptData` (see `receipt_of`).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import Contribution, Policy

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ReceiptData:
    receipt: str
    pay_date: date
    amount: Decimal
    pay_type: str
    payer: str
    photo_fee: bool
    head: str
    insurance_number: str
    village: str
    product: str
    value: Decimal
    paid: Decimal
    recorded_by: str
    recorded_at: datetime
    cancelled: bool = False
    cancel_reason: str = ""

    @property
    def balance(self) -> Decimal:
        return max(self.value - self.paid, Decimal("0"))


def receipt_of(contribution: Contribution, *, policy: Policy, paid: Decimal) -> ReceiptData:
    """The receipt of a contribution (loaded with its payer and recorder) of `policy` (with family and product)."""
    head = policy.family.head
    recorder = contribution.created_by
    return ReceiptData(
        receipt=contribution.receipt,
        pay_date=contribution.pay_date,
        amount=contribution.amount,
        pay_type=str(contribution.get_pay_type_display()),
        payer=contribution.payer.name if contribution.payer else "",
        photo_fee=contribution.is_photo_fee,
        head=head.full_name,
        insurance_number=head.insurance_number,
        village=policy.family.village.name,
        product=f"{policy.product.code} · {policy.product.name}",
        value=policy.value,
        paid=paid,
        recorded_by=recorder.get_full_name() or recorder.username,
        recorded_at=contribution.created_at,
        cancelled=contribution.is_cancelled,
        cancel_reason=contribution.cancel_reason,
    )


_CSS = """
@page { size: A5; margin: 14mm 12mm }
* { box-sizing: border-box }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9.5pt; color: #111; margin: 0 }
.band { background: #0b5394; color: #fff; padding: 3mm 4mm; font-weight: bold; font-size: 12pt }
.band small { display: block; font-weight: normal; font-size: 8.5pt; opacity: .9 }
h1 { font-size: 14pt; margin: 5mm 0 1mm }
.number { font-family: "DejaVu Sans Mono", monospace; font-size: 12pt; font-weight: bold }
table { width: 100%; border-collapse: collapse; margin-top: 4mm }
th { text-align: left; font-weight: normal; color: #555; width: 45%; padding: 1.2mm 0; vertical-align: top }
td { padding: 1.2mm 0; border-bottom: .2mm solid #ddd }
.amount td { font-size: 13pt; font-weight: bold }
.num { text-align: right; font-variant-numeric: tabular-nums }
.money th, .money td { border-bottom: .2mm solid #ddd }
.cancelled { margin-top: 5mm; padding: 3mm; border: .6mm solid #b00; color: #b00; font-weight: bold; font-size: 14pt;
             text-align: center }
.cancelled small { display: block; font-size: 9pt; font-weight: normal }
.foot { margin-top: 8mm; font-size: 8pt; color: #555 }
.sign { margin-top: 12mm; border-top: .2mm solid #555; width: 60mm; padding-top: 1mm; font-size: 8pt; color: #555 }
"""


def _money(amount: Decimal) -> str:
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


def receipt_html(data: ReceiptData, *, scheme: str | None = None) -> str:
    scheme = scheme if scheme is not None else str(settings.SCHEME_NAME)
    e = escape
    printed = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    recorded = formats.date_format(timezone.localtime(data.recorded_at), "SHORT_DATETIME_FORMAT")
    payer = data.payer or _("The family")
    rows = [
        (_("Payment date"), formats.date_format(data.pay_date, "DATE_FORMAT")),
        (_("Head of the family"), data.head),
        (_("Insurance number"), data.insurance_number),
        (_("Village"), data.village),
        (_("Product"), data.product),
        (_("Payment type"), data.pay_type),
        (_("Paid by"), payer),
    ]
    if data.photo_fee:
        rows.append((_("Purpose"), _("Photo fee (not counted towards the policy value)")))
    body = "".join(f"<tr><th>{e(label)}</th><td>{e(value)}</td></tr>" for label, value in rows)
    money = [
        (_("Policy value"), data.value),
        (_("Paid so far"), data.paid),
        (_("Still due"), data.balance),
    ]
    money_rows = "".join(f'<tr><th>{e(label)}</th><td class="num">{_money(v)}</td></tr>' for label, v in money)
    # (gettext calls stay outside the f-strings so that makemessages finds them)
    text = {
        "cancelled": _("CANCELLED"),
        "reason": _("Reason"),
        "title": _("Contribution receipt"),
        "receipt": _("Receipt"),
        "amount": _("Amount received"),
        "recorded_by": _("Recorded by"),
        "foot": _("Keep this receipt. Printed on %(date)s") % {"date": printed},
    }
    t = {key: e(value) for key, value in text.items()}
    cancelled = ""
    if data.cancelled:
        cancelled = (
            f'<div class="cancelled">{t["cancelled"]}<small>{t["reason"]}: {e(data.cancel_reason)}</small></div>'
        )
    lang = translation.get_language() or "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>{_CSS}</style></head><body>'
        f'<div class="band">{e(scheme)}<small>{t["title"]}</small></div>'
        f'<h1>{t["receipt"]} <span class="number">{e(data.receipt)}</span></h1>'
        f'<table class="amount"><tr><th>{t["amount"]}</th>'
        f'<td class="num">{_money(data.amount)}</td></tr></table>'
        f"<table>{body}</table>"
        f'<table class="money">{money_rows}</table>'
        f"{cancelled}"
        f'<div class="sign">{t["recorded_by"]}: {e(data.recorded_by)}, {e(recorded)}</div>'
        f'<div class="foot">{t["foot"]}</div>'
        "</body></html>"
    )


def render_receipt(data: ReceiptData, *, scheme: str | None = None) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=receipt_html(data, scheme=scheme)).write_pdf()
    assert pdf is not None
    return pdf
