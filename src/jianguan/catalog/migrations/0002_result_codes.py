from django.db import migrations

# The result codes used on provincial double-random platforms (DOMAIN.md "Double random, one
# public"): (code, name, problem_found, sub-kinds). Sub-kinds of 发现问题待后续处理 carry its
# problem_found. The list stays editable (结果代码 page, import).
#
# problem_found is true where the check itself found a problem: 发现问题待后续处理 and its
# sub-kinds, 发现问题已责令改正, and 不配合检查情节严重 (obstructing a check is itself a violation).
# It is false for 未发现问题 and for the codes that record the entity's state rather than a
# finding (no relevant business, closed or in liquidation, cancelled, revoked, registration
# withdrawn, moved out): they end the check without a problem found; their follow-up (updating
# the roster) is not a finding of the check.
RESULT_CODES = [
    ("01", "未发现问题", False, []),
    (
        "02",
        "发现问题待后续处理",
        True,
        [
            ("0201", "未按规定公示应当公示的信息"),
            ("0202", "公示信息隐瞒真实情况弄虚作假"),
            ("0203", "通过登记的住所（经营场所）无法联系"),
            ("0204", "违反其他规定"),
        ],
    ),
    ("03", "发现问题已责令改正", True, []),
    ("04", "未发现开展本次抽查涉及的经营活动", False, []),
    ("05", "已关闭停业或正在组织清算", False, []),
    ("06", "不配合检查情节严重", True, []),
    ("07", "已注销", False, []),
    ("08", "已被吊销", False, []),
    ("09", "已撤销登记", False, []),
    ("10", "已迁出", False, []),
]


def load(apps, schema_editor):
    ResultCode = apps.get_model("catalog", "ResultCode")
    for sort, (code, name, problem, children) in enumerate(RESULT_CODES, start=1):
        parent, _ = ResultCode.objects.update_or_create(
            code=code,
            defaults={"name": name, "problem_found": problem, "sort": sort * 10, "parent": None},
        )
        for child_sort, (child_code, child_name) in enumerate(children, start=1):
            ResultCode.objects.update_or_create(
                code=child_code,
                defaults={
                    "name": child_name,
                    "problem_found": problem,
                    "sort": child_sort * 10,
                    "parent": parent,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
