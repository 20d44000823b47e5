from django.urls import path
from rest_framework.routers import SimpleRouter

from . import review
from .attachments import ClaimAttachmentFileView, ClaimAttachmentsView, ClaimAttachmentView
from .feedback import FeedbackRecordView, FeedbackSelectView
from .views import ClaimViewSet

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="claim")
urlpatterns = [
    path("claims/feedback/select/", FeedbackSelectView.as_view(), name="claim-feedback-select"),
    path("claims/<uuid:uuid>/feedback/", FeedbackRecordView.as_view(), name="claim-feedback"),
    path("claims/review/queue/", review.ReviewQueueView.as_view(), name="claim-review-queue"),
    path("claims/review/approve/", review.ApproveView.as_view(), name="claim-review-approve"),
    path("claims/review/bypass/", review.BypassView.as_view(), name="claim-review-bypass"),
    path("claims/review/select/", review.SelectView.as_view(), name="claim-review-select"),
    path("claims/<uuid:uuid>/review/", review.ClaimReviewView.as_view(), name="claim-review"),
    path("claims/<uuid:uuid>/reject/", review.ClaimRejectView.as_view(), name="claim-reject"),
    path("claims/<uuid:uuid>/attachments/", ClaimAttachmentsView.as_view(), name="claim-attachments"),
    path(
        "claims/<uuid:uuid>/attachments/<uuid:attachment_uuid>/",
        ClaimAttachmentView.as_view(),
        name="claim-attachment",
    ),
    path(
        "claims/<uuid:uuid>/attachments/<uuid:attachment_uuid>/file/",
        ClaimAttachmentFileView.as_view(),
        name="claim-attachment-file",
    ),
    *router.urls,
]
