"""Who may publish, schedule and withdraw (asked by pages, the API and the services)."""

from __future__ import annotations

from jianguan.core.scoping import CHANGE, reaches

from .models import Publication


def may_publish(user, publication: Publication) -> bool:
    """A supervisor: an administrator of the task's district, or of the city."""
    return reaches(user, CHANGE, publication)
