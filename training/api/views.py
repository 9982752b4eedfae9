from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.ratelimit import check_rate_limit, user_or_ip
from core.api.schema import error_responses
from core.api.viewsets import ID_PATTERN, OwnedObjectsViewSet, RowListMixin
from core.uploads import SizeLimitedUploadHandler
from training import selectors, services
from training.api.serializers import (
    DisputeInputSerializer,
    DisputeSerializer,
    EndOutputSerializer,
    ProgressSerializer,
    RespondInputSerializer,
    RespondOutputSerializer,
    SessionDetailSerializer,
    SessionFilterSerializer,
    SessionIdInputSerializer,
    SessionListSerializer,
    StartInputSerializer,
    StartOutputSerializer,
)
from training.models import TrainingSession


class TrainingViewSet(viewsets.ViewSet):
    """The practice conversation: ``/training/start``, ``/training/respond``, ``/training/end``,
    and ``/training/progress`` over the completed sessions."""

    @extend_schema(
        operation_id="training_start",
        request=StartInputSerializer,
        responses={201: StartOutputSerializer, **error_responses(400, 401, 404, 409, 429)},
    )
    @action(detail=False, methods=["post"])
    def start(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="training", key=user_or_ip, group="training")
        data = StartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_start(
            user=request.user,
            champion_id=data.validated_data["champion_id"],
            scenario_id=data.validated_data.get("scenario_id"),
        )
        started = {"session": session, "prospect_message": selectors.session_opening_message(session=session)}
        return Response(StartOutputSerializer(started).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="training_respond",
        request={"application/json": RespondInputSerializer, "multipart/form-data": RespondInputSerializer},
        responses={200: RespondOutputSerializer, **error_responses(400, 401, 404, 409, 413, 429)},
    )
    @action(detail=False, methods=["post"])
    def respond(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="training", key=user_or_ip, group="training")
        # A spoken reply streams to disk and stops at its own, smaller limit (413).
        request.upload_handlers = [SizeLimitedUploadHandler(request, max_bytes=settings.TRAINING_MAX_AUDIO_BYTES)]
        data = RespondInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.session_respond_from_input(
            user=request.user,
            session_id=data.validated_data["session_id"],
            message=data.validated_data.get("message"),
            audio=data.validated_data.get("audio"),
            speech=data.validated_data["speech"],
        )
        return Response(RespondOutputSerializer(result).data)

    @extend_schema(
        operation_id="training_end",
        request=SessionIdInputSerializer,
        responses={200: EndOutputSerializer, **error_responses(400, 401, 404, 409)},
    )
    @action(detail=False, methods=["post"])
    def end(self, request: Request) -> Response:
        data = SessionIdInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_end(user=request.user, session_id=data.validated_data["session_id"])
        return Response(EndOutputSerializer(session).data)

    @extend_schema(
        operation_id="training_progress", responses={200: ProgressSerializer(many=True), **error_responses(401)}
    )
    @action(detail=False, methods=["get"])
    def progress(self, request: Request) -> Response:
        return Response(ProgressSerializer(selectors.progress_for(user=request.user), many=True).data)


class TrainingSessionViewSet(RowListMixin, mixins.RetrieveModelMixin, OwnedObjectsViewSet):
    """A user's practice sessions: ``/training/sessions``, ``/training/sessions/{id}``, the
    speech files of their messages, and disputes of their evaluations. A team's managers read
    (list with ``?team_id=``, detail) its members' sessions on its champions; only the
    session's user writes (``training.services``: another user's session is a 404)."""

    def get_owned_queryset(self, owner: User) -> QuerySet[TrainingSession]:
        if self.action == "retrieve":
            return selectors.session_detail_queryset(user=owner)
        if not any(name in self.request.query_params for name in SessionFilterSerializer._declared_fields):
            return selectors.session_list(user=owner)  # the list as a rep opens it: nothing to validate
        filters = SessionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.session_list(
            user=owner,
            champion_id=filters.validated_data.get("champion_id"),
            status=filters.validated_data.get("status"),
            team_id=filters.validated_data.get("team_id"),
        )

    def get_serializer_class(self):
        return SessionDetailSerializer if self.action == "retrieve" else SessionListSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("champion_id", int, description="Only the sessions on this champion."),
            OpenApiParameter("status", str, enum=TrainingSession.Status.values),
            OpenApiParameter(
                "team_id",
                int,
                description="A team the caller manages: its current members' sessions on its champions.",
            ),
        ],
        responses={200: SessionListSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: SessionDetailSerializer, **error_responses(401, 404)})
    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        operation_id="training_session_audio",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=["speech", "reference"])],
        responses={(200, "audio/wav"): OpenApiResponse(OpenApiTypes.BINARY), **error_responses(401, 404)},
    )
    @action(detail=True, methods=["get"], url_path=rf"audio/(?P<message_id>{ID_PATTERN})/(?P<kind>speech|reference)")
    def audio(self, request: Request, pk: str, message_id: str, kind: str) -> FileResponse:
        """The speech files of a session, to its own user only (private media, never static)."""
        path = selectors.session_audio_path(
            user=request.user, session_id=int(pk), message_id=int(message_id), kind=kind
        )
        return FileResponse(path.open("rb"), content_type="audio/wav")

    @extend_schema(
        operation_id="training_session_message_dispute",
        request=DisputeInputSerializer,
        responses={201: DisputeSerializer, **error_responses(400, 401, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"], url_path=rf"messages/(?P<message_id>{ID_PATTERN})/dispute")
    def dispute(self, request: Request, pk: str, message_id: str) -> Response:
        """Disputes the judge's score of one of the session's replies; staff review it (one
        open dispute per reply)."""
        check_rate_limit(request, rate_name="dispute", key=user_or_ip, group="training-dispute")
        data = DisputeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispute = services.dispute_open(
            user=request.user, session_id=int(pk), message_id=int(message_id), reason=data.validated_data["reason"]
        )
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)
