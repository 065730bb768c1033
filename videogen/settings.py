"""videogen settings: every deployment value comes from the environment.

See .env.example for the full list with defaults. Helpers in videogen.env raise
ImproperlyConfigured on values that make no sense, naming the variable.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

from videogen.env import env_bool, env_choice, env_float, env_int, env_json, env_list, env_rate, env_str
from videogen.secrets import secret_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless set: the debug page shows settings and the URL map to anyone.
DEBUG = env_bool("DEBUG", False)
# `make run` (and DEBUG on) keep generated secrets in an ignored local file; every other
# start must be given its secrets.
LOCAL_SECRETS = env_bool("LOCAL_SECRETS", DEBUG)
LOCAL_SECRETS_FILE = BASE_DIR / ".secrets.local.json"
SECRET_KEY = secret_from_env("SECRET_KEY", generate=LOCAL_SECRETS, local_file=LOCAL_SECRETS_FILE)
JWT_SECRET_KEY = secret_from_env("JWT_SECRET_KEY", generate=LOCAL_SECRETS, local_file=LOCAL_SECRETS_FILE)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here: the docs work offline
    "django_htmx",
    "django_rq",
    # Two-factor authentication: TOTP devices and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "videogen",
    "accounts",
    "projects",
    "jobs",
    "jobs.webhooks",
]

MIDDLEWARE = [
    "videogen.request_id.RequestIdMiddleware",
    "videogen.request_logging.RequestLogMiddleware",
    "videogen.request_guard.LengthRequiredMiddleware",
    "videogen.request_guard.MalformedInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "videogen.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "videogen.urls"
WSGI_APPLICATION = "videogen.wsgi.application"

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
                "accounts.context_processors.email_verification",
            ],
        },
    },
]


# --- Database -------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE transactions
    # and a busy timeout make concurrent writers queue instead of failing.
    _database["CONN_MAX_AGE"] = 0
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    _database["TEST"] = {"NAME": str(BASE_DIR / f"db-test-{env_str('PYTEST_XDIST_WORKER', 'main')}.sqlite3")}
else:
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Redis and queues --------------------------------------------------------------
# Unset, REDIS_URL points at the embedded Redis that `make run` starts on this port.
EMBEDDED_REDIS_PORT = env_int("EMBEDDED_REDIS_PORT", 6380, minimum=1, maximum=65535)
REDIS_URL = env_str("REDIS_URL") or f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, got {REDIS_URL!r}")
RQ_QUEUE_NAMES = ("cpu", "gpu", "default", "webhooks")
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600} for name in RQ_QUEUE_NAMES}
RQ_SHOW_ADMIN_LINK = True
RQ = {"COMMIT_MODE": "auto"}


# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.ThrottledModelBackend"]
PASSWORD_HASH_ROUNDS = env_int("PASSWORD_HASH_ROUNDS", 12, minimum=4, maximum=31)
PASSWORD_HASHERS = ["accounts.hashers.ConfiguredBCryptSHA256PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.PasswordLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/jobs"
LOGOUT_REDIRECT_URL = "/"
# The one credential-check limiter (accounts/throttle.py). Failures count per
# (account, client address) and, much higher, per client address: a stranger's guesses
# never lock the owner out. API keys and two-factor codes share these limits.
LOGIN_FAILURE_LIMIT_PER_EMAIL = env_int("LOGIN_FAILURE_LIMIT_PER_EMAIL", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_IP = env_int("LOGIN_FAILURE_LIMIT_PER_IP", 50, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)
# Wrong two-factor codes per account from all addresses together, within the same window.
TWO_FACTOR_FAILURE_LIMIT_PER_ACCOUNT = env_int("TWO_FACTOR_FAILURE_LIMIT_PER_ACCOUNT", 10, minimum=1)
REGISTER_LIMIT_PER_IP = env_int("REGISTER_LIMIT_PER_IP", 10, minimum=1)
REGISTER_WINDOW_SECONDS = env_int("REGISTER_WINDOW_SECONDS", 3600, minimum=1)
# Requests that send mail (password reset, verification resend), per account and per address.
MAIL_REQUEST_LIMIT_PER_ACCOUNT = env_int("MAIL_REQUEST_LIMIT_PER_ACCOUNT", 3, minimum=1)
MAIL_REQUEST_LIMIT_PER_IP = env_int("MAIL_REQUEST_LIMIT_PER_IP", 10, minimum=1)
MAIL_REQUEST_WINDOW_SECONDS = env_int("MAIL_REQUEST_WINDOW_SECONDS", 3600, minimum=1)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)

# --- Two-factor authentication (accounts/two_factor, django-otp) -----------------------------
# Staff without a confirmed authenticator are sent to set one up before the admin opens.
VIDEOGEN_REQUIRE_2FA_FOR_STAFF = env_bool("VIDEOGEN_REQUIRE_2FA_FOR_STAFF", False)
OTP_TOTP_ISSUER = "videogen"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Wrong codes are limited by the one login throttle (accounts/throttle.py), not by
# django-otp's own per-device back-off, which would also refuse the right code.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

JWT_ACCESS_TOKEN_EXPIRE_MINUTES = env_int("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", 30, minimum=1)
JWT_REFRESH_TOKEN_EXPIRE_DAYS = env_int("JWT_REFRESH_TOKEN_EXPIRE_DAYS", 7, minimum=1)
SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SECRET_KEY,
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=JWT_ACCESS_TOKEN_EXPIRE_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=JWT_REFRESH_TOKEN_EXPIRE_DAYS),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "TOKEN_TYPE_CLAIM": "token_type",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Before JWT: it takes only `Bearer vg_...` tokens and leaves the rest to JWT.
        "accounts.key_auth.ApiKeyAuthentication",
        "accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # One bucket per API key, per signed-in user otherwise, per address for anonymous calls.
    "DEFAULT_THROTTLE_CLASSES": ["videogen.api.throttling.PerKeyOrUserThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["videogen.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "videogen.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "videogen API",
    "DESCRIPTION": "Text-to-video jobs, projects and accounts. Errors are {error, details}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Requests per user (and per API key, each its own bucket), e.g. "600/minute"; empty: no limit.
# Counted in the default cache (per process unless CACHES points at a shared one).
API_THROTTLE_RATE = (env_str("API_THROTTLE_RATE", "") or "").strip() or None
if API_THROTTLE_RATE and not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(f"API_THROTTLE_RATE must look like 600/minute, got {API_THROTTLE_RATE!r}")

# Request bodies larger than this answer 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024, minimum=1024)


# --- Mail -------------------------------------------------------------------------------
# With EMAIL_HOST set, mail goes out over SMTP; unset (make run), each message is written
# as a file under EMAIL_FILE_PATH so no mail server is needed. Mail is sent by a worker
# job after commit, with retries (accounts/mail.py).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: STARTTLS (587) or implicit TLS (465)")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail")))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "videogen <noreply@localhost>")
# The address people reach the site at, for links in mails (empty: the address of the
# request that caused the mail).
SITE_URL = (env_str("SITE_URL", "") or "").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, got {SITE_URL!r}")
# Password-reset links expire after this many seconds (Django's token generator).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600, minimum=60)
# What an account whose email is not verified yet may do: "optional" (everything) or
# "required" (sign in, but create no jobs until verified).
EMAIL_VERIFICATION = env_choice("EMAIL_VERIFICATION", "optional", ("optional", "required"))
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8, minimum=1)


# --- Jobs ------------------------------------------------------------------------------
VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER = env_int("VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER", 20, minimum=1)
# Fair dispatch (jobs.dispatch): attempts running (or handed to a worker) at once per user,
# and how many jobs one user may create per period.
VIDEOGEN_MAX_RUNNING_PER_USER = env_int("VIDEOGEN_MAX_RUNNING_PER_USER", 2, minimum=1)
VIDEOGEN_JOB_CREATE_RATE = env_rate("VIDEOGEN_JOB_CREATE_RATE", "60/min")
VIDEOGEN_METADATA_MAX_BYTES = env_int("VIDEOGEN_METADATA_MAX_BYTES", 16 * 1024, minimum=2)
# How often a running attempt writes progress + heartbeat and checks for a cancel.
VIDEOGEN_HEARTBEAT_SECONDS = env_float("VIDEOGEN_HEARTBEAT_SECONDS", 0.5, minimum=0.05)
# How often a running attempt stores a preview frame (seconds; 0 turns previews off).
VIDEOGEN_PREVIEW_SECONDS = env_float("VIDEOGEN_PREVIEW_SECONDS", 2.0, minimum=0.0)
VIDEOGEN_STALE_AFTER_SECONDS = env_float("VIDEOGEN_STALE_AFTER_SECONDS", 60.0, minimum=1.0)
VIDEOGEN_ENQUEUE_GRACE_SECONDS = env_float("VIDEOGEN_ENQUEUE_GRACE_SECONDS", 5.0, minimum=0.0)
VIDEOGEN_RECONCILE_INTERVAL_SECONDS = env_float("VIDEOGEN_RECONCILE_INTERVAL_SECONDS", 30.0, minimum=0.1)
VIDEOGEN_RETRY_BASE_SECONDS = env_float("VIDEOGEN_RETRY_BASE_SECONDS", 5.0, minimum=0.0)
VIDEOGEN_RETRY_MAX_SECONDS = env_float("VIDEOGEN_RETRY_MAX_SECONDS", 300.0, minimum=0.0)
# Webhooks: http:// and private (loopback, LAN) destinations, for local development only.
VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE = env_bool("VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE", False)
# Seconds a receiver has to answer one delivery with a 2xx.
VIDEOGEN_WEBHOOK_TIMEOUT_SECONDS = env_float("VIDEOGEN_WEBHOOK_TIMEOUT_SECONDS", 10.0, minimum=0.1)
# The site's public address (https://videogen.example.com), for absolute links in webhook payloads.
VIDEOGEN_PUBLIC_URL = env_str("VIDEOGEN_PUBLIC_URL", "")
DIFFUSION_MODEL_DIR = env_str("DIFFUSION_MODEL_DIR", "")
DIFFUSION_DEVICE = env_str("DIFFUSION_DEVICE", "") or None

from jobs.catalog_defaults import default_models  # noqa: E402  (plain data, no Django imports)

VIDEOGEN_MODELS = default_models(model_dir=DIFFUSION_MODEL_DIR)
# Extra or overriding catalog entries as JSON: {"model-id": {"engine": ..., "queue": ..., ...}}.
VIDEOGEN_MODELS.update(env_json("VIDEOGEN_EXTRA_MODELS", {}))
VIDEOGEN_DEFAULT_MODEL = env_str("VIDEOGEN_DEFAULT_MODEL", "videogen-procedural-1")


# --- Storage and static ------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
_default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 900, minimum=1),
            "default_acl": None,
            "file_overwrite": True,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG


# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Container and load-balancer probes speak plain HTTP to the app's own port.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health(/|$)"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/api/.*$"
# Browser clients send a bearer token and may send Idempotency-Key / X-Request-ID.
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ["X-Request-ID"]


# --- i18n ------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
LOG_FORMAT = env_choice("LOG_FORMAT", "text", ("text", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "videogen.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "videogen.logging.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "videogen.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler (DEBUG only) would print its lines a second time,
        # unformatted; everything goes through the root handler instead.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"level": "WARNING"},
        "rq.worker": {"level": LOG_LEVEL},
    },
}
