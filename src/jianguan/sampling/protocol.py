#!/usr/bin/env python3
"""jianguan draw protocol, version 1: the reference implementation and a standalone verifier.

This one file uses only the Python standard library, so that anyone can audit a published draw
(双随机抽取) without installing jianguan: `python3 verify_draw.py DRAW_DIR` exits 0 only if the
draw recomputed from the files in DRAW_DIR agrees byte for byte with the published result.
docs/draw-protocol.md specifies every step precisely enough to reimplement it in any language.

Outline:
  freeze   the rosters are canonical CSV (sorted by key, LF, UTF-8); each has a SHA-256 digest
  commit   commitment = SHA-256(secret), published before anything random happens
  seed     SHA-256 over the secret, the external entropy, the rules digest and the roster digests
  draw     every random choice is u(seed, purpose, key) = the first 8 bytes of
           SHA-256(seed || purpose "|" key) read as an unsigned big-endian integer
  proof    proof.json reveals the secret; result.csv lists each selected target and its team
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import struct
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

PROTOCOL = "jianguan-draw/1"

TARGET_COLUMNS = ("uscc", "district", "risk_class", "certain")
INSPECTOR_COLUMNS = ("inspector_id", "pool", "skills")
EXPERT_COLUMNS = ("expert_id",)
EXCLUSION_COLUMNS = ("uscc", "kind", "person_id", "reason")
RESULT_COLUMNS = ("uscc", "stratum", "certain", "inspector_ids", "expert_ids")

ROSTER_FILES = {
    "targets": ("targets.csv", TARGET_COLUMNS),
    "inspectors": ("inspectors.csv", INSPECTOR_COLUMNS),
    "experts": ("experts.csv", EXPERT_COLUMNS),
    "exclusions": ("exclusions.csv", EXCLUSION_COLUMNS),
}
RESULT_FILE = "result.csv"
PROOF_FILE = "proof.json"
ALL_POOL = "*"


class RuleError(ValueError):
    """The rules cannot be applied to these rosters (e.g. a general item's cap is exceeded)."""


# --- canonical forms and digests ----------------------------------------------------------------


def canonical_csv(columns: tuple[str, ...], rows) -> bytes:
    """Header, then the rows (tuples of str) sorted; LF endings; minimal RFC 4180 quoting."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(sorted(map(tuple, rows)))
    return out.getvalue().encode("utf-8")


def read_csv(data: bytes, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = tuple(next(reader, ()))
    if header != columns:
        raise ValueError(f"表头应为 {','.join(columns)}，实际为 {','.join(header)}")
    return [tuple(row) for row in reader]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_rules(rules: dict) -> bytes:
    return json.dumps(rules, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def commitment(secret_hex: str) -> str:
    """The published commitment: SHA-256 of the secret's 32 raw bytes."""
    return sha256_hex(bytes.fromhex(secret_hex))


def derive_seed(secret_hex: str, entropy: str, digests: dict[str, str]) -> bytes:
    """Seed = SHA-256 of the lines: protocol, secret, entropy, rules digest, roster digests."""
    lines = [PROTOCOL, secret_hex, entropy, digests["rules"]]
    lines += [digests[name] for name in ROSTER_FILES]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).digest()


