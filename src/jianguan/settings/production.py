"""Production: PostgreSQL through DATABASE_URL, HTTPS in front, Redis cache where given.

`jianguan check --deploy` passes with these settings (tests/core/test_hardening.py runs it).

JIANGUAN_SECRET_KEY   required in practice: a long random string kept outside the checkout
JIANGUAN_PROXY_COUNT  trusted reverse proxies in front (default 1: one proxy terminates TLS and
                      sets X-Forwarded-Proto / X-Forwarded-For); 0 when gunicorn faces clients
JIANGUAN_SSL_REDIRECT "0" when the proxy itself redirects http to https (default "1": Django does)
JIANGUAN_CSRF_ORIGINS comma-separated https origins, only when the proxy rewrites the Host header
REDIS_URL             a shared cache for several servers (default: file cache under JIANGUAN_VAR)
"""

import os

from .base import *  # noqa: F403

DEBUG = False
JIANGUAN_PROXY_COUNT = int(os.environ.get("JIANGUAN_PROXY_COUNT", "1"))
if JIANGUAN_PROXY_COUNT > 0:
    # Only behind a proxy that sets this header itself (and drops a client's own): otherwise a
    # client could claim https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_SSL_REDIRECT = os.environ.get("JIANGUAN_SSL_REDIRECT", "1") == "1"
if not SECURE_SSL_REDIRECT:
    # The operator said the proxy redirects to https; the check cannot see the proxy.
    SILENCED_SYSTEM_CHECKS = ["security.W008"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
if origins := os.environ.get("JIANGUAN_CSRF_ORIGINS"):
    CSRF_TRUSTED_ORIGINS = [o.strip() for o in origins.split(",") if o.strip()]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        },
        # the portal's rate-limit counters, shared by every worker and server (atomic INCR)
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "rl",
        },
    }
