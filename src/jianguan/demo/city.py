"""A synthetic demo city: entities, testing bodies, inspectors, experts, conflict declarations.

Pure: numpy only, no database. `DemoCity(n, seed, today)` yields entities in chunks of column
arrays (memory stays bounded at millions of rows); after the chunks it makes the people, who
refer to entities by their global index. The writers are in load.py.

Same (n, seed, today) gives the same data (each chunk has its own random stream, keyed by seed
and chunk number). Dates are drawn as ages relative to `today`, so a demo seeded on another day
has the same entities, only their dates shift with the calendar (expired certificates stay about
5%); pass `today` to pin them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.dtypes import StringDType

from jianguan.core import uscc
from jianguan.org import units
from jianguan.registry.models import DOMAINS, TESTING_FIELDS, Entity

from . import vocab as V

S = StringDType()
CHUNK = 100_000
# Index order matters: type 0..3 = enterprise, individual, cooperative, other;
# status 0 = active (存续), then revoked, cancelled, moved out.
TYPE_CODES = np.array([t.value for t in Entity.Type], dtype=S)
STATUS_CODES = np.array([s.value for s in Entity.Status], dtype=S)
TIER_CODES = np.array(["", Entity.Tier.GENERAL, Entity.Tier.SPECIAL], dtype=S)
RISK_CODES = np.array(["A", "B", "C", "D"], dtype=S)
RISK_SHARES = (0.55, 0.30, 0.12, 0.03)
TIER_SHARES = (0.02, 0.08)  # special-key, general-key
OLDEST = dt.date(1990, 1, 1)
USCC_SINCE = dt.date(2015, 10, 1)  # new registrations get "MA…" identifiers from then on

ENTERPRISE, INDIVIDUAL, COOPERATIVE, OTHER = range(4)
_DOMAIN_BIT = {code: mask.bit_length() - 1 for code, mask in DOMAINS.by_code.items()}
_TEST_FIELDS = list(V.TESTING)
_TEST_BIT = np.array([TESTING_FIELDS.by_code[f] for f in _TEST_FIELDS], dtype=np.int64)
_KEY_TEST_MASK = TESTING_FIELDS.mask(
    ("epidemic_supplies", "motor_vehicle", "eco_monitoring", "food_testing")
)


def testing_body_count(n: int) -> int:
    """About 1,000 at the demo size, ~2,500 at 3 million (Shanghai has ~1,500 for ~3.3M
    entities; a few more keep testing-body draws meaningful), never above 5% of the roster."""
    return min(n // 20, 1000 + n // 2000)


def inspector_count(n: int) -> int:
    """About 40 per district at the demo size, one per 150 entities beyond (20,000 at 3M)."""
    return max(n // 150, 40 * len(units.DISTRICTS))


def expert_count(n: int) -> int:
    return 300 + n // 20_000


def inspector_conflict_count(n: int) -> int:
    return 200 + n // 10_000


# ----------------------------------------------------------------------------------------------
# Static tables as arrays


def _flat(lists: list[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ragged word lists -> (flat words, offset per list, length per list)."""
    lengths = np.array([len(x) for x in lists], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    words = np.array([w for x in lists for w in x] or [""], dtype=S)
    return words, offsets, lengths


def _pick_ragged(
    rng, table: tuple[np.ndarray, np.ndarray, np.ndarray], which: np.ndarray
) -> np.ndarray:
    words, offsets, lengths = table
    k = (rng.random(len(which)) * lengths[which]).astype(np.int64)
    picked = words[np.minimum(offsets[which] + k, len(words) - 1)]
    return np.where(lengths[which] > 0, picked, "")


def _probs(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


_IND = V.INDUSTRIES
IND_CODES = np.array([row[0] for row in _IND], dtype=S)
_IND_P = [_probs([row[1 + t] for row in _IND]) for t in range(4)]
_ENT_WORDS = _flat([row[5] for row in _IND])
_SHOP_WORDS = _flat([row[6] for row in _IND])
_MANUFACTURING = np.array([13 <= int(row[0][:2]) <= 43 for row in _IND])
_RETAIL = np.array([row[0].startswith("52") for row in _IND])


def _domain_probs() -> np.ndarray:
    p = np.zeros((len(_IND), len(DOMAINS.items)))
    for i, row in enumerate(_IND):
        for code, prob in row[7].items():
            p[i, _DOMAIN_BIT[code]] = prob
    p[_RETAIL & (p[:, _DOMAIN_BIT["online_trade"]] == 0), _DOMAIN_BIT["online_trade"]] = 0.06
    return p


_DOMAIN_P = _domain_probs()
_BIT_VALUES = np.int64(1) << np.arange(len(DOMAINS.items), dtype=np.int64)
_KEY_W = np.array([V.KEY_WEIGHT.get(code, 0.0) for _, code, _ in DOMAINS.items])
_RISK_W = np.array([V.RISK_WEIGHT.get(code, 0.0) for _, code, _ in DOMAINS.items])

_TRADE = np.array(list(V.TRADE_CHARS), dtype=S)
_SURNAMES = np.array([s for s, _ in V.SURNAMES], dtype=S)
_SURNAME_P = _probs([w for _, w in V.SURNAMES])
_GIVEN = np.array(list(V.GIVEN_CHARS), dtype=S)
_FOREIGN = np.array(V.FOREIGN_PLACES, dtype=S)
_TB_WORDS = _flat([V.TESTING[f][1] for f in _TEST_FIELDS])
_TB_INDUSTRY = np.array([[r[0] for r in _IND].index(V.TESTING[f][2]) for f in _TEST_FIELDS])
_TB_P = _probs([V.TESTING[f][0] for f in _TEST_FIELDS])
_EXPERTISE = list(V.INSPECTOR_EXPERTISE)
_EXPERTISE_P = _probs(list(V.INSPECTOR_EXPERTISE.values()))


@dataclass(frozen=True)
class Places:
    """Every station of every district, flattened: index = place."""

    district: np.ndarray  # district index of each place
    station: np.ndarray  # station index within its district (0-based)
    region: np.ndarray  # (places, 6) ASCII bytes of the GB/T 2260 code
    area: np.ndarray  # "浦东新区": used in individual businesses' names
    address_prefix: np.ndarray
    roads: tuple[np.ndarray, np.ndarray, np.ndarray]
    weight: np.ndarray  # share of its district's entities
    cum: np.ndarray  # cumulative weights; district d's segment spans (d, d + 1]
    first: np.ndarray  # first place of each district
    count: np.ndarray  # places (stations) per district

    def pick(self, district: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Station place for each row: weighted within the row's district."""
        place = np.searchsorted(self.cum, district + u, side="right")
        return np.clip(place, self.first[district], self.first[district] + self.count[district] - 1)

    def of_district(self, d: int) -> slice:
        return slice(int(self.first[d]), int(self.first[d] + self.count[d]))


def _place_area(code: str, short: str, region: str, s: int) -> tuple[str, str, str, str]:
    """(region code, area name, address prefix, roads key) of station s of a district."""
    key = f"{code}-S{s + 1:02d}"
    if key in V.SPECIAL_ZONE_AREAS:
        region, area = V.SPECIAL_ZONE_AREAS[key]
        return region, area, f"上海市{area}", key
    if code in V.SPECIAL_ZONE_AREAS:
        region, area = V.SPECIAL_ZONE_AREAS[code]
        return region, area, V.ADDRESS_PREFIX_LINGANG, code
    return region, short, f"上海市{short}", code


def build_places(rng) -> Places:
    rows, roads, weights = [], [], []
    for d, (code, _name, short, region, stations) in enumerate(units.DISTRICTS):
        w = rng.gamma(3.0, size=len(stations))
        weights.append(w / w.sum())
        for s, station in enumerate(stations):
            reg, area, prefix, key = _place_area(code, short, region, s)
            rows.append((d, s, reg, area, prefix))
            # A station named after a road gets some of its entities on that road.
            own = (station,) * 3 if station.endswith("路") else ()
            roads.append(tuple(V.ROADS[key]) + own)
    district = np.array([r[0] for r in rows], dtype=np.int64)
    weight = np.concatenate(weights)
    first = np.searchsorted(district, np.arange(len(units.DISTRICTS)))
    cum = np.concatenate([d + np.cumsum(w) for d, w in enumerate(weights)])
    return Places(
        district=district,
        station=np.array([r[1] for r in rows], dtype=np.int64),
        region=np.array([r[2] for r in rows], dtype="S6").view(np.uint8).reshape(-1, 6),
        area=np.array([r[3] for r in rows], dtype=S),
        address_prefix=np.array([r[4] for r in rows], dtype=S),
        roads=_flat(roads),
        weight=weight,
        cum=cum,
        first=first,
        count=np.bincount(district, minlength=len(units.DISTRICTS)),
    )


# ----------------------------------------------------------------------------------------------
# Output records


@dataclass
class EntityChunk:
    start: int  # global index of the first row
    cols: dict[str, np.ndarray]  # see DemoCity._chunk; district/station are indices
    testing: dict[str, np.ndarray]  # rows of the chunk that are testing bodies

    def __len__(self) -> int:
        return len(self.cols["uscc"])


@dataclass
class BodyRecord:
    index: int  # global entity index
    uscc: str
    name: str
    district: int


@dataclass
class People:
    inspectors: list[dict] = field(default_factory=list)
    experts: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# The city


class DemoCity:
    def __init__(
        self, entities: int, seed: int = 1, today: dt.date | None = None, chunk_size: int = CHUNK
    ):
        if entities < 1 or seed < 0:
            raise ValueError("entities must be positive and seed non-negative")
        if entities > 10**8:
            raise ValueError("at most 100,000,000 entities (identifier space)")
        self.n, self.seed, self.chunk_size = entities, seed, chunk_size
        self.today = today or dt.date.today()
        self._today64 = np.datetime64(self.today, "D")
        self.places = build_places(self._rng(0))
        self.n_testing = testing_body_count(entities)
        self._testing_at = np.sort(self._rng(2).choice(entities, self.n_testing, replace=False))
        # Affine maps of the global index: bijective on their ranges, so identifiers never repeat.
        p = self._rng(4)
        self._lcg_new = _affine(p, 31**6)
        self._lcg_old = _affine(p, 10**8)
        self._lcg_cert = _affine(p, 10**8)
        self._district_of = np.full(entities, -1, dtype=np.int8)
        self._active = np.zeros(entities, dtype=bool)
        self.testing_bodies: list[BodyRecord] = []
        self._generated = False

    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *key])

    # -- entities ------------------------------------------------------------------------------

    def entity_chunks(self) -> Iterator[EntityChunk]:
        self.testing_bodies = []
        for c, start in enumerate(range(0, self.n, self.chunk_size)):
            yield self._chunk(c, start, min(self.chunk_size, self.n - start))
        self._generated = True

    def _chunk(self, c: int, start: int, n: int) -> EntityChunk:
        rng = self._rng(1, c)
        lo, hi = np.searchsorted(self._testing_at, [start, start + n])
        tb = self._testing_at[lo:hi] - start
        etype = rng.choice(4, n, p=V.TYPE_SHARES)
        etype[tb] = ENTERPRISE
        district = self._districts(rng, etype)
        place = self.places.pick(district, rng.random(n))
        industry = self._industries(rng, etype)
        age = self._ages(rng, n)
        age[tb] = 400 + rng.exponential(8 * 365, len(tb)).clip(0, 20 * 365).astype(np.int64)
        status = self._statuses(rng, age)
        status[tb] = 0
        domains = self._domains(rng, industry, etype)
        surname, rep = _people_names(rng, n)
        name = self._names(rng, etype, industry, place, surname)
        capital = _capital(rng, etype)
        testing = self._testing(rng, tb, age, lo)
        _apply_testing(rng, testing, industry, name, domains, capital)
        tier = _key_tiers(rng, domains, etype, industry, status, testing)
        cols = {
            "uscc": self._usccs(start, etype, place, age),
            "name": name,
            "entity_type": TYPE_CODES[etype],
            "region_code": self.places.region[place].view("S6").ravel().astype("U6").astype(S),
            "district": district,
            "station": self.places.station[place],
            "address": self._addresses(rng, etype, place),
            "industry_code": IND_CODES[industry],
            "status": STATUS_CODES[status],
            "established_on": self._today64 - age.astype("timedelta64[D]"),
            "capital_wan": capital,
            "legal_rep": rep,
            "domains": domains,
            "key_tier": TIER_CODES[tier],
            "risk_class": RISK_CODES[_risk_classes(rng, domains, age, status, tier, etype)],
        }
        self._remember(start, cols, district, status, tb)
        return EntityChunk(start, cols, testing)

    def _remember(
        self, start: int, cols: dict, district: np.ndarray, status: np.ndarray, tb: np.ndarray
    ) -> None:
        n = len(district)
        self._district_of[start : start + n] = district
        self._active[start : start + n] = status == 0
        for i in tb.tolist():
            self.testing_bodies.append(
                BodyRecord(start + i, str(cols["uscc"][i]), str(cols["name"][i]), int(district[i]))
            )

    def _districts(self, rng, etype: np.ndarray) -> np.ndarray:
        codes = [d[0] for d in units.DISTRICTS]
        district = rng.choice(
            len(codes), len(etype), p=_probs([V.DISTRICT_WEIGHTS[c] for c in codes])
        )
        coop = etype == COOPERATIVE
        p_coop = _probs([V.COOP_DISTRICT_WEIGHTS.get(c, 0) for c in codes])
        district[coop] = rng.choice(len(codes), int(coop.sum()), p=p_coop)
        return district

    @staticmethod
    def _industries(rng, etype: np.ndarray) -> np.ndarray:
        industry = np.empty(len(etype), dtype=np.int64)
        for t in range(4):
            rows = etype == t
            industry[rows] = rng.choice(len(_IND), int(rows.sum()), p=_IND_P[t])
        return industry

    def _ages(self, rng, n: int) -> np.ndarray:
        """Days since establishment: skewed recent (mean ~6.5 years), none before 1990."""
        oldest = (self.today - OLDEST).days
        age = rng.exponential(6.5 * 365, n)
        age = np.where(age >= oldest, rng.uniform(0, oldest, n), age)
        return age.astype(np.int64)

    @staticmethod
    def _statuses(rng, age: np.ndarray) -> np.ndarray:
        """~92% 存续; older entities are more often revoked, cancelled or moved out."""
        p_gone = 0.015 + 0.2 * np.clip(age / (20 * 365), 0, 1)
        gone = rng.random(len(age)) < p_gone
        kind = rng.choice([1, 2, 3], len(age), p=[0.35, 0.55, 0.10])
        return np.where(gone, kind, 0)

    @staticmethod
    def _domains(rng, industry: np.ndarray, etype: np.ndarray) -> np.ndarray:
        bits = rng.random((len(industry), _DOMAIN_P.shape[1])) < _DOMAIN_P[industry]
        mask = bits.astype(np.int64) @ _BIT_VALUES
        publishes = (etype == ENTERPRISE) | (etype == OTHER)  # 企业信息公示: every enterprise
        return np.where(publishes, mask | DOMAINS.by_code["public_info"], mask)

    def _names(self, rng, etype, industry, place, surname) -> np.ndarray:
        n = len(etype)
        trade = _trade_names(rng, n)
        word = _pick_ragged(rng, _ENT_WORDS, industry)
        shop = _pick_ragged(rng, _SHOP_WORDS, industry)
        # Enterprises: 上海{字号}{行业}有限公司, sometimes {字号}（上海）… or 上海市…, 股份/有限责任.
        form = rng.choice(3, n, p=[0.80, 0.08, 0.12])
        head = np.where(
            form == 1,
            np.strings.add(trade, "（上海）"),
            np.strings.add(np.where(form == 2, "上海市", "上海"), trade),
        )
        tail = rng.choice(
            np.array(["有限公司", "股份有限公司", "有限责任公司"], dtype=S), n, p=[0.90, 0.03, 0.07]
        )
        enterprise = np.strings.add(np.strings.add(head, word), tail)
        # Individual businesses: {区}{王记 / 阿明 / 字号}{店}.
        style = rng.random(n)
        own = np.where(
            style < 0.3,
            np.strings.add(surname, "记"),
            np.strings.add("阿", _GIVEN[rng.integers(len(_GIVEN), size=n)]),
        )
        shop_trade = np.where(style < 0.45, own, trade)
        individual = np.strings.add(np.strings.add(self.places.area[place], shop_trade), shop)
        coop_tail = np.where(rng.random(n) < 0.5, "专业合作社", "农民专业合作社")
        cooperative = np.strings.add(np.strings.add(np.strings.add("上海", trade), word), coop_tail)
        foreign = _FOREIGN[rng.integers(len(_FOREIGN), size=n)]
        other = np.strings.add(
            np.strings.add(np.strings.add(np.strings.add(trade, "（"), foreign), "）"),
            np.strings.add(word, "有限公司上海代表处"),
        )
        return _choose(etype, [enterprise, individual, cooperative, other])

    def _addresses(self, rng, etype, place) -> np.ndarray:
        n = len(etype)
        road = _pick_ragged(rng, self.places.roads, place)
        number = np.minimum(rng.lognormal(4.5, 1.1, n).astype(np.int64) + 1, 3999).astype(S)
        street = np.strings.add(np.strings.add(self.places.address_prefix[place], road), number)
        lane = rng.random(n) < 0.15
        street = np.where(
            lane,
            np.strings.add(np.strings.add(street, "弄"), rng.integers(1, 60, n).astype(S)),
            street,
        )
        street = np.strings.add(street, "号")
        floor = rng.integers(1, 25, n)
        room = (floor * 100 + rng.integers(1, 30, n)).astype(S)
        suffix_kind = np.where(etype == INDIVIDUAL, 0, rng.choice(3, n, p=[0.4, 0.2, 0.4]))
        suffixes = [
            np.full(n, "", dtype=S),
            np.strings.add(floor.astype(S), "层"),
            np.strings.add(room, "室"),
        ]
        return np.strings.add(street, _choose(suffix_kind, suffixes))

    def _usccs(
        self, start: int, etype: np.ndarray, place: np.ndarray, age: np.ndarray
    ) -> np.ndarray:
        n = len(etype)
        g = np.arange(start, start + n, dtype=np.int64)
        new = (etype == INDIVIDUAL) | (age < (self.today - USCC_SINCE).days)
        ident = np.where(
            new[:, None], _ma_identifiers(g, self._lcg_new), _org_identifiers(g, self._lcg_old)
        )
        ident[:, 8] = _org_check(ident[:, :8])
        head = np.empty((n, 2), dtype=np.uint8)
        head[:, 0] = ord("9")
        head[:, 1] = np.frombuffer("".join(V.TYPE_CATEGORY).encode(), dtype=np.uint8)[etype]
        first17 = np.concatenate([head, self.places.region[place], ident], axis=1)
        code = np.concatenate([first17, uscc.check_chars_bulk(uscc._LUT[first17])[:, None]], axis=1)
        return code.view("S18").ravel().astype("U18").astype(S)

    def _testing(self, rng, tb: np.ndarray, age: np.ndarray, first: int) -> dict[str, np.ndarray]:
        """Qualification data of the chunk's testing bodies (seed 001: valid 6 years)."""
        k = len(tb)
        main = rng.choice(len(_TEST_FIELDS), k, p=_TB_P)
        extra = (rng.random((k, len(_TEST_FIELDS))) < 0.12).astype(np.int64) @ _TEST_BIT
        fields = _TEST_BIT[main] | extra
        issued_age = np.minimum(rng.integers(0, 8 * 365, k), age[tb] - 90)
        issued = self._today64 - issued_age.astype("timedelta64[D]")
        # Approval on commitment (告知承诺) exists since 2019.
        by_commitment = (issued >= np.datetime64("2019-06-01")) & (rng.random(k) < 0.3)
        year = issued.astype("datetime64[Y]").astype(np.int64) + 1970
        serial = _affine_map(np.arange(first, first + k, dtype=np.int64), self._lcg_cert)
        cert_no = [
            f"{y % 100:02d}09{s:08d}" for y, s in zip(year.tolist(), serial.tolist(), strict=True)
        ]
        return {
            "offset": tb,
            "main": main,
            "cert_no": np.array(cert_no, dtype=S),
            "scope": np.array([_scope(rng, int(f)) for f in fields], dtype=S),
            "cert_issued_on": issued,
            "cert_expires_on": _add_years(issued, 6),
            "by_commitment": by_commitment,
            "fields": fields,
        }

    # -- people --------------------------------------------------------------------------------

    def people(self) -> People:
        """Inspectors, experts and conflict declarations; needs the entities generated first."""
        if not self._generated:
            for _ in self.entity_chunks():
                pass
        people = People()
        people.inspectors = self._inspectors(self._rng(3))
        people.experts = self._experts(self._rng(5))
        people.conflicts = self._conflicts(self._rng(6), people)
        return people

    def _inspectors(self, rng) -> list[dict]:
        """Per district by its share (at least 2 per station), 20% in the enforcement team."""
        out: list[dict] = []
        minimum = [2 * len(d[4]) + 4 for d in units.DISTRICTS]
        weights = [V.DISTRICT_WEIGHTS[d[0]] for d in units.DISTRICTS]
        for d, total in enumerate(_allocate(inspector_count(self.n), weights, minimum)):
            code, stations = units.DISTRICTS[d][0], units.DISTRICTS[d][4]
            team = min(max(4, round(total * 0.2)), total - 2 * len(stations))
            extra = rng.multinomial(
                total - team - 2 * len(stations), self.places.weight[self.places.of_district(d)]
            )
            unit_of = [units.team_code(code)] * team
            for s, k in enumerate(extra.tolist()):
                unit_of += [units.station_code(code, s + 1)] * (2 + k)
            out += [self._inspector(rng, d, k, unit) for k, unit in enumerate(unit_of)]
        return out

    def _inspector(self, rng, d: int, k: int, unit_code: str) -> dict:
        expired = rng.random() < 0.05
        days = -int(rng.integers(1, 720)) if expired else int(rng.integers(30, 1600))
        inactive = rng.random() < 0.03
        n_tags = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
        tags = rng.choice(_EXPERTISE, n_tags, replace=False, p=_EXPERTISE_P)
        return {
            "name": _one_name(rng),
            "staff_no": f"{units.DISTRICTS[d][0]}-{k + 1:05d}",
            "unit": unit_code,
            "district": d,
            "cert_no": f"31{d + 1:02d}{k + 1:06d}",
            "cert_expires_on": self.today + dt.timedelta(days=days),
            "active": not inactive,
            "inactive_since": self.today - dt.timedelta(days=int(rng.integers(1, 700)))
            if inactive
            else None,
            "expertise": sorted(str(t) for t in tags),
        }

    def _experts(self, rng) -> list[dict]:
        fields = list(V.EXPERT_FIELDS)
        p_field = _probs(list(V.EXPERT_FIELDS.values()))
        out = []
        for _ in range(expert_count(self.n)):
            body = (
                self.testing_bodies[int(rng.integers(len(self.testing_bodies)))]
                if (self.testing_bodies and rng.random() < 0.35)
                else None
            )
            signed = rng.random() < 0.92
            field_code = str(rng.choice(fields, p=p_field))
            out.append(
                {
                    "name": _one_name(rng),
                    "field": field_code,
                    "title": str(
                        rng.choice(V.EXPERT_TITLES + V.EXPERT_FIELD_TITLES.get(field_code, ()))
                    ),
                    "employer": body.name if body else str(rng.choice(V.EXPERT_EMPLOYERS)),
                    "employer_uscc": body.uscc if body else "",
                    "employer_index": body.index if body else None,
                    "pledge_signed_on": self.today - dt.timedelta(days=int(rng.integers(0, 1000)))
                    if signed
                    else None,
                    "active": bool(rng.random() < 0.95),
                }
            )
        return out

    def _conflicts(self, rng, people: People) -> list[dict]:
        out = []
        for e, expert in enumerate(people.experts):
            if expert["employer_index"] is not None:
                out.append(
                    self._conflict(
                        rng, "expert", e, expert["employer_index"], V.EXPERT_CONFLICTS[0]
                    )
                )
            elif self.testing_bodies and rng.random() < 0.1:
                body = self.testing_bodies[int(rng.integers(len(self.testing_bodies)))]
                reason = V.EXPERT_CONFLICTS[1 + int(rng.integers(len(V.EXPERT_CONFLICTS) - 1))]
                out.append(self._conflict(rng, "expert", e, body.index, reason))
        by_district = [
            np.flatnonzero((self._district_of == d) & self._active)
            for d in range(len(units.DISTRICTS))
        ]
        inspectors = [i for i, p in enumerate(people.inspectors) if p["active"]]
        for _ in range(inspector_conflict_count(self.n)):
            i = inspectors[int(rng.integers(len(inspectors)))]
            pool = by_district[people.inspectors[i]["district"]]
            if len(pool):
                reason = V.INSPECTOR_CONFLICTS[int(rng.integers(len(V.INSPECTOR_CONFLICTS)))]
                out.append(
                    self._conflict(rng, "inspector", i, int(pool[rng.integers(len(pool))]), reason)
                )
        return out

    def _conflict(
        self, rng, kind: str, person: int, entity: int, reason: tuple[str, int | None]
    ) -> dict:
        start = self.today - dt.timedelta(days=int(rng.integers(0, 900)))
        text, days = reason
        return {
            "kind": kind,
            "person": person,
            "entity": entity,
            "reason": text,
            "valid_from": start,
            "valid_to": start + dt.timedelta(days=days) if days else None,
        }

    # -- verification --------------------------------------------------------------------------

    def digest(self) -> str:
        """SHA-256 over every generated value, for "same seed, same data" checks."""
        h = hashlib.sha256()
        for chunk in self.entity_chunks():
            for part in (chunk.cols, chunk.testing):
                for key in sorted(part):
                    h.update(key.encode())
                    h.update(_column_bytes(part[key]))
        h.update(repr(self.people()).encode())
        return h.hexdigest()


# ----------------------------------------------------------------------------------------------
# Column helpers


def _affine(rng, m: int) -> tuple[int, int]:
    """x -> (a·x + b) mod m with gcd(a, m) = 1: a bijection of [0, m)."""
    while True:
        a = int(rng.integers(m // 7, m))
        if np.gcd(a, m) == 1:
            return a, int(rng.integers(m))


def _affine_map(x: np.ndarray, ab: tuple[int, int], m: int = 10**8) -> np.ndarray:
    return (x * ab[0] + ab[1]) % m


def _choose(index: np.ndarray, options: list[np.ndarray]) -> np.ndarray:
    """np.choose, which mishandles StringDType (it copies pointers into freed buffers)."""
    out = options[0].copy()
    for k, option in enumerate(options[1:], start=1):
        rows = index == k
        out[rows] = option[rows]
    return out


def _column_bytes(a: np.ndarray) -> bytes:
    if a.dtype == S:
        return "\x1f".join(a.tolist()).encode()
    return np.ascontiguousarray(a).tobytes()


def _trade_names(rng, n: int) -> np.ndarray:
    """字号: two characters, sometimes four."""
    pair = np.strings.add(
        _TRADE[rng.integers(len(_TRADE), size=n)], _TRADE[rng.integers(len(_TRADE), size=n)]
    )
    more = np.strings.add(
        _TRADE[rng.integers(len(_TRADE), size=n)], _TRADE[rng.integers(len(_TRADE), size=n)]
    )
    return np.where(rng.random(n) < 0.12, np.strings.add(pair, more), pair)


def _people_names(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    surname = _SURNAMES[rng.choice(len(_SURNAMES), n, p=_SURNAME_P)]
    given = _GIVEN[rng.integers(len(_GIVEN), size=n)]
    second = np.where(rng.random(n) < 0.7, _GIVEN[rng.integers(len(_GIVEN), size=n)], "")
    return surname, np.strings.add(np.strings.add(surname, given), second)


def _one_name(rng) -> str:
    return str(_people_names(rng, 1)[1][0])


def _capital(rng, etype: np.ndarray) -> np.ndarray:
    """Registered capital in 万元, rounded like real filings (100, 500, 1200…); -1: none."""
    n = len(etype)
    raw = np.choose(
        etype,
        [
            rng.lognormal(np.log(100), 1.4, n),
            rng.lognormal(np.log(5), 0.8, n),
            rng.lognormal(np.log(100), 1.0, n),
            np.ones(n),
        ],
    )
    digits = np.where(rng.random(n) < 0.85, 1, 2)
    scale = 10.0 ** (np.floor(np.log10(np.maximum(raw, 1))) - digits + 1)
    value = np.maximum(np.round(raw / scale) * scale, 1).astype(np.int64)
    none = (etype == OTHER) | ((etype == INDIVIDUAL) & (rng.random(n) < 0.4))
    return np.where(none, -1, value)


def _apply_testing(rng, testing, industry, name, domains, capital) -> None:
    """Make the chunk's testing-body rows look like testing bodies."""
    tb, main = testing["offset"], testing["main"]
    industry[tb] = _TB_INDUSTRY[main]
    word = _pick_ragged(rng, _TB_WORDS, main)
    name[tb] = np.strings.add(
        np.strings.add(np.strings.add("上海", _trade_names(rng, len(tb))), word), "有限公司"
    )
    domains[tb] = DOMAINS.mask(("testing_body", "public_info"))
    capital[tb] = np.maximum(capital[tb], 100) * 5


def _key_tiers(rng, domains, etype, industry, status, testing) -> np.ndarray:
    """Top 2% by key score special-key, next 8% general-key; only active, key-domain entities."""
    n = len(domains)
    bits = (domains[:, None] & _BIT_VALUES) > 0
    score = (bits * _KEY_W).max(axis=1)
    score = score * np.choose(np.minimum(etype, 3), [1.0, 0.3, 0.5, 0.2])
    score = score * np.where(_MANUFACTURING[industry], 2.0, 1.0)
    score[testing["offset"]] *= np.where((testing["fields"] & _KEY_TEST_MASK) > 0, 1.5, 1.0)
    score = np.where(status == 0, score * rng.lognormal(0, 0.6, n), 0)
    order = np.argsort(-score, kind="stable")
    k_special, k_general = round(TIER_SHARES[0] * n), round(sum(TIER_SHARES) * n)
    tier = np.zeros(n, dtype=np.int64)
    tier[order[k_special:k_general]] = 1
    tier[order[:k_special]] = 2
    tier[score <= 0] = 0
    return tier


def _risk_classes(rng, domains, age, status, tier, etype) -> np.ndarray:
    """A/B/C/D by quantiles of a latent score: domain risk, youth, status, tier, chance."""
    n = len(domains)
    bits = (domains[:, None] & _BIT_VALUES) > 0
    score = np.maximum((bits * _RISK_W).max(axis=1), 0.15)
    score += np.select([age < 365, age < 3 * 365, age > 10 * 365], [0.5, 0.25, -0.15], 0)
    score += np.where(status != 0, 1.0, 0) + 0.15 * tier - 0.1 * (etype == INDIVIDUAL)
    score += rng.normal(0, 0.45, n)
    cuts = np.quantile(score, np.cumsum(RISK_SHARES)[:-1]) if n > 1 else np.array([np.inf] * 3)
    return np.searchsorted(cuts, score, side="right")


def _ma_identifiers(g: np.ndarray, lcg: tuple[int, int]) -> np.ndarray:
    """'MA' + 6 alphabet characters (+ a check slot) for registrations since 2015."""
    v = _affine_map(g, lcg, 31**6)
    out = np.empty((len(g), 9), dtype=np.uint8)
    out[:, 0], out[:, 1] = ord("M"), ord("A")
    for k in range(7, 1, -1):
        out[:, k] = uscc._ALPHA_BYTES[v % 31]
        v //= 31
    return out


def _org_identifiers(g: np.ndarray, lcg: tuple[int, int]) -> np.ndarray:
    """Eight-digit organisation codes (GB 11714) of entities older than the USCC."""
    v = _affine_map(g, lcg, 10**8)
    out = np.empty((len(g), 9), dtype=np.uint8)
    for k in range(7, -1, -1):
        out[:, k] = ord("0") + v % 10
        v //= 10
    return out


_ORG_W = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)


def _org_check(body: np.ndarray) -> np.ndarray:
    """GB 11714 check character: C9 = 11 - (Σ Ci·Wi mod 11); 10 -> X, 11 -> 0."""
    values = np.where(
        body >= ord("A"), body.astype(np.int64) - 55, body.astype(np.int64) - ord("0")
    )
    c = 11 - (values @ _ORG_W) % 11
    return np.where(c == 10, ord("X"), np.where(c == 11, ord("0"), ord("0") + c)).astype(np.uint8)


def _add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Same month and day `years` later (29 Feb -> 28 Feb)."""
    month = days.astype("datetime64[M]")
    day_of_month = (days - month).astype(np.int64)
    target = month + np.timedelta64(12 * years, "M")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.minimum(target.astype("datetime64[D]") + day_of_month, last)


def _scope(rng, fields: int) -> str:
    """资质认定范围: per field, a few of its product/parameter groups."""
    parts = []
    for f, code in enumerate(_TEST_FIELDS):
        if fields & int(_TEST_BIT[f]):
            groups = V.TESTING[code][3]
            k = int(rng.integers(2, len(groups) + 1))
            chosen = sorted(rng.choice(len(groups), k, replace=False).tolist())
            parts.append(
                f"{TESTING_FIELDS.labels(int(_TEST_BIT[f]))[0]}：{'、'.join(groups[i] for i in chosen)}"
            )
    return "；".join(parts)


def _allocate(total: int, weights: list[float], minimum: list[int]) -> list[int]:
    """Split `total` by weights (largest remainder), each at least its minimum."""
    w = _probs(weights) * total
    out = np.floor(w).astype(np.int64)
    out[np.argsort(-(w - out), kind="stable")[: total - out.sum()]] += 1
    return np.maximum(out, minimum).tolist()
