"""Who may act on credit listings (asked by pages to show a button and by services before a
write); levels come from org.models.ROLE_SPECS through core.scoping."""

from __future__ import annotations

from jianguan.core.scoping import city_wide

from .models import SeriousListing


def may_decide(user, listing: SeriousListing) -> bool:
    """总局令第44号 "谁处罚、谁列入、谁移出": only the listing unit, or the city, acts on it."""
    if user is None:
        return True  # the system (the expiry run)
    if city_wide(user):
        return True
    return user.unit_id == listing.listed_by_id
