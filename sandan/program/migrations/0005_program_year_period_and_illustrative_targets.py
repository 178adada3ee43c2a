import datetime

from django.db import migrations, models

import sandan.core.clock


def fiscal_year(apps, schema_editor):
    ProgramYear = apps.get_model("program", "ProgramYear")
    for program_year in ProgramYear.objects.all():
        program_year.starts_on = datetime.date(program_year.year, 1, 1)
        program_year.ends_on = datetime.date(program_year.year, 12, 31)
        program_year.save(update_fields=["starts_on", "ends_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("program", "0004_year_timeline_and_category_map"),
    ]

    operations = [
        migrations.AddField(
            model_name="programyear",
            name="starts_on",
            field=models.DateField(null=True, verbose_name="시작일"),
        ),
        migrations.AddField(
            model_name="programyear",
            name="ends_on",
            field=models.DateField(null=True, verbose_name="종료일"),
        ),
        migrations.RunPython(fiscal_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="programyear",
            name="starts_on",
            field=models.DateField(verbose_name="시작일"),
        ),
        migrations.AlterField(
            model_name="programyear",
            name="ends_on",
            field=models.DateField(verbose_name="종료일"),
        ),
        migrations.AddField(
            model_name="zonetarget",
            name="is_illustrative",
            field=models.BooleanField(default=False, verbose_name="예시 자료"),
        ),
        migrations.AddConstraint(
            model_name="programyear",
            constraint=models.CheckConstraint(
                condition=models.Q(("starts_on__lte", models.F("ends_on"))),
                name="program_year_period_in_order",
            ),
        ),
        migrations.AlterField(
            model_name="planrun",
            name="created_at",
            field=models.DateTimeField(default=sandan.core.clock.now, editable=False),
        ),
    ]
