"""Form posts of the record page, as a phone would send them."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jianguan.inspections import selectors


def record_data(visit, checked_on: dt.date, action: str = "submit", **over) -> dict:
    """POST data of the record page: every item of the host's record with `over` applied
    (over keys are field names, applied to every item; use per-key dicts for one item)."""
    data = {"checked_on": checked_on.isoformat(), "action": action}
    for line in selectors.lines(visit):
        p = f"r{line.key}-"
        row = {
            "method": "onsite",
            "code": "01",
            "findings": "现场检查，未发现问题",
            "measure": "none",
            "rectify_by": "",
            "public": "on",
            "non_public_reason": "",
        }
        row.update(over)
        for k, v in row.items():
            if v is None:
                continue
            data[p + k] = v.isoformat() if isinstance(v, dt.date) else v
    return data


def visit_url(visit) -> str:
    return reverse("inspections:visit", args=[visit.pk])


def post_record(client, visit, checked_on, action="submit", **over):
    return client.post(visit_url(visit), record_data(visit, checked_on, action, **over))
