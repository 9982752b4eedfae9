"""Teams in the staff admin (README.md, "Teams"): each team with its members and invitations
inline, and the invitations on their own with a revoke action. Who is in a team changes
through the product's services only (the last manager is kept there), so the inlines are
read-only; an invitation's nonce, half of its link, is never shown."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.admin import ReadOnlyInline
from core.errors import DomainError
from teams import services
from teams.models import Invitation, Membership, Role, Team

INVITATION_FIELDS = [
    "email",
    "role",
    "invited_by",
    "created_at",
    "expires_at",
    "accepted_at",
    "accepted_by",
    "revoked_at",
]


def invitation_state(invitation: Invitation) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "accepted"
    return "pending" if invitation.expires_at > timezone.now() else "expired"


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role", "joined_at"]
    readonly_fields = fields
    ordering = ["role", "joined_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


class InvitationInline(ReadOnlyInline):
    model = Invitation
    fields = [*INVITATION_FIELDS, "state"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        return super().get_queryset(request).select_related("invited_by", "accepted_by").defer("nonce")

    @admin.display(description="state")
    def state(self, obj: Invitation) -> str:
        return invitation_state(obj)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "members", "managers", "leaderboard_enabled", "created_by", "created_at"]
    list_filter = ["leaderboard_enabled", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["created_by"]
    search_fields = ["name", "memberships__user__email", "created_by__email"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    raw_id_fields = ["created_by"]
    fields = ["name", "leaderboard_enabled", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [MembershipInline, InvitationInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a team is created by a user, who becomes its first manager

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships"),
                manager_total=Count("memberships", filter=Q(memberships__role=Role.MANAGER)),
            )
        )

    @admin.display(description="members", ordering="member_total")
    def members(self, obj: Team) -> int:
        return obj.member_total

    @admin.display(description="managers", ordering="manager_total")
    def managers(self, obj: Team) -> int:
        return obj.manager_total

    def save_model(self, request: HttpRequest, obj: Team, form, change: bool) -> None:
        services.team_update(
            team=obj, name=form.cleaned_data["name"], leaderboard_enabled=form.cleaned_data["leaderboard_enabled"]
        )


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(state, state) for state in ("pending", "accepted", "revoked", "expired")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
        now = timezone.now()
        open_ = Q(accepted_at__isnull=True, revoked_at__isnull=True)
        conditions = {
            "pending": open_ & Q(expires_at__gt=now),
            "accepted": Q(accepted_at__isnull=False),
            "revoked": Q(revoked_at__isnull=False),
            "expired": open_ & Q(expires_at__lte=now),
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "state", "invited_by", "created_at", "expires_at"]
    list_filter = [InvitationStateFilter, "role", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["team", "invited_by"]
    search_fields = ["email", "team__name"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ["team", *INVITATION_FIELDS]
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        return super().get_queryset(request).defer("nonce")

    @admin.display(description="state")
    def state(self, obj: Invitation) -> str:
        return invitation_state(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # managers invite from the product (rate limited, emailed after commit)

    @admin.action(description="Revoke the selected pending invitations", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        revoked = skipped = 0
        for invitation in queryset.select_related("team"):
            try:
                services.invitation_revoke(team=invitation.team, invitation_id=invitation.pk)
                revoked += 1
            except DomainError:  # accepted or revoked already
                skipped += 1
        self.message_user(request, f"{revoked} invitation(s) revoked; {skipped} were not pending.", messages.SUCCESS)
