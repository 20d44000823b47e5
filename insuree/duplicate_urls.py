"""Duplicate detection and family import pages; appended to `insuree/urls.py` (namespace `insuree`)."""

from django.urls import URLPattern, path

from . import duplicate_views

urlpatterns: list[URLPattern] = [
    path("duplicates/", duplicate_views.duplicate_list, name="duplicate_list"),
    path("duplicates/check/", duplicate_views.duplicate_check, name="duplicate_check"),
    path("duplicates/dismiss/", duplicate_views.duplicate_dismiss, name="duplicate_dismiss"),
    path("import/", duplicate_views.family_import, name="family_import"),
    path("import/template.xlsx", duplicate_views.family_import_template, name="family_import_template"),
]
