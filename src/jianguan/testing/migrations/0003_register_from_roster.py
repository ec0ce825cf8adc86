import datetime as dt

from django.db import migrations

# Every body already on the roster with a certificate gets its register entry: status from its
# expiry, route from the roster's commitment flag. No follow-ups are opened for them: they
# predate the register (a follow-up starts when a qualification is granted through it).


def load(apps, schema_editor):
    TestingBody = apps.get_model("registry", "TestingBody")
    Qualification = apps.get_model("testing", "Qualification")
    QualificationEvent = apps.get_model("testing", "QualificationEvent")
    today = dt.date.today()
    known = set(Qualification.objects.values_list("cert_no", flat=True))
    for body in (
        TestingBody.objects.exclude(cert_no="")
        .exclude(cert_issued_on=None)
        .exclude(cert_expires_on=None)
    ):
        if body.cert_no in known:
            continue
        expired = body.cert_expires_on < today
        q = Qualification.objects.create(
            entity_id=body.entity_id,
            cert_no=body.cert_no,
            scope=body.scope or "（未登记）",
            fields=body.fields,
            issued_on=body.cert_issued_on,
            expires_on=body.cert_expires_on,
            route="commitment" if body.by_commitment else "review",
            status="expired" if expired else "valid",
            status_on=body.cert_expires_on if expired else body.cert_issued_on,
        )
        QualificationEvent.objects.create(
            qualification=q,
            status_from="",
            status_to="valid",
            on=body.cert_issued_on,
            reason="由检查对象名录库登记",
        )
        if expired:
            QualificationEvent.objects.create(
                qualification=q,
                status_from="valid",
                status_to="expired",
                on=body.cert_expires_on,
                reason="有效期届满",
            )
        known.add(body.cert_no)


class Migration(migrations.Migration):
    dependencies = [
        ("testing", "0002_default_grade_model"),
        ("registry", "0005_entity_name_trigram"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
