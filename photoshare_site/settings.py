"""Settings, read from the environment with safe defaults for a local single-machine run.

Every variable is listed in .env.example.
"""

import secrets
from pathlib import Path

import dj_database_url

from photoshare_site.private_files import create_private_file, private_folder
from photoshare_site.proxies import trusted_networks
from uploads.config import env_bool, env_choice, env_int, env_list, env_required, env_str, guest_config

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PHOTOSHARE_DATA_DIR", str(BASE_DIR / "data"))).resolve()
PHOTOS_DIR = DATA_DIR / "photos"
# Uploads to the local disk stop (503 storage_full, nothing counted) rather than leave less free than
# this: the database, its journal and the server's logs live on the same disk.
PHOTOS_MIN_FREE_BYTES = env_int("PHOTOSHARE_MIN_FREE_BYTES", 1024**3)
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
        private_folder(DATA_DIR)
        create_private_file(path, secrets.token_urlsafe(50))
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
    # First: everything after it, django-axes and the guest rate limits included, sees the client's address.
    "photoshare_site.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The dashboard's language: the language menu's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "photoshare_site.headers.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# ModelBackend behind a throttle per account, whatever the addresses (events/login_throttle.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "events.auth_backend.ThrottledModelBackend"]
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
    private_folder(DATA_DIR)
    DATABASES = SQLITE

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12 characters: a phrase, not a word with digits (OWASP ASVS 2.1.1).
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages the guest page, the wall and the album speak (events.models.Language), and the dashboard's.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("pt", "Português"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
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
# The largest video any event may take (MB); each event sets its own below this (200 MB by default).
# At most 2047: the gallery's size column (events.Photo.size) is a 32-bit integer on PostgreSQL.
MAX_VIDEO_MB = env_int("PHOTOSHARE_MAX_VIDEO_MB", 1024, minimum=1, maximum=2047)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# The dashboard's language menu keeps its choice in a cookie no script needs to read.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
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
    "filters": {"redact_upload_keys": {"()": "photoshare_site.log_redaction.RedactUploadKeys"}},
    "formatters": {
        # Django's own runserver format, restated because the logger is redefined below.
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "loggers": {
        # runserver's access log: its request lines carry the guest page's ?key=.
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["redact_upload_keys"],
            "level": "INFO",
            "propagate": False,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("PHOTOSHARE_LOG_LEVEL", "INFO")},
}

# --- Security review (issue 10): private files, trusted proxies -----------------------------------------
# Uploaded files and thumbnails saved through a Django storage: this account's alone, as the originals.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# The reverse proxies in front of the server (addresses or CIDRs, e.g. 127.0.0.1 for nginx or Caddy on
# this machine): from them, X-Forwarded-For says who the client is (photoshare_site/proxies.py). Empty:
# the address the connection comes from, and X-Forwarded-For ignored.
TRUSTED_PROXIES = trusted_networks(env_list("PHOTOSHARE_TRUSTED_PROXIES", ""))
# The lock-out counts the address TrustedProxyMiddleware settled on, never a header of the client's.
AXES_CLIENT_IP_CALLABLE = "photoshare_site.proxies.request_address"
