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
        "双随机抽查",
        [
            ("抽查计划", "planning:plan_list"),
            ("抽查任务", "planning:task_list"),
            ("抽取记录", "sampling:draw_list"),
            ("抽查事项清单", "catalog:item_list"),
            ("检查结果代码", "catalog:result_code_list"),
        ],
    ),
    (
        "检查实施",
        [
            ("我的检查", "inspections:my_visits"),
            ("检查记录", "inspections:inspection_list"),
            ("后续处置", "inspections:follow_up_list"),
        ],
    ),
    (
        "结果公示",
        [
            ("公示管理", "publication:publication_list"),
            ("已公示结果", "publication:result_list"),
        ],
    ),
    (
        "信用监管",
        [
            ("经营异常名录", "credit:abnormal_list"),
            ("严重违法失信名单", "credit:serious_list"),
            ("信用承诺", "credit:commitment_list"),
            ("时限提醒", "credit:due"),
            ("风险分类模型", "risk:model_list"),
            ("分类回测", "risk:backtest"),
            ("重点领域清单", "risk:keyarea_list"),
        ],
    ),
    (
        "检验检测监管",
        [
            ("概览", "testing:home"),
            ("资质认定", "testing:qualification_list"),
            ("机构变更", "testing:change_list"),
            ("告知承诺核查", "testing:follow_up_list"),
            ("风险监测", "testing:plan_list"),
            ("能力验证", "testing:result_list"),
            ("综合能力考核", "testing:assessment_list"),
            ("信用等级评价", "testing:grade_list"),
            ("网络监测线索", "testing:lead_list"),
            ("依法处理", "testing:handling_list"),
            ("覆盖与年度抽查", "testing:coverage"),
        ],
    ),
    (
        "系统管理",
        [
            ("后台任务", "core:job_list"),
            ("审计日志", "core:audit_list"),
            ("账号管理", "org:user_list"),
            ("修改密码", "org:password_change"),
            ("API 令牌", "org:token_list"),
            ("工作日历", "workdays:calendar"),
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
