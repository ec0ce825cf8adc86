"""Issue 12 item 8: every user changes their own password; city and district administrators
manage the accounts of their units — a district administrator only its district's, never granting
a role above its own; every change is an audit event and no password reaches the log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jianguan.core.models import AuditEvent
from jianguan.org import selectors, services
from jianguan.org.models import User
from tests.conftest import DISTRICT_A, DISTRICT_B, unit

PASSWORD = "pw-for-tests-only"  # tests/conftest.py make_user

pytestmark = pytest.mark.django_db
NEW = "Jianguan-New-Pass-2026"


def test_every_user_changes_their_own_password(client, make_user):
    user = make_user("read_only", DISTRICT_A)
    client.force_login(user)
    page = client.get(reverse("org:password_change"))
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    wrong = client.post(
        reverse("org:password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )
    assert "你的旧密码不正确" in wrong.content.decode()
    short = client.post(
        reverse("org:password_change"),
        {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )
    assert short.status_code == 200 and "10" in short.content.decode()
    done = client.post(
        reverse("org:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get(reverse("home")).status_code == 200  # still signed in
    event = AuditEvent.objects.get(object_type="org.user", object_id=str(user.pk))
    assert event.note == "修改本人密码" and NEW not in str(event.changes)


def test_district_admin_sees_and_manages_only_its_district(client, admin_a, make_user):
    mine = make_user("station_inspector", f"{DISTRICT_A}-S01")
    theirs = make_user("station_inspector", f"{DISTRICT_B}-S01")
    client.force_login(admin_a)
    listing = client.get(reverse("org:user_list")).content.decode()
    assert mine.username in listing and theirs.username not in listing
    # another district's account does not exist for it
    assert client.get(reverse("org:user_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("org:user_password", args=[theirs.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.user_update(actor=admin_a, target=theirs, data={"is_active": False})
    with pytest.raises(ValidationError, match="管辖范围"):
        services.user_create(
            actor=admin_a,
            data={"username": "xuhui-new", "unit": unit(DISTRICT_B), "role": "read_only"},
            password=NEW,
        )
    theirs.refresh_from_db()
    assert theirs.is_active and not User.objects.filter(username="xuhui-new").exists()


def test_no_role_above_ones_own(client, admin_a):
    assert "city_admin" not in selectors.grantable_roles(user=admin_a)
    client.force_login(admin_a)
    response = client.post(
        reverse("org:user_create"),
        {
            "username": "new-city",
            "unit": unit(DISTRICT_A).pk,
            "role": "city_admin",
            "is_active": "on",
            "password1": NEW,
        },
    )
    assert response.status_code == 200 and not User.objects.filter(username="new-city").exists()
    with pytest.raises(ValidationError, match="不能授予高于本人角色的权限"):
        services.user_create(
            actor=admin_a,
            data={"username": "new-city", "unit": unit(DISTRICT_A), "role": "city_admin"},
            password=NEW,
        )


def test_create_edit_and_reset_are_audited(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("org:user_create"),
        {
            "username": "huangpu-reader",
            "last_name": "王",
            "first_name": "芳",
            "unit": unit(f"{DISTRICT_A}-S01").pk,
            "role": "station_inspector",
            "is_active": "on",
            "password1": NEW,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="huangpu-reader")
    assert user.check_password(NEW) and user.get_full_name() == "王芳"
    response = client.post(
        reverse("org:user_edit", args=[user.pk]),
        {"username": user.username, "unit": user.unit_id, "role": "read_only"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.role == "read_only" and not user.is_active
    other = NEW + "-b"
    client.post(
        reverse("org:user_password", args=[user.pk]),
        {"new_password1": other, "new_password2": other},
    )
    user.refresh_from_db()
    assert user.check_password(other)
    events = AuditEvent.objects.filter(object_type="org.user", object_id=str(user.pk))
    assert [e.action for e in events.order_by("id")] == ["create", "update", "update"]
    assert events.filter(note="管理员重设密码").exists()
    assert all(NEW not in str(e.changes) and "password" not in e.changes for e in events)


def test_only_administrators_manage_accounts(client, station_a, make_user):
    for user in (station_a, make_user("read_only", DISTRICT_A), make_user("expert", "310000")):
        client.force_login(user)
        assert client.get(reverse("org:user_list")).status_code == 403
        assert client.get(reverse("org:user_create")).status_code == 403


def test_the_city_manages_every_district(client, city_admin, make_user):
    theirs = make_user("district_admin", DISTRICT_B)
    assert "city_admin" in selectors.grantable_roles(user=city_admin)
    services.user_update(actor=city_admin, target=theirs, data={"is_active": False})
    theirs.refresh_from_db()
    assert not theirs.is_active
