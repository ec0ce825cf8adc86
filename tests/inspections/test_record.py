"""Recording an inspection (检查实施): who may record and confirm, what a result must contain.

Rules (issue 4 §2; DOMAIN.md "Double random, one public"): only members of the assigned team
record ("谁检查、谁录入"); a second member confirms and the record is then final; a result code
with sub-kinds needs its sub-kind; 责令限期改正 needs a rectification deadline after the check
date; a non-public result needs its legal reason; the method is one the item allows; a visit that
cannot be carried out is recorded with a reason and a result code for all its items; every
record and confirmation is an audit event.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jianguan.core.models import AuditEvent
from jianguan.inspections import services
from jianguan.inspections.models import FollowUp, Inspection, Result
from jianguan.inspections.services import Entry

from .helpers import post_record, record_data, visit_url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CHECKED = TODAY - dt.timedelta(days=1)


def events(action_like: str = "") -> int:
    return AuditEvent.objects.filter(object_type__startswith="inspections.").count()


def test_member_records_and_submits(client, world):
    """A team member records every item; the record waits for a second member (待确认)."""
    client.force_login(world["first"])
    response = post_record(client, world["visit"], CHECKED)
    assert response.status_code == 302
    inspection = Inspection.objects.get(visit=world["visit"])
    assert inspection.status == Inspection.Status.RECORDED
    assert inspection.recorded_by.user == world["first"]
    assert inspection.checked_on == CHECKED
    result = Result.objects.get(inspection=inspection)
    assert (result.code.code, result.method, result.task) == ("01", "onsite", world["task"])
    assert AuditEvent.objects.filter(object_type="inspections.inspection").count() == 1


@pytest.mark.parametrize("who", ["outsider", "admin_a", "city_admin"])
def test_only_team_members_record(client, world, who, request):
    """谁检查、谁录入 (issue 4 §2): an inspector of the same station who is not on the team, the
    district's administrator and the city's are refused (403) and nothing is written."""
    user = world["outsider"] if who == "outsider" else request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(visit_url(world["visit"]))
    assert page.status_code == 200  # they may see it (jurisdiction) …
    assert b'id="record-form"' not in page.content  # … but get no form
    assert "只能查看" in page.content.decode()
    before = AuditEvent.objects.count()
    response = post_record(client, world["visit"], CHECKED)
    assert response.status_code == 403
    for name in ("inspections:evidence_upload", "inspections:confirm", "inspections:impossible"):
        assert client.post(reverse(name, args=[world["visit"].pk])).status_code == 403
    assert not Inspection.objects.exists() and not Result.objects.exists()
    assert AuditEvent.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.record(
            user=user,
            visit=world["visit"],
            checked_on=CHECKED,
            entries=[Entry(world["visit"].pk, world["task"].items.get().pk, "onsite", "01")],
            submit=True,
        )
    assert not Inspection.objects.exists()


def test_other_district_does_not_see_the_visit(client, world, admin_b):
    """Outside the caller's jurisdiction and not on the team: 404, never 403."""
    client.force_login(admin_b)
    assert client.get(visit_url(world["visit"])).status_code == 404
    assert post_record(client, world["visit"], CHECKED).status_code == 404


def test_second_member_confirms_and_record_is_final(client, world):
    """A second member, not the recorder, confirms (issue 4 §2); then nothing can change."""
    client.force_login(world["first"])
    post_record(client, world["visit"], CHECKED)
    page = client.get(visit_url(world["visit"])).content.decode()
    assert "等待另一名检查人员确认" in page and 'id="confirm-button"' not in page
    response = client.post(reverse("inspections:confirm", args=[world["visit"].pk]), follow=True)
    assert "录入人不能确认自己录入的结果" in response.content.decode()
    assert Inspection.objects.get().status == Inspection.Status.RECORDED

    client.force_login(world["second"])
    assert 'id="confirm-button"' in client.get(visit_url(world["visit"])).content.decode()
    response = client.post(reverse("inspections:confirm", args=[world["visit"].pk]))
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.status == Inspection.Status.CONFIRMED
    assert inspection.confirmed_by.user == world["second"]
    assert AuditEvent.objects.filter(object_id=str(inspection.pk), note="确认").exists()

    # Final: the form is gone, a post changes nothing, the service refuses.
    page = client.get(visit_url(world["visit"])).content.decode()
    assert 'id="record-form"' not in page and "已确认，不能再修改" in page
    post_record(client, world["visit"], CHECKED, findings="事后改动")
    assert Result.objects.get().findings == "现场检查，未发现问题"
    with pytest.raises(ValidationError):
        services.record(
            user=world["first"],
            visit=world["visit"],
            checked_on=CHECKED,
            entries=[Entry(world["visit"].pk, world["task"].items.get().pk, "onsite", "01")],
            submit=True,
        )


