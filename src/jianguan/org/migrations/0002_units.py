from django.db import migrations


def load_units(apps, schema_editor):
    from jianguan.org import units

    units.load(apps.get_model("org", "Unit"))


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load_units, migrations.RunPython.noop)]
