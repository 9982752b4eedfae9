"""The scoring-health page (/django-admin/scoring-health/): the stored judgements against the
gold set, the worker's measurements of the offline judge per version (the labelled set, the
gold set and stored replies scored again), refreshed when stale; administrators measure again,
support reads; a fixed number of queries however many disputes, gold rows or messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from adminpanel.scoring_health import measure, scoring_health_run
from agents.reasoning.judge.version import OFFLINE_JUDGE_VERSION
from champions.scripted import champion_from_script
from core.tasks import registered_task
from training import services
from training.models import GoldEvaluation, JudgeHealthRun, SessionMessage
from training.tests.factories import EvaluationDisputeFactory, SessionMessageFactory, TraineeMessageFactory

pytestmark = pytest.mark.django_db

PAGE = "/django-admin/scoring-health/"
REPLIES = (
    "I understand the price matters. What does a customer lost to a slow reply cost you today?",
    "Purple elephants dance on Tuesday, which means you get more bananas.",
    "Great question, let me tell you about all our features.",
)


@pytest.fixture
def practised(user, admin_user):
    """A rep's session on a real champion: three replies scored by the offline judge, the
    second disputed and accepted into the gold set (at 5), the third disputed and rejected."""
    champion = champion_from_script(user)
    session = services.session_start(user=user, champion_id=champion.pk)
    replies = [
        services.session_respond(user=user, session_id=session.pk, message=text).trainee_message for text in REPLIES
    ]
    accepted = services.dispute_open(user=user, session_id=session.pk, message_id=replies[1].pk, reason="Too high.")
    services.dispute_accept(dispute_id=accepted.pk, reviewer=admin_user, corrected_score=5)
    rejected = services.dispute_open(user=user, session_id=session.pk, message_id=replies[2].pk, reason="Too low.")
    services.dispute_reject(dispute_id=rejected.pk, reviewer=admin_user, note="Filler.")
    return replies


def finished_run(version: str = OFFLINE_JUDGE_VERSION, **fields) -> JudgeHealthRun:
    return JudgeHealthRun.objects.create(
        judge_version=version, status="finished", finished_at=timezone.now(), figures=measure(), **fields
    )


class TestMeasurement:
    def test_administrators_measure_the_judge_and_the_page_shows_the_figures(
        self, admin_client, practised, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = admin_client.post(PAGE)

        assert response.status_code == 302 and len(callbacks) == 1
        run = JudgeHealthRun.objects.get()
        assert (run.status, run.judge_version) == ("finished", OFFLINE_JUDGE_VERSION)
        figures = run.figures
        splits = figures["labelled_set"]["splits"]
        assert splits and all(len(split["per_difficulty"]) == 3 for split in splits)
        assert {split["split"] for split in splits} == {"tuning", "reported"}  # reported apart from tuned
        assert figures["gold"]["replies"] == 1
        # The reply was stored by this very judge in the same moment: scored again, it gets the
        # same score (the moment is rebuilt from the session as the judge saw it).
        (stored,) = figures["stored"]["per_stored_version"]
        assert (stored["judge"], stored["judge_version"], stored["replies"]) == ("offline", OFFLINE_JUDGE_VERSION, 3)
        assert stored["max_difference"] == 0
        assert figures["stored"]["repeated"]["max_spread"] == 0

        html = admin_client.get(PAGE).content.decode()
        assert f"Offline judge version {OFFLINE_JUDGE_VERSION}, measured" in html
        assert "Stored judgements against the gold set" in html

    def test_the_gold_set_is_measured_against_the_corrected_scores(self, practised):
        gold = measure()["gold"]
        (stored_score,) = GoldEvaluation.objects.values_list("judge_score", flat=True)
        # Re-scored by the judge that erred, the error is the one staff corrected (5 points).
        assert gold["replies"] == 1 and gold["mean_absolute_error"] == abs(stored_score - 5)

    def test_stored_replies_of_an_older_version_show_how_far_the_scores_moved(self, practised):
        older = SessionMessage.objects.get(pk=practised[0].pk)
        SessionMessage.objects.filter(pk=older.pk).update(judge_version="1", score=min(100, older.score + 9))

        per_version = {row["judge_version"]: row for row in measure()["stored"]["per_stored_version"]}

        assert per_version["1"]["replies"] == 1 and per_version["1"]["max_difference"] == 9
        assert per_version[OFFLINE_JUDGE_VERSION]["max_difference"] == 0

    def test_a_failed_measurement_is_kept_on_the_run_and_raised(self, practised):
        GoldEvaluation.objects.update(stage="no such stage")  # the judge refuses a moment it does not know
        run, _ = services.judge_health_run_request(judge_version=OFFLINE_JUDGE_VERSION)

        with pytest.raises(ValueError, match="unknown stage"):
            scoring_health_run(run.pk)

        run.refresh_from_db()
        assert run.status == "failed" and "unknown stage" in run.error

    def test_a_claimed_run_is_not_measured_twice(self):
        run, _ = services.judge_health_run_request(judge_version=OFFLINE_JUDGE_VERSION)
        assert services.judge_health_run_claim(run_id=run.pk)
        assert scoring_health_run(run.pk) is False

    def test_the_task_is_registered_by_name(self):
        assert registered_task("adminpanel.tasks.measure_judge").name == "adminpanel.tasks.measure_judge"


class TestPage:
    def test_a_stale_measurement_is_refreshed_when_the_page_is_opened(
        self, admin_client, django_capture_on_commit_callbacks
    ):
        JudgeHealthRun.objects.create(
            judge_version=OFFLINE_JUDGE_VERSION, status="finished", finished_at=timezone.now() - timedelta(minutes=11)
        )
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            html = admin_client.get(PAGE).content.decode()

        assert len(callbacks) == 1
        assert JudgeHealthRun.objects.filter(status="pending").count() == 1
        assert 'id="measurement-in-progress"' in html

    def test_a_fresh_measurement_is_not_repeated(self, admin_client, django_capture_on_commit_callbacks):
        finished_run()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            assert admin_client.get(PAGE).status_code == 200
        assert callbacks == [] and JudgeHealthRun.objects.count() == 1

    def test_older_versions_keep_their_figures_and_a_failure_is_shown(self, admin_client):
        finished_run("1")
        finished_run()
        failed, _ = services.judge_health_run_request(judge_version=OFFLINE_JUDGE_VERSION, fresh_for=None)
        services.judge_health_run_fail(run_id=failed.pk, error="MemoryError: out of memory")

        html = admin_client.get(PAGE).content.decode()

        assert 'id="measurement-1"' in html and f'id="measurement-{OFFLINE_JUDGE_VERSION}"' in html
        assert "MemoryError: out of memory" in html

    def test_stored_judgements_against_the_gold_set_per_judge_and_version(self, admin_client):
        finished_run()
        for judge, version, score, corrected in [
            ("offline", "1", 70, 20),  # passed, should have failed: 50 points off
            ("offline", "1", 40, 50),  # both fail at 60: agree, 10 points off
            ("anthropic", "1:claude-x", 65, 75),
        ]:
            GoldEvaluation.objects.create(
                prospect_line="It is too expensive.",
                reply="r",
                stage="objection",
                difficulty="medium",
                judge=judge,
                judge_version=version,
                judge_score=score,
                corrected_score=corrected,
                pass_mark=60,
            )
        rows = admin_client.get(PAGE).context["health"]["gold_stored"]
        assert rows == [
            {
                "judge": "Claude",
                "judge_version": "1:claude-x",
                "replies": 1,
                "mean_absolute_error": 10.0,
                "pass_fail_agreement": 100.0,
            },
            {
                "judge": "Offline",
                "judge_version": "1",
                "replies": 2,
                "mean_absolute_error": 30.0,
                "pass_fail_agreement": 50.0,
            },
        ]

    def test_query_count_does_not_grow_with_disputes_gold_rows_or_messages(
        self, admin_client, django_assert_num_queries
    ):
        finished_run("1")
        finished_run()

        def add(count: int) -> None:
            for _ in range(count):
                reply = TraineeMessageFactory()
                SessionMessageFactory(session=reply.session)
                EvaluationDisputeFactory(message=reply)
                GoldEvaluation.objects.create(
                    prospect_line="p",
                    reply="r",
                    stage="closing",
                    difficulty="easy",
                    judge="offline",
                    judge_version="1",
                    judge_score=60,
                    corrected_score=30,
                    pass_mark=55,
                )

        add(2)
        admin_client.get(PAGE)  # warm up: the staff session is stored once
        # session, user; the run request (savepoint, stale runs, the fresh one, release);
        # disputes, gold set, runs.
        with django_assert_num_queries(9):
            assert admin_client.get(PAGE).status_code == 200
        add(20)
        with django_assert_num_queries(9):
            assert admin_client.get(PAGE).status_code == 200

    def test_support_reads_the_page_but_does_not_measure(self, support):
        client, _ = support
        finished_run()
        page = client.get(PAGE)
        assert page.status_code == 200 and "Measure again now" not in page.content.decode()
        assert client.post(PAGE).status_code == 403
        assert JudgeHealthRun.objects.count() == 1

    def test_anonymous_visitors_are_sent_to_the_login(self, client):
        response = client.get(PAGE)
        assert response.status_code == 302 and "/login/" in response.url

    def test_the_dashboard_links_to_the_page(self, admin_client):
        assert reverse("admin:scoring_health") == PAGE
        assert f'href="{PAGE}"' in admin_client.get(reverse("admin:index")).content.decode()

    def test_the_page_links_to_the_open_disputes_and_the_gold_set(self, admin_client):
        finished_run()
        EvaluationDisputeFactory()
        health = admin_client.get(PAGE)
        assert health.context["health"]["disputes"] == {"open": 1, "accepted": 0, "rejected": 0}
        html = health.content.decode()
        assert reverse("admin:training_evaluationdispute_changelist") in html
        assert reverse("admin:training_goldevaluation_changelist") in html
