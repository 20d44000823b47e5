"""What a family owes for a policy (policy.values), table-driven; each expected amount is worked out by hand in
the comment beside it. Products are unsaved: no database. Unless a case says otherwise the policy is new, enrolled
and starting on 1 Mar 2026."""

from datetime import date
from decimal import Decimal

import pytest

from insuree.models import Relationship
from policy.models import Product
from policy.values import Member, age_on, policy_value

D = date
M = Decimal
ENROLL = D(2026, 3, 1)
JULY = {"start_cycle_1": "01-07"}


def product(**fields) -> Product:
    return Product(code="P1", name="Product", date_from=D(2020, 1, 1), date_to=D(2030, 12, 31), **fields)


def head(key="head") -> Member:
    return Member(key, D(1980, 5, 1), None)


def adult(key, relationship=Relationship.SPOUSE) -> Member:
    return Member(key, D(1985, 6, 1), relationship)


def child(key) -> Member:
    return Member(key, D(2015, 6, 1), Relationship.CHILD)


def other_adult(key) -> Member:
    return Member(key, D(1950, 1, 1), Relationship.OTHER)


def other_child(key) -> Member:
    return Member(key, D(2016, 1, 1), Relationship.OTHER)


COUPLE = [head(), adult("spouse")]
FAMILY_OF_4 = [head(), adult("spouse"), child("c1"), child("c2")]
PER_HEAD = {"premium_adult": M("50"), "premium_child": M("20")}
LUMP = {"lump_sum": M("200"), **PER_HEAD}


