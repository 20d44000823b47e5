"""Card and enquiry pages, appended to the `insuree` namespace by `insuree/urls.py`."""

from django.urls import path

from . import card_views

urlpatterns = [
    path("enquiry/", card_views.enquiry_page, name="enquiry"),
    path("insurees/<uuid:uuid>/card/", card_views.insuree_card, name="insuree_card"),
    path("cards/batches/", card_views.card_batches, name="card_batches"),
    path("cards/stock/", card_views.card_stock, name="card_stock"),
]
