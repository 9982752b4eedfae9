"""Every write of training, by responsibility:

- :mod:`.sessions`: start, respond, end, abandon a practice session;
- :mod:`.speech`: a typed or spoken reply, and the lines returned as speech;
- :mod:`.summary`: the figures and the coaching copy of an ended session;
- :mod:`.scenarios`: the session's own copy of its scenario;
- :mod:`.disputes`: a rep's dispute of an evaluation, and staff's review of it (the gold set);
- :mod:`.health_runs`: the runs that measure the judge for the admin's scoring-health page;
- :mod:`.assignments`: a manager's assignments, the attempts a completed session counts, the
  reminder and overdue sweep (with the lists they are read by); :mod:`.progress` and
  :mod:`.leaderboard`: the team pages' reads.

Callers import from ``training.services``.
"""

from training.services.assignments import (
    assignment_cancel,
    assignment_create,
    assignments_of,
    assignments_sweep,
    my_assignments,
    record_attempt,
    team_assignments,
)
from training.services.disputes import dispute_accept, dispute_open, dispute_reject
from training.services.health_runs import (
    judge_health_run_claim,
    judge_health_run_fail,
    judge_health_run_finish,
    judge_health_run_request,
)
from training.services.leaderboard import team_leaderboard
from training.services.progress import team_progress
from training.services.scenarios import scenario_snapshot, scenario_spec, scenario_to_practise
from training.services.sessions import (
    RespondResult,
    session_end,
    session_respond,
    session_start,
    sessions_abandon_idle,
    validate_reply,
)
from training.services.speech import session_respond_from_input
from training.services.summary import (
    CRITERION_IMPROVEMENT,
    CRITERION_STRENGTH,
    session_summary_figures,
    summary_sentence,
)

__all__ = [
    "CRITERION_IMPROVEMENT",
    "CRITERION_STRENGTH",
    "RespondResult",
    "assignment_cancel",
    "assignment_create",
    "assignments_of",
    "my_assignments",
    "assignments_sweep",
    "dispute_accept",
    "dispute_open",
    "dispute_reject",
    "judge_health_run_claim",
    "judge_health_run_fail",
    "judge_health_run_finish",
    "judge_health_run_request",
    "record_attempt",
    "scenario_snapshot",
    "scenario_spec",
    "scenario_to_practise",
    "session_end",
    "session_respond",
    "session_respond_from_input",
    "session_start",
    "session_summary_figures",
    "sessions_abandon_idle",
    "summary_sentence",
    "team_assignments",
    "team_leaderboard",
    "team_progress",
    "validate_reply",
]
