"""Pre-printed card stock: reserving a block of unused numbers, printing it, and taking each number once."""

import io
import itertools
from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from insuree import card_services, cards
from insuree.card_tasks import print_stock_cards_task
from insuree.models import CardStockBlock, Family, Insuree, StockNumber
from insuree.numbers import NumberScheme
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from openimis.common.models import JobStatus

pytestmark = pytest.mark.django_db


def make_person(village, number: str) -> Insuree:
    """A head of family in `village` carrying `number` (family and head in one transaction)."""
    with transaction.atomic():
        head = Insuree.objects.create(
            insurance_number=number, last_name="Mwangi", other_names="Juma", gender="M", dob=date(1990, 6, 1)
        )
        family = Family.objects.create(head=head, village=village)
        head.family = family
        head.save(update_fields=["family"])
    return head


def test_reserving_creates_unique_valid_numbers_and_a_print_job(scheme_admin, country):
    block, job = card_services.card_stock_reserve(user=scheme_admin, size=25, note="Batch 1")
    numbers = list(block.numbers.values_list("number", flat=True))
    scheme = NumberScheme.from_settings()
    assert len(set(numbers)) == 25 and all(scheme.problem(n) is None for n in numbers)
    print_stock_cards_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.kind_label == "Printing of pre-printed card stock"
    pdf = job.result_file.read()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 3  # 25 cards, 10 per A4 sheet
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert all(n in text for n in numbers)


def test_reserving_skips_numbers_already_used(scheme_admin, country, monkeypatch):
    used = make_person(country.village_a1, NumberScheme.from_settings().generate())
    fresh = NumberScheme.from_settings().generate()
    answers = itertools.chain([used.insurance_number] * 2, itertools.repeat(fresh))  # first round: all used
    monkeypatch.setattr(NumberScheme, "generate", lambda self: next(answers))
    block, _job = card_services.card_stock_reserve(user=scheme_admin, size=1)
    assert list(block.numbers.values_list("number", flat=True)) == [fresh]


def test_reserving_needs_the_permission_and_a_sensible_size(eo_a, scheme_admin):
    with pytest.raises(PermissionDeniedError):
        card_services.card_stock_reserve(user=eo_a, size=5)
    with pytest.raises(ApplicationError) as exc:
        card_services.card_stock_reserve(user=scheme_admin, size=0)
    assert "size" in exc.value.fields
    assert not CardStockBlock.objects.exists()


def test_a_stock_number_is_taken_once(scheme_admin, eo_a, country):
    block, _job = card_services.card_stock_reserve(user=scheme_admin, size=2)
    number = block.numbers.order_by("number").first().number
    person = make_person(country.village_a1, number)
    with transaction.atomic():
        taken = card_services.stock_number_take(user=eo_a, number=number, insuree=person)
    assert (taken.insuree_id, taken.taken_by_id) == (person.pk, eo_a.pk) and taken.taken_at is not None
    with pytest.raises(ApplicationError) as exc:
        card_services.stock_number_take(user=eo_a, number=number, insuree=person)
    assert exc.value.code == "stock_taken"
    assert StockNumber.objects.get(number=number).insuree_id == person.pk


def test_an_unknown_number_is_not_a_stock_number(eo_a, country):
    number = NumberScheme.from_settings().generate()
    person = make_person(country.village_a1, number)
    with pytest.raises(ApplicationError) as exc:
        card_services.stock_number_take(user=eo_a, number=number, insuree=person)
    assert exc.value.code == "stock_unknown" and "insurance_number" in exc.value.fields


def test_the_insuree_must_carry_the_number(scheme_admin, eo_a, country):
    block, _job = card_services.card_stock_reserve(user=scheme_admin, size=1)
    person = make_person(country.village_a1, NumberScheme.from_settings().generate())
    with pytest.raises(ApplicationError) as exc:
        card_services.stock_number_take(user=eo_a, number=block.numbers.get().number, insuree=person)
    assert exc.value.code == "stock_mismatch"


def test_the_stock_page_lists_blocks_and_reserves(login, scheme_admin, eo_a, country):
    block, _job = card_services.card_stock_reserve(user=scheme_admin, size=3, note="Village drive")
    make_person(country.village_a1, block.numbers.order_by("number").first().number)
    StockNumber.objects.filter(pk=block.numbers.order_by("number").first().pk).update(
        insuree=Insuree.objects.get(), taken_at=block.created_at
    )
    client = login(scheme_admin)
    page = client.get(reverse("insuree:card_stock")).content.decode()
    assert "Village drive" in page
    row = page[page.index("Village drive") - 400 : page.index("Village drive")]
    assert '<td class="text-end">3</td><td class="text-end">1</td><td class="text-end">2</td>' in row
    response = client.post(reverse("insuree:card_stock"), {"size": 4, "note": "", "layout": cards.SINGLE})
    assert response.status_code == 302 and CardStockBlock.objects.count() == 2
    assert login(eo_a).get(reverse("insuree:card_stock")).status_code == 403


def test_registration_takes_a_typed_pre_printed_number_from_the_stock(scheme_admin, eo_a, country):
    from insuree import services as family_services

    block = CardStockBlock.objects.create(size=2, created_by=scheme_admin)
    scheme = NumberScheme.from_settings()
    first, second = scheme.generate(), scheme.generate()
    StockNumber.objects.bulk_create([StockNumber(number=first, block=block), StockNumber(number=second, block=block)])
    person = {"last_name": "Kadi", "other_names": "Amina", "gender": "F", "dob": "1990-01-01"}
    result = family_services.family_register(
        user=eo_a, village=country.village_a1, head={**person, "insurance_number": first}, members=[]
    )
    stock = StockNumber.objects.get(number=first)
    assert stock.insuree == result.family.head and stock.taken_by == eo_a and stock.taken_at is not None
    assert StockNumber.objects.get(number=second).insuree is None
