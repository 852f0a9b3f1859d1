"""CEO Calls settings: everything comes from the environment (README, "Configuration")."""

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import (
    database_from_url,
    env_bool,
    env_hour,
    env_int,
    env_list,
    env_positive_int,
    env_str,
    env_timezone,
    env_weekday,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or env_bool("CEOCALLS_TESTING", default=False)

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set a long random SECRET_KEY, or DEBUG=true for development."
        )
    SECRET_KEY = _DEV_SECRET
elif not (DEBUG or TESTING) and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY is too short or is the development key: use 50+ random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL if SITE_URL.startswith("https://") else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "axes",  # before our apps: its permissions exist when the role groups are synced
    "ceocalls",
    "customers",
    "callsheets",
    "imports",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ceocalls.middleware.SignedInNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ceocalls.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires: turns a lockout into its page
]

ROOT_URLCONF = "ceocalls.urls"
WSGI_APPLICATION = "ceocalls.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ceocalls.context_processors.roles",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", "sqlite:///db.sqlite3")
DATABASES = {"default": database_from_url(DATABASE_URL, BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in that resists guessing (README, "Signing in"). django-axes counts wrong passwords per
# account at one address, per address and per account, each against its own limit (ceocalls/signin.py);
# a locked group gets the lockout page until LOGIN_COOLOFF_MINUTES after its last counted failure.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out sign-in before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Each limit is the wrong password that locks: with 6, five are answered "wrong password" and the sixth locks.
LOGIN_FAILURE_LIMIT = env_positive_int("LOGIN_FAILURE_LIMIT", 6)
LOGIN_ADDRESS_FAILURE_LIMIT = env_positive_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, allow_zero=True)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_positive_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 20, allow_zero=True)
LOGIN_COOLOFF_MINUTES = env_positive_int("LOGIN_COOLOFF_MINUTES", 15)
# Reverse proxies in front of gunicorn that append the client's address to X-Forwarded-For (0: none,
# REMOTE_ADDR is the client). Too low and every user shares the proxy's address; too high and a client
# can forge its own.
TRUSTED_PROXY_COUNT = env_positive_int("TRUSTED_PROXY_COUNT", 0, allow_zero=True)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = (
    [["username", "ip_address"]]
    + (["ip_address"] if LOGIN_ADDRESS_FAILURE_LIMIT else [])
    + (["username"] if LOGIN_ACCOUNT_FAILURE_LIMIT else [])
)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# Tries while locked out are refused without moving the end of the wait, so the page can name it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "ceocalls.signin.LoginThrottleHandler"
AXES_LOCKOUT_CALLABLE = "ceocalls.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "ceocalls.signin.client_ip"
AXES_USERNAME_CALLABLE = "ceocalls.signin.client_username"
AXES_VERBOSE = False  # no banner on every manage.py command; failures and lockouts are still logged
AXES_SENSITIVE_PARAMETERS = []  # the lockout warnings name the account and address (passwords are never logged)

