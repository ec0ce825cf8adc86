"""The draw protocol (docs/draw-protocol.md) on random rosters and rules: no database.

Rules checked: 行政处罚法 art. 42 (teams of at least two qualified inspectors), art. 43 (回避:
no one with a declared conflict), the task's load maximum and balance, certainty groups,
per-stratum ratios, and that a draw can be verified from its files alone.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jianguan.sampling import fast
from jianguan.sampling import protocol as P
from tests.sampling import corpus

SECRET = "5e" * 32


def seed_of(secret_hex: str, entropy: str = "") -> bytes:
    """A version 2 seed for these rosters (the commitment stands in: the draw reads the seed)."""
    return P.seed_of(bytes.fromhex(secret_hex), "c0" * 32, entropy)


def roster(n_targets, districts=3, seed=0, classes="ABCD", certain_share=0.0):
    rng = random.Random(seed)
    return [
        (
            f"9131{rng.randrange(10**13):013d}X",
            f"3101{rng.randrange(1, districts + 1):02d}",
            rng.choice(classes),
            "1" if rng.random() < certain_share else "0",
        )
        for _ in range(n_targets)
    ]


def rules(**overrides):
    base = {
        "sampling": {"mode": "ratio", "ratio": "0.2", "stratify_by": ["district"]},
        "team": {"size": 2, "skills": [], "max_load": None, "pool_by": "district"},
        "experts": {"per_target": 0},
    }
    for key, value in overrides.items():
        base[key] = {**base[key], **value}
    return base


def rows(targets, inspectors, experts=(), exclusions=()):
    return {
        "targets": list(targets),
        "inspectors": list(inspectors),
        "experts": list(experts),
        "exclusions": list(exclusions),
    }


# --- hypothesis: every team meets every constraint ----------------------------------------------


@st.composite
def instances(draw):
    n_people = draw(st.integers(2, 7))
    n_targets = draw(st.integers(1, 6))
    size = draw(st.integers(2, 3))
    skilled = draw(st.lists(st.booleans(), min_size=n_people, max_size=n_people))
    need_skill = draw(st.booleans())
    max_load = draw(st.one_of(st.none(), st.integers(1, 6)))
    people = [(str(i), P.ALL_POOL, "food" if skilled[i] else "") for i in range(n_people)]
    targets = [(f"91310000{i:09d}X", "310101", "A", "1") for i in range(n_targets)]
    bans = draw(
        st.lists(st.tuples(st.integers(0, n_targets - 1), st.integers(0, n_people - 1)), max_size=6)
    )
    exclusions = sorted({(targets[t][0], "inspector", str(p), "回避声明") for t, p in bans})
    r = rules(
        team={
            "size": size,
            "skills": ["food"] if need_skill else [],
            "max_load": max_load,
            "pool_by": "none",
        }
    )
    return r, rows(targets, people, exclusions=exclusions)


def brute_force_feasible(r, data) -> bool:
    """The oracle: try every combination of teams (tiny instances only)."""
    team = r["team"]
    people = [p[0] for p in data["inspectors"]]
    skilled = {p[0] for p in data["inspectors"] if p[2] == "food"}
    barred = {}
    for uscc, _k, pid, _r in data["exclusions"]:
        barred.setdefault(uscc, set()).add(pid)
    options = []
    for t in data["targets"]:
        choices = [
            set(c)
            for c in itertools.combinations(people, team["size"])
            if not set(c) & barred.get(t[0], set()) and (not team["skills"] or set(c) & skilled)
        ]
        options.append(choices)
    limit = team["max_load"] or len(data["targets"])

    def search(i, load):
        if i == len(options):
            return True
        for c in options[i]:
            if all(load[p] < limit for p in c):
                for p in c:
                    load[p] += 1
                if search(i + 1, load):
                    return True
                for p in c:
                    load[p] -= 1
        return False

    return search(0, Counter())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_teams_meet_every_rule_and_infeasibility_is_exact(instance):
    r, data = instance
    draw = P.run_rows(r, seed_of(SECRET, ""), data)
    feasible = brute_force_feasible(r, data)
    # never declares infeasible an assignment that exists, and never claims an impossible one
    assert (not draw.assignment.unstaffed) == feasible
    if not feasible:
        assert set(draw.assignment.unstaffed) <= {t[0] for t in data["targets"]}
        assert all(reason for reason in draw.assignment.unstaffed.values())
        assert draw.result_csv == b""  # an infeasible draw writes no result
        return
    skilled = {p[0] for p in data["inspectors"] if p[2] == "food"}
    barred = {(e[0], e[2]) for e in data["exclusions"]}
    load = Counter()
    for uscc, team in draw.assignment.teams.items():
        assert len(team) == len(set(team)) == r["team"]["size"]  # distinct, art. 42
        assert not any((uscc, p) in barred for p in team)  # art. 43
        if r["team"]["skills"]:
            assert team[0] in skilled  # at least one member holds the expertise
        load.update(team)
    if r["team"]["max_load"]:
        assert max(load.values()) <= r["team"]["max_load"]


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 12), st.integers(1, 40), st.integers(2, 3), st.integers(0, 10**6))
def test_loads_are_balanced_among_equally_eligible(n_people, n_targets, size, seed):
    """Without conflicts, every inspector of a pool carries the same load, give or take one."""
    if n_people < size:
        return
    targets = [(f"91310000{i:09d}X", "310101", "A", "1") for i in range(n_targets)]
    people = [(str(i), P.ALL_POOL, "") for i in range(n_people)]
    r = rules(team={"size": size, "pool_by": "none"})
    draw = P.run_rows(r, seed_of(f"{seed:064x}"), rows(targets, people))
    load = Counter(p for team in draw.assignment.teams.values() for p in team)
    counts = [load.get(str(i), 0) for i in range(n_people)]
    assert max(counts) - min(counts) <= 1


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(20, 400), st.booleans(), st.booleans())
def test_numpy_engine_gives_the_same_bytes(seed, n, skill, pooled):
    targets = roster(n, seed=seed, classes="ABCD-", certain_share=0.05)
    targets = [(u, d, "" if c == "-" else c, f) for u, d, c, f in targets]
    rng = random.Random(seed)
    people = [
        (str(i), f"3101{i % 3 + 1:02d}" if pooled else P.ALL_POOL, rng.choice(["food", ""]))
        for i in range(12)
    ]
    bans = [
        (targets[i][0], "inspector", str(rng.randrange(12)), "回避声明") for i in range(0, n, 7)
    ]
    r = rules(
        sampling={
            "class_ratios": {"A": "0.1", "B": "0.3", "C": "1", "D": "1"},
            "min_per_stratum": 1,
        },
        team={"skills": ["food"] if skill else [], "pool_by": "district" if pooled else "none"},
        experts={"per_target": 1},
    )
    data = rows(targets, people, [(f"E{i}",) for i in range(4)], sorted(set(bans)))
    reference = P.run_rows(r, seed_of(SECRET, "x"), data)
    numpy_draw = fast.run(r, seed_of(SECRET, "x"), fast.Targets.from_rows(targets), data)
    assert numpy_draw.digests == reference.digests
    assert numpy_draw.unstaffed == reference.assignment.unstaffed
    assert numpy_draw.result_csv == reference.result_csv
    body = fast.Targets.from_rows(targets).canonical_csv()
    assert fast.Targets.from_csv(body).canonical_csv() == body


# --- statistics over many seeds -----------------------------------------------------------------


def test_inclusion_frequency_matches_each_strata_ratio():
    """Per-class ratios (e.g. Bayannur 2022: A 2%, B 5%, C 100%, D 100%): over 400 draws each
    entity is drawn about as often as its stratum's ratio says, and C and D always."""
    targets = roster(600, districts=2, seed=1)
    r = rules(
        sampling={
            "class_ratios": {"A": "0.1", "B": "0.25", "C": "1", "D": "1"},
            "stratify_by": ["district", "risk_class"],
        }
    )
    hits = Counter()
    runs = 400
    for s in range(runs):
        for t in P.select(
            r,
            P.derive_seed(f"{s:064x}", "", {"rules": "", **dict.fromkeys(P.ROSTER_FILES, "")}),
            targets,
        ):
            hits[t.uscc] += 1
    by_class: dict[str, list[float]] = {}
    for uscc, _d, cls, _c in targets:
        by_class.setdefault(cls, []).append(hits[uscc] / runs)
    for cls, ratio in {"A": 0.1, "B": 0.25}.items():
        mean = sum(by_class[cls]) / len(by_class[cls])
        assert abs(mean - ratio) < 0.01, (cls, mean)
        # every entity, not just the average: binomial(400, p) stays within ±5 sd
        sd = (ratio * (1 - ratio) / runs) ** 0.5
        assert all(abs(f - ratio) < 5 * sd + 1 / runs for f in by_class[cls])
    assert all(f == 1.0 for cls in "CD" for f in by_class[cls])


