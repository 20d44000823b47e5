from django.urls import path, register_converter

from . import views


class PriceListKindConverter:
    regex = "items|services"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ExportFormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PriceListKindConverter, "medical_pl_kind")
register_converter(ExportFormatConverter, "medical_fmt")


def _register_urls(prefix: str, register: views.Register) -> list:
    r, slug = {"register": register}, register.slug
    return [
        path(f"{prefix}/", views.register_list, r, name=f"{slug}_list"),
        path(f"{prefix}/new/", views.register_create, r, name=f"{slug}_create"),
        path(f"{prefix}/import/", views.register_import, r, name=f"{slug}_import"),
        path(f"{prefix}/export.<medical_fmt:fmt>", views.register_export, r, name=f"{slug}_export"),
        path(f"{prefix}/<uuid:uuid>/", views.register_detail, r, name=f"{slug}_detail"),
        path(f"{prefix}/<uuid:uuid>/edit/", views.register_edit, r, name=f"{slug}_edit"),
        path(f"{prefix}/<uuid:uuid>/deactivate/", views.register_deactivate, r, name=f"{slug}_deactivate"),
    ]


PL = "price-lists/<medical_pl_kind:kind>"

app_name = "medical"
urlpatterns = [
    *_register_urls("medical-items", views.ITEM_REGISTER),
    *_register_urls("medical-services", views.SERVICE_REGISTER),
    *_register_urls("diagnoses", views.DIAGNOSIS_REGISTER),
    path("price-lists/", views.pricelist_list, name="pricelist_list"),
    path("price-lists/facilities/", views.facility_pricelists, name="facility_pricelists"),
    path("price-lists/facilities/<uuid:uuid>/", views.facility_pricelists_edit, name="facility_pricelists_edit"),
    path(f"{PL}/new/", views.pricelist_create, name="pricelist_create"),
    path(f"{PL}/import/", views.pricelist_import, name="pricelist_import"),
    path(f"{PL}/export.<medical_fmt:fmt>", views.pricelist_export, name="pricelist_export"),
    path(f"{PL}/<uuid:uuid>/", views.pricelist_detail, name="pricelist_detail"),
    path(f"{PL}/<uuid:uuid>/edit/", views.pricelist_edit, name="pricelist_edit"),
    path(f"{PL}/<uuid:uuid>/copy/", views.pricelist_copy, name="pricelist_copy"),
    path(f"{PL}/<uuid:uuid>/deactivate/", views.pricelist_deactivate, name="pricelist_deactivate"),
    path(f"{PL}/<uuid:uuid>/export.<medical_fmt:fmt>", views.pricelist_entries_export, name="pricelist_entries_export"),
    path(f"{PL}/<uuid:uuid>/entries/add/", views.pricelist_entry_add, name="pricelist_entry_add"),
    path(f"{PL}/<uuid:uuid>/entries/<uuid:target>/", views.pricelist_entry_edit, name="pricelist_entry_edit"),
    path(
        f"{PL}/<uuid:uuid>/entries/<uuid:target>/remove/", views.pricelist_entry_remove, name="pricelist_entry_remove"
    ),
]
