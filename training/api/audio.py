from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from champions.storage import media_path
from core.api.schema import error_responses
from core.errors import NotFound
from training.models import SessionMessage


class SessionAudioView(APIView):
    """The speech files of a session, to its own user only (private media, never static)."""

    @extend_schema(
        operation_id="training_session_audio",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=["speech", "reference"])],
        responses={(200, "audio/wav"): OpenApiResponse(OpenApiTypes.BINARY), **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: str, message_id: str, kind: str) -> FileResponse:
        message = SessionMessage.objects.filter(pk=message_id, session_id=pk, session__user=request.user).first()
        relative = (message.speech_audio if kind == "speech" else message.reference_audio) if message else ""
        if not relative or not media_path(relative).is_file():
            raise NotFound("No such audio.")
        return FileResponse(media_path(relative).open("rb"), content_type="audio/wav")
