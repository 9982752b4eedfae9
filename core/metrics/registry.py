"""Every metric of ``/metrics``, defined once (README.md, "Monitoring").

Counters and histograms are written by whichever process records them (web, Celery worker,
beat) into ``PROMETHEUS_MULTIPROC_DIR`` and summed at scrape time (``core.metrics.exposition``).
Gauges that describe the system rather than a process (queue depths, champions by status) are
read when scraped (``core.metrics.scrape``), so no process writes a gauge.

Labels are bounded by construction: a view's route name (never its path), a task's registered
name, a queue among the configured ones, a pipeline step of the registry, an outcome from a
fixed set.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PREFIX = "champion_clone"

# Seconds: a cache hit and a two-hour transcription both land in a useful bucket.
FAST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
LAG_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0, 3600.0, 6 * 3600.0, 24 * 3600.0, 3 * 86400.0)
# A step's seconds per second of recording: well under 1 is faster than the call itself.
REALTIME_FACTOR_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)

# --- HTTP --------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    f"{PREFIX}_http_requests_total", "HTTP requests by route name, method and status.", ["view", "method", "status"]
)
HTTP_LATENCY = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time to answer an HTTP request, by route name and method.",
    ["view", "method"],
    buckets=FAST_BUCKETS,
)

# --- Database and cache ------------------------------------------------------------------
DB_QUERIES = Counter(f"{PREFIX}_db_queries_total", "SQL statements executed, by database alias.", ["alias"])
CACHE_GETS = Counter(f"{PREFIX}_cache_gets_total", "Cache reads by key, hit or miss.", ["cache", "result"])

# --- Celery ------------------------------------------------------------------------------
TASKS_STARTED = Counter(f"{PREFIX}_celery_tasks_started_total", "Tasks a worker began.", ["task", "queue"])
TASKS_SUCCEEDED = Counter(f"{PREFIX}_celery_tasks_succeeded_total", "Tasks that returned.", ["task", "queue"])
TASKS_FAILED = Counter(f"{PREFIX}_celery_tasks_failed_total", "Tasks that raised.", ["task", "queue"])
TASKS_RETRIED = Counter(f"{PREFIX}_celery_tasks_retried_total", "Tasks that asked to be retried.", ["task", "queue"])
TASK_DURATION = Histogram(
    f"{PREFIX}_celery_task_duration_seconds",
    "Run time of a task, whatever came of it.",
    ["task", "queue"],
    buckets=TASK_BUCKETS,
)

# --- The pipeline ------------------------------------------------------------------------
PIPELINE_STEP_DURATION = Histogram(
    f"{PREFIX}_pipeline_step_duration_seconds", "Run time of a pipeline step done.", ["step"], buckets=TASK_BUCKETS
)
PIPELINE_STEP_REALTIME_FACTOR = Histogram(
    f"{PREFIX}_pipeline_step_realtime_factor",
    "A pipeline step's run time over the recording's duration.",
    ["step"],
    buckets=REALTIME_FACTOR_BUCKETS,
)
ANALYSES_FINISHED = Counter(
    f"{PREFIX}_pipeline_analyses_total",
    "Analyses that ended: outcome ready or failed (failed with the step it failed at).",
    ["outcome", "step"],
)

# --- Training ----------------------------------------------------------------------------
RESPOND_LATENCY = Histogram(
    f"{PREFIX}_training_respond_duration_seconds",
    "Time to score a reply and answer it (the respond service), by coach.",
    ["coach"],
    buckets=FAST_BUCKETS,
)
JUDGE_LATENCY = Histogram(
    f"{PREFIX}_judge_duration_seconds",
    "Time the configured judge took to score a reply (a cached judgement is not timed).",
    ["judge"],
    buckets=FAST_BUCKETS,
)
JUDGE_FALLBACKS = Counter(
    f"{PREFIX}_judge_fallbacks_total",
    "Replies the offline judge scored because the configured judge did not answer.",
    ["judge"],
)

# --- Webhooks, emails, logins, alerts ----------------------------------------------------
WEBHOOK_DELIVERIES = Counter(
    f"{PREFIX}_webhook_deliveries_total",
    "Webhook delivery attempts by what the delivery became: succeeded, retrying or failed.",
    ["outcome"],
)
WEBHOOK_LAG = Histogram(
    f"{PREFIX}_webhook_delivery_lag_seconds",
    "From the event to the delivery's final outcome.",
    ["outcome"],
    buckets=LAG_BUCKETS,
)
EMAILS = Counter(f"{PREFIX}_emails_total", "Emails by outcome: sent, failed, or retrying.", ["outcome"])
LOGIN_FAILURES = Counter(f"{PREFIX}_login_failures_total", "Failed logins by door (api, admin).", ["door"])
LOGIN_LOCKOUTS = Counter(
    f"{PREFIX}_login_lockouts_total", "Logins refused because the account, device or address is locked.", ["door"]
)
ALERTS_RAISED = Counter(f"{PREFIX}_alerts_raised_total", "Alerts raised for staff, by type.", ["type"])
