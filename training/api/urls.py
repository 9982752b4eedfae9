"""The seed's paths, each with and without a trailing slash (a POST is never redirected)."""

from django.urls import re_path

from training.api.audio import SessionAudioView
from training.api.views import TrainingViewSet

ID = r"(?P<pk>[0-9]+)"

urlpatterns = [
    re_path(r"^training/start/?$", TrainingViewSet.as_view({"post": "start"}), name="training-start"),
    re_path(r"^training/respond/?$", TrainingViewSet.as_view({"post": "respond"}), name="training-respond"),
    re_path(r"^training/end/?$", TrainingViewSet.as_view({"post": "end"}), name="training-end"),
    re_path(r"^training/progress/?$", TrainingViewSet.as_view({"get": "progress"}), name="training-progress"),
    re_path(r"^training/sessions/?$", TrainingViewSet.as_view({"get": "list"}), name="training-session-list"),
    re_path(
        rf"^training/sessions/{ID}/?$", TrainingViewSet.as_view({"get": "retrieve"}), name="training-session-detail"
    ),
    re_path(
        rf"^training/sessions/{ID}/audio/(?P<message_id>[0-9]+)/(?P<kind>speech|reference)/?$",
        SessionAudioView.as_view(),
        name="training-session-audio",
    ),
]
