"""The legal clocks of the credit lists. Pure: dates in, dates out; no Django.

Working-day limits take the holiday `schedule` (workdays.core.Schedule) so that the caller
decides where the table comes from; year limits are calendar arithmetic (workdays.core.add_years).
"""

from __future__ import annotations

import datetime as dt

from jianguan.workdays.core import EMPTY, Deadline, Schedule, add_working_days, add_years

# 经营异常名录 (企业信息公示暂行条例; 市场监督管理企业经营异常名录管理办法)
LISTING_WORKING_DAYS = 10  # listed within 10 working days of the trigger
REMOVAL_WORKING_DAYS = 5  # removal decided within 5 working days after the cause is cured
ABNORMAL_YEARS = 3  # 3 years on the list, obligations still unmet → serious-violation list
ESCALATION_REMINDER_DAYS = 30  # remind this many days before the 3 years are up (configurable)

# 严重违法失信名单 (总局令第44号)
SERIOUS_YEARS = 3  # listed 3 years, then removed and no longer published
REPAIR_AFTER_YEARS = 1  # early removal (信用修复) may be applied for after at least 1 year
EXPIRY_REMINDER_DAYS = 30


def listing_due(trigger: dt.date, schedule: Schedule = EMPTY) -> Deadline:
    return add_working_days(trigger, LISTING_WORKING_DAYS, schedule)


def removal_due(cured: dt.date, schedule: Schedule = EMPTY) -> Deadline:
    return add_working_days(cured, REMOVAL_WORKING_DAYS, schedule)


def escalation_due(listed_on: dt.date) -> dt.date:
    """The day the listing has lasted 3 full years (its anniversary)."""
    return add_years(listed_on, ABNORMAL_YEARS)


def escalation_reminder(listed_on: dt.date) -> dt.date:
    return escalation_due(listed_on) - dt.timedelta(days=ESCALATION_REMINDER_DAYS)


def serious_expiry(listed_on: dt.date) -> dt.date:
    """总局令第44号: 列入之日起满三年的移出: the 3rd anniversary of the listing."""
    return add_years(listed_on, SERIOUS_YEARS)


def repair_eligible_on(listed_on: dt.date) -> dt.date:
    """总局令第44号: 列入满一年 before early removal may be applied for."""
    return add_years(listed_on, REPAIR_AFTER_YEARS)


def late(done: dt.date | None, due: Deadline, today: dt.date) -> bool:
    """Done after the due date, or not done and the due date has passed."""
    return (done or today) > due.date
