"""Who may act in testing-body supervision beyond the row actions (asked by pages and services);
levels and actions come from org.models.ROLE_SPECS through core.scoping."""

from __future__ import annotations

from jianguan.core.scoping import ADD, VIEW, allowed, city_wide, reaches
from jianguan.inspections.selectors import inspector_of

from .models import MonitoringTarget, MonitoringVisit


def is_city(user) -> bool:
    """The city's decisions (revocations, the city's monitoring summaries); user None: the
    command line."""
    return user is None or city_wide(user)


def may_monitor(user, target: MonitoringTarget) -> bool:
    """基层所队负责日常风险监测 (seed 001 §二(一)3): the target's station records its visits; the
    district's and the city's administrators may as well."""
    if not reaches(user, VIEW, target):
        return False
    if allowed(user, ADD, MonitoringVisit):
        return True
    inspector = inspector_of(user)
    return inspector is not None and inspector.unit_id == target.station_id
