"""Writes to annual plans and random-check tasks: validated, scoped, audited, atomic.

Plans follow 制定 → 报备 → 批准: a unit drafts its plan, files it with the level above
(`plan_file`), which approves it (`plan_approve`) or returns it with a reason (`plan_return`).
Tasks are saved from one definition document (planning.rules) by `task_save`, whatever its
source: the task form, the API, or a JSON file (`task_from_file`, used by `run_draw`).

`user=None` means the system itself (management commands run by an operator): no jurisdiction
check, and the audit events name 系统 as the actor.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jianguan.catalog.models import CheckItem, percent
from jianguan.core import audit
from jianguan.core.scoping import ADD, CHANGE, allowed
from jianguan.core.services import apply, require, require_unit, snapshot
from jianguan.org.models import Unit
from jianguan.personnel.models import Expertise
from jianguan.registry.models import DOMAINS, Industry

from . import rules
from .models import Plan, Task
from .permissions import can_approve, can_file, senior
from .rules import DefinitionError
from .selectors import PLAN_UNIT_KINDS

PLAN_FIELDS = [
    "unit",
    "district",
    "year",
    "title",
    "status",
    "note",
    "filed_at",
    "filed_by",
    "approved_at",
    "approved_by",
]
PLAN_EDITABLE = ["unit", "year", "title", "note"]
TASK_FIELDS = [
    "plan",
    "unit",
    "district",
    "title",
    "batch",
    "quarter",
    "items",
    "check_date",
    "window_start",
    "window_end",
    "status",
]
# Parts of the definition that the task's columns above do not already show.
MIRRORED = {"title", "unit", "batch", "quarter", "items", "check_date", "window"}
FROZEN_MESSAGE = "已冻结名单或已抽取的任务不能修改"
PLAN_UNDER_REVIEW = (
    "「{plan}」已报备、等待市局批准，其中的任务暂不能增加或修改；"
    "批准后可增加（计划调整），或由市局退回后修改"
)

# The keys a definition may carry (planning.rules): a misspelt key is an error, not ignored.
DEFINITION_KEYS = {
    "": {
        "title",
        "unit",
        "year",
        "batch",
        "quarter",
        "items",
        "check_date",
        "window",
        "population",
        "sampling",
        "team",
        "experts",
        "requires_external_entropy",
    },
    "window": {"start", "end"},
    "population": {
        "domains",
        "districts",
        "stations",
        "industries",
        "key_tiers",
        "risk_classes",
        "statuses",
        "entity_types",
    },
    "sampling": {
        "mode",
        "ratio",
        "count",
        "class_ratios",
        "stratify_by",
        "min_per_stratum",
        "exclude_checked_months",
        "certainty",
        "listed_class",
        "missed_pt_class",
        "missed_pt_months",
        # Written by rules.protocol_rules into a draw's frozen rules; accepted (and ignored)
        # so that the rules of a past draw can be loaded back as a definition.
        "cap",
    },
    "sampling.certainty": {"key_tiers", "risk_classes"},
    "team": {"size", "skills", "units", "pool_by", "max_load", "rotation"},
    "experts": {"per_target", "field"},
}


# ---------------------------------------------------------------------------------------------
# Plans


def plan_title(unit: Unit, *, year: int) -> str:
    return f"{year}年度{unit.short_name or unit.name}双随机抽查工作计划"


def _check_plan_unit(user, unit: Unit | None, action: str) -> None:
    if unit is None:
        raise ValidationError({"unit": _("请选择制定单位")})
    if unit.kind not in PLAN_UNIT_KINDS:
        raise ValidationError({"unit": _("抽查计划由市局或区局制定，请选择市局或区局")})
    if user is not None:
        require_unit(user, action, unit, "unit")


@transaction.atomic
def plan_create(*, user, data: dict[str, Any]) -> Plan:
    """A draft plan of a city or district unit in the user's jurisdiction."""
    if user is not None and not allowed(user, ADD, Plan):
        raise PermissionDenied(_("您的角色无权制定抽查计划"))
    plan = Plan()
    apply(plan, {k: v for k, v in data.items() if k in PLAN_EDITABLE})
    _check_plan_unit(user, plan.unit if plan.unit_id else None, ADD)
    plan.district = plan.unit.district
    plan.status = Plan.Status.DRAFT
    plan.full_clean()
    plan.save()
    audit.record(user, "create", plan, changes=audit.diff({}, snapshot(plan, PLAN_FIELDS)))
    return plan


