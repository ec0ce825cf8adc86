"""The credit-list services on real dates: clocks, escalation, expiry, repair, who may remove,
scoping, and what the public sees (DOMAIN.md "Credit lists"; 总局令第44号)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from jianguan.core import audit
from jianguan.core.models import AuditEvent
from jianguan.credit import permissions, selectors, services
from jianguan.credit.filters import AbnormalFilters
from jianguan.credit.models import AbnormalListing, CreditRepair, SeriousListing
from tests.conftest import DISTRICT_A, DISTRICT_B, unit

pytestmark = pytest.mark.django_db
D = dt.date


def clocked(listing):
    return selectors.with_clocks([type(listing).objects.get(pk=listing.pk)], D(2025, 12, 1))[0]


# --- 经营异常名录 -------------------------------------------------------------------------------


def test_listing_is_audited_and_due_ten_working_days_after_the_trigger(abnormal):
    on_time = clocked(abnormal(trigger_date=D(2025, 9, 26), listed_on=D(2025, 10, 16)))
    assert on_time.listing_due == (D(2025, 10, 16), False)
    assert not on_time.listed_late
    late = clocked(
        abnormal(reason="unreachable", trigger_date=D(2025, 9, 26), listed_on=D(2025, 10, 17))
    )
    assert late.listed_late
    event = audit.history(late).get()
    assert event.action == "create" and "逾期列入" in event.note and "2025-10-16" in event.note


def test_the_same_reason_is_not_listed_twice(abnormal, make_entity):
    entity = make_entity()
    abnormal(entity=entity)
    with pytest.raises(ValidationError, match="不能重复列入"):
        abnormal(entity=entity)


def test_a_district_lists_only_its_own_entities(abnormal, admin_a, make_entity):
    other = make_entity(DISTRICT_B)
    with pytest.raises(ValidationError, match="管辖范围"):
        abnormal(entity=other, user=admin_a, decided_by=unit(DISTRICT_A))
    with pytest.raises(ValidationError):  # the city or the entity's own district decides
        abnormal(user=admin_a, decided_by=unit(DISTRICT_B))


def test_removal_due_five_working_days_after_the_cure(abnormal, admin_a):
    listing = abnormal(listed_on=D(2025, 7, 10))
    services.abnormal_cure(user=admin_a, listing=listing, cured_on=D(2025, 9, 30))
    row = clocked(listing)
    assert row.removal_due == (D(2025, 10, 14), False)
    assert row.removal_overdue  # not removed, and 2025-12-01 is past the due date
    services.abnormal_remove(
        user=admin_a,
        listing=listing,
        data={
            "removed_on": D(2025, 10, 15),
            "removal_reason": "cured",
            "removal_decision_no": "黄市监移〔2025〕3号",
        },
    )
    row = clocked(listing)
    assert row.status == AbnormalListing.Status.REMOVED and row.removal_overdue
    assert "逾期移出" in audit.history(listing).filter(action="update").first().note


def test_removal_for_a_cured_cause_needs_the_cure_date(abnormal, admin_a):
    listing = abnormal()
    with pytest.raises(ValidationError) as exc:
        services.abnormal_remove(
            user=admin_a,
            listing=listing,
            data={
                "removed_on": D(2025, 8, 1),
                "removal_reason": "cured",
                "removal_decision_no": "x",
            },
        )
    assert "cured_on" in exc.value.error_dict
    assert AbnormalListing.objects.get(pk=listing.pk).is_active


def test_objection_is_recorded_and_decided(abnormal, admin_a):
    listing = abnormal()
    objection = services.objection_create(
        user=admin_a, listing=listing, data={"filed_on": D(2025, 7, 20), "content": "已按时年报"}
    )
    services.objection_decide(
        user=admin_a,
        objection=objection,
        data={"outcome": "upheld", "decided_on": D(2025, 7, 25), "reply": "核实属实"},
    )
    objection.refresh_from_db()
    assert objection.outcome == "upheld"
    assert audit.history(objection).count() == 2


def test_escalation_reminder_and_three_year_escalation(abnormal, admin_a):
    listing = abnormal(trigger_date=D(2022, 10, 10), listed_on=D(2022, 10, 17))
    reminder = AbnormalFilters(clock="escalation")
    assert not selectors.abnormal_list(
        user=admin_a, filters=reminder, today=D(2025, 9, 16)
    ).exists()
    assert list(selectors.abnormal_list(user=admin_a, filters=reminder, today=D(2025, 9, 17))) == [
        listing
    ]
    with pytest.raises(ValidationError, match="未满3年.*2025-10-17"):
        services.abnormal_escalate(user=admin_a, listing=listing, today=D(2025, 10, 16))
    serious = services.abnormal_escalate(user=admin_a, listing=listing, today=D(2025, 10, 17))
    assert serious.status == SeriousListing.Status.PROPOSED
    assert serious.category == SeriousListing.Category.ABNORMAL_3Y
    assert serious.listed_by == unit(DISTRICT_A) and serious.entity == listing.entity
    listing.refresh_from_db()
    assert listing.escalated_to == serious
    assert audit.history(serious).filter(action="create").exists()
    assert audit.history(listing).filter(action="update").exists()
    # Escalated: no longer in the reminder, and not escalated twice.
    assert not selectors.abnormal_list(
        user=admin_a, filters=reminder, today=D(2025, 10, 17)
    ).exists()
    with pytest.raises(ValidationError):
        services.abnormal_escalate(user=admin_a, listing=listing, today=D(2025, 10, 18))


# --- 严重违法失信名单 ----------------------------------------------------------------------------


def test_listing_needs_the_notice_first(serious):
    with pytest.raises(ValidationError) as exc:
        serious(notice_on=None)
    assert "notice_on" in exc.value.error_dict


def test_proposed_then_listed(serious, admin_a):
    listing = serious(listed_on=None)
    assert listing.status == SeriousListing.Status.PROPOSED and listing.expires_on is None
    services.serious_update(
        user=admin_a,
        listing=listing,
        data={"listed_on": D(2025, 3, 1), "decision_no": "黄市监列严〔2025〕9号"},
    )
    listing.refresh_from_db()
    assert listing.status == SeriousListing.Status.LISTED
    assert listing.expires_on == D(2028, 3, 1)


def test_expiry_after_three_years_is_audited_and_idempotent(serious):
    listing = serious(listed_on=D(2022, 3, 1))
    assert listing.expires_on == D(2025, 3, 1)
    assert services.expire_serious(today=D(2025, 2, 28)) == []
    assert [x.pk for x in services.expire_serious(today=D(2025, 3, 1))] == [listing.pk]
    listing.refresh_from_db()
    assert listing.status == SeriousListing.Status.REMOVED
    assert listing.removed_on == D(2025, 3, 1) and listing.removal_reason == "expired"
    event = audit.history(listing).filter(action="update").get()
    assert event.actor is None and "满三年" in event.note
    assert services.expire_serious(today=D(2025, 3, 2)) == []
    assert audit.history(listing).count() == 2


def test_credit_expire_command(serious):
    serious(listed_on=D(2022, 3, 1))
    out = io.StringIO()
    call_command("credit_expire", "--date", "2025-03-01", stdout=out)
    assert "共移出 1 条" in out.getvalue()
    out = io.StringIO()
    call_command("credit_expire", "--date", "2025-03-01", stdout=out)
    assert "共移出 0 条" in out.getvalue()


def test_repair_refused_before_one_year(serious, admin_a):
    listing = serious(listed_on=D(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        services.repair_apply(
            user=admin_a,
            listing=listing,
            data={"applied_on": D(2026, 2, 28), "obligations_met": True},
        )
    message = exc.value.message_dict["applied_on"][0]
    assert "满一年" in message and "2025-03-01" in message and "2026-03-01" in message
    assert not CreditRepair.objects.exists()


def _apply(user, listing, **conditions):
    data = {"applied_on": D(2026, 3, 2), "evidence": "罚款缴纳凭证；整改报告"}
    data.update(conditions)
    return services.repair_apply(user=user, listing=listing, data=data)


ALL_MET = {"obligations_met": True, "harm_removed": True, "no_new_penalty": True}


def test_repair_granted_after_one_year_when_conditions_hold(serious, admin_a):
    listing = serious(listed_on=D(2025, 3, 1))
    repair = _apply(admin_a, listing, **ALL_MET)
    services.repair_decide(
        user=admin_a,
        repair=repair,
        data={**ALL_MET, "outcome": "granted", "decided_on": D(2026, 3, 20), "decision_note": ""},
    )
    listing.refresh_from_db()
    repair.refresh_from_db()
    assert repair.outcome == CreditRepair.Outcome.GRANTED
    assert listing.status == SeriousListing.Status.REMOVED
    assert listing.removal_reason == "repair" and listing.removed_on == D(2026, 3, 20)
    assert selectors.public_listings(listing.entity, today=D(2026, 3, 21)) == []


def test_repair_not_granted_when_a_condition_fails(serious, admin_a):
    listing = serious(listed_on=D(2025, 3, 1))
    repair = _apply(admin_a, listing, obligations_met=True, harm_removed=True)
    with pytest.raises(ValidationError, match="不符合提前移出条件.*较重行政处罚"):
        services.repair_decide(
            user=admin_a,
            repair=repair,
            data={"outcome": "granted", "decided_on": D(2026, 3, 20)},
        )
    services.repair_decide(
        user=admin_a,
        repair=repair,
        data={"outcome": "refused", "decided_on": D(2026, 3, 20), "decision_note": "又受处罚"},
    )
    listing.refresh_from_db()
    assert listing.status == SeriousListing.Status.LISTED


def test_only_the_listing_unit_or_the_city_removes(serious, city_admin, admin_a, make_user):
    by_city = serious(listed_by=unit("310000"))
    removal = {"removed_on": D(2025, 6, 1), "removal_reason": "revoked", "removal_note": "撤销"}
    with pytest.raises(PermissionDenied, match="谁列入、谁移出"):
        services.serious_remove(user=admin_a, listing=by_city, data=removal)
    services.serious_remove(user=city_admin, listing=by_city, data=removal)
    by_district = serious()
    assert permissions.may_decide(admin_a, by_district)
    services.serious_remove(user=admin_a, listing=by_district, data=removal)
    assert SeriousListing.objects.filter(status="removed").count() == 2


def test_another_district_cannot_touch_a_listing(serious, abnormal, admin_b):
    listing, other = serious(), abnormal()
    assert not selectors.serious_list(user=admin_b).exists()
    assert not selectors.abnormal_list(user=admin_b).exists()
    with pytest.raises(PermissionDenied):
        services.abnormal_cure(user=admin_b, listing=other, cured_on=D(2025, 8, 1))
    with pytest.raises(PermissionDenied):
        services.repair_apply(user=admin_b, listing=listing, data={"applied_on": D(2026, 3, 2)})


# --- the public view (item 7) -----------------------------------------------------------------


def test_public_listings_show_only_active_listings_and_public_fields(
    abnormal, serious, admin_a, make_entity
):
    entity = make_entity(name="上海公示测试餐饮有限公司")
    active = abnormal(entity=entity)
    removed = abnormal(entity=entity, reason="unreachable")
    services.abnormal_remove(
        user=admin_a,
        listing=removed,
        data={"removed_on": D(2025, 8, 1), "removal_reason": "error", "removal_decision_no": "x"},
    )
    serious(entity=entity)
    serious(entity=entity, listed_on=None, category="quality")  # proposed: not public
    rows = selectors.public_listings(entity, today=D(2025, 12, 1))
    assert sorted(r["list"] for r in rows) == ["abnormal", "serious"]
    abnormal_row = next(r for r in rows if r["list"] == "abnormal")
    assert abnormal_row["reason"] == active.get_reason_display()
    text = repr(rows)
    for secret in ("内部", "note", "violation", "removal", "actor", "notice"):
        assert secret not in text
    assert selectors.public_listings(entity.uscc.lower(), today=D(2025, 12, 1)) == rows
    assert len(selectors.public_listings("公示测试餐饮", today=D(2025, 12, 1))) == 2
    # Three years on, the serious listing leaves public view even before the expiry run.
    assert [r["list"] for r in selectors.public_listings(entity, today=D(2028, 3, 1))] == [
        "abnormal"
    ]


def test_every_change_is_an_audit_event(abnormal, serious, admin_a):
    before = AuditEvent.objects.count()
    listing = abnormal()
    services.abnormal_cure(user=admin_a, listing=listing, cured_on=D(2025, 8, 1))
    serious()
    assert AuditEvent.objects.count() == before + 3
    assert set(AuditEvent.objects.values_list("district__code", flat=True)) == {DISTRICT_A}
