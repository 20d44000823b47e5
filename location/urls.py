from django.urls import path

from . import views

app_name = "location"
urlpatterns = [
    path("locations/", views.location_list, name="location_list"),
    path("locations/new/", views.location_create, name="location_create"),
    path("locations/import/", views.location_import, name="location_import"),
    path("locations/export.csv", views.location_export, name="location_export"),
    path("locations/<uuid:uuid>/", views.location_detail, name="location_detail"),
    path("locations/<uuid:uuid>/edit/", views.location_edit, name="location_edit"),
    path("locations/<uuid:uuid>/move/", views.location_move, name="location_move"),
    path("locations/<uuid:uuid>/deactivate/", views.location_deactivate, name="location_deactivate"),
    path("health-facilities/", views.facility_list, name="facility_list"),
    path("health-facilities/new/", views.facility_create, name="facility_create"),
    path("health-facilities/export.csv", views.facility_export, name="facility_export"),
    path("health-facilities/<uuid:uuid>/", views.facility_detail, name="facility_detail"),
    path("health-facilities/<uuid:uuid>/edit/", views.facility_edit, name="facility_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<uuid:uuid>/", views.user_edit, name="user_edit"),
]
