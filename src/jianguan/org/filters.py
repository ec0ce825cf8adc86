"""Options of the unit filters every list shares (core/filters.py): the caller's districts,
stations and units, as (id, name) pairs."""

from __future__ import annotations

from . import selectors


def district_options(user, filters=None) -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in selectors.district_list(user=user)]


def station_options(user, filters=None) -> list[tuple[int, str]]:
    """The stations of the chosen district; a city user chooses a district first (300 stations
    are no list), a district user sees its own."""
    district = getattr(filters, "district", None)
    if district is None and selectors.district_list(user=user).count() > 1:
        return []
    return [(u.pk, u.name) for u in selectors.station_list(user=user, district=district)]


def unit_options(user, filters=None) -> list[tuple[int, str]]:
    """Every unit in the jurisdiction, stations indented under their district."""
    return [
        (u.pk, f"\u3000{u.name}" if u.is_station else u.name)
        for u in selectors.unit_list(user=user)
    ]
