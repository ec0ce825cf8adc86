"""The draw protocol at the scale of a province: numpy columns instead of Python rows.

Same inputs, same bytes out as the reference implementation in protocol.py (the tests compare
them on random rosters); only the bookkeeping is vectorised. The keyed hashes stay SHA-256 per
key, through hashlib, split over processes for large rosters.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np

from . import protocol as P

PARALLEL_FROM = 1_000_000  # below this, starting worker processes costs more than it saves


@dataclass
class Targets:
    """The target roster as columns. uscc: S18; district: codes[index]; risk: S1 (b"" = none)."""

    uscc: np.ndarray
    district_codes: list[str]
    district: np.ndarray
    risk: np.ndarray
    certain: np.ndarray
    # Not part of the protocol: database ids read with the roster (entity, district, station),
    # so that writing the visits needs no lookup by code. Absent when read from a file.
    db_ids: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.uscc)

    @classmethod
    def from_rows(cls, rows) -> Targets:
        codes = sorted({r[1] for r in rows})
        index = {c: i for i, c in enumerate(codes)}
        return cls(
            uscc=np.array([r[0] for r in rows], dtype="S18"),
            district_codes=codes,
            district=np.array([index[r[1]] for r in rows], dtype=np.int32),
            risk=np.array([r[2] for r in rows], dtype="S1"),
            certain=np.array([r[3] == "1" for r in rows], dtype=bool),
        )

    @classmethod
    def from_csv(cls, data: bytes) -> Targets:
        """Parse a canonical targets.csv column-wise (uscc is always 18 characters)."""
        header, _, body_bytes = data.partition(b"\n")
        if header.decode() != ",".join(P.TARGET_COLUMNS):
            raise ValueError("targets.csv 表头不正确")
        body = np.frombuffer(body_bytes, dtype=np.uint8)
        ends = np.flatnonzero(body == ord("\n"))
        starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
        comma = ord(",")
        if len(ends) and (
            ends[-1] != len(body) - 1
            or (body[starts + 18] != comma).any()
            or (body[ends - 2] != comma).any()
        ):
            raise ValueError("targets.csv 不是规范格式")
        uscc = np.ascontiguousarray(body[starts[:, None] + np.arange(18)]).view("S18").ravel()
        certain = body[ends - 1] == ord("1")
        empty = body[ends - 3] == comma
        risk = np.where(empty, 0, body[ends - 3]).astype(np.uint8).view("S1")
        stop = np.where(empty, ends - 3, ends - 4)
        width = int((stop - starts - 19).max(initial=1))
        index = starts[:, None] + 19 + np.arange(width)
        cells = np.where(index < stop[:, None], body[np.minimum(index, len(body) - 1)], 0)
        codes = np.ascontiguousarray(cells.astype(np.uint8)).view(f"S{width}").ravel()
        names, district = np.unique(codes, return_inverse=True)
        return cls(
            uscc,
            [n.decode() for n in names.tolist()],
            district.astype(np.int32).ravel(),
            risk,
            certain,
        )

    def sorted(self) -> Targets:
        if len(self) < 2 or bool(np.all(self.uscc[1:] > self.uscc[:-1])):
            return self
        order = np.argsort(self.uscc, kind="stable")
        return Targets(
            self.uscc[order],
            self.district_codes,
            self.district[order],
            self.risk[order],
            self.certain[order],
            None if self.db_ids is None else self.db_ids[order],
        )

    def canonical_body(self) -> np.ndarray:
        """The rows of protocol.canonical_csv(TARGET_COLUMNS, rows) as one uint8 array."""
        t = self.sorted()
        widths = [len(c.encode()) for c in t.district_codes] or [1]
        width = max(widths)
        codes = np.array([c.encode() for c in t.district_codes], dtype=f"S{width}")
        m = np.zeros((len(t), 18 + width + 6), dtype=np.uint8)
        m[:, :18] = _fixed(t.uscc, 18)
        m[:, 19 : 19 + width] = _fixed(codes[t.district], width)
        c = 19 + width
        m[:, [18, c, c + 2]] = ord(",")
        m[:, c + 1] = _fixed(t.risk, 1)[:, 0]
        m[:, c + 3] = np.where(t.certain, ord("1"), ord("0"))
        m[:, c + 4] = ord("\n")
        if min(widths) == width and bool((t.risk != b"").all()):
            return m.reshape(-1)
        return m[m != 0]  # padding bytes (NUL) vanish

    def canonical_csv(self) -> bytes:
        return TARGET_HEADER + self.canonical_body().tobytes()

    def public_csv(self) -> bytes:
        """targets.public.csv: the canonical roster without risk class and certainty."""
        t = self.sorted()
        widths = [len(c.encode()) for c in t.district_codes] or [1]
        width = max(widths)
        codes = np.array([c.encode() for c in t.district_codes], dtype=f"S{width}")
        m = np.zeros((len(t), 18 + width + 2), dtype=np.uint8)
        m[:, :18] = _fixed(t.uscc, 18)
        m[:, 18] = ord(",")
        m[:, 19 : 19 + width] = _fixed(codes[t.district], width)
        m[:, -1] = ord("\n")
        body = m.reshape(-1) if min(widths) == width else m[m != 0]
        return b"uscc,district\n" + body.tobytes()

    def digest(self) -> str:
        h = hashlib.sha256(TARGET_HEADER)
        h.update(memoryview(np.ascontiguousarray(self.canonical_body())))
        return h.hexdigest()


TARGET_HEADER = (",".join(P.TARGET_COLUMNS) + "\n").encode()


def _fixed(column: np.ndarray, width: int) -> np.ndarray:
    column = np.ascontiguousarray(column, dtype=f"S{width}")
    return column.view(np.uint8).reshape(-1, width)


def _const(byte: bytes, n: int) -> np.ndarray:
    return np.full((n, 1), byte[0], dtype=np.uint8)


# --- keyed hashes -------------------------------------------------------------------------------


_JOB: tuple[bytes, bytes, int] | None = None  # (prefix, keys blob, key width), for forked workers


def _hash_range(bounds: tuple[int, int]) -> bytes:
    prefix, blob, width = _JOB
    sha = hashlib.sha256
    return b"".join(
        [
            sha(prefix + blob[i : i + width].rstrip(b"\0")).digest()[:8]
            for i in range(*bounds, width)
        ]
    )


def ranks(seed: bytes, purpose: str, keys: np.ndarray) -> np.ndarray:
    """protocol.uniform(seed, purpose, key) for every key of a bytes column, as uint64.

    Large rosters are hashed by forked workers, which inherit the keys without copying; they
    only compute and return bytes (no database, no files), so forking is safe here.
    """
    global _JOB
    width = keys.dtype.itemsize
    _JOB = (seed + f"{purpose}|".encode(), keys.tobytes(), width)
    total = len(keys) * width
    workers = min(os.cpu_count() or 1, 4)
    try:
        if len(keys) < PARALLEL_FROM or workers < 2:
            digests = _hash_range((0, total))
        else:
            step = -(-len(keys) // workers) * width
            bounds = [(i, min(i + step, total)) for i in range(0, total, step)]
            try:
                with get_context("fork").Pool(workers) as pool:
                    digests = b"".join(pool.map(_hash_range, bounds))
            except OSError:
                digests = _hash_range((0, total))  # no fork here: the same bytes, serially
    finally:
        _JOB = None
    return np.frombuffer(digests, dtype=">u8").astype(np.uint64)


def stream(seed: bytes, purpose: str, count: int) -> np.ndarray:
    blocks = (count + 3) // 4
    data = b"".join(
        hashlib.sha256(seed + f"{purpose}|{b}".encode()).digest() for b in range(blocks)
    )
    return np.frombuffer(data, dtype=">u8")[:count].astype(np.uint64)


def _order(primary: np.ndarray, *, by: np.ndarray | None = None, ties: np.ndarray) -> np.ndarray:
    """Indices sorted by (by, primary, ties); `ties` (the USCC) only matters for equal hashes.

    by (a small stratum number) is applied with a stable radix sort after the hash sort.
    """
    order = np.argsort(primary)
    p = primary[order]
    if (p[1:] == p[:-1]).any():
        order = np.lexsort((ties, primary))
    if by is not None:
        order = order[np.argsort(by[order].astype(np.uint16), kind="stable")]
    return order


# --- selection ----------------------------------------------------------------------------------

CLASSES = (b"", b"A", b"B", b"C", b"D")


@dataclass
class Selected:
    index: np.ndarray  # selected rows of the (sorted) roster, ascending: USCC order
    rank: np.ndarray  # their u(seed, "T", uscc)
    stratum: np.ndarray  # their stratum numbers, into labels
    labels: dict[int, str]
    sizes: dict[str, int]  # stratum → eligible non-certain count
    drawn: dict[str, int]  # stratum → drawn at random


def quotas(rules: dict, t: Targets) -> dict[str, int]:
    """protocol.quotas for this roster: the draw's counts per stratum (RuleError if the rules
    cannot be applied), without hashing anything."""
    key, labels = _strata(rules, t)
    counts = np.bincount(key[~t.certain], minlength=1)
    strata = np.flatnonzero(counts).tolist()
    sizes = {labels[k]: int(counts[k]) for k in strata}
    return P.quotas(rules, sizes, {labels[k]: CLASSES[k % 5].decode() for k in strata})


def _strata(rules: dict, t: Targets) -> tuple[np.ndarray, dict[int, str]]:
    """Each row's stratum number (district × 5 + class) and the labels of those present."""
    fields = P.stratum_fields(rules)
    class_idx = np.zeros(len(t), dtype=np.int32)
    for i, c in enumerate(CLASSES[1:], 1):
        class_idx[t.risk == c] = i
    key = np.zeros(len(t), dtype=np.int32)
    if "district" in fields:
        key += t.district.astype(np.int32) * 5
    if "risk_class" in fields:
        key += class_idx
    labels = {
        k: P.stratum_of(fields, t.district_codes[k // 5], CLASSES[k % 5].decode())
        for k in np.flatnonzero(np.bincount(key, minlength=1)).tolist()
    }
    return key, labels


def select(rules: dict, seed: bytes, t: Targets) -> Selected:
    rank = ranks(seed, "T", t.uscc)
    key, labels = _strata(rules, t)
    random_rows = np.flatnonzero(~t.certain)
    rkey = key[random_rows]
    counts_all = np.bincount(rkey, minlength=1)
    uniq = np.flatnonzero(counts_all)
    counts = counts_all[uniq]
    sizes = {labels[k]: int(n) for k, n in zip(uniq.tolist(), counts.tolist(), strict=True)}
    class_of = {labels[k]: CLASSES[k % 5].decode() for k in uniq.tolist()}
    quota = P.quotas(rules, sizes, class_of)
    picked = _smallest_per_stratum(
        rank[random_rows], rkey, uniq, labels, quota, t.uscc[random_rows]
    )
    picked = random_rows[picked]
    index = np.sort(np.concatenate([np.flatnonzero(t.certain), picked]).astype(np.int64))
    return Selected(index, rank[index], key[index], labels, sizes, quota)


def _smallest_per_stratum(rank, key, strata, labels, quota, uscc) -> np.ndarray:
    """Per stratum, the quota rows with the smallest (rank, uscc): a partition, not a sort."""
    grouped = np.argsort(key.astype(np.uint16), kind="stable")
    bounds = np.searchsorted(key[grouped], strata).tolist() + [len(key)]
    out = []
    for i, k in enumerate(strata.tolist()):
        rows = grouped[bounds[i] : bounds[i + 1]]
        n = quota[labels[k]]
        if n >= len(rows):
            out.append(rows)
        elif n > 0:
            r = rank[rows]
            threshold = np.partition(r, n - 1)[n - 1]
            chosen = rows[r <= threshold]
            if len(chosen) > n:  # equal hashes at the threshold: the USCC decides
                chosen = chosen[_order(rank[chosen], ties=uscc[chosen])[:n]]
            out.append(chosen)
    return np.concatenate(out) if out else np.array([], dtype=np.int64)


# --- assignment ---------------------------------------------------------------------------------


@dataclass
class Teams:
    """Per selected target (in USCC order): person indices into `ids`, slot order."""

    ids: list[str]
    matrix: np.ndarray
    unstaffed: dict[str, str]


def assign_pool(seed, purpose, uscc, rank, people, size, need_skill, max_load, banned):
    """protocol.assign_pool on columns: (matrix of indices into `people` sorted by priority,
    in the order of `order`), unstaffed, order. The common case (enough people, no hopeless
    target) is dealt with numpy; anything else goes to the reference implementation, which
    gives the same answer by definition."""
    n = len(uscc)
    order = _order(rank, ties=uscc)
    if n == 0 or size == 0:
        return np.zeros((n, 0), dtype=np.int64), {}, order
    skilled = [p for p in people if p.skilled] if need_skill else people
    cap = n if max_load is None else min(max_load, n)
    ids, skilled_ids = {p.id for p in people}, {p.id for p in skilled}
    barred = _rows_of(banned, uscc, order)

    def reference():
        targets = [
            P.Target(k.decode(), "", "", False, r)
            for k, r in zip(uscc[order].tolist(), rank[order].tolist(), strict=True)
        ]
        result = P.assign_pool(seed, purpose, targets, people, size, need_skill, max_load, banned)
        if result.unstaffed:
            return None, result.unstaffed, order
        index_of = {p.id: i for i, p in enumerate(people)}
        teams = [[index_of[pid] for pid in result.teams[t.uscc]] for t in targets]
        return np.array(teams, dtype=np.int64).reshape(n, size), {}, order

    if (
        len(people) * cap < size * n
        or (need_skill and len(skilled) * cap < n)
        or any(P._hopeless(v, ids, skilled_ids, size) for v in barred.values())
    ):
        return reference()
    quota = P._balanced_quotas(people, skilled, size, n, cap, need_skill)
    first = P._skill_split(people, quota, n) if need_skill else {}
    matrix = _deal(seed, purpose, people, quota, first, n, size, need_skill)
    index_of = {p.id: i for i, p in enumerate(people)}
    bars = {row: {index_of[b] for b in v if b in index_of} for row, v in barred.items()}
    bad = np.union1d(_duplicate_rows(matrix), np.array(sorted(bars), dtype=np.int64))
    if len(bad):
        rows = {int(r): matrix[r].tolist() for r in bad}
        teams = _SparseRows(matrix, rows)
        if not P._repair(teams, _RowBars(bars), need_skill, rows=sorted(rows)):
            return reference()
        for r, team in teams.touched.items():
            matrix[r] = team
    return matrix, {}, order


def _rows_of(banned: dict[str, set[str]], uscc: np.ndarray, order: np.ndarray) -> dict:
    """{row in `order`: barred ids} for the targets with exclusions; uscc is in USCC order."""
    if not banned:
        return {}
    keys = np.array(sorted(banned), dtype="S18")
    at = np.searchsorted(uscc, keys)
    found = at < len(uscc)
    found[found] &= uscc[at[found]] == keys[found]
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return {
        int(position[i]): banned[k.decode()]
        for i, k in zip(at[found].tolist(), keys[found].tolist(), strict=True)
    }


class _SparseRows:
    """The team matrix as protocol._repair sees it: rows as lists, copied on first touch."""

    def __init__(self, matrix, rows):
        self.matrix, self.touched = matrix, rows

    def __len__(self) -> int:
        return len(self.matrix)

    def __getitem__(self, row: int) -> list:
        if row not in self.touched:
            self.touched[row] = self.matrix[row].tolist()
        return self.touched[row]


class _RowBars:
    """Row → barred person indices, answering None for the (many) rows without any."""

    def __init__(self, rows: dict[int, set[int]]):
        self.rows = rows

    def __getitem__(self, row: int):
        return self.rows.get(row)


def _deal(seed, purpose, people, quota, first, n, size, need_skill) -> np.ndarray:
    """protocol._permuted_teams as a matrix of person indices (rows: targets in order)."""
    index = np.arange(len(people))
    first_counts = np.array([first.get(p.id, 0) for p in people], dtype=np.int64)
    other_counts = np.array([quota[p.id] for p in people], dtype=np.int64) - first_counts
    columns = []
    if need_skill:
        slots = np.repeat(index, first_counts)
        shuffle = np.argsort(stream(seed, f"{purpose}|S", len(slots)), kind="stable")
        columns.append(slots[shuffle][:, None])
    slots = np.repeat(index, other_counts)
    shuffle = np.argsort(stream(seed, f"{purpose}|O", len(slots)), kind="stable")
    columns.append(slots[shuffle].reshape(n, size - 1 if need_skill else size))
    return np.hstack(columns)


def _duplicate_rows(matrix: np.ndarray) -> np.ndarray:
    width = matrix.shape[1]
    dup = np.zeros(len(matrix), dtype=bool)
    for a in range(width):
        for b in range(a + 1, width):
            dup |= matrix[:, a] == matrix[:, b]
    return np.flatnonzero(dup)


def _people(seed, purpose, rows, skills) -> dict[str, list[P.Person]]:
    """Roster rows (id, pool, tags) → people per pool, sorted by (priority, id)."""
    by_pool: dict[str, list[P.Person]] = {}
    priorities = P.uniforms(seed, purpose, [r[0] for r in rows])
    for (pid, pool, tags), priority in zip(rows, priorities, strict=True):
        held = set(tags.split(";")) if tags else set()
        by_pool.setdefault(pool, []).append(P.Person(pid, bool(skills & held), priority))
    for members in by_pool.values():
        members.sort(key=lambda p: (p.priority, p.id))
    return by_pool


def assign(rules, seed, uscc, rank, district, district_codes, rows) -> tuple[Teams, Teams]:
    """Inspector teams per pool, then experts; matrices in the order of `uscc` (USCC order)."""
    team = rules["team"]
    skills = set(team.get("skills") or [])
    banned: dict[str, dict[str, set[str]]] = {"inspector": {}, "expert": {}}
    for k, kind, person_id, _reason in rows["exclusions"]:
        banned[kind].setdefault(k, set()).add(person_id)
    by_pool = _people(seed, "I", rows["inspectors"], skills)
    size = int(team["size"])
    pools = {P.ALL_POOL: np.arange(len(uscc))}
    if team.get("pool_by") == "district":
        pools = {
            district_codes[d]: np.flatnonzero(district == d) for d in np.unique(district).tolist()
        }
    inspectors = _collect(len(uscc), size)
    for pool in sorted(pools):
        rows_ = pools[pool]
        people = by_pool.get(pool, [])
        matrix, unstaffed, order = assign_pool(
            seed,
            f"P:{pool}",
            uscc[rows_],
            rank[rows_],
            people,
            size,
            bool(skills),
            team.get("max_load"),
            banned["inspector"],
        )
        inspectors.add(rows_[order], matrix, people, unstaffed)
    per_target = int((rules.get("experts") or {}).get("per_target") or 0)
    pool = _people(seed, "E", [(r[0], P.ALL_POOL, "") for r in rows["experts"]], set()).get(
        P.ALL_POOL, []
    )
    experts = _collect(len(uscc), per_target)
    matrix, unstaffed, order = assign_pool(
        seed, "X", uscc, rank, pool, per_target, False, None, banned["expert"]
    )
    experts.add(order, matrix, pool, {k: f"专家：{v}" for k, v in unstaffed.items()})
    return inspectors.done(), experts.done()


class _collect:
    """Gathers per-pool matrices into one matrix over all selected targets."""

    def __init__(self, n: int, size: int):
        self.ids: list[str] = []
        self.matrix = np.full((n, size), -1, dtype=np.int64)
        self.unstaffed: dict[str, str] = {}

    def add(self, rows, matrix, people, unstaffed):
        self.unstaffed.update(unstaffed)
        if matrix is not None and len(rows):
            self.matrix[rows] = matrix + len(self.ids)
        self.ids += [p.id for p in people]

    def done(self) -> Teams:
        return Teams(self.ids, self.matrix, self.unstaffed)


# --- the whole draw -----------------------------------------------------------------------------


@dataclass
class Draw:
    digests: dict[str, str]
    seed: bytes
    selected: Selected
    uscc: np.ndarray  # selected, USCC order
    certain: np.ndarray
    inspectors: Teams
    experts: Teams
    result_csv: bytes = b""
    db_ids: np.ndarray | None = None  # selected rows' (entity, district, station) ids

    @property
    def unstaffed(self) -> dict[str, str]:
        return self.inspectors.unstaffed | self.experts.unstaffed


def digests_of(rules, targets: Targets, other_rows: dict) -> dict[str, str]:
    digests = {"rules": P.sha256_hex(P.canonical_rules(rules))}
    digests["targets"] = targets.digest()
    for name in ("inspectors", "experts", "exclusions"):
        digests[name] = P.sha256_hex(P.canonical_csv(P.ROSTER_FILES[name][1], other_rows[name]))
    return digests


def run(rules, seed: bytes, targets: Targets, other_rows: dict, digests=None) -> Draw:
    """protocol.run_rows with the target roster as columns (inspectors etc. stay rows)."""
    targets = targets.sorted()
    digests = dict(digests or digests_of(rules, targets, other_rows))
    sel = select(rules, seed, targets)
    uscc = targets.uscc[sel.index]
    district = targets.district[sel.index]
    inspectors, experts = assign(
        rules, seed, uscc, sel.rank, district, targets.district_codes, other_rows
    )
    draw = Draw(digests, seed, sel, uscc, targets.certain[sel.index], inspectors, experts)
    if targets.db_ids is not None:
        draw.db_ids = targets.db_ids[sel.index]
    if not draw.unstaffed:
        draw.result_csv = result_csv(draw)
        draw.digests["result"] = P.sha256_hex(draw.result_csv)
    return draw


def result_csv(draw: Draw) -> bytes:
    """protocol.result_csv, column-wise: rows are already in USCC order."""
    labels = draw.selected.labels
    codes = sorted(labels)
    text = _joined(draw.inspectors), _joined(draw.experts)
    lookup = np.array([labels[k].encode() for k in codes], dtype=object)
    stratum = lookup[np.searchsorted(codes, draw.selected.stratum)]
    certain = np.where(draw.certain, b"1", b"0")
    lines = [
        b",".join(row)
        for row in zip(
            draw.uscc.tolist(), stratum.tolist(), certain.tolist(), text[0], text[1], strict=True
        )
    ]
    if any(_needs_quotes(v) for v in labels.values()) or any(
        _needs_quotes(i) for t in (draw.inspectors, draw.experts) for i in t.ids
    ):
        raise ValueError("名单中的编号或分层含逗号、引号或换行，不符合规范格式")
    header = ",".join(P.RESULT_COLUMNS).encode()
    return b"\n".join([header, *lines]) + b"\n"


def _joined(teams: Teams) -> list[bytes]:
    ids = np.array([i.encode() for i in teams.ids] + [b""], dtype=object)
    m = teams.matrix
    if m.shape[1] == 0:
        return [b""] * len(m)
    parts = ids[m]  # -1 → b""
    out = parts[:, 0]
    for c in range(1, m.shape[1]):
        out = out + b";" + parts[:, c]
    return out.tolist()


def _needs_quotes(value: str) -> bool:
    return any(ch in value for ch in ',"\r\n')


def compute(rules: dict, seed: bytes, files: dict[str, bytes]) -> P.Computed:
    """protocol.compute on the numpy engine."""
    rows = {
        n: P.read_csv(files[n], P.ROSTER_FILES[n][1])
        for n in ("inspectors", "experts", "exclusions")
    }
    draw = run(rules, seed, Targets.from_csv(files["targets"]), rows)
    return P.Computed(draw.unstaffed, draw.result_csv, draw.selected.sizes, draw.selected.drawn)
