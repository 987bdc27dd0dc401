from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0015_release_modes_and_reconfirmation"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailysequence",
            name="board_version",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