@pytest.mark.parametrize(
    ("fields", "members", "call", "expected"),
    [
        # --- contribution ---
        # lump sum only: 200 whatever the family
        ({"lump_sum": M("200")}, FAMILY_OF_4, {}, {"value": "200.00", "adults": 2, "children": 2}),
        # per head: 2 adults x 50 + 3 children x 20 = 160
        (PER_HEAD, [*COUPLE, child("c1"), child("c2"), child("c3")], {}, {"value": "160.00", "children": 3}),
        # no child premium counts as 0: 1 adult x 50 + 1 child x 0 = 50
        ({"premium_adult": M("50")}, [head(), child("c1")], {}, {"value": "50.00"}),
        # a lump sum of 0 is no lump sum: per head, 2 adults x 50 = 100
        ({**PER_HEAD, "lump_sum": M("0")}, COUPLE, {}, {"value": "100.00"}),
        # threshold 2, 3 adults: 1 extra adult x 50 = 50; lump 200 -> 250
        (
            {**LUMP, "threshold": 2},
            [*COUPLE, adult("sister", Relationship.SIBLING)],
            {},
            {"contribution": "250.00", "extra_adults": 1, "extra_children": 0},
        ),
        # threshold 3, 2 adults + 3 children: 1 place left for children -> 2 extra children x 20 = 40; 200 -> 240
        (
            {**LUMP, "threshold": 3},
            [*COUPLE, child("c1"), child("c2"), child("c3")],
            {},
            {"contribution": "240.00", "extra_adults": 0, "extra_children": 2},
        ),
        # threshold 2, 3 adults + 2 children: 1 extra adult, no place left: 2 extra children -> 200 + 50 + 40 = 290
        (
            {**LUMP, "threshold": 2},
            [*COUPLE, adult("sister", Relationship.SIBLING), child("c1"), child("c2")],
            {},
            {"contribution": "290.00", "extra_adults": 1, "extra_children": 2},
        ),
        # threshold 4, 1 adult + 4 children: 3 places for children -> 1 extra child x 20; 200 -> 220
        (
            {**LUMP, "threshold": 4},
            [head(), child("c1"), child("c2"), child("c3"), child("c4")],
            {},
            {"contribution": "220.00", "extra_adults": 0, "extra_children": 1},
        ),
        # threshold 5 not reached (4 members): lump sum only -> 200
        ({**LUMP, "threshold": 5}, FAMILY_OF_4, {}, {"contribution": "200.00", "extra_adults": 0, "extra_children": 0}),
        # others (relationship 7) pay per head on top of the lump sum: 200 + 50 + 20 = 270
        (
            LUMP,
            [head(), other_adult("grandma"), other_child("cousin")],
            {},
            {"contribution": "270.00", "adults": 1, "other_adults": 1, "other_children": 1},
        ),
        # others per head with per-head premiums: head 50 + child 20 + other adult 50 = 120
        (PER_HEAD, [head(), child("c1"), other_adult("grandma")], {}, {"contribution": "120.00", "other_adults": 1}),
        # others do not use the threshold's places: threshold 1 taken by the head; other adult 50 -> 250
        (
            {**LUMP, "threshold": 1},
            [head(), other_adult("grandma")],
            {},
            {"contribution": "250.00", "extra_adults": 0, "other_adults": 1},
        ),
        # --- max members: the first ones who joined are covered, the later ones are neither covered nor charged ---
        # max 3 of head, spouse, c1, c2, grandma: covered head, spouse, c1 -> 2 x 50 + 20 = 120
        (
            {**PER_HEAD, "max_members": 3},
            [*FAMILY_OF_4, other_adult("grandma")],
            {},
            {
                "value": "120.00",
                "covered": ("head", "spouse", "c1"),
                "excluded": ("c2", "grandma"),
                "adults": 2,
                "children": 1,
                "other_adults": 0,
            },
        ),
        # max 2 of head, c1, spouse: the spouse joined last and is excluded, not the child -> 50 + 20 = 70
        (
            {**PER_HEAD, "max_members": 2},
            [head(), child("c1"), adult("spouse")],
            {},
            {"value": "70.00", "covered": ("head", "c1"), "excluded": ("spouse",)},
        ),
        # fees count covered members only: max 2 of 4 -> lump 100 + assembly 2 x 5 + registration 2 x 3 = 116
        (
            {"lump_sum": M("100"), "max_members": 2, "general_assembly_fee": M("5"), "registration_fee": M("3")},
            FAMILY_OF_4,
            {},
            {"value": "116.00", "assembly": "10.00", "registration": "6.00", "excluded": ("c1", "c2")},
        ),
        # no maximum: everyone covered
        (PER_HEAD, FAMILY_OF_4, {}, {"covered": ("head", "spouse", "c1", "c2"), "excluded": ()}),
        # --- general assembly and registration ---
        # assembly lump 30 wins over the fee (4 x 5 = 20): 100 + 30 = 130
        (
            {"lump_sum": M("100"), "general_assembly_lump_sum": M("30"), "general_assembly_fee": M("5")},
            FAMILY_OF_4,
            {},
            {"value": "130.00", "assembly": "30.00"},
        ),
        # assembly fee: 4 x 5 = 20; 100 + 20 = 120
        (
            {"lump_sum": M("100"), "general_assembly_fee": M("5")},
            FAMILY_OF_4,
            {},
            {"value": "120.00", "assembly": "20.00"},
        ),
        # assembly lump sum 0 is no lump sum: fee 2 x 5 = 10
        (
            {"lump_sum": M("100"), "general_assembly_lump_sum": M("0"), "general_assembly_fee": M("5")},
            COUPLE,
            {},
            {"assembly": "10.00"},
        ),
        # registration lump 25 wins over the fee: 100 + 25 = 125
        (
            {"lump_sum": M("100"), "registration_lump_sum": M("25"), "registration_fee": M("3")},
            FAMILY_OF_4,
            {},
            {"value": "125.00", "registration": "25.00"},
        ),
        # registration fee: 4 x 3 = 12; 100 + 12 = 112
        (
            {"lump_sum": M("100"), "registration_fee": M("3")},
            FAMILY_OF_4,
            {},
            {"value": "112.00", "registration": "12.00"},
        ),
        # renewal: no registration; the assembly fee still applies (4 x 5 = 20): 100 + 20 = 120
        (
            {
                "lump_sum": M("100"),
                "registration_lump_sum": M("25"),
                "registration_fee": M("3"),
                "general_assembly_fee": M("5"),
            },
            FAMILY_OF_4,
            {"stage": "R"},
            {"value": "120.00", "registration": "0.00", "assembly": "20.00"},
        ),
        # --- age on the enrolment date ---
        # 18 exactly on the enrolment day (born 1 Mar 2008): adult -> 50 + 50 = 100
        (
            PER_HEAD,
            [head(), Member("son", D(2008, 3, 1), Relationship.CHILD)],
            {},
            {"value": "100.00", "adults": 2, "children": 0},
        ),
        # one day short (born 2 Mar 2008): child -> 50 + 20 = 70
        (
            PER_HEAD,
            [head(), Member("son", D(2008, 3, 2), Relationship.CHILD)],
            {},
            {"value": "70.00", "adults": 1, "children": 1},
        ),
        # 18 on 1 Apr 2008 + 18 = 1 Apr 2026, after the enrolment, before the start 1 Jul: still a child -> 70
        (
            PER_HEAD,
            [head(), Member("son", D(2008, 4, 1), Relationship.CHILD)],
            {"start_date": D(2026, 7, 1)},
            {"value": "70.00", "children": 1},
        ),
        # --- enrolment discount: start cycle 1 Jul, 10 % when enrolled 2 months or more before the start ---
        # 30 Apr <= 1 Jul - 2 = 1 May: 10 % of 100 = 10 -> 90
        (
            {**JULY, "premium_adult": M("100"), "enrolment_discount_perc": M("10"), "enrolment_discount_period": 2},
            [head()],
            {"enroll_date": D(2026, 4, 30), "start_date": D(2026, 7, 1)},
            {"value": "90.00", "discount": "10.00"},
        ),
        # boundary: 1 May = 1 Jul - 2 -> discount -> 90
        (
            {**JULY, "premium_adult": M("100"), "enrolment_discount_perc": M("10"), "enrolment_discount_period": 2},
            [head()],
            {"enroll_date": D(2026, 5, 1), "start_date": D(2026, 7, 1)},
            {"value": "90.00", "discount": "10.00"},
        ),
        # 2 May is too late -> 100
        (
            {**JULY, "premium_adult": M("100"), "enrolment_discount_perc": M("10"), "enrolment_discount_period": 2},
            [head()],
            {"enroll_date": D(2026, 5, 2), "start_date": D(2026, 7, 1)},
            {"value": "100.00", "discount": "0.00"},
        ),
        # free-cycle product: no enrolment discount even 4 months ahead (administration period) -> 100
        (
            {
                "administration_period": 4,
                "premium_adult": M("100"),
                "enrolment_discount_perc": M("10"),
                "enrolment_discount_period": 2,
            },
            [head()],
            {"enroll_date": D(2026, 3, 1), "start_date": D(2026, 7, 1)},
            {"value": "100.00", "discount": "0.00"},
        ),
        # the discount is on the whole: 100 + assembly 20 + registration 30 = 150; 10 % = 15 -> 135
        (
            {
                **JULY,
                "premium_adult": M("100"),
                "general_assembly_lump_sum": M("20"),
                "registration_lump_sum": M("30"),
                "enrolment_discount_perc": M("10"),
                "enrolment_discount_period": 2,
            },
            [head()],
            {"enroll_date": D(2026, 3, 1), "start_date": D(2026, 7, 1)},
            {"value": "135.00", "discount": "15.00", "contribution": "100.00"},
        ),
        # a percentage without a period is no discount -> 100
        (
            {**JULY, "premium_adult": M("100"), "enrolment_discount_perc": M("10")},
            [head()],
            {"enroll_date": D(2026, 3, 1), "start_date": D(2026, 7, 1)},
            {"value": "100.00", "discount": "0.00"},
        ),
        # a renewal discount does not apply to a new policy -> 100
        (
            {**JULY, "premium_adult": M("100"), "renewal_discount_perc": M("5"), "renewal_discount_period": 1},
            [head()],
            {"enroll_date": D(2026, 3, 1), "start_date": D(2026, 7, 1)},
            {"value": "100.00", "discount": "0.00"},
        ),
        # --- renewal discount: 5 % when renewed 1 month or more before the previous policy ends (free cycle) ---
        # previous expiry 30 Jun: 31 May <= 1 Jul - 1 = 1 Jun -> 5 % of 100 = 5 -> 95
        (
            {"premium_adult": M("100"), "renewal_discount_perc": M("5"), "renewal_discount_period": 1},
            [head()],
            {
                "stage": "R",
                "enroll_date": D(2026, 5, 31),
                "start_date": D(2026, 7, 1),
                "previous_expiry": D(2026, 6, 30),
            },
            {"value": "95.00", "discount": "5.00"},
        ),
        # boundary: 1 Jun -> 95
        (
            {"premium_adult": M("100"), "renewal_discount_perc": M("5"), "renewal_discount_period": 1},
            [head()],
            {
                "stage": "R",
                "enroll_date": D(2026, 6, 1),
                "start_date": D(2026, 7, 1),
                "previous_expiry": D(2026, 6, 30),
            },
            {"value": "95.00", "discount": "5.00"},
        ),
        # 2 Jun is too late -> 100
        (
            {"premium_adult": M("100"), "renewal_discount_perc": M("5"), "renewal_discount_period": 1},
            [head()],
            {
                "stage": "R",
                "enroll_date": D(2026, 6, 2),
                "start_date": D(2026, 7, 1),
                "previous_expiry": D(2026, 6, 30),
            },
            {"value": "100.00", "discount": "0.00"},
        ),
        # no previous policy: measured from the start date 1 Jul: 1 Jun <= 1 Jun -> 95
        (
            {"premium_adult": M("100"), "renewal_discount_perc": M("5"), "renewal_discount_period": 1},
            [head()],
            {"stage": "R", "enroll_date": D(2026, 6, 1), "start_date": D(2026, 7, 1)},
            {"value": "95.00", "discount": "5.00"},
        ),
        # no previous policy, 2 Jun -> 100
        (
            {"premium_adult": M("100"), "renewal_discount_perc": M("5"), "renewal_discount_period": 1},
            [head()],
            {"stage": "R", "enroll_date": D(2026, 6, 2), "start_date": D(2026, 7, 1)},
            {"value": "100.00", "discount": "0.00"},
        ),
        # the previous expiry wins over the start: expiry 30 Apr -> deadline 1 May - 1 = 1 Apr; 1 Jun is late -> 100
        # (from the start 1 Jul it would have been in time)
        (
            {**JULY, "premium_adult": M("100"), "renewal_discount_perc": M("5"), "renewal_discount_period": 1},
            [head()],
            {
                "stage": "R",
                "enroll_date": D(2026, 6, 1),
                "start_date": D(2026, 7, 1),
                "previous_expiry": D(2026, 4, 30),
            },
            {"value": "100.00", "discount": "0.00"},
        ),
        # an enrolment discount does not apply to a renewal -> 100
        (
            {**JULY, "premium_adult": M("100"), "enrolment_discount_perc": M("10"), "enrolment_discount_period": 2},
            [head()],
            {"stage": "R", "enroll_date": D(2026, 3, 1), "start_date": D(2026, 7, 1)},
            {"value": "100.00", "discount": "0.00"},
        ),
        # --- rounding to the cent, half up ---
        # 33.33 x 12.5 % = 4.16625 -> 4.17; 33.33 - 4.17 = 29.16
        (
            {**JULY, "premium_adult": M("33.33"), "enrolment_discount_perc": M("12.5"), "enrolment_discount_period": 2},
            [head()],
            {"enroll_date": D(2026, 3, 1), "start_date": D(2026, 7, 1)},
            {"value": "29.16", "discount": "4.17"},
        ),
        # 10.10 x 5 % = 0.505 -> 0.51 (half up, not half even); 10.10 - 0.51 = 9.59
        (
            {**JULY, "premium_adult": M("10.10"), "enrolment_discount_perc": M("5"), "enrolment_discount_period": 2},
            [head()],
            {"enroll_date": D(2026, 3, 1), "start_date": D(2026, 7, 1)},
            {"value": "9.59", "discount": "0.51"},
        ),
        # 3 x 99.99 = 299.97; x 7.5 % = 22.49775 -> 22.50; 299.97 - 22.50 = 277.47
        (
            {"premium_adult": M("99.99"), "renewal_discount_perc": M("7.5"), "renewal_discount_period": 1},
            [*COUPLE, adult("sister", Relationship.SIBLING)],
            {
                "stage": "R",
                "enroll_date": D(2026, 5, 1),
                "start_date": D(2026, 7, 1),
                "previous_expiry": D(2026, 6, 30),
            },
            {"value": "277.47", "discount": "22.50", "contribution": "299.97"},
        ),
        # 0 % discount: 0.00 -> 100
        (
            {**JULY, "premium_adult": M("100"), "enrolment_discount_perc": M("0"), "enrolment_discount_period": 2},
            [head()],
            {"enroll_date": D(2026, 3, 1), "start_date": D(2026, 7, 1)},
            {"value": "100.00", "discount": "0.00"},
        ),
    ],
)
def test_policy_value(fields, members, call, expected):
    call = {"stage": "N", "enroll_date": ENROLL, "start_date": ENROLL, **call}
    result = policy_value(product(**fields), members, **call)
    for name, want in expected.items():
        got = getattr(result, name)
        assert got == (M(want) if isinstance(want, str) else want), name
    assert result.value == result.contribution + result.assembly + result.registration - result.discount
    for amount in (result.value, result.contribution, result.assembly, result.registration, result.discount):
        assert isinstance(amount, Decimal)
        assert amount.as_tuple().exponent == -2  # in cents


@pytest.mark.parametrize(
    ("dob", "day", "expected"),
    [
        (D(2008, 3, 1), D(2026, 3, 1), 18),  # birthday
        (D(2008, 3, 2), D(2026, 3, 1), 17),  # the day before the birthday
        (D(2008, 2, 29), D(2026, 2, 28), 18),  # 29 Feb birthday counts on 28 Feb in a common year
        (D(2008, 2, 29), D(2026, 2, 27), 17),
        (D(2008, 2, 29), D(2028, 2, 29), 20),  # leap year: on the day
        (D(2026, 1, 1), D(2026, 3, 1), 0),  # a baby
    ],
)
def test_age_on(dob, day, expected):
    assert age_on(dob, day) == expected


def test_unknown_stage_is_refused():
    with pytest.raises(ValueError, match="stage"):
        policy_value(product(), [head()], stage="X", enroll_date=ENROLL, start_date=ENROLL)
