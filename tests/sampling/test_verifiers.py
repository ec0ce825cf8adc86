"""Both verifiers — the standard-library tools/verify_draw.py and `jianguan verify_draw` (numpy
engine) — accept and reject exactly the same proof directories (issue 11): one corpus of good
and hostile directories (tests/sampling/corpus.py), each rejection in Chinese naming what
disagrees. No database: a verifier reads nothing but the files."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from jianguan.sampling import protocol as P
from jianguan.sampling import services
from tests.sampling import corpus

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"


def run_tool(directory: Path) -> tuple[int, str]:
    """The published file itself, by a bare interpreter: nothing of jianguan is importable."""
    done = subprocess.run(  # noqa: S603 (our own interpreter and file)
        [sys.executable, "-I", str(TOOL), str(directory)],
        capture_output=True,
        text=True,
        check=False,
        cwd=directory,
    )
    return done.returncode, done.stdout + done.stderr


def run_command(directory: Path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_draw", str(directory), stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


@pytest.mark.parametrize(("name", "make"), corpus.GOOD, ids=[c[0] for c in corpus.GOOD])
def test_both_verifiers_accept_good_proofs(tmp_path, name, make):
    make(tmp_path)
    assert P.verify(tmp_path) == []
    assert services.verify(tmp_path) == []
    assert run_tool(tmp_path)[0] == 0
    assert run_command(tmp_path)[0] == 0


@pytest.mark.parametrize(
    ("name", "make", "word"), corpus.HOSTILE, ids=[c[0] for c in corpus.HOSTILE]
)
def test_both_verifiers_reject_hostile_proofs_naming_what_disagrees(tmp_path, name, make, word):
    make(tmp_path)
    reference, numpy_engine = P.verify(tmp_path), services.verify(tmp_path)
    assert reference and numpy_engine, (reference, numpy_engine)
    assert word in " ".join(reference), reference
    assert word in " ".join(numpy_engine), numpy_engine
    code, text = run_tool(tmp_path)
    assert code == 1 and "验证失败" in text and word in text and "Traceback" not in text
    code, text = run_command(tmp_path)
    assert code == 1 and word in text


def test_a_forgery_that_keeps_the_commitment_is_named(tmp_path):
    """Issue 11 item 2: an exclusion dropped after the commitment, everything recomputed with
    the same secret — only the published commitment disagrees, and the message says so."""
    corpus.HOSTILE[3][1](tmp_path)
    problems = P.verify(tmp_path)
    assert problems == [p for p in problems if p.startswith("commitment")]
    assert "承诺值" in problems[0] and "名单" in problems[0]
