#!/usr/bin/env python3
"""jianguan draw protocol (versions 2 and 1): the reference implementation and a standalone verifier.

This one file uses only the Python standard library, so that anyone can audit a published draw
(双随机抽取) without installing jianguan: `python3 verify_draw.py DRAW_DIR` exits 0 only if the
draw recomputed from the files in DRAW_DIR agrees byte for byte with the published result and
every field of proof.json that has a meaning is consistent. docs/draw-protocol.md specifies every
step precisely enough to reimplement it in any language.

Outline (version 2, `jianguan-draw/2`):
  freeze   the rosters are canonical CSV (sorted, LF, UTF-8); each has a SHA-256 digest
  declare  which future public value will be the external entropy, and its canonical form
  commit   commitment = SHA-256(secret || protocol, rules, roster and declaration digests):
           it binds everything known before the randomness exists
  entropy  the declared value, entered once, in its canonical form
  seed     SHA-256(secret || protocol, commitment, entropy)
  draw     every random choice is u(seed, purpose, key) = the first 8 bytes of
           SHA-256(seed || purpose "|" key) read as an unsigned big-endian integer
  proof    proof.json reveals the secret; result.csv lists each selected target and its team
Version 1 proofs (`jianguan-draw/1`) keep verifying under the version 1 rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import struct
import sys
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

PROTOCOL_V1 = "jianguan-draw/1"
PROTOCOL = "jianguan-draw/2"

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
# Version 2: the public proof leaves out what the public may not see (risk class, key tier,
# staff ids, conflict reasons); the commitment binds those files by digest.
PERSON_COLUMNS = ("person_id", "kind", "staff_id")
EXTRA_FILES = {
    "targets_public": ("targets.public.csv", ("uscc", "district")),
    "exclusions_public": ("exclusions.public.csv", ("uscc", "kind", "person_id")),
    "persons": ("persons.csv", PERSON_COLUMNS),
}
PUBLIC_FILES = ("targets_public", "inspectors", "experts", "exclusions_public")
RESULT_PUBLIC_FILE = "result.public.csv"
RESULT_PUBLIC_COLUMNS = ("uscc", "inspector_ids", "expert_ids")
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
    rows = [tuple(row) for row in reader]
    for line, row in enumerate(rows, 2):
        if len(row) != len(columns):
            raise ValueError(f"第 {line} 行应有 {len(columns)} 列，实际为 {len(row)} 列")
    return rows


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_rules(rules: dict) -> bytes:
    return canonical_json(rules)


# --- secret, commitment, entropy, seed ------------------------------------------------------------

SECRET_BYTES = 32
# The digests the version 2 commitment binds, in this order (proof.digests also holds "result").
COMMITTED = (
    "rules",
    "targets",
    "targets_public",
    "inspectors",
    "experts",
    "exclusions",
    "exclusions_public",
    "persons",
    "entropy_declaration",
)
DECLARATION_KEYS = ("announced_at", "format", "identifier", "source")
ENTROPY_KINDS = {"digits": "位数字", "numbers": "个号码"}
# After NFKC (full-width digits and commas become ASCII), these separate the digits or numbers.
ENTROPY_SEPARATORS = re.compile(r"[\s,;:+|/、·.\-]+")


def secret_bytes(text) -> bytes:
    """The secret's only text form: exactly 64 lower-case hexadecimal characters (32 bytes).

    Anything else (upper case, whitespace, another length) is refused, so that one commitment
    can never stand for several seeds."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9a-f]{64}", text):
        raise ValueError(
            "密钥须恰为 64 位小写十六进制字符（32 字节），不得含空白、大写字母或其他字符"
        )
    return bytes.fromhex(text)


def canonical_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def declaration_digest(declaration: dict | None) -> str:
    """SHA-256 of the canonical JSON of the entropy declaration (`null` when there is none)."""
    return sha256_hex(canonical_json(declaration))


def commitment(secret: bytes, digests: dict[str, str]) -> str:
    """Version 2: SHA-256(secret || UTF-8 of the lines protocol, then name=digest for COMMITTED).

    It binds the secret, the rules, every roster and the entropy declaration: changing any of
    them after the commitment changes it."""
    if len(secret) != SECRET_BYTES:
        raise ValueError("密钥须为 32 字节")
    lines = [PROTOCOL] + [f"{name}={digests[name]}" for name in COMMITTED]
    return sha256_hex(secret + "\n".join(lines).encode("utf-8"))


def seed_of(secret: bytes, commitment_hex: str, entropy: str) -> bytes:
    """Version 2: SHA-256(secret || UTF-8 of protocol "\n" commitment "\n" entropy)."""
    return hashlib.sha256(secret + f"{PROTOCOL}\n{commitment_hex}\n{entropy}".encode()).digest()


def commitment_v1(secret_hex: str) -> str:
    """Version 1: SHA-256 of the secret's raw bytes (it bound nothing else)."""
    return sha256_hex(bytes.fromhex(secret_hex))


def derive_seed(secret_hex: str, entropy: str, digests: dict[str, str]) -> bytes:
    """Version 1: SHA-256 of the lines protocol, secret (hex as written), entropy, digests."""
    lines = [PROTOCOL_V1, secret_hex, entropy, digests["rules"]]
    lines += [digests[name] for name in ROSTER_FILES]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).digest()


