"""Reading every entity's features (scoring.FEATURES) out of the database into numpy arrays.

On PostgreSQL: one COPY of fixed-width lines (as sampling.freeze), parsed by numpy without a
Python loop over rows. On SQLite: values_list. Both give the same arrays, ordered by entity id.

Features "as of" a date: age counts to that day; check findings count the 3 years up to it
(never after it, so a backtest can score with what was known before its evaluation window).
The list memberships are the current ones (their history is in credit's records).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import connection

from jianguan.credit.models import AbnormalListing, SeriousListing
from jianguan.registry.models import Entity, Industry

from .models import CheckOutcome
from .scoring import Features

TYPES = ("enterprise", "individual", "cooperative", "other")
STATUSES = ("active", "revoked", "cancelled", "moved_out")
TIERS = ("", "special", "general")
FINDINGS_YEARS = 3
NO_AGE = 999_999
NO_CAPITAL = 10**15 - 1


def findings_since(as_of: dt.date) -> dt.date:
    try:
        return as_of.replace(year=as_of.year - FINDINGS_YEARS)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - FINDINGS_YEARS, day=28)


def _section_table() -> np.ndarray:
    """Division number (0-99) → section letter ('' unknown)."""
    table = np.full(100, "", dtype="U1")
    for code, section in Industry.objects.filter(level="division").values_list("code", "section"):
        if code.isdigit():
            table[int(code)] = section
    return table


def read(as_of: dt.date, entity_ids=None) -> tuple[np.ndarray, Features]:
    """(entity ids, features) for every entity (or the given ids), ordered by id."""
    ids, feats, _current = read_with_current(as_of, entity_ids)
    return ids, feats


def read_with_current(as_of: dt.date, entity_ids=None) -> tuple[np.ndarray, Features, np.ndarray]:
    """read() and each entity's current Entity.risk_class as a code: 0 none, 1-4 for A-D (a run
    writes only the classes that change, so it must know them; read in the same pass)."""
    if connection.vendor == "postgresql" and entity_ids is None:
        ids, raw = _copy(as_of)
    else:
        ids, raw = _values(as_of, entity_ids)
    return ids, _features(raw), raw["current"]


def _features(raw: dict[str, np.ndarray]) -> Features:
    age = raw["age_days"].astype(np.float64)
    age = np.where(raw["age_days"] == NO_AGE, np.nan, age / 365.25)
    capital = np.where(
        raw["capital_cents"] == NO_CAPITAL, np.nan, raw["capital_cents"].astype(np.float64) / 100
    )
    division = raw["division"]
    section = _section_table()[np.clip(division, 0, 99)]
    section[division < 0] = ""
    n = len(age)
    return Features(
        {
            "age_years": age,
            "entity_type": np.array(TYPES)[raw["type"]],
            "capital_wan": capital,
            "industry_section": section,
            "domains": raw["domains"].astype(np.int64),
            "key_tier": np.array(TIERS)[raw["tier"]],
            "status": np.array(STATUSES)[raw["status"]],
            "abnormal_active": raw["abnormal"].astype(bool),
            "serious_active": raw["serious"].astype(bool),
            "problem_findings_3y": raw["findings"].astype(np.float64),
            "complaints_1y": np.zeros(n),  # placeholder until the complaints module
        }
    )


def _values(as_of: dt.date, entity_ids=None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    qs = Entity.objects.order_by("id")
    if entity_ids is not None:
        qs = qs.filter(id__in=list(entity_ids))
    rows = list(
        qs.values_list(
            "id",
            "established_on",
            "entity_type",
            "capital_wan",
            "industry_code",
            "domains",
            "key_tier",
            "status",
            "risk_class",
        ).iterator(chunk_size=20000)
    )
    abnormal = set(
        AbnormalListing.objects.filter(status=AbnormalListing.Status.LISTED).values_list(
            "entity_id", flat=True
        )
    )
    serious = set(
        SeriousListing.objects.filter(status=SeriousListing.Status.LISTED).values_list(
            "entity_id", flat=True
        )
    )
    findings: dict[int, int] = {}
    for eid in CheckOutcome.objects.filter(
        problem_found=True, checked_on__gt=findings_since(as_of), checked_on__lte=as_of
    ).values_list("entity_id", flat=True):
        findings[eid] = findings.get(eid, 0) + 1
    type_ix = {t: i for i, t in enumerate(TYPES)}
    status_ix = {s: i for i, s in enumerate(STATUSES)}
    tier_ix = {t: i for i, t in enumerate(TIERS)}
    cols: dict[str, list] = {k: [] for k in RAW}
    ids = []
    for pk, est, etype, capital, industry, domains, tier, status, current in rows:
        ids.append(pk)
        cols["age_days"].append(
            NO_AGE if est is None else min(max((as_of - est).days, 0), NO_AGE - 1)
        )
        cols["type"].append(type_ix.get(etype, 3))
        cols["capital_cents"].append(
            NO_CAPITAL if capital is None else min(int(round(capital * 100)), NO_CAPITAL - 1)
        )
        cols["division"].append(int(industry[:2]) if industry[:2].isdigit() else -1)
        cols["domains"].append(domains)
        cols["tier"].append(tier_ix.get(tier, 0))
        cols["status"].append(status_ix.get(status, 0))
        cols["abnormal"].append(pk in abnormal)
        cols["serious"].append(pk in serious)
        cols["findings"].append(findings.get(pk, 0))
        cols["current"].append(CURRENT.get(current, 0))
    return np.array(ids, dtype=np.int64), {k: np.array(v, dtype=RAW[k]) for k, v in cols.items()}


RAW = {
    "age_days": np.int64,
    "type": np.int64,
    "capital_cents": np.int64,
    "division": np.int64,
    "domains": np.int64,
    "tier": np.int64,
    "status": np.int64,
    "abnormal": bool,
    "serious": bool,
    "findings": np.int64,
    "current": np.int64,
}
CURRENT = {"A": 1, "B": 2, "C": 3, "D": 4}  # Entity.risk_class → code; 0 = not classified

# Fixed-width line: id 12, age 6, type 1, capital 15, division 2 ('--' unknown), domains 19,
# tier 1, status 1, abnormal 1, serious 1, findings 4, current class 1, newline.
_WIDTHS = [
    ("id", 12),
    ("age_days", 6),
    ("type", 1),
    ("capital_cents", 15),
    ("division", 2),
    ("domains", 19),
    ("tier", 1),
    ("status", 1),
    ("abnormal", 1),
    ("serious", 1),
    ("findings", 4),
    ("current", 1),
]
LINE = sum(w for _n, w in _WIDTHS) + 1

_SQL = """
SELECT lpad(e.id::text, 12, '0')
    || lpad(coalesce(least(greatest(%(as_of)s::date - e.established_on, 0), 999998), 999999)::text,
            6, '0')
    || CASE e.entity_type WHEN 'enterprise' THEN '0' WHEN 'individual' THEN '1'
                          WHEN 'cooperative' THEN '2' ELSE '3' END
    || lpad(coalesce(least(round(e.capital_wan * 100), 999999999999998)::bigint,
                     999999999999999)::text, 15, '0')
    || CASE WHEN substr(e.industry_code, 1, 2) ~ '^[0-9][0-9]$'
            THEN substr(e.industry_code, 1, 2) ELSE '--' END
    || lpad(e.domains::text, 19, '0')
    || CASE e.key_tier WHEN 'special' THEN '1' WHEN 'general' THEN '2' ELSE '0' END
    || CASE e.status WHEN 'active' THEN '0' WHEN 'revoked' THEN '1'
                     WHEN 'cancelled' THEN '2' ELSE '3' END
    || CASE WHEN a.entity_id IS NULL THEN '0' ELSE '1' END
    || CASE WHEN s.entity_id IS NULL THEN '0' ELSE '1' END
    || lpad(least(coalesce(f.n, 0), 9999)::text, 4, '0')
    || CASE e.risk_class WHEN 'A' THEN '1' WHEN 'B' THEN '2' WHEN 'C' THEN '3'
                         WHEN 'D' THEN '4' ELSE '0' END
