"""50 officers register a family whose head has the same typed number at the same moment: one wins, 49 get the
domain error on the head's number field, and nothing else goes wrong (the unique constraint decides)."""

import threading

import pytest
from django.db import connection

from insuree import services
from insuree.exceptions import ApplicationError
from insuree.models import Insuree

from .factories import person, valid_number

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_same_typed_number_registered_by_50_threads(eo_a, country):
    number = valid_number(42)
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def register(i: int) -> None:
        try:
            barrier.wait()
            try:
                services.family_register(
                    user=eo_a,
                    village=country.village_a1,
                    head=person(other_names=f"Thread{i}", insurance_number=number),
                    members=[person(other_names=f"Child{i}")],
                )
                outcome: object = "ok"
            except ApplicationError as exc:
                outcome = exc
            except Exception as exc:  # recorded and asserted below
                outcome = exc
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(outcomes) == THREADS
    assert outcomes.count("ok") == 1
    errors = [o for o in outcomes if o != "ok"]
    assert all(isinstance(e, ApplicationError) for e in errors), errors
    assert all(
        getattr(e, "fields", None) == {"head.insurance_number": ["This insurance number is already used"]}
        for e in errors
    )
    assert Insuree.objects.filter(insurance_number=number).count() == 1
    assert Insuree.objects.count() == 2
