"""Entering a batch of claims set-wise (`claim.entry.claims_enter`): the rules of a single claim with every error
named by place and nothing written on a refusal, duplicate codes and uuids, retries, a fixed number of queries,
the same claims as the per-claim path, and two batches entered at the same moment."""

import threading
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from claim import services
from claim.entry import claim_args, claims_enter
from claim.exceptions import ClaimError
from claim.models import Claim, ClaimItem, ClaimService
from openimis.accounts import roles
from openimis.accounts.models import User
from openimis.common.exceptions import ApplicationError, PermissionDeniedError
from tests.factories import UserFactory
from tests.insuree.factories import make_family
from tests.medical.factories import DiagnosisFactory
from tests.policy.factories import ItemFactory, ServiceFactory

VISIT = date(2026, 5, 4)
ITEMS = ("AMX250", "PARA", "ORS")
SERVICES = ("CONS", "LAB")


@pytest.fixture
def registers(db):
    DiagnosisFactory.create(code="B54", name="Malaria")
    DiagnosisFactory.create(code="A09", name="Diarrhoea")
    ItemFactory.create(code="AMX250", price=Decimal("300"), maximum_amount=Decimal("30"))
    ItemFactory.create(code="PARA", price=Decimal("50"))
    ItemFactory.create(code="ORS", price=Decimal("120"))
    ServiceFactory.create(code="CONS", price=Decimal("5000"))
    ServiceFactory.create(code="LAB", price=Decimal("1500"))


@pytest.fixture
def numbers(country, registers) -> list[str]:
    """Ten insurees of district A (facility A's claim administrator sees them)."""
    return [make_family(country.village_a1, members=0).head.insurance_number for _ in range(10)]


@pytest.fixture
def claim_admin_b(country):
    return UserFactory.create(username="claim_admin_b", role=roles.CLAIM_ADMINISTRATOR, scope=[country.facility_b])


def body(number: str, code: str, **changes: Any) -> dict[str, Any]:
    """A claim as the API's `ClaimIn` validates it: 3 items (one without a price), 2 services."""
    return {
        "facility": "HFA",
        "insurance_number": number,
        "code": code,
        "date_from": VISIT,
        "date_to": VISIT + timedelta(days=1),
        "visit_type": "O",
        "diagnoses": ["B54", "A09"],
        "items": [
            {"code": "AMX250", "qty": Decimal("10"), "price": Decimal("300"), "explanation": "3 days"},
            {"code": "para", "qty": Decimal("6"), "price": Decimal("50"), "explanation": ""},
            {"code": "ORS", "qty": Decimal("2"), "price": None, "explanation": ""},
        ],
        "services": [
            {"code": "CONS", "qty": Decimal("1"), "price": Decimal("5000"), "explanation": ""},
            {"code": "LAB", "qty": Decimal("1"), "price": None, "explanation": ""},
        ],
        "explanation": "",
        "guarantee_number": "",
    } | changes


def batch(numbers: list[str], n: int, prefix: str = "B", **changes: Any) -> list[dict[str, Any]]:
    return [body(numbers[i % len(numbers)], f"{prefix}-{i}", uuid=uuid.uuid4(), **changes) for i in range(n)]


def alone(user: User, claim: dict[str, Any], facility: Any) -> Claim:
    """The claim entered by itself, with `claim_create` (the per-claim path)."""
    return services.claim_create(user=user, **claim_args(claim, facility))


def refusal(user: User, bodies: list[dict[str, Any]]) -> dict[str, list[str]]:
    with pytest.raises(ClaimError) as exc, transaction.atomic():
        claims_enter(user=user, bodies=bodies)
    assert exc.value.code == "claim_invalid"
    return exc.value.fields


