"""Proof directories, good and hostile: the one corpus both verifiers are tested on.

`publish()` writes a version 2 proof directory the way the service does (docs/draw-protocol.md);
CASES are forgeries and malformed files, each with the word a rejection must name. The hostile
ones follow issue 11: the secret in another letter case or with whitespace, a roster or the rules
edited after the commitment and the draw recomputed with the same secret (the published
commitment kept), a changed entropy, null entropy, CRLF and needless quotes.
"""

from __future__ import annotations

import json
from pathlib import Path

from jianguan.sampling import protocol as P

SECRET = "5e" * 32
ENTROPY = "517"
DECLARATION = {
    "source": "中国福利彩票 福彩3D",
    "identifier": "福彩3D 第2026340期 开奖号码",
    "announced_at": "2026-12-06T13:15:00+00:00",
    "format": "digits:3",
}
TIMES = {
    "frozen_at": "2026-12-05T08:00:00+00:00",
    "committed_at": "2026-12-05T08:00:02+00:00",
    "entropy_entered_at": "2026-12-06T13:40:00+00:00",
    "drawn_at": "2026-12-06T13:41:00+00:00",
}
RULES = {
    "sampling": {"mode": "ratio", "ratio": "0.2", "stratify_by": ["district", "risk_class"]},
    "team": {"size": 2, "skills": ["food"], "max_load": None, "pool_by": "district"},
    "experts": {"per_target": 1},
}


def data() -> dict[str, list[tuple[str, ...]]]:
    """60 entities of 2 districts and 4 classes (2 of them certain), 12 inspectors, 3 experts,
    conflicts declared."""
    targets = [
        (
            f"913101{i:011d}X",
            f"31010{1 + i % 2}",
            "ABCD"[i % 4],
            "1" if i in (4, 9) else "0",
        )
        for i in range(60)
    ]
    inspectors = [
        (f"I{i:02d}", f"31010{1 + i % 2}", "food" if i % 3 == 0 else "") for i in range(12)
    ]
    bans = [(targets[i][0], "inspector", f"I{i % 12:02d}", "回避声明") for i in range(0, 60, 7)]
    bans.append((targets[1][0], "expert", "E1", "工作单位"))
    return {
        "targets": targets,
        "inspectors": inspectors,
        "experts": [("E1",), ("E2",), ("E3",)],
        "exclusions": bans,
    }


def publish(
    directory: Path,
    rules: dict | None = None,
    rows: dict | None = None,
    *,
    secret: str = SECRET,
    entropy: str = ENTROPY,
    declaration: dict | None = DECLARATION,
    commitment: str | None = None,
) -> dict:
    """Write a complete, consistent version 2 proof directory; return proof.json's content.

    commitment: keep this published commitment instead of the one the inputs give (a forger
    who recomputed everything else)."""
    rules = RULES if rules is None else rules
    rows = data() if rows is None else rows
    directory.mkdir(parents=True, exist_ok=True)
    digests = {"rules": P.sha256_hex(P.canonical_rules(rules))}
    everything = {
        **rows,
        "targets_public": [t[:2] for t in rows["targets"]],
        "exclusions_public": [e[:3] for e in rows["exclusions"]],
        "persons": [(r[0], "inspector", str(100 + i)) for i, r in enumerate(rows["inspectors"])]
        + [(r[0], "expert", str(900 + i)) for i, r in enumerate(rows["experts"])],
    }
    for name, (file, columns) in P.ALL_FILES.items():
        content = P.canonical_csv(columns, everything[name])
        (directory / file).write_bytes(content)
        digests[name] = P.sha256_hex(content)
    digests["entropy_declaration"] = P.declaration_digest(declaration)
    key = bytes.fromhex(secret)
    commitment = commitment or P.commitment(key, digests)
    draw = P.run_rows(rules, P.seed_of(key, commitment, entropy), rows, digests)
    (directory / P.RESULT_FILE).write_bytes(draw.result_csv)
    public = P.public_result(draw.result_csv)
    (directory / P.RESULT_PUBLIC_FILE).write_bytes(public)
    draw.digests["result_public"] = P.sha256_hex(public)
    proof = {
        "protocol": P.PROTOCOL,
        "draw": {
            "id": 7,
            "task_id": 3,
            "task": "黄浦区食品生产者双随机抽查",
            "number": 1,
            "redraw_of": None,
            "redraw_of_commitment": None,
            "redraw_reason": "",
            **TIMES,
            **({} if declaration else {"entropy_entered_at": None}),
        },
        "rules": rules,
        "requires_entropy": declaration is not None,
        "entropy_declaration": declaration,
        "commitment": commitment,
        "secret": secret,
        "external_entropy": entropy,
        "seed": draw.seed.hex(),
        "digests": draw.digests,
        "counts": {
            "targets": len(rows["targets"]),
            "certain": sum(1 for t in rows["targets"] if t[3] == "1"),
            "inspectors": len(rows["inspectors"]),
            "experts": len(rows["experts"]),
            "exclusions": len(rows["exclusions"]),
            "population": draw.counts["population"],
            "drawn": draw.counts["drawn"],
            "selected": len(draw.targets),
        },
        "files": [f for f, _c in P.ALL_FILES.values()] + [P.RESULT_FILE, P.RESULT_PUBLIC_FILE],
    }
    write_proof(directory, proof)
    return proof


