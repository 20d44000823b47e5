"""Printing membership cards, card batches, and pre-printed card stock.

Rules:
- A card is printed only for an insuree the user sees (`Insuree.objects.visible_to`), by a user with
  `insuree.print_card`. Each print is recorded (CardPrint: who, when, why) and marks the insuree `card_issued`.
- A reprint (the insuree has a CardPrint already) needs a reason; without one it is refused on the `reason` field.
- A batch prints the active insurees of one village or district in the user's scope, or every active insuree in
  the scope whose card was never issued. It runs as a Job (kind `insuree.cards`): rendered in chunks with
  progress, one PDF in `job.result_file`, then CardPrints inserted in bulk and `card_issued` set in one UPDATE.
  A batch with nobody to print fails with a clear message.
- Card stock (`insuree.manage_card_stock`): reserving N cards creates a CardStockBlock with N new insurance
  numbers, each unused by any insuree or other stock number (generated, checked in bulk, inserted with
  ON CONFLICT DO NOTHING and topped up until N are in), and a Job (kind `insuree.card_stock`) printing them.
- `stock_number_take` hands a stock number to a new insuree at enrolment, at most once (conditional UPDATE).
"""

import os
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from location.models import Location, LocationType
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from openimis.common.jobs import JobFailed, job_create, job_progress
from openimis.common.models import Job

from . import cards
from .models import CardPrint, CardStockBlock, Insuree, InsureeStatus, StockNumber
from .numbers import NumberScheme

PRINT_CARD = "insuree.print_card"
MANAGE_STOCK = "insuree.manage_card_stock"
KIND_CARDS = "insuree.cards"
KIND_STOCK = "insuree.card_stock"
NOT_PRINTED = "not_printed"
CHUNK = 500  # cards per WeasyPrint document in a batch (bounded memory, progress between chunks)
MAX_STOCK_BLOCK = 10_000
_GENERATE_ROUNDS = 20


class CardError(ApplicationError):
    code = "card_invalid"


def _require(user: User, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have the permission to do this."))


def card_data(insuree: Insuree) -> cards.CardData:
    """What the card shows; a photo whose file is missing is shown as the placeholder."""
    photo = insuree.photo.path if insuree.photo else None
    return cards.CardData(
        number=insuree.insurance_number,
        name=insuree.full_name,
        dob=insuree.dob,
        gender=str(insuree.get_gender_display()),
        photo_path=photo if photo and os.path.exists(photo) else None,
    )


# --- one card ----------------------------------------------------------------------------------------------


@transaction.atomic
def card_print(*, user: User, insuree: Insuree, reason: str = "", layout: str = cards.SINGLE) -> bytes:
    """The insuree's card as PDF; records the print. Refuses a reprint without a reason."""
    _require(user, PRINT_CARD)
    locked = Insuree.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=insuree.pk).first()
    if locked is None:
        raise CardError(_("This insuree is not in your area."), code="not_found")
    reason = reason.strip()
    if CardPrint.objects.filter(insuree=locked).exists() and not reason:
        raise CardError.for_field(
            "reason", _("This card was printed before: give the reason for the reprint."), code="reprint_reason"
        )
    pdf = cards.render_cards([card_data(locked)], layout)
    CardPrint.objects.create(insuree=locked, printed_by=user, reason=reason[:200])
    if not locked.card_issued:
        locked.card_issued = True
        locked.save(update_fields=["card_issued", "updated_at"])
    return pdf


def card_preview(*, user: User, insuree: Insuree) -> bytes:
    """The card as PDF without recording a print (the API's GET); same scope and permission."""
    _require(user, PRINT_CARD)
    if not Insuree.objects.visible_to(user).filter(pk=insuree.pk).exists():
        raise CardError(_("This insuree is not in your area."), code="not_found")
    return cards.render_cards([card_data(insuree)])


# --- batches -----------------------------------------------------------------------------------------------


