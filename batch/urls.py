from django.urls import path

from . import views

app_name = "batch"
urlpatterns = [
    path("batch/", views.run_list, name="run_list"),
    path("batch/<uuid:uuid>/", views.run_detail, name="run_detail"),
    path("batch/<uuid:uuid>/progress/", views.run_progress, name="run_progress"),
    path("batch/<uuid:uuid>/remuneration.<str:fmt>", views.run_statement, name="run_statement"),
    path(
        "batch/<uuid:uuid>/remuneration/<uuid:facility>.<str:fmt>",
        views.facility_statement,
        name="facility_statement",
    ),
    path("batch/<uuid:uuid>/capitation.<str:fmt>", views.capitation_statement, name="run_capitation"),
    path(
        "batch/<uuid:uuid>/capitation/<uuid:facility>.<str:fmt>",
        views.capitation_statement,
        name="capitation_statement",
    ),
]
