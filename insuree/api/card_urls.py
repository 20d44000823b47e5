"""API routes for cards and the enquiry; included by the lead in `openimis/api_urls.py` (or insuree/api/urls.py)."""

from django.urls import path

from .card_views import EnquiryView, InsureeCardView

urlpatterns = [
    path("insurees/<uuid:uuid>/card/", InsureeCardView.as_view(), name="insuree-card"),
    path("enquiry/", EnquiryView.as_view(), name="enquiry"),
]
