"""One settings file, driven by the environment (healthchecks.io style).

Defaults give a safe local set-up on SQLite; production sets SANDAN_ENV=production,
SANDAN_SECRET_KEY, SANDAN_ALLOWED_HOSTS and DATABASE_URL (PostgreSQL).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets typed generics such as ModelForm[Complex] work at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; a value that is neither (a typo such as `ture`) stops the start.

    Silently reading an unknown word as False would, for example, turn secure cookies off.
    """
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of "
        f"{', '.join(TRUE_WORDS)} or {', '.join(FALSE_WORDS)} (any case)"
    )


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SANDAN_ENV = os.environ.get("SANDAN_ENV", "development")
PRODUCTION = SANDAN_ENV == "production"
DEBUG = env_bool("SANDAN_DEBUG", default=False)

_DEV_SECRET = "sandan-development-only-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SANDAN_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SANDAN_SECRET_KEY must be set when SANDAN_ENV=production")

ALLOWED_HOSTS = env_list(
    "SANDAN_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = env_list("SANDAN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "sandan.core",
    "sandan.accounts",
    "sandan.registry",
    "sandan.program",
    "sandan.councils",
    "sandan.support",
    # Below support in the layers (support's approval commits grants), but listed after it
    # so that its scope-world rows can use support's projects (core/tests/world.py).
    "sandan.finance",
    "sandan.outreach",
    "sandan.analytics",
    "sandan.api",
    "sandan.demo",  # demo data: above every domain app
    "django.forms",  # its widget templates, after ours (FORM_RENDERER below)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sandan.accounts.context_processors.navigation",
                "sandan.program.context_processors.time_context",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'sandan.sqlite3'}"),
        conn_max_age=int(os.environ.get("SANDAN_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the benchmark's readers run beside a writer; a busy timeout instead of
    # "database is locked" errors under concurrent requests. A 32 MB page cache and reads
    # through a memory map keep a list's COUNT(*) from re-reading its index from the OS on
    # every request (SQLite's default cache is 2 MB; the national registry is ~140 MB).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA cache_size=-32768; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

# Form widgets render through TEMPLATES, so that sandan/core/templates can replace a widget
# template (select.html is written without per-option includes: see that file).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "analytics:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: after 5 failed attempts for a username from one address, lock for 15 min.
AXES_FAILURE_LIMIT = int(os.environ.get("SANDAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("한국어")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sandan" / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("SANDAN_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
SANDAN_IMPORT_MAX_BYTES = int(os.environ.get("SANDAN_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))

# Security: secure cookies and HSTS on by default; only a plain-HTTP local demo turns
# cookies' Secure flag off (SANDAN_SECURE_COOKIES=0), which `make demo` does and says so.
SECURE_COOKIES = env_bool("SANDAN_SECURE_COOKIES", default=True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SANDAN_SSL_REDIRECT", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = int(os.environ.get("SANDAN_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION

# Content-Security-Policy: everything is vendored, so only 'self'. The API docs page
# (Swagger UI from django-ninja's own static files) needs inline style only.
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

EMAIL_BACKEND = os.environ.get(
    "SANDAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SANDAN_FROM_EMAIL", "sandan@localhost")
# Where users reach this site: links in e-mails (e.g. the one-time survey) are built on it.
SANDAN_SITE_URL = os.environ.get(
    "SANDAN_SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")
if PRODUCTION and not SANDAN_SITE_URL.startswith("https://"):
    raise RuntimeError("SANDAN_SITE_URL (https://…) must be set when SANDAN_ENV=production")

# The date the world of this site is "as of" (ADR 0017): every business "today" and "now"
# (sandan.core.clock) reads it, and the header states it. Empty: the real date. The demo's
# world is 2010, so `make demo` sets it to the demo's date.
SANDAN_AS_OF = os.environ.get("SANDAN_AS_OF", "")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SANDAN_LOG_LEVEL", "WARNING")},
}

# Page sizes for lists (pages and API).
SANDAN_PAGE_SIZE = 50
SANDAN_API_MAX_LIMIT = 500
# Planner runs and other long jobs: a worker thread by default, inline in tests.
SANDAN_RUN_JOBS_INLINE = env_bool("SANDAN_RUN_JOBS_INLINE", default=False)
# Models a request uses (triage, expert matching) are refitted off-request and swapped in
# when ready (sandan.core.background); 0 refits inline, as the tests do to read fresh models.
SANDAN_REFIT_IN_BACKGROUND = env_bool("SANDAN_REFIT_IN_BACKGROUND", default=True)
NINJA_PAGINATION_PER_PAGE = SANDAN_PAGE_SIZE
NINJA_PAGINATION_MAX_LIMIT = SANDAN_API_MAX_LIMIT
