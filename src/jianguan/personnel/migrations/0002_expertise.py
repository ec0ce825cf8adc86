from django.db import migrations

# 业务专长: the tags inspectors are classified by (seed 003 §三: 按照执法资质、业务专长进行分类标注).
EXPERTISE = [
    ("food", "食品安全"),
    ("drug", "药品"),
    ("medical_device", "医疗器械"),
    ("cosmetics", "化妆品"),
    ("special_equipment", "特种设备"),
    ("product_quality", "产品质量"),
    ("metrology", "计量"),
    ("testing", "检验检测"),
    ("standards", "标准化"),
    ("certification", "认证认可"),
    ("advertising", "广告监管"),
    ("pricing", "价格监管"),
    ("online_trade", "网络交易"),
    ("registration", "登记注册与公示"),
    ("ip", "知识产权"),
    ("competition", "反垄断与反不正当竞争"),
    ("law", "法制审核"),
]


def load(apps, schema_editor):
    Expertise = apps.get_model("personnel", "Expertise")
    for code, name in EXPERTISE:
        Expertise.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("personnel", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
