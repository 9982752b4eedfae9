"""Teams (README.md, "Teams"): a team shares its champions with its members. Managers upload,
review and publish the team's champions, invite and assign; reps practise what is published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    MANAGER = "manager", "Manager"
    REP = "rep", "Rep"


class Team(models.Model):
    name = models.CharField(max_length=120)
    # Off by default: a team opts in to ranking its reps against each other.
    leaderboard_enabled = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REP)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")]
        indexes = [models.Index(fields=["user", "team"], name="membership_user_team_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id} as {self.role}"


class Invitation(models.Model):
    """An invitation to join a team as ``role``, sent to ``email``. Its link carries a signed
    token naming the invitation and its nonce; it is used once, by the account with that email."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REP)
    nonce = models.CharField(max_length=32, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "accepted_at", "revoked_at"], name="invitation_team_pending_idx")]

    def __str__(self) -> str:
        return f"{self.email} to {self.team_id}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
