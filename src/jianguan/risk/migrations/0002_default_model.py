"""The default model (V1, active) and the starting key-area lists of seed 004.

Every feature it reads exists in the database now; complaints are a placeholder (always 0 until
the complaints module lands), marked so in their data-source text. The data is written here, not
imported from the app, so that this migration keeps meaning what it meant.
"""

from django.db import migrations

INDICATORS = [
    # (group, code, name, feature, source note, rule, weight)
    (
        "basic",
        "age",
        "成立年限",
        "age_years",
        "名录库：成立日期",
        {"type": "bins", "bins": [[1, 12], [3, 8], [5, 4], [10, 1]], "else": 0, "missing": 6},
        1.0,
    ),
    (
        "basic",
        "entity_type",
        "主体类型",
        "entity_type",
        "名录库：主体类型",
        {
            "type": "map",
            "map": {"enterprise": 2, "individual": 4, "cooperative": 3, "other": 2},
            "default": 2,
        },
        1.0,
    ),
    (
        "basic",
        "capital",
        "注册资本",
        "capital_wan",
        "名录库：注册资本（万元）",
        {"type": "bins", "bins": [[10, 6], [100, 4], [1000, 2]], "else": 0, "missing": 4},
        1.0,
    ),
    (
        "basic",
        "industry",
        "行业风险",
        "industry_section",
        "名录库：行业代码所属门类",
        {
            "type": "map",
            "map": {
                "B": 6,
                "C": 6,
                "E": 5,
                "F": 3,
                "G": 3,
                "H": 6,
                "K": 2,
                "L": 3,
                "M": 2,
                "O": 4,
                "Q": 5,
                "R": 3,
            },
            "default": 2,
        },
        1.0,
    ),
    (
        "basic",
        "domains",
        "监管领域风险",
        "domains",
        "名录库：监管领域（取最高者）",
        {
            "type": "mask",
            "combine": "max",
            "map": {
                "food": 10,
                "drug": 16,
                "medical_device": 14,
                "cosmetics": 10,
                "special_equipment": 16,
                "product_quality": 6,
                "metrology": 4,
                "testing_body": 10,
                "industrial_licence": 12,
                "advertising": 4,
                "pricing": 3,
                "online_trade": 6,
                "standards": 2,
                "certification": 4,
            },
        },
        1.0,
    ),
    (
        "basic",
        "key_tier",
        "重点领域类别",
        "key_tier",
        "重点领域企业清单",
        {"type": "map", "map": {"special": 10, "general": 5}, "default": 0},
        1.0,
    ),
    (
        "dynamic",
        "status",
        "登记状态",
        "status",
        "名录库：登记状态",
        {"type": "map", "map": {"revoked": 10, "moved_out": 4}, "default": 0},
        1.0,
    ),
    (
        "supervision",
        "abnormal",
        "列入经营异常名录",
        "abnormal_active",
        "经营异常名录（列入中）",
        {"type": "flag", "points": 20},
        1.0,
    ),
    (
        "supervision",
        "serious",
        "列入严重违法失信名单",
        "serious_active",
        "严重违法失信名单（列入中）",
        {"type": "flag", "points": 40},
        1.0,
    ),
    (
        "supervision",
        "findings",
        "近3年检查发现问题",
        "problem_findings_3y",
        "检查结果记录：近3年发现问题次数",
        {"type": "bins", "bins": [[1, 0], [2, 15], [3, 25]], "else": 35},
        1.0,
    ),
    (
        "social",
        "complaints",
        "近1年投诉举报",
        "complaints_1y",
        "占位：投诉举报模块上线前恒为0，不影响得分",
        {"type": "bins", "bins": [[1, 0], [3, 5]], "else": 10},
        1.0,
    ),
]
VETOES = [
    (
        "serious_listed",
        "列入严重违法失信名单",
        "serious_active",
        "==",
        True,
        "否决项：列入严重违法失信名单的直接列为D类（高风险）",
    ),
    (
        "findings_3",
        "近3年检查3次及以上发现问题",
        "problem_findings_3y",
        ">=",
        3,
        "否决项：屡查屡犯的直接列为D类（高风险）",
    ),
]
ADJUSTMENTS = [
    ("food", 2, {"findings": 1.2}, "食品专业模型：附加2分，检查发现问题权重×1.2"),
    ("drug", 4, {"findings": 1.5}, "药品专业模型：附加4分，检查发现问题权重×1.5"),
    ("medical_device", 3, {"findings": 1.3}, "医疗器械专业模型"),
    ("special_equipment", 4, {"findings": 1.5}, "特种设备专业模型"),
]