def uniform(seed: bytes, purpose: str, key: str) -> int:
    """The protocol's only source of randomness: a keyed hash of an object's key, as uint64."""
    digest = hashlib.sha256(seed + f"{purpose}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def uniforms(seed: bytes, purpose: str, keys) -> list[int]:
    """uniform() for many keys: the hash object is prefixed once and copied."""
    base = hashlib.sha256(seed + f"{purpose}|".encode())
    out = []
    for key in keys:
        h = base.copy()
        h.update(key.encode())
        out.append(int.from_bytes(h.digest()[:8], "big"))
    return out


# --- target selection ---------------------------------------------------------------------------


def stratum_fields(rules: dict) -> list[str]:
    sampling = rules["sampling"]
    fields = [f for f in sampling.get("stratify_by", []) if f in ("district", "risk_class")]
    if sampling.get("class_ratios") and "risk_class" not in fields:
        fields.append("risk_class")  # a ratio per class needs the class in the stratum
    return fields


def stratum_of(fields: list[str], district: str, risk_class: str) -> str:
    parts = [district if f == "district" else (risk_class or "-") for f in fields]
    return "|".join(parts) or ALL_POOL


def stratum_ratio(sampling: dict, risk_class: str) -> Fraction:
    ratio = (sampling.get("class_ratios") or {}).get(risk_class, sampling.get("ratio"))
    if ratio is None:
        raise RuleError(f"未规定风险分类「{risk_class or '未分类'}」的抽查比例")
    return Fraction(str(ratio))


def quotas(rules: dict, sizes: dict[str, int], class_of: dict[str, str]) -> dict[str, int]:
    """How many to draw from each stratum (sizes: stratum → eligible non-certain count)."""
    sampling = rules["sampling"]
    minimum = int(sampling.get("min_per_stratum") or 0)
    if sampling["mode"] == "ratio":
        n = {s: math.ceil(size * stratum_ratio(sampling, class_of[s])) for s, size in sizes.items()}
    elif sampling["mode"] == "count":
        n = _largest_remainder(int(sampling["count"]), sizes)
    else:
        raise RuleError(f"未知的抽取方式「{sampling['mode']}」")
    n = {s: min(sizes[s], max(k, min(minimum, sizes[s]))) for s, k in n.items()}
    cap = sampling.get("cap")
    total = sum(sizes.values())
    if cap is not None and total and Fraction(sum(n.values()), total) > Fraction(str(cap)):
        share = float(Fraction(sum(n.values()), total))
        raise RuleError(
            f"按规则将随机抽取 {sum(n.values())} 户（{share:.2%}），"
            f"超过一般检查事项的抽查比例上限 {float(Fraction(str(cap))):.2%}"
        )
    return n


def _largest_remainder(count: int, sizes: dict[str, int]) -> dict[str, int]:
    total = sum(sizes.values())
    if count >= total:
        return dict(sizes)
    exact = {s: Fraction(count * size, total) for s, size in sizes.items()}
    n = {s: math.floor(q) for s, q in exact.items()}
    order = sorted(sizes, key=lambda s: (-(exact[s] - n[s]), s))
    for s in order[: count - sum(n.values())]:
        n[s] += 1
    return n


@dataclass
class Target:
    uscc: str
    district: str
    stratum: str
    certain: bool
    rank: int  # u(seed, "T", uscc): order within the stratum and within the assignment pool


def select(rules: dict, seed: bytes, targets: list[tuple[str, ...]]) -> list[Target]:
    """Certainty-group members, then per stratum the n with the smallest (u, uscc)."""
    fields = stratum_fields(rules)
    ranks = uniforms(seed, "T", [row[0] for row in targets])
    chosen: list[Target] = []
    strata: dict[str, list[Target]] = {}
    class_of: dict[str, str] = {}
    for (uscc, district, risk_class, certain), rank in zip(targets, ranks, strict=True):
        stratum = stratum_of(fields, district, risk_class)
        target = Target(uscc, district, stratum, certain == "1", rank)
        if target.certain:
            chosen.append(target)
        else:
            strata.setdefault(stratum, []).append(target)
            class_of[stratum] = risk_class
    n = quotas(rules, {s: len(members) for s, members in strata.items()}, class_of)
    for stratum, members in strata.items():
        members.sort(key=lambda t: (t.rank, t.uscc))
        chosen += members[: n[stratum]]
    return chosen


# --- assignment of inspectors and experts -------------------------------------------------------


@dataclass
class Person:
    id: str
    skilled: bool
    priority: int


@dataclass
class Assignment:
    teams: dict[str, list[str]] = field(default_factory=dict)  # uscc → person ids, slot order
    experts: dict[str, list[str]] = field(default_factory=dict)  # uscc → expert ids
    unstaffed: dict[str, str] = field(default_factory=dict)  # uscc → reason


def assign_pool(
    seed: bytes,
    purpose: str,
    targets: list[Target],
    people: list[Person],
    size: int,
    need_skill: bool,
    max_load: int | None,
    banned: dict[str, set[str]],
) -> Assignment:
    """Teams of `size` distinct people for every target of one pool, loads balanced.

    Loads are fixed first (balanced quotas), then each person's slots are shuffled and dealt to
    the targets, and the few teams with a repeated or barred member are repaired by swaps.
    That succeeds on every ordinary roster; when it does not, the exact min-cost flow decides,
    so a feasible assignment is never declared infeasible.
    """
    out = Assignment()
    if not targets or size == 0:
        out.teams = {t.uscc: [] for t in targets}
        return out
    targets = sorted(targets, key=lambda t: (t.rank, t.uscc))
    people = sorted(people, key=lambda p: (p.priority, p.id))
    skilled = [p for p in people if p.skilled] if need_skill else people
    ids, skilled_ids = {p.id for p in people}, {p.id for p in skilled}
    if need_skill and not skilled_ids:
        return Assignment(unstaffed={t.uscc: "没有具备所需专长的可选人员" for t in targets})
    for t in targets:
        reason = _hopeless(banned.get(t.uscc, set()), ids, skilled_ids, size)
        if reason:
            out.unstaffed[t.uscc] = reason
    if out.unstaffed:
        return out
    cap = len(targets) if max_load is None else min(max_load, len(targets))
    if len(people) * cap < size * len(targets):
        reason = (
            f"可选人员 {len(people)} 人、每人至多 {cap} 户，"
            f"不足以承担 {len(targets)} 户 × {size} 人的检查"
        )
        return Assignment(unstaffed={t.uscc: reason for t in targets})
    if need_skill and len(skilled) * cap < len(targets):
        reason = f"具备所需专长的人员 {len(skilled)} 人、每人至多 {cap} 户，不足以每户配备 1 人"
        return Assignment(unstaffed={t.uscc: reason for t in targets})
    quota = _balanced_quotas(people, skilled, size, len(targets), cap, need_skill)
    teams = _permuted_teams(seed, purpose, targets, people, quota, size, need_skill)
    if _repair(teams, [banned.get(t.uscc) for t in targets], need_skill):
        out.teams = {t.uscc: team for t, team in zip(targets, teams, strict=True)}
        return out
    return _flow(targets, people, size, need_skill, cap, banned)


def _hopeless(barred: set[str], ids: set[str], skilled_ids: set[str], size: int) -> str:
    free = len(ids - barred) if barred else len(ids)
    if free < size:
        return f"可选人员 {free} 人（已排除回避、轮换 {len(ids) - free} 人），少于每组 {size} 人"
    if skilled_ids and barred and not skilled_ids - barred:
        return "排除回避、轮换后，没有具备所需专长的可选人员"
    return ""


def _balanced_quotas(people, skilled, size, n_targets, cap, need_skill) -> dict[str, int]:
    """Loads differ by at most 1 among equally eligible people; the +1s go by priority."""
    total = size * n_targets
    quota = _spread(people, total)
    if need_skill and sum(quota[p.id] for p in skilled) < n_targets:
        plain = [p for p in people if not p.skilled]
        skilled_total = max(n_targets, total - len(plain) * cap)
        quota = _spread(skilled, skilled_total) | _spread(plain, total - skilled_total)
    return quota


def _spread(people, total: int) -> dict[str, int]:
    if not people:
        return {}
    base, extra = divmod(total, len(people))
    return {p.id: base + (1 if i < extra else 0) for i, p in enumerate(people)}


def _skill_split(people, quota, n_targets) -> dict[str, int]:
    """How many first (skilled) slots each skilled person takes: n_targets spread by priority,
    never above the person's quota (the excess moves on to the next person with room)."""
    skilled = [p for p in people if p.skilled]
    first = _spread(skilled, n_targets)
    excess = 0
    for p in skilled:
        over = max(0, first[p.id] - quota[p.id])
        first[p.id] -= over
        excess += over
    for p in skilled:
        room = min(excess, quota[p.id] - first[p.id])
        first[p.id] += room
        excess -= room
    return first


def stream(seed: bytes, purpose: str, count: int) -> list[int]:
    """count numbers: r_j = the (j mod 4)-th big-endian 8-byte word of
    SHA-256(seed || purpose "|" floor(j / 4))."""
    out: list[int] = []
    for block in range((count + 3) // 4):
        digest = hashlib.sha256(seed + f"{purpose}|{block}".encode()).digest()
        out += struct.unpack(">4Q", digest)
    return out[:count]


def shuffled(seed: bytes, purpose: str, items: list[str]) -> list[str]:
    """items ordered by (r_j, j): a uniform random permutation fixed by the seed."""
    keys = stream(seed, purpose, len(items))
    order = sorted(range(len(items)), key=lambda j: (keys[j], j))
    return [items[j] for j in order]


def _permuted_teams(seed, purpose, targets, people, quota, size, need_skill):
    """Each person's slots, shuffled, dealt row by row; the first slot from the skilled list."""
    first = _skill_split(people, quota, len(targets)) if need_skill else {}
    skilled_slots = [p.id for p in people for _ in range(first.get(p.id, 0))]
    other_slots = [p.id for p in people for _ in range(quota[p.id] - first.get(p.id, 0))]
    skilled_slots = shuffled(seed, f"{purpose}|S", skilled_slots)
    other_slots = shuffled(seed, f"{purpose}|O", other_slots)
    width = size - 1 if need_skill else size
    return [
        ([skilled_slots[row]] if need_skill else []) + other_slots[row * width : (row + 1) * width]
        for row in range(len(targets))
    ]


def _repair(teams, barred, need_skill, rows=None) -> bool:
    """Make every team distinct and free of barred people by swapping slots between rows.

    Rows are repaired in order (`rows`: the rows that may need it; a repaired row never breaks
    again). A bad slot swaps with the first slot, scanning the rows after it cyclically and
    their slots in order, whose person may take this row and whose row may take this person;
    a skilled first slot swaps only with another first slot. False: no swap exists.
    """
    n = len(teams)
    for row in range(n) if rows is None else rows:
        while (slot := _bad_slot(teams[row], barred[row])) is not None:
            if not _swap(teams, barred, need_skill, row, slot, n):
                return False
    return True


def _bad_slot(team, barred):
    seen = set()
    for slot, pid in enumerate(team):
        if pid in seen or (barred and pid in barred):
            return slot
        seen.add(pid)
    return None


def _swap(teams, barred, need_skill, row, slot, n) -> bool:
    mine, my_team, my_bars = teams[row][slot], teams[row], barred[row] or ()
    for step in range(1, n):
        other = (row + step) % n
        their_team, their_bars = teams[other], barred[other] or ()
        slots = [0] if need_skill and slot == 0 else range(1 if need_skill else 0, len(their_team))
        for their_slot in slots:
            theirs = their_team[their_slot]
            if (
                theirs not in my_team
                and theirs not in my_bars
                and mine not in their_team
                and mine not in their_bars
            ):
                my_team[slot], their_team[their_slot] = theirs, mine
                return True
    return False


def _flow(targets, people, size, need_skill, cap, banned) -> Assignment:
    """Exact fallback: min-cost max-flow with convex load costs (so loads stay balanced).

    Nodes: source → person (one arc per load level ℓ = 1..cap, cost ℓ) → target's skilled or
    plain slot group → target (size slots) → sink. Arcs are added in priority order, and the
    shortest-path search breaks ties by arc order, so the result is fully determined.
    """
    graph = _Graph()
    source, sink = graph.node(), graph.node()
    person_node = {p.id: graph.node() for p in people}
    for p in people:
        for level in range(1, cap + 1):
            graph.arc(source, person_node[p.id], 1, level)
    slot_arcs: dict[str, list[tuple[int, str]]] = {}
    target_arc: dict[str, int] = {}
    for t in targets:
        node, skilled_node, plain_node = graph.node(), graph.node(), graph.node()
        graph.arc(skilled_node, node, size, 0)
        graph.arc(plain_node, node, size - 1 if need_skill else size, 0)
        target_arc[t.uscc] = graph.arc(node, sink, size, 0)
        barred = banned.get(t.uscc, set())
        arcs = []
        for p in people:
            if p.id not in barred:
                into = skilled_node if (p.skilled or not need_skill) else plain_node
                arcs.append((graph.arc(person_node[p.id], into, 1, 0), p.id))
        slot_arcs[t.uscc] = arcs
    graph.min_cost_flow(source, sink)
    out = Assignment()
    for t in targets:
        if graph.flow(target_arc[t.uscc]) < size:
            out.unstaffed[t.uscc] = (
                "检查人员工作量上限或回避限制下无法配齐（与其他检查对象竞争同一批人员）"
            )
    if out.unstaffed:
        return out
    order = {p.id: (not p.skilled, i) for i, p in enumerate(people)}
    for t in targets:
        team = [pid for arc, pid in slot_arcs[t.uscc] if graph.flow(arc)]
        out.teams[t.uscc] = sorted(team, key=order.__getitem__)
    return out


class _Graph:
    def __init__(self):
        self.adj: list[list[int]] = []
        self.to: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []

    def node(self) -> int:
        self.adj.append([])
        return len(self.adj) - 1

    def arc(self, a: int, b: int, cap: int, cost: int) -> int:
        for x, y, c, w in ((a, b, cap, cost), (b, a, 0, -cost)):
            self.adj[x].append(len(self.to))
            self.to.append(y)
            self.cap.append(c)
            self.cost.append(w)
        return len(self.to) - 2

    def flow(self, arc: int) -> int:
        return self.cap[arc ^ 1]

    def min_cost_flow(self, s: int, t: int) -> None:
        """Successive shortest paths (Bellman–Ford queue), one unit per augmentation."""
        n = len(self.adj)
        while True:
            dist, via, queued = [None] * n, [-1] * n, [False] * n
            dist[s], queue = 0, [s]
            while queue:
                u = queue.pop(0)
                queued[u] = False
                for e in self.adj[u]:
                    v = self.to[e]
                    if self.cap[e] > 0 and (dist[v] is None or dist[u] + self.cost[e] < dist[v]):
                        dist[v], via[v] = dist[u] + self.cost[e], e
                        if not queued[v]:
                            queued[v] = True
                            queue.append(v)
            if dist[t] is None:
                return
            v = t
            while v != s:
                e = via[v]
                self.cap[e] -= 1
                self.cap[e ^ 1] += 1
                v = self.to[e ^ 1]


def assign(rules, seed, chosen, inspectors, experts, exclusions) -> Assignment:
    """Inspector teams per pool (district or all), then experts city-wide."""
    team = rules["team"]
    skills = set(team.get("skills") or [])
    banned_i: dict[str, set[str]] = {}
    banned_e: dict[str, set[str]] = {}
    for uscc, kind, person_id, _reason in exclusions:
        (banned_i if kind == "inspector" else banned_e).setdefault(uscc, set()).add(person_id)
    by_pool: dict[str, list[Person]] = {}
    priorities = uniforms(seed, "I", [row[0] for row in inspectors])
    for (pid, pool, tags), priority in zip(inspectors, priorities, strict=True):
        held = set(tags.split(";")) if tags else set()
        by_pool.setdefault(pool, []).append(Person(pid, bool(skills & held), priority))
    pooled = team.get("pool_by") == "district"
    targets_by_pool: dict[str, list[Target]] = {}
    for t in chosen:
        targets_by_pool.setdefault(t.district if pooled else ALL_POOL, []).append(t)
    out = Assignment()
    for pool in sorted(targets_by_pool):
        part = assign_pool(
            seed,
            f"P:{pool}",
            targets_by_pool[pool],
            by_pool.get(pool, []),
            int(team["size"]),
            bool(skills),
            team.get("max_load"),
            banned_i,
        )
        out.teams.update(part.teams)
        out.unstaffed.update(part.unstaffed)
    per_target = int((rules.get("experts") or {}).get("per_target") or 0)
    expert_ids = [row[0] for row in experts]
    pool = [
        Person(e, True, u) for e, u in zip(expert_ids, uniforms(seed, "E", expert_ids), strict=True)
    ]
    part = assign_pool(seed, "X", chosen, pool, per_target, False, None, banned_e)
    out.experts = part.teams
    out.unstaffed.update({k: f"专家：{v}" for k, v in part.unstaffed.items()})
    return out


# --- the whole draw and its verification --------------------------------------------------------


@dataclass
class Draw:
    digests: dict[str, str]
    seed: bytes
    targets: list[Target]
    assignment: Assignment
    result_csv: bytes = b""


def roster_digests(rules: dict, rosters: dict[str, bytes]) -> dict[str, str]:
    digests = {"rules": sha256_hex(canonical_rules(rules))}
    for name, (_file, columns) in ROSTER_FILES.items():
        digests[name] = sha256_hex(canonical_csv(columns, read_csv(rosters[name], columns)))
    return digests


def run(rules: dict, secret_hex: str, entropy: str, rosters: dict[str, bytes]) -> Draw:
    """The complete draw from canonical inputs; rosters maps roster name → CSV bytes."""
    rows = {name: read_csv(rosters[name], cols) for name, (_f, cols) in ROSTER_FILES.items()}
    return run_rows(rules, secret_hex, entropy, rows)


def run_rows(rules, secret_hex, entropy, rows, digests=None) -> Draw:
    if digests is None:
        digests = {"rules": sha256_hex(canonical_rules(rules))}
        for name, (_file, columns) in ROSTER_FILES.items():
            digests[name] = sha256_hex(canonical_csv(columns, rows[name]))
    seed = derive_seed(secret_hex, entropy, digests)
    chosen = select(rules, seed, rows["targets"])
    assignment = assign(
        rules, seed, chosen, rows["inspectors"], rows["experts"], rows["exclusions"]
    )
    draw = Draw(digests, seed, chosen, assignment)
    if not assignment.unstaffed:
        draw.result_csv = result_csv(draw)
        draw.digests["result"] = sha256_hex(draw.result_csv)
    return draw


def result_csv(draw: Draw) -> bytes:
    experts = draw.assignment.experts
    rows = [
        (
            t.uscc,
            t.stratum,
            "1" if t.certain else "0",
            ";".join(draw.assignment.teams[t.uscc]),
            ";".join(experts.get(t.uscc, [])),
        )
        for t in draw.targets
    ]
    return canonical_csv(RESULT_COLUMNS, rows)


def compute(rules: dict, secret_hex: str, entropy: str, files: dict[str, bytes]):
    """(unstaffed, result.csv bytes) recomputed from the roster files."""
    draw = run(rules, secret_hex, entropy, files)
    return draw.assignment.unstaffed, draw.result_csv


def verify(directory: str | Path, compute=compute) -> list[str]:
    """Recompute the draw in `directory`; return what disagrees (empty: the draw is verified)."""
    directory = Path(directory)
    try:
        proof = json.loads((directory / PROOF_FILE).read_text("utf-8"))
        files = {name: (directory / f).read_bytes() for name, (f, _c) in ROSTER_FILES.items()}
        published = (directory / RESULT_FILE).read_bytes()
    except (OSError, ValueError) as exc:
        return [f"无法读取抽取文件：{exc}"]
    if proof.get("protocol") != PROTOCOL:
        return [f"协议版本 {proof.get('protocol')!r} 不是 {PROTOCOL}"]
    problems = []
    if commitment(proof["secret"]) != proof["commitment"]:
        problems.append("secret：公开的密钥与事先公布的承诺值（commitment）不符")
    try:
        digests = roster_digests(proof["rules"], files)
    except ValueError as exc:
        return problems + [f"名单文件格式错误：{exc}"]
    for name, value in digests.items():
        if proof["digests"].get(name) != value:
            where = "rules：抽取规则" if name == "rules" else f"{ROSTER_FILES[name][0]}：冻结名单"
            problems.append(f"{where}的摘要与 proof.json 记录的不符（内容被改动）")
    if derive_seed(proof["secret"], proof.get("external_entropy", ""), digests).hex() != proof.get(
        "seed"
    ):
        problems.append("seed：由密钥、外部随机数和各摘要计算的随机种子与 proof.json 记录的不符")
    try:
        unstaffed, expected = compute(
            proof["rules"], proof["secret"], proof.get("external_entropy", ""), files
        )
    except (RuleError, ValueError, KeyError) as exc:
        return problems + [f"无法重算抽取：{exc}"]
    if unstaffed:
        return problems + ["重算结果：有检查对象无法配齐检查人员，而公布的结果声称已配齐"]
    if sha256_hex(published) != proof["digests"].get("result"):
        problems.append("result.csv：结果文件的摘要与 proof.json 记录的不符")
    problems += _diff_results(expected, published)
    return problems


def _diff_results(expected: bytes, published: bytes) -> list[str]:
    if expected == published:
        return []
    want = {r[0]: r for r in read_csv(expected, RESULT_COLUMNS)}
    try:
        have = {r[0]: r for r in read_csv(published, RESULT_COLUMNS)}
    except ValueError as exc:
        return [f"result.csv：{exc}"]
    problems = []
    for uscc in sorted(set(want) | set(have)):
        if uscc not in have:
            problems.append(f"result.csv：重算抽中 {uscc}，公布的结果中没有")
        elif uscc not in want:
            problems.append(f"result.csv：公布的结果含 {uscc}，重算未抽中")
        elif want[uscc] != have[uscc]:
            for col, a, b in zip(RESULT_COLUMNS, want[uscc], have[uscc], strict=True):
                if a != b:
                    problems.append(f"result.csv：{uscc} 的 {col} 应为 {a!r}，公布的是 {b!r}")
    if not problems:
        problems.append("result.csv：内容与重算结果一致，但文件格式不是规范格式")
    return problems[:50]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("用法：python3 verify_draw.py 抽取文件目录", file=sys.stderr)
        return 2
    problems = verify(args[0])
    if problems:
        print("验证失败：")
        for line in problems:
            print(f"  - {line}")
        return 1
    print("验证通过：由公开的文件重算的抽取结果与公布的结果逐字节一致。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
