"""core.tabular (reading/writing csv and xlsx for imports) and core.jobs (running a Job)."""

from __future__ import annotations

import csv

import pytest

from jianguan.core import jobs, tabular
from jianguan.core.models import Job
from jianguan.core.tabular import Column, TableError, TableReader

COLUMNS = [Column("甲", "a", required=True), Column("乙", "b"), Column("丙", "c")]


def read_all(path, size=2) -> tuple[list[int], dict[str, list[str]], list]:
    rows, cells, errors = [], {"a": [], "b": [], "c": []}, []
    with TableReader(path, COLUMNS) as table:
        for chunk in table.chunks(size):
            errors += [(chunk.rows[i], h, r) for i, h, r in chunk.errors]
            rows += chunk.rows
            for f, values in chunk.cells.items():
                cells[f] += values
    return rows, cells, errors


@pytest.fixture(autouse=True)
def tiny_blocks(monkeypatch):
    """Blocks of a few bytes, so that every file spans many blocks."""
    monkeypatch.setattr(tabular._CsvSource, "BYTES_PER_ROW", 3)


def test_fast_path_equals_csv_module(tmp_path):
    """Lines without quotes are split directly; the result is what the csv module reads."""
    text = "甲,乙,丙\r\n1,x,y\r\n2,,\r\n\r\n3,z,w\r\n"
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    rows, cells, errors = read_all(path)
    assert rows == [2, 3, 5]  # the blank line 4 is skipped but counted
    assert cells == {"a": ["1", "2", "3"], "b": ["x", "", "z"], "c": ["y", "", "w"]}
    assert errors == []


def test_quotes_later_in_the_file_switch_to_the_csv_module(tmp_path):
    """A quoted cell (comma or line break inside) after many plain blocks is read whole."""
    lines = [f"{i},b{i},c{i}" for i in range(20)] + ['"20","逗,号","多\n行"', "21,b,c"]
    path = tmp_path / "q.csv"
    path.write_text("甲,乙,丙\n" + "\n".join(lines) + "\n", encoding="utf-8")
    rows, cells, errors = read_all(path, size=3)
    assert cells["a"] == [str(i) for i in range(22)]
    assert cells["b"][20] == "逗,号"
    assert rows[-1] == 23
    assert [(r, h) for r, h, _m in errors] == [(22, "丙")]  # the line break is rejected


def test_short_rows_are_padded_and_surplus_data_flagged(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("甲,乙,丙\n1\n2,x,y,extra\n3,x,y,\n", encoding="utf-8")
    rows, cells, errors = read_all(path, size=10)
    assert cells["b"] == ["", "x", "x"]
    assert errors == [(3, "", "该行的数据列多于表头")]


def test_whitespace_quote_prefix_and_formulas(tmp_path):
    """Cells are stripped; the export's leading quote is undone; '=' cells are rejected."""
    path = tmp_path / "w.csv"
    path.write_text("甲,乙,丙\n 1 ,'=x,=1+1\n", encoding="utf-8")
    _rows, cells, errors = read_all(path)
    assert (cells["a"], cells["b"]) == (["1"], ["=x"])
    assert [(r, h) for r, h, _m in errors] == [(2, "丙")]


def test_encodings(tmp_path):
    for encoding in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        path = tmp_path / f"{encoding}.csv"
        path.write_text(
            "甲,乙,丙\n鑫,淼,𠀀\n" if encoding == "gb18030" else "甲,乙,丙\n鑫,淼,犇\n",
            encoding=encoding,
        )
        _rows, cells, _errors = read_all(path)
        assert cells["a"] == ["鑫"], encoding


def test_undecodable_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("甲,乙,丙\n".encode() + b"\xff\xfe\xfa\n")
    with pytest.raises(TableError) as e:
        read_all(path)
    assert "编码" in e.value.errors[0].reason


def test_headers_in_parentheses_variants_and_required_mark(tmp_path):
    """Half-width parentheses and a trailing * (templates mark required columns) are accepted."""
    spec = [Column("注册资本（万元）", "capital"), Column("名称", "name", required=True)]
    path = tmp_path / "h.csv"
    path.write_text("注册资本(万元),名称*\n1,x\n", encoding="utf-8")
    with TableReader(path, spec) as table:
        assert table.fields == {"capital", "name"}


def test_written_csv_has_bom_and_neutralised_cells(tmp_path):
    path = tmp_path / "o.csv"
    tabular.write_table(path, COLUMNS, [("=1", "+2", "@3"), ("-4", "普通", None)])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(raw.decode("utf-8-sig").splitlines()))[1:] == [
        ["'=1", "'+2", "'@3"],
        ["'-4", "普通", ""],
    ]


# --- jobs -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_run_job_records_outcome_and_progress():
    job = Job.objects.create(kind="t", title="t")

    def work(job, progress):
        progress(5, 10, "一半")
        assert jobs.get_progress(job.pk) == {"done": 5, "total": 10, "phase": "一半", "percent": 50}
        return {"n": 1}, "好了"

    assert jobs.run_job(job.pk, work) == {"n": 1}
    job.refresh_from_db()
    assert (job.status, job.result, job.message) == (Job.Status.DONE, {"n": 1}, "好了")
    assert job.finished_at is not None and jobs.get_progress(job.pk)["percent"] == 100


@pytest.mark.django_db
def test_run_job_never_stays_running():
    """An expected failure ends 'failed' with its message; an unexpected one too, re-raised."""
    job = Job.objects.create(kind="t", title="t")

    def rejected(job, progress):
        raise jobs.JobFailed("文件有错", {"errors": 1})

    jobs.run_job(job.pk, rejected)
    job.refresh_from_db()
    assert (job.status, job.message, job.result) == (Job.Status.FAILED, "文件有错", {"errors": 1})

    def broken(job, progress):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        jobs.run_job(job.pk, broken)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "RuntimeError" in job.message


def test_a_quoted_block_after_a_cut_inside_a_character(tmp_path):
    """Blocks are cut by size: the partial line left over may end inside a UTF-8 character,
    and the csv module that takes over at the first quote must still read it whole."""
    from jianguan.core.tabular import _CsvSource

    lines = [f"{i},上海测试贸易有限公司第{i}分公司" for i in range(40)]
    lines[30] = '30,"上海,引号有限公司"'
    path = tmp_path / "cut.csv"
    path.write_text("编号,名称\n" + "\n".join(lines) + "\n", encoding="utf-8")
    for size in (1, 2, 3):  # 200, 400, 600 bytes per block: cuts fall inside characters
        source = _CsvSource(path)
        source.header()
        rows = [r for batch in source.batches(size, 2) for r in _rows(batch)]
        source.close()
        assert len(rows) == 40 and rows[30] == ["30", "上海,引号有限公司"]
        assert rows[39] == ["39", "上海测试贸易有限公司第39分公司"]


def _rows(batch):
    if batch.rows is not None:
        return batch.rows
    return [list(r) for r in zip(*batch.columns, strict=True)]
