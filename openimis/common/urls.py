from django.urls import path

from . import views

app_name = "common"
urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:uuid>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:uuid>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:uuid>/download/", views.job_download, name="job_download"),
]