def test_a_member_who_edits_after_submission_becomes_the_recorder(client, world):
    """Whoever saved last recorded it: the second member who changes the entries cannot then
    confirm them; the first member can."""
    client.force_login(world["first"])
    post_record(client, world["visit"], CHECKED)
    client.force_login(world["second"])
    post_record(client, world["visit"], CHECKED, findings="补充：查看了进货台账")
    client.post(reverse("inspections:confirm", args=[world["visit"].pk]))
    assert Inspection.objects.get().status == Inspection.Status.RECORDED
    client.force_login(world["first"])
    client.post(reverse("inspections:confirm", args=[world["visit"].pk]))
    assert Inspection.objects.get().status == Inspection.Status.CONFIRMED


def test_parent_code_needs_its_sub_kind(client, world):
    """发现问题待后续处理 has sub-kinds (DOMAIN.md result codes): choosing it alone is refused."""
    client.force_login(world["first"])
    response = post_record(client, world["visit"], CHECKED, code="02")
    assert response.status_code == 200
    assert "须选择细分类型" in response.content.decode()
    assert not Inspection.objects.exists()
    response = post_record(client, world["visit"], CHECKED, code="0201", measure="transfer")
    assert response.status_code == 302
    assert Result.objects.get().code.code == "0201"


def test_parent_code_refused_by_the_service(world):
    """The rule holds below the page too (API or any other caller)."""
    item = world["task"].items.get()
    with pytest.raises(ValidationError) as exc:
        services.record(
            user=world["first"],
            visit=world["visit"],
            checked_on=CHECKED,
            entries=[Entry(world["visit"].pk, item.pk, "onsite", "02")],
            submit=True,
        )
    assert "须选择细分类型" in str(exc.value)
    assert not Inspection.objects.exists()


def test_rectification_deadline_required_and_after_check_date(client, world):
    """责令限期改正 needs a deadline (issue 4 §2), later than the check date."""
    client.force_login(world["first"])
    response = post_record(client, world["visit"], CHECKED, code="03", measure="rectify")
    assert "责令限期改正须填写整改期限" in response.content.decode()
    response = post_record(
        client, world["visit"], CHECKED, code="03", measure="rectify", rectify_by=CHECKED
    )
    assert "整改期限须晚于检查日期" in response.content.decode()
    assert not Inspection.objects.exists()
    # what was typed is kept
    assert 'value="03" selected' in response.content.decode()
    due = CHECKED + dt.timedelta(days=15)
    response = post_record(
        client, world["visit"], CHECKED, code="03", measure="rectify", rectify_by=due
    )
    assert response.status_code == 302
    assert Result.objects.get().rectify_by == due


def test_non_public_needs_reason_and_method_must_be_allowed(client, world):
    """依法不予公示 needs its reason; the method is one of the item's (catalog.CheckItem.methods)."""
    client.force_login(world["first"])
    response = post_record(client, world["visit"], CHECKED, public=None)
    assert "不予公示须填写理由" in response.content.decode()
    response = post_record(client, world["visit"], CHECKED, method="online")
    assert response.status_code == 200
    assert not Inspection.objects.exists()
    response = post_record(
        client, world["visit"], CHECKED, public=None, non_public_reason="涉及商业秘密"
    )
    assert response.status_code == 302
    assert Result.objects.get().public is False


def test_check_date_required_and_not_in_future(client, world):
    client.force_login(world["first"])
    data = record_data(world["visit"], CHECKED)
    data["checked_on"] = ""
    assert "请填写检查日期" in client.post(visit_url(world["visit"]), data).content.decode()
    data["checked_on"] = (TODAY + dt.timedelta(days=1)).isoformat()
    assert "不能晚于今天" in client.post(visit_url(world["visit"]), data).content.decode()
    assert not Inspection.objects.exists()


