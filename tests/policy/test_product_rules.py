"""The pure product rules, table-driven: each row is input and the field that must be named (None: accepted)."""

from datetime import date
from decimal import Decimal

import pytest

from policy import product_rules as rules

D = Decimal
WEIGHTS_100 = {
    "weight_population": D(20),
    "weight_nb_families": D(10),
    "weight_insured_population": D(30),
    "weight_nb_insured_families": D(20),
    "weight_nb_visits": D(10),
    "weight_adjusted_amount": D(10),
}
BASE = {"date_from": date(2026, 1, 1), "date_to": date(2026, 12, 31), "insurance_period": 12}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01-07", (1, 7)),
        ("1-7", (1, 7)),
        (" 31-12 ", (31, 12)),
        ("28-02", (28, 2)),
        ("30-04", (30, 4)),
        ("31-02", None),
        ("29-02", None),  # cycles repeat every year
        ("31-04", None),
        ("00-05", None),
        ("15-13", None),
        ("15-00", None),
        ("07/01", None),
        ("", None),
        ("abc", None),
    ],
)
def test_parse_start_cycle(text, expected):
    if expected is None:
        with pytest.raises(ValueError):
            rules.parse_start_cycle(text)
    else:
        assert rules.parse_start_cycle(text) == expected


def test_normalise_start_cycle():
    assert rules.normalise_start_cycle("1-7") == "01-07"
    assert rules.normalise_start_cycle(" 31-02 ") == "31-02"  # left for the rules to refuse


PRODUCT_CASES = [
    ("accepted: nothing optional", {}, None),
    ("date_to before date_from", {"date_from": date(2026, 12, 31), "date_to": date(2026, 1, 1)}, "date_to"),
    ("start cycle not a date", {"start_cycle_1": "31-02"}, "start_cycle_1"),
    ("start cycle badly written", {"start_cycle_1": "1st July"}, "start_cycle_1"),
    ("start cycle gap", {"start_cycle_2": "01-07"}, "start_cycle_2"),
    ("start cycles out of order", {"start_cycle_1": "01-07", "start_cycle_2": "01-01"}, "start_cycle_2"),
    ("start cycles twice the same", {"start_cycle_1": "01-07", "start_cycle_2": "01-07"}, "start_cycle_2"),
    ("accepted: four cycles", {f"start_cycle_{n}": f"01-{3 * n:02d}" for n in range(1, 5)}, None),
    ("negative premium", {"premium_adult": D(-1)}, "premium_adult"),
    ("negative fee", {"general_assembly_fee": D("-0.01")}, "general_assembly_fee"),
    ("negative ceiling", {"ceiling_type": "P", "max_policy": D(-5)}, "max_policy"),
    ("negative category amount", {"max_amount_surgery": D(-5)}, "max_amount_surgery"),
    ("insurance period zero", {"insurance_period": 0}, "insurance_period"),
    ("no member", {"max_members": 0}, "max_members"),
    ("threshold without lump sum", {"threshold": 3}, "threshold"),
    ("threshold above max members", {"threshold": 5, "lump_sum": D(10), "max_members": 4}, "threshold"),
    ("accepted: threshold with lump sum", {"threshold": 5, "lump_sum": D(10), "max_members": 6}, None),
    ("discount without period", {"renewal_discount_perc": D(10)}, "renewal_discount_period"),
    ("discount period without percentage", {"enrolment_discount_period": 2}, "enrolment_discount_perc"),
    (
        "discount above 100",
        {"enrolment_discount_perc": D(101), "enrolment_discount_period": 1},
        "enrolment_discount_perc",
    ),
    ("amounts without ceiling type", {"max_treatment": D(10)}, "ceiling_type"),
    ("amounts of another ceiling type", {"ceiling_type": "I", "max_treatment": D(10)}, "max_treatment"),
    (
        "general and IP deductible",
        {"ceiling_type": "T", "ded_treatment": D(10), "ded_ip_treatment": D(5)},
        "ded_ip_treatment",
    ),
    (
        "general and OP ceiling",
        {"ceiling_type": "T", "max_treatment": D(10), "max_op_treatment": D(5)},
        "max_op_treatment",
    ),
    ("accepted: split ceilings", {"ceiling_type": "I", "max_ip_insuree": D(100), "max_op_insuree": D(50)}, None),
    (
        "deductible above ceiling",
        {"ceiling_type": "T", "ded_treatment": D(100), "max_treatment": D(50)},
        "ded_treatment",
    ),
    (
        "IP deductible above IP ceiling",
        {"ceiling_type": "I", "ded_ip_insuree": D(100), "max_ip_insuree": D(50)},
        "ded_ip_insuree",
    ),
    (
        "general deductible above OP ceiling",
        {"ceiling_type": "P", "ded_policy": D(100), "max_op_policy": D(50)},
        "ded_policy",
    ),
    (
        "accepted: deductible equal to ceiling",
        {"ceiling_type": "T", "ded_treatment": D(50), "max_treatment": D(50)},
        None,
    ),
    (
        "extension without its ceiling",
        {"ceiling_type": "P", "max_policy_extra_member": D(5)},
        "max_policy_extra_member",
    ),
    (
        "cap below the ceiling",
        {"ceiling_type": "P", "max_policy": D(100), "max_ceiling_policy": D(50)},
        "max_ceiling_policy",
    ),
    (
        "general and split extension",
        {
            "ceiling_type": "P",
            "max_policy": D(100),
            "max_policy_extra_member": D(5),
            "max_policy_extra_member_ip": D(5),
        },
        "max_policy_extra_member_ip",
    ),
    ("general and IP relative period", {"period_rel_prices": "M", "period_rel_prices_ip": "Q"}, "period_rel_prices_ip"),
    ("capitation weights without share", {"weight_population": D(50)}, "weight_population"),
    ("capitation level without share", {"capitation_level_1": "D"}, "capitation_level_1"),
    ("capitation without a level", {"share_contribution": D(30), **WEIGHTS_100}, "capitation_level_1"),
    (
        "weights not 100",
        {"share_contribution": D(30), "capitation_level_1": "D", **WEIGHTS_100, "weight_nb_visits": D(0)},
        "weights",
    ),
    (
        "sub-level without level",
        {"share_contribution": D(30), "capitation_level_1": "D", "capitation_sublevel_2": "I", **WEIGHTS_100},
        "capitation_sublevel_2",
    ),
    ("share above 100", {"share_contribution": D(120), "capitation_level_1": "D", **WEIGHTS_100}, "share_contribution"),
    (
        "accepted: capitation",
        {"share_contribution": D(30), "capitation_level_1": "D", "capitation_sublevel_1": "N", **WEIGHTS_100},
        None,
    ),
]