def entropy_format(fmt) -> tuple[str, int]:
    """ "digits:N" (N decimal digits, e.g. 福彩3D: digits:3) or "numbers:N" (N numbers, e.g.
    双色球: numbers:7), 1 ≤ N ≤ 100."""
    kind, _, count = fmt.partition(":") if isinstance(fmt, str) else ("", "", "")
    if kind not in ENTROPY_KINDS or not re.fullmatch(r"[1-9][0-9]?|100", count):
        raise ValueError(f"外部随机数的规范形式 {fmt!r} 无效（应为 digits:N 或 numbers:N）")
    return kind, int(count)


def normalise_entropy(value: str, fmt: str) -> str:
    """The declared canonical text of a public value, however it was typed.

    NFKC (full-width digits become ASCII), then runs of whitespace and , ; : + | / 、 · . -
    separate; anything else is refused. digits:N → the N digits joined without separator
    ("5 1 7" → "517"); numbers:N → the N numbers in the announced order, each as at least two
    decimal digits, joined by one space ("3,7,12,19,25,31+9" → "03 07 12 19 25 31 09")."""
    kind, count = entropy_format(fmt)
    text = unicodedata.normalize("NFKC", value or "").strip()
    tokens = [t for t in ENTROPY_SEPARATORS.split(text) if t]
    if not tokens or not all(t.isascii() and t.isdigit() for t in tokens):
        raise ValueError("外部随机数只能由数字和分隔符（空格、逗号、顿号、加号等）组成")
    if kind == "digits":
        digits = "".join(tokens)
        if len(digits) != count:
            raise ValueError(f"外部随机数应为 {count} 位数字，实际为 {len(digits)} 位")
        return digits
    if len(tokens) != count:
        raise ValueError(f"外部随机数应为 {count} 个号码，实际为 {len(tokens)} 个")
    return " ".join(f"{int(t):02d}" for t in tokens)


def parse_time(value) -> dt.datetime:
    """An ISO 8601 time with its UTC offset (a time without one is ambiguous and refused)."""
    if not isinstance(value, str):
        raise ValueError(f"时间 {value!r} 不是文本")
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError(f"时间 {value} 未注明时区")
    return when


def declaration_problems(declaration) -> list[str]:
    """What is wrong with an entropy declaration (empty: it is well formed)."""
    if not isinstance(declaration, dict) or tuple(sorted(declaration)) != DECLARATION_KEYS:
        return [f"外部随机数声明应恰含 {'、'.join(DECLARATION_KEYS)} 四项"]
    problems = [
        f"外部随机数声明的 {k} 不能为空"
        for k in DECLARATION_KEYS
        if not isinstance(declaration[k], str) or not declaration[k].strip()
    ]
    if problems:
        return problems
    for check in (
        lambda: parse_time(declaration["announced_at"]),
        lambda: entropy_format(declaration["format"]),
    ):
        try:
            check()
        except ValueError as exc:
            problems.append(f"外部随机数声明：{exc}")
    return problems


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
    """How many to draw from each stratum (sizes: stratum → eligible non-certain count).

    Ratios round up, unless rounding up would take the draw over the cap of a general item:
    then every stratum's exact share is rounded down and the strata with the largest remainders
    get one more, as far as the cap allows (2% of 308 = 6.16 → 6, never 7)."""
    sampling = rules["sampling"]
    minimum = int(sampling.get("min_per_stratum") or 0)
    cap = sampling.get("cap")
    total = sum(sizes.values())
    if sampling["mode"] == "ratio":
        exact = {s: size * stratum_ratio(sampling, class_of[s]) for s, size in sizes.items()}
        n = {s: math.ceil(q) for s, q in exact.items()}
        if cap is not None and Fraction(sum(n.values()), total or 1) > Fraction(str(cap)):
            n = _rounded_within(exact, math.floor(total * Fraction(str(cap))))
    elif sampling["mode"] == "count":
        n = _largest_remainder(int(sampling["count"]), sizes)
    else:
        raise RuleError(f"未知的抽取方式「{sampling['mode']}」")
    n = {s: min(sizes[s], max(k, min(minimum, sizes[s]))) for s, k in n.items()}
    if cap is not None and total and Fraction(sum(n.values()), total) > Fraction(str(cap)):
        share = float(Fraction(sum(n.values()), total))
        raise RuleError(
            f"按规则将随机抽取 {sum(n.values())} 户（{share:.2%}），"
            f"超过一般检查事项的抽查比例上限 {float(Fraction(str(cap))):.2%}"
        )
    return n


def _rounded_within(exact: dict[str, Fraction], budget: int) -> dict[str, int]:
    """Each exact share rounded down, then one more to the strata with the largest remainders
    (ties by stratum label ascending) while the total stays within budget."""
    n = {s: math.floor(q) for s, q in exact.items()}
    rest = sorted((s for s in exact if exact[s] > n[s]), key=lambda s: (-(exact[s] - n[s]), s))
    for s in rest[: max(0, budget - sum(n.values()))]:
        n[s] += 1
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


