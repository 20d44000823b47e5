from django.urls import path

from . import attachment_views, edit_views, feedback_views, review_views, views

app_name = "claim"
urlpatterns = [
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/submit/", views.claims_submit_selected, name="claims_submit"),
    path("claims/new/", views.claim_create, name="claim_create"),
    path("claims/new/insuree/", views.claim_insuree_lookup, name="claim_insuree_lookup"),
    path("claims/new/rows/<str:kind>/", views.claim_line_rows, name="claim_line_rows"),
    path("claims/codes/<str:kind>/", views.claim_code_options, name="claim_code_options"),
    path("claims/review/", review_views.review_queue, name="review_queue"),
    path("claims/review/approve/", review_views.review_approve_selected, name="review_approve_selected"),
    path("claims/review/<uuid:uuid>/", review_views.review_queue, name="review_claim"),
    path("claims/review/<uuid:uuid>/decide/", review_views.review_decide, name="review_decide"),
    path("claims/<uuid:uuid>/", views.claim_detail, name="claim_detail"),
    path("claims/<uuid:uuid>/submit/", views.claim_submit, name="claim_submit"),
    path("claims/<uuid:uuid>/delete/", views.claim_delete, name="claim_delete"),
    path("claims/<uuid:uuid>/edit/", edit_views.claim_edit, name="claim_edit"),
    path("claims/feedback/", feedback_views.feedback_list, name="feedback_list"),
    path("claims/feedback/select/", feedback_views.claims_select_feedback, name="claims_select_feedback"),
    path("claims/<uuid:uuid>/feedback/", feedback_views.claim_feedback, name="claim_feedback"),
    path("claims/<uuid:uuid>/attachments/", attachment_views.attachment_add, name="claim_attachment_add"),
    path(
        "claims/<uuid:uuid>/attachments/<uuid:attachment_uuid>/",
        attachment_views.attachment_file,
        name="claim_attachment_file",
    ),
    path(
        "claims/<uuid:uuid>/attachments/<uuid:attachment_uuid>/delete/",
        attachment_views.attachment_delete,
        name="claim_attachment_delete",
    ),
]
