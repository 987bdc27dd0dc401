"""Service.release_time's default as a callable (07:00 as before): Django's system check warned
about the fixed default whenever the clock was within 10 s of it. State only: no SQL on
PostgreSQL (Django keeps defaults in Python); SQLite rebuilds the small table."""

import appointments.models.catalogue
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0018_availability_version'),
    ]

    operations = [
        migrations.AlterField(
            model_name='service',
            name='release_time',
            field=models.TimeField(default=appointments.models.catalogue.default_release_time, verbose_name='daily release time'),
        ),
    ]
