"""Who may reach which endpoint: the declarations that tests/security/test_access_matrix.py checks.

Every URL pattern (by its name, e.g. "registry:entity_detail") and every API operation (by method
and path, e.g. "GET /api/entities/{entity_id}") has a Rule here; the matrix fails, naming the
endpoint, when one is missing ("新增的地址未声明访问规则：…") or left over.

A Rule says what each kind of caller gets, as one row of seven outcomes in the order of
CALLER_ORDER (the callers are built in tests/security/conftest.py; every object of the world is in
district 310101, station 310101-S01):

    anonymous  station  admin_own  admin_other  city  expert  read_only

Outcomes:
    ok           2xx (the page, the file, the JSON)
    login        302 to the login page (anonymous on a staff page)
    admin-login  302 to django-admin's login (anyone who is not an operator)
    redirect     302 elsewhere: the action was done (a write may happen)
    bounce       302 back with an error message: refused, and nothing may be written
    401 403 404 405 400 422
                 the status itself; 404 is the answer outside the caller's jurisdiction, so that
                 the existence of the object does not leak

`get` is checked with GET; `post`, when given, with a POST of an empty body (for an API
operation, `get` holds the answer to its own method, sent with an empty JSON object). A refusal
(anything but ok/redirect) must write no audit event. `obj` names the world object whose pk fills
the URL (`pk_name`), `kwargs` the other URL parameters.

To declare a new endpoint: pick the preset below that states the intended access (not the one
that happens to pass), or write the row, and add it to RULES under the URL name. To draft rows,
run the matrix with ACCESS_MATRIX_RECORD=/tmp/rows.jsonl; a draft is not a rule: check every
outcome against the threat model in docs/security.md first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OK, LOGIN, ADMIN_LOGIN, REDIRECT, BOUNCE = "ok", "login", "admin-login", "redirect", "bounce"
SUCCESS = {OK, REDIRECT}  # the only outcomes after which a write may have happened
CALLER_ORDER = ("anonymous", "station", "admin_own", "admin_other", "city", "expert", "read_only")


def E(row: str) -> dict[str, str]:
    """ "login ok ok 404 ok 404 ok" → {caller: outcome} in CALLER_ORDER."""
    tokens = row.split()
    assert len(tokens) == len(CALLER_ORDER), row
    return dict(zip(CALLER_ORDER, tokens, strict=True))


@dataclass(frozen=True)
class Rule:
    get: dict[str, str] | None
    post: dict[str, str] | None = None
    obj: str | None = None
    kwargs: dict = field(default_factory=dict)
    pk_name: str = "pk"


# --- presets: pages ------------------------------------------------------------------------------
#                       anon   stat   own    other  city   expert read
LIST = E("login  ok     ok     ok     ok     ok     ok")  # scoped list: the expert's is empty
STATION_OBJECT = E("login  ok     ok     404    ok     404    ok")  # row of station S01
DISTRICT_OBJECT = E("login  404    ok     404    ok     404    ok")  # row without a station
CITY_OBJECT = E("login  ok     ok     ok     ok     404    ok")  # city-wide reference row
CHANGE = E("login  404    ok     404    ok     404    404")  # change a district's row
CITY_CHANGE = E("login  404    404    404    ok     404    404")  # change reference data
ADD = E("login  403    ok     ok     ok     403    403")  # add to one's own district
CITY_ADD = E("login  403    403    403    ok     403    403")  # add reference data
POST_ONLY = E("login  405    405    405    405    405    405")  # GET on an action
ADMIN_SITE = E(
    "admin-login admin-login admin-login admin-login admin-login admin-login admin-login"
)

# Internal risk data (classes, models, key-area lists): no expert ever sees it.
RISK_READ = E("login  ok     ok     ok     ok     403    ok")
CITY_ONLY = E("login  403    403    403    ok     403    403")  # a city-only form
CITY_ACTION = E("login  403    403    403    redirect 403    403")  # a city-only action

# --- presets: API --------------------------------------------------------------------------------
API_LIST = E("401    ok     ok     ok     ok     ok     ok")
API_STATION_OBJECT = E("401    ok     ok     404    ok     404    ok")
API_DISTRICT_OBJECT = E("401    404    ok     404    ok     404    ok")
API_CITY_OBJECT = E("401    ok     ok     ok     ok     404    ok")
API_CHANGE = E("401    404    ok     404    ok     404    404")
# An empty body is refused by validation before any role check: 422 for every token holder.
API_EMPTY_BODY = E("401    422    422    422    422    422    422")


def page(get, post=None, obj=None, **kwargs) -> Rule:
    pk_name = kwargs.pop("pk_name", "pk")
    return Rule(get=get, post=post, obj=obj, kwargs=kwargs, pk_name=pk_name)


def api(expect, obj=None) -> Rule:
    return Rule(get=expect, obj=obj)


def form(get, obj=None, **kwargs) -> Rule:
    """A GET/POST form: an empty POST is answered like the GET (the form again, with errors)."""
    return page(get, get, obj, **kwargs)


def action(post, obj=None, **kwargs) -> Rule:
    """A POST-only action."""
    return page(POST_ONLY, post, obj, **kwargs)


def generic_kwarg(world, param: str):
    """URL parameters of patterns no rule fills itself (django-admin's)."""
    if param == "app_label":
        return "org"
    if param == "content_type_id":
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(world.objects["entity"]).pk
    if param == "url":
        return "no-such-page/"
    return world.pk("user")


RULES: dict[str, Rule] = {
    # --- entry, account ---------------------------------------------------------------------
    "home": page(LIST),
    # A signed-in user is sent on from the login page; an empty login form is shown again.
    "login": form(E("ok redirect redirect redirect redirect redirect redirect")),
    "logout": page(
        E("405 405 405 405 405 405 405"),
        E("redirect redirect redirect redirect redirect redirect redirect"),
    ),
    # API tokens are personal: the list shows one's own; the form lives on the list page.
    "org:token_list": page(LIST),
    "org:token_create": page(
        E("login redirect redirect redirect redirect redirect redirect"),
        E("login ok ok ok ok ok ok"),
    ),
    # Only the token's owner (admin_own) may revoke it; for anyone else it does not exist.
    "org:token_revoke": action(E("login 404 redirect 404 404 404 404"), "token"),
    # --- system: jobs, audit log ------------------------------------------------------------
    "core:job_list": page(LIST),
    "core:job_detail": page(DISTRICT_OBJECT, obj="job"),
    "core:job_progress": page(DISTRICT_OBJECT, obj="job"),
    "core:job_file": page(DISTRICT_OBJECT, obj="job", name="error_report"),
    "core:audit_list": page(LIST),
    # --- registry ---------------------------------------------------------------------------
    "registry:entity_list": page(LIST),
    "registry:entity_create": form(ADD),
    "registry:entity_export": page(LIST),
    "registry:entity_import": form(ADD),
    # The blank template is for those who may see entities (the expert may not: 404).
    "registry:import_template": page(CITY_OBJECT, fmt="xlsx"),
    "registry:station_options": page(LIST),
    "registry:entity_detail": page(STATION_OBJECT, obj="entity"),
    "registry:entity_edit": form(CHANGE, obj="entity"),
    # The world's entity is not a testing body: the editor sends back to the entity page.
    "registry:testing_body_edit": form(E("login 404 redirect 404 redirect 404 404"), obj="entity"),
    # --- personnel --------------------------------------------------------------------------
    "personnel:inspector_list": page(LIST),
    "personnel:inspector_create": form(ADD),
    "personnel:inspector_export": page(LIST),
    "personnel:inspector_import": form(ADD),
    "personnel:inspector_import_template": page(ADD),
    "personnel:inspector_detail": page(STATION_OBJECT, obj="inspector"),
    "personnel:inspector_edit": form(CHANGE, obj="inspector"),
    # The expert pool is city-wide: all staff read it, only the city keeps it.
    "personnel:expert_list": page(LIST),
    "personnel:expert_create": form(CITY_ADD),
    "personnel:expert_export": page(LIST),
    "personnel:expert_import": form(CITY_ADD),
    "personnel:expert_import_template": page(CITY_ADD),
    "personnel:expert_detail": page(CITY_OBJECT, obj="expert"),
    "personnel:expert_edit": form(CITY_CHANGE, obj="expert"),
    "personnel:conflict_list": page(LIST),
    "personnel:conflict_create": form(ADD),
    "personnel:conflict_end": form(CHANGE, obj="conflict"),
    # --- working days (city-wide reference data) --------------------------------------------
    "workdays:calendar": page(LIST, E("login 403 403 403 ok 403 403")),
    "workdays:calendar_remove": action(E("login 403 403 403 redirect 403 403"), "calendar_day"),
    # --- catalog (city-wide reference data) -------------------------------------------------
    "catalog:item_list": page(LIST),
    "catalog:item_create": form(CITY_ADD),
    "catalog:item_export": page(LIST),
    "catalog:item_import": form(CITY_ADD),
    "catalog:item_import_template": page(CITY_ADD),
    "catalog:item_detail": page(CITY_OBJECT, obj="item"),
    "catalog:item_edit": form(CITY_CHANGE, obj="item"),
    "catalog:department_list": page(LIST),
    "catalog:department_create": form(CITY_ADD),
    "catalog:department_edit": form(CITY_CHANGE, obj="department"),
    "catalog:result_code_list": page(LIST),
    "catalog:result_code_create": form(CITY_ADD),
    "catalog:result_code_export": page(LIST),
    "catalog:result_code_import": form(CITY_ADD),
    "catalog:result_code_import_template": page(CITY_ADD),
    "catalog:result_code_edit": form(CITY_CHANGE, obj="result_code"),
    # --- planning: plans and tasks are district-level (a station sees none) -----------------
    "planning:plan_list": page(LIST),
    "planning:plan_create": form(ADD),
    "planning:plan_export": page(LIST),
    "planning:plan_detail": page(DISTRICT_OBJECT, obj="plan"),
    "planning:plan_edit": form(CHANGE, obj="plan"),
    # Plan steps: whoever may see the plan is sent back to it; the step itself is checked by
    # the service (read_only: refused with a message, nothing written).
    "planning:plan_file": action(E("login 404 redirect 404 redirect 404 bounce"), "plan"),
    "planning:plan_approve": action(E("login 404 redirect 404 redirect 404 bounce"), "plan"),
    "planning:plan_return": action(E("login 404 redirect 404 redirect 404 bounce"), "plan"),
    "planning:task_list": page(LIST),
    "planning:task_create": form(ADD),
    "planning:task_export": page(LIST),
    "planning:task_detail": page(DISTRICT_OBJECT, obj="task"),
    "planning:task_edit": form(CHANGE, obj="task"),
    "planning:task_export_json": page(DISTRICT_OBJECT, obj="task"),
    # --- sampling: draws are district-level ---------------------------------------------------
    "sampling:draw_list": page(LIST),
    "sampling:draw_export": page(LIST),
    "sampling:draw_detail": page(DISTRICT_OBJECT, obj="drawn_draw"),
    "sampling:draw_results_export": page(DISTRICT_OBJECT, obj="drawn_draw"),
    "sampling:draw_proof": page(DISTRICT_OBJECT, obj="drawn_draw"),
    "sampling:draw_print": page(DISTRICT_OBJECT, obj="drawn_draw"),
    # An empty entropy or re-draw form is a 400 with the form's errors.
    "sampling:draw_entropy": page(CHANGE, E("login 404 400 404 400 404 404"), obj="committed_draw"),
    "sampling:draw_execute": action(E("login 404 redirect 404 redirect 404 404"), "committed_draw"),
    "sampling:draw_redraw": action(E("login 404 400 404 400 404 404"), "drawn_draw"),
    "sampling:visit_merge": action(E("login 404 redirect 404 redirect 404 404"), "drawn_draw"),
    "sampling:task_preview": page(DISTRICT_OBJECT, obj="task", pk_name="task_pk"),
    "sampling:task_commit": action(
        E("login 404 redirect 404 redirect 404 404"), "task", pk_name="task_pk"
    ),
    # --- credit: listings belong to the entity's district and station -----------------------
    "credit:abnormal_list": page(LIST),
    "credit:abnormal_create": form(ADD),
    "credit:abnormal_export": page(LIST),
    "credit:abnormal_detail": page(STATION_OBJECT, obj="abnormal"),
    "credit:abnormal_cure": form(CHANGE, obj="abnormal"),
    "credit:abnormal_remove": form(CHANGE, obj="abnormal"),
    "credit:abnormal_escalate": action(E("login 404 redirect 404 redirect 404 404"), "abnormal"),
    "credit:objection_create": form(CHANGE, obj="abnormal"),
    "credit:objection_decide": form(CHANGE, obj="objection"),
    "credit:serious_list": page(LIST),
    "credit:serious_create": form(ADD),
    "credit:serious_export": page(LIST),
    "credit:serious_detail": page(STATION_OBJECT, obj="serious"),
    "credit:serious_edit": form(CHANGE, obj="serious"),
    "credit:serious_remove": form(CHANGE, obj="serious"),
    "credit:repair_apply": form(CHANGE, obj="serious"),
    "credit:repair_decide": form(CHANGE, obj="repair"),
    "credit:commitment_list": page(LIST),
    "credit:commitment_create": form(ADD),
    "credit:commitment_export": page(LIST),
    "credit:commitment_edit": form(CHANGE, obj="commitment"),
    "credit:due": page(LIST),
    # --- API: description and docs are public (no data); the root has no page ----------------
    "api:openapi-json": page(E("ok ok ok ok ok ok ok")),
    "api:openapi-view": page(E("ok ok ok ok ok ok ok")),
    "api:api-root": page(E("404 404 404 404 404 404 404")),
    # --- API operations ---------------------------------------------------------------------
    "GET /api/entities": api(API_LIST),
    "POST /api/entities": api(API_EMPTY_BODY),
    "GET /api/entities/{entity_id}": api(API_STATION_OBJECT, "entity"),
    "PATCH /api/entities/{entity_id}": api(API_CHANGE, "entity"),
    "GET /api/inspectors": api(API_LIST),
    "POST /api/inspectors": api(API_EMPTY_BODY),
    "GET /api/inspectors/{inspector_id}": api(API_STATION_OBJECT, "inspector"),
    "PATCH /api/inspectors/{inspector_id}": api(API_CHANGE, "inspector"),
    "GET /api/catalog/items": api(API_LIST),
    "GET /api/catalog/items/{item_id}": api(API_CITY_OBJECT, "item"),
    "GET /api/catalog/result-codes": api(API_LIST),
    "GET /api/catalog/departments": api(API_LIST),
    "GET /api/planning/plans": api(API_LIST),
    "GET /api/planning/plans/{plan_id}": api(API_DISTRICT_OBJECT, "plan"),
    "GET /api/planning/tasks": api(API_LIST),
    # Every field of a task definition may be missing from a draft: the role check comes first.
    "POST /api/planning/tasks": api(E("401 403 422 422 422 403 403")),
    "GET /api/planning/tasks/{task_id}": api(API_DISTRICT_OBJECT, "task"),
    "GET /api/draws": api(API_LIST),
    "POST /api/draws": api(API_EMPTY_BODY),
    "GET /api/draws/{draw_id}": api(API_DISTRICT_OBJECT, "drawn_draw"),
    "GET /api/draws/{draw_id}/visits": api(API_DISTRICT_OBJECT, "drawn_draw"),
    "POST /api/draws/{draw_id}/entropy": api(API_EMPTY_BODY, "committed_draw"),
    # read_only may see the draw but not run it: 403.
    "POST /api/draws/{draw_id}/execute": api(E("401 404 ok 404 ok 404 403"), "committed_draw"),
    "GET /api/credit/abnormal": api(API_LIST),
    "GET /api/credit/abnormal/{listing_id}": api(API_STATION_OBJECT, "abnormal"),
    "GET /api/credit/serious": api(API_LIST),
    "GET /api/credit/serious/{listing_id}": api(API_STATION_OBJECT, "serious"),
    # --- risk classes (internal): staff read them, experts never; the city edits the model -----
    "risk:model_list": page(RISK_READ),
    "risk:model_detail": page(RISK_READ, obj="risk_model"),
    "risk:model_edit": form(CITY_ONLY, obj="risk_model"),
    "risk:model_draft": action(CITY_ACTION, obj="risk_model"),
    "risk:model_activate": action(CITY_ACTION, obj="risk_model"),
    "risk:child_create": form(CITY_ONLY, obj="risk_model", kind="indicator"),
    "risk:child_edit": form(CITY_ONLY, obj="risk_model", kind="indicator", key="age"),
    "risk:child_delete": action(CITY_ACTION, obj="risk_model", kind="indicator", key="age"),
    "risk:run_start": action(CITY_ACTION),
    "risk:run_detail": page(RISK_READ, obj="risk_run"),
    "risk:keyarea_list": page(RISK_READ),
    "risk:matter_list": page(RISK_READ),
    "risk:matter_create": form(CITY_ONLY),
    "risk:matter_edit": form(CITY_ONLY, obj="matter"),
    "risk:matter_export": page(RISK_READ, fmt="csv"),
    "risk:info_list": page(RISK_READ),
    "risk:info_create": form(CITY_ONLY),
    "risk:info_edit": form(CITY_ONLY, obj="info"),
    "risk:info_export": page(RISK_READ, fmt="csv"),
    "risk:listing_list": page(RISK_READ),
    # key-area listings belong to the entity's district: its admin and the city list them
    "risk:listing_create": form(E("login  403    ok     ok     ok     403    403")),
    "risk:listing_remove": form(
        E("login  404    ok     404    ok     404    404"), "keyarea_listing"
    ),
    "risk:listing_export": page(RISK_READ, fmt="csv"),
    "risk:class_list": page(RISK_READ),
    "risk:class_export": page(RISK_READ, fmt="csv"),
    "risk:coverage": page(RISK_READ),
    "risk:coverage_export": page(RISK_READ, fmt="csv"),
    # scores and their explanation: inspectors and administrators only (read_only: 403)
    "GET /api/risk/entities/{entity_id}": api(E("401 ok ok 404 ok 403 403"), "entity"),
}

# Patterns declared as a family: (regular expression over the key, rule).
PATTERN_RULES: list[tuple[str, Rule]] = [
    # django-admin is for operators (superusers) only; every one of its views, the axes
    # lockout lists included, sends anyone else to its login. Its login page is open, its
    # logout sends on.
    (r"admin:login", page(E("ok ok ok ok ok ok ok"))),
    (r"admin:logout", page(E("redirect redirect redirect redirect redirect redirect redirect"))),
    (r"admin:.*", page(ADMIN_SITE)),
    # django-admin's unnamed patterns (the old change-page redirect, the catch-all).
    (r"django-admin/.*", page(ADMIN_SITE)),
]


def _merge_extensions() -> None:
    from tests.security import extensions

    for module in extensions.MODULES:
        clash = RULES.keys() & module.RULES.keys()
        assert not clash, f"{module.__name__} declares again: {sorted(clash)}"
        RULES.update(module.RULES)


_merge_extensions()