def select(rules: dict, seed: bytes, targets: list[tuple[str, ...]], counts=None) -> list[Target]:
    """Certainty-group members, then per stratum the n with the smallest (u, uscc).

    counts, if given, receives "population" (stratum → N) and "drawn" (stratum → n)."""
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
    sizes = {s: len(members) for s, members in strata.items()}
    n = quotas(rules, sizes, class_of)
    if counts is not None:
        counts.update(population=sizes, drawn=n)
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
    counts: dict = field(default_factory=dict)  # "population" and "drawn" per stratum


def roster_digests(rules: dict, rosters: dict[str, bytes]) -> dict[str, str]:
    digests = {"rules": sha256_hex(canonical_rules(rules))}
    for name, (_file, columns) in ROSTER_FILES.items():
        digests[name] = sha256_hex(canonical_csv(columns, read_csv(rosters[name], columns)))
    return digests


def run(rules: dict, seed: bytes, rosters: dict[str, bytes]) -> Draw:
    """The complete draw from canonical inputs; rosters maps roster name → CSV bytes."""
    rows = {name: read_csv(rosters[name], cols) for name, (_f, cols) in ROSTER_FILES.items()}
    return run_rows(rules, seed, rows)


def run_rows(rules, seed: bytes, rows, digests=None) -> Draw:
    if digests is None:
        digests = {"rules": sha256_hex(canonical_rules(rules))}
        for name, (_file, columns) in ROSTER_FILES.items():
            digests[name] = sha256_hex(canonical_csv(columns, rows[name]))
    counts: dict = {}
    chosen = select(rules, seed, rows["targets"], counts)
    assignment = assign(
        rules, seed, chosen, rows["inspectors"], rows["experts"], rows["exclusions"]
    )
    draw = Draw(dict(digests), seed, chosen, assignment, counts=counts)
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


@dataclass
class Computed:
    """A draw recomputed by a verifier's engine."""

    unstaffed: dict[str, str]
    result_csv: bytes
    population: dict[str, int]  # stratum → eligible non-certain rows
    drawn: dict[str, int]  # stratum → rows drawn at random


def compute(rules: dict, seed: bytes, files: dict[str, bytes]) -> Computed:
    """The draw recomputed from the roster files (this file's engine)."""
    draw = run(rules, seed, files)
    return Computed(
        draw.assignment.unstaffed,
        draw.result_csv,
        draw.counts["population"],
        draw.counts["drawn"],
    )


# --- verification -------------------------------------------------------------------------------
#
# verify() loads a proof directory into a Bundle and runs the checks of its protocol version in
# order; each check returns the problems it found (Chinese, naming what disagrees). A check marked
# fatal stops the run when it finds something (nothing after it could be computed). Further
# checks (e.g. the public board) are passed as `checks` and run after these.

SAFE_TOKEN = re.compile(r'[^,";\r\n]+')  # ids and codes: never quoted, never split by ";"
USCC = re.compile(r"[0-9A-Z]{18}")
PROOF_KEYS = {
    "protocol": str,
    "draw": dict,
    "rules": dict,
    "requires_entropy": bool,
    "commitment": str,
    "secret": str,
    "seed": str,
    "digests": dict,
    "counts": dict,
}
DRAW_KEYS = (
    "id",
    "number",
    "redraw_of",
    "redraw_of_commitment",
    "redraw_reason",
    "frozen_at",
    "committed_at",
    "entropy_entered_at",
    "drawn_at",
)
COUNT_KEYS = (
    "targets",
    "certain",
    "inspectors",
    "experts",
    "exclusions",
    "population",
    "drawn",
    "selected",
)


@dataclass
class Bundle:
    """One proof directory: proof.json, the roster files, the result, and what checks derive.

    public: the public proof (no targets.csv, exclusions.csv, persons.csv nor result.csv; their
    digests are in proof.json and bound by the commitment)."""

    directory: Path
    proof: dict
    files: dict[str, bytes]
    published: bytes
    compute: object
    public: bool = False
    published_public: bytes | None = None
    rows: dict[str, list] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    secret: bytes = b""
    seed: bytes = b""


ALL_FILES = {**ROSTER_FILES, **EXTRA_FILES}


def fatal(check):
    check.fatal = True
    return check


def load(directory: str | Path, compute=compute) -> Bundle | list[str]:
    directory = Path(directory)
    public = not (directory / RESULT_FILE).exists() and (directory / RESULT_PUBLIC_FILE).exists()
    try:
        proof = json.loads((directory / PROOF_FILE).read_bytes().decode("utf-8"))
        files = {
            name: (directory / f).read_bytes()
            for name, (f, _c) in ALL_FILES.items()
            if (directory / f).exists()
        }
        published = (directory / (RESULT_PUBLIC_FILE if public else RESULT_FILE)).read_bytes()
        extra = directory / RESULT_PUBLIC_FILE
        published_public = extra.read_bytes() if extra.exists() else None
    except (OSError, ValueError) as exc:
        return [f"无法读取抽取文件：{exc}"]
    if not isinstance(proof, dict):
        return ["proof.json：内容应为一个 JSON 对象"]
    return Bundle(directory, proof, files, published, compute, public, published_public)


