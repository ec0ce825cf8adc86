"""Rows of the testing app for other apps' tests (a PT record without going through a file)."""

from __future__ import annotations

import datetime as dt

from jianguan.registry.models import TestingBody
from jianguan.testing.models import Grade, PTResult, PTScheme


def pt_result(entity, day: dt.date, grade: str = Grade.MISSED, scheme: str = "食品检测能力验证"):
    """`entity` (made a testing body if needed) with a result of `grade` notified on `day`."""
    TestingBody.objects.get_or_create(entity=entity)
    s, _ = PTScheme.objects.get_or_create(
        number=f"T-{day.year}-{abs(hash(scheme)) % 1000:03d}",
        defaults={
            "name": scheme,
            "field": "food_testing",
            "items": "",
            "year": day.year,
            "provider": "测试提供者",
            "deadline": day,
        },
    )
    return PTResult.objects.create(scheme=s, entity=entity, grade=grade, reported_on=day)
