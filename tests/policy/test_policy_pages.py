"""Policy and contribution pages: sell a policy with a preview, pay it, cancel, print a receipt, lists with filters,
renewal reminders, eligibility. Each page has a happy path and a forbidden or out-of-scope case."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from insuree import signing
from insuree.models import Family
from policy import contributions, enrolment
from policy.models import (
    Contribution,
    InsureePolicy,
    Policy,
    PolicyRenewal,
    PolicyStage,
    PolicyStatus,
    ReminderStatus,
    RenewalWarning,
)
from policy.periods import cover_end
from tests.insuree.factories import make_family

from .factories import ProductFactory, ServiceFactory

pytestmark = pytest.mark.django_db
D = Decimal
S = PolicyStatus


def short(day: date) -> str:
    with translation.override("en"):
        return date_format(day, "SHORT_DATE_FORMAT")


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def product(country):
    """National: an adult pays 12,000 and a child 6,000, plus 1,000 registration and 500 assembly per member."""
    return ProductFactory.create(
        code="FAM1",
        name="Family cover",
        premium_adult=D(12000),
        premium_child=D(6000),
        registration_fee=D(1000),
        general_assembly_fee=D(500),
        grace_period_payment=1,
        max_no_consultation=10,
        ceiling_type="I",
        ded_insuree=D(2000),
        max_insuree=D(500000),
    )


@pytest.fixture
def family(country) -> Family:
    """District A: the head (an adult) and two children: value 12,000 + 2 x 6,000 + 3 x 1,000 + 3 x 500 = 28,500."""
    return make_family(country.village_a1, members=2, head_name="Baraka", last_name="Otieno")


@pytest.fixture
def policy(eo_a, family, product, today):
    return enrolment.policy_create(user=eo_a, family=family, product=product, enroll_date=today).policy


def pay(user, policy, amount, receipt="R-1", **extra):
    return contributions.contribution_record(
        user=user,
        policy=policy,
        amount=D(amount),
        receipt=receipt,
        pay_date=timezone.localdate(),
        pay_type="C",
        **extra,
    )


def make_policy(user, family, product, *, status, start, expiry, value=None) -> Policy:
    """A policy written straight to the table, for the lists."""
    return Policy.objects.create(
        family=family,
        product=product,
        status=status,
        value=value if value is not None else D(1000),
        enroll_date=start,
        start_date=start,
        effective_date=start if status == S.ACTIVE else None,
        expiry_date=expiry,
        created_by=user,
        officer=user,
    )


# --- the family page's card and selling a policy --------------------------------------------------------------


def test_family_page_loads_the_policies_card(login, eo_a, family, policy):
    client = login(eo_a)
    page = client.get(reverse("insuree:family_detail", args=[family.uuid])).content.decode()
    assert reverse("policy:family_policies", args=[family.uuid]) in page
    card = client.get(reverse("policy:family_policies", args=[family.uuid])).content.decode()
    assert "FAM1 · Family cover" in card and "Idle" in card and "28,500.00" in card and "0.00" in card
    assert reverse("policy:policy_detail", args=[policy.uuid]) in card
    assert reverse("policy:policy_create", args=[family.uuid]) in card  # "New policy"


def test_officer_of_another_district_gets_404_for_the_card_and_the_sale(login, eo_b, family):
    client = login(eo_b)
    assert client.get(reverse("policy:family_policies", args=[family.uuid])).status_code == 404
    assert client.get(reverse("policy:policy_create", args=[family.uuid])).status_code == 404
    assert client.get(reverse("policy:policy_create_preview", args=[family.uuid])).status_code == 404


def test_preview_shows_the_value_its_breakdown_and_the_dates(login, eo_a, family, product, today):
    client = login(eo_a)
    url = reverse("policy:policy_create_preview", args=[family.uuid])
    html = client.get(url, {"product": product.uuid, "enroll_date": today.isoformat()}).content.decode()
    expiry = cover_end(today, 12)
    assert 'id="preview-value">28,500.00<' in html
    assert "24,000.00" in html and "3,000.00" in html and "1,500.00" in html  # contribution, registration, assembly
    assert f'id="preview-start">{short(today)}<' in html and f'id="preview-expiry">{short(expiry)}<' in html
    last = cover_end(today, 1)  # one month's grace for payment
    assert f'id="preview-last-payment">{short(last)}<' in html
    assert "3 members covered" in html and "Baraka Otieno" in html
    assert not Policy.objects.exists()  # nothing is written by a preview


def test_preview_warns_about_members_over_the_maximum(login, eo_a, family, product, today):
    product.max_members = 2
    product.save()
    html = (
        login(eo_a)
        .get(
            reverse("policy:policy_create_preview", args=[family.uuid]),
            {"product": product.uuid, "enroll_date": today.isoformat()},
        )
        .content.decode()
    )
    assert "covers at most 2 members" in html and "Child1 Otieno" in html
    assert 'id="preview-value">21,000.00<' in html  # 12,000 + 6,000 + 2 x 1,500


def test_preview_says_why_the_terms_would_be_refused(login, eo_a, family, product, today):
    ProductFactory.create(code="LATE", date_from=today + timedelta(days=30))
    url = reverse("policy:policy_create_preview", args=[family.uuid])
    future = (today + timedelta(days=40)).isoformat()
    html = login(eo_a).get(url, {"product": product.uuid, "enroll_date": future}).content.decode()
    assert "The enrolment date cannot be in the future." in html and 'id="preview-value"' in html


def test_preview_refreshes_the_products_sold_on_the_enrolment_date(login, eo_a, family, product, today):
    ProductFactory.create(code="OLD", date_from=date(2020, 1, 1), date_to=date(2020, 12, 31))
    client = login(eo_a)
    url = reverse("policy:policy_create_preview", args=[family.uuid])
    html = client.get(url, {"enroll_date": "2020-06-01", "refresh": "1"}).content.decode()
    assert 'hx-swap-oob="true"' in html and "OLD" in html and "FAM1" not in html
    html = client.get(url, {"enroll_date": today.isoformat(), "refresh": "1"}).content.decode()
    assert "FAM1" in html and ">OLD" not in html


def test_create_a_policy(login, eo_a, family, product, today):
    client = login(eo_a)
    url = reverse("policy:policy_create", args=[family.uuid])
    page = client.get(url).content.decode()
    assert "FAM1" in page and f'value="{today.isoformat()}"' in page
    response = client.post(url, {"product": product.uuid, "enroll_date": today.isoformat()})
    policy = Policy.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("policy:policy_detail", args=[policy.uuid])
    assert (policy.value, policy.status, policy.stage, policy.officer) == (D(28500), S.IDLE, PolicyStage.NEW, eo_a)
    assert InsureePolicy.objects.filter(policy=policy, effective_date__isnull=True).count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "The policy was created" in page and "not covered until paid" in page


def test_create_errors_are_shown_next_to_the_fields(login, eo_a, family, product, country, today):
    client = login(eo_a)
    url = reverse("policy:policy_create", args=[family.uuid])
    future = (today + timedelta(days=3)).isoformat()
    html = client.post(url, {"product": product.uuid, "enroll_date": future}).content.decode()
    assert 'id="id_enroll_date_error"' in html and "cannot be in the future" in html
    other = ProductFactory.create(code="BONLY", location=country.region_b)
    html = client.post(url, {"product": other.uuid, "enroll_date": today.isoformat()}).content.decode()
    assert 'id="id_product_error"' in html  # not sold in the family's area: not even offered
    enrolment.policy_create(user=eo_a, family=family, product=product, enroll_date=today)
    html = client.post(url, {"product": product.uuid, "enroll_date": today.isoformat()}).content.decode()
    assert 'id="id_product_error"' in html and "already has a current policy on this product" in html
    assert Policy.objects.count() == 1


def test_creating_needs_the_permission(login, medical_officer, family):
    assert login(medical_officer).get(reverse("policy:policy_create", args=[family.uuid])).status_code == 403


# --- the policy page ------------------------------------------------------------------------------------------------


def test_policy_page(login, eo_a, policy, today):
    html = login(eo_a).get(reverse("policy:policy_detail", args=[policy.uuid])).content.decode()
    assert "Family of Baraka Otieno" in html and "FAM1 · Family cover" in html
    assert 'id="policy-balance">28,500.00<' in html and 'id="policy-paid">0.00<' in html
    assert "Record a contribution" in html and 'value="28500.00"' in html  # the amount defaults to the balance
    assert reverse("policy:policy_edit", args=[policy.uuid]) in html
    assert reverse("policy:policy_delete", args=[policy.uuid]) in html
    assert reverse("policy:policy_renew", args=[policy.uuid]) not in html  # idle: nothing to renew
    assert reverse("policy:policy_suspend", args=[policy.uuid]) not in html  # an officer does not suspend


def test_policy_of_another_district_is_404(login, eo_b, policy):
    client = login(eo_b)
    for name in ("policy_detail", "policy_edit", "policy_renew", "policy_delete", "policy_terms_preview"):
        assert client.get(reverse(f"policy:{name}", args=[policy.uuid])).status_code == 404, name
    response = client.post(reverse("policy:contribution_add", args=[policy.uuid]), {"amount": "1"})
    assert response.status_code == 404
    assert not Contribution.objects.exists()


def test_recording_the_full_contribution_activates_the_policy(login, eo_a, policy, today):
    client = login(eo_a)
    data = {"amount": "28500", "receipt": "RC-001", "pay_date": today.isoformat(), "pay_type": "C"}
    response = client.post(reverse("policy:contribution_add", args=[policy.uuid]), data, follow=True)
    html = response.content.decode()
    assert "The contribution of 28,500.00 (receipt RC-001) was recorded." in html
    assert "The policy is paid: it is now active." in html
    policy.refresh_from_db()
    assert policy.status == S.ACTIVE and policy.effective_date == today
    assert not InsureePolicy.objects.filter(policy=policy, effective_date__isnull=True).exists()
    assert 'id="policy-balance">0.00<' in html and "RC-001" in html and "covered " in html


def test_a_partial_payment_says_what_is_still_due(login, eo_a, policy, today):
    data = {"amount": "10000", "receipt": "RC-2", "pay_date": today.isoformat(), "pay_type": "M"}
    html = login(eo_a).post(reverse("policy:contribution_add", args=[policy.uuid]), data, follow=True)
    assert "Still due: 18,500.00." in html.content.decode()
    policy.refresh_from_db()
    assert policy.status == S.IDLE


def test_contribution_errors_are_shown_next_to_the_fields(login, eo_a, policy, today):
    pay(eo_a, policy, 100, receipt="DUP-1")
    client = login(eo_a)
    data = {"amount": "100", "receipt": "dup-1", "pay_date": today.isoformat(), "pay_type": "C"}
    html = client.post(reverse("policy:contribution_add", args=[policy.uuid]), data).content.decode()
    assert 'id="id_receipt_error"' in html and "already used" in html
    data = {"amount": "100", "receipt": "F-1", "pay_date": today.isoformat(), "pay_type": "F"}
    html = client.post(reverse("policy:contribution_add", args=[policy.uuid]), data).content.decode()
    assert 'id="id_payer_error"' in html and "A funding is paid by a payer" in html
    assert Contribution.objects.count() == 1


def test_cancel_a_contribution_with_a_reason(login, eo_a, scheme_admin, policy):
    contribution = pay(eo_a, policy, 28500, receipt="RC-9").contribution
    url = reverse("policy:contribution_cancel", args=[contribution.uuid])
    assert login(eo_a).get(url).status_code == 403  # an officer does not cancel
    client = login(scheme_admin)
    detail = client.get(reverse("policy:policy_detail", args=[policy.uuid])).content.decode()
    assert url in detail
    html = client.post(url, {"reason": ""}).content.decode()
    assert 'id="id_reason_error"' in html
    response = client.post(url, {"reason": "Entered twice"}, follow=True)
    html = response.content.decode()
    assert "The contribution RC-9 was cancelled." in html and "it is idle again" in html
    assert "Entered twice" in html
    contribution.refresh_from_db()
    policy.refresh_from_db()
    assert contribution.is_cancelled and contribution.cancelled_by == scheme_admin
    assert policy.status == S.IDLE and policy.effective_date is None


def test_cancel_out_of_scope_is_404(login, eo_a, policy, country):
    from openimis.accounts import roles
    from tests.factories import UserFactory

    contribution = pay(eo_a, policy, 100).contribution
    admin_b = UserFactory.create(role=roles.SCHEME_ADMINISTRATOR, scope=[country.region_b])
    assert login(admin_b).get(reverse("policy:contribution_cancel", args=[contribution.uuid])).status_code == 404


def test_receipt_is_a_pdf_with_the_receipt_number_and_amount(login, eo_a, eo_b, policy):
    contribution = pay(eo_a, policy, 12345.5, receipt="RCPT-0042").contribution
    url = reverse("policy:contribution_receipt", args=[contribution.uuid])
    response = login(eo_a).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response.content.startswith(b"%PDF") and 'filename="receipt-rcpt-0042.pdf"' in response["Content-Disposition"]
    )
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "RCPT-0042" in text and "12,345.50" in text
    assert "Baraka Otieno" in text and policy.family.head.insurance_number in text
    assert "16,154.50" in text  # still due: 28,500 - 12,345.50
    assert login(eo_b).get(url).status_code == 404


def test_receipt_in_the_users_language(login, eo_a, policy):
    contribution = pay(eo_a, policy, 100, receipt="FR-1").contribution
    eo_a.language = "fr"
    eo_a.save(update_fields=["language"])
    response = login(eo_a).get(reverse("policy:contribution_receipt", args=[contribution.uuid]))
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "FR-1" in text and "100,00" in text  # French decimal mark


def test_history_shows_the_policy_cover_and_contributions(login, eo_a, policy):
    pay(eo_a, policy, 28500, receipt="H-1")
    html = login(eo_a).get(reverse("policy:policy_detail", args=[policy.uuid]), {"tab": "history"}).content.decode()
    assert "Contribution H-1" in html and "Cover of Baraka Otieno" in html and "Policy:" in html


# --- changing, deleting, renewing, suspending ------------------------------------------------------------------


def test_edit_an_idle_policy_recomputes_its_dates(login, eo_a, policy, today):
    client = login(eo_a)
    url = reverse("policy:policy_edit", args=[policy.uuid])
    earlier = today - timedelta(days=10)
    preview = client.get(reverse("policy:policy_terms_preview", args=[policy.uuid]), {"enroll_date": earlier})
    assert f'id="preview-start">{short(earlier)}<' in preview.content.decode()
    response = client.post(url, {"enroll_date": earlier.isoformat()})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.enroll_date == earlier and policy.start_date == earlier


def test_delete_an_idle_policy_without_contributions(login, eo_a, policy, family):
    client = login(eo_a)
    response = client.post(reverse("policy:policy_delete", args=[policy.uuid]))
    assert response["Location"] == reverse("insuree:family_detail", args=[family.uuid])
    assert not Policy.objects.exists()


def test_a_paid_policy_is_neither_edited_nor_deleted(login, eo_a, policy):
    pay(eo_a, policy, 28500)
    client = login(eo_a)
    html = client.get(reverse("policy:policy_detail", args=[policy.uuid])).content.decode()
    assert reverse("policy:policy_edit", args=[policy.uuid]) not in html
    response = client.post(reverse("policy:policy_delete", args=[policy.uuid]), follow=True)
    assert "Only an idle policy can be deleted." in response.content.decode()
    assert Policy.objects.count() == 1


def test_renew_an_active_policy_with_a_preview(login, eo_a, family, product, today):
    start = today - timedelta(days=360)
    old = make_policy(eo_a, family, product, status=S.ACTIVE, start=start, expiry=today + timedelta(days=4))
    PolicyRenewal.objects.create(policy=old, renewal_date=old.expiry_date + timedelta(days=1), prompt_date=today)
    client = login(eo_a)
    url = reverse("policy:policy_renew", args=[old.uuid])
    html = client.get(url).content.decode()
    assert f'id="preview-start">{short(old.expiry_date + timedelta(days=1))}<' in html
    assert 'id="preview-value">25,500.00<' in html  # no registration fee on a renewal
    response = client.post(url, {"enroll_date": today.isoformat()})
    renewal = Policy.objects.get(previous=old)
    assert response["Location"] == reverse("policy:policy_detail", args=[renewal.uuid])
    assert renewal.stage == PolicyStage.RENEWAL and renewal.start_date == old.expiry_date + timedelta(days=1)
    assert PolicyRenewal.objects.get(policy=old).status == ReminderStatus.RENEWED
    html = client.get(reverse("policy:policy_detail", args=[old.uuid])).content.decode()
    assert reverse("policy:policy_renew", args=[old.uuid]) not in html and "Renewed by" in html


def test_suspend_with_a_reason_and_resume(login, eo_a, scheme_admin, policy):
    pay(eo_a, policy, 28500)
    assert login(eo_a).get(reverse("policy:policy_suspend", args=[policy.uuid])).status_code == 403
    client = login(scheme_admin)
    url = reverse("policy:policy_suspend", args=[policy.uuid])
    assert 'id="id_reason_error"' in client.post(url, {"reason": " "}).content.decode()
    client.post(url, {"reason": "Fraud under review"})
    policy.refresh_from_db()
    assert policy.status == S.SUSPENDED and policy.status_reason == "Fraud under review"
    html = client.get(reverse("policy:policy_detail", args=[policy.uuid])).content.decode()
    assert "Fraud under review" in html and reverse("policy:policy_resume", args=[policy.uuid]) in html
    response = client.post(reverse("policy:policy_resume", args=[policy.uuid]), follow=True)
    assert "The policy was resumed: it is active." in response.content.decode()


def test_activate_a_ready_policy(login, eo_a, scheme_admin, policy, settings):
    settings.POLICY_ACTIVATION = "ready"
    pay(eo_a, policy, 28500)
    policy.refresh_from_db()
    assert policy.status == S.READY
    assert login(eo_a).post(reverse("policy:policy_activate", args=[policy.uuid])).status_code == 403
    client = login(scheme_admin)
    assert (
        reverse("policy:policy_activate", args=[policy.uuid])
        in client.get(reverse("policy:policy_detail", args=[policy.uuid])).content.decode()
    )
    client.post(reverse("policy:policy_activate", args=[policy.uuid]))
    policy.refresh_from_db()
    assert policy.status == S.ACTIVE


# --- lists ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def listed(eo_a, country, product, today):
    """Policies of district A: expiring in 10 days (active), in 200 days (active), idle unpaid, idle part-paid;
    one in village A2; one in district B."""
    other = ProductFactory.create(code="OTH")
    fam1 = make_family(country.village_a1, head_name="Soon", last_name="Expiring")
    fam2 = make_family(country.village_a1, head_name="Later", last_name="Expiring")
    fam3 = make_family(country.village_a2, head_name="Idle", last_name="Unpaid")
    fam4 = make_family(country.village_a1, head_name="Part", last_name="Paid")
    fam_b = make_family(country.village_b1, head_name="Bee", last_name="District")
    year_ago = today - timedelta(days=355)
    p = {
        "soon": make_policy(eo_a, fam1, product, status=S.ACTIVE, start=year_ago, expiry=today + timedelta(days=10)),
        "later": make_policy(eo_a, fam2, other, status=S.ACTIVE, start=today, expiry=today + timedelta(days=200)),
        "idle": make_policy(eo_a, fam3, product, status=S.IDLE, start=today, expiry=today + timedelta(days=364)),
        "part": make_policy(eo_a, fam4, product, status=S.IDLE, start=today, expiry=today + timedelta(days=364)),
        "b": make_policy(eo_a, fam_b, product, status=S.IDLE, start=today, expiry=today + timedelta(days=5)),
    }
    Contribution.objects.create(
        policy=p["part"], amount=D(400), receipt="P-1", pay_date=today, pay_type="C", created_by=eo_a
    )
    return p


HEADS = {
    "Soon": "Soon Expiring",
    "Later": "Later Expiring",
    "Idle": "Idle Unpaid",
    "Part": "Part Paid",
    "Bee": "Bee District",
}


def _listed(client, **params) -> set[str]:
    html = client.get(reverse("policy:policy_list"), params).content.decode()
    return {key for key, name in HEADS.items() if f">{name}<" in html}


def test_policy_list_and_its_filters(login, eo_a, listed, product, country):
    client = login(eo_a)
    assert _listed(client) == {"Soon", "Later", "Idle", "Part"}  # never district B's
    assert _listed(client, expiring="on") == {"Soon"}  # within 30 days by default
    assert _listed(client, expiring_days="250") == {"Soon", "Later"}
    assert _listed(client, idle_unpaid="on") == {"Idle", "Part"}
    assert _listed(client, status=str(S.ACTIVE)) == {"Soon", "Later"}
    assert _listed(client, product=str(product.uuid)) == {"Soon", "Idle", "Part"}
    assert _listed(client, area=str(country.village_a2.uuid)) == {"Idle"}
    assert _listed(client, area=str(country.municipality_a.uuid)) == {"Soon", "Later", "Idle", "Part"}
    assert _listed(client, q="expiring") == {"Soon", "Later"}
    member = listed["part"].family.head.insurance_number
    assert _listed(client, q=member) == {"Part"}
    html = client.get(reverse("policy:policy_list"), {"idle_unpaid": "on"}).content.decode()
    assert "400.00" in html  # paid, from the subquery


def test_policy_list_is_one_query_per_page_whatever_the_rows(login, eo_a, listed, django_assert_max_num_queries):
    client = login(eo_a)
    client.get(reverse("policy:policy_list"))  # warm the session and scope
    with django_assert_max_num_queries(12):
        response = client.get(reverse("policy:policy_list"), {"per_page": "100"})
    assert response.status_code == 200


def test_policy_list_is_scoped_and_needs_the_permission(login, eo_b, sysadmin, listed):
    assert _listed(login(eo_b)) == {"Bee"}
    assert login(sysadmin).get(reverse("policy:policy_list")).status_code == 403


@pytest.fixture
def reminder(eo_a, family, product, today):
    old = make_policy(
        eo_a, family, product, status=S.ACTIVE, start=today - timedelta(days=360), expiry=today + timedelta(days=4)
    )
    return PolicyRenewal.objects.create(
        policy=old,
        new_product=product,
        officer=eo_a,
        renewal_date=old.expiry_date + timedelta(days=1),
        prompt_date=today,
        phone="+255700111222",
        warnings=RenewalWarning.OFFICER_INACTIVE,
    )


def test_renewal_reminders_and_dismiss(login, eo_a, reminder):
    client = login(eo_a)
    html = client.get(reverse("policy:renewal_list")).content.decode()
    assert "Baraka Otieno" in html and "+255700111222" in html and "FAM1 · Family cover" in html
    assert "The enrolment officer is no longer active" in html
    assert reverse("policy:policy_renew", args=[reminder.policy.uuid]) in html
    response = client.post(reverse("policy:renewal_dismiss", args=[reminder.uuid]), follow=True)
    assert "The reminder was dismissed." in response.content.decode()
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.DISMISSED
    assert "Baraka Otieno" not in client.get(reverse("policy:renewal_list")).content.decode()


def test_renewal_reminders_of_another_district(login, eo_b, medical_officer, reminder):
    client = login(eo_b)
    assert "Baraka Otieno" not in client.get(reverse("policy:renewal_list")).content.decode()
    assert client.post(reverse("policy:renewal_dismiss", args=[reminder.uuid])).status_code == 404
    assert login(medical_officer).get(reverse("policy:renewal_list")).status_code == 403
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PENDING


# --- eligibility ---------------------------------------------------------------------------------------------------


def test_eligibility_page_shows_cover_and_what_remains(login, eo_a, policy, product):
    from policy.models import ProductService

    service = ServiceFactory.create(code="CONS1", name="Consultation")
    ProductService.objects.create(product=product, service=service, limit_no_adult=4, limit_no_child=4)
    pay(eo_a, policy, 28500)
    number = policy.family.head.insurance_number
    html = login(eo_a).get(reverse("policy:eligibility"), {"q": number, "service": "cons1"}).content.decode()
    assert "Baraka Otieno" in html and number in html
    assert 'id="eligibility-covered"' in html and "Covered" in html
    assert "Consultations" in html  # limit per category: 10, none used
    assert "Deductible" in html or "deductible" in html
    assert "CONS1" in html and "0 used, 4 left" in html


def test_eligibility_by_card_payload_and_forged_card(login, eo_a, policy):
    number = policy.family.head.insurance_number
    client = login(eo_a)
    html = client.get(reverse("policy:eligibility"), {"q": signing.sign(number)}).content.decode()
    assert "Card authentic" in html and "Baraka Otieno" in html and "Not covered" in html  # not paid yet
    forged = signing.sign(number)[:-1] + ("A" if signing.sign(number)[-1] != "A" else "B")
    html = client.get(reverse("policy:eligibility"), {"q": forged}).content.decode()
    assert "FORGED CARD" in html and "Baraka Otieno" not in html


def test_eligibility_is_scoped_and_needs_the_permission(login, eo_b, sysadmin, policy):
    number = policy.family.head.insurance_number
    html = login(eo_b).get(reverse("policy:eligibility"), {"q": number}).content.decode()
    assert "Nobody found in your area." in html and "Baraka" not in html
    assert login(sysadmin).get(reverse("policy:eligibility"), {"q": number}).status_code == 403


def test_enquiry_result_loads_each_persons_coverage(login, eo_a, eo_b, policy):
    pay(eo_a, policy, 28500)
    number = policy.family.head.insurance_number
    client = login(eo_a)
    html = client.get(reverse("insuree:enquiry"), {"q": number}).content.decode()
    summary_url = reverse("policy:eligibility_summary")
    assert f"{summary_url}?q={number}" in html
    fragment = client.get(summary_url, {"q": number}).content.decode()
    assert "Covered" in fragment and "FAM1" in fragment and "Active" in fragment
    assert f"{reverse('policy:eligibility')}?q={number}" in fragment
    fragment = login(eo_b).get(summary_url, {"q": number}).content.decode()
    assert "FAM1" not in fragment and "Covered" not in fragment


def test_menu_has_policies_and_renewals(login, eo_a, sysadmin):
    html = login(eo_a).get(reverse("home")).content.decode()
    assert reverse("policy:policy_list") in html and reverse("policy:renewal_list") in html
    html = login(sysadmin).get(reverse("home")).content.decode()
    assert reverse("policy:policy_list") not in html