@transaction.atomic
def plan_update(*, user, plan: Plan, data: dict[str, Any]) -> Plan:
    """Title, note, year or unit of a draft plan (a filed or approved plan is returned first)."""
    if user is not None:
        require(user, CHANGE, plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("已报备或已批准的计划不能修改；如需调整，请先退回"))
    before = snapshot(plan, PLAN_FIELDS)
    apply(plan, {k: v for k, v in data.items() if k in PLAN_EDITABLE})
    _check_plan_unit(user, plan.unit if plan.unit_id else None, CHANGE)
    if (
        plan.tasks.exclude(unit=plan.unit).exists()
        or plan.tasks.exclude(check_date__year=plan.year).exists()
    ):
        raise ValidationError(_("计划中已有任务，不能再改变制定单位或年度"))
    plan.district = plan.unit.district
    plan.full_clean()
    plan.save()
    if changes := audit.diff(before, snapshot(plan, PLAN_FIELDS)):
        audit.record(user, "update", plan, changes=changes)
    return plan


def _locked_plan(user, plan: Plan) -> Plan:
    if user is not None:
        require(user, "view", plan)
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _refusal(user, plan: Plan, otherwise: str) -> str:
    """The reason for a refused approval or return: the level first, then four eyes."""
    if user is not None and senior(user) and plan.filed_by_id == user.pk:
        return _("计划须由报备人以外的市局管理员批准或退回")
    return otherwise


@transaction.atomic
def plan_file(*, user, plan: Plan) -> Plan:
    """报备: draft → filed, by the plan's own unit; the plan must contain at least one task."""
    plan = _locked_plan(user, plan)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError(_("只有草稿状态的计划可以报备"))
    if not can_file(user, plan):
        raise PermissionDenied(_("计划由制定单位报备"))
    if not plan.tasks.exists():
        raise ValidationError(_("计划中还没有抽查任务，不能报备"))
    before = snapshot(plan, PLAN_FIELDS)
    plan.status = Plan.Status.FILED
    plan.filed_at = timezone.now()
    plan.filed_by = user
    plan.save(update_fields=["status", "filed_at", "filed_by"])
    audit.record(
        user, "update", plan, changes=audit.diff(before, snapshot(plan, PLAN_FIELDS)), note="报备"
    )
    return plan


@transaction.atomic
def plan_approve(*, user, plan: Plan) -> Plan:
    """批准: filed → approved, by a city administrator (see can_approve)."""
    plan = _locked_plan(user, plan)
    if plan.status != Plan.Status.FILED:
        raise ValidationError(_("只有已报备的计划可以批准"))
    if not can_approve(user, plan):
        raise PermissionDenied(_refusal(user, plan, _("计划由上级（市局）批准")))
    before = snapshot(plan, PLAN_FIELDS)
    plan.status = Plan.Status.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by = user
    plan.save(update_fields=["status", "approved_at", "approved_by"])
    audit.record(
        user, "update", plan, changes=audit.diff(before, snapshot(plan, PLAN_FIELDS)), note="批准"
    )
    return plan


@transaction.atomic
def plan_return(*, user, plan: Plan, reason: str) -> Plan:
    """退回: filed → draft with a written reason, by whoever may approve it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由")})
    plan = _locked_plan(user, plan)
    if plan.status != Plan.Status.FILED:
        raise ValidationError(_("只有已报备的计划可以退回"))
    if not can_approve(user, plan):
        raise PermissionDenied(_refusal(user, plan, _("计划由上级（市局）退回")))
    before = snapshot(plan, PLAN_FIELDS)
    plan.status = Plan.Status.DRAFT
    plan.filed_at = None
    plan.filed_by = None
    plan.save(update_fields=["status", "filed_at", "filed_by"])
    audit.record(
        user,
        "update",
        plan,
        changes=audit.diff(before, snapshot(plan, PLAN_FIELDS)),
        note=f"退回：{reason}",
    )
    return plan


# ---------------------------------------------------------------------------------------------
# Tasks


def cap_of(items) -> str | None:
    """The smallest cap of the general items as a decimal string ("0.02"); None: key items only."""
    caps = [i.cap for i in items if i.kind == CheckItem.Kind.GENERAL and i.cap is not None]
    if not caps:
        return None
    return format(min(caps).normalize(), "f")


def floor_of(items) -> tuple[Decimal, list[str]] | None:
    """The highest floor (比例下限) of the items and the codes that set it; None: no floor."""
    floors = [i.min_ratio for i in items if i.min_ratio is not None]
    if not floors:
        return None
    top = max(floors)
    return top, [i.code for i in items if i.min_ratio == top]


def task_cap(task: Task) -> str | None:
    """The task's sampling ratio cap, which the draw enforces (rules.protocol_rules)."""
    return cap_of(task.items.all())


