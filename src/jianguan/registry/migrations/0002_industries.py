import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.csv"


def load(apps, schema_editor):
    Industry = apps.get_model("registry", "Industry")
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Industry.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
