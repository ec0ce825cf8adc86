"""Issue 12 item 6: a public record dated after today would be public at once (the portal shows
what is in force), so every date of a listing, a publication or a penalty is a fact that has
already happened. One validator (`core.validators.not_in_future`) refuses it everywhere, with
the same message, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jianguan.core.models import AuditEvent
from jianguan.core.validators import not_in_future
from jianguan.credit import selectors
from jianguan.credit.models import AbnormalListing, SeriousListing
from jianguan.registry import models as registry
from jianguan.testing.models import Handling
from jianguan.testing.services import handling_record
from tests.conftest import DISTRICT_A, unit

pytestmark = pytest.mark.django_db


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def test_the_validator_accepts_today_and_refuses_tomorrow():
    today = timezone.localdate()
    not_in_future(today)
    not_in_future(None)
    with pytest.raises(ValidationError, match=f"列入日期不能晚于今天（{today:%Y-%m-%d}）"):
        not_in_future(tomorrow(), label="列入日期")


def test_future_abnormal_listing_is_refused_and_never_public(abnormal, make_entity):
    entity = make_entity()
    with pytest.raises(ValidationError) as refused:
        abnormal(entity=entity, trigger_date=timezone.localdate(), listed_on=tomorrow())
    assert "列入日期不能晚于今天" in refused.value.message_dict["listed_on"][0]
    assert not AbnormalListing.objects.exists()
    assert not AuditEvent.objects.filter(object_type="credit.abnormallisting").exists()
    assert selectors.public_listings(entity) == []


def test_future_abnormal_listing_through_the_form_shows_the_message(client, admin_a, make_entity):
    entity = make_entity()
    client.force_login(admin_a)
    response = client.post(
        reverse("credit:abnormal_create"),
        {
            "entity_uscc": entity.uscc,
            "reason": "annual_report",
            "trigger_date": timezone.localdate().isoformat(),
            "listed_on": tomorrow().isoformat(),
            "decided_by": unit(DISTRICT_A).pk,
            "decision_no": "黄市监异〔2026〕9号",
        },
    )
    assert response.status_code == 200
    assert "列入日期不能晚于今天" in response.content.decode()
    assert not AbnormalListing.objects.exists()


@pytest.mark.parametrize("field", ["listed_on", "published_on", "penalty_on"])
def test_future_dates_of_the_serious_violation_list_are_refused(serious, field):
    """总局令第44号 list: the listing, its publication and the penalty behind it."""
    today = timezone.localdate()
    dates = {"listed_on": today, "notice_on": today, "penalty_on": today}
    dates[field] = tomorrow()
    with pytest.raises(ValidationError) as refused:
        serious(**dates)
    assert "不能晚于今天" in refused.value.message_dict[field][0]
    assert not SeriousListing.objects.exists()


def test_a_future_penalty_on_a_testing_body_is_refused(admin_a, make_entity):
    """A public 依法处理 (penalty) of a testing body is a decision already taken."""
    entity = make_entity(domains=registry.DOMAINS.mask(["testing_body"]), industry_code="7452")
    registry.TestingBody.objects.create(
        entity=entity, fields=registry.TESTING_FIELDS.mask(["food_testing"])
    )
    with pytest.raises(ValidationError) as refused:
        handling_record(
            user=admin_a,
            entity=entity,
            data={"source": "check", "measure": "order", "decided_on": tomorrow(), "facts": "x"},
        )
    assert "决定日期不能晚于今天" in refused.value.message_dict["decided_on"][0]
    assert not Handling.objects.exists()
