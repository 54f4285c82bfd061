"""Settings, read from the environment with safe defaults for a local single-machine run.

Every variable is listed in .env.example.
"""

import secrets
from pathlib import Path

import dj_database_url

from uploads.config import env_bool, env_choice, env_int, env_list, env_required, env_str, guest_config

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PHOTOSHARE_DATA_DIR", str(BASE_DIR / "data"))).resolve()
PHOTOS_DIR = DATA_DIR / "photos"
# The one switch between the embedded backends (SQLite counters, photos on disk) and AWS
# (DynamoDB counters and event policies, photos in S3).
BACKEND = env_choice("PHOTOSHARE_BACKEND", "local", {"local", "aws"})
# The guest path's settings, read exactly as the guest Lambda reads them.
GUEST = guest_config(require_bucket=BACKEND == "aws")


def _local_secret_key() -> str:
    # A laptop run needs no configuration, yet sessions must survive restarts:
    # keep a generated key beside the data it protects.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if BACKEND == "aws":
    SECRET_KEY = env_required("DJANGO_SECRET_KEY", "when PHOTOSHARE_BACKEND=aws")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or _local_secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("PHOTOSHARE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
HTTPS = env_bool("PHOTOSHARE_HTTPS", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "events",
    "uploads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Five wrong passwords for one account from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env_int("PHOTOSHARE_LOGIN_ATTEMPTS", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

ROOT_URLCONF = "photoshare_site.urls"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "event-list"
LOGOUT_REDIRECT_URL = "login"
# Off for a private deployment where staff create organizer accounts in the admin.
SIGNUP_ENABLED = env_bool("PHOTOSHARE_SIGNUP_ENABLED", True)
# Password-reset mail: printed to the server's console unless an SMTP server is configured.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("PHOTOSHARE_EMAIL_HOST", "")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("PHOTOSHARE_EMAIL_HOST", "")
EMAIL_PORT = env_int("PHOTOSHARE_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("PHOTOSHARE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("PHOTOSHARE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PHOTOSHARE_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("PHOTOSHARE_FROM_EMAIL", "photoshare <noreply@localhost>")
WSGI_APPLICATION = "photoshare_site.wsgi.application"

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
                "events.context_processors.site",
            ],
        },
    },
]

SQLITE = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "photoshare.sqlite3",
        "OPTIONS": {
            # Several gunicorn workers write the same file: IMMEDIATE takes the write
            # lock at BEGIN (no lock-upgrade deadlocks), WAL lets readers run alongside.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
# DATABASE_URL (e.g. postgres://user:pass@host:5432/photoshare) replaces the local SQLite file; a
# Lambda's disk is wiped between cold starts, so the AWS dashboard must use it.
if env_str("DATABASE_URL", ""):
    DATABASES = {
        "default": dj_database_url.parse(env_str("DATABASE_URL", ""), conn_max_age=60, conn_health_checks=True)
    }
else:
    # SQLite creates its file but not the folder around it, and a fresh checkout has no data folder yet
    # (nor does a set DJANGO_SECRET_KEY leave one behind).
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = SQLITE

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("PHOTOSHARE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Behind a path prefix, e.g. API Gateway's stage on its default URL (/dashboard); empty on a domain root.
# Explicit, because WhiteNoise reads STATIC_URL once at start-up, before any request says its prefix.
FORCE_SCRIPT_NAME = env_str("PHOTOSHARE_SCRIPT_NAME", "").rstrip("/") or None
STATIC_URL = f"{FORCE_SCRIPT_NAME or ''}/static/"
# Build output (collectstatic), shipped inside the Lambda package on AWS.
STATIC_ROOT = BASE_DIR / "staticfiles"
DYNAMODB_TABLE = GUEST.table
# Presigned photo links live at most this long (AWS backend).
PRESIGNED_URL_SECONDS = env_int("PHOTOSHARE_PRESIGNED_URL_SECONDS", 600, minimum=1, maximum=900)
PHOTO_BUCKET = GUEST.photo_bucket
# The most an organizer may let one event store (photos, MB); staff may set more in the admin.
EVENT_MAX_PHOTOS = env_int("PHOTOSHARE_EVENT_MAX_PHOTOS", 10_000, minimum=1)
EVENT_MAX_MB = env_int("PHOTOSHARE_EVENT_MAX_MB", 20_480, minimum=1)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # Behind API Gateway or a TLS proxy: it tells us the original scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("PHOTOSHARE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("PHOTOSHARE_HSTS_PRELOAD", False)
    # Preloading commits the whole domain and its subdomains to HTTPS for good: the operator's
    # decision (PHOTOSHARE_HSTS_PRELOAD=1), not a default.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, which
# Django's CSRF check rightly refuses. The guest page, whose URL holds the upload key, sets no-referrer.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The public address guests reach, the base of guest URLs and QR codes. Unset, the address the local
# server serves on (read through events.public_url.public_base_url, never directly).
PUBLIC_BASE_URL = env_str("PHOTOSHARE_PUBLIC_URL", "").rstrip("/")
# Origins allowed to call the guest API from another site (e.g. the S3-hosted guest page).
GUEST_API_CORS_ORIGINS = GUEST.cors_origins
MAX_UPLOAD_BYTES = GUEST.max_upload_bytes
# Base64 inflates by 4/3; leave room for the JSON fields around the image.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES * 4 // 3 + 64 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("PHOTOSHARE_LOG_LEVEL", "INFO")},
}