def test_certainty_group_always_drawn():
    """特殊重点 entities are covered every year: drawn with certainty, whatever the ratio."""
    targets = roster(300, seed=2, certain_share=0.1)
    r = rules(sampling={"ratio": "0.01"})
    certain = {t[0] for t in targets if t[3] == "1"}
    people = [(str(i), f"3101{i % 3 + 1:02d}", "") for i in range(60)]
    for s in range(30):
        draw = P.run_rows(r, seed_of(f"{s:064x}"), rows(targets, people))
        assert certain <= {t.uscc for t in draw.targets}


def test_equally_eligible_inspectors_are_chosen_equally_often():
    """Over many draws every inspector of a pool is drawn about equally often (chi-square)."""
    targets = [(f"91310000{i:09d}X", "310101", "A", "1") for i in range(7)]
    people = [(str(i), P.ALL_POOL, "") for i in range(10)]
    r = rules(team={"pool_by": "none"})
    load = Counter()
    pairs = Counter()
    runs = 600
    for s in range(runs):
        draw = P.run_rows(r, seed_of(f"{s:064x}"), rows(targets, people))
        for team in draw.assignment.teams.values():
            load.update(team)
            pairs[frozenset(team)] += 1
    expected = runs * 7 * 2 / 10
    chi2 = sum((load[str(i)] - expected) ** 2 / expected for i in range(10))
    assert chi2 < 27.9  # 9 degrees of freedom, p = 0.001
    assert len(pairs) == 45  # every pair of the 10 inspectors has been a team: no fixed pairs