# --- Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS after
# signing in whatever happens (ceocalls/middleware.py); the cookie never outlives the absolute limit.
SESSION_ABSOLUTE_HOURS = env_positive_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_IDLE_MINUTES = env_positive_int("SESSION_IDLE_MINUTES", 120)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = BASE_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security: production (DEBUG off) passes `manage.py check --deploy` with no warning.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Load balancers probe /healthz over plain HTTP; every other path is redirected to HTTPS in production.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- Content-Security-Policy on every response (django-csp; README, "Security and reliability"): scripts
# and styles only from our own static files, no inline <script>, no on…= handler, no style="" attribute,
# no eval; images also as data: URIs (Bootstrap's CSS draws its icons with them). No nonce is needed:
# every script is a static file. The Django admin runs under the same policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Celery: REDIS_URL set sends tasks to Redis; unset runs them in-process (eager).
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Tests run tasks in-process too; the tests that need a real worker start one (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker dies whole (parent and pool) stays unacknowledged in Redis until the visibility
# timeout, then goes to another worker: a lost build comes back within about CELERY_VISIBILITY_TIMEOUT.
# A task still running past it would be delivered twice, so every task's hard limit stays below it
# (README, "Background jobs: time limits"; checked by `manage.py check`, ceocalls/checks.py).
CELERY_VISIBILITY_TIMEOUT = env_positive_int("CELERY_VISIBILITY_TIMEOUT", 600)
CELERY_TASK_TIME_LIMIT = env_positive_int("CELERY_TASK_TIME_LIMIT", 480)
CELERY_TASK_SOFT_TIME_LIMIT = env_positive_int("CELERY_TASK_SOFT_TIME_LIMIT", 420)
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        f"CELERY_TASK_SOFT_TIME_LIMIT={CELERY_TASK_SOFT_TIME_LIMIT} < CELERY_TASK_TIME_LIMIT={CELERY_TASK_TIME_LIMIT}"
        f" < CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT} must hold (seconds): a task still running at the"
        " visibility timeout is delivered twice."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Workers look for abandoned messages every visibility/20 seconds (at most 30), not kombu's ~100.
    "unacked_restore_interval": max(1, min(30, CELERY_VISIBILITY_TIMEOUT // 20)),
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that queues a task while Redis is down gives up in about a second instead of
# Celery's 20 one-second result-store retries (a webhook answered after 20 s is retried by its
# sender); the event or run is already stored and the sweeper queues it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Friday's build of next week's sheets; the hour is local to CELERY_TIMEZONE.
CALLSHEETS_BUILD_WEEKDAY = env_weekday("CALLSHEETS_BUILD_WEEKDAY", "fri")
CALLSHEETS_BUILD_HOUR = env_hour("CALLSHEETS_BUILD_HOUR", 6)
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 60)
if WEBHOOK_SWEEP_SECONDS < 1:
    raise ImproperlyConfigured(f"WEBHOOK_SWEEP_SECONDS={WEBHOOK_SWEEP_SECONDS} must be at least 1 (seconds).")
CELERY_BEAT_SCHEDULE = {
    "build-next-weeks-callsheets": {
        "task": "callsheets.tasks.build_next_week",
        "schedule": crontab(day_of_week=CALLSHEETS_BUILD_WEEKDAY, hour=CALLSHEETS_BUILD_HOUR, minute=0),
    },
    # Applies webhook events whose own task never ran (broker or worker down when they came in).
    "apply-pending-webhook-events": {
        "task": "imports.tasks.apply_pending_webhook_events",
        "schedule": WEBHOOK_SWEEP_SECONDS,
    },
    # Queues again the sheet builds whose task never reached a worker (broker down when asked for),
    # and fails those that never end, so no build reads "queued" for ever.
    "sweep-build-runs": {
        "task": "callsheets.tasks.sweep_build_runs",
        "schedule": 60,
    },
    # The same for large uploads: a check or import whose task never reached a worker, or whose
    # worker died, is queued again; one still unfinished a day later is failed in words.
    "sweep-import-runs": {
        "task": "imports.tasks.sweep_import_runs",
        "schedule": 60,
    },
    # Places urgent flags whose task never ran (broker down when raised), tells program admins of
    # urgent calls neither acknowledged nor logged by half their window (README, "Urgent alarms").
    "sweep-urgent-alarms": {
        "task": "callsheets.tasks.sweep_urgent_alarms",
        "schedule": 60,
    },
}

# E-mails (README, "Calendar and e-mail"). The briefing hour is local to each executive; the
# others are local to CELERY_TIMEZONE. Each task is idempotent per recipient and period.
NOTIFY_BRIEFING_HOUR = env_hour("NOTIFY_BRIEFING_HOUR", 7)
NOTIFY_OVERDUE_HOUR = env_hour("NOTIFY_OVERDUE_HOUR", 8)
NOTIFY_PROGRAM_WEEKDAY = env_weekday("NOTIFY_PROGRAM_WEEKDAY", "mon")
NOTIFY_PROGRAM_HOUR = env_hour("NOTIFY_PROGRAM_HOUR", 8)
CELERY_BEAT_SCHEDULE |= {
    # Hourly, because executives live in different zones: each gets it once, on their own morning.
    "send-weekly-briefings": {
        "task": "notifications.tasks.send_weekly_briefings",
        "schedule": crontab(minute=5),
    },
    "send-overdue-digests": {
        "task": "notifications.tasks.send_overdue_digests",
        "schedule": crontab(hour=NOTIFY_OVERDUE_HOUR, minute=15),
    },
    # Catches the lead's e-mails that could not be queued when the call was logged (broker down).
    "send-missed-flag-outcomes": {
        "task": "notifications.tasks.send_missed_flag_outcomes",
        "schedule": crontab(minute=35),
    },
    "send-program-weekly": {
        "task": "notifications.tasks.send_program_weekly",
        "schedule": crontab(day_of_week=NOTIFY_PROGRAM_WEEKDAY, hour=NOTIFY_PROGRAM_HOUR, minute=30),
    },
}

# --- Keeping records (README, "Keeping records"): rows that only grow are pruned daily by
# ceocalls.tasks.prune_old_records (and `manage.py prune`). 0 keeps that kind for ever.
WEBHOOK_RETENTION_DAYS = env_positive_int("WEBHOOK_RETENTION_DAYS", 90, allow_zero=True)
EMAIL_DELIVERY_RETENTION_DAYS = env_positive_int("EMAIL_DELIVERY_RETENTION_DAYS", 365, allow_zero=True)
SIGNIN_LOG_RETENTION_DAYS = env_positive_int("SIGNIN_LOG_RETENTION_DAYS", 90, allow_zero=True)
PRUNE_HOUR = env_hour("PRUNE_HOUR", 4)
CELERY_BEAT_SCHEDULE["prune-old-records"] = {
    "task": "ceocalls.tasks.prune_old_records",
    "schedule": crontab(hour=PRUNE_HOUR, minute=40),
}

# --- Urgent alarms: with a Slack incoming webhook's URL, each urgent e-mail to an executive is also posted there.
SLACK_WEBHOOK_URL = env_str("SLACK_WEBHOOK_URL").strip()
if SLACK_WEBHOOK_URL and not SLACK_WEBHOOK_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SLACK_WEBHOOK_URL must be the https:// address of a Slack incoming webhook.")

# --- Imports and webhooks
WEBHOOK_SECRET = env_str("WEBHOOK_SECRET")
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 256 * 1024)
CEO_CALL_TAG = env_str("CEO_CALL_TAG", "ceo-call")
# Zendesk generates its own signing secret per webhook; unset, WEBHOOK_SECRET is used for it too.
ZENDESK_WEBHOOK_SECRET = env_str("ZENDESK_WEBHOOK_SECRET")
# Uploads larger than this are checked and imported by a Celery task, with progress on the page.
IMPORTS_INLINE_MAX_BYTES = env_int("IMPORTS_INLINE_MAX_BYTES", 512 * 1024)


# --- E-mail: EMAIL_URL (smtp://user:pass@host:587?tls=true) or Django's EMAIL_* variables.
def _email_from_url(url: str) -> dict:
    parts = urlparse(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme not in {"smtp", "smtps", "submission"}:
        raise ImproperlyConfigured(f"EMAIL_URL={url!r}: expected smtp://user:password@host:port.")
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl") in {"1", "true"},
        "EMAIL_USE_TLS": parts.scheme != "smtps" and query.get("tls", "true") in {"1", "true"},
    }


if env_str("EMAIL_URL"):
    globals().update(_email_from_url(env_str("EMAIL_URL")))
else:
    EMAIL_BACKEND = env_str(
        "EMAIL_BACKEND",
        "django.core.mail.backends.smtp.EmailBackend"
        if env_str("EMAIL_HOST")
        else "django.core.mail.backends.console.EmailBackend",
    )
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CEO Calls <ceo-calls@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 (a role that may not open a page, a CSRF failure) is one line: who, path, reason; no traceback.
    "filters": {"forbidden_one_line": {"()": "ceocalls.logfilters.ForbiddenOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"filters": ["forbidden_one_line"]},
        "django.security.csrf": {"filters": ["forbidden_one_line"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