def test_draft_then_submit(client, world):
    """暂存 keeps a draft (录入中); an empty draft is refused with a message."""
    client.force_login(world["first"])
    data = record_data(world["visit"], CHECKED, action="save", code="", findings="")
    response = client.post(visit_url(world["visit"]), data)
    assert "请至少录入一个事项的检查结果" in response.content.decode()
    assert not Inspection.objects.exists()
    post_record(client, world["visit"], CHECKED, action="save")
    assert Inspection.objects.get().status == Inspection.Status.DRAFT
    post_record(client, world["visit"], CHECKED)
    assert Inspection.objects.get().status == Inspection.Status.RECORDED


def test_impossible_visit(client, world):
    """A visit that cannot be carried out is recorded with its reason; 通过登记的住所（经营场所）
    无法联系 is itself the result of every item, confirmed by a second member, and (a problem
    found) handed on for follow-up."""
    client.force_login(world["first"])
    url = reverse("inspections:impossible", args=[world["visit"].pk])
    response = client.post(url, {"checked_on": CHECKED.isoformat(), "code": "0203", "reason": ""})
    assert "请填写无法实施检查的原因" in response.content.decode()
    response = client.post(url, {"checked_on": CHECKED.isoformat(), "code": "02", "reason": "x"})
    assert "须选择细分类型" in response.content.decode()
    assert not Inspection.objects.exists()
    reason = "两次上门，登记住所已无人办公，电话无法接通"
    response = client.post(
        url, {"checked_on": CHECKED.isoformat(), "code": "0203", "reason": reason}
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.impossible and inspection.impossible_reason == reason
    assert inspection.status == Inspection.Status.RECORDED
    assert [r.code.code for r in inspection.results.all()] == ["0203"]
    client.force_login(world["second"])
    client.post(reverse("inspections:confirm", args=[world["visit"].pk]))
    follow_up = FollowUp.objects.get()
    assert follow_up.result.code.code == "0203"


def test_my_visits_lists_the_members_visits(client, world):
    """我的检查 shows the member's visits with status, window and address; not the outsider's."""
    client.force_login(world["first"])
    html = client.get(reverse("inspections:my_visits")).content.decode()
    assert world["entity"].name in html and "上海市黄浦区测试路1号" in html
    assert "未录入" in html and "2026-05-20" in html and "2026-06-30" in html
    assert visit_url(world["visit"]) in html
    client.force_login(world["outsider"])
    html = client.get(reverse("inspections:my_visits")).content.decode()
    assert world["entity"].name not in html and "目前没有分配给您的检查" in html


def test_inspection_list_filters_and_exports(client, world, admin_a, admin_b):
    """检查记录 list: scoped, status filter (未录入 / 已确认), csv and xlsx export."""
    client.force_login(world["first"])
    post_record(client, world["visit"], CHECKED)
    client.force_login(admin_a)
    url = reverse("inspections:inspection_list")
    assert world["entity"].name in client.get(url).content.decode()
    assert world["entity"].name in client.get(url, {"status": "recorded"}).content.decode()
    assert world["entity"].name not in client.get(url, {"status": "none"}).content.decode()
    response = client.get(reverse("inspections:inspection_export"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert world["entity"].uscc in body and "待确认" in body
    response = client.get(reverse("inspections:inspection_export"), {"format": "xlsx"})
    assert response.status_code == 200
    client.force_login(admin_b)
    assert world["entity"].name not in client.get(url).content.decode()


def test_entity_file_shows_results_to_staff(client, world, admin_a):
    """Results attach to the entity's file (归集到市场主体名下)."""
    client.force_login(world["first"])
    post_record(client, world["visit"], CHECKED, findings="x")
    client.force_login(admin_a)
    html = client.get(reverse("registry:entity_detail", args=[world["entity"].pk])).content.decode()
    assert "检查结果" in html and "01 未发现问题" in html


def test_home_counts_the_inspectors_visits_until_confirmed(client, world):
    """The work waiting on a team member (我的检查) is on the home page until a second member
    confirms the record (issue 4 §2: the inspector sees their checks)."""

    def waiting(user) -> int:
        client.force_login(user)
        return client.get(reverse("home")).context["todo"]["open_visits"]

    assert waiting(world["first"]) == 1 and waiting(world["outsider"]) == 0
    client.force_login(world["first"])
    post_record(client, world["visit"], CHECKED)
    assert waiting(world["first"]) == 1  # recorded, not yet confirmed
    client.force_login(world["second"])
    client.post(reverse("inspections:confirm", args=[world["visit"].pk]))
    assert waiting(world["first"]) == 0 and waiting(world["second"]) == 0
