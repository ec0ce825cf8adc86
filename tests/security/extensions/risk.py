"""Access rules of the risk pages added for issue 5 items 2, 3 and 6: the key-area listing import
and its export in the import's columns, and the backtest page (proficiency tests moved to the testing app: extensions/testing.py).

Internal risk data: never an expert's (403). Key-area listings belong
to the entity's district, like the key-area listings already declared (risk:listing_create): the
district's administrator and the city add them; a station inspector, an expert and a read-only
user may not (403); the lists and exports are scoped like every other risk list (RISK_READ). The
backtest reads aggregates only and writes nothing of legal weight (a background job): every staff
member with risk read access may run it (RISK_READ; an empty POST is the form again, with errors).
"""

from __future__ import annotations

from tests.security.access_rules import RISK_READ, E, form, page

#                  anon   stat   own    other  city   expert read
DISTRICT_ADD = E("login  403    ok     ok     ok     403    403")

RULES = {
    "risk:listing_import": form(DISTRICT_ADD),
    "risk:listing_records": page(RISK_READ, fmt="csv"),
    "risk:backtest": form(RISK_READ),
}


def build(world) -> None:
    """No objects: none of these URLs names one."""
