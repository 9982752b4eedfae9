from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from champions.models import Champion, Scenario

SNAPSHOT_TEXT_FIELDS = ("title", "persona", "context", "goal", "difficulty")


def normalized_snapshot(value: object) -> dict:
    """A scenario snapshot exactly as the API writes it: its id (an integer or null), each text
    field as text, its objections a list of objects. Stored so, a list can send the stored JSON
    as it is, never parsing it (issue 13: a 20-session list parsed and rebuilt 24 KB)."""
    snapshot = value if isinstance(value, dict) else {}
    scenario_id = str(snapshot.get("id"))
    objections = snapshot.get("objections")
    return {
        "id": int(scenario_id) if scenario_id.isascii() and scenario_id.isdigit() else None,
        **{name: str(snapshot.get(name, "")) for name in SNAPSHOT_TEXT_FIELDS},
        "objections": [dict(item) for item in objections if isinstance(item, dict)]
        if isinstance(objections, list)
        else [],
    }


class ScenarioSnapshotField(models.JSONField):
    """Normalizes every snapshot it writes (a save, a create, a bulk create, an ``update()``):
    ``normalized_snapshot``. Lookups are left alone (their value is not a snapshot)."""

    def get_db_prep_save(self, value: object, connection: object) -> object:
        if not hasattr(value, "resolve_expression"):
            value = normalized_snapshot(value)
        return super().get_db_prep_save(value, connection)


class SnapshotObjectionCount(models.Func):
    """How many objections a stored (normalized) snapshot lists, counted by the database, so a
    list that sends the snapshot's JSON as it is need not parse it to count them."""

    output_field = models.IntegerField()
    template = "COALESCE(json_array_length(%(expressions)s, '$.objections'), 0)"  # SQLite

    def as_postgresql(self, compiler: object, connection: object, **extra: object) -> tuple[str, list]:
        template = "COALESCE(jsonb_array_length(%(expressions)s -> 'objections'), 0)"
        return self.as_sql(compiler, connection, template=template, **extra)


class TrainingSession(models.Model):
    """A rep practising one scenario of a champion against the simulated prospect."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ABANDONED = "abandoned", "Abandoned"

    class Outcome(models.TextChoices):
        WON = "won", "Won"
        LOST = "lost", "Lost"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_sessions")
    champion = models.ForeignKey(Champion, on_delete=models.CASCADE, related_name="training_sessions")
    # A re-analysis replaces the champion's scenarios: the session keeps its own copy.
    scenario = models.ForeignKey(Scenario, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    scenario_snapshot = ScenarioSnapshotField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    # Index of the scenario objection on the table; len(objections) once all are handled.
    stage = models.PositiveSmallIntegerField(default=0)
    weak_streak = models.PositiveSmallIntegerField(default=0)
    turn_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    overall_score = models.FloatField(null=True, blank=True)
    summary = models.TextField(blank=True)
    strengths = models.JSONField(default=list, blank=True)
    improvements = models.JSONField(default=list, blank=True)
    comparison_to_champion = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # The id breaks ties in the list's order: the index gives the rows in order, no sort.
            models.Index(fields=["user", "-started_at", "-id"], name="session_user_started_idx"),
            models.Index(fields=["status", "last_activity_at"], name="session_status_activity_idx"),
            # The admin dashboard's 30 days: sessions begun, and completed (active reps per team).
            models.Index(fields=["started_at"], name="session_started_idx"),
            models.Index(fields=["status", "ended_at"], name="session_status_ended_idx"),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} of {self.user_id} on {self.champion_id}"

    @property
    def objection_count(self) -> int:
        return len(self.scenario_snapshot.get("objections", []))


class SessionMessage(models.Model):
    class Role(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        TRAINEE = "trainee", "Trainee"

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField()
    turn_index = models.PositiveIntegerField()
    # The objection stage the conversation was at when this line was said.
    stage = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Trainee messages: the evaluation.
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    criteria = models.JSONField(default=dict, blank=True)
    weights = models.JSONField(default=dict, blank=True)
    feedback = models.JSONField(default=list, blank=True)
    # {pattern_id, text, start, end, category}: copied, so a re-analysis cannot change history.
    champion_reference = models.JSONField(null=True, blank=True)
    judge = models.CharField(max_length=16, blank=True)
    # The judge's version (agents.reasoning.judge.version): "2" offline, "1:<model>" for Claude.
    judge_version = models.CharField(max_length=80, blank=True)
    # Voice practice: private files under MEDIA_ROOT, served only to the session's user.
    input_audio = models.CharField(max_length=300, blank=True)
    audio_seconds = models.FloatField(null=True, blank=True)
    speech_audio = models.CharField(max_length=300, blank=True)
    reference_audio = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["session_id", "turn_index"]
        constraints = [
            models.UniqueConstraint(fields=["session", "turn_index"], name="message_unique_turn"),
            models.CheckConstraint(name="message_score_0_100", condition=models.Q(score__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.role} #{self.turn_index}: {self.content[:50]}"


class EvaluationDispute(models.Model):
    """A rep's claim that the judge scored one of their replies wrongly; staff accept it with a
    corrected score (the reply joins the gold set) or reject it with a note."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    message = models.ForeignKey(SessionMessage, on_delete=models.CASCADE, related_name="disputes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluation_disputes")
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_score = models.PositiveSmallIntegerField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message"], condition=models.Q(status="open"), name="dispute_one_open_per_message"
            ),
            models.CheckConstraint(name="dispute_score_0_100", condition=models.Q(corrected_score__lte=100)),
            models.CheckConstraint(
                name="dispute_accepted_has_score",
                condition=~models.Q(status="accepted") | models.Q(corrected_score__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="dispute_status_created_idx")]

    def __str__(self) -> str:
        return f"Dispute {self.pk} ({self.status}) of message {self.message_id}"


