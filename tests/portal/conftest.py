import pytest
from django.core.cache import caches

from .builders import build


@pytest.fixture
def portal_world(db):
    return build()


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """Each test starts with empty rate-limit counters."""
    from django.conf import settings

    caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")].clear()
    yield
