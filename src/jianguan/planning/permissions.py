"""Who may act on plans and tasks (the questions pages ask to show a button, and services ask
before a write). Levels and actions come from org.models.ROLE_SPECS through core.scoping."""

from __future__ import annotations

from jianguan.core.scoping import CHANGE, SYSTEM, city_wide, reaches

from .models import Plan, Task


def senior(user) -> bool:
    """The level that approves: a city administrator (or an operator)."""
    return city_wide(user) and (user is SYSTEM or user.can(CHANGE))


def can_file(user, plan: Plan) -> bool:
    """A plan is filed by its own unit (a user of that unit who may change it)."""
    if plan.status != Plan.Status.DRAFT:
        return False
    if user is None or user.is_superuser:
        return True
    return user.unit_id == plan.unit_id and reaches(user, CHANGE, plan)


def can_approve(user, plan: Plan) -> bool:
    """Approval is by the level above. A district plan goes to the city bureau; the city's own
    plan is approved by a city administrator too, as the system knows no provincial level, but
    never by the one who filed it (four eyes). The four-eyes rule binds operators (superusers)
    too: nobody approves or returns a plan they filed themselves."""
    if plan.status != Plan.Status.FILED:
        return False
    if user is None:
        return True
    if plan.filed_by_id == user.pk:
        return False
    return senior(user)


def can_edit(user, task: Task) -> bool:
    return (
        task.status == Task.Status.DRAFT
        and task.plan.status != Plan.Status.FILED
        and reaches(user, CHANGE, task)
    )