PRIVATE = ["targets.csv", "exclusions.csv", "persons.csv", "result.csv"]


def public(directory: Path) -> None:
    """The public proof: the full one without the files the public may not see."""
    for name in PRIVATE:
        (directory / name).unlink()


def write_proof(directory: Path, proof: dict) -> None:
    text = json.dumps(proof, ensure_ascii=False, indent=2, sort_keys=True)
    (directory / P.PROOF_FILE).write_text(text + "\n", encoding="utf-8")


def edit_proof(directory: Path, edit) -> None:
    proof = json.loads((directory / P.PROOF_FILE).read_text("utf-8"))
    edit(proof)
    write_proof(directory, proof)


def edit_file(directory: Path, name: str, edit) -> None:
    path = directory / name
    path.write_bytes(edit(path.read_bytes()))


def _set(path: str, value):
    """proof[a][b] = value for path "a.b"."""

    def edit(proof):
        *parents, last = path.split(".")
        node = proof
        for key in parents:
            node = node[key]
        node[last] = value

    return edit


# --- the cases: (name, make(directory), the word each verifier's rejection must contain) --------


def _original(directory: Path) -> dict:
    return publish(directory)


def _recomputed(directory: Path, *, rules=None, rows=None, **kw) -> None:
    """A forger who knows the secret edits an input after the commitment and recomputes
    everything — but the commitment was published (on the board) and cannot change."""
    published = publish(directory)["commitment"]
    publish(directory, rules, rows, commitment=published, **kw)


def _drop_exclusion(directory: Path) -> None:
    rows = data()
    rows["exclusions"] = rows["exclusions"][1:]
    _recomputed(directory, rows=rows)


def _drop_inspector(directory: Path) -> None:
    rows = data()
    rows["inspectors"] = rows["inspectors"][1:]
    _recomputed(directory, rows=rows)


def _change_rule(directory: Path) -> None:
    _recomputed(directory, rules={**RULES, "sampling": {**RULES["sampling"], "ratio": "0.25"}})


def _other_case_secret(directory: Path) -> None:
    """The v1 flaw: the same 32 bytes written in upper case gave another seed."""
    publish(directory)
    edit_proof(directory, _set("secret", SECRET.upper()))


def _spaced_secret(directory: Path) -> None:
    publish(directory)
    edit_proof(directory, _set("secret", " " + SECRET[:32] + " " + SECRET[32:]))


def _changed_entropy(directory: Path) -> None:
    publish(directory)
    edit_proof(directory, _set("external_entropy", "518"))


def _noncanonical_entropy(directory: Path) -> None:
    """Another rendering of the same lottery number, the seed recomputed from it."""
    published = publish(directory)["commitment"]
    publish(directory, entropy="5 1 7", commitment=published)