# --- reproducibility and verification -----------------------------------------------------------


def publish(tmp_path, r, data):
    return corpus.publish(tmp_path, r, data)


def sample_data(seed=3):
    targets = roster(200, seed=seed)
    people = [(str(i), f"3101{i % 3 + 1:02d}", "food" if i % 4 == 0 else "") for i in range(30)]
    bans = [(targets[i][0], "inspector", str(i % 30), "回避声明") for i in range(0, 200, 9)]
    return rows(targets, people, [("E1",), ("E2",), ("E3",)], sorted(set(bans)))


def test_same_inputs_same_result_and_row_order_does_not_matter():
    r = rules(team={"skills": ["food"]}, experts={"per_target": 1})
    data = sample_data()
    first = P.run_rows(r, seed_of(SECRET, "e"), data)
    again = P.run_rows(r, seed_of(SECRET, "e"), data)
    shuffled = {k: random.Random(9).sample(v, len(v)) for k, v in data.items()}
    third = P.run_rows(r, seed_of(SECRET, "e"), shuffled)
    assert first.result_csv == again.result_csv == third.result_csv
    assert first.digests == third.digests


def test_verify_passes_on_an_untouched_draw(tmp_path):
    publish(tmp_path, rules(team={"skills": ["food"]}), sample_data())
    assert P.verify(tmp_path) == []
    assert P.main([str(tmp_path)]) == 0