# --- entering -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_is_entered_with_its_lines_in_the_order_given(claim_admin, numbers):
    bodies = batch(numbers, 3) + [body(numbers[0], "NO-UUID")]
    claims = claims_enter(user=claim_admin, bodies=bodies)
    assert [c.code for c in claims] == ["B-0", "B-1", "B-2", "NO-UUID"]
    assert [c.uuid for c in claims[:3]] == [b["uuid"] for b in bodies[:3]]
    assert all(c.pk is not None and c.created_by == claim_admin for c in claims)
    assert claims[0].claimed == Decimal("8300.00")  # 10 x 300 + 6 x 50 + 1 x 5000 (no price asked: 0 until submitted)
    stored = Claim.objects.get(pk=claims[0].pk)
    assert (stored.insuree.insurance_number, stored.icd.code, stored.icd_1.code, stored.claimed) == (
        numbers[0],
        "B54",
        "A09",
        Decimal("8300.00"),
    )
    items = ClaimItem.objects.filter(claim=stored).order_by("pk")
    assert [(ln.item.code, ln.qty_provided, ln.price_asked, ln.explanation) for ln in items] == [
        ("AMX250", Decimal("10"), Decimal("300"), "3 days"),
        ("PARA", Decimal("6"), Decimal("50"), ""),
        ("ORS", Decimal("2"), None, ""),
    ]
    assert ClaimItem.objects.count() == 12 and ClaimService.objects.count() == 8


@pytest.mark.django_db
def test_entering_needs_the_permission(eo_a, numbers):
    with pytest.raises(PermissionDeniedError):
        claims_enter(user=eo_a, bodies=batch(numbers, 1))
    assert not Claim.objects.exists()


# --- refusals -----------------------------------------------------------------------------------------------


def _wrong_lines() -> dict[str, Any]:
    return {
        "items": [
            {"code": "NOPE", "qty": Decimal("1"), "price": None},
            {"code": "AMX250", "qty": Decimal("0"), "price": None},
            {"code": "PARA", "qty": Decimal("1"), "price": Decimal("-1")},
            {"code": "amx250", "qty": Decimal("31"), "price": None},
        ],
        "services": [{"code": "CONS", "qty": Decimal("-2"), "price": None}],
    }


@pytest.mark.django_db
def test_every_error_is_named_by_place_with_the_message_of_a_single_claim_and_nothing_is_written(
    claim_admin, claim_admin_b, country, numbers
):
    outsider = make_family(country.village_b1, members=0).head.insurance_number  # district B: not in scope
    tomorrow = date.today() + timedelta(days=1)
    taken = alone(claim_admin, body(numbers[0], "TAKEN"), country.facility_a)
    elsewhere = alone(claim_admin_b, body(outsider, "B-ELSEWHERE"), country.facility_b)
    key = uuid.uuid4()
    single = {  # each refused alone by `claim_create` too
        1: body(numbers[1], ""),
        2: body(numbers[1], "X" * 21),
        3: body(numbers[1], "VISIT", visit_type="X"),
        4: body("000000", "NUMBER"),
        5: body(outsider, "OUTSIDER"),
        6: body(numbers[1], "DATES", date_from=tomorrow, date_to=VISIT, date_claimed=tomorrow),
        7: body(numbers[1], "DIAG", diagnoses=["B54", "Z99"]),
        8: body(numbers[1], "NO-DIAG", diagnoses=[]),
        9: body(numbers[1], "LINES", **_wrong_lines()),
        10: body(numbers[1], "DUP-LINE", services=[{"code": "LAB", "qty": 1}, {"code": "lab", "qty": 2}]),
        11: body(numbers[1], "NO-LINES", items=[], services=[]),
        12: body(numbers[1], "taken"),  # the facility has it already (any case)
    }
    bodies = [
        body(numbers[0], "GOOD", uuid=key),
        *single.values(),
        body(numbers[1], "FACILITY", facility="NOPE"),  # 13
        body(numbers[1], "FACILITY-B", facility="HFB"),  # 14: not in the user's scope
        body(numbers[1], "TWICE", uuid=key),  # 15: the uuid of claim 0
        body(numbers[1], "OTHER", uuid=elsewhere.uuid),  # 16: a claim of facility B
        body(numbers[1], "good"),  # 17: the code of claim 0
        body(numbers[1], "GOOD-2"),  # 18
    ]
    fields = refusal(claim_admin, bodies)

    for i, wrong in single.items():  # the same fields and messages as a claim entered alone
        with pytest.raises(ApplicationError) as by_itself, transaction.atomic():
            alone(claim_admin, wrong, country.facility_a)
        assert {f"claims.{i}.{f}": m for f, m in by_itself.value.fields.items()} == {
            k: m for k, m in fields.items() if k.startswith(f"claims.{i}.")
        }
    assert fields["claims.4.insurance_number"] == fields["claims.5.insurance_number"]
    assert {k for k in fields if k.startswith("claims.6.")} == {
        "claims.6.date_from",
        "claims.6.date_to",
        "claims.6.date_claimed",
    }
    assert {k for k in fields if k.startswith("claims.9.")} == {
        "claims.9.items.0.code",
        "claims.9.items.1.qty",
        "claims.9.items.2.price",
        "claims.9.items.3.code",
        "claims.9.items.3.qty",
        "claims.9.services.0.qty",
    }
    assert fields["claims.10.services.1.code"] == ["Already on this claim: add up the quantities on one line."]
    assert fields["claims.12.code"] == fields["claims.17.code"] == ["This facility already has a claim with this code."]
    assert fields["claims.13.facility"] == fields["claims.14.facility"]
    assert fields["claims.15.uuid"] == ["Also the uuid of claim 0 of this batch."]
    assert fields["claims.16.uuid"] == ["This claim identifier is already used."]
    assert not any(k.startswith(("claims.0.", "claims.18.")) for k in fields)
    places = [tuple(int(p) if p.isdigit() else p for p in k.split(".")[:2]) for k in fields]
    assert places == sorted(places)  # claims.10 after claims.9
    assert set(Claim.objects.all()) == {taken, elsewhere}
    assert ClaimItem.objects.count() == 6


