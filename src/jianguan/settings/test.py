"""Test settings: same as base, background work inline, fast hashing."""

from .base import *  # noqa: F403
from .base import DATABASES

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"},
}
# The portal's rate limit is off for the suite (the access matrix alone sends hundreds of portal
# requests from one address); tests/portal/test_ratelimit.py turns it on with override_settings.
JIANGUAN_PORTAL_RATE = "off"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in memory
# Login throttling is off for the suite: tests log in with force_login (no backend involved), and
# some call authenticate() without a request, which django-axes refuses. The throttle's own tests
# (tests/core/test_hardening.py) turn it back on with override_settings(AXES_ENABLED=True).
AXES_ENABLED = False
