"""Settings for the Kratom Legality Tracker, read from the environment.

Every variable is read here, at the top, with django-environ. With DEBUG on, missing values fall
back to the embedded defaults (a SQLite file and a Celery broker that needs no server). With DEBUG
off (production), a missing required value stops start-up with ImproperlyConfigured naming it.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


def strict_bool(name: str, *, default: bool) -> bool:
    """A boolean variable; any other word is a configuration error, not a silent False."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")
    return raw in _TRUE


# Local state of the embedded defaults: the SQLite file, the broker's folders, collected static.
VAR_DIR = Path(env.str("TRACKER_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
DEBUG = strict_bool("DEBUG", default=False)

# Values production must set explicitly; DEBUG mode has safe local defaults for each.
_PRODUCTION_REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL")
if not DEBUG:
    missing = [name for name in _PRODUCTION_REQUIRED if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            f"Set {', '.join(missing)} in the environment: required when DEBUG is off "
            "(set DEBUG=true for the local embedded defaults)."
        )

SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-secret")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "django_celery_beat",
    "django_celery_results",
    "axes",
    "csp",
    "legality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 400 for control characters and over-long input, before any other work is done.
    "tracker.middleware.RequestBoundsMiddleware",
    # Serves stored public answers before the session, auth and CSRF layers below.
    "legality.caching.StoredAnswerMiddleware",
    # PostgreSQL: every statement of a request (not a stored answer) within WEB_STATEMENT_TIMEOUT.
    "tracker.middleware.StatementTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: refuses a login locked out after repeated failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    # The public pages (see tracker/templating.py); first, so that "404.html" and "500.html" are
    # theirs.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "tracker.templating.environment",
            "keep_trailing_newline": True,
        },
    },
    # The admin, the libraries' templates and the plain-text emails.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The open review flags on the admin index; queries only where shown.
                "legality.admin.context_processors.review_queue",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The web server, the worker and beat share one SQLite file: WAL lets readers work while one
    # process writes, IMMEDIATE transactions take the write lock up front, and the timeout makes
    # a writer wait its turn instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
# Persistent connections on both databases: a request does not pay for connecting (on SQLite
# also re-reading the schema and starting with an empty page cache, a third of a cold lookup).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://tracker")}

# Web requests only (tracker.middleware): a statement running longer is cancelled and the request
# answers 503. Seconds; 0 turns it off. Workers, commands and migrations never have a limit.
WEB_STATEMENT_TIMEOUT = env.float("WEB_STATEMENT_TIMEOUT", default=5.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves from here; it exists even before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: staleness reports go to curators. Locally they are printed; production sets EMAIL_URL
# (e.g. smtp+tls://user:password@smtp.example.org:587).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. The default broker is kombu's filesystem transport, which needs no server; its folders
# must be absolute. Production sets CELERY_BROKER_URL=redis://...
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (inspect, ping) bindings; the default is a relative "control" folder.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task taken by a worker that then dies whole (SIGKILL, a lost machine) stays unacknowledged
    # until this many seconds have passed, then Redis hands it out again. It must exceed the
    # longest task (check_sources: 60 min), or a slow run would be delivered twice meanwhile.
    # A killed pool process is redelivered at once (CELERY_TASK_REJECT_ON_WORKER_LOST).
    _visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", default=65 * 60)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # Look for abandoned messages every tenth of the timeout (at most every 10 s).
        "unacked_restore_interval": max(1, min(10, _visibility_timeout // 10)),
        "unacked_restore_throttle": 1,
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="django-db")
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_ALWAYS_EAGER = strict_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# The source link checker. Off by default: an offline laptop would flag every source as
# unreachable. Production (and docker compose) sets SOURCE_CHECK_ENABLED=true.
SOURCE_CHECK_ENABLED = strict_bool("SOURCE_CHECK_ENABLED", default=False)
SOURCE_CHECK_USER_AGENT = env.str(
    "SOURCE_CHECK_USER_AGENT", default=f"KratomLegalityTracker/1.0 link checker (+{SITE_URL})"
)
SOURCE_CHECK_CONNECT_TIMEOUT = env.float("SOURCE_CHECK_CONNECT_TIMEOUT", default=10.0)
SOURCE_CHECK_READ_TIMEOUT = env.float("SOURCE_CHECK_READ_TIMEOUT", default=30.0)
SOURCE_CHECK_TOTAL_TIMEOUT = env.float("SOURCE_CHECK_TOTAL_TIMEOUT", default=60.0)
SOURCE_CHECK_MAX_BYTES = env.int("SOURCE_CHECK_MAX_BYTES", default=10 * 1024 * 1024)
SOURCE_CHECK_RETRIES = env.int("SOURCE_CHECK_RETRIES", default=2)
SOURCE_CHECK_BACKOFF = env.float("SOURCE_CHECK_BACKOFF", default=2.0)
SOURCE_CHECK_MAX_REDIRECTS = env.int("SOURCE_CHECK_MAX_REDIRECTS", default=5)
SOURCE_CHECK_CONCURRENCY = env.int("SOURCE_CHECK_CONCURRENCY", default=8)
SOURCE_CHECK_PER_HOST = env.int("SOURCE_CHECK_PER_HOST", default=2)
SOURCE_CHECK_FAILURES_BEFORE_FLAG = env.int("SOURCE_CHECK_FAILURES_BEFORE_FLAG", default=3)
# Non-public networks (CIDR) the checker may fetch anyway, e.g. an intranet; empty in production.
SOURCE_CHECK_ALLOW_PRIVATE_NETWORKS = env.list("SOURCE_CHECK_ALLOW_PRIVATE_NETWORKS", default=[])
for _network in SOURCE_CHECK_ALLOW_PRIVATE_NETWORKS:
    try:
        ipaddress.ip_network(_network)
    except ValueError as error:
        raise ImproperlyConfigured(f"SOURCE_CHECK_ALLOW_PRIVATE_NETWORKS: {error}") from None

# Proxies in front that append to X-Forwarded-For: the API throttle and the login lock find the
# client's address with it (0: REMOTE_ADDR, the address that connected).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# Bulk lookups (up to 1,000 items each) a client address may make, in DRF's "N/period" form.
BULK_LOOKUP_RATE = env.str("BULK_LOOKUP_RATE", default="60/min")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    # The public API is read-only and anonymous: no password (Basic auth was an unthrottled
    # oracle for curators' passwords), no session, so its docs show no Authorize button either.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Per client (by address; NUM_PROXIES says how many proxies append X-Forwarded-For): 429
    # with Retry-After past the rate. "bulk" is the scope of whole-dataset endpoints.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_RATE", default="120/minute"),
        "bulk": env.str("API_THROTTLE_RATE_BULK", default="10/hour"),
        # Bulk lookups (up to 1,000 items each), the scope the bulk endpoint names.
        "bulk_lookup": BULK_LOOKUP_RATE,
    },
    "NUM_PROXIES": NUM_PROXIES,
    # Every error answers {"detail": ..., "errors": {...}}, as the schema's Error says.
    "EXCEPTION_HANDLER": "legality.api.views.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Kratom Legality Tracker API",
    "DESCRIPTION": "Legal status of kratom and 7-OH by jurisdiction, with sources and dates. "
    "Not legal advice.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for each vocabulary of legality.activities, wherever a serializer uses it.
    "ENUM_NAME_OVERRIDES": {
        "ActivityEnum": "legality.activities.ACTIVITIES",
        "ActivityRuleEnum": "legality.activities.RULES",
        "ProductLimitKindEnum": "legality.activities.PRODUCT_LIMIT_KINDS",
    },
    # The schema does not describe its own endpoint: it is the contract of the data API.
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "legality.api.schema.document_common_errors",
    ],
}

