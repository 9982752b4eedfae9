"""Bodies of the team pages of training: assignments, a team's progress, its leaderboard."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.representation import RowSerializer, iso_datetime
from core.api.viewsets import ID_MAX
from training.models import AssignmentAssignee
from training.services.assignments import ALL_REPS
from training.services.leaderboard import DEFAULT_DAYS, MAX_DAYS

# More than any team has members: a body this long is a mistake or an attack.
MAX_ASSIGNEES = 1000


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": MAX_ASSIGNEES},
            {"type": "string", "enum": [ALL_REPS]},
        ],
        "description": 'Members to assign, or "all": the team\'s current reps.',
    }
)
class AssigneeIdsField(serializers.Field):
    default_error_messages = {
        "invalid": 'A list of member ids, or "all".',
        "empty": "Name at least one member.",
        "too_many": f"At most {MAX_ASSIGNEES} members.",
    }

    def to_internal_value(self, data: object) -> list[int] | str:
        if data == ALL_REPS:
            return ALL_REPS
        if not isinstance(data, list):
            self.fail("invalid")
        if not data:
            self.fail("empty")
        if len(data) > MAX_ASSIGNEES:
            self.fail("too_many")
        # bool is an int in Python; true is not a user id.
        if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= ID_MAX for v in data):
            self.fail("invalid")
        return data

    def to_representation(self, value: object) -> object:
        return value


class AssignmentInputSerializer(serializers.Serializer):
    scenario_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    assignee_ids = AssigneeIdsField()
    due_at = serializers.DateTimeField(help_text="In the future.")
    pass_score = serializers.IntegerField(min_value=0, max_value=100)
    min_attempts = serializers.IntegerField(min_value=1, max_value=10, default=1)


class AssignmentChampionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssignmentScenarioSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null once a re-analysis replaced the scenario.")
    title = serializers.CharField()


class AssignmentTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _status(assignee: AssignmentAssignee, context: dict) -> str:
    return assignee.status_at(context.get("now") or timezone.now())


class AssigneeSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    full_name = serializers.CharField(source="user.full_name")
    attempts = serializers.IntegerField()
    best_score = serializers.FloatField(allow_null=True)
    status = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=AssignmentAssignee.Status.choices))
    def get_status(self, assignee: AssignmentAssignee) -> str:
        return _status(assignee, self.context)


class TeamAssignmentSerializer(serializers.Serializer):
    """An assignment as its team's managers see it, with every assignee's completion."""

    id = serializers.IntegerField()
    team_id = serializers.IntegerField()
    champion = serializers.SerializerMethodField()
    scenario = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField()
    pass_score = serializers.IntegerField()
    min_attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    assignees = AssigneeSerializer(many=True, source="assignee_rows")

    @extend_schema_field(AssignmentChampionSerializer)
    def get_champion(self, assignment) -> dict:
        return {"id": assignment.champion_id, "name": assignment.champion.name}

    @extend_schema_field(AssignmentScenarioSerializer)
    def get_scenario(self, assignment) -> dict:
        return {"id": assignment.scenario_id, "title": assignment.scenario_title}


class MyAssignmentSerializer(RowSerializer):
    """One of the caller's assignments, with the caller's own completion."""

    id = serializers.IntegerField(source="assignment_id")
    team = serializers.SerializerMethodField()
    champion = serializers.SerializerMethodField()
    scenario = serializers.SerializerMethodField()
    due_at = serializers.DateTimeField(source="assignment.due_at")
    pass_score = serializers.IntegerField(source="assignment.pass_score")
    min_attempts = serializers.IntegerField(source="assignment.min_attempts")
    attempts = serializers.IntegerField()
    best_score = serializers.FloatField(allow_null=True)
    status = serializers.SerializerMethodField()

    @extend_schema_field(AssignmentTeamSerializer)
    def get_team(self, assignee: AssignmentAssignee) -> dict:
        return {"id": assignee.assignment.team_id, "name": assignee.assignment.team.name}

    @extend_schema_field(AssignmentChampionSerializer)
    def get_champion(self, assignee: AssignmentAssignee) -> dict:
        return {"id": assignee.assignment.champion_id, "name": assignee.assignment.champion.name}

    @extend_schema_field(AssignmentScenarioSerializer)
    def get_scenario(self, assignee: AssignmentAssignee) -> dict:
        return {"id": assignee.assignment.scenario_id, "title": assignee.assignment.scenario_title}

    @extend_schema_field(serializers.ChoiceField(choices=AssignmentAssignee.Status.choices))
    def get_status(self, assignee: AssignmentAssignee) -> str:
        return _status(assignee, self.context)

    def represent(self, assignee: AssignmentAssignee) -> dict:
        assignment = assignee.assignment
        return {
            "id": assignee.assignment_id,
            "team": self.get_team(assignee),
            "champion": self.get_champion(assignee),
            "scenario": self.get_scenario(assignee),
            "due_at": iso_datetime(assignment.due_at),
            "pass_score": assignment.pass_score,
            "min_attempts": assignment.min_attempts,
            "attempts": assignee.attempts,
            "best_score": assignee.best_score,
            "status": self.get_status(assignee),
        }


# --- Progress and leaderboard -------------------------------------------------------------


class ProgressFilterSerializer(serializers.Serializer):
    champion_id = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    since = serializers.DateTimeField(required=False, help_text="Only sessions completed at or after this time.")


class ScoreFiguresSerializer(serializers.Serializer):
    average_score = serializers.FloatField(allow_null=True)
    best_score = serializers.FloatField(allow_null=True)
    gap_to_champion = serializers.FloatField(
        allow_null=True, help_text="100 - average: 100 is the champion's own level."
    )


class ChampionProgressSerializer(ScoreFiguresSerializer):
    champion_id = serializers.IntegerField()
    champion_name = serializers.CharField()
    sessions = serializers.IntegerField()
    criteria = serializers.DictField(child=ScoreFiguresSerializer(), help_text="Per criterion of the judge.")


class AssignmentCountsSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
    passed = serializers.IntegerField()
    overdue = serializers.IntegerField()


class MemberProgressSerializer(ScoreFiguresSerializer):
    user_id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField()
    sessions = serializers.IntegerField(help_text="Completed sessions on the team's champions.")
    champions = ChampionProgressSerializer(many=True)
    assignments = AssignmentCountsSerializer()


class LeaderboardFilterSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=DEFAULT_DAYS)


class LeaderboardChampionSerializer(serializers.Serializer):
    champion_id = serializers.IntegerField()
    champion_name = serializers.CharField()
    best_score = serializers.FloatField()
    sessions = serializers.IntegerField()


class LeaderboardEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="Equal bests share a rank; null without a session.")
    user_id = serializers.IntegerField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    best_score = serializers.FloatField(allow_null=True)
    sessions = serializers.IntegerField()
    champions = LeaderboardChampionSerializer(many=True)
