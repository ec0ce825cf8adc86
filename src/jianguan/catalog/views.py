"""Pages of the check-item list (抽查事项清单), departments and result codes.

Thin views: parse (forms), read (selectors), write (services), render. These lists are
city-wide: every member of staff reads them; only city administrators see and use the buttons
that change them (the pages answer 403 to anyone else who tries).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from jianguan.core import audit
from jianguan.core.filters import validated
from jianguan.core.forms import add_service_errors
from jianguan.core.importing import start_from_form
from jianguan.core.middleware import body_limit
from jianguan.core.scoping import ADD, CHANGE, VIEW, allowed
from jianguan.core.views import export_format, paginate, query_without
from jianguan.registry.models import DOMAINS

from . import importing, selectors, services, tasks
from .filters import ItemFilters, ParentParam, ResultCodeFilters
from .forms import CheckItemForm, DepartmentForm, ListImportForm, ResultCodeForm
from .models import CheckItem, Department, ResultCode

CITY_ONLY = services.CITY_ONLY


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("双随机抽查", None), *items]


def _items_crumb() -> tuple[str, str]:
    return ("抽查事项清单", reverse("catalog:item_list"))


def _codes_crumb() -> tuple[str, str]:
    return ("检查结果代码", reverse("catalog:result_code_list"))


def _require(user, action: str, model) -> None:
    if not allowed(user, action, model):
        raise PermissionDenied(CITY_ONLY)


def _save_form(request, form, save, success: str, target):
    """POST: validate, call the service, redirect to `target(obj)`; None to render the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        obj = save(form.service_data())
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, success.format(obj=obj))
    return redirect(target(obj))


def _form_page(request, form, title: str, cancel_url: str, breadcrumbs, history=None):
    return render(
        request,
        "catalog/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
            "breadcrumbs": breadcrumbs,
            "history": history,
        },
    )


# ---------------------------------------------------------------- check items


@login_required
@validated(ItemFilters)
def item_list(request):
    user = request.user
    ctx = paginate(request, selectors.item_list(user, request.GET))
    ctx.update(
        title="抽查事项清单",
        f={key: request.GET.get(key, "") for key in selectors.ITEM_FILTERS},
        any_filter=any(request.GET.get(key) for key in selectors.ITEM_FILTERS),
        departments=[(str(d.pk), d.name) for d in selectors.department_list(user)],
        kinds=CheckItem.Kind.choices,
        domains=DOMAINS.choices,
        actives=[("1", "启用"), ("0", "停用")],
        can_add=allowed(user, ADD, CheckItem),
        can_departments=allowed(user, CHANGE, Department),
        export_query=query_without(request),
        breadcrumbs=_crumbs(("抽查事项清单", None)),
    )
    return render(request, "catalog/item_list.html", ctx)


