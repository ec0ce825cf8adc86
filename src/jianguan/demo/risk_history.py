"""Demo check history (seed_risk_history): past check results drawn from a hidden propensity.

Every entity gets a hidden true propensity to violate, from plausible drivers — industry, age,
capital, domains, key tier, type, registration status — and from things the model never sees: a
per-station enforcement climate, a hidden "informal operator" trait, and a per-entity lognormal
factor. The propensity is never stored: only the check results drawn from it (CheckOutcome,
source "demo") are, for a random sample of entities over the past 3 years, so the backtest has
something real, and not circular, to find.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import connection, transaction

from jianguan.registry.models import DOMAINS, Entity
from jianguan.risk import features
from jianguan.risk.models import CheckOutcome

CHECKED_SHARE = 0.35  # entities checked at least once in the 3 years
YEARS = 3
MEAN_PROPENSITY = 0.15

# Log-hazard effects of the drivers (the model's own indicators weigh these differently).
SECTION_EFFECT = {"C": 0.35, "H": 0.45, "F": 0.15, "E": 0.3, "O": 0.2, "Q": 0.3, "B": 0.4}
DOMAIN_EFFECT = {
    "food": 0.35,
    "drug": 0.5,
    "medical_device": 0.35,
    "cosmetics": 0.3,
    "special_equipment": 0.45,
    "industrial_licence": 0.3,
    "online_trade": 0.25,
    "advertising": 0.2,
}


def propensity(rng: np.random.Generator, feats, station: np.ndarray) -> np.ndarray:
    """Hidden probability that a check finds a problem, per entity."""
    c = feats.columns
    n = len(feats)
    lin = np.zeros(n)
    section = c["industry_section"]
    for s, effect in SECTION_EFFECT.items():
        lin += np.where(section == s, effect, 0.0)
    age = np.nan_to_num(c["age_years"], nan=3.0)
    lin += np.where(age < 1, 0.6, np.where(age < 3, 0.35, np.where(age > 10, -0.25, 0.0)))
    capital = np.nan_to_num(c["capital_wan"], nan=50.0)
    lin += -0.12 * np.log10(np.maximum(capital, 0.1))
    dom = np.zeros(n)
    for code, effect in DOMAIN_EFFECT.items():
        hit = (c["domains"] & DOMAINS.by_code[code]) > 0
        dom = np.maximum(dom, np.where(hit, effect, 0.0))
    lin += dom
    lin += np.where(c["key_tier"] == "special", 0.2, np.where(c["key_tier"] == "general", 0.1, 0))
    lin += np.where(c["entity_type"] == "individual", 0.15, 0.0)
    lin += np.where(c["status"] == "revoked", 0.5, 0.0)
    # Drivers the model does not see.
    stations, where = np.unique(station, return_inverse=True)
    climate = rng.normal(0, 0.3, len(stations))[where]
    informal = rng.random(n) < np.where(c["entity_type"] == "individual", 0.25, 0.08)
    hidden = rng.lognormal(0, 0.7, n)
    hazard = np.exp(lin + climate + 0.8 * informal) * hidden
    hazard *= -np.log(1 - MEAN_PROPENSITY) / hazard.mean()
    return 1 - np.exp(-hazard)


def generate(seed: int, today: dt.date):
    """(entity ids, checked_on dates, problem_found) of the demo history."""
    rng = np.random.default_rng(seed)
    ids, feats = features.read(today)
    station = np.array(
        [s or 0 for s in Entity.objects.order_by("id").values_list("station_id", flat=True)],
        dtype=np.int64,
    )
    if len(station) != len(ids):  # the roster changed under us
        raise RuntimeError("名录库在生成过程中发生变化，请重试")
    p = propensity(rng, feats, station)
    checked = rng.random(len(ids)) < CHECKED_SHARE
    times = np.where(checked, 1 + rng.poisson(0.3, len(ids)), 0)
    rows = np.repeat(np.arange(len(ids)), times)
    days = rng.integers(1, YEARS * 365 + 1, len(rows))
    found = rng.random(len(rows)) < p[rows]
    dates = np.datetime64(today) - days.astype("timedelta64[D]")
    return ids[rows], dates, found


@transaction.atomic
def seed(seed: int = 1, today: dt.date | None = None) -> int:
    """Replace the demo check history; returns the number of check results written."""
    today = today or dt.date.today()
    CheckOutcome.objects.filter(source=CheckOutcome.Source.DEMO).delete()
    entity, dates, found = generate(seed, today)
    day_text = np.datetime_as_string(dates, unit="D").tolist()
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as c,
            c.cursor.copy(
                "COPY risk_checkoutcome (entity_id, checked_on, problem_found, source) FROM STDIN"
            ) as copy,
        ):
            copy.write(
                "".join(
                    f"{e}\t{d}\t{'t' if f else 'f'}\tdemo\n"
                    for e, d, f in zip(entity.tolist(), day_text, found.tolist(), strict=True)
                )
            )
    else:
        CheckOutcome.objects.bulk_create(
            (
                CheckOutcome(
                    entity_id=e,
                    checked_on=dt.date.fromisoformat(d),
                    problem_found=f,
                    source=CheckOutcome.Source.DEMO,
                )
                for e, d, f in zip(entity.tolist(), day_text, found.tolist(), strict=True)
            ),
            batch_size=5000,
        )
    return len(entity)