def _null_entropy(directory: Path) -> None:
    publish(directory)
    edit_proof(directory, _set("external_entropy", None))


def _empty_entropy(directory: Path) -> None:
    published = publish(directory)["commitment"]
    publish(directory, entropy="", commitment=published)


def _declaration_dropped(directory: Path) -> None:
    published = publish(directory)["commitment"]
    publish(directory, entropy="", declaration=None, commitment=published)
    edit_proof(directory, _set("requires_entropy", True))


def _declaration_changed(directory: Path) -> None:
    published = publish(directory)["commitment"]
    later = {**DECLARATION, "identifier": "福彩3D 第2026341期 开奖号码"}
    publish(directory, declaration=later, commitment=published)


def _crlf(directory: Path) -> None:
    publish(directory)
    edit_file(directory, "targets.csv", lambda b: b.replace(b"\n", b"\r\n"))


def _needless_quotes(directory: Path) -> None:
    publish(directory)
    edit_file(directory, "inspectors.csv", lambda b: b.replace(b"\nI00,", b'\n"I00",'))


def _bom(directory: Path) -> None:
    publish(directory)
    edit_file(directory, "experts.csv", lambda b: b"\xef\xbb\xbf" + b)


def _duplicate_target(directory: Path) -> None:
    rows = data()
    rows["targets"].append(rows["targets"][0])
    _recomputed(directory, rows=rows)


def _quoted_id(directory: Path) -> None:
    """An id with a comma is quoted in CSV: canonical, but not a valid id."""
    rows = data()
    rows["experts"].append(("E,9",))
    publish(directory, rows=rows)


def _times(**changes):
    def make(directory: Path) -> None:
        publish(directory)
        for key, value in changes.items():
            edit_proof(directory, _set(key, value))

    return make


def _count(key, value):
    def make(directory: Path) -> None:
        publish(directory)
        edit_proof(directory, _set(f"counts.{key}", value))

    return make


def _result_row(directory: Path) -> None:
    publish(directory)
    lines = (directory / "result.csv").read_text("utf-8").splitlines()
    uscc, stratum, certain, team, experts = lines[3].split(",")
    lines[3] = ",".join([uscc, stratum, certain, ";".join(reversed(team.split(";"))), experts])
    (directory / "result.csv").write_text("\n".join(lines) + "\n", "utf-8")


def _missing(key):
    def make(directory: Path) -> None:
        publish(directory)
        edit_proof(directory, lambda proof: proof.pop(key))

    return make


def _v1(directory: Path) -> None:
    """A proof published under protocol version 1 keeps verifying as version 1."""
    rows = data()
    digests = {"rules": P.sha256_hex(P.canonical_rules(RULES))}
    for name, (file, columns) in P.ROSTER_FILES.items():
        content = P.canonical_csv(columns, rows[name])
        directory.mkdir(parents=True, exist_ok=True)
        (directory / file).write_bytes(content)
        digests[name] = P.sha256_hex(content)
    seed = P.derive_seed(SECRET, "福彩3D 2026339期 517", digests)
    draw = P.run_rows(RULES, seed, rows, digests)
    (directory / "result.csv").write_bytes(draw.result_csv)
    proof = {
        "protocol": P.PROTOCOL_V1,
        "rules": RULES,
        "commitment": P.commitment_v1(SECRET),
        "secret": SECRET,
        "external_entropy": "福彩3D 2026339期 517",
        "seed": seed.hex(),
        "digests": draw.digests,
    }
    write_proof(directory, proof)


def _public(make):
    def made(directory: Path) -> None:
        make(directory)
        public(directory)

    return made


def _public_team_swapped(directory: Path) -> None:
    publish(directory)
    public(directory)
    lines = (directory / "result.public.csv").read_text("utf-8").splitlines()
    uscc, team, experts = lines[2].split(",")
    lines[2] = ",".join([uscc, ";".join(reversed(team.split(";"))), experts])
    (directory / "result.public.csv").write_text("\n".join(lines) + "\n", "utf-8")
    edit_proof(
        directory,
        _set("digests.result_public", P.sha256_hex((directory / "result.public.csv").read_bytes())),
    )