def verify(directory: str | Path, compute=compute, checks=()) -> list[str]:
    """Recompute the draw in `directory`; return what disagrees (empty: the draw is verified)."""
    bundle = load(directory, compute)
    if isinstance(bundle, list):
        return bundle
    version = bundle.proof.get("protocol")
    if version == PROTOCOL_V1:
        return _run_checks(bundle, (*V1_CHECKS, *checks))
    if version != PROTOCOL:
        return [f"protocol：协议版本 {version!r} 不是 {PROTOCOL} 或 {PROTOCOL_V1}"]
    own = V2_PUBLIC_CHECKS if bundle.public else V2_CHECKS
    return _run_checks(bundle, (*own, *checks))


def _run_checks(bundle: Bundle, checks) -> list[str]:
    problems: list[str] = []
    for check in checks:
        found = check(bundle)
        problems += found
        if found and getattr(check, "fatal", False):
            break
    return problems


@fatal
def check_fields(b: Bundle) -> list[str]:
    """Every field with a meaning is present and of its type (nothing below may crash)."""
    p = b.proof
    problems = [
        f"proof.json：缺少 {key} 或其类型不是 {kind.__name__}"
        for key, kind in PROOF_KEYS.items()
        if not isinstance(p.get(key), kind)
    ]
    if not problems:
        problems += [f"proof.json：draw 中缺少 {k}" for k in DRAW_KEYS if k not in p["draw"]]
    for key in ("external_entropy", "entropy_declaration"):
        if key not in p:
            problems.append(f"proof.json：缺少 {key}")
    return problems


def _files_of(b: Bundle) -> tuple[str, ...]:
    if b.proof.get("protocol") == PROTOCOL_V1:
        return tuple(ROSTER_FILES)
    return PUBLIC_FILES if b.public else tuple(ALL_FILES)


@fatal
def check_files(b: Bundle) -> list[str]:
    """Each file is present, in canonical form (the bytes themselves are digested) and well
    formed; in a full proof the public files are the projections of the full ones."""
    problems = []
    for name in _files_of(b):
        file, columns = ALL_FILES[name]
        data = b.files.get(name)
        if data is None:
            problems.append(f"{file}：缺少该文件")
            continue
        try:
            rows = read_csv(data, columns)
            _check_rows(name, rows)
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"{file}：{exc}")
            continue
        if canonical_csv(columns, rows) != data:
            problems.append(
                f"{file}：不是规范格式（须为 UTF-8、LF 换行、仅必要时加引号、数据行按序排列）"
            )
        b.rows[name] = rows
        b.digests[name] = sha256_hex(data)
    b.digests["rules"] = sha256_hex(canonical_rules(b.proof["rules"]))
    if not problems and "persons" in b.rows:
        problems += _projection_problems(b.rows)
    return problems


def _projection_problems(rows: dict[str, list]) -> list[str]:
    problems = []
    if rows["targets_public"] != sorted((t[0], t[1]) for t in rows["targets"]):
        problems.append("targets.public.csv：不是 targets.csv 去掉风险分类和必查两列的结果")
    if rows["exclusions_public"] != sorted(e[:3] for e in rows["exclusions"]):
        problems.append("exclusions.public.csv：不是 exclusions.csv 去掉回避原因一列的结果")
    people = {(r[0], "inspector") for r in rows["inspectors"]}
    people |= {(r[0], "expert") for r in rows["experts"]}
    if {(r[0], r[1]) for r in rows["persons"]} != people:
        problems.append("persons.csv：化名与检查人员、专家名单不一一对应")
    return problems


def _check_rows(name: str, rows: list[tuple[str, ...]]) -> None:
    keys = [row[0] for row in rows] if not name.startswith("exclusions") else []
    if len(set(keys)) != len(keys):
        raise ValueError("编号重复")
    for row in rows:
        if name in ("targets", "targets_public"):
            ok = USCC.fullmatch(row[0]) and SAFE_TOKEN.fullmatch(row[1])
            if name == "targets":
                ok = ok and row[2] in ("", "A", "B", "C", "D") and row[3] in ("0", "1")
        elif name.startswith("exclusions") or name == "persons":  # kind is the 2nd column
            ok = row[1] in ("inspector", "expert") and all(SAFE_TOKEN.fullmatch(v) for v in row[:3])
        else:  # inspectors (id, pool, skills joined by ";") and experts (id)
            ok = all(SAFE_TOKEN.fullmatch(v) for v in row[:2]) and (
                len(row) < 3 or not re.search(r'[,"\r\n]', row[2])
            )
        if not ok:
            raise ValueError(f"行 {','.join(row)} 的内容不合规定")


@fatal
def check_secret(b: Bundle) -> list[str]:
    try:
        b.secret = secret_bytes(b.proof["secret"])
    except ValueError as exc:
        return [f"secret：{exc}"]
    return []


