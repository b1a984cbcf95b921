"""Settings for the Provincial Operations Centre (POC) portal.

Everything deployment-specific comes from the environment:

- ``DATABASE_URL`` set  -> PostGIS (production, CI); unset -> embedded SpatiaLite under ``var/``.
- ``REDIS_URL`` set     -> Celery broker/result backend and the cache on Redis; unset -> tasks run
  eagerly in-process and the cache is local memory.
- ``SECRET_KEY``, ``DEBUG``, ``ALLOWED_HOSTS``, ``EMAIL_*`` as usual; ``DEBUG`` is off by default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("POC_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("POC_REQUIRE_SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production")
    # A per-checkout key for quick starts; production sets SECRET_KEY explicitly.
    SECRET_KEY = "insecure-dev-key-" + str(BASE_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "guardian",
    "import_export",
    "poc",
    "datasets",
    "gis",
    "risk",
    "operations",
    "documents",
    "assessment",
    "indicators",
    "cockpit",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "benchdata",
    # last: its demo seed reads the values the other apps seed
    "verification",
]

MIDDLEWARE = [
    "poc.request_memo.RequestMemoMiddleware",  # what a request reads several times (cache versions…), read once
    "django.middleware.security.SecurityMiddleware",
    "poc.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "poc.middleware.RejectControlCharactersMiddleware",
    "poc.middleware.ForcePasswordChangeMiddleware",
    "operations.middleware.PageViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "poc.urls"
WSGI_APPLICATION = "poc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "poc.context_processors.portal",
                "cockpit.context_processors.alerts",
                "poc.context_processors.notifications",
            ],
            "builtins": ["poc.templatetags.thai", "poc.templatetags.access"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    # Seconds a connection is kept between requests; "none": for the process's life (gunicorn.conf.py sets it: a worker
    # keeps the backend it warmed, and max_requests recycles workers anyway). Health checks replace a dropped one.
    _max_age = (os.environ.get("POC_DB_CONN_MAX_AGE") or "60").strip().lower()
    _max_age = None if _max_age == "none" else int(_max_age)
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=_max_age, conn_health_checks=True)}
    DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    # No JIT: our reads are short index-driven queries for which compiling costs more (60 ms) than it saves.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.spatialite",
            "NAME": str(VAR_DIR / "poc.sqlite3"),
            "OPTIONS": {"timeout": 30},
        }
    }
SPATIALITE_LIBRARY_PATH = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
# A national map reads its values on a second connection while the first reads its features (poc.parallel_reads): each
# process may hold two PostgreSQL connections (gunicorn: 2 per worker). Off: one connection, the reads one after the other.
POC_PARALLEL_READS = env_bool("POC_PARALLEL_READS", True)
# A level with more boundaries than this gets borders generalised for its country-wide maps (gis.models.OVERVIEW_*),
# built by simplify_boundaries and every boundary import.
POC_MAP_OVERVIEW_ABOVE = int(os.environ.get("POC_MAP_OVERVIEW_ABOVE", "1000"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGIS = DATABASES["default"]["ENGINE"].endswith("postgis")

# --- Cache, Celery ---------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "poc.cache.RedisCache", "LOCATION": REDIS_URL}}  # one redis client per pool
    CACHES["lockout"] = CACHES["default"]
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
    # Sessions read from Redis, written through to the database: no session query on a page view.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Login failures must be shared by every worker process: the database cache table (poc migration 0003).
        "lockout": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "poc_cache"},
    }
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task whose worker died unacknowledged goes back to the queue after this many seconds (Redis broker).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("POC_CELERY_VISIBILITY_TIMEOUT", 3600))}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Bangkok"
# Apps add their periodic jobs here; every job is also a management command.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # operations: back up, verify and prune every night (also `manage.py backup --verify`)
    "operations-backup-nightly": {"task": "operations.tasks.backup_nightly", "schedule": crontab(hour=1, minute=30)},
    "cockpit-evaluate-warnings": {"task": "cockpit.tasks.evaluate_warnings_task", "schedule": 30 * 60},
    # verification: reminder e-mails each morning (also `manage.py send_reminders`; never twice per event)
    "verification-reminders": {"task": "verification.tasks.send_reminders", "schedule": crontab(hour=7, minute=0)},
    # operations: page views buffered in Redis -> usage table (also `manage.py flush_page_views`)
    "operations-flush-page-views": {"task": "operations.tasks.flush_page_views", "schedule": 60},
    # datasets: uploads left by an abandoned mapping step (also `manage.py clean_uploads`)
    "datasets-clean-uploads": {"task": "datasets.tasks.stale_uploads_delete_task", "schedule": crontab(hour=2, minute=15)},
    # poc: PDPA retention of page views and notifications (also `manage.py apply_retention`)
    "poc-apply-retention": {"task": "poc.tasks.apply_retention", "schedule": crontab(hour=2, minute=30)},
}

# --- API (Django REST framework, OpenAPI 3 by drf-spectacular) ------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiRateThrottle"],
    # Requests per token (or session user, or address), counted in the shared cache.
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("POC_API_RATE", "600/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
# Largest dataValueSets import body (DRF reads the stream itself, past DATA_UPLOAD_MAX_MEMORY_SIZE).
POC_API_MAX_BODY_BYTES = int(os.environ.get("POC_API_MAX_BODY_BYTES", 50 * 1024 * 1024))
SPECTACULAR_SETTINGS = {
    "TITLE": "POC — Provincial Operations Centre API",
    "DESCRIPTION": "Data values (DHIS2 dataValueSets: JSON, CSV, ADX), a read API with analytics, and CKAN catalogue actions. "
    "Authenticate with `Authorization: ApiToken <token>` (or `Bearer`).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "poc.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions
GUARDIAN_RAISE_403 = True

# --- I18N: Thai first, English second; Bangkok time -----------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names + precompressed files: cached forever by browsers on slow links.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
POC_MAX_UPLOAD_BYTES = int(os.environ.get("POC_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
# Spreadsheet uploads: limits enforced while reading (datasets.readers), so a huge file cannot hold a worker.
# Workbooks are parsed in a child process (datasets.readers.isolated): it is stopped after this many seconds.
POC_IMPORT_PARSE_SECONDS = int(os.environ.get("POC_IMPORT_PARSE_SECONDS", 60))
POC_IMPORT_MAX_ROWS = int(os.environ.get("POC_IMPORT_MAX_ROWS", 300_000))
POC_IMPORT_MAX_CELLS = int(os.environ.get("POC_IMPORT_MAX_CELLS", 3_000_000))
POC_IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("POC_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024))
POC_MAX_LAYER_BYTES = int(os.environ.get("POC_MAX_LAYER_BYTES", 20 * 1024 * 1024))
# Geodata limits, counted while reading (poc.geodata): map-layer uploads, then org-unit imports.
POC_MAX_LAYER_UNZIPPED_BYTES = int(os.environ.get("POC_MAX_LAYER_UNZIPPED_BYTES", 50 * 1024 * 1024))
POC_MAX_LAYER_FEATURES = int(os.environ.get("POC_MAX_LAYER_FEATURES", 50_000))
POC_MAX_LAYER_VERTICES = int(os.environ.get("POC_MAX_LAYER_VERTICES", 1_000_000))
POC_MAX_LAYER_VALUES = int(os.environ.get("POC_MAX_LAYER_VALUES", 500_000))
POC_MAX_GEODATA_BYTES = int(os.environ.get("POC_MAX_GEODATA_BYTES", 300 * 1024 * 1024))
POC_MAX_GEODATA_FEATURES = int(os.environ.get("POC_MAX_GEODATA_FEATURES", 200_000))
POC_MAX_GEODATA_VERTICES = int(os.environ.get("POC_MAX_GEODATA_VERTICES", 10_000_000))
POC_MAX_GEODATA_VALUES = int(os.environ.get("POC_MAX_GEODATA_VALUES", 2_000_000))
# Fiscal years one analysis (cockpit pivot) may span.
POC_PIVOT_MAX_PERIODS = int(os.environ.get("POC_PIVOT_MAX_PERIODS", 10))

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "poc@localhost")

# --- Security (production defaults; `make run` sets DEBUG=1 on loopback) ----------------------
SECURE_SSL = env_bool("POC_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)

# Scripts only from our static files; styles may be inline (plotly and Leaflet set element styles).
POC_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_FAILURE_VIEW = "poc.errors.csrf_failure"
# django-import-export (installed for admin imports): exports strip leading formula characters too.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
POC_LOGIN_MAX_FAILURES = int(os.environ.get("POC_LOGIN_MAX_FAILURES", 5))
POC_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("POC_LOGIN_LOCKOUT_SECONDS", 15 * 60))
# One address trying many usernames (password spraying); an office behind one NAT address shares it.
POC_LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("POC_LOGIN_MAX_FAILURES_PER_ADDRESS", 30))
# Behind a reverse proxy, the request header holding the client address (e.g. HTTP_X_REAL_IP); empty: REMOTE_ADDR.
POC_CLIENT_IP_HEADER = os.environ.get("POC_CLIENT_IP_HEADER", "")

# --- Portal -----------------------------------------------------------------------------------
POC_PORTAL_NAME = os.environ.get("POC_PORTAL_NAME", "")
# Reminders go out this many days before a dataset's due date (and again once when overdue).
POC_REMINDER_DAYS_BEFORE = int(os.environ.get("POC_REMINDER_DAYS_BEFORE", 7))
# Reference data (real hierarchy, boundaries, population) for the demo seed: Rayong ships in data/rayong
# (see its ATTRIBUTION.md), so a fresh clone seeds a real province.
POC_REFERENCE_DIR = Path(os.environ.get("POC_REFERENCE_DIR", BASE_DIR / "data" / "rayong"))
# The whole country's hierarchy and boundaries for generate_national and bench/map_api (too large to ship).
POC_NATIONAL_REFERENCE_DIR = Path(os.environ.get("POC_NATIONAL_REFERENCE_DIR", BASE_DIR.parent / "shared" / "reference" / "thailand"))
# Pages open on the latest fiscal year with at least this share of its expected indicator inputs reported.
POC_COMPLETE_SHARE = float(os.environ.get("POC_COMPLETE_SHARE", 0.9))
# Separation of duties: a submission is never verified or returned by the user who sent it (poc.permissions).
# Set POC_SEPARATION_OF_DUTIES=0 for one-person agencies where the same officer must do both.
POC_SEPARATION_OF_DUTIES = env_bool("POC_SEPARATION_OF_DUTIES", True)

# Backups (operations app): archive directory, retention (newest per day/ISO week/month) and the age after
# which the IT page warns that no verified backup is recent enough.
POC_BACKUP_DIR = Path(os.environ.get("POC_BACKUP_DIR", VAR_DIR / "backups"))
POC_BACKUP_KEEP_DAILY = int(os.environ.get("POC_BACKUP_KEEP_DAILY", 7))
POC_BACKUP_KEEP_WEEKLY = int(os.environ.get("POC_BACKUP_KEEP_WEEKLY", 4))
POC_BACKUP_KEEP_MONTHLY = int(os.environ.get("POC_BACKUP_KEEP_MONTHLY", 12))
POC_BACKUP_MAX_AGE_DAYS = 2
# Personal data (PDPA): days page views and notifications are kept (0 = for ever); enforced nightly at 02:30
# by poc.tasks.apply_retention (also `manage.py apply_retention`).
POC_PAGEVIEW_RETENTION_DAYS = int(os.environ.get("POC_PAGEVIEW_RETENTION_DAYS", 365))
POC_NOTIFICATION_RETENTION_DAYS = int(os.environ.get("POC_NOTIFICATION_RETENTION_DAYS", 180))
# Document library and correspondence: largest accepted attachment.
POC_DOCUMENT_MAX_BYTES = int(os.environ.get("POC_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # PDF typesetting narrates every step and font at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

# GDAL 3.6 (Debian 12) cannot block file/network access in spatial references; we only ever open
# local files whose content passed our own checks (poc.geodata) with one allowed driver, and switch
# GDAL networking off process-wide (poc.gdal_safety), so the warning is noise.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