@login_required
def item_detail(request, pk: int):
    user = request.user
    item = get_object_or_404(
        CheckItem.objects.restrict(user, VIEW).select_related("department"), pk=pk
    )
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "history": audit.history(item)[:100],
            "can_change": CheckItem.objects.restrict(user, CHANGE).filter(pk=pk).exists(),
            "breadcrumbs": _crumbs(_items_crumb(), (item.code, None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request):
    user = request.user
    _require(user, ADD, CheckItem)
    form = CheckItemForm(request.POST or None, initial={"active": True})
    done = _save_form(
        request,
        form,
        lambda data: services.item_save(user=user, data=data),
        "已新增抽查事项 {obj}",
        lambda item: reverse("catalog:item_detail", args=[item.pk]),
    )
    return done or _form_page(
        request,
        form,
        "新增抽查事项",
        reverse("catalog:item_list"),
        _crumbs(_items_crumb(), ("新增", None)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    user = request.user
    item = get_object_or_404(CheckItem.objects.restrict(user, CHANGE), pk=pk)
    label = str(item)
    form = CheckItemForm(request.POST or None, instance=item)
    done = _save_form(
        request,
        form,
        lambda data: services.item_save(user=user, item=item, data=data),
        "已保存抽查事项 {obj}",
        lambda obj: reverse("catalog:item_detail", args=[obj.pk]),
    )
    detail_url = reverse("catalog:item_detail", args=[pk])
    return done or _form_page(
        request,
        form,
        f"编辑抽查事项：{label}",
        detail_url,
        _crumbs(_items_crumb(), (label, detail_url), ("编辑", None)),
    )


@login_required
@validated(ItemFilters)
def item_export(request):
    """The filtered list as xlsx or csv, in the import file's columns (so it round-trips)."""
    fmt = export_format(request)
    return importing.export_items_response(selectors.item_list(request.user, request.GET), fmt)


@login_required
def item_import_template(request):
    _require(request.user, ADD, CheckItem)
    return importing.item_template_response(export_format(request))


@body_limit("JIANGUAN_IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def item_import(request):
    _require(request.user, ADD, CheckItem)
    return _import_page(
        request,
        tasks.KIND_ITEMS,
        title="批量导入抽查事项",
        back_url=reverse("catalog:item_list"),
        template_url=reverse("catalog:item_import_template"),
        breadcrumbs=_crumbs(_items_crumb(), ("批量导入", None)),
        notes=[
            "下载模板，按表头填写，一行一个事项；第一行为表头，请勿修改。",
            "以“事项编码”识别事项：编码已存在的行更新该事项，其余行新增；同一文件中编码不得重复。"
            "导出的文件可直接修改后导入。",
            "部门填写部门名称或代码；事项类别填写“一般检查事项”或“重点检查事项”。",
            "比例填写百分数（3 表示 3%）。重点检查事项不设比例上限，“比例上限（%）”须留空；"
            "一般检查事项须填写比例上限，且默认抽查比例不得高于上限。",
            "检查方式、监管领域可填多项，用“；”或“、”分隔。“启用”填“是”或“否”，不填视为“是”。",
            "整批导入：只要有一行出错，就不导入任何数据，并列出出错的行号、列名和原因。",
        ],
    )


def _import_page(request, kind, *, title, back_url, template_url, breadcrumbs, notes):
    """Upload page of a small list: a background job imports the file, all-or-nothing; its
    page shows progress, the outcome and the errors (row, column, reason) to download."""
    form = ListImportForm(request.POST or None, request.FILES or None)
    response = request.method == "POST" and form.is_valid() and start_from_form(request, form, kind)
    if response:
        return response
    return render(
        request,
        "catalog/import.html",
        {
            "form": form,
            "title": title,
            "back_url": back_url,
            "template_url": template_url,
            "notes": notes,
            "breadcrumbs": breadcrumbs,
        },
    )


# ---------------------------------------------------------------- departments


@login_required
def department_list(request):
    user = request.user
    departments = selectors.department_list(user).annotate(item_count=Count("items"))
    return render(
        request,
        "catalog/department_list.html",
        {
            "rows": departments,
            "can_add": allowed(user, ADD, Department),
            "can_change": allowed(user, CHANGE, Department),
            "breadcrumbs": _crumbs(_items_crumb(), ("部门", None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_create(request):
    user = request.user
    _require(user, ADD, Department)
    form = DepartmentForm(request.POST or None)
    done = _save_form(
        request,
        form,
        lambda data: services.department_save(user=user, data=data),
        "已新增部门 {obj}",
        lambda _obj: reverse("catalog:department_list"),
    )
    return done or _form_page(
        request,
        form,
        "新增部门",
        reverse("catalog:department_list"),
        _crumbs(_items_crumb(), ("部门", reverse("catalog:department_list")), ("新增", None)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request, pk: int):
    user = request.user
    department = get_object_or_404(Department.objects.restrict(user, CHANGE), pk=pk)
    name = department.name
    form = DepartmentForm(request.POST or None, instance=department)
    done = _save_form(
        request,
        form,
        lambda data: services.department_save(user=user, department=department, data=data),
        "已保存部门 {obj}",
        lambda _obj: reverse("catalog:department_list"),
    )
    return done or _form_page(
        request,
        form,
        f"编辑部门：{name}",
        reverse("catalog:department_list"),
        _crumbs(_items_crumb(), ("部门", reverse("catalog:department_list")), (name, None)),
        history=audit.history(department)[:100],
    )


# ---------------------------------------------------------------- result codes


@login_required
@validated(ResultCodeFilters)
def result_code_list(request):
    user = request.user
    codes = selectors.result_code_list(user, request.GET)
    return render(
        request,
        "catalog/result_code_list.html",
        {
            "rows": selectors.result_code_tree(codes),
            "f": {key: request.GET.get(key, "") for key in ("q", "active")},
            "actives": [("1", "启用"), ("0", "停用")],
            "can_add": allowed(user, ADD, ResultCode),
            "can_change": allowed(user, CHANGE, ResultCode),
            "export_query": query_without(request),
            "breadcrumbs": _crumbs(("检查结果代码", None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@validated(ParentParam)
def result_code_create(request):
    user = request.user
    _require(user, ADD, ResultCode)
    initial = {"active": True}
    if (parent := request.GET.get("parent", "")).isdigit():
        initial["parent"] = int(parent)
    form = ResultCodeForm(request.POST or None, initial=initial)
    done = _save_form(
        request,
        form,
        lambda data: services.result_code_save(user=user, data=data),
        "已新增检查结果代码 {obj}",
        lambda _obj: reverse("catalog:result_code_list"),
    )
    return done or _form_page(
        request,
        form,
        "新增检查结果代码",
        reverse("catalog:result_code_list"),
        _crumbs(_codes_crumb(), ("新增", None)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_code_edit(request, pk: int):
    user = request.user
    code = get_object_or_404(ResultCode.objects.restrict(user, CHANGE), pk=pk)
    label = str(code)
    form = ResultCodeForm(request.POST or None, instance=code)
    done = _save_form(
        request,
        form,
        lambda data: services.result_code_save(user=user, result_code=code, data=data),
        "已保存检查结果代码 {obj}",
        lambda _obj: reverse("catalog:result_code_list"),
    )
    return done or _form_page(
        request,
        form,
        f"编辑检查结果代码：{label}",
        reverse("catalog:result_code_list"),
        _crumbs(_codes_crumb(), (label, None)),
        history=audit.history(code)[:100],
    )


@login_required
@validated(ResultCodeFilters)
def result_code_export(request):
    fmt = export_format(request)
    codes = selectors.result_code_list(request.user, request.GET)
    return importing.export_result_codes_response(codes, fmt)


@login_required
def result_code_import_template(request):
    _require(request.user, ADD, ResultCode)
    return importing.result_code_template_response(export_format(request))


@body_limit("JIANGUAN_IMPORT_MAX_BYTES")
@login_required
@require_http_methods(["GET", "POST"])
def result_code_import(request):
    _require(request.user, ADD, ResultCode)
    return _import_page(
        request,
        tasks.KIND_RESULT_CODES,
        title="批量导入检查结果代码",
        back_url=reverse("catalog:result_code_list"),
        template_url=reverse("catalog:result_code_import_template"),
        breadcrumbs=_crumbs(_codes_crumb(), ("批量导入", None)),
        notes=[
            "下载模板或导出现有代码，按表头填写，一行一个代码；第一行为表头，请勿修改。",
            "以“代码”识别：已存在的代码更新，其余新增；同一文件中代码不得重复。",
            "细分类型在“上级代码”中填写其上级的代码（可以是同一文件中新增的代码）；结果代码只分两级。",
            "“发现问题”填“是”或“否”；细分类型须与上级代码一致，不填则沿用上级代码的值。",
            "整批导入：只要有一行出错，就不导入任何数据，并列出出错的行号、列名和原因。",
        ],
    )
