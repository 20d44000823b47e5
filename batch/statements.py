"""What a batch run pays, as statements for the health facilities: queries returning plain data, and writers.

- Remuneration statement of a facility: a header (scheme, facility, the run's month, its region or "National",
  when it was generated), one row per claim of the facility valued by the run (claim code, insurance number, visit
  dates, amount asked = the claim's claimed amount, valued on relative prices = `RunClaim.valued`, remunerated =
  `RunClaim.remunerated`) and the totals. The whole run's table is the same rows for every facility.
- Capitation statement: the `CapitationPayment` rows of the run's month for the products of the run's location
  (national products for a national run): per facility and product, its measures, the six paid parts and the
  payment.
- Money always has two decimals: amounts are Decimals quantized to the cent (numbers in CSV and XLSX), formatted
  in the active language with two decimals in PDFs.
- PDFs are rendered by WeasyPrint from an HTML/CSS string in the active language (the requesting user's), as the
  contribution receipts are (`policy.receipts`). CSV and XLSX go through `openimis.common.tabular`.
- Callers pass runs the user may see (`batch.selectors.runs_for`): nothing here checks scope.
"""

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import BatchRun, CapitationPayment, RelativeIndex, RunClaim, RunFacility

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(amount: Decimal | int | None) -> Decimal:
    return Decimal(amount or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def measure(value: Decimal | int) -> Decimal:
    """A measure (catchment percentages make fractions) without trailing zeros: 200.0000 -> 200, 3.5000 -> 3.5."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


# --- data --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    scheme: str
    year: int
    month: int
    period: str  # the month in words, in the active language
    region: str  # "<code> · <name>", or "National"
    generated_at: datetime


@dataclass(frozen=True)
class Facility:
    uuid: str
    code: str
    name: str


@dataclass(frozen=True)
class ClaimRow:
    facility_code: str
    facility_name: str
    claim_code: str
    insurance_number: str
    date_from: date
    date_to: date | None
    asked: Decimal
    valued: Decimal
    remunerated: Decimal


@dataclass(frozen=True)
class Totals:
    claims: int
    asked: Decimal
    valued: Decimal
    remunerated: Decimal


@dataclass(frozen=True)
class FacilityTotals:
    facility: Facility
    totals: Totals


@dataclass(frozen=True)
class RemunerationStatement:
    header: Header
    facility: Facility
    rows: list[ClaimRow]
    totals: Totals


MEASURES = ("population", "families", "insured_people", "insured_families", "visits", "adjusted_amount")


@dataclass(frozen=True)
class CapitationRow:
    facility: Facility
    product: str  # "<code> · <name>"
    window_start: date
    window_end: date
    population: Decimal
    families: Decimal
    insured_people: Decimal
    insured_families: Decimal
    visits: int
    adjusted_amount: Decimal
    paid_population: Decimal
    paid_families: Decimal
    paid_insured_people: Decimal
    paid_insured_families: Decimal
    paid_visits: Decimal
    paid_adjusted_amount: Decimal
    payment: Decimal

    def measured(self, name: str) -> Decimal:
        return cents(self.adjusted_amount) if name == "adjusted_amount" else measure(getattr(self, name))

    def paid(self, name: str) -> Decimal:
        return cents(getattr(self, f"paid_{name}"))


@dataclass(frozen=True)
class CapitationStatement:
    header: Header
    facility: Facility | None  # None: every facility of the run's month
    rows: list[CapitationRow]

    @property
    def total(self) -> Decimal:
        return cents(sum((r.payment for r in self.rows), ZERO))


def measure_labels() -> dict[str, str]:
    return {
        "population": _("Population"),
        "families": _("Families"),
        "insured_people": _("Insured people"),
        "insured_families": _("Insured families"),
        "visits": _("Visits"),
        "adjusted_amount": _("Adjusted amount"),
    }


# --- queries -----------------------------------------------------------------------------------------------------


def region_label(run: BatchRun) -> str:
    return f"{run.location.code} · {run.location.name}" if run.location else _("National")


def period_label(year: int, month: int) -> str:
    return formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")


def header_of(run: BatchRun, *, scheme: str | None = None) -> Header:
    return Header(
        scheme=scheme if scheme is not None else str(settings.SCHEME_NAME),
        year=run.year,
        month=run.month,
        period=period_label(run.year, run.month),
        region=region_label(run),
        generated_at=timezone.now(),
    )


def _totals(claims: int, asked: Any, valued: Any, remunerated: Any) -> Totals:
    return Totals(claims=claims, asked=cents(asked), valued=cents(valued), remunerated=cents(remunerated))


def facility_totals(run: BatchRun) -> list[FacilityTotals]:
    """Each facility with claims valued by the run: its number of claims, amounts asked, valued and remunerated
    (stored by the run: `RunFacility`)."""
    rows = (
        RunFacility.objects.filter(run=run)
        .values_list("facility__uuid", "facility__code", "facility__name", "claims", "asked", "valued", "remunerated")
        .order_by("facility__code")
    )
    return [
        FacilityTotals(Facility(str(uuid), code, name), _totals(claims, asked, valued, paid))
        for uuid, code, name, claims, asked, valued, paid in rows
    ]


def sum_totals(totals: Sequence[Totals]) -> Totals:
    return Totals(
        claims=sum(t.claims for t in totals),
        asked=cents(sum((t.asked for t in totals), ZERO)),
        valued=cents(sum((t.valued for t in totals), ZERO)),
        remunerated=cents(sum((t.remunerated for t in totals), ZERO)),
    )


def claim_rows(run: BatchRun, facility_uuid: str | None = None) -> Iterator[ClaimRow]:
    """The claims valued by the run (of one facility, or all), by facility and claim code; read in chunks, so a
    national run's million claims stream out without being held in memory."""
    runclaims = RunClaim.objects.filter(run=run)
    if facility_uuid is not None:
        runclaims = runclaims.filter(claim__facility__uuid=facility_uuid)
    values = runclaims.order_by("claim__facility__code", "claim__code", "claim_id").values_list(
        "claim__facility__code",
        "claim__facility__name",
        "claim__code",
        "claim__insuree__insurance_number",
        "claim__date_from",
        "claim__date_to",
        "claim__claimed",
        "valued",
        "remunerated",
    )
    for code, name, claim, number, start, end, asked, valued, paid in values.iterator(chunk_size=5000):
        yield ClaimRow(code, name, claim, number, start, end, cents(asked), cents(valued), cents(paid))


def rows_totals(rows: Sequence[ClaimRow]) -> Totals:
    return Totals(
        claims=len(rows),
        asked=cents(sum((r.asked for r in rows), ZERO)),
        valued=cents(sum((r.valued for r in rows), ZERO)),
        remunerated=cents(sum((r.remunerated for r in rows), ZERO)),
    )


def run_facility(run: BatchRun, facility_uuid: str) -> Facility | None:
    """The facility if the run valued claims of it (its statement exists), else None."""
    found = (
        RunClaim.objects.filter(run=run, claim__facility__uuid=facility_uuid)
        .values_list("claim__facility__code", "claim__facility__name")
        .first()
    )
    return Facility(str(facility_uuid), found[0], found[1]) if found else None


def remuneration_statement(run: BatchRun, facility: Facility) -> RemunerationStatement:
    rows = list(claim_rows(run, facility.uuid))
    return RemunerationStatement(header_of(run), facility, rows, rows_totals(rows))


@dataclass(frozen=True)
class IndexRow:
    product_code: str
    product_name: str
    kind: str  # monthly, quarterly, yearly
    period: int
    care_type: str
    window_start: date
    window_end: date
    pool: Decimal
    share_percent: Decimal
    valued: Decimal
    index: Decimal


def index_rows(run: BatchRun) -> list[IndexRow]:
    """The run's relative indices, by product, period kind and care type."""
    indices = RelativeIndex.objects.filter(run=run).select_related("product")
    return [
        IndexRow(
            product_code=i.product.code,
            product_name=i.product.name,
            kind=str(i.get_kind_display()),
            period=i.period,
            care_type=str(i.get_care_type_display()),
            window_start=i.window_start,
            window_end=i.window_end,
            pool=cents(i.pool),
            share_percent=measure(i.share * 100),
            valued=cents(i.valued),
            index=i.index,
        )
        for i in indices.order_by("product__code", "kind", "care_type")
    ]


def capitation_rows(run: BatchRun, facility_uuid: str | None = None) -> list[CapitationRow]:
    """The capitation payments of the run's month for the products of the run's location (national products for a
    national run), by facility and product."""
    payments = CapitationPayment.objects.filter(year=run.year, month=run.month)
    if run.location_id is None:
        payments = payments.filter(product__location__isnull=True)
    else:
        payments = payments.filter(product__location_id=run.location_id)
    if facility_uuid is not None:
        payments = payments.filter(facility__uuid=facility_uuid)
    payments = payments.select_related("facility", "product").order_by("facility__code", "product__code", "id")
    return [
        CapitationRow(
            facility=Facility(str(p.facility.uuid), p.facility.code, p.facility.name),
            product=f"{p.product.code} · {p.product.name}",
            window_start=p.window_start,
            window_end=p.window_end,
            population=measure(p.population),
            families=measure(p.families),
            insured_people=measure(p.insured_people),
            insured_families=measure(p.insured_families),
            visits=p.visits,
            adjusted_amount=cents(p.adjusted_amount),
            paid_population=cents(p.paid_population),
            paid_families=cents(p.paid_families),
            paid_insured_people=cents(p.paid_insured_people),
            paid_insured_families=cents(p.paid_insured_families),
            paid_visits=cents(p.paid_visits),
            paid_adjusted_amount=cents(p.paid_adjusted_amount),
            payment=cents(p.payment),
        )
        for p in payments
    ]


def capitation_statement(run: BatchRun, facility_uuid: str | None = None) -> CapitationStatement | None:
    """The capitation statement of a facility (None when it has no payment this month) or of every facility."""
    rows = capitation_rows(run, facility_uuid)
    if facility_uuid is not None and not rows:
        return None
    return CapitationStatement(header_of(run), rows[0].facility if facility_uuid is not None else None, rows)


# --- tables (CSV, XLSX) ------------------------------------------------------------------------------------------


def claims_table(header: Header, rows: Iterable[ClaimRow], totals: Totals) -> tuple[list[str], Iterator[list[Any]]]:
    """The remuneration statement as a table: one row per claim, then a total row (rows are produced as read)."""
    columns = [
        _("Period"),
        _("Region"),
        _("Facility code"),
        _("Facility name"),
        _("Claim code"),
        _("Insurance number"),
        _("Visit from"),
        _("Visit to"),
        _("Asked"),
        _("Valued"),
        _("Remunerated"),
    ]
    period = f"{header.year}-{header.month:02d}"
    total_row = [period, header.region, "", "", _("Total"), "", "", "", totals.asked, totals.valued, totals.remunerated]

    def body() -> Iterator[list[Any]]:
        for r in rows:
            yield [period, header.region, r.facility_code, r.facility_name, r.claim_code, r.insurance_number,
                   r.date_from, r.date_to or r.date_from, r.asked, r.valued, r.remunerated]  # fmt: skip
        yield total_row

    return columns, body()


def capitation_table(statement: CapitationStatement) -> tuple[list[str], list[list[Any]]]:
    """The capitation statement as a table: one row per facility and product, then a total row."""
    labels = measure_labels()
    columns = [
        _("Period"),
        _("Region"),
        _("Facility code"),
        _("Facility name"),
        _("Product"),
        _("From"),
        _("To"),
        *labels.values(),
        *[_("Paid: %(measure)s") % {"measure": label} for label in labels.values()],
        _("Payment"),
    ]
    h = statement.header
    period = f"{h.year}-{h.month:02d}"
    body: list[list[Any]] = [
        [period, h.region, r.facility.code, r.facility.name, r.product, r.window_start, r.window_end,
         *[r.measured(m) for m in MEASURES], *[r.paid(m) for m in MEASURES], r.payment]
        for r in statement.rows
    ]  # fmt: skip
    parts = [cents(sum((r.paid(m) for r in statement.rows), ZERO)) for m in MEASURES]
    body.append([period, h.region, "", "", _("Total"), "", "", *[""] * len(MEASURES), *parts, statement.total])
    return columns, body


# --- PDF ---------------------------------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 14mm 12mm 16mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 7.5pt; color: #555 } }
* { box-sizing: border-box }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 8.5pt; color: #111; margin: 0 }
.band { background: #0b5394; color: #fff; padding: 3mm 4mm; font-weight: bold; font-size: 12pt }
.band small { display: block; font-weight: normal; font-size: 8.5pt; opacity: .9 }
h1 { font-size: 13pt; margin: 5mm 0 2mm }
h2 { font-size: 10.5pt; margin: 6mm 0 1mm; page-break-after: avoid }
dl.head { display: grid; grid-template-columns: 32mm auto; margin: 0 0 3mm; row-gap: .8mm }
dl.head dt { color: #555 } dl.head dd { margin: 0 }
table { width: 100%; border-collapse: collapse; margin-top: 2mm }
thead { display: table-header-group }
th { text-align: left; font-weight: bold; border-bottom: .4mm solid #333; padding: 1mm 1.2mm; vertical-align: bottom }
td { padding: .9mm 1.2mm; border-bottom: .2mm solid #ddd; vertical-align: top }
tr { page-break-inside: avoid }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt }
tfoot td { font-weight: bold; border-top: .4mm solid #333; border-bottom: none }
.block { page-break-inside: avoid }
.empty { color: #555; font-style: italic; margin-top: 4mm }
"""


def money(amount: Decimal) -> str:
    return formats.number_format(cents(amount), 2, use_l10n=True, force_grouping=True)


def _number(value: Decimal | int) -> str:
    return formats.number_format(measure(value), use_l10n=True, force_grouping=True)


def _day(value: date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _document(header: Header, title: str, facility: Facility | None, body: str) -> str:
    e = escape
    generated = formats.date_format(timezone.localtime(header.generated_at), "SHORT_DATETIME_FORMAT")
    head = [
        (_("Health facility"), f"{facility.code} · {facility.name}" if facility else _("All facilities")),
        (_("Period"), header.period),
        (_("Region"), header.region),
        (_("Generated on"), generated),
    ]
    dl = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in head)
    lang = translation.get_language() or "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>{_CSS}</style></head><body>'
        f'<div class="band">{e(header.scheme)}<small>{e(title)}</small></div>'
        f'<h1>{e(title)}</h1><dl class="head">{dl}</dl>{body}</body></html>'
    )


def remuneration_html(statement: RemunerationStatement) -> str:
    e = escape
    columns = [
        (_("Claim code"), ""),
        (_("Insurance number"), ""),
        (_("Visit"), ""),
        (_("Asked"), "num"),
        (_("Valued"), "num"),
        (_("Remunerated"), "num"),
    ]
    thead = "".join(f'<th class="{css}">{e(label)}</th>' for label, css in columns)
    rows = []
    for r in statement.rows:
        visit = _day(r.date_from) + (f" – {_day(r.date_to)}" if r.date_to and r.date_to != r.date_from else "")
        rows.append(
            f'<tr><td class="mono">{e(r.claim_code)}</td><td class="mono">{e(r.insurance_number)}</td>'
            f'<td>{e(visit)}</td><td class="num">{money(r.asked)}</td><td class="num">{money(r.valued)}</td>'
            f'<td class="num">{money(r.remunerated)}</td></tr>'
        )
    t = statement.totals
    total_label = _("Total (%(n)d claims)") % {"n": t.claims} if t.claims != 1 else _("Total (1 claim)")
    tfoot = (
        f'<tfoot><tr><td colspan="3">{e(total_label)}</td><td class="num">{money(t.asked)}</td>'
        f'<td class="num">{money(t.valued)}</td><td class="num">{money(t.remunerated)}</td></tr></tfoot>'
    )
    body = f"<table><thead><tr>{thead}</tr></thead><tbody>{''.join(rows)}</tbody>{tfoot}</table>"
    return _document(statement.header, _("Remuneration statement"), statement.facility, body)


def capitation_html(statement: CapitationStatement) -> str:
    e = escape
    labels = measure_labels()
    blocks = []
    if statement.facility is None and statement.rows:
        summary = "".join(
            f"<tr><td>{e(r.facility.code)} · {e(r.facility.name)}</td><td>{e(r.product)}</td>"
            f'<td class="num">{money(r.payment)}</td></tr>'
            for r in statement.rows
        )
        blocks.append(
            f"<table><thead><tr><th>{e(_('Health facility'))}</th><th>{e(_('Product'))}</th>"
            f'<th class="num">{e(_("Payment"))}</th></tr></thead><tbody>{summary}</tbody>'
            f'<tfoot><tr><td colspan="2">{e(_("Total"))}</td><td class="num">{money(statement.total)}</td></tr>'
            "</tfoot></table>"
        )
    for r in statement.rows:
        lines = "".join(
            f'<tr><td>{e(labels[m])}</td><td class="num">'
            f"{money(r.measured(m)) if m == 'adjusted_amount' else _number(r.measured(m))}</td>"
            f'<td class="num">{money(r.paid(m))}</td></tr>'
            for m in MEASURES
        )
        title = r.product if statement.facility else f"{r.facility.code} · {r.facility.name} — {r.product}"
        window = _("Contributions allocated from %(start)s to %(end)s") % {
            "start": _day(r.window_start),
            "end": _day(r.window_end),
        }
        blocks.append(
            f'<div class="block"><h2>{e(title)}</h2><div>{e(window)}</div>'
            f'<table><thead><tr><th>{e(_("Measure"))}</th><th class="num">{e(_("Counted"))}</th>'
            f'<th class="num">{e(_("Paid"))}</th></tr></thead><tbody>{lines}</tbody>'
            f'<tfoot><tr><td colspan="2">{e(_("Payment"))}</td><td class="num">{money(r.payment)}</td></tr>'
            "</tfoot></table></div>"
        )
    if not statement.rows:
        blocks.append(f'<p class="empty">{e(_("No capitation payment for this month."))}</p>')
    elif statement.facility is not None and len(statement.rows) > 1:
        blocks.append(f"<h2>{e(_('Total payment'))}: {money(statement.total)}</h2>")
    return _document(statement.header, _("Capitation statement"), statement.facility, "".join(blocks))


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf
