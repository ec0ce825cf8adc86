"""Settings shared by every deployment. Everything that differs comes from the environment.

JIANGUAN_VAR       folder for the embedded database, secret key, uploads, cache (default: ./var of
                   the source checkout)
DATABASE_URL       sqlite:///path or postgres://... (default: SQLite file under JIANGUAN_VAR)
JIANGUAN_DEBUG     "1" turns DEBUG on (never in production)
JIANGUAN_HOSTS     comma-separated ALLOWED_HOSTS
JIANGUAN_TASKS     "immediate" runs background work inline; default is the database queue
JIANGUAN_PROXY_COUNT  number of trusted reverse proxies in front that append X-Forwarded-For
                   (default 0 here, 1 in production): the login throttle counts by client address
JIANGUAN_PORTAL_RATE  the public portal's rate limit per client address (default "60/m"; "off")
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_checkout = PACKAGE_DIR.parent.parent
VAR_DIR = Path(
    os.environ.get("JIANGUAN_VAR")
    or (
        _checkout / "var"
        if (_checkout / "pyproject.toml").exists()
        else Path.home() / ".local/share/jianguan"
    )
)
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Read the key from the environment or var/; generate it there on first run."""
    if key := os.environ.get("JIANGUAN_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("JIANGUAN_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("JIANGUAN_HOSTS", "127.0.0.1,localhost").split(",")

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
    "django_tasks",
    "django_tasks_db",
    "jianguan.core",
    "jianguan.org",
    "jianguan.registry",
    "jianguan.personnel",
    "jianguan.workdays",
    "jianguan.catalog",
    "jianguan.planning",
    "jianguan.sampling",
    "jianguan.credit",
    "jianguan.risk",
    "jianguan.inspections",
    "jianguan.publication",
    "jianguan.board",
    "jianguan.portal",
    "jianguan.testing",
    "jianguan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CsrfViewMiddleware, which reads the body: refuses an oversized one unread.
    "jianguan.core.middleware.BodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jianguan.core.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jianguan.urls"
WSGI_APPLICATION = "jianguan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jianguan.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jianguan.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets pages read while an import or a draw writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): 5 wrong passwords for one username from one address lock that
# pair for 15 minutes; a success resets the count. Counting the pair (not the address alone) keeps
# a whole office behind one NAT from being locked out by one user's typos, and (not the username
# alone) keeps an outsider from locking a colleague out. Operators unlock early with
# `jianguan axes_reset_username USER` or in django-admin. API tokens do not go through this.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jianguan.core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "jianguan.core.security.client_ip"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂时锁定，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已锁定，请联系系统管理员解锁。"
JIANGUAN_PROXY_COUNT = int(os.environ.get("JIANGUAN_PROXY_COUNT", "0"))

# Django's validators carry zh-hans messages; the length rule is core's copy of Django's, whose
# zh-hans message Django 5.2 lost ("密码长度太短。密码必须包含至少 10 个字符。").
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "jianguan.core.security.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even when it serves from the finders
# The embedded mode serves static files straight from the package (no collectstatic step).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads live outside the web root and are served only by views that check permission.
MEDIA_ROOT = VAR_DIR / "files"
MEDIA_URL = "/files/"  # never routed: files are served by permission-checking views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Request bodies are refused on their Content-Length before they are read
# (core.middleware.BodyLimitMiddleware): imports, evidence files, everything else. The reverse
# proxy must also limit (docs/deployment.md).
JIANGUAN_IMPORT_MAX_BYTES = 512 * 1024 * 1024
JIANGUAN_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
JIANGUAN_REQUEST_MAX_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache",
    },
    # The public portal's rate-limit counters (django-ratelimit needs an atomic increment, which
    # the file cache lacks). In memory, per process: with N gunicorn workers a client gets at most
    # N times the rate. Production with REDIS_URL shares the counters in Redis (production.py).
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"},
}
# The public portal (/public/, /api/public): requests per client address (core.security.client_ip)
# for pages and API together; "off" turns the limit off (the benchmarks do).
JIANGUAN_PORTAL_RATE = os.environ.get("JIANGUAN_PORTAL_RATE", "60/m")
RATELIMIT_USE_CACHE = "ratelimit"

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("JIANGUAN_TASKS") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
