"""Training sessions (/admin/sessions): read-only, messages with their evaluations inline.
Disputed evaluations: administrators accept them with a corrected score (the reply joins the
gold set) or reject them with a note; support reads them. The gold set is read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.errors import DomainError
from training import services
from training.models import (
    Assignment,
    AssignmentAssignee,
    EvaluationDispute,
    GoldEvaluation,
    SessionMessage,
    TrainingSession,
)
from training.services.disputes import RESOLUTION_NOTE_MAX_CHARS


class MessageInline(admin.TabularInline):
    model = SessionMessage
    fields = [
        "turn_index",
        "role",
        "content",
        "score",
        "criteria",
        "feedback",
        "champion_reference",
        "judge",
        "judge_version",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["turn_index"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "user",
        "champion",
        "status",
        "outcome",
        "overall_score",
        "turn_count",
        "started_at",
        "ended_at",
    ]
    list_filter = ["status", "outcome", "champion", "started_at"]
    list_select_related = ["user", "champion"]
    search_fields = ["user__email", "champion__name"]
    date_hierarchy = "started_at"
    raw_id_fields = ["user", "champion", "scenario"]
    inlines = [MessageInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TrainingSession]:
        return super().get_queryset(request).defer("scenario_snapshot")

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in TrainingSession._meta.fields]


# --- Disputed evaluations -----------------------------------------------------------------

REVIEW_PERMISSION = "training.change_evaluationdispute"  # administrators (and superusers)


class JudgeFilter(admin.SimpleListFilter):
    title = "judge"
    parameter_name = "judge"
    field = "message__judge"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("offline", "Offline"), ("anthropic", "Claude")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class JudgeVersionFilter(JudgeFilter):
    """The versions that occur (one query: the distinct values)."""

    title = "judge version"
    parameter_name = "judge_version"
    field = "message__judge_version"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        versions = model_admin.model.objects.order_by(self.field).values_list(self.field, flat=True).distinct()
        return [(version, version or "(none)") for version in versions[:50]]


class GoldJudgeFilter(JudgeFilter):
    field = "judge"


class GoldJudgeVersionFilter(JudgeVersionFilter):
    field = "judge_version"


class AcceptForm(forms.Form):
    corrected_score = forms.IntegerField(min_value=0, max_value=100, help_text="The score the reply deserved.")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=RESOLUTION_NOTE_MAX_CHARS
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=RESOLUTION_NOTE_MAX_CHARS,
        help_text="Why the judge's score stands; the rep reads it.",
    )


@admin.register(EvaluationDispute)
class EvaluationDisputeAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "status",
        "user",
        "judge",
        "judge_version",
        "judge_score",
        "corrected_score",
        "short_reason",
        "resolved_by",
    ]
    list_filter = ["status", JudgeFilter, JudgeVersionFilter, "created_at"]
    list_select_related = ["user", "message", "resolved_by"]
    search_fields = ["user__email", "reason"]
    date_hierarchy = "created_at"
    raw_id_fields = ["message", "user", "resolved_by"]
    readonly_fields = [
        "status",
        "user",
        "session",
        "prospect_line",
        "reply",
        "judge",
        "judge_version",
        "judge_score",
        "criteria",
        "feedback",
        "champion_reference",
        "reason",
        "created_at",
        "corrected_score",
        "resolution_note",
        "resolved_by",
        "resolved_at",
    ]

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    def get_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        # The links to decide, for those who may: support reads the dispute only.
        return ["review", *self.readonly_fields] if self.has_review_permission(request) else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return self.get_fields(request, obj)

    @admin.display(description="judge", ordering="message__judge")
    def judge(self, obj: EvaluationDispute) -> str:
        return obj.message.judge

    @admin.display(description="version", ordering="message__judge_version")
    def judge_version(self, obj: EvaluationDispute) -> str:
        return obj.message.judge_version

    @admin.display(description="judge's score", ordering="message__score")
    def judge_score(self, obj: EvaluationDispute) -> int | None:
        return obj.message.score

    @admin.display(description="reason")
    def short_reason(self, obj: EvaluationDispute) -> str:
        return obj.reason[:100]

    @admin.display(description="session")
    def session(self, obj: EvaluationDispute) -> str:
        url = reverse("admin:training_trainingsession_change", args=[obj.message.session_id])
        return format_html('<a href="{}">Session {}</a>', url, obj.message.session_id)

    @admin.display(description="the prospect said")
    def prospect_line(self, obj: EvaluationDispute) -> str:
        return (
            SessionMessage.objects.filter(
                session_id=obj.message.session_id,
                role=SessionMessage.Role.PROSPECT,
                turn_index__lt=obj.message.turn_index,
            )
            .order_by("-turn_index")
            .values_list("content", flat=True)
            .first()
        ) or ""

    @admin.display(description="the rep replied")
    def reply(self, obj: EvaluationDispute) -> str:
        return obj.message.content

    @admin.display(description="criteria")
    def criteria(self, obj: EvaluationDispute) -> dict:
        return obj.message.criteria

    @admin.display(description="feedback")
    def feedback(self, obj: EvaluationDispute) -> str:
        return " · ".join(obj.message.feedback)

    @admin.display(description="champion's reference")
    def champion_reference(self, obj: EvaluationDispute) -> str:
        return (obj.message.champion_reference or {}).get("text", "")

    @admin.display(description="review")
    def review(self, obj: EvaluationDispute) -> str:
        if obj.status != EvaluationDispute.Status.OPEN:
            return f"{obj.get_status_display()} by {obj.resolved_by or 'a removed account'}."
        accept = reverse("admin:training_evaluationdispute_accept", args=[obj.pk])
        reject = reverse("admin:training_evaluationdispute_reject", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">Accept with a corrected score…</a> <a class="button" href="{}">Reject…</a>',
            accept,
            reject,
        )

    # --- The review workflow: a confirmation page on GET, the decision on POST -------------

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/accept/", wrap(self.accept_view), name="training_evaluationdispute_accept"),
            path("<int:object_id>/reject/", wrap(self.reject_view), name="training_evaluationdispute_reject"),
            *super().get_urls(),
        ]

    def accept_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        def accept(dispute: EvaluationDispute, data: dict) -> str:
            gold = services.dispute_accept(
                dispute_id=dispute.pk, reviewer=request.user, corrected_score=data["corrected_score"], note=data["note"]
            )
            return f"Dispute {dispute.pk} accepted: the reply joins the gold set at {gold.corrected_score}."

        return self._review_view(request, object_id, AcceptForm, accept, title="Accept the dispute")

    def reject_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        def reject(dispute: EvaluationDispute, data: dict) -> str:
            services.dispute_reject(dispute_id=dispute.pk, reviewer=request.user, note=data["note"])
            return f"Dispute {dispute.pk} rejected: the judge's score stands."

        return self._review_view(request, object_id, RejectForm, reject, title="Reject the dispute")

    def _review_view(self, request: HttpRequest, object_id: int, form_class, decide, *, title: str) -> HttpResponse:
        if not self.has_review_permission(request):
            raise PermissionDenied
        dispute = get_object_or_404(EvaluationDispute.objects.select_related("message", "user"), pk=object_id)
        change_url = reverse("admin:training_evaluationdispute_change", args=[dispute.pk])
        if dispute.status != EvaluationDispute.Status.OPEN:
            self.message_user(request, f"This dispute is {dispute.status} already.", messages.WARNING)
            return HttpResponseRedirect(change_url)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                done = decide(dispute, form.cleaned_data)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            self.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:training_evaluationdispute_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title} {dispute.pk}",
            "opts": self.opts,
            "original": dispute,
            "message": dispute.message,
            "form": form,
        }
        return TemplateResponse(request, "admin/training/evaluationdispute/review.html", context)


@admin.register(GoldEvaluation)
class GoldEvaluationAdmin(ReadOnlyAdmin):
    """The gold set: replies whose score staff corrected, the measure of every judge."""

    list_display = [
        "id",
        "created_at",
        "judge",
        "judge_version",
        "judge_score",
        "corrected_score",
        "difficulty",
        "stage",
        "short_reply",
    ]
    list_filter = [GoldJudgeFilter, GoldJudgeVersionFilter, "difficulty", "stage"]
    search_fields = ["reply", "prospect_line"]
    raw_id_fields = ["dispute"]

    @admin.display(description="reply")
    def short_reply(self, obj: GoldEvaluation) -> str:
        return obj.reply[:100]


# --- Assignments (README.md, "Teams") -------------------------------------------------------


class AssigneeInline(ReadOnlyInline):
    model = AssignmentAssignee
    fields = ["user", "attempts", "best_score", "passed_at", "reminded_at", "overdue_at"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssignmentAssignee]:
        return super().get_queryset(request).select_related("user")


class AssignmentStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "open"), ("past_due", "past due"), ("cancelled", "cancelled")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Assignment]) -> QuerySet[Assignment]:
        now = timezone.now()
        conditions = {
            "open": Q(cancelled_at__isnull=True, due_at__gt=now),
            "past_due": Q(cancelled_at__isnull=True, due_at__lte=now),
            "cancelled": Q(cancelled_at__isnull=False),
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Managers assign from the product; staff read, with each assignee's progress inline."""

    list_display = ["id", "scenario_title", "team", "champion", "due_at", "pass_score", "passed", "cancelled_at"]
    list_filter = [AssignmentStateFilter, ("due_at", admin.DateFieldListFilter)]
    list_select_related = ["team", "champion"]
    search_fields = ["scenario_title", "team__name", "champion__name", "assignees__user__email"]
    date_hierarchy = "due_at"
    raw_id_fields = ["team", "champion", "scenario", "created_by"]
    inlines = [AssigneeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                assignee_total=Count("assignees"),
                passed_total=Count("assignees", filter=Q(assignees__passed_at__isnull=False)),
            )
        )

    @admin.display(description="passed / assignees", ordering="passed_total")
    def passed(self, obj: Assignment) -> str:
        return f"{obj.passed_total} / {obj.assignee_total}"

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in Assignment._meta.fields]
