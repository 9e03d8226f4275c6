"""Glue's settings: one file, every value from the environment (12-factor).

Nothing secret is committed. With DEBUG off, SECRET_KEY and FIELD_ENCRYPTION_KEYS must come
from the environment (Glue refuses to start without them); with DEBUG on, development values
are generated once into `var/` and reused.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GLUE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _dev_secret(filename: str, make: callable) -> str:
    """A development secret, written once under var/ (never committed) and reused."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")
# A server must not invent its own keys: a generated key lives next to the database it
# protects (one backup leaks both) and differs between hosts. Only DEBUG may.
_missing_keys = [
    name for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS") if not env_list(name) and not DEBUG
]
if _missing_keys:
    raise ImproperlyConfigured(
        f"Set {' and '.join(_missing_keys)} in the environment: with DEBUG off Glue does not "
        "start without them (see the README's Configuration section; `make demo` sets its "
        "own, DEBUG=true generates development values under var/)."
    )
SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
# Fernet keys for encrypted fields, newest first: encrypt with the first, decrypt with any,
# so a key is rotated by prepending a new one and running `manage.py rotate_encryption_keys`.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS") or [
    _dev_secret("field_encryption_key", lambda: Fernet.generate_key().decode())
]

PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(PUBLIC_URL)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [_public.hostname or "127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"]
# Hosts a connect flow may send the customer back to (no open redirect).
OAUTH_RETURN_URL_HOSTS = env_list("OAUTH_RETURN_URL_HOSTS") or [
    _public.hostname or "127.0.0.1",
    "localhost",
    "127.0.0.1",
]

INSTALLED_APPS = [
    "portal.apps.GlueAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "social_django",
    "django_q",
    "connectors",
    "syncs",
    "portal.apps.PortalConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.RequestBodyLimitMiddleware",  # 413, not a 500, for an oversized body
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'glue.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Syncs write while the portal reads: WAL and a busy timeout keep SQLite from
    # answering "database is locked" to a second process.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves the admin's and the API docs' assets with DEBUG off too; straight from
# the apps unless `collectstatic` has been run (then from STATIC_ROOT, compressed).
WHITENOISE_USE_FINDERS = True

# Behind TLS (an https PUBLIC_URL) the cookies are secure and browsers are told to stay on https.
if _public.scheme == "https":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Django-Q2: the ORM broker by default, Redis when REDIS_URL is set -----------------
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": os.environ.get("Q_CLUSTER_NAME", "glue"),
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": int(os.environ.get("Q_TIMEOUT", "3600")),
    "retry": int(os.environ.get("Q_TIMEOUT", "3600")) + 60,
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 1000,
    "ack_failures": True,
    "label": "Django Q2",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1

# --- social-auth: used only to talk OAuth to providers, never to log people in ----------
# Provider backends are not listed here: a connect flow runs its backend's pipeline itself
# (connectors.oauth), so no provider can ever authenticate a Django user.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# The provider modules Glue loads (each exports SPEC, a ProviderSpec): adding a provider is
# a package and a name here. Connect flows build their social-auth backends from the specs.
GLUE_PROVIDERS = env_list("GLUE_PROVIDERS", "connectors.salesloft.spec")
SOCIAL_AUTH_JSONFIELD_ENABLED = True
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_REDIRECT_IS_HTTPS = _public.scheme == "https"
# Connecting saves a Connection and redirects: no Django user, no UserSocialAuth row.
SOCIAL_AUTH_PIPELINE = ("connectors.pipeline.connection_save",)
SOCIAL_AUTH_RAISE_EXCEPTIONS = True

# --- Webhooks out -------------------------------------------------------------------------
# UNSAFE outside tests and demos: let webhook endpoints point at private, loopback or
# link-local addresses (otherwise refused, so a URL cannot reach Glue's own network).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS")

# --- Connectors: connect flow, rate budget, provider HTTP ---------------------------------
OAUTH_STATE_MAX_AGE = int(os.environ.get("OAUTH_STATE_MAX_AGE", "600"))  # seconds
# A connect session (POST /mgmt/v2/connect_sessions) must be opened within this many seconds.
CONNECT_SESSION_MAX_AGE = int(os.environ.get("CONNECT_SESSION_MAX_AGE", "1800"))
# UNSAFE: accept Supaglue's bare /oauth/connect?customerId=… URL (anyone who knows a customer
# id can then connect an account to it). Only for Supaglue clients that cannot change.
CONNECT_ALLOW_UNSIGNED = env_bool("CONNECT_ALLOW_UNSIGNED")
CONNECT_MAX_PENDING_UNSIGNED = int(os.environ.get("CONNECT_MAX_PENDING_UNSIGNED", "1000"))
# Host names a provider's authorize, token and API URLs may use besides the provider's own
# (over http or https, any port), e.g. the local sandbox: "127.0.0.1,localhost". Credentials
# are never sent to any other host.
PROVIDER_ALLOWED_HOSTS = [host.lower() for host in env_list("PROVIDER_ALLOWED_HOSTS")]
CONNECTOR_RATE_LIMIT_PER_MINUTE = int(os.environ.get("CONNECTOR_RATE_LIMIT_PER_MINUTE", "600"))
CONNECTOR_RATE_SYNC_RESERVE = float(os.environ.get("CONNECTOR_RATE_SYNC_RESERVE", "0.1"))
CONNECTOR_RATE_WINDOW_MARGIN = float(os.environ.get("CONNECTOR_RATE_WINDOW_MARGIN", "1.0"))
CONNECTOR_TOKEN_REFRESH_MARGIN = int(os.environ.get("CONNECTOR_TOKEN_REFRESH_MARGIN", "300"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Glue API",
    "DESCRIPTION": "Supaglue-compatible engagement, management and actions APIs.",
    "VERSION": "2.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "SequenceStepTypeEnum": "portal.api.serializers.records.STEP_TYPES",
        "ShareTypeEnum": "portal.api.serializers.records.SHARE_TYPES",
        "ProviderNameEnum": "portal.api.serializers.mgmt.PROVIDER_NAMES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