def check_entropy(b: Bundle) -> list[str]:
    """The declaration is well formed; the entropy is present exactly when declared (and
    required ⇒ declared), and is in the declared canonical form."""
    p = b.proof
    declaration, entropy = p["entropy_declaration"], p["external_entropy"]
    if not isinstance(entropy, str):
        return [f"external_entropy：外部随机数应为文本，实际为 {json.dumps(entropy)}"]
    if declaration is None:
        problems = []
        if p["requires_entropy"]:
            problems.append("entropy_declaration：任务要求外部随机数，但没有事先声明")
        if entropy:
            problems.append("external_entropy：没有事先声明外部随机数，却使用了外部随机数")
        return problems
    problems = [f"entropy_declaration：{x}" for x in declaration_problems(declaration)]
    if problems:
        return problems
    if not entropy:
        return ["external_entropy：已声明外部随机数，但外部随机数为空"]
    try:
        canonical = normalise_entropy(entropy, declaration["format"])
    except ValueError as exc:
        return [f"external_entropy：{exc}"]
    if canonical != entropy:
        return [f"external_entropy：{entropy!r} 不是声明的规范形式（应为 {canonical!r}）"]
    return []


def check_commitment(b: Bundle) -> list[str]:
    """The commitment recomputed from the secret and the digests of the files as published."""
    problems = []
    b.digests["entropy_declaration"] = declaration_digest(b.proof["entropy_declaration"])
    recorded = b.proof["digests"]
    for name in COMMITTED:  # a public proof has only the digests of the files it leaves out
        b.digests.setdefault(name, str(recorded.get(name)))
    for name in COMMITTED:
        if recorded.get(name) != b.digests[name]:
            problems.append(f"digests.{name}：{_what(name)}的摘要与 proof.json 记录的不符")
    if commitment(b.secret, b.digests) != b.proof["commitment"]:
        problems.append(
            "commitment：由公开的密钥与抽取规则、各冻结名单和外部随机数声明的摘要重算的承诺值"
            "与公布的承诺值不符（承诺之后改动了规则、名单或声明，或密钥不是承诺时的密钥）"
        )
    return problems


def _what(name: str) -> str:
    if name == "rules":
        return "抽取规则"
    if name == "entropy_declaration":
        return "外部随机数声明"
    return f"冻结名单 {ALL_FILES[name][0]} "


def check_seed(b: Bundle) -> list[str]:
    b.seed = seed_of(b.secret, b.proof["commitment"], b.proof["external_entropy"])
    if b.seed.hex() != b.proof["seed"]:
        return ["seed：由密钥、承诺值和外部随机数计算的随机种子与 proof.json 记录的不符"]
    return []


def check_times(b: Bundle) -> list[str]:
    """frozen ≤ committed < entropy announced ≤ entropy entered ≤ drawn."""
    d, declaration = b.proof["draw"], b.proof["entropy_declaration"]
    if declaration is not None and declaration_problems(declaration):
        return []  # reported by check_entropy; its time cannot be read
    names = ["frozen_at", "committed_at"]
    if declaration is not None:
        names += ["announced_at", "entropy_entered_at"]
    elif d["entropy_entered_at"] is not None:
        return ["draw.entropy_entered_at：没有声明外部随机数，却记录了录入时间"]
    names.append("drawn_at")
    labels = {
        "frozen_at": "冻结名单",
        "committed_at": "公布承诺值",
        "announced_at": "外部随机数公布",
        "entropy_entered_at": "录入外部随机数",
        "drawn_at": "抽取",
    }
    times = []
    for name in names:
        value = declaration["announced_at"] if name == "announced_at" else d[name]
        try:
            times.append(parse_time(value))
        except (ValueError, TypeError) as exc:
            return [f"draw.{name}：{labels[name]}时间无效（{exc}）"]
    problems = []
    for i in range(len(names) - 1):
        (a, ta), (z, tz) = (names[i], times[i]), (names[i + 1], times[i + 1])
        strict = (a, z) == ("committed_at", "announced_at")
        if ta > tz or (strict and ta == tz):
            relation = "早于" if strict else "不晚于"
            problems.append(
                f"时间顺序：{labels[a]}（{ta.isoformat()}）应{relation}{labels[z]}（{tz.isoformat()}）"
            )
    return problems


def check_redraw(b: Bundle) -> list[str]:
    """A re-draw names the draw it replaces, its commitment and a written reason; a first draw
    names none."""
    d = b.proof["draw"]
    number, of, of_commitment, reason = (
        d["number"],
        d["redraw_of"],
        d["redraw_of_commitment"],
        d["redraw_reason"],
    )
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        return ["draw.number：第几次抽取应为正整数"]
    if not isinstance(reason, str):
        return ["draw.redraw_reason：重新抽取理由应为文本"]
    if of is None:
        if of_commitment is not None or reason:
            return ["draw.redraw_of：不是重新抽取，却记录了被重新抽取的承诺值或理由"]
        return []
    if not isinstance(of, int) or isinstance(of, bool) or of == d["id"]:
        return ["draw.redraw_of：被重新抽取的抽取编号无效"]
    problems = []
    if number < 2:
        problems.append("draw.number：重新抽取至少是第 2 次抽取")
    if len(reason.strip()) < 4:
        problems.append("draw.redraw_reason：重新抽取须书面说明理由（不少于 4 个字）")
    if not isinstance(of_commitment, str) or not re.fullmatch(r"[0-9a-f]{64}", of_commitment):
        problems.append("draw.redraw_of_commitment：应为被重新抽取的那次抽取的承诺值")
    elif of_commitment == b.proof["commitment"]:
        problems.append("draw.redraw_of_commitment：重新抽取须有新的承诺值")
    return problems


