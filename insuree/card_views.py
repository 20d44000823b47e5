"""Staff pages for cards and the enquiry: print a card, start a card batch, manage card stock, enquire."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from location.models import Location, LocationType
from openimis.common.exceptions import ApplicationError
from openimis.common.pages import AuthedRequest, BootstrapFormMixin, apply_error

from . import card_services, cards, enquiry

LAYOUT_CHOICES = [(cards.SHEET, _("A4 sheets of 10 cards, with cut marks")), (cards.SINGLE, _("One card per page"))]


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CardPrintForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reprint reason"), max_length=200, required=False)


class CardBatchForm(BootstrapFormMixin, forms.Form):
    selection = forms.ChoiceField(
        label=_("Print the cards of"),
        choices=[
            ("village", _("a village")),
            ("district", _("a district")),
            ("not_printed", _("everyone not printed yet")),
        ],
        widget=forms.RadioSelect,
    )
    village = forms.ModelChoiceField(label=_("Village"), queryset=Location.objects.none(), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=Location.objects.none(), required=False)
    layout = forms.ChoiceField(label=_("Layout"), choices=LAYOUT_CHOICES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = Location.objects.visible_to(user).filter(is_active=True).order_by("code")
        self.fields["village"].queryset = visible.filter(type=LocationType.VILLAGE)  # type: ignore[attr-defined]
        self.fields["district"].queryset = visible.filter(type=LocationType.DISTRICT)  # type: ignore[attr-defined]
        self.fields["selection"].widget.attrs["class"] = "form-check-input"


class StockForm(BootstrapFormMixin, forms.Form):
    size = forms.IntegerField(label=_("Number of cards"), min_value=1, max_value=card_services.MAX_STOCK_BLOCK)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    layout = forms.ChoiceField(label=_("Layout"), choices=LAYOUT_CHOICES)


@login_required
@permission_required("insuree.print_card", raise_exception=True)
def insuree_card(request: AuthedRequest, uuid: str) -> HttpResponse:
    insuree = enquiry.card_insuree_by_uuid(request.user, uuid)
    form = CardPrintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pdf = card_services.card_print(user=request.user, insuree=insuree, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return _pdf(pdf, f"card-{insuree.insurance_number}.pdf")
    prints = enquiry.card_prints_of(insuree)
    return render(request, "insuree/card.html", {"insuree": insuree, "form": form, "prints": prints})


@login_required
@permission_required("insuree.print_card", raise_exception=True)
def card_batches(request: AuthedRequest) -> HttpResponse:
    form = CardBatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, selection = form.cleaned_data, form.cleaned_data["selection"]
        try:
            job = card_services.card_batch_start(
                user=request.user,
                village=data["village"] if selection == "village" else None,
                district=data["district"] if selection == "district" else None,
                not_printed=selection == "not_printed",
                layout=data["layout"],
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return redirect("common:job_detail", uuid=job.uuid)
    return render(request, "insuree/card_batches.html", {"form": form})


@login_required
@permission_required("insuree.manage_card_stock", raise_exception=True)
def card_stock(request: AuthedRequest) -> HttpResponse:
    form = StockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _block, job = card_services.card_stock_reserve(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return redirect("common:job_detail", uuid=job.uuid)
    blocks = card_services.stock_blocks(request.user)[:100]
    return render(request, "insuree/stock.html", {"form": form, "blocks": blocks})


@login_required
@permission_required("insuree.enquire_insuree", raise_exception=True)
def enquiry_page(request: AuthedRequest) -> HttpResponse:
    result = enquiry.enquire(request.user, request.GET.get("q", "")[:200])
    return render(request, "insuree/enquiry.html", {"result": result})
