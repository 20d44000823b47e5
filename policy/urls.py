from django.urls import path, register_converter

from . import views


class LineKindConverter:
    """The two kinds of product lines in URLs: /items/ and /services/."""

    regex = "items|services"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LineKindConverter, "policy_lines")

app_name = "policy"
urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<uuid:uuid>/", views.product_detail, name="product_detail"),
    path("products/<uuid:uuid>/edit/", views.product_edit, name="product_edit"),
    path("products/<uuid:uuid>/copy/", views.product_copy, name="product_copy"),
    path("products/<uuid:uuid>/close/", views.product_close, name="product_close"),
    path("products/<uuid:uuid>/delete/", views.product_delete, name="product_delete"),
    path("products/<uuid:uuid>/<policy_lines:kind>/add/", views.product_lines_add, name="product_lines_add"),
    path("products/<uuid:uuid>/<policy_lines:kind>/remove/", views.product_lines_remove, name="product_lines_remove"),
    path("products/<uuid:uuid>/<policy_lines:kind>/<uuid:target>/", views.product_line_edit, name="product_line_edit"),
]
