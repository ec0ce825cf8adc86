from decimal import Decimal

from django.db import migrations

# Violation types of inspection & testing bodies (检验检测机构监督管理办法，总局令第39号, and the
# qualification rules it rests on). 39号令 art. 26: for untrue or false reports, where a law or
# regulation provides for revoking or cancelling the qualification (or another penalty), that
# law applies; where none does, the market regulation department orders correction within a time
# limit and fines 3万元 (30,000 yuan).
ART26 = "《检验检测机构监督管理办法》第二十六条：法律、法规未作规定的，责令限期改正，处3万元罚款"
FINE = Decimal(30000)
VIOLATIONS = [
    (
        "JC01",
        "no_qualification",
        "未取得资质认定，向社会出具具有证明作用的检验检测数据、结果",
        "《检验检测机构资质认定管理办法》",
        "依照《中华人民共和国计量法》等法律法规处罚",
        None,
    ),
    (
        "JC02",
        "no_qualification",
        "超出资质认定范围出具检验检测数据、结果",
        "《检验检测机构资质认定管理办法》",
        "依照有关法律法规处罚",
        None,
    ),
    (
        "JC11",
        "false_report",
        "未经检验检测出具报告",
        "《检验检测机构监督管理办法》第十四条第（一）项",
        ART26,
        FINE,
    ),
    (
        "JC12",
        "false_report",
        "伪造、变造原始数据、记录，或者未按照标准等规定采用原始数据、记录",
        "《检验检测机构监督管理办法》第十四条第（二）项",
        ART26,
        FINE,
    ),
    (
        "JC13",
        "false_report",
        "减少、遗漏或者变更标准等规定的应当检验检测的项目，或者改变关键检验检测条件",
        "《检验检测机构监督管理办法》第十四条第（三）项",
        ART26,
        FINE,
    ),
    (
        "JC14",
        "false_report",
        "调换检验检测样品或者改变其原有状态进行检验检测",
        "《检验检测机构监督管理办法》第十四条第（四）项",
        ART26,
        FINE,
    ),
    (
        "JC15",
        "false_report",
        "伪造检验检测机构公章或者检验检测专用章，或者伪造授权签字人签名或者签发时间",
        "《检验检测机构监督管理办法》第十四条第（五）项",
        ART26,
        FINE,
    ),
    (
        "JC21",
        "untrue_report",
        "样品的采集、标识、分发、流转、制备、保存、处置不符合标准等规定，存在样品污染、混淆、损毁、性状异常改变等情形",
        "《检验检测机构监督管理办法》第十三条第（一）项",
        ART26,
        FINE,
    ),
    (
        "JC22",
        "untrue_report",
        "使用未经检定或者校准的仪器、设备、设施",
        "《检验检测机构监督管理办法》第十三条第（二）项",
        ART26,
        FINE,
    ),
    (
        "JC23",
        "untrue_report",
        "违反国家有关强制性规定的检验检测规程或者方法",
        "《检验检测机构监督管理办法》第十三条第（三）项",
        ART26,
        FINE,
    ),
    (
        "JC24",
        "untrue_report",
        "未按照标准等规定传输、保存原始数据和报告",
        "《检验检测机构监督管理办法》第十三条第（四）项",
        ART26,
        FINE,
    ),
]

# Seed 001 §三(二)1: the market regulation department's double-random checks of testing bodies
# sample at least 15% a year. Other departments' items (人防, 公安 …) keep their own rules.
TESTING_ITEMS = ("SH-SC-003", "SH-SC-004", "SH-SC-005")
FLOOR = Decimal("0.15")


def load(apps, schema_editor):
    Violation = apps.get_model("catalog", "Violation")
    for sort, (code, category, name, article, basis, fine) in enumerate(VIOLATIONS, start=1):
        Violation.objects.update_or_create(
            code=code,
            defaults={
                "category": category,
                "name": name,
                "article": article,
                "penalty_basis": basis,
                "fine_yuan": fine,
                "sort": sort * 10,
                "active": True,
            },
        )
    CheckItem = apps.get_model("catalog", "CheckItem")
    CheckItem.objects.filter(code__in=TESTING_ITEMS).update(min_ratio=FLOOR)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_violation_checkitem_min_ratio")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