@pytest.mark.django_db
def test_a_duplicate_code_in_the_batch_or_at_the_facility(claim_admin, claim_admin_b, numbers, country):
    claims_enter(user=claim_admin, bodies=[body(numbers[0], "HFA-1")])
    fields = refusal(claim_admin, [body(numbers[0], "hfa-1 "), body(numbers[0], "N-1"), body(numbers[1], "n-1")])
    assert set(fields) == {"claims.0.code", "claims.2.code"}
    # the same code at another facility is another claim
    outsider = make_family(country.village_b1, members=0).head.insurance_number
    other = claims_enter(user=claim_admin_b, bodies=[body(outsider, "HFA-1", facility="HFB")])
    assert other[0].facility == country.facility_b
    assert Claim.objects.filter(code__iexact="hfa-1").count() == 2


# --- retries ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_sent_again_gives_the_same_claims(claim_admin, numbers):
    bodies = batch(numbers, 3)
    first = claims_enter(user=claim_admin, bodies=bodies)
    again = claims_enter(user=claim_admin, bodies=bodies)
    assert [c.pk for c in again] == [c.pk for c in first]
    assert Claim.objects.count() == 3 and ClaimItem.objects.count() == 9

    # retried claims and new ones: the retried as they were entered (their body is not compared), the new entered
    mixed = [bodies[1] | {"code": "CHANGED", "items": []}, *batch(numbers, 2, prefix="N"), bodies[0]]
    claims = claims_enter(user=claim_admin, bodies=mixed)
    assert [c.pk for c in (claims[0], claims[3])] == [first[1].pk, first[0].pk]
    assert claims[0].code == "B-1"
    assert [c.code for c in claims[1:3]] == ["N-0", "N-1"]
    assert Claim.objects.count() == 5


@pytest.mark.django_db
def test_a_retry_and_a_new_claim_cannot_share_a_code(claim_admin, numbers):
    bodies = batch(numbers, 2)
    claims_enter(user=claim_admin, bodies=bodies)
    fields = refusal(claim_admin, [bodies[0], body(numbers[0], "b-0")])
    assert set(fields) == {"claims.1.code"}


# --- queries and equivalence with the per-claim path --------------------------------------------------------


def _queries(user: User, bodies: list[dict[str, Any]]) -> int:
    fresh = User.objects.get(pk=user.pk)  # nothing cached on the user: the permission and scope reads are counted
    with CaptureQueriesContext(connection) as ctx:
        claims = claims_enter(user=fresh, bodies=bodies)
    assert len(claims) == len(bodies)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_batch(claim_admin, numbers, django_assert_max_num_queries):
    small = _queries(claim_admin, batch(numbers, 10, prefix="S"))
    large = _queries(claim_admin, batch(numbers, 100, prefix="L"))
    # the permissions, the scope, 7 reads (facilities, uuids, insurees, diagnoses, items, services, codes), 3 inserts
    # each after taking its ids from the sequence, and 2 savepoints (the operation's, and the claims' insert's)
    assert small == large == 19
    fresh, bodies = User.objects.get(pk=claim_admin.pk), batch(numbers, 300, prefix="M")
    with django_assert_max_num_queries(small):
        claims_enter(user=fresh, bodies=bodies)
    # retries: one more read of the claims already there is all it takes, and no write
    retried = batch(numbers, 10, prefix="R")
    claims_enter(user=claim_admin, bodies=retried)
    assert _queries(claim_admin, retried) < small
    assert Claim.objects.count() == 420