def check_result(b: Bundle) -> list[str]:
    """The draw recomputed byte for byte, every count of proof.counts, and the public result
    as the projection of the full one."""
    try:
        computed = b.compute(b.proof["rules"], b.seed, b.files)
    except (RuleError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        return [f"无法重算抽取：{exc}"]
    if computed.unstaffed:
        return ["重算结果：有检查对象无法配齐检查人员，而公布的结果声称已配齐"]
    problems = []
    if sha256_hex(b.published) != b.proof["digests"].get("result"):
        problems.append("result.csv：结果文件的摘要与 proof.json 记录的不符")
    problems += _diff_results(computed.result_csv, b.published)
    public = public_result(computed.result_csv)
    if b.published_public != public:
        problems.append(f"{RESULT_PUBLIC_FILE}：不是重算结果去掉抽取层和必查两列的结果")
    elif sha256_hex(public) != b.proof["digests"].get("result_public"):
        problems.append(f"{RESULT_PUBLIC_FILE}：摘要与 proof.json 记录的不符")
    rows = b.rows
    expected = {
        "targets": len(rows["targets"]),
        "certain": sum(1 for r in rows["targets"] if r[3] == "1"),
        "inspectors": len(rows["inspectors"]),
        "experts": len(rows["experts"]),
        "exclusions": len(rows["exclusions"]),
        "population": computed.population,
        "drawn": computed.drawn,
        "selected": computed.result_csv.count(b"\n") - 1,
    }
    return problems + _count_problems(b.proof["counts"], expected)


def _count_problems(counts: dict, expected: dict) -> list[str]:
    problems = []
    if set(counts) != set(COUNT_KEYS):
        problems.append(f"counts：应恰含 {'、'.join(COUNT_KEYS)}")
    problems += [
        f"counts.{key}：应为 {json.dumps(value, ensure_ascii=False, sort_keys=True)}，"
        f"记录的是 {json.dumps(counts.get(key), ensure_ascii=False, sort_keys=True)}"
        for key, value in expected.items()
        if counts.get(key) != value
    ]
    return problems


def public_result(result: bytes) -> bytes:
    """result.public.csv: result.csv without the stratum and certain columns."""
    rows = read_csv(result, RESULT_COLUMNS)
    return canonical_csv(RESULT_PUBLIC_COLUMNS, [(r[0], r[3], r[4]) for r in rows])


def check_result_public(b: Bundle) -> list[str]:
    """The public proof: the teams recomputed for the published selected entities from the
    public rosters (pseudonyms), byte for byte, and the counts the public files determine.

    Which entities are selected depends on risk classes and key tiers the public may not see:
    that is verified with the full proof (the commitment binds its files)."""
    try:
        rows = read_csv(b.published, RESULT_PUBLIC_COLUMNS)
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"{RESULT_PUBLIC_FILE}：{exc}"]
    problems = []
    if sha256_hex(b.published) != b.proof["digests"].get("result_public"):
        problems.append(f"{RESULT_PUBLIC_FILE}：摘要与 proof.json 记录的不符")
    district = dict(b.rows["targets_public"])
    chosen_ids = [r[0] for r in rows]
    unknown = [u for u in chosen_ids if u not in district]
    if unknown or len(set(chosen_ids)) != len(chosen_ids):
        return problems + [f"{RESULT_PUBLIC_FILE}：含不在冻结名单中或重复的检查对象 {unknown[:5]}"]
    ranks = uniforms(b.seed, "T", chosen_ids)
    chosen = [Target(u, district[u], "", False, r) for u, r in zip(chosen_ids, ranks, strict=True)]
    exclusions = [(*e, "") for e in b.rows["exclusions_public"]]
    try:
        a = assign(
            b.proof["rules"], b.seed, chosen, b.rows["inspectors"], b.rows["experts"], exclusions
        )
    except (RuleError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        return problems + [f"无法重算人员分配：{exc}"]
    if a.unstaffed:
        return problems + ["重算结果：有检查对象无法配齐检查人员，而公布的结果声称已配齐"]
    expected = canonical_csv(
        RESULT_PUBLIC_COLUMNS,
        [(u, ";".join(a.teams[u]), ";".join(a.experts.get(u, []))) for u in chosen_ids],
    )
    if expected != b.published:
        want = {r[0]: r for r in read_csv(expected, RESULT_PUBLIC_COLUMNS)}
        problems += [
            f"{RESULT_PUBLIC_FILE}：{r[0]} 的检查人员或专家应为 {want[r[0]][1:]!r}，公布的是 {r[1:]!r}"
            for r in rows
            if want[r[0]] != r
        ][:50] or [f"{RESULT_PUBLIC_FILE}：内容与重算结果一致，但文件格式不是规范格式"]
    counts = b.proof["counts"]
    known = {
        "targets": len(district),
        "inspectors": len(b.rows["inspectors"]),
        "experts": len(b.rows["experts"]),
        "exclusions": len(b.rows["exclusions_public"]),
        "selected": len(rows),
    }
    problems += _count_problems(counts, known)
    population, drawn, certain = (
        counts.get("population"),
        counts.get("drawn"),
        counts.get("certain"),
    )
    try:
        if sum(drawn.values()) + certain != len(rows) or sum(population.values()) + certain != len(
            district
        ):
            problems.append("counts：各层数量与必查户数之和与名单、结果的户数不符")
    except (AttributeError, TypeError):
        problems.append("counts：population、drawn 应为各层的户数，certain 应为整数")
    return problems


V2_CHECKS = (
    check_fields,
    check_files,
    check_secret,
    check_entropy,
    check_commitment,
    check_seed,
    check_times,
    check_redraw,
    check_result,
)
V2_PUBLIC_CHECKS = V2_CHECKS[:-1] + (check_result_public,)


# Version 1: the commitment is SHA-256 of the secret alone and the seed hashes the secret's
# text; kept so that proofs published under it keep verifying (as version 1).


@fatal
def check_v1(b: Bundle) -> list[str]:
    p = b.proof
    secret, entropy = p.get("secret"), p.get("external_entropy", "")
    if not isinstance(secret, str) or not isinstance(entropy, str):
        return ["secret/external_entropy：应为文本"]
    if not isinstance(p.get("rules"), dict) or not isinstance(p.get("digests"), dict):
        return ["proof.json：缺少 rules 或 digests"]
    try:
        if commitment_v1(secret) != p.get("commitment"):
            return ["secret：公开的密钥与事先公布的承诺值（commitment）不符"]
    except ValueError:
        return ["secret：密钥不是十六进制"]
    b.digests["rules"] = sha256_hex(canonical_rules(p["rules"]))
    problems = [
        f"digests.{name}：{_what(name)}的摘要与 proof.json 记录的不符（内容被改动）"
        for name in ("rules", *ROSTER_FILES)
        if p["digests"].get(name) != b.digests[name]
    ]
    b.seed = derive_seed(secret, entropy, b.digests)
    if b.seed.hex() != p.get("seed"):
        problems.append("seed：由密钥、外部随机数和各摘要计算的随机种子与 proof.json 记录的不符")
    return problems


def check_result_v1(b: Bundle) -> list[str]:
    try:
        computed = b.compute(b.proof["rules"], b.seed, b.files)
    except (RuleError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        return [f"无法重算抽取：{exc}"]
    if computed.unstaffed:
        return ["重算结果：有检查对象无法配齐检查人员，而公布的结果声称已配齐"]
    problems = []
    if sha256_hex(b.published) != b.proof["digests"].get("result"):
        problems.append("result.csv：结果文件的摘要与 proof.json 记录的不符")
    return problems + _diff_results(computed.result_csv, b.published)


V1_CHECKS = (check_files, check_v1, check_result_v1)


def _diff_results(expected: bytes, published: bytes) -> list[str]:
    if expected == published:
        return []
    want = {r[0]: r for r in read_csv(expected, RESULT_COLUMNS)}
    try:
        have = {r[0]: r for r in read_csv(published, RESULT_COLUMNS)}
    except (ValueError, UnicodeDecodeError) as exc:
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


# --- the public commitment board: verify_draw DIR --board FILE_OR_URL ---------------------------
#
# docs/draw-protocol.md, "The public commitment board". A board is a hash chain of entries; the
# proof's commitment must be on it, in a valid chain, before the entropy existed and before it
# was entered. The board's own times count here, not the proof's: the proof is written by the
# drawing authority, the board was public while it happened.

BOARD_FORMAT = "jianguan-board/1"
BOARD_GENESIS = "0" * 64


def _board_normalised(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _board_normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_board_normalised(v) for v in value]
    return value


def board_entry_hash(entry: dict) -> str:
    """SHA-256 of the canonical JSON of the entry without its "hash"."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(
        _board_normalised(body), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return sha256_hex(text.encode("utf-8"))


def _board_documents(source: str) -> list:
    """The feed pages: fetched from a URL (following "next"), or read from a saved file (one
    document, or a JSON array of pages)."""
    if source.startswith(("http://", "https://")):
        import urllib.request

        docs, url = [], source
        while url and len(docs) < 100_000:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (the user's URL)
                docs.append(json.loads(response.read().decode("utf-8")))
            url = docs[-1].get("next") if isinstance(docs[-1], dict) else None
        return docs
    data = json.loads(Path(source).read_bytes().decode("utf-8"))
    return data if isinstance(data, list) else [data]


def load_board(source: str) -> tuple[list[dict], dict]:
    """(entries 1…count in order, head) of a board; ValueError in Chinese when unreadable."""
    try:
        docs = _board_documents(source)
    except (OSError, ValueError) as exc:
        raise ValueError(f"无法读取公示板 {source}：{exc}") from None
    if not docs or not all(isinstance(d, dict) for d in docs):
        raise ValueError("公示板文件应为公示板 JSON 文档（或其分页组成的数组）")
    if docs[0].get("format") != BOARD_FORMAT:
        raise ValueError(f"公示板格式应为 {BOARD_FORMAT}，实际为 {docs[0].get('format')!r}")
    head = docs[0].get("head")
    if not isinstance(head, dict) or not isinstance(head.get("count"), int):
        raise ValueError("公示板缺少链头（head）")
    by_seq = {}
    for doc in docs:
        for entry in doc.get("entries") or []:
            if isinstance(entry, dict) and isinstance(entry.get("seq"), int):
                by_seq.setdefault(entry["seq"], entry)
    return [by_seq[s] for s in sorted(by_seq) if s <= head["count"]], head


def check_board_chain(entries: list[dict], head: dict) -> list[str]:
    """Entries 1…count, each carrying the previous one's hash, each hash recomputed, the last
    one's hash the head's."""
    prev = BOARD_GENESIS
    for expected, entry in enumerate(entries, start=1):
        where = f"公示板第 {entry.get('seq')} 条"
        if entry.get("seq") != expected:
            return [f"{where}：应为第 {expected} 条，公示板缺少条目（须包含从第 1 条起的全部条目）"]
        if entry.get("prev") != prev:
            return [f"{where}：所记前一条目哈希与前一条不符，链条断裂"]
        if board_entry_hash(entry) != entry.get("hash"):
            return [f"{where}：内容与其哈希不符（条目被改动）"]
        prev = entry["hash"]
    if len(entries) != head["count"]:
        return [f"公示板：链头记有 {head['count']} 条，文件中只有 {len(entries)} 条"]
    if prev != head.get("hash"):
        return ["公示板：最后一条的哈希与链头哈希不符"]
    return []


def check_on_board(proof: dict, entries: list[dict]) -> list[str]:
    """The proof's commitment is on the board as a commitment, before the declared value was
    announced and before the entropy was entered (or, without entropy, before the draw); the
    declaration on the board is the proof's; a result digest on the board is the proof's."""
    commitment, d = proof.get("commitment"), proof.get("draw") or {}
    mine = [
        e
        for e in entries
        if e.get("kind") == "commitment" and (e.get("data") or {}).get("commitment") == commitment
    ]
    if not mine:
        return [f"公示板：没有承诺值 {commitment} 的登载记录（承诺值未在抽取前公开）"]
    entry = mine[0]
    data, problems = entry["data"], []
    if entry.get("draw_id") != d.get("id") or data.get("number") != d.get("number"):
        problems.append(
            f"公示板第 {entry['seq']} 条：登载的是抽取 {entry.get('draw_id')} 第 {data.get('number')}"
            f" 次，证明是抽取 {d.get('id')} 第 {d.get('number')} 次"
        )
    declaration = proof.get("entropy_declaration")
    if data.get("entropy_declaration") != declaration:
        problems.append(f"公示板第 {entry['seq']} 条：登载的外部随机数声明与证明中的声明不符")
    try:
        posted = parse_time(entry.get("at"))
        deadlines = []
        if isinstance(declaration, dict):
            deadlines.append(("外部随机数公布", parse_time(declaration.get("announced_at"))))
        if d.get("entropy_entered_at"):
            deadlines.append(("录入外部随机数", parse_time(d["entropy_entered_at"])))
        elif d.get("drawn_at"):
            deadlines.append(("抽取", parse_time(d["drawn_at"])))
    except (ValueError, TypeError) as exc:
        return [*problems, f"公示板第 {entry['seq']} 条：时间无法比较（{exc}）"]
    for label, deadline in deadlines:
        if posted >= deadline:
            problems.append(
                f"公示板第 {entry['seq']} 条：承诺值登上公示板的时间（{posted.isoformat()}）"
                f"不早于{label}时间（{deadline.isoformat()}）"
            )
    result = (proof.get("digests") or {}).get("result")
    for e in entries:
        mismatch = (e.get("data") or {}).get("result_digest") != result
        if e.get("kind") == "drawn" and e.get("draw_id") == d.get("id") and result and mismatch:
            problems.append(
                f"公示板第 {e['seq']} 条：登载的抽取结果摘要与证明中 result.csv 的摘要不符"
            )
    return problems


def board_check(source: str):
    """A check for verify(…, checks=…): the board at `source` (a file or the feed's URL)."""

    def check(b: Bundle) -> list[str]:
        try:
            entries, head = load_board(source)
        except ValueError as exc:
            return [str(exc)]
        return check_board_chain(entries, head) or check_on_board(b.proof, entries)

    return check


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    checks = ()
    if len(args) == 3 and args[1] == "--board":
        checks = (board_check(args[2]),)
        args = args[:1]
    if len(args) != 1:
        print(
            "用法：python3 verify_draw.py 抽取文件目录 [--board 公示板文件或网址]", file=sys.stderr
        )
        return 2
    return report(verify(args[0], checks=checks))


def report(problems: list[str], out=None) -> int:
    """Print the verdict; 0 verified, 1 not."""
    out = out or sys.stdout
    if problems:
        print("验证失败：", file=out)
        for line in problems:
            print(f"  - {line}", file=out)
        return 1
    print(
        "验证通过：由公开的文件重算的抽取结果与公布的结果逐字节一致，证明中的各项记录相互印证。",
        file=out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