# Public answers: how long browsers and proxies may keep them, how long the server keeps its own
# copy (0: off), and how often the dataset's last change is read from the database.
PUBLIC_MAX_AGE_SECONDS = env.int("PUBLIC_MAX_AGE_SECONDS", default=300)
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=300)
DATASET_VERSION_SECONDS = env.int("DATASET_VERSION_SECONDS", default=30)
# Rendered maps are kept under the dataset version, so a long life never shows old data.
MAP_CACHE_SECONDS = env.int("MAP_CACHE_SECONDS", default=24 * 3600)

LOGIN_URL = "admin:login"

# Failed logins (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused (429) for AXES_COOLOFF_MINUTES. Username and address together,
# so nobody can lock a curator out from elsewhere. A success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Alerts for a place: sign-ups allowed per client address (django-ratelimit's "N/period"; it
# counts in the default cache, which must be shared between web workers: Redis in production).
ALERT_SIGNUP_RATE_PER_IP = env.str("ALERT_SIGNUP_RATE_PER_IP", default="20/h")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# HTTPS, under Django's own names; on by default in production (DEBUG off), off locally. The
# proxy in front terminates TLS and says so in SECURE_PROXY_SSL_HEADER ("HEADER,value").
SECURE_SSL_REDIRECT = strict_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers and docker compose probe over HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = strict_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = strict_bool("SECURE_HSTS_PRELOAD", default=False)
_proxy_header = env.list("SECURE_PROXY_SSL_HEADER", default=["HTTP_X_FORWARDED_PROTO", "https"])
if len(_proxy_header) != 2:
    raise ImproperlyConfigured(
        "SECURE_PROXY_SSL_HEADER: write HEADER,value, e.g. HTTP_X_FORWARDED_PROTO,https"
    )
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header)
SESSION_COOKIE_SECURE = strict_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = strict_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SILENCED_SYSTEM_CHECKS = [
    # security.W005 (HSTS without includeSubDomains) and W021 (no preload): both commit every
    # subdomain, for years, to HTTPS; an operator turns them on knowingly
    # (SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD), never by default.
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]

# Content-Security-Policy (django-csp 4): only the site's own scripts, styles, images and fonts;
# no inline script anywhere (the API docs load their setup as a file: SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
