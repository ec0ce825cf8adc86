from decimal import Decimal

from django.db import migrations

# The first version of the indicator system (seed 001 §三(四)1: 法律法规、技术要求、管理要求、
# 责任要求、否决项; grades A, B, C, D). Deductions from 100 per occurrence, up to a cap.
INDICATORS = [
    # category, code, name, feature, points, cap
    ("law", "L1", "出具不实检验检测报告", "untrue_report", 20, 40),
    ("law", "L2", "未取得资质认定或超范围出具报告", "no_qualification", 20, 40),
    ("law", "L3", "受到行政处罚", "penalties", 10, 30),
    ("technical", "T1", "能力验证（盲样）不满意", "pt_unsatisfactory", 10, 30),
    ("technical", "T2", "能力验证（盲样）可疑", "pt_questionable", 5, 15),
    ("technical", "T3", "未参加强制能力验证", "pt_missed", 10, 20),
    ("technical", "T4", "综合能力考核不符合", "assessment_failed", 20, 40),
    ("technical", "T5", "综合能力考核需整改", "assessment_rectify", 5, 15),
    ("management", "M1", "监督检查发现问题", "check_problems", 5, 20),
    ("management", "M2", "风险监测发现问题", "monitoring_problems", 3, 15),
    ("management", "M3", "变更未按规定报告", "unreported_changes", 5, 15),
    ("management", "M4", "能力验证逾期未整改", "pt_overdue", 10, 20),
    ("responsibility", "R1", "网络监测线索查实", "online_violations", 10, 30),
    ("responsibility", "R2", "列入经营异常名录", "abnormal_listed", 10, 10),
    ("responsibility", "R3", "资质认定暂停", "suspended", 15, 15),
]
VETOES = [
    ("V1", "出具虚假检验检测报告", "false_report", "《检验检测机构监督管理办法》第十四条"),
    ("V2", "告知承诺内容不实", "false_commitment", "告知承诺后续核查"),
    ("V3", "资质认定被撤销", "revoked", "资质认定状态"),
    ("V4", "列入严重违法失信名单", "serious_listed", "《市场监督管理严重违法失信名单管理办法》"),
]


def load(apps, schema_editor):
    GradeModel = apps.get_model("testing", "GradeModel")
    if GradeModel.objects.exists():
        return
    model = GradeModel.objects.create(
        version=1,
        name="检验检测机构信用等级评价指标体系（试行）",
        status="active",
        thresholds={"A": 90, "B": 75, "C": 60},
        draw_ratios={"A": "0.15", "B": "0.3", "C": "0.6", "D": "1"},
        published=True,
        note="满分100分，按指标逐项扣分；触及否决项的直接评为D级。",
    )
    for position, (category, code, name, feature, points, cap) in enumerate(INDICATORS):
        model.indicators.create(
            category=category,
            code=code,
            name=name,
            feature=feature,
            points=Decimal(points),
            cap=Decimal(cap),
            position=position,
        )
    for code, name, feature, basis in VETOES:
        model.vetoes.create(code=code, name=name, feature=feature, at_least=1, basis=basis)


class Migration(migrations.Migration):
    dependencies = [("testing", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
