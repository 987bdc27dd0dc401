"""A migration the code has and the database has not: what a deploy looks like before
`migrate` has run (test_readiness.py points the sessions app here)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sessions", "0001_initial")]
    operations = []