@pytest.mark.parametrize(("case", "values", "field"), PRODUCT_CASES, ids=[c[0] for c in PRODUCT_CASES])
def test_check_product(case, values, field):
    errors = rules.check_product({**BASE, **values})
    if field is None:
        assert errors == []
    else:
        assert field in {e.field for e in errors}, errors
        assert all(e.message for e in errors)


MONTHS_100 = [D(8)] * 8 + [D(9)] * 4
DISTRIBUTION_CASES = [
    ("accepted: monthly", {"period_rel_prices": "M"}, {"B": MONTHS_100}, None),
    (
        "accepted: quarterly IP and yearly OP",
        {"period_rel_prices_ip": "Q", "period_rel_prices_op": "Y"},
        {"I": [D(25)] * 4, "O": [D(100)]},
        None,
    ),
    ("accepted: decimals", {"period_rel_prices": "Q"}, {"B": [D("33.33"), D("33.33"), D("33.34"), D(0)]}, None),
    ("sum below 100", {"period_rel_prices": "M"}, {"B": [D(8)] * 12}, "distribution_B"),
    ("sum above 100", {"period_rel_prices_ip": "Q"}, {"I": [D(30)] * 4}, "distribution_I"),
    ("wrong number of periods", {"period_rel_prices_op": "M"}, {"O": [D(25)] * 4}, "distribution_O"),
    ("period without distribution", {"period_rel_prices": "Y"}, {}, "distribution_B"),
    ("negative percentage", {"period_rel_prices": "Q"}, {"B": [D(-10), D(40), D(40), D(30)]}, "distribution_B"),
    ("distribution without period", {}, {"I": [D(100)]}, "distribution_I"),
]


@pytest.mark.parametrize(
    ("case", "values", "distribution", "field"), DISTRIBUTION_CASES, ids=[c[0] for c in DISTRIBUTION_CASES]
)
def test_check_distribution(case, values, distribution, field):
    errors = rules.check_distribution(values, distribution)
    if field is None:
        assert errors == []
    else:
        assert [e.field for e in errors] == [field]


def test_distribution_message_says_what_it_adds_up_to():
    [error] = rules.check_distribution({"period_rel_prices": "M"}, {"B": [D(8)] * 12})
    assert error.message == "The percentages must add up to 100; they add up to 96."


LINE_CASES = [
    ("accepted: co-insurance", {"limitation_type": "C", "limit_adult": D(80), "limit_child": D(100)}, None),
    ("accepted: fixed amounts", {"limitation_type": "F", "limit_adult": D(5000), "limit_child": D(0)}, None),
    ("no limitation type", {"limitation_type": ""}, "limitation_type"),
    ("co-insurance above 100", {"limitation_type": "C", "limit_adult": D(101), "limit_child": D(100)}, "limit_adult"),
    ("negative co-insurance", {"limitation_type": "C", "limit_adult": D(50), "limit_child": D(-1)}, "limit_child"),
    ("fixed amount missing", {"limitation_type": "F", "limit_adult": D(10)}, "limit_child"),
    ("negative fixed amount", {"limitation_type": "F", "limit_adult": D(-10), "limit_child": D(0)}, "limit_adult"),
    ("referral limits without type", {"limitation_type": "C", "limit_adult_r": D(50)}, "limitation_type_r"),
    ("emergency limits without type", {"limitation_type": "C", "limit_child_e": D(50)}, "limitation_type_e"),
    (
        "emergency co-insurance above 100",
        {"limitation_type": "C", "limitation_type_e": "C", "limit_adult_e": D(150)},
        "limit_adult_e",
    ),
    (
        "accepted: referral fixed amount",
        {"limitation_type": "C", "limitation_type_r": "F", "limit_adult_r": D(150), "limit_child_r": D(150)},
        None,
    ),
]


@pytest.mark.parametrize(("case", "values", "field"), LINE_CASES, ids=[c[0] for c in LINE_CASES])
def test_check_line(case, values, field):
    errors = rules.check_line(rules.complete_line(dict(values)))
    if field is None:
        assert errors == []
    else:
        assert field in {e.field for e in errors}, errors


def test_co_insurance_without_limits_covers_everything():
    values = rules.complete_line({"limitation_type": "C", "limitation_type_r": "C", "limit_adult_r": D(50)})
    assert values["limit_adult"] == values["limit_child"] == D(100)
    assert values["limit_adult_r"] == D(50) and values["limit_child_r"] == D(100)
