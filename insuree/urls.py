from django.urls import path

from . import views

app_name = "insuree"
urlpatterns = [
    path("families/", views.family_list, name="family_list"),
    path("families/register/", views.family_register, name="family_register"),
    path("families/register/member-row/", views.family_member_row, name="family_member_row"),
    path("families/<uuid:uuid>/", views.family_detail, name="family_detail"),
    path("families/<uuid:uuid>/edit/", views.family_edit, name="family_edit"),
    path("families/<uuid:uuid>/head/", views.family_change_head, name="family_change_head"),
    path("families/<uuid:uuid>/delete/", views.family_delete, name="family_delete"),
    path("families/<uuid:uuid>/add-member/", views.family_add_member, name="family_add_member"),
    path("insurees/<uuid:uuid>/", views.insuree_detail, name="insuree_detail"),
    path("insurees/<uuid:uuid>/edit/", views.insuree_edit, name="insuree_edit"),
    path("insurees/<uuid:uuid>/photo/", views.insuree_photo, name="insuree_photo"),
    path("insurees/<uuid:uuid>/photo.jpg", views.insuree_photo_file, name="insuree_photo_file"),
    path("insurees/<uuid:uuid>/remove/", views.insuree_remove, name="insuree_remove"),
    path("insurees/<uuid:uuid>/move/", views.insuree_move, name="insuree_move"),
]
try:  # pages of the card/enquiry and duplicate/import parts, added by their modules
    from .card_urls import urlpatterns as _card

    urlpatterns += _card
except ImportError:
    pass
try:
    from .duplicate_urls import urlpatterns as _dup

    urlpatterns += _dup
except ImportError:
    pass
