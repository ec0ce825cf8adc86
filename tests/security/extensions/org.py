"""Access declarations of the account pages: password change for every signed-in user; account
management for city and district administrators, scoped to the units they may change.

`managed_user` is a station inspector of 310101-S01: its district's administrator and the city
manage it; the other district's administrator finds no such account (404); callers who manage
no accounts at all are refused (403).
"""

from __future__ import annotations

from tests.security.access_rules import E, form

MANAGERS = E("login  403    ok     ok     ok     403    403")
MANAGED = E("login  403    ok     404    ok     403    403")

RULES = {
    "org:password_change": form(E("login  ok     ok     ok     ok     ok     ok")),
    "org:user_list": form(MANAGERS),
    "org:user_create": form(MANAGERS),
    "org:user_edit": form(MANAGED, obj="managed_user"),
    "org:user_password": form(MANAGED, obj="managed_user"),
}


def build(world) -> None:
    from jianguan.org.models import Unit, User

    world.objects["managed_user"] = User.objects.create_user(
        username="acc-managed",
        password="pw-for-tests-only",
        role="station_inspector",
        unit=Unit.objects.get(code="310101-S01"),
    )