FROM registry_entity e
LEFT JOIN (SELECT DISTINCT entity_id FROM credit_abnormallisting WHERE status = 'listed') a
    ON a.entity_id = e.id
LEFT JOIN (SELECT DISTINCT entity_id FROM credit_seriouslisting WHERE status = 'listed') s
    ON s.entity_id = e.id
LEFT JOIN (SELECT entity_id, count(*) AS n FROM risk_checkoutcome
           WHERE problem_found AND checked_on > %(since)s AND checked_on <= %(as_of)s
           GROUP BY entity_id) f
    ON f.entity_id = e.id
"""


def _copy(as_of: dt.date) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    params = {"as_of": as_of, "since": findings_since(as_of)}
    data = bytearray()
    with connection.cursor() as c:
        # psycopg binds server-side in COPY; inline the two dates (validated date objects).
        sql = _SQL.replace("%(as_of)s", f"'{as_of.isoformat()}'").replace(
            "%(since)s", f"'{params['since'].isoformat()}'"
        )
        with c.cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
            for row in copy:
                data += row
    buf = np.frombuffer(data, dtype=np.uint8)
    if len(buf) % LINE:
        raise ValueError("读取分类数据时遇到格式异常的行")
    m = buf.reshape(-1, LINE)
    out: dict[str, np.ndarray] = {}
    at = 0
    for name, width in _WIDTHS:
        block = m[:, at : at + width]
        if name == "division":
            unknown = block[:, 0] == ord("-")
            value = _digits(np.where(unknown[:, None], ord("0"), block))
            out[name] = np.where(unknown, -1, value)
        else:
            out[name] = _digits(block)
        at += width
    ids = out.pop("id")
    out["abnormal"] = out["abnormal"].astype(bool)
    out["serious"] = out["serious"].astype(bool)
    order = np.argsort(ids, kind="stable")
    return ids[order], {k: v[order] for k, v in out.items()}


def _digits(block: np.ndarray) -> np.ndarray:
    width = block.shape[1]
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (block.astype(np.int64) - ord("0")) @ powers
