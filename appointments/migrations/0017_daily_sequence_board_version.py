from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0014_surname_latin_and_partner_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailysequence",
            name="board_version",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