def card_batch_start(
    *, user: User, village: Location | None = None, district: Location | None = None, not_printed: bool = False,
    layout: str = cards.SHEET,
) -> Job:  # fmt: skip
    """Starts a batch for exactly one of: a village, a district, or everyone in scope never printed."""
    from .card_tasks import print_cards_task

    _require(user, PRINT_CARD)
    if layout not in cards.LAYOUTS:
        raise CardError.for_field("layout", _("Choose a layout."))
    chosen = [c for c in (village, district) if c is not None]
    if len(chosen) + int(not_printed) != 1:
        raise CardError(_("Choose one village, one district, or the people whose card was never printed."))
    params: dict[str, Any] = {"layout": layout}
    if not_printed:
        params["selection"] = NOT_PRINTED
    else:
        location = chosen[0]
        expected = LocationType.VILLAGE if village is not None else LocationType.DISTRICT
        field = "village" if village is not None else "district"
        if location.type != expected or not Location.objects.visible_to(user).filter(pk=location.pk).exists():
            raise CardError.for_field(field, _("This location is not in your area."))
        params.update(selection=field, location=location.pk, location_name=str(location))
    return job_create(user=user, kind=KIND_CARDS, task=print_cards_task, params=params)


def _batch_insurees(job: Job) -> QuerySet[Insuree]:
    user, params = job.created_by, job.params
    qs = Insuree.objects.visible_to(user).filter(status=InsureeStatus.ACTIVE)
    if params["selection"] == NOT_PRINTED:
        qs = qs.filter(card_issued=False)
    else:
        location = Location.objects.visible_to(user).filter(pk=params["location"]).first()
        if location is None:
            raise JobFailed(_("The location is no longer in your area."))
        qs = qs.filter(family__village__path__startswith=location.path)
    return qs.order_by("family__village__path", "family_id", "last_name", "pk")


def _render_in_chunks(job: Job, items: list[cards.CardData], layout: str, step: str) -> bytes:
    parts = []
    for start in range(0, len(items), CHUNK):
        parts.append(cards.render_cards(items[start : start + CHUNK], layout))
        done = min(start + CHUNK, len(items))
        job_progress(job=job, percent=90 * done / len(items), message=step % {"done": done, "total": len(items)})
    return cards.merge_pdfs(parts)


def card_batch_run(*, job: Job) -> dict[str, Any]:
    """The task body: renders the batch, stores the PDF, records the prints set-based."""
    from django.core.files.base import ContentFile

    insurees = list(_batch_insurees(job))
    if not insurees:
        raise JobFailed(_("Nobody to print: no active insuree matches this choice."))
    layout = job.params.get("layout", cards.SHEET)
    pdf = _render_in_chunks(job, [card_data(i) for i in insurees], layout, _("%(done)d of %(total)d cards rendered"))
    ids = [i.pk for i in insurees]
    with transaction.atomic():
        CardPrint.objects.bulk_create(
            [CardPrint(insuree_id=pk, printed_by=job.created_by, job=job) for pk in ids], batch_size=2000
        )
        Insuree.objects.filter(pk__in=ids, card_issued=False).update(card_issued=True, updated_at=Now())
        job.result_file.save(
            f"cards-{timezone.localdate():%Y%m%d}-{job.uuid.hex[:8]}.pdf", ContentFile(pdf), save=False
        )
    return {
        "cards": len(ids),
        "summary": ngettext("%(n)d card printed.", "%(n)d cards printed.", len(ids)) % {"n": len(ids)},
    }


# --- stock -------------------------------------------------------------------------------------------------


