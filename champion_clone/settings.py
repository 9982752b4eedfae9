"""Settings of Champion Clone: one module, read from the environment (django-environ).

With no environment variable at all, the project runs on its embedded default: SQLite,
the local-memory cache, a Celery broker on the file system and media under ``var/``. In
production (``DEBUG=false``) the secrets have no defaults and start-up stops without them.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
import orjson
from celery.schedules import crontab

from agents.settings import DEFAULT_ANTHROPIC_MODEL
from champion_clone import configuration
from champion_clone.logging import build_logging_config, configure_structlog

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
# Where every process (web, workers, beat) writes its metrics for /metrics to sum (core.metrics);
# set before anything imports prometheus-client, which reads it once. Inherited by child processes.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))

env = environ.Env()
# A local .env file is read when present; the real environment wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless set: a server deployed with no environment is a production one, never wide open.
# `make run` and the tests turn it on for themselves.
DEBUG = env.bool("DEBUG", default=False)
# Never a key in the repository: production must give one; development makes one of its own.
SECRET_KEY = configuration.secret_key(env.str("SECRET_KEY", default=""), debug=DEBUG, key_file=VAR_DIR / "secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=configuration.DEVELOPMENT_HOSTS if DEBUG else [])
if not DEBUG:
    configuration.check_production(allowed_hosts=ALLOWED_HOSTS)

INSTALLED_APPS = [
    "adminpanel.apps.ChampionCloneAdminConfig",  # replaces django.contrib.admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "auditlog",
    "django_structlog",
    "core",
    "champion_clone.apps.ChampionCloneConfig",
    "accounts",
    "teams",
    "champions",
    "training",
    "agents",
    "webhooks_app",
    "emails_app",
    # Last: its admin replaces the audit log page that auditlog registers.
    "adminpanel.apps.AdminPanelConfig",
]

MIDDLEWARE = [
    "core.metrics.http.RequestMetricsMiddleware",  # first: it times the whole stack
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.RequestLogMiddleware",  # django-structlog's, with our client IP
    "adminpanel.audit.AuditMiddleware",
    "adminpanel.middleware.StaffSessionIdleTimeoutMiddleware",
]

ROOT_URLCONF = "champion_clone.urls"
WSGI_APPLICATION = "champion_clone.wsgi.application"
ASGI_APPLICATION = "champion_clone.asgi.application"

_CONTEXT_PROCESSORS = ["django.template.context_processors.request", "django.contrib.auth.context_processors.auth"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [*_CONTEXT_PROCESSORS, "django.contrib.messages.context_processors.messages"]
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": configuration.database(
        env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        test_sqlite_path=VAR_DIR / f"test-db-{os.getpid()}.sqlite3",
        conn_max_age=env.int("DB_CONN_MAX_AGE", default=60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits live here) ----------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = configuration.caches(REDIS_URL)  # hits and misses counted (core.metrics.cache)
if not REDIS_URL:  # one process: a per-process cache is a correct rate-limit store (README)
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
_DJANGO_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": f"{_DJANGO_VALIDATORS}.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": f"{_DJANGO_VALIDATORS}.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": f"{_DJANGO_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},  # the seed's policy: upper, lower, digit, special
]
LOGIN_URL = "admin:login"

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("REFRESH_TOKEN_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # accounts.services.user_login records logins itself
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
}

# --- Encrypted model fields (webhook signing secrets) ---------------------------------
# django-fernet-encrypted-fields derives its keys from SECRET_KEY and these salts. To rotate
# SECRET_KEY, move the old one to SECRET_KEY_FALLBACKS: stored values stay readable, and are
# re-encrypted with the new key when saved.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
SALT_KEY = env.list("FIELD_ENCRYPTION_SALTS", default=["champion-clone-encrypted-fields"])

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.RevocableJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "ORJSON_RENDERER_OPTIONS": [orjson.OPT_UTC_Z],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.SafeJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.ContentNegotiation",
}
# The OpenAPI schema's settings (drf-spectacular), kept beside the other fixed decisions.
SPECTACULAR_SETTINGS = configuration.SPECTACULAR_SETTINGS

# Rate limits (django-ratelimit), the report's section 5.2.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# fmt: off
RATE_LIMITS = {
    "login": "10/m", "login_failures_per_account": "100/h", "login_failures_per_device": "10/15m", "dispute": "20/h",
    "register": "5/h", "refresh": "30/m", "verify_email": "30/m", "verify_email_resend": "3/h", "upload": "10/h",
    "analyze": "20/h", "training": "60/m", "admin_write": "30/m", "admin_delete": "10/m", "admin_export": "5/m",
    "team_invitation": "20/h", "team_invitation_accept": "10/m",
}
# fmt: on
# The client IP is REMOTE_ADDR unless trusted proxies set a header we are told to believe
# (HTTP_X_FORWARDED_FOR behind nginx): then the entry TRUSTED_PROXY_COUNT from the right,
# the one our own proxy appended (core.request_context.client_ip). Off by default.
TRUSTED_PROXY_IP_HEADER = env.str("TRUSTED_PROXY_IP_HEADER", default="")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
RATELIMIT_IP_META_KEY = "core.request_context.client_ip"

# --- CORS: the web front end lives on another origin ----------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ORIGINS", default=["http://localhost:3000", "http://localhost:3001"])

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise warns on every request when the folder is missing before collectstatic ran.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded recordings are private: MEDIA_ROOT is never served by a URL route or WhiteNoise.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-private/"  # not routed; files go out only through authorized views
_STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
if not DEBUG:
    _STATIC_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _STATIC_STORAGE},
}

# --- Internationalization -------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_TZ = True

# --- Security (all switchable for a deployment behind a TLS proxy) ---------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=not DEBUG) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# /health is probed by load balancers over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/?$", r"^metrics/?$"]  # and so is /metrics, by Prometheus
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_HTTPONLY = True
# Uploads stream to disk past this size instead of living in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The API never redirects a POST to add a slash: its routes accept both forms.
APPEND_SLASH = False

# --- Email ----------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Champion Clone <no-reply@localhost>")

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = configuration.celery_broker(
    REDIS_URL,
    broker_dir=VAR_DIR / "celery-broker",
    # The filesystem transport polls its folder; the default (1 s) caps it at about one task a second.
    polling_interval=env.float("CELERY_BROKER_POLLING_INTERVAL", default=0.05),
)
CELERY_TASK_SERIALIZER, CELERY_ACCEPT_CONTENT = "json", ["json"]  # never pickle
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Hard limit below the Redis visibility timeout (3 h), so a task is never redelivered while
# its first run is still alive; the soft limit leaves time to record the failure.
CELERY_TASK_TIME_LIMIT = 2 * 3600
CELERY_TASK_SOFT_TIME_LIMIT = 2 * 3600 - 120
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "light"
CELERY_TASK_ROUTES = {
    # An exact name wins over the patterns: the sweeper is light work, not a pipeline step.
    "champions.tasks.resume_stalled_analyses": {"queue": "light"},
    "champions.tasks.delete_voice_clone": {"queue": "light"},
    "champions.tasks.*": {"queue": "pipeline"},
    "emails_app.tasks.*": {"queue": "light"},
    "webhooks_app.tasks.*": {"queue": "light"},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Every periodic task, in one place. Run exactly one beat.
CELERY_BEAT_SCHEDULE = {
    "flush-expired-tokens": {"task": "accounts.tasks.flush_expired_tokens", "schedule": crontab(hour=3, minute=17)},
    # Sends again pipeline steps whose worker died (its heartbeat stopped) or whose message was lost.
    "resume-stalled-analyses": {
        "task": "champions.tasks.resume_stalled_analyses",
        "schedule": env.float("CHAMPION_STEP_SWEEP_SECONDS", default=30.0),
    },
    "abandon-idle-training-sessions": {"task": "training.tasks.abandon_idle_sessions", "schedule": 300.0},
    "sweep-assignments": {"task": "training.tasks.sweep_assignments", "schedule": 900.0},  # reminders, overdue notices
    # Webhook retries are due times in the database; this sweep is what sends them.
    "webhooks-sweep-due-deliveries": {
        "task": "webhooks_app.tasks.sweep_due_deliveries",
        "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=10.0),
    },
    "emails-inactive-reminders": {
        "task": "emails_app.tasks.send_inactive_reminders",
        "schedule": crontab(hour=9, minute=5),
    },
    "purge-old-logs": {"task": "adminpanel.tasks.purge_old_logs", "schedule": crontab(hour=4, minute=7)},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- AI providers (README.md, "Engines"): vendors when a key is set, offline otherwise ---
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="") or None
ANTHROPIC_MODEL = env.str("ANTHROPIC_MODEL", default=DEFAULT_ANTHROPIC_MODEL)
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
ELEVENLABS_API_KEY = env.str("ELEVENLABS_API_KEY", default="")
ELEVENLABS_BASE_URL = env.str("ELEVENLABS_BASE_URL", default="") or None
QDRANT_URL = env.str("QDRANT_URL", default="")
QDRANT_API_KEY = env.str("QDRANT_API_KEY", default="")
# Local models instead of the bundled ones: a CTranslate2 Whisper directory; the embedding
# model and tokenizer placed by hand (sha256-checked as the packages' files are).
WHISPER_MODEL_PATH = env.str("WHISPER_MODEL_PATH", default="")
EMBEDDING_MODEL_PATH = env.str("EMBEDDING_MODEL_PATH", default="")
EMBEDDING_TOKENIZER_PATH = env.str("EMBEDDING_TOKENIZER_PATH", default="")
# Threads of one embedding run: web and workers share the cores (2 measured slower, README).
EMBEDDING_INTRA_OP_THREADS = env.int("EMBEDDING_INTRA_OP_THREADS", default=1)
VENDOR_TIMEOUT_SECONDS = env.float("VENDOR_TIMEOUT_SECONDS", default=60.0)
VENDOR_MAX_RETRIES = env.int("VENDOR_MAX_RETRIES", default=2)

# --- Logging: JSON lines in production, readable lines in development -----------------
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = build_logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
configure_structlog()
DJANGO_STRUCTLOG_CELERY_ENABLED = True

# --- Health checks: name → function that raises when the dependency is unusable --------
HEALTH_CHECKS = {
    "database": "champion_clone.health.check_database",
    "cache": "champion_clone.health.check_cache",
    "broker": "champion_clone.health.check_broker",
    "vector_store": "champions.vector_index.check_vector_store",
}
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")  # shows a monitor every check's details
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a 404 (README, "Monitoring").
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Champions ------------------------------------------------------------------------
CHAMPION_UPLOAD_MAX_BYTES = env.int("CHAMPION_UPLOAD_MAX_BYTES", default=500 * 1024 * 1024)
CHAMPION_MAX_DURATION_SECONDS = env.int("CHAMPION_MAX_DURATION_SECONDS", default=2 * 3600)
CHAMPION_MIN_DURATION_SECONDS = env.float("CHAMPION_MIN_DURATION_SECONDS", default=5.0)
# A running step's worker writes its heartbeat this often; a heartbeat older than
# CHAMPION_STEP_DEAD_AFTER_SECONDS means its worker died, and the beat sweep sends the step again
# (champions.pipeline.heartbeat). Several beats may be missed (a busy database) before that.
CHAMPION_STEP_HEARTBEAT_SECONDS = env.float("CHAMPION_STEP_HEARTBEAT_SECONDS", default=10.0)
CHAMPION_STEP_DEAD_AFTER_SECONDS = env.float("CHAMPION_STEP_DEAD_AFTER_SECONDS", default=45.0)
# A step waiting this long in the queue is sent again, in case its message was lost with the
# broker's data; a duplicate message claims nothing, so a long queue only gets a spare message.
CHAMPION_STEP_STALE_SECONDS = env.int("CHAMPION_STEP_STALE_SECONDS", default=15 * 60)
CHAMPION_STEP_MAX_RETRIES = env.int("CHAMPION_STEP_MAX_RETRIES", default=4)
# The queue of the analysis steps (a test's worker gets a queue of its own).
CHAMPION_PIPELINE_QUEUE = env.str("CHAMPION_PIPELINE_QUEUE", default="pipeline")
QDRANT_COLLECTION = env.str("QDRANT_COLLECTION", default="champion_patterns")

# --- Training -------------------------------------------------------------------------
TRAINING_MAX_MESSAGE_CHARS = env.int("TRAINING_MAX_MESSAGE_CHARS", default=2000)
# A spoken reply lasts 3 minutes at most; 40 MB holds that even as 48 kHz stereo WAV.
TRAINING_MAX_AUDIO_BYTES = env.int("TRAINING_MAX_AUDIO_BYTES", default=40 * 1024 * 1024)
TRAINING_IDLE_MINUTES = env.int("TRAINING_IDLE_MINUTES", default=30)

# --- Webhooks (webhooks_app) ----------------------------------------------------------
# Outgoing webhooks follow Standard Webhooks (https://www.standardwebhooks.com).
# CIDR ranges webhooks may reach although private, loopback or link-local, e.g. "10.20.0.0/16,127.0.0.0/8".
# Empty by default: only public addresses. Cloud metadata addresses are refused whatever this says.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=15.0)
# An endpoint with no successful attempt for this long (and failures all along) is disabled.
WEBHOOK_DISABLE_AFTER_DAYS = env.float("WEBHOOK_DISABLE_AFTER_DAYS", default=5.0)
# After "regenerate secret", the old secret keeps signing beside the new one this long.
WEBHOOK_SECRET_GRACE_HOURS = env.float("WEBHOOK_SECRET_GRACE_HOURS", default=24.0)
# An attempt in progress holds its delivery this long; a worker that died mid-attempt hands
# it back to the sweeper after it. Longer than the timeout plus bookkeeping.
WEBHOOK_ATTEMPT_LEASE_SECONDS = env.int("WEBHOOK_ATTEMPT_LEASE_SECONDS", default=60)
WEBHOOK_QUEUE = env.str("WEBHOOK_QUEUE", default="light")

# --- Lifecycle emails (emails_app) ----------------------------------------------------
# SMTP comes from EMAIL_URL (above); a hung server must not hold a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_QUEUE = env.str("EMAIL_QUEUE", default="light")
# Absolute base of the links this server puts in emails (open pixel, click redirect,
# unsubscribe). In production it defaults to the first allowed host over https.
PUBLIC_BASE_URL = env.str(
    "PUBLIC_BASE_URL", default="http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
).rstrip("/")
# The web front end (another origin): links in emails to champions and sessions go there.
FRONTEND_URL = env.str("FRONTEND_URL", default=(CORS_ALLOWED_ORIGINS or ["http://localhost:3000"])[0]).rstrip("/")
EMAIL_TRACKING_ENABLED = env.bool("EMAIL_TRACKING_ENABLED", default=True)
# Users with no activity for this many days get the inactive_reminder, once per period.
EMAIL_INACTIVE_DAYS = env.int("EMAIL_INACTIVE_DAYS", default=14)

# --- Staff admin ----------------------------------------------------------------------
ADMIN_IDLE_TIMEOUT_SECONDS = env.int("ADMIN_IDLE_TIMEOUT_SECONDS", default=30 * 60)
# Failed staff logins: this many from one address, or for one account from unknown devices
# (accounts/login_throttle.py), lock further tries for the cool-off period and raise an alert.
ADMIN_LOGIN_MAX_FAILURES = env.int("ADMIN_LOGIN_MAX_FAILURES", default=5)
ADMIN_LOGIN_FAILURE_WINDOW_SECONDS = env.int("ADMIN_LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
ADMIN_LOGIN_LOCK_SECONDS = env.int("ADMIN_LOGIN_LOCK_SECONDS", default=15 * 60)
# One definition of churn risk for the admin and the inactive reminder email.
CHURN_RISK_DAYS = EMAIL_INACTIVE_DAYS
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60)
# Log retention in days, per kind (purge_logs and its beat task).
LOG_RETENTION_DAYS = {
    "activity": env.int("RETENTION_ACTIVITY_DAYS", default=365),
    "errors": env.int("RETENTION_ERROR_DAYS", default=180),
    "emails": env.int("RETENTION_EMAIL_DAYS", default=365),
    "webhook_deliveries": env.int("RETENTION_WEBHOOK_DELIVERY_DAYS", default=90),
    "audit": env.int("RETENTION_AUDIT_DAYS", default=730),
    "login_failures": env.int("RETENTION_LOGIN_FAILURE_DAYS", default=30),
}
