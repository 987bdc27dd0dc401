from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0010_rebooking_offers_and_hours_cancellation"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="salutation",
            field=models.CharField(
                blank=True,
                choices=[("", "not given"), ("frau", "Ms"), ("herr", "Mr")],
                default="",
                max_length=4,
                verbose_name="salutation",
            ),
        ),
        migrations.AddField(
            model_name="invitationbatch",
            name="offer_earliest",
            field=models.BooleanField(default=False, verbose_name="offer the earliest free time"),
        ),
    ]