@transaction.atomic
def task_save(user, *, definition: dict, task: Task | None = None) -> Task:
    """Create (task=None) or update a draft task from a definition document.

    Raises DefinitionError({path: [messages]}) for anything wrong with the definition, including
    codes unknown to the database and a unit outside the user's jurisdiction; PermissionDenied
    when the user's role may not write tasks at all.
    """
    if task is not None:
        if user is not None:
            require(user, CHANGE, task)
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != Task.Status.DRAFT:
            raise DefinitionError({"": [FROZEN_MESSAGE]})
    elif user is not None and not allowed(user, ADD, Task):
        raise PermissionDenied(_("您的角色无权制定抽查任务"))

    try:
        bad = _nul_paths(definition)
        definition = without_nulls(definition)
    except RecursionError:
        raise DefinitionError({"": [_("任务定义嵌套层次过深")]}) from None
    if bad:
        # Checked first: no database (PostgreSQL) can hold or even be asked about such text.
        raise DefinitionError({path: [_("不能包含空字符（\\x00）")] for path in bad})
    errors = _unknown_keys(definition)
    try:
        normalized = rules.normalize(definition)
    except DefinitionError as exc:
        # Check the codes of the well-formed parts too, so that every problem shows at once.
        errors = _merge(errors, exc.errors)
        _resolve(user, _lenient(definition), errors, action=ADD if task is None else CHANGE)
        raise DefinitionError(errors) from None
    unit, items = _resolve(user, normalized, errors, action=ADD if task is None else CHANGE)
    if errors:
        raise DefinitionError(errors)

    before = _task_snapshot(task) if task is not None else {}
    plan = _plan_for(user, unit, normalized["year"])
    # The city reviews what was filed: nothing in it changes (nor leaves it) until it is
    # approved or returned.
    for touched in (plan, task.plan if task is not None else None):
        if touched is not None and touched.status == Plan.Status.FILED:
            raise DefinitionError({"": [PLAN_UNDER_REVIEW.format(plan=touched.title)]})
    adjusts = plan.status == Plan.Status.APPROVED and (task is None or task.plan_id != plan.pk)
    task = task or Task(created_by=user if getattr(user, "pk", None) else None)
    task.plan = plan
    task.unit = unit
    task.district = unit.district
    task.title = normalized["title"]
    task.batch = normalized["batch"]
    task.quarter = normalized["quarter"]
    task.check_date = normalized["check_date"]
    task.window_start = normalized["window"]["start"]
    task.window_end = normalized["window"]["end"]
    task.definition = normalized
    try:
        task.full_clean()
    except ValidationError as exc:
        raise DefinitionError(
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        ) from None
    task.save()
    task.items.set(items)
    task.refresh_from_db()
    if changes := audit.diff(before, _task_snapshot(task)):
        audit.record(user, "update" if before else "create", task, changes=changes)
    if adjusts:  # a task added to an approved plan is a plan change, on the plan's record
        audit.record(user, "update", plan, note=f"计划调整：批准后增加任务「{task.title}」")
    return task


def _task_snapshot(task: Task) -> dict[str, Any]:
    """The columns, plus the definition's own rules flattened to their paths
    ("definition.sampling.ratio"), so that the history says which rule changed."""
    out = snapshot(task, TASK_FIELDS)
    rest = {k: v for k, v in (task.definition or {}).items() if k not in MIRRORED}
    out.update(_flatten(rest, "definition"))
    return out


def _flatten(value: Any, path: str) -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{path}.{k}"))
        return out
    return {path: value}


def task_from_file(user, *, path: str | Path, task: Task | None = None) -> Task:
    """Load a definition from a JSON file (UTF-8) and save it as a task (run_draw uses this)."""
    return task_save(user, definition=load_definition(Path(path).read_bytes()), task=task)


