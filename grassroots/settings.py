"""Settings, read from the environment (see .env.example). SQLite is the embedded default."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("GRASSROOTS_VAR_DIR", PROJECT_DIR / "var"))
# The test suite runs in two processes (pytest-xdist, `dev.py test`): each gets its own var dir,
# so file caches (rate counters, lockouts), stored files and job files never cross between them.
if os.environ.get("PYTEST_XDIST_WORKER"):
    VAR_DIR = VAR_DIR / os.environ["PYTEST_XDIST_WORKER"]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- Deployment defaults (issue 20 §15): production unless development is asked for ----------
# DEBUG is off unless DEBUG=1; there is no built-in SECRET_KEY. Development opts in explicitly
# (dev.py start / dev.py test and pytest's grassroots.settings_dev set DEBUG=1); a development
# run without SECRET_KEY gets one generated once into VAR_DIR (mode 0600), never a shared constant.
DEBUG = env_bool("DEBUG", False)
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _development_secret(path: Path) -> str:
    if not path.exists():
        import secrets

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY must be set (production is the default; DEBUG=1 for development)"
        )
    SECRET_KEY = _development_secret(VAR_DIR / "development-secret-key")
# Behind a TLS-terminating proxy that overwrites it: "HTTP_X_FORWARDED_PROTO,https".
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _proxy_header, _comma, _proxy_value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    SECURE_PROXY_SSL_HEADER = (_proxy_header.strip(), _proxy_value.strip() or "https")
# The origins (scheme://host) allowed to POST, e.g. https://grassroots.example.vn.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The client address (lockout, audit): the header a trusted proxy appends to (e.g.
# HTTP_X_FORWARDED_FOR) and how many trusted proxies append to it; see accounts/lockout.py.
CLIENT_ADDRESS_HEADER = os.environ.get("CLIENT_ADDRESS_HEADER", "")
CLIENT_ADDRESS_PROXY_COUNT = env_int("CLIENT_ADDRESS_PROXY_COUNT", 1)
# How far ahead of today a date may lie (core/limits.py, issue 20 §13).
VALUE_FUTURE_DAYS = env_int("VALUE_FUTURE_DAYS", 366)
# A member event dated more than this many days after today is recorded only when the clerk
# confirms the date (issue 11 §4, issue 12 §7: an exemption typed as 2030 for 2020).
FUTURE_EVENT_CONFIRM_DAYS = env_int("FUTURE_EVENT_CONFIRM_DAYS", 31)
# --- end of deployment defaults -------------------------------------------------------------
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "grassroots.core",
    "grassroots.accounts",
    "grassroots.audit",
    "grassroots.organizations",
    "grassroots.members",
    "grassroots.territory",
    "grassroots.figures",
    "grassroots.assessments",
    "grassroots.development",
    "grassroots.directives",
    "grassroots.meetings",
    "grassroots.cadres",
    "grassroots.plans",
    "grassroots.inspection",
    "grassroots.excel",
    "grassroots.reports",
    "grassroots.scale",
    "grassroots.demo",
    "grassroots.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "grassroots.core.nostore.NoStoreMiddleware",  # issue 20 §20: nothing personal is cached
    "django.contrib.sessions.middleware.SessionMiddleware",
    "grassroots.core.middleware.SessionTouchMiddleware",  # idle deadline pushed once a minute
    "grassroots.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "grassroots.accounts.two_factor.TwoFactorMiddleware",
    "grassroots.accounts.member_gate.MemberGateMiddleware",  # member accounts: own pages only
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "grassroots.urls"
CSRF_FAILURE_VIEW = "grassroots.web.errors.csrf_failure"  # Vietnamese, with a way back
WSGI_APPLICATION = "grassroots.wsgi.application"

# A commission's own wording of the report summary (reports/review_summary.txt), searched first.
REPORT_TEMPLATES_DIR = os.environ.get("GRASSROOTS_REPORT_TEMPLATES", "")
# A commission's own coded lists for the member statistics (grassroots/members/categories.py).
MEMBER_CATEGORIES_FILE = os.environ.get("GRASSROOTS_MEMBER_CATEGORIES", "")
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPORT_TEMPLATES_DIR] if REPORT_TEMPLATES_DIR else [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'grassroots.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer (an import, the demo build) runs.
    DATABASES["default"]["OPTIONS"] = {
        # cache_size: 32 MB of pages per connection (default 2 MB): the statistics' grouped
        # scan of a province (160,000 stints joined to their members) 0,86 → 0,62 s of CPU
        # (issue 18, docs/performance.md); pages are only held once read.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
# The lockout backend refuses logins while an account or an address is locked (accounts/lockout.py).
AUTHENTICATION_BACKENDS = ["grassroots.accounts.backends.LockoutBackend"]
LOGIN_LOCKOUT_ACCOUNT_FAILURES = env_int("LOGIN_LOCKOUT_ACCOUNT_FAILURES", 5)
LOGIN_LOCKOUT_ADDRESS_FAILURES = env_int("LOGIN_LOCKOUT_ADDRESS_FAILURES", 20)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)

# Uploaded files (docs/security.md "Limits on uploaded files"): checked before the file is read.
# Files attached to registered Party documents (directives): PDF, DOCX, scans (issue 17).
DIRECTIVES_MAX_FILE_BYTES = env_int("DIRECTIVES_MAX_FILE_BYTES", 20 * 1024 * 1024)
# A requirement added to (or a document with requirements voided under) a document whose chain
# can bind more organizations than this is recomputed by the worker, the tracker saying so
# meanwhile (issue 17, docs/directives.md "Stored duties"): ~0.2 ms of CPU an organization, so
# 5,000 keeps the request near a second; a national resolution (~346,000) takes about a minute.
DIRECTIVES_CASCADE_SYNC_UNITS = env_int("DIRECTIVES_CASCADE_SYNC_UNITS", 5000)
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_INFLATED_BYTES = env_int("IMPORT_MAX_INFLATED_BYTES", 500 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 200)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 500_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 10_000_000)
IMPORT_MAX_CELL_BYTES = env_int("IMPORT_MAX_CELL_BYTES", 128 * 1024)
# The sheets of the import workbook: each module declares its sheets and the Part that checks
# and writes them (docs/import.md "Adding a sheet"). The order is the workbook's and the
# import's: a part may use the parts above it.
EXCEL_SHEETS = [
    "grassroots.organizations.sheets",
    "grassroots.members.sheets",
    "grassroots.territory.sheets",
    "grassroots.development.sheets",
    "grassroots.cadres.sheets",
    "grassroots.meetings.sheets",
    "grassroots.inspection.sheets",
    "grassroots.directives.sheets",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["grassroots.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# Idle expiry: activity pushes the deadline, at most once a minute (core.middleware.
# SessionTouchMiddleware), not a session write per request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Strict CSP (django-csp 4): every script, style, image and font comes from the app itself;
# no inline <script>, no style= attributes, no CDN.
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
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}


# --- Platform (issue 19): application server, static files, task worker, request logs ---------
# Kept in one block so that other settings work does not collide with it.
INSTALLED_APPS += [
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "grassroots.ops",
    "grassroots.api",
]
# WhiteNoise serves the collected static files (hashed names cached for years as immutable,
# gzip/brotli) right after SecurityMiddleware; the request log wraps the whole request.
MIDDLEWARE.insert(0, "grassroots.ops.middleware.RequestLogMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # `grassroots serve` runs collectstatic first; the manifest maps names to hashed names.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The task queue lives in the database (django-tasks-db): no extra service for the embedded setup.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# REST API v1 (grassroots/api, docs/api.md): personal tokens only, problem details, per-token limit.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["grassroots.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["grassroots.api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "grassroots.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "grassroots.api.problems.problem_details",
    "UNAUTHENTICATED_USER": None,
}
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Grassroots API",
    "DESCRIPTION": "Tổ chức đảng, đảng viên và số liệu theo thời gian (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",  # served by the app itself: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Shared by the server's processes (API rate counters, who just wrote): a file cache in VAR_DIR.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "shared"),
    },
}
# Read replicas: comma-separated URLs of streaming standbys of the primary (grassroots/ops/router.py).
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    DATABASES[f"replica{_number}"] = dj_database_url.parse(
        _url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
    )
    DATABASES[f"replica{_number}"]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["grassroots.ops.router.ReplicaRouter"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "grassroots.ops.router.ReplicaMiddleware",
)
# After a user's own write, their reads stay on the primary this long (covers replication lag).
READ_YOUR_WRITES_SECONDS = env_int("READ_YOUR_WRITES_SECONDS", 30)
# psycopg's connection pool (Django 5.1+), on by default for PostgreSQL: per server process,
# DB_POOL_MAX connections at most (cores + 1 processes x 4 threads need 4 each). DB_POOL=false
# turns it off (then DB_CONN_MAX_AGE may keep connections instead; the two exclude each other).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
        _database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("DB_POOL_MAX", 8),
            "timeout": 10,
        }
# PostgreSQL's JIT off for the app's connections: the planner's cost estimate of a page's
# statement with correlated subqueries (the development board's open cases: ~1.3 M) passes
# jit_above_cost, and compiling it took 3.0 of 3.2 s, the execution 0.2 s (EXPLAIN ANALYZE on
# the demo, docs/performance.md "Session 8"). Short statements never gain from JIT.
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A worker whose heartbeat is older than this is taken for dead (its jobs are marked failed).
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 120)
# /healthz answers plain HTTP on the loopback for probes behind a TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
LOGGING["formatters"] = {"plain": {"format": "%(message)s"}}
LOGGING["handlers"]["requests"] = {"class": "logging.StreamHandler", "formatter": "plain"}
LOGGING["loggers"] = {
    "grassroots.request": {
        "handlers": ["requests"],
        "level": os.environ.get("REQUEST_LOG_LEVEL", "INFO"),
        "propagate": False,
    },
    "grassroots.worker": {"handlers": ["console"], "level": "INFO", "propagate": False},
    "django_tasks_db": {"handlers": ["console"], "level": "INFO", "propagate": False},
}

Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing folder