def test_verify_names_what_was_changed(tmp_path):
    r = rules(team={"skills": ["food"]})
    publish(tmp_path, r, sample_data())
    pristine = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def tampered(name, edit):
        for n, content in pristine.items():
            (tmp_path / n).write_bytes(content)
        text = pristine[name].decode()
        (tmp_path / name).write_bytes(edit(text).encode())
        return " ".join(P.verify(tmp_path))

    # one roster row changed: its digest no longer matches
    line = pristine["targets.csv"].decode().splitlines()[5]
    assert "targets.csv" in tampered("targets.csv", lambda t: t.replace(line, line[:-1] + "1"))
    # a rule changed: its digest, and so the commitment, no longer match
    assert "digests.rules" in tampered("proof.json", lambda t: t.replace('"0.2"', '"0.3"'))
    # a different secret than the one committed to
    problems = tampered("proof.json", lambda t: t.replace(SECRET, "6f" * 32))
    assert problems.startswith("commitment") and "密钥" in problems
    # one result line changed: a different team
    row = pristine["result.csv"].decode().splitlines()[3]
    uscc, stratum, certain, team, experts = row.split(",")
    changed = f"{uscc},{stratum},{certain},{';'.join(reversed(team.split(';')))},{experts}"
    problems = tampered("result.csv", lambda t: t.replace(row, changed))
    assert "result.csv" in problems and uscc in problems and "inspector_ids" in problems
    # the external entropy swapped after the fact
    assert "seed" in tampered("proof.json", lambda t: t.replace('"517"', '"518"'))
    assert P.main([str(tmp_path)]) == 1


def test_general_items_respect_their_cap():
    """General items: a capped ratio (seed 003: 2%); key items have no cap."""
    targets = roster(500, seed=4)
    capped = rules(sampling={"ratio": "0.05", "cap": "0.02"})
    try:
        P.quotas(capped, {"s": 500}, {"s": "A"})
    except P.RuleError as e:
        assert "上限" in str(e)
    else:
        raise AssertionError("a 5% draw under a 2% cap must be refused")
    uncapped = rules(sampling={"ratio": "0.05", "cap": None})
    assert len(P.select(uncapped, b"s" * 32, targets)) >= 25


def test_count_mode_allocates_by_largest_remainder():
    sampling = {"mode": "count", "count": 10, "min_per_stratum": 0}
    quotas = P.quotas({"sampling": sampling}, {"a": 50, "b": 30, "c": 20}, {})
    assert quotas == {"a": 5, "b": 3, "c": 2}
    quotas = P.quotas({"sampling": dict(sampling, count=4)}, {"a": 5, "b": 5, "c": 5}, {})
    assert sum(quotas.values()) == 4 and quotas["a"] == 2  # ties: stratum key order


def test_hashing_in_worker_processes_gives_the_same_ranks(monkeypatch):
    """Large rosters are hashed by forked workers: the same numbers as one process."""
    import numpy as np

    keys = np.array([t[0].encode() for t in roster(5000, seed=8)], dtype="S18")
    serial = fast.ranks(b"k" * 32, "T", keys)
    monkeypatch.setattr(fast, "PARALLEL_FROM", 100)
    parallel = fast.ranks(b"k" * 32, "T", keys)
    assert (serial == parallel).all()
    assert serial[0] == P.uniform(b"k" * 32, "T", keys[0].decode())


def test_rounding_up_stops_at_the_cap():
    """Issue 11 item 8: ratios round up unless that takes the draw over a general item's cap;
    then the shares round down and the largest remainders get one more, within the cap."""
    capped = {"sampling": {"mode": "ratio", "ratio": "0.02", "cap": "0.02"}}
    assert P.quotas(capped, {"*": 308}, {"*": ""}) == {"*": 6}  # 6.16: 6, not 7 (2.27%)
    # 3 strata, exact 2.2 + 2.6 + 1.4 = 6.2: budget floor(310 × 2%) = 6 → 2, 3, 1
    sizes = {"a": 110, "b": 130, "c": 70}
    assert P.quotas(capped, sizes, dict.fromkeys(sizes, "")) == {"a": 2, "b": 3, "c": 1}
    # without a cap (key items), every stratum rounds up as before
    uncapped = {"sampling": {"mode": "ratio", "ratio": "0.02"}}
    assert P.quotas(uncapped, sizes, dict.fromkeys(sizes, "")) == {"a": 3, "b": 3, "c": 2}