class GoldEvaluation(models.Model):
    """A reply whose score staff corrected: the moment, the reply, the champion's reference,
    the right score, and the judge (and version) that got it wrong. Copied from the session, so
    the gold set keeps its rows when the session, the champion or the rep is deleted."""

    prospect_line = models.TextField()
    reply = models.TextField()
    champion_reference = models.TextField(blank=True)
    # The category of the champion's reference move (agents.reasoning.categories).
    reference_category = models.CharField(max_length=32, blank=True)
    # The judge's moment: "opening", "objection" or "closing", and the objection on the table.
    stage = models.CharField(max_length=16)
    objection = models.TextField(blank=True)
    difficulty = models.CharField(max_length=16)
    judge = models.CharField(max_length=16, blank=True)
    judge_version = models.CharField(max_length=80, blank=True)
    judge_score = models.PositiveSmallIntegerField()
    corrected_score = models.PositiveSmallIntegerField()
    # The pass mark of the session's scenario when the reply was scored (pass/fail agreement).
    pass_mark = models.PositiveSmallIntegerField()
    dispute = models.OneToOneField(
        EvaluationDispute, on_delete=models.SET_NULL, null=True, blank=True, related_name="gold"
    )
    # Whose playbook the reply is re-scored against while the champion exists (the reference
    # line alone once it is gone).
    champion = models.ForeignKey(Champion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="gold_scores_0_100", condition=models.Q(corrected_score__lte=100, judge_score__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"Gold {self.pk}: {self.corrected_score} (the {self.judge} judge said {self.judge_score})"


class JudgeHealthRun(models.Model):
    """One measurement of the offline judge for the admin's scoring-health page: the labelled
    set, the gold set re-scored, stored replies re-scored. It takes minutes, so a worker runs it
    and the figures are kept here, per judge version (older versions' figures stay readable)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    judge_version = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["judge_version"],
                condition=models.Q(status__in=["pending", "running"]),
                name="judge_health_one_active_run_per_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Judge {self.judge_version} measurement {self.pk} ({self.status})"


class Assignment(models.Model):
    """A manager's request that members practise one scenario of a team champion until they
    pass it (README.md, "Teams"). Completed sessions on the scenario count as attempts."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="assignments")
    champion = models.ForeignKey(Champion, on_delete=models.CASCADE, related_name="assignments")
    # A re-analysis replaces the champion's scenarios: the assignment keeps the title it named.
    scenario = models.ForeignKey(Scenario, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    scenario_title = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField()
    pass_score = models.PositiveSmallIntegerField()
    min_attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["team", "cancelled_at", "due_at"], name="assignment_team_due_idx")]
        constraints = [
            models.CheckConstraint(name="assignment_pass_score_0_100", condition=models.Q(pass_score__lte=100)),
            models.CheckConstraint(
                name="assignment_min_attempts_1_10", condition=models.Q(min_attempts__gte=1, min_attempts__lte=10)
            ),
        ]

    def __str__(self) -> str:
        return f"Assignment {self.pk} of team {self.team_id}"


class AssignmentAssignee(models.Model):
    """One member's progress on an assignment, kept up to date as their sessions complete."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        PASSED = "passed", "Passed"
        OVERDUE = "overdue", "Overdue"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="assignees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    attempts = models.PositiveSmallIntegerField(default=0)
    best_score = models.FloatField(null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    # When the reminder (a day before the due date) and the overdue notice went out: once each.
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment_id", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "user"], name="assignee_unique_user")]
        indexes = [models.Index(fields=["user", "passed_at"], name="assignee_user_passed_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} on assignment {self.assignment_id}"

    def status_at(self, now) -> str:
        if self.passed_at is not None:
            return self.Status.PASSED
        if now > self.assignment.due_at:
            return self.Status.OVERDUE
        return self.Status.IN_PROGRESS if self.attempts else self.Status.NOT_STARTED