MATTERS = [
    (
        "food",
        "食品生产经营监督检查",
        "食品生产者、食品销售者、餐饮服务提供者",
        "许可条件保持、进货查验、过程控制、贮存运输、标签标识",
        "食品条线相关科室、各市场监管所",
        "日常监督检查、“双随机、一公开”抽查、监督抽检、约谈、责令改正",
        "《食品安全法》",
    ),
    (
        "drug",
        "药品经营使用质量监督检查",
        "药品零售企业、使用单位",
        "药品经营质量管理规范执行情况、处方药销售、药品储存",
        "药品条线相关科室",
        "监督检查、抽查检验、飞行检查",
        "《药品管理法》",
    ),
    (
        "medical_device",
        "医疗器械经营使用监督检查",
        "医疗器械经营企业、使用单位",
        "经营备案许可、进货查验、储存条件、不良事件监测",
        "药品条线相关科室",
        "监督检查、抽查检验",
        "《医疗器械监督管理条例》",
    ),
    (
        "cosmetics",
        "化妆品经营监督检查",
        "化妆品经营者",
        "进货查验、产品标签、贮存条件",
        "药品条线相关科室",
        "监督检查、抽样检验",
        "《化妆品监督管理条例》",
    ),
    (
        "special_equipment",
        "特种设备使用单位监督检查",
        "特种设备使用单位",
        "使用登记、定期检验、作业人员持证、隐患排查治理",
        "特种设备安全监察科",
        "监督检查、隐患排查、责令整改",
        "《特种设备安全法》",
    ),
    (
        "product_quality",
        "重点工业产品质量安全监督检查",
        "重点工业产品生产企业",
        "生产许可条件、出厂检验、质量安全风险",
        "产品质量监督管理科",
        "监督检查、产品质量监督抽查",
        "《产品质量法》",
    ),
]
INFOS = [
    ("food", "licence", "食品生产经营许可信息", "食品条线相关科室", "作出决定之日起7个工作日内"),
    ("food", "penalty", "食品安全行政处罚信息", "作出处罚决定的单位", "作出决定之日起20个工作日内"),
    ("food", "sampling", "食品安全监督抽检结果", "食品条线相关科室", "检验结论确定后及时公示"),
    (
        "food",
        "inspection",
        "食品生产经营监督检查结果",
        "实施检查的单位",
        "检查结束之日起20个工作日内",
    ),
    ("drug", "licence", "药品经营许可信息", "药品条线相关科室", "作出决定之日起7个工作日内"),
    ("drug", "penalty", "药品行政处罚信息", "作出处罚决定的单位", "作出决定之日起20个工作日内"),
    (
        "special_equipment",
        "inspection",
        "特种设备监督检查结果",
        "特种设备安全监察科",
        "检查结束之日起20个工作日内",
    ),
    (
        "product_quality",
        "sampling",
        "产品质量监督抽查结果",
        "产品质量监督管理科",
        "检验结论确定后及时公示",
    ),
]


def forward(apps, schema_editor):
    RiskModel = apps.get_model("risk", "RiskModel")
    if RiskModel.objects.exists():
        return
    model = RiskModel.objects.create(
        version=1,
        name="通用+专业信用风险分类模型",
        status="active",
        thresholds={"B": 20, "C": 31, "D": 43},
        draw_ratios={"A": 0.02, "B": 0.05, "C": 1, "D": 1},
        note="默认模型：基本属性、动态信息、监管信息、社会评价四类指标；否决项直接列为D类；"
        "食品、药品、医疗器械、特种设备领域附加专业调整。",
    )
    Indicator = apps.get_model("risk", "Indicator")
    for pos, (group, code, name, feature, note, rule, weight) in enumerate(INDICATORS):
        Indicator.objects.create(
            model=model,
            group=group,
            code=code,
            name=name,
            feature=feature,
            source_note=note,
            rule=rule,
            weight=weight,
            position=pos,
        )
    VetoItem = apps.get_model("risk", "VetoItem")
    for code, name, feature, op, value, basis in VETOES:
        VetoItem.objects.create(
            model=model, code=code, name=name, feature=feature, op=op, value=value, basis=basis
        )
    DomainAdjustment = apps.get_model("risk", "DomainAdjustment")
    for domain, extra, mult, note in ADJUSTMENTS:
        DomainAdjustment.objects.create(
            model=model, domain=domain, extra_points=extra, multipliers=mult, note=note
        )
    Matter = apps.get_model("risk", "KeyAreaMatter")
    for area, title, subject, content, supervisor, measures, basis in MATTERS:
        Matter.objects.create(
            area=area,
            title=title,
            subject=subject,
            content=content,
            supervisor=supervisor,
            measures=measures,
            basis=basis,
        )
    Info = apps.get_model("risk", "KeyAreaInfo")
    for area, category, title, provider, limit in INFOS:
        Info.objects.create(
            area=area,
            category=category,
            title=title,
            provider=provider,
            time_limit=limit,
            published=True,
        )


def backward(apps, schema_editor):
    for name in ("Indicator", "VetoItem", "DomainAdjustment", "KeyAreaMatter", "KeyAreaInfo"):
        apps.get_model("risk", name).objects.all().delete()
    apps.get_model("risk", "RiskModel").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
