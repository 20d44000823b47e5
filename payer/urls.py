from django.urls import path

from . import views

app_name = "payer"
urlpatterns = [
    path("payers/", views.payer_list, name="payer_list"),
    path("payers/new/", views.payer_create, name="payer_create"),
    path("payers/export.csv", views.payer_export, name="payer_export"),
    path("payers/<uuid:uuid>/", views.payer_detail, name="payer_detail"),
    path("payers/<uuid:uuid>/edit/", views.payer_edit, name="payer_edit"),
    path("payers/<uuid:uuid>/deactivate/", views.payer_deactivate, name="payer_deactivate"),
]