def load_definition(raw: bytes | str) -> dict:
    """Parse a definition file; DefinitionError (path "") when it is not a JSON object."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise DefinitionError({"": [_("文件应为 UTF-8 编码的 JSON")]}) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise DefinitionError({"": [_("任务定义嵌套层次过深")]}) from None
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            {
                "": [
                    _("不是有效的 JSON：第 %(line)d 行第 %(col)d 列：%(msg)s")
                    % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
                ]
            }
        ) from None
    if not isinstance(data, dict):
        raise DefinitionError({"": [_("任务定义应为 JSON 对象")]})
    return data


def definition_json(task: Task) -> str:
    """The task's definition as the file users download and upload again."""
    return json.dumps(task.definition, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def without_nulls(value: Any) -> Any:
    """Leave out keys given as null, so that the definition's defaults apply to them (a null
    team size means the default 2, not "no size")."""
    if not isinstance(value, dict):
        return value
    return {k: without_nulls(v) for k, v in value.items() if v is not None}


def _nul_paths(value: Any, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            found += [sub] if "\x00" in str(k) else _nul_paths(v, sub)
        return found
    if isinstance(value, list):
        return [p for v in value for p in _nul_paths(v, path)][:1]
    return []


def _merge(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in a.items()}
    for k, v in b.items():
        out.setdefault(k, []).extend(v)
    return out


def _unknown_keys(definition: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(definition, dict):
        return errors
    for section, known in DEFINITION_KEYS.items():
        obj: Any = definition
        for part in section.split(".") if section else []:
            obj = obj.get(part) if isinstance(obj, dict) else None
        if not isinstance(obj, dict):
            continue
        for key in obj:
            if key not in known:
                path = f"{section}.{key}" if section else str(key)
                errors.setdefault(path, []).append(
                    _("未知字段（可用字段：%s）") % "、".join(sorted(known))
                )
    return errors


def _lenient(data: Any) -> dict:
    """The parts of a definition that `_resolve` reads, taken where well-formed (the rest empty);
    `complete` False: the cross-checks that need a valid whole are skipped."""
    data = data if isinstance(data, dict) else {}

    def section(obj: dict, name: str) -> dict:
        value = obj.get(name)
        return value if isinstance(value, dict) else {}

    def text(obj: dict, key: str) -> str:
        value = obj.get(key)
        return value.strip() if isinstance(value, str) else ""

    def codes(obj: dict, key: str) -> list[str]:
        value = obj.get(key)
        if not isinstance(value, list):
            return []
        return sorted({v for v in value if isinstance(v, str)})

    p, t, e = section(data, "population"), section(data, "team"), section(data, "experts")
    return {
        "complete": False,
        "unit": text(data, "unit"),
        "items": codes(data, "items"),
        "population": {k: codes(p, k) for k in ("domains", "districts", "stations", "industries")},
        "team": {"skills": codes(t, "skills"), "units": codes(t, "units")},
        "experts": {"field": text(e, "field")},
    }


def _resolve(user, d: dict, errors: dict[str, list[str]], *, action: str):
    """Codes of the normalized definition → rows; problems appended to `errors`."""
    complete = d.get("complete", True)

    def fail(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    # The organising unit: a city or district bureau within the user's jurisdiction.
    unit = (
        Unit.objects.select_related("district").filter(code=d["unit"]).first()
        if d["unit"]
        else None
    )
    if d["unit"] and unit is None:
        fail("unit", _("机构代码「%s」不存在") % d["unit"])
    elif unit is not None:
        try:
            _check_plan_unit(user, unit, action)
        except ValidationError as exc:
            for msg in exc.message_dict.get("unit", exc.messages):
                fail("unit", msg)
            unit = None

    # Check items: known, active; general items carry a cap (the smallest is the task's cap).
    items = list(CheckItem.objects.filter(code__in=d["items"]).select_related("department"))
    found = {i.code for i in items}
    if missing := [c for c in d["items"] if c not in found]:
        fail("items", _("不认识的抽查事项编码：%s") % "、".join(missing))
    if inactive := [i.code for i in items if not i.active]:
        fail("items", _("抽查事项已停用：%s") % "、".join(inactive))
    if no_cap := [i.code for i in items if i.kind == CheckItem.Kind.GENERAL and i.cap is None]:
        fail("items", _("一般检查事项未设比例上限：%s") % "、".join(no_cap))
    if complete:
        _check_ratio_cap(d["sampling"], cap_of(items), fail)
        _check_ratio_floor(d["sampling"], floor_of(items), fail)
        # Year and date agree (the task is listed under its plan's year).
        if d["year"] is not None and d["check_date"] and int(d["check_date"][:4]) != d["year"]:
            fail("check_date", _("计划检查日期不在 %d 年度内") % d["year"])

    # Population filters: codes that exist, within the organising unit's jurisdiction.
    p = d["population"]
    if bad := [c for c in p["domains"] if c not in DOMAINS.by_code]:
        fail("population.domains", _("不认识的监管领域代码：%s") % "、".join(bad))
    _check_units(p["districts"], "population.districts", (Unit.Kind.DISTRICT,), unit, fail)
    _check_units(
        p["stations"], "population.stations", (Unit.Kind.STATION, Unit.Kind.TEAM), unit, fail
    )
    known = set(Industry.objects.filter(code__in=p["industries"]).values_list("code", flat=True))
    if bad := [c for c in p["industries"] if c not in known]:
        fail(
            "population.industries",
            _("不是 GB/T 4754-2017 的门类或大类代码：%s（门类如 F，大类如 52）") % "、".join(bad),
        )

    # Inspectors and experts: expertise codes that exist; units within the jurisdiction.
    tags = set(Expertise.objects.values_list("code", flat=True))
    if bad := [c for c in d["team"]["skills"] if c not in tags]:
        fail("team.skills", _("不认识的业务专长代码：%s") % "、".join(bad))
    if d["experts"]["field"] and d["experts"]["field"] not in tags:
        fail("experts.field", _("不认识的专业领域代码：%s") % d["experts"]["field"])
    _check_units(d["team"]["units"], "team.units", None, unit, fail)
    return unit, items


def _check_ratio_cap(sampling: dict, cap: str | None, fail) -> None:
    """A ratio rule whose every ratio exceeds the general items' cap can never be drawn."""
    if cap is None or sampling["mode"] != "ratio":
        return
    ratios = [Decimal(r) for r in sampling["class_ratios"].values()]
    if sampling["ratio"] is not None:
        ratios.append(Decimal(sampling["ratio"]))
    if ratios and min(ratios) > Decimal(cap):
        path = "sampling.ratio" if sampling["ratio"] is not None else "sampling.class_ratios"
        fail(
            path,
            _("抽查比例超过一般检查事项的比例上限 %(cap)s（重点检查事项不设上限）")
            % {"cap": percent(Decimal(cap))},
        )


def _check_ratio_floor(sampling: dict, floor, fail) -> None:
    """Every ratio of a ratio rule reaches the items' floor (seed 001 §三(二)1: testing bodies
    at least 15% a year). A count rule is checked by the draw, which knows the roster."""
    if floor is None or sampling["mode"] != "ratio":
        return
    minimum, codes = floor
    low = {k: Decimal(r) for k, r in sampling["class_ratios"].items() if Decimal(r) < minimum}
    if sampling["ratio"] is not None and Decimal(sampling["ratio"]) < minimum:
        low["ratio"] = Decimal(sampling["ratio"])
    if not low:
        return
    path = "sampling.ratio" if "ratio" in low else "sampling.class_ratios"
    fail(
        path,
        _(
            "抽查比例 %(r)s 低于抽查事项 %(items)s 的比例下限 %(f)s"
            "（检验检测机构“双随机”抽查比例不低于15%%，沪市监认检〔2021〕529号）"
        )
        % {
            "r": "、".join(percent(v) for v in low.values()),
            "items": "、".join(codes),
            "f": percent(minimum),
        },
    )


def _check_units(codes: list[str], path: str, kinds, unit: Unit | None, fail) -> None:
    if not codes:
        return
    rows = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    if missing := [c for c in codes if c not in rows]:
        fail(path, _("机构代码不存在：%s") % "、".join(missing))
    if kinds is not None and (wrong := [c for c, u in rows.items() if u.kind not in kinds]):
        label = "、".join(str(Unit.Kind(k).label) for k in kinds)
        fail(path, _("应为%(kind)s的代码：%(codes)s") % {"kind": label, "codes": "、".join(wrong)})
    if unit is not None and unit.district_id is not None:
        outside = [c for c, u in rows.items() if u.district_id != unit.district_id]
        if outside:
            fail(
                path,
                _("不在%(unit)s辖区内：%(codes)s")
                % {"unit": unit.name, "codes": "、".join(outside)},
            )


def _plan_for(user, unit: Unit, year: int) -> Plan:
    """The unit's plan for the year (its first, if several), created as a draft when missing."""
    # Lock the unit row: two tasks saved at once must not create two plans for the year.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    plan = Plan.objects.filter(unit=unit, year=year).order_by("id").first()
    if plan is not None:
        return plan
    plan = Plan(unit=unit, district=unit.district, year=year, title=plan_title(unit, year=year))
    plan.full_clean()
    plan.save()
    audit.record(
        user,
        "create",
        plan,
        changes=audit.diff({}, snapshot(plan, PLAN_FIELDS)),
        note="保存抽查任务时自动创建",
    )
    return plan