_VOLATILE = {"id", "uuid", "code", "created_at", "updated_at", "claim"}


def _fields(claim: Claim) -> dict[str, Any]:
    def row(obj: Any) -> dict[str, Any]:
        return {k: v for k, v in model_to_dict(obj).items() if k not in _VOLATILE}

    return {
        "claim": row(Claim.objects.get(pk=claim.pk)),
        "items": [row(ln) for ln in ClaimItem.objects.filter(claim=claim).order_by("item__code")],
        "services": [row(ln) for ln in ClaimService.objects.filter(claim=claim).order_by("service__code")],
    }


@pytest.mark.django_db
def test_the_claims_are_those_of_the_per_claim_path(claim_admin, country, numbers):
    variants: list[dict[str, Any]] = [
        {},
        {"date_to": None, "visit_type": "E", "diagnoses": ["a09"], "explanation": " note ", "guarantee_number": "G1"},
        {"services": [], "date_claimed": VISIT + timedelta(days=3)},
        {"items": [], "diagnoses": ["B54", "A09", "", " "]},
    ]
    bodies = [body(numbers[i], f"SET-{i}", **v) for i, v in enumerate(variants)]
    set_wise = claims_enter(user=claim_admin, bodies=bodies)
    one_by_one = [alone(claim_admin, b | {"code": f"ONE-{i}"}, country.facility_a) for i, b in enumerate(bodies)]
    for mine, theirs in zip(set_wise, one_by_one, strict=True):
        assert _fields(mine) == _fields(theirs)
        assert mine.claimed == theirs.claimed and mine.date_claimed == theirs.date_claimed


# --- two batches at the same moment -------------------------------------------------------------------------


def _at_the_same_moment(user: User, first: list[dict[str, Any]], second: list[dict[str, Any]]) -> dict[str, Any]:
    """The first batch entered and kept uncommitted until the second waits on it (a row lock on a unique index),
    then committed; returns each outcome (claims or the exception)."""
    outcomes: dict[str, Any] = {}
    entered, release = threading.Event(), threading.Event()

    def run(name: str, bodies: list[dict[str, Any]]) -> None:
        try:
            if name == "second":
                assert entered.wait(30)
            with transaction.atomic():
                outcomes[name] = claims_enter(user=User.objects.get(pk=user.pk), bodies=bodies)
                if name == "first":
                    entered.set()
                    assert release.wait(30)
        except Exception as exc:  # recorded and asserted by the test
            outcomes[name] = exc
            entered.set()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("first", first)),
        threading.Thread(target=run, args=("second", second)),
    ]
    for t in threads:
        t.start()
    assert entered.wait(30)
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the second batch never waited for the first")
    release.set()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_twice_at_the_same_moment_gives_one_set_of_claims(claim_admin, numbers):
    bodies = batch(numbers, 20)
    with mock.patch.object(services, "claim_create", wraps=services.claim_create) as per_claim:
        outcomes = _at_the_same_moment(claim_admin, bodies, bodies)
    first, second = outcomes["first"], outcomes["second"]
    assert isinstance(first, list) and isinstance(second, list), outcomes
    assert [c.pk for c in second] == [c.pk for c in first]
    assert per_claim.call_count == 20  # the second batch, entered again claim by claim, found the first's claims
    assert Claim.objects.count() == 20 and ClaimItem.objects.count() == 60


@pytest.mark.django_db(transaction=True)
def test_codes_taken_by_a_concurrent_batch_are_named(claim_admin, numbers):
    first = batch(numbers, 5)
    second = [b | {"uuid": uuid.uuid4(), "code": b["code"].lower()} for b in first]
    outcomes = _at_the_same_moment(claim_admin, first, second)
    assert isinstance(outcomes["first"], list)
    refused = outcomes["second"]
    assert isinstance(refused, ClaimError), outcomes
    assert set(refused.fields) == {f"claims.{i}.code" for i in range(5)}
    assert Claim.objects.count() == 5
