from django.urls import path

from . import views

app_name = "claim"
urlpatterns = [
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/submit/", views.claims_submit_selected, name="claims_submit"),
    path("claims/new/", views.claim_create, name="claim_create"),
    path("claims/new/insuree/", views.claim_insuree_lookup, name="claim_insuree_lookup"),
    path("claims/new/rows/<str:kind>/", views.claim_line_rows, name="claim_line_rows"),
    path("claims/codes/<str:kind>/", views.claim_code_options, name="claim_code_options"),
    path("claims/<uuid:uuid>/", views.claim_detail, name="claim_detail"),
    path("claims/<uuid:uuid>/submit/", views.claim_submit, name="claim_submit"),
    path("claims/<uuid:uuid>/delete/", views.claim_delete, name="claim_delete"),
]
