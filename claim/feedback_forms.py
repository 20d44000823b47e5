"""Forms of the feedback pages. They parse input only; `claim.feedback` checks the rules (date, assessment) and its
errors are put next to the input they name."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openimis.common.pages import BootstrapFormMixin

from .feedback import QUESTIONS
from .forms import DateInput, VisitFilterForm
from .models import Assessment

YES, NO, UNKNOWN = "yes", "no", "unknown"
ANSWERS = [(YES, _("Yes")), (NO, _("No")), (UNKNOWN, _("Unknown"))]


def _answer(value: str) -> bool | None:
    return {YES: True, NO: False}.get(value)


class AnswerField(forms.TypedChoiceField):
    """A yes / no / unknown question: True, False or None."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=ANSWERS, coerce=_answer, empty_value=None, required=False, widget=forms.RadioSelect, **kwargs
        )
        self.initial = UNKNOWN


class FeedbackForm(BootstrapFormMixin, forms.Form):
    feedback_date = forms.DateField(label=_("Date of the interview"), widget=DateInput())
    care_rendered = AnswerField(label=_("Was the care rendered?"))
    payment_asked = AnswerField(label=_("Was a payment asked?"))
    drug_prescribed = AnswerField(label=_("Were drugs prescribed?"))
    drug_received = AnswerField(label=_("Were the drugs received?"))
    assessment = forms.TypedChoiceField(
        label=_("The insuree's assessment"),
        choices=[("", _("Not given")), *Assessment.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("feedback_date", today)
        self._field("feedback_date").widget.attrs["max"] = today.isoformat()
        for name in QUESTIONS:
            self._field(name).widget.attrs["class"] = "form-check-input"

    def questions(self) -> list[forms.BoundField]:
        return [self[name] for name in QUESTIONS]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in ("feedback_date", *QUESTIONS, "assessment")} | {
            "comment": data.get("comment", "")
        }


class FeedbackFilterForm(VisitFilterForm):
    delivered = forms.TypedChoiceField(
        label=_("Feedback"),
        choices=[("", _("Waiting for answers")), ("1", _("Answers recorded"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
