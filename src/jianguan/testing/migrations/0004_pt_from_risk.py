from django.db import migrations

# Proficiency tests move from the risk app into the testing app. Each (scheme, year) of the old
# records becomes a scheme of the library (numbered 迁移-<year>-<n>, to be completed by the city);
# each record a result without values: the old records held the outcome only. 有问题 is 可疑.
OUTCOMES = {
    "satisfactory": "satisfactory",
    "questionable": "questionable",
    "unsatisfactory": "unsatisfactory",
    "missed": "missed",
}


def move(apps, schema_editor):
    Old = apps.get_model("risk", "ProficiencyTest")
    Scheme = apps.get_model("testing", "PTScheme")
    Result = apps.get_model("testing", "PTResult")
    TestingBody = apps.get_model("registry", "TestingBody")
    schemes = {}
    for old in Old.objects.order_by("year", "scheme", "id"):
        key = (old.scheme, old.year)
        if key not in schemes:
            body = TestingBody.objects.filter(entity_id=old.entity_id).first()
            fields = body.fields if body else 0
            field = _first_field(fields)
            schemes[key] = Scheme.objects.create(
                number=f"迁移-{old.year}-{len(schemes) + 1:03d}",
                name=old.scheme[:200],
                field=field,
                items="",
                year=old.year,
                provider="（原能力验证结果迁移，待补充）",
                deadline=old.held_on,
            )
        scheme = schemes[key]
        if old.held_on > scheme.deadline:
            scheme.deadline = old.held_on
            scheme.save(update_fields=["deadline"])
        Result.objects.create(
            scheme=scheme,
            entity_id=old.entity_id,
            item="",
            grade=OUTCOMES[old.outcome],
            reported_on=old.held_on,
            recorded_by_id=old.recorded_by_id,
        )


CODES = [
    "epidemic_supplies",
    "motor_vehicle",
    "eco_monitoring",
    "food_testing",
    "construction",
    "product_testing",
    "health_testing",
    "calibration",
]


def _first_field(mask: int) -> str:
    for bit, code in enumerate(CODES):
        if mask >> bit & 1:
            return code
    return "product_testing"


class Migration(migrations.Migration):
    dependencies = [
        ("testing", "0003_register_from_roster"),
        ("risk", "0003_proficiency_test"),
    ]
    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