def _public_projection(directory: Path) -> None:
    """A full proof whose public file is not the projection of the full one."""
    publish(directory)
    edit_file(directory, "targets.public.csv", lambda b: b.replace(b"310101\n", b"310102\n", 1))


def _persons_mismatch(directory: Path) -> None:
    publish(directory)
    edit_file(directory, "persons.csv", lambda b: b.replace(b"I00,inspector", b"I99,inspector"))


GOOD = [
    ("v2", _original),
    ("v2-public", _public(_original)),
    ("v2-no-entropy", lambda d: publish(d, entropy="", declaration=None)),
    ("v1", _v1),
]

HOSTILE = [
    ("secret-other-case", _other_case_secret, "secret"),
    ("secret-whitespace", _spaced_secret, "secret"),
    ("secret-number", _times(secret=5), "secret"),
    ("exclusion-dropped-recomputed", _drop_exclusion, "commitment"),
    ("inspector-dropped-recomputed", _drop_inspector, "commitment"),
    ("rule-changed-recomputed", _change_rule, "commitment"),
    ("entropy-changed", _changed_entropy, "seed"),
    ("entropy-noncanonical", _noncanonical_entropy, "external_entropy"),
    ("entropy-null", _null_entropy, "external_entropy"),
    ("entropy-empty", _empty_entropy, "external_entropy"),
    ("declaration-dropped", _declaration_dropped, "entropy_declaration"),
    ("declaration-changed", _declaration_changed, "commitment"),
    ("targets-crlf", _crlf, "targets.csv"),
    ("inspectors-needless-quotes", _needless_quotes, "inspectors.csv"),
    ("experts-bom", _bom, "experts.csv"),
    ("targets-duplicate", _duplicate_target, "targets.csv"),
    ("experts-quoted-id", _quoted_id, "experts.csv"),
    (
        "entered-before-announced",
        _times(**{"draw.entropy_entered_at": "2026-12-06T13:00:00+00:00"}),
        "时间顺序",
    ),
    (
        "committed-after-announced",
        _times(**{"draw.committed_at": "2026-12-06T13:15:00+00:00"}),
        "时间顺序",
    ),
    ("drawn-before-entered", _times(**{"draw.drawn_at": "2026-12-06T13:39:00+00:00"}), "时间顺序"),
    ("time-without-zone", _times(**{"draw.frozen_at": "2026-12-05T08:00:00"}), "frozen_at"),
    ("count-selected", _count("selected", 1), "counts.selected"),
    ("count-population", _count("population", {}), "counts.population"),
    ("count-targets-null", _count("targets", None), "counts.targets"),
    ("redraw-without-reason", _times(**{"draw.redraw_of": 6}), "redraw"),
    ("redraw-of-itself", _times(**{"draw.redraw_of": 7, "draw.number": 2}), "redraw_of"),
    ("result-row-changed", _result_row, "result.csv"),
    ("protocol-unknown", _times(protocol="jianguan-draw/3"), "protocol"),
    ("seed-missing", _missing("seed"), "seed"),
    ("declaration-missing", _missing("entropy_declaration"), "entropy_declaration"),
    ("rules-not-object", _times(rules=[1]), "rules"),
    ("proof-not-object", lambda d: (publish(d), write_proof(d, [1])), "proof.json"),
    ("public-team-swapped", _public_team_swapped, "result.public.csv"),
    ("public-exclusion-dropped", _public(_drop_exclusion), "commitment"),
    ("public-entropy-changed", _public(_changed_entropy), "seed"),
    ("public-count-selected", _public(_count("selected", 1)), "counts.selected"),
    (
        "public-file-missing",
        lambda d: (publish(d), public(d), (d / "inspectors.csv").unlink()),
        "inspectors.csv",
    ),
    ("public-not-projection", _public_projection, "targets.public.csv"),
    ("persons-mismatch", _persons_mismatch, "persons.csv"),
]