def _free_numbers(count: int, scheme: NumberScheme) -> list[str]:
    """`count` generated numbers that no insuree and no stock number has (checked in bulk, not one by one)."""
    found: set[str] = set()
    for _round in range(_GENERATE_ROUNDS):
        wanted = count - len(found)
        if wanted <= 0:
            break
        candidates = {scheme.generate() for _ in range(wanted + wanted // 10 + 1)} - found
        used = set(Insuree.objects.filter(insurance_number__in=candidates).values_list("insurance_number", flat=True))
        used |= set(StockNumber.objects.filter(number__in=candidates).values_list("number", flat=True))
        found |= set(list(candidates - used)[:wanted])
    if len(found) < count:
        raise CardError(_("Could not find enough free insurance numbers; try a smaller block."))
    return sorted(found)


@transaction.atomic
def card_stock_reserve(
    *, user: User, size: int, note: str = "", layout: str = cards.SHEET
) -> tuple[CardStockBlock, Job]:
    """Reserves a block of `size` new numbers and starts the job printing them as pre-printed cards."""
    from .card_tasks import print_stock_cards_task

    _require(user, MANAGE_STOCK)
    if not 1 <= size <= MAX_STOCK_BLOCK:
        raise CardError.for_field(
            "size", _("A block has between 1 and %(max)d cards.") % {"max": MAX_STOCK_BLOCK}, code="stock_size"
        )
    if layout not in cards.LAYOUTS:
        raise CardError.for_field("layout", _("Choose a layout."))
    block = CardStockBlock.objects.create(size=size, note=note.strip()[:200], created_by=user)
    scheme = NumberScheme.from_settings()
    for _round in range(_GENERATE_ROUNDS):
        missing = size - StockNumber.objects.filter(block=block).count()
        if missing <= 0:
            break
        # A concurrent reservation or enrolment may take a number between the check and the insert: the
        # unique constraint drops it silently here and the loop tops the block up.
        StockNumber.objects.bulk_create(
            [StockNumber(number=n, block=block) for n in _free_numbers(missing, scheme)],
            ignore_conflicts=True,
            batch_size=2000,
        )
    else:
        raise CardError(_("Could not find enough free insurance numbers; try a smaller block."))
    job = job_create(
        user=user, kind=KIND_STOCK, task=print_stock_cards_task, params={"block": block.pk, "layout": layout}
    )
    return block, job


def card_stock_run(*, job: Job) -> dict[str, Any]:
    """The task body: prints the block's numbers as pre-printed cards (number and QR, no person)."""
    from django.core.files.base import ContentFile

    numbers = list(
        StockNumber.objects.filter(block_id=job.params["block"]).order_by("number").values_list("number", flat=True)
    )
    if not numbers:
        raise JobFailed(_("This block has no numbers."))
    layout = job.params.get("layout", cards.SHEET)
    items = [cards.CardData(number=n, stock=True) for n in numbers]
    pdf = _render_in_chunks(job, items, layout, _("%(done)d of %(total)d cards rendered"))
    job.result_file.save(f"card-stock-{job.uuid.hex[:8]}.pdf", ContentFile(pdf), save=False)
    return {
        "cards": len(numbers),
        "summary": ngettext("%(n)d card printed.", "%(n)d cards printed.", len(numbers)) % {"n": len(numbers)},
    }


def stock_blocks(user: User) -> QuerySet[CardStockBlock]:
    """Blocks with their used and free counts (for the stock page)."""
    from django.db.models import Count, Q

    _require(user, MANAGE_STOCK)
    return CardStockBlock.objects.select_related("created_by").annotate(
        used=Count("numbers", filter=Q(numbers__insuree__isnull=False)),
        free=Count("numbers", filter=Q(numbers__insuree__isnull=True)),
    )


def stock_number_take(*, user: User, number: str, insuree: Insuree) -> StockNumber:
    """Hands the pre-printed stock number `number` to the new `insuree` (at enrolment).

    Contract for the registration service: call it inside the transaction that creates the insuree, after the
    insuree row is saved with `insurance_number == number`. Each stock number is taken at most once: the
    conditional UPDATE (`WHERE insuree_id IS NULL`) makes a concurrent second take find nothing. Raises
    CardError on the `insurance_number` field with code `stock_taken` (already given to someone),
    `stock_unknown` (not a reserved stock number) or `stock_mismatch` (the insuree carries another number,
    or already holds a stock number); the caller's transaction should then be rolled back.
    """
    number = number.strip()
    if insuree.pk is None or insuree.insurance_number != number:
        raise CardError.for_field(
            "insurance_number", _("The insuree must carry the stock number it takes."), code="stock_mismatch"
        )
    try:
        with transaction.atomic():
            taken = StockNumber.objects.filter(number=number, insuree__isnull=True).update(
                insuree=insuree, taken_at=timezone.now(), taken_by=user
            )
    except IntegrityError as exc:  # the insuree already holds another stock number (one-to-one)
        raise CardError.for_field(
            "insurance_number", _("This insuree already has a number from the card stock."), code="stock_mismatch"
        ) from exc
    if not taken:
        if StockNumber.objects.filter(number=number).exists():
            raise CardError.for_field(
                "insurance_number", _("This card-stock number has already been given to someone."), code="stock_taken"
            )
        raise CardError.for_field(
            "insurance_number", _("This number is not a pre-printed card-stock number."), code="stock_unknown"
        )
    return StockNumber.objects.get(number=number)
