"""Draw lists, draw results and proof packages as downloads (core.tabular: formulas neutralised)."""

from __future__ import annotations

import zipfile

from django.http import FileResponse
from django.utils import timezone

from jianguan.core import tabular
from jianguan.core.downloads import file_download
from jianguan.core.tabular import Column

from . import selectors, services
from .models import Draw


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M:%S}" if value else ""


DRAW_COLUMNS = [
    Column("抽查任务", "task"),
    Column("第几次抽取", "number"),
    Column("状态", "status"),
    Column("所属区局", "district"),
    Column("承诺值", "commitment"),
    Column("承诺时间", "committed_at", format=_when),
    Column("外部随机数", "external_entropy"),
    Column("外部随机数来源", "entropy_source"),
    Column("抽取时间", "drawn_at", format=_when),
    Column("抽中户数", "selected"),
    Column("重新抽取自", "redraw_of"),
    Column("重新抽取理由", "redraw_reason"),
    Column("操作人", "created_by"),
]


def draw_records(qs):
    for d in qs.iterator(chunk_size=2000):
        yield [
            d.task.title,
            d.number,
            d.get_status_display(),
            d.district.name if d.district_id else "市局",
            d.commitment,
            d.committed_at,
            d.external_entropy,
            d.entropy_source,
            d.drawn_at,
            (d.counts or {}).get("selected", "") if d.is_final else "",
            f"第{d.redraw_of.number}次抽取" if d.redraw_of_id else "",
            d.redraw_reason,
            str(d.created_by) if d.created_by_id else "系统",
        ]


RESULT_COLUMNS = [
    Column("统一社会信用代码", "uscc"),
    Column("名称", "name"),
    Column("所属区局", "district"),
    Column("所属所队", "station"),
    Column("抽取层", "stratum"),
    Column("必查", "certain", format=tabular.format_yes_no),
    Column("检查人员", "inspectors"),
    Column("检查人员工号", "staff_nos"),
    Column("专家", "experts"),
    Column("合并检查", "merged"),
]


def result_records(draw: Draw, qs):
    label = selectors.stratum_labeller()
    for v in qs.iterator(chunk_size=2000):
        t = selectors.team(v)
        merged = ""
        if v.merged_into_id:
            merged = f"并入「{v.merged_into.draw.task.title}」的检查"
        e = v.entity
        yield [
            e.uscc,
            e.name,
            e.district.name if e.district_id else "",
            e.station.name if e.station_id else "",
            label(v.stratum),
            v.certain,
            "、".join(selectors.inspector_label(i) for i in t["inspectors"]),
            "、".join(i.staff_no for i in t["inspectors"]),
            "、".join(selectors.expert_label(x) for x in t["experts"]),
            merged,
        ]


def proof_folder(draw: Draw) -> str:
    return f"draw-{draw.pk}"


def proof_zip(draw: Draw, *, public: bool = False) -> FileResponse:
    """The draw's proof files in one zip, under a folder draw-<id>/ (verify that folder): the
    full proof for staff, the public one (no risk class, key tier or staff id) for the portal."""
    folder = services.draw_dir(draw)
    names = services.proof_files(draw, public=public)

    def write(target) -> None:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name in names:
                z.write(folder / name, f"{proof_folder(draw)}/{name}")

    label = "公开抽取证明" if public else "抽取证明"
    return file_download(write, f"{label}-{proof_folder(draw)}.zip")
