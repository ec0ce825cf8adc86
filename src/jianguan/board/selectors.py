"""Reading the board: everything on it is public (no user, no scoping)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import BEIJING, Entry
from .services import head

FEED_PAGE_SIZE = 200
QUERY_MAX = 100


def entries(*, q: str = "", draw_id: int | None = None) -> QuerySet:
    """Newest first; `q` matches the unit or the task title."""
    qs = Entry.objects.all()
    q = (q or "").strip()[:QUERY_MAX]
    if q:
        qs = qs.filter(Q(unit__icontains=q) | Q(task_title__icontains=q))
    if draw_id is not None:
        qs = qs.filter(draw_id=draw_id)
    return qs


def for_task(task_id: int) -> QuerySet:
    """Every board entry of a task's draws, in order: commitments, made, superseded, failed."""
    return Entry.objects.filter(task_id=task_id).order_by("seq")


def feed(page: int) -> dict | None:
    """One page of the JSON feed, oldest first, under one head (entries appended while the
    feed is read belong to a later head); None past the last page."""
    count, hash_ = head()
    pages = max(1, -(-count // FEED_PAGE_SIZE))
    if page < 1 or page > pages:
        return None
    rows = Entry.objects.filter(
        seq__gt=(page - 1) * FEED_PAGE_SIZE, seq__lte=min(page * FEED_PAGE_SIZE, count)
    ).order_by("seq")
    return {
        "format": "jianguan-board/1",
        "head": {"count": count, "hash": hash_},
        "page": page,
        "pages": pages,
        "per_page": FEED_PAGE_SIZE,
        "entries": [{**e.content(), "hash": e.hash} for e in rows],
    }


# --- what the page shows of an entry, in words -----------------------------------------------------


def _time(text: str | None) -> str:
    if not text:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(moment):
        return text
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _format(text: str | None) -> str:
    kind, _sep, n = (text or "").partition(":")
    return {"digits": f"{n} 位数字", "numbers": f"{n} 个号码"}.get(kind, text or "—")


ROSTERS = {
    "rules": "抽取规则",
    "targets": "检查对象名录",
    "inspectors": "检查人员名录",
    "experts": "专家名录",
    "exclusions": "回避名单",
    "entropy_declaration": "外部随机数声明",
}


def _digests(digests: dict) -> list[tuple[str, str]]:
    """In the order of the protocol's steps (rules, rosters, declaration); unknown ones last."""
    order = list(ROSTERS)
    ranked = sorted(
        (digests or {}).items(),
        key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]),
    )
    return [(f"{ROSTERS.get(k, k)}摘要", v) for k, v in ranked]


def facts(entry: Entry) -> list[tuple[str, str]]:
    """(label, value) pairs of an entry for the page: Chinese labels, Beijing times. (The page
    sets hashes, secrets and entropy values — ASCII tokens — in a fixed-width font.)"""
    d = entry.data
    if entry.kind == Entry.Kind.AUDIT_HEAD:
        return [
            ("日期", d.get("date", "")),
            ("审计事件数", str(d.get("count", ""))),
            ("审计日志链头哈希", d.get("hash", "")),
        ]
    rows = [("抽取", f"第 {d.get('number')} 次"), ("承诺值", d.get("commitment", ""))]
    if entry.kind == Entry.Kind.COMMITMENT:
        declaration = d.get("entropy_declaration") or {}
        if declaration:
            rows += [
                ("外部随机数来源", declaration.get("source", "")),
                ("期号与数值", declaration.get("identifier", "")),
                ("公布时间", _time(declaration.get("announced_at"))),
                ("格式", _format(declaration.get("format"))),
            ]
        else:
            rows.append(
                ("外部随机数", "需要（尚未声明）" if d.get("requires_entropy") else "不使用")
            )
        if d.get("redraw_reason"):
            rows.append(("重新抽取理由", d["redraw_reason"]))
        rows += _digests(d.get("digests"))
    elif entry.kind == Entry.Kind.DRAWN:
        rows += [
            ("外部随机数", d.get("external_entropy") or "不使用"),
            ("抽取时间", _time(d.get("drawn_at"))),
            ("抽中户数", str(d.get("selected") if d.get("selected") is not None else "—")),
            ("抽取结果摘要", d.get("result_digest") or "—"),
        ]
    elif entry.kind == Entry.Kind.SUPERSEDED:
        rows += [
            ("重新抽取", f"第 {d.get('redrawn_by_number')} 次" if d.get("redrawn_by") else "—"),
            ("重新抽取理由", d.get("reason") or "—"),
        ]
    elif entry.kind == Entry.Kind.INFEASIBLE:
        rows += [
            ("无法配齐人员的检查对象", f"{d.get('unstaffed', 0)} 户"),
            ("公开的密钥", d.get("secret", "")),
            ("外部随机数", d.get("external_entropy") or "不使用"),
        ]
        rows += _digests(d.get("digests"))
    return rows


def redrawn_by(entry: Entry) -> int | None:
    """The draw id a superseded entry links to."""
    return entry.data.get("redrawn_by") if entry.kind == Entry.Kind.SUPERSEDED else None
