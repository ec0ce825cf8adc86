"""Generic scoped pages, after NetBox's ObjectListView: a list page, its export, an object's page
and its forms are declarations.

    class EntityList(ObjectListView):
        title = "检查对象名录"
        crumbs = [("名录库", None)]
        filters = EntityFilters                      # the one validator (core/filters.py)
        selector = staticmethod(selectors.entity_list)  # (user=, filters=) → scoped queryset
        template_name = "registry/entity_list.html"     # extends core/list.html: the table only
        add = ("registry:entity_create", "新增", Entity)
        export_columns = ENTITY_COLUMNS                 # (header, getter) pairs

    urlpatterns = [
        path("entities/", EntityList.as_view(), name="entity_list"),
        path("entities/export/", EntityList.as_export_view(), name="entity_export"),
    ]

Every read goes through the view's selector (which scopes with `restrict`), filters through the
one validator (a bad parameter is a 400), single objects through a `*_get(user=, pk=)` selector
(outside the caller's jurisdiction: 404). An export writes the list's rows with its filters and
is on record (数据导出留痕). The scope test (tests/security/test_list_scope.py) and the hostile
parameter sweep walk every view built on these classes.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.views import View

from .downloads import spec_download
from .filters import Filters, NoFilters, controls
from .forms import add_service_errors
from .scoping import ADD, CHANGE, VIEW, allowed
from .views import EXPORT_FORMATS, export_format, paginate, record_export

Crumbs = Sequence[tuple[str, str | None]]


def crumb(label: str, url_name: str | None = None, *args) -> tuple[str, Any]:
    """A breadcrumb: a label and, unless it is the current page, the URL it links to (resolved
    when the page is drawn, so that views may declare their crumbs at import)."""
    return (label, reverse_lazy(url_name, args=args) if url_name else None)


class StaffView(View):
    """A staff page: signed in, and (when `permission` names an action on a model) allowed it.

    Anonymous callers go to the login page; a caller whose role may not do `permission` at all
    gets 403. Rows outside the jurisdiction are a matter for the selectors (404)."""

    permission: ClassVar[tuple[str, type[Model]] | None] = None
    permission_message: ClassVar[str] = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.permission is not None and not allowed(request.user, *self.permission):
            raise PermissionDenied(self.permission_message)
        return super().dispatch(request, *args, **kwargs)


class ObjectListView(StaffView):
    """A scoped, filtered, paged list, and (as_export_view) the same rows as xlsx or csv."""

    title: ClassVar[str] = ""
    crumbs: ClassVar[Crumbs] = ()
    filters: ClassVar[type[Filters]] = NoFilters
    template_name: ClassVar[str] = ""
    intro: ClassVar[str] = ""
    noun: ClassVar[str] = "条"  # 共 N 条 / 户 / 人
    empty: ClassVar[str] = "没有符合条件的记录。"
    per_page: ClassVar[int] = 50
    # (URL name, label, model): the add button, shown to whoever may add rows of the model
    add: ClassVar[tuple[str, str, type[Model]] | None] = None
    # further toolbar links: (URL name, label, (action, model) or None)
    buttons: ClassVar[Sequence[tuple[str, str, tuple[str, type[Model]] | None]]] = ()
    # the export: (header, getter) pairs; None: the list has no export
    export_columns: ClassVar[Sequence[tuple[str, Callable[[Any], Any]]] | None] = None
    export_title: ClassVar[str] = ""  # the file's name and the audit record (default: title)
    export_name: ClassVar[str] = ""  # the export's URL name (default: the list's, _list → _export)
    exporting = False

    @staticmethod
    def selector(*, user, filters) -> QuerySet:
        raise NotImplementedError

    @classmethod
    def as_export_view(cls):
        if cls.export_columns is None and cls.export_response is ObjectListView.export_response:
            raise TypeError(f"{cls.__name__} declares no export")
        return cls.as_view(exporting=True)

    # --- the request -----------------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        self.filtered = self.filters.parse(request.GET)
        queryset = self.get_queryset()
        if self.exporting:
            return self.export(queryset)
        context = paginate(request, queryset, self.per_page)
        context["rows"] = self.decorate(list(context["rows"]))
        context.update(self.toolbar())
        context.update(self.get_context())
        return render(request, self.template_name, context)

    def get_queryset(self) -> QuerySet:
        return self.selector(user=self.request.user, filters=self.filtered)

    def decorate(self, rows: list) -> list:
        """The page's rows, ready for the template (clocks, states): override to add them."""
        return rows

    def get_context(self) -> dict[str, Any]:
        """Whatever else the page's template shows."""
        return {}

    def get_title(self) -> str:
        return self.title

    # --- the toolbar (includes/list_toolbar.html) ------------------------------------------------

    def toolbar(self) -> dict[str, Any]:
        user = self.request.user
        title = self.get_title()
        buttons = [
            (label, reverse(name))
            for name, label, need in self.buttons
            if need is None or allowed(user, *need)
        ]
        add = None
        if self.add is not None and allowed(user, ADD, self.add[2]):
            add = (self.add[1], reverse(self.add[0]))
        export_url = export_urls = None
        if self.export_columns is not None or self._exports_otherwise():
            list_name = self.request.resolver_match.view_name
            name = self.export_name or list_name.removesuffix("_list") + "_export"
            try:
                export_url = reverse(name, kwargs=self.kwargs or None)
            except NoReverseMatch:  # an export addressed as export.xlsx / export.csv
                query = self.filtered.query()
                export_urls = [
                    (
                        fmt,
                        reverse(name, kwargs={**self.kwargs, "fmt": fmt})
                        + f"?{query}" * bool(query),
                    )
                    for fmt in EXPORT_FORMATS
                ]
        return {
            "title": title,
            "breadcrumbs": [*self.crumbs, (title, None)],
            "intro": self.intro,
            "noun": self.noun,
            "empty": self.empty,
            "filters": self.filtered,
            "controls": controls(self.filtered, user),
            "any_filter": bool(self.filtered.given()),
            "export_url": export_url,
            "export_urls": export_urls,
            "export_query": self.filtered.query(),
            "buttons": buttons,
            "add_button": add,
        }

    def _exports_otherwise(self) -> bool:
        return type(self).export_response is not ObjectListView.export_response

    # --- the export ------------------------------------------------------------------------------

    def export(self, queryset: QuerySet):
        fmt = self.kwargs.get("fmt") or export_format(self.request)
        if fmt not in EXPORT_FORMATS:
            raise Http404("未知的文件格式")
        count = queryset.count()
        record_export(
            self.request,
            title=self.export_title or self.get_title(),
            object_type=queryset.model._meta.label_lower,
            fmt=fmt,
            count=count,
            filters=self.filtered.query(),
            unit=self.noun,
        )
        return self.export_response(queryset, fmt, count)

    def export_response(self, queryset: QuerySet, fmt: str, count: int) -> HttpResponse:
        """The file: the export columns over every row, decorated as on the page (override for
        the import layout or a background job)."""
        title = self.export_title or self.get_title()
        return spec_download(self.export_rows(queryset), self.export_columns, fmt, title)

    def export_rows(self, queryset: QuerySet, chunk: int = 2000):
        """Every row, read in chunks and decorated chunk by chunk: a million rows never sit in
        memory."""
        rows = []
        for row in queryset.iterator(chunk_size=chunk):
            rows.append(row)
            if len(rows) == chunk:
                yield from self.decorate(rows)
                rows = []
        yield from self.decorate(rows)


