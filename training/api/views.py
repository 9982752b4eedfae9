from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.ratelimit import check_rate_limit, user_or_ip
from core.api.schema import error_responses
from core.api.viewsets import OwnedObjectsViewSet
from core.uploads import SizeLimitedUploadHandler
from training import selectors, services
from training.api.serializers import (
    EndOutputSerializer,
    MessageSerializer,
    ProgressSerializer,
    RespondInputSerializer,
    RespondOutputSerializer,
    SessionDetailSerializer,
    SessionFilterSerializer,
    SessionIdInputSerializer,
    SessionSerializer,
    StartInputSerializer,
    StartOutputSerializer,
)
from training.models import TrainingSession


class TrainingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OwnedObjectsViewSet):
    """Practice sessions: ``/training/start``, ``/training/respond``, ``/training/end``,
    ``/training/sessions``, ``/training/sessions/{id}``, ``/training/progress``."""

    def get_owned_queryset(self, owner: User) -> QuerySet[TrainingSession]:
        if self.action == "retrieve":
            return selectors.session_detail_queryset(user=owner)
        filters = SessionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.session_list(
            user=owner,
            champion_id=filters.validated_data.get("champion_id"),
            status=filters.validated_data.get("status"),
        )

    def get_serializer_class(self):
        return SessionDetailSerializer if self.action == "retrieve" else SessionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("champion_id", int, description="Only the sessions on this champion."),
            OpenApiParameter("status", str, enum=TrainingSession.Status.values),
        ],
        responses={200: SessionSerializer(many=True), **error_responses(401)},
    )
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: SessionDetailSerializer, **error_responses(401, 404)})
    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        operation_id="training_start",
        request=StartInputSerializer,
        responses={201: StartOutputSerializer, **error_responses(400, 401, 404, 409, 429)},
    )
    def start(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="training", key=user_or_ip, group="training")
        data = StartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_start(
            user=request.user,
            champion_id=data.validated_data["champion_id"],
            scenario_id=data.validated_data.get("scenario_id"),
        )
        opening = session.messages.get(turn_index=0)
        body = {"session": SessionSerializer(session).data, "prospect_message": MessageSerializer(opening).data}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="training_respond",
        request={"application/json": RespondInputSerializer, "multipart/form-data": RespondInputSerializer},
        responses={200: RespondOutputSerializer, **error_responses(400, 401, 404, 409, 413, 429)},
    )
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
        trainee = MessageSerializer(result.trainee_message).data
        body = {
            "evaluation": trainee["evaluation"],
            "prospect_message": MessageSerializer(result.prospect_message).data,
            "session": SessionSerializer(result.session).data,
        }
        if result.trainee_message.input_audio:
            body["transcript"] = result.trainee_message.content
        return Response(body)

    @extend_schema(
        operation_id="training_end",
        request=SessionIdInputSerializer,
        responses={200: EndOutputSerializer, **error_responses(400, 401, 404, 409)},
    )
    def end(self, request: Request) -> Response:
        data = SessionIdInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_end(user=request.user, session_id=data.validated_data["session_id"])
        return Response(
            {
                "overall_score": session.overall_score,
                "summary": session.summary,
                "strengths": session.strengths,
                "improvements": session.improvements,
                "comparison_to_champion": session.comparison_to_champion,
                "session": SessionSerializer(session).data,
            }
        )

    @extend_schema(
        operation_id="training_progress", responses={200: ProgressSerializer(many=True), **error_responses(401)}
    )
    def progress(self, request: Request) -> Response:
        return Response(ProgressSerializer(selectors.progress_for(user=request.user), many=True).data)
