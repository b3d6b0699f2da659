"""Django settings for Sanxiang.

Everything is read from the environment through typed helpers with defaults that run on one
machine with no setup: SQLite and local files under var/. See README.md for every variable.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url

from sanxiang.common.env import env_bool, env_int, env_list, env_str, secret_from_file
from sanxiang.common.varperm import secure_var_dir
from sanxiang.records.storage_url import storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SANXIANG_VAR_DIR", str(BASE_DIR / "var")))
# Before anything below creates a file there: var/ holds the database, keys, the secret key and
# evidence, so it is 0700, its files 0600, and the process umask keeps new files that way.
secure_var_dir(VAR_DIR)

SECRET_KEY = env_str("SECRET_KEY") or secret_from_file(VAR_DIR / "secret_key")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "rules.apps.AutodiscoverRulesConfig",
    "sanxiang.common",
    "sanxiang.accounts",
    "sanxiang.ledger",
    "sanxiang.registry",
    "sanxiang.guidance",
    "sanxiang.cases",
    "sanxiang.records",
    "sanxiang.documents",
    "sanxiang.draws",
    "sanxiang.inspections",
    "sanxiang.evaluation",
    "sanxiang.licensing",
    "sanxiang.reviews",
    "sanxiang.disclosure",
    "sanxiang.supervision",
    "sanxiang.dossier",
    "sanxiang.monitoring",
    "sanxiang.compulsion",
    "sanxiang.exchange",
    "huey.contrib.djhuey",
    "sanxiang.jobs",
    "sanxiang.backup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost of ours: headers on every answer (also the 413 below), every API error (also
    # Django's own 404/405/500 pages) in the one JSON format, and a body over its cap refused
    # before anything reads it.
    "sanxiang.common.middleware.SecurityHeadersMiddleware",
    "sanxiang.common.middleware.ApiErrorFormatMiddleware",
    "sanxiang.common.middleware.RequestSizeLimitMiddleware",
    "sanxiang.common.middleware.JsonDepthMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: OTP state on request.user, then the account guard (session limits,
    # 2FA enrolment/verification, forced password change), then axes turning lockouts into pages.
    "django_otp.middleware.OTPMiddleware",
    "sanxiang.accounts.middleware.AccountGuardMiddleware",
    # Records 403s and out-of-scope 404s of signed-in users in the audit trail (accounts.denials).
    "sanxiang.accounts.denials.PermissionDenialAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sanxiang.common.middleware.RateLimitMiddleware",
    "sanxiang.common.middleware.NulCharacterMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sanxiang.common.menu.staff_menu",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'sanxiang.sqlite3'}"
# Each web and worker thread keeps its connection (checked before reuse) instead of opening one per
# request: a new PostgreSQL connection forks a server process (~9 ms here), a new SQLite one reads
# the whole schema and starts with a cold page cache (~2 ms) — more than a portal page's SQL.
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 300), conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE makes every write transaction take SQLite's write lock up front, which is
    # what keeps the ledger sequence gapless under concurrent writers (see ledger.services).
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                         "PRAGMA wal_autocheckpoint=20000; PRAGMA cache_size=-65536;"),
    }
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True) if _db["NAME"] != ":memory:" else None
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# --- Accounts and security (身份鉴别, GB/T 22239-2019 8.1.4.1) --------------------------------
# Password policy: length, three of four character classes, not like the username, not a
# common password, not one of the last N; expiry in days (0 = never).
SANXIANG_PASSWORD_MIN_LENGTH = env_int("SANXIANG_PASSWORD_MIN_LENGTH", 10)
SANXIANG_PASSWORD_HISTORY = env_int("SANXIANG_PASSWORD_HISTORY", 5)
SANXIANG_PASSWORD_MAX_AGE_DAYS = env_int("SANXIANG_PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "sanxiang.accounts.validators.MinimumLengthValidator"},
    {"NAME": "sanxiang.accounts.validators.CharacterClassValidator"},
    {"NAME": "sanxiang.accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "sanxiang.accounts.validators.CommonPasswordValidator"},
    {"NAME": "sanxiang.accounts.validators.PasswordHistoryValidator"},
]
# Lockout (django-axes): N failures lock the account, and separately the address, for M minutes,
# in the staff login, the token API and /admin/.
SANXIANG_LOCKOUT_FAILURES = env_int("SANXIANG_LOCKOUT_FAILURES", 5)
SANXIANG_LOCKOUT_MINUTES = env_int("SANXIANG_LOCKOUT_MINUTES", 30)
AXES_FAILURE_LIMIT = SANXIANG_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(minutes=SANXIANG_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A refused attempt during a lockout does not restart the 30 minutes (the lock stays fixed).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sanxiang.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "sanxiang.ledger.audit.client_address"
AXES_VERBOSE = False
# Two-factor authentication (TOTP, django-otp) is required for these roles.
SANXIANG_OTP_REQUIRED_ROLES = env_list("SANXIANG_OTP_REQUIRED_ROLES", [
    "unit_head", "agency_head", "legal_reviewer", "supervisor", "admin", "security_admin", "audit_admin"])
SANXIANG_OTP_ISSUER = env_str("SANXIANG_OTP_ISSUER", "Sanxiang")
OTP_TOTP_ISSUER = SANXIANG_OTP_ISSUER
# Sessions: idle timeout and absolute limit (enforced by accounts.middleware).
SANXIANG_SESSION_IDLE_MINUTES = env_int("SANXIANG_SESSION_IDLE_MINUTES", 30)
SANXIANG_SESSION_ABSOLUTE_HOURS = env_int("SANXIANG_SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SANXIANG_SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# API tokens: stored as SHA-256 digests, valid this many hours.
SANXIANG_API_TOKEN_HOURS = env_int("SANXIANG_API_TOKEN_HOURS", 8)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:my_cases"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = []
_htmx_dist = BASE_DIR / "node_modules" / "htmx.org" / "dist"
if _htmx_dist.is_dir():
    STATICFILES_DIRS.append(("vendor/htmx", _htmx_dist))
# ECharts for the dashboards and the annual report: {% static "vendor/echarts/echarts.min.js" %}.
_echarts_dist = BASE_DIR / "node_modules" / "echarts" / "dist"
if _echarts_dist.is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", _echarts_dist))
# Evidence store, chosen by STORAGE_URL (see sanxiang/records/storage_url.py): unset → var/media/;
# file:///path → that directory; s3://bucket?endpoint_url=…&region=…&object_lock=1 → S3-compatible
# object storage through django-storages (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
STORAGES = {
    "default": storage_from_url(env_str("STORAGE_URL"), default_location=VAR_DIR / "media"),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(STORAGES["default"]["OPTIONS"]["location"]) if STORAGES["default"]["BACKEND"].endswith(
    "FileSystemStorage") else VAR_DIR / "media"
# Chunked uploads in progress. Empty: next to a local store (same filesystem, so finishing an upload
# is a rename), else var/uploads/. Unfinished uploads idle this long are removed by cleanup_uploads.
EVIDENCE_UPLOAD_DIR = env_str("EVIDENCE_UPLOAD_DIR")
EVIDENCE_UPLOAD_EXPIRY_HOURS = env_int("EVIDENCE_UPLOAD_EXPIRY_HOURS", 72)
WHITENOISE_USE_FINDERS = True
# Uploads larger than this go to a temporary file while being hashed, never into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Evidence larger than this is listed in an exported dossier by hash only.
DOSSIER_EMBED_MAX_BYTES = env_int("DOSSIER_EMBED_MAX_BYTES", 512 * 1024 * 1024)
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 8 * 1024 * 1024 * 1024)

# --- Ledger ---------------------------------------------------------------------------------
LEDGER_ORIGIN = env_str("LEDGER_ORIGIN", "sanxiang.example/ledger")
LEDGER_SIGNING_KEY = Path(env_str("LEDGER_SIGNING_KEY", str(VAR_DIR / "keys" / "ledger-ed25519.pem")))
LEDGER_PAGE_LIMIT = 1000
# Optional second signature on every checkpoint (国密 SM2 with SM3, GB/T 32918): path of the SM2
# private key (hex, generated there on first use while the ledger has no SM2-signed checkpoint).
LEDGER_SM2_KEY = Path(env_str("SANXIANG_SM2_KEY")) if env_str("SANXIANG_SM2_KEY") else None
# Every checkpoint is also appended (fsync) to var/checkpoints/checkpoints.jsonl, outside the
# database; verify_ledger checks the database log against it, so truncating the log is caught.
LEDGER_CHECKPOINT_DIR = Path(env_str("SANXIANG_CHECKPOINT_DIR", str(VAR_DIR / "checkpoints")))
# The checkpoint job runs every this many minutes, and after every LEDGER_CHECKPOINT_EVERY entries.
LEDGER_CHECKPOINT_INTERVAL_MINUTES = env_int("SANXIANG_CHECKPOINT_INTERVAL_MINUTES", 5)
LEDGER_CHECKPOINT_EVERY = env_int("SANXIANG_CHECKPOINT_EVERY", 500)
# External witnesses (C2SP tlog-witness) that cosign each checkpoint the job signs: a comma-separated
# list of "<URL> <witness vkey>" (README 见证者). The portal's verifier pins these keys.
LEDGER_WITNESSES = env_list("SANXIANG_WITNESSES", [])
LEDGER_WITNESS_TIMEOUT = env_int("SANXIANG_WITNESS_TIMEOUT", 10)

# --- Jobs -----------------------------------------------------------------------------------
# huey: an SQLite queue under var/ by default, Redis when REDIS_URL is set. `sanxiang worker`
# consumes it and runs the periodic tasks of sanxiang/jobs/tasks.py.
REDIS_URL = env_str("REDIS_URL")
HUEY = {
    "name": "sanxiang",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": env_bool("SANXIANG_JOBS_IMMEDIATE", False),
    "utc": True,
    **({"url": REDIS_URL} if REDIS_URL else {"filename": str(VAR_DIR / "jobs.sqlite3")}),
    "consumer": {"workers": env_int("SANXIANG_WORKER_THREADS", 2), "worker_type": "thread"},
}
# Nightly verification (verify_ledger, verify_evidence, upload clean-up) at this local hour.
JOBS_NIGHTLY_HOUR = env_int("SANXIANG_NIGHTLY_HOUR", 2)
# Data exchange push (sanxiang/exchange/push.py): tick interval, first retry delay (doubling), its cap.
EXCHANGE_PUSH_INTERVAL_MINUTES = env_int("SANXIANG_PUSH_INTERVAL_MINUTES", 5)
EXCHANGE_PUSH_BACKOFF_SECONDS = env_int("SANXIANG_PUSH_BACKOFF_SECONDS", 60)
EXCHANGE_PUSH_BACKOFF_MAX_SECONDS = env_int("SANXIANG_PUSH_BACKOFF_MAX_SECONDS", 6 * 3600)

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "sanxiang.accounts.tokens.HashedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sanxiang.common.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "sanxiang.common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Only views that name a throttle_scope are throttled (public searches); the rates are below.
    "DEFAULT_THROTTLE_CLASSES": ["sanxiang.common.throttling.ScopedRateLimit"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sanxiang 行政执法三项制度平台 API",
    "DESCRIPTION": "公示、全过程记录、重大执法决定法制审核。错误统一为 {\"error\": {\"code\", \"message\", \"field\"}}。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every operation documents the error answers it can give, in the one error schema.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sanxiang.common.openapi.add_error_responses",
    ],
}

AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out accounts and addresses before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Admin permissions follow the role (三权分立), never Django groups or per-user grants.
    "sanxiang.accounts.backends.RolePermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Security and limits --------------------------------------------------------------------
# Request bodies, capped by kind of endpoint before anything reads them (common.middleware).
# Bodies over the largest cap are refused by waitress itself from the Content-Length header.
MIB = 1 << 20
REQUEST_MAX_BYTES_JSON = env_int("REQUEST_MAX_BYTES_JSON", 1 * MIB)      # /api/, /accounts/, /transparency/
REQUEST_MAX_BYTES_FORM = env_int("REQUEST_MAX_BYTES_FORM", 2 * MIB)      # staff and admin form posts
REQUEST_MAX_BYTES_IMPORT = env_int("REQUEST_MAX_BYTES_IMPORT", 20 * MIB)  # Excel import (UI and API)
# One chunk of a resumable evidence upload (what the API tells clients to send), plus slack for
# headers of a multipart single-shot upload. Larger files go through the chunked API.
EVIDENCE_CHUNK_BYTES = env_int("EVIDENCE_CHUNK_BYTES", 32 * MIB)
REQUEST_MAX_BYTES_UPLOAD = EVIDENCE_CHUNK_BYTES + env_int("REQUEST_UPLOAD_SLACK_BYTES", 1 * MIB)
REQUEST_MAX_BYTES_LARGEST = max(REQUEST_MAX_BYTES_JSON, REQUEST_MAX_BYTES_FORM, REQUEST_MAX_BYTES_IMPORT,
                                REQUEST_MAX_BYTES_UPLOAD)
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 32)

# Rate limits (requests per period per client address): "N/second|minute|hour|day".
RATE_LIMITS = {
    # Logins: enough for a busy office behind one NAT address; guessing one account is stopped by
    # the per-account lockout, spraying many accounts by this.
    "login": env_str("RATE_LIMIT_LOGIN", "30/minute"),  # UI, admin and token-API logins
    "public_search": env_str("RATE_LIMIT_PUBLIC_SEARCH", "60/minute"),  # portal and public API searches
    # Progress lookups take a number and a secret query code: few tries per address, or codes get guessed.
    "progress_lookup": env_str("RATE_LIMIT_PROGRESS_LOOKUP", "20/minute"),
    "public_report": env_str("RATE_LIMIT_PUBLIC_REPORT", "10/hour"),  # 报告错误 and 信用修复 forms (portal)
    # Online licensing applications (no login; each stores files): a few per address and hour.
    "licensing_apply": env_str("RATE_LIMIT_LICENSING_APPLY", "20/hour"),
    "complaint_submit": env_str("RATE_LIMIT_COMPLAINT_SUBMIT", "5/minute"),  # 投诉举报 (portal and API)
}
# The cache counts rate-limit hits and keeps the portal's shared figures. `sanxiang serve` runs
# several processes, so without Redis it is one SQLite file they share (common.sqlite_cache), not
# per-process memory (which would give every address N times its budget); Redis across app servers.
REDIS_URL = env_str("REDIS_URL")
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL else
    {"BACKEND": "sanxiang.common.sqlite_cache.SqliteCache",
     "LOCATION": env_str("SANXIANG_CACHE_FILE", str(VAR_DIR / "cache.sqlite3"))}
)}

# Public portal pages for visitors who are not signed in, kept in the cache above until the next
# write to the ledger (sanxiang.common.pagecache); 0 switches it off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 60)

# Headers on every answer. The CSP allows no inline script (every script is a static file) and no
# inline style (htmx's indicator style is switched off in base.html's htmx-config).
CONTENT_SECURITY_POLICY = env_str("CONTENT_SECURITY_POLICY", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'self'",
    "form-action 'self'", "frame-ancestors 'none'",
]))
PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), magnetometer=(), "
                      "gyroscope=(), accelerometer=()")
# Pages and API answers that show case content, ID numbers or tokens are never cached.
NO_STORE_PREFIXES = ("/staff/", "/api/", "/accounts/", "/admin/")
NO_STORE_EXEMPT_PREFIXES = ("/api/public/",)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# HTTPS mode (SANXIANG_HTTPS=1), behind a reverse proxy that terminates TLS and sets
# X-Forwarded-Proto: redirect plain HTTP, HSTS for a year, cookies only over HTTPS.
HTTPS = env_bool("SANXIANG_HTTPS", False)
# Believe the one reverse proxy's X-Forwarded-For for the client address (rate limits, audit).
# On by default in HTTPS mode, which assumes that proxy; never when clients reach the app directly.
SANXIANG_TRUST_PROXY = env_bool("SANXIANG_TRUST_PROXY", HTTPS)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' preload list binds every subdomain for years; that is the
        # operator's decision (SECURE_HSTS_PRELOAD=1), not a default, so its reminder is silenced.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
