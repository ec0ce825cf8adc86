"""credit.clocks on real dates (DOMAIN.md "Credit lists"; 总局令第44号)."""

from __future__ import annotations

import datetime as dt

from jianguan.credit import clocks

D = dt.date


def test_listing_due_ten_working_days_after_the_trigger_across_national_day():
    # 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are make-up workdays.
    assert clocks.listing_due(D(2025, 9, 26)) == (D(2025, 10, 16), False)


def test_listing_due_after_the_annual_report_deadline():
    # No annual report by 30 June: listed within 10 working days of 30 June.
    assert clocks.listing_due(D(2025, 6, 30)) == (D(2025, 7, 14), False)


def test_removal_due_five_working_days_after_the_cure():
    assert clocks.removal_due(D(2025, 9, 30)) == (D(2025, 10, 14), False)
    # Across New Year 2026 (01-01..01-03 off, Sunday 01-04 a workday).
    assert clocks.removal_due(D(2025, 12, 29)) == (D(2026, 1, 6), False)


def test_a_clock_reaching_an_unscheduled_year_is_provisional():
    assert clocks.listing_due(D(2026, 12, 24)).provisional


def test_escalation_after_three_years_with_a_reminder():
    assert clocks.escalation_due(D(2022, 10, 17)) == D(2025, 10, 17)
    assert clocks.ESCALATION_REMINDER_DAYS == 30
    assert clocks.escalation_reminder(D(2022, 10, 17)) == D(2025, 9, 17)


def test_serious_listing_expires_after_three_years():
    assert clocks.serious_expiry(D(2022, 3, 1)) == D(2025, 3, 1)
    assert clocks.serious_expiry(D(2024, 2, 29)) == D(2027, 2, 28)


def test_repair_may_be_applied_for_after_one_year():
    assert clocks.repair_eligible_on(D(2025, 3, 1)) == D(2026, 3, 1)


def test_late():
    due = clocks.listing_due(D(2025, 9, 26))
    assert not clocks.late(D(2025, 10, 16), due, D(2025, 12, 1))
    assert clocks.late(D(2025, 10, 17), due, D(2025, 12, 1))
    assert clocks.late(None, due, D(2025, 10, 17))
    assert not clocks.late(None, due, D(2025, 10, 16))
