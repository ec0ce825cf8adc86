"""The left navigation (by module) and the top bar's unit and role."""

from django.urls import NoReverseMatch, reverse

NAVIGATION = [
    (
        "名录库",
        [
            ("检查对象", "registry:entity_list"),
            ("检查人员", "personnel:inspector_list"),
            ("专家", "personnel:expert_list"),
            ("回避声明", "personnel:conflict_list"),
        ],
    ),
    (
        "系统管理",
        [
            ("后台任务", "core:job_list"),
            ("审计日志", "core:audit_list"),
            ("API 令牌", "org:token_list"),
        ],
    ),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    groups = []
    for title, links in NAVIGATION:
        items = []
        for label, name in links:
            try:
                items.append((label, reverse(name)))
            except NoReverseMatch:
                continue  # module not installed yet
        if items:
            groups.append((title, items))
    return {"nav_groups": groups}
