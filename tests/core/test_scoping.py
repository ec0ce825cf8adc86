"""Jurisdiction: a district sees only its own rows, a station only its own, the city everything."""

import pytest

from jianguan.core.scoping import allowed
from jianguan.personnel.models import Expert, Expertise
from jianguan.registry.models import Entity
from tests.conftest import DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db


def test_district_sees_only_its_own_entities(make_entity, admin_a, admin_b, city_admin):
    a = make_entity(DISTRICT_A)
    b = make_entity(DISTRICT_B)
    assert list(Entity.objects.restrict(admin_a)) == [a]
    assert list(Entity.objects.restrict(admin_b)) == [b]
    assert set(Entity.objects.restrict(city_admin)) == {a, b}


def test_station_sees_only_its_station(make_entity, station_a):
    mine = make_entity(DISTRICT_A, f"{DISTRICT_A}-S01")
    make_entity(DISTRICT_A, f"{DISTRICT_A}-S02")
    make_entity(DISTRICT_A)
    assert list(Entity.objects.restrict(station_a)) == [mine]
    assert not Entity.objects.restrict(station_a, "change").exists()


def test_roles_without_write_rights_get_nothing_to_change(make_user, make_entity):
    make_entity(DISTRICT_A)
    reader = make_user("read_only", DISTRICT_A)
    expert = make_user("expert", DISTRICT_A)
    assert Entity.objects.restrict(reader).count() == 1
    assert not Entity.objects.restrict(reader, "change").exists()
    assert not Entity.objects.restrict(expert).exists()


def test_anonymous_and_inactive_see_nothing(make_entity, admin_a):
    from django.contrib.auth.models import AnonymousUser

    make_entity(DISTRICT_A)
    assert not Entity.objects.restrict(AnonymousUser()).exists()
    admin_a.is_active = False
    assert not Entity.objects.restrict(admin_a).exists()


def test_city_wide_expert_pool_read_by_all_written_by_city(admin_a, city_admin):
    Expert.objects.create(name="张伟", field=Expertise.objects.first(), employer="同济大学")
    assert Expert.objects.restrict(admin_a).count() == 1
    assert not Expert.objects.restrict(admin_a, "change").exists()
    assert Expert.objects.restrict(city_admin, "change").count() == 1
    assert not allowed(admin_a, "add", Expert) and allowed(city_admin, "add", Expert)


def test_role_never_reaches_wider_than_its_unit(make_user):
    # A read-only account follows its unit: on a station it sees that station alone.
    user = make_user("read_only", f"{DISTRICT_A}-S01")
    assert user.scope_level == "station"