class ObjectDetailView(StaffView):
    """One row, read through a `*_get(user=, pk=)` selector: outside the jurisdiction, 404."""

    template_name: ClassVar[str] = ""
    crumbs: ClassVar[Crumbs] = ()
    action: ClassVar[str] = VIEW

    @staticmethod
    def selector(*, user, pk, action=VIEW) -> Model:
        raise NotImplementedError

    def get(self, request, pk: int, **kwargs):
        self.object = get_or_404(self.selector, user=request.user, pk=pk, action=self.action)
        context = {
            "object": self.object,
            "title": self.get_title(),
            "breadcrumbs": [*self.crumbs, (self.get_title(), None)],
        }
        context.update(self.get_context())
        return render(request, self.template_name, context)

    def get_title(self) -> str:
        return str(self.object)

    def get_context(self) -> dict[str, Any]:
        return {}


def get_or_404(selector, **kwargs) -> Model:
    """A selector's single row, or 404 (not there, or outside the caller's reach)."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist:
        raise Http404("记录不存在或不在您的管辖范围内") from None


class ObjectFormView(StaffView):
    """Create (no pk) or change (pk: the row read through `selector` for CHANGE, 404 outside the
    jurisdiction) through a service. GET shows the form; a valid POST calls `save`, which returns
    the URL to go to; a service's ValidationError shows on the form, which keeps what was typed."""

    template_name: ClassVar[str] = "core/form.html"
    form_class: ClassVar[type | None] = None
    model: ClassVar[type[Model] | None] = None  # create: the caller must be allowed to add it
    crumbs: ClassVar[Crumbs] = ()
    title: ClassVar[str] = ""
    intro: ClassVar[str] = ""
    success_message: ClassVar[str] = "已保存。"
    action: ClassVar[str] = CHANGE
    http_method_names = ["get", "post"]

    @staticmethod
    def selector(*, user, pk, action) -> Model:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        pk = kwargs.get("pk")
        if pk is None:
            self.object = self.stored = None
            if self.model is not None and not allowed(request.user, ADD, self.model):
                raise PermissionDenied(self.permission_message)
        else:
            self.object = get_or_404(self.selector, user=request.user, pk=pk, action=self.action)
            # The row as stored (titles, crumbs): a bound form writes what was typed into
            # self.object before it is saved.
            self.stored = copy.copy(self.object)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.page(self.get_form(None))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                url = self.save(form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if self.success_message:
                    messages.success(request, self.success_message)
                return redirect(url)
        return self.page(form)

    def get_form(self, data):
        return self.form_class(data, **self.form_kwargs())

    def form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.object} if self.object is not None else {}

    def save(self, form) -> str:
        raise NotImplementedError

    def get_title(self) -> str:
        return self.title

    def cancel_url(self) -> str:
        return "/"

    def get_context(self) -> dict[str, Any]:
        return {}

    def page(self, form):
        title = self.get_title()
        context = {
            "form": form,
            "object": self.object,
            "title": title,
            "intro": self.intro,
            "cancel_url": self.cancel_url(),
            "breadcrumbs": [*self.crumbs, (title, None)],
        }
        context.update(self.get_context())
        return render(self.request, self.template_name, context)


def permission_required(action: str, model: type[Model], message: str = ""):
    """`StaffView.permission` for a function view: 403 unless the caller's role may do `action`
    on rows of `model` at all (core.scoping.allowed, from org.models.ROLE_SPECS). Goes below
    `login_required`, so that an anonymous caller is sent to the login page first."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user, action, model):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
