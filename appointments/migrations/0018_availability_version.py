"""The availability version of each team, and the triggers that bump it.

A trigger, not a call in each domain function: every write to slots, opening rules (and their
services) and closures changes what residents may see, and it comes from many paths (booking,
holds, cancel, expiry, delayed releases, capacity screens, closures, slot generation, the
admin). The bump happens in the writing transaction, so a reader that reads the version before
the free times never caches an answer under a version that a committed change has passed.

PostgreSQL: statement-level triggers with transition tables (a bulk insert of slots bumps once
per statement); SQLite: row-level triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

VERSION_TABLE = "appointments_availabilityversion"
# table -> how its rows name the team ("team": a team_id column, NULL meaning every team;
# "rule": an openingrule_id column)
TABLES = {
    "appointments_slot": "team",
    "appointments_openingrule": "team",
    "appointments_closure": "team",
    "appointments_openingrule_services": "rule",
}
OPERATIONS = {"insert": ("new",), "delete": ("old",), "update": ("new", "old")}


def _pg_teams(kind, transition):
    if kind == "rule":
        return (
            f"team_id IN (SELECT r.team_id FROM appointments_openingrule r "
            f"JOIN {transition}_rows t ON t.openingrule_id = r.id)"
        )
    return (
        f"(team_id IN (SELECT team_id FROM {transition}_rows) "
        f"OR EXISTS (SELECT 1 FROM {transition}_rows WHERE team_id IS NULL))"
    )


def _sqlite_teams(kind, row):
    if kind == "rule":
        return f"team_id = (SELECT team_id FROM appointments_openingrule WHERE id = {row}.openingrule_id)"
    return f"(team_id = {row}.team_id OR {row}.team_id IS NULL)"


def _name(table, operation):
    return f"abh_avail_{table.removeprefix('appointments_')}_{operation}"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, kind in TABLES.items():
        for operation, transitions in OPERATIONS.items():
            name = _name(table, operation)
            if vendor == "postgresql":
                where = " OR ".join(_pg_teams(kind, t) for t in transitions)
                referencing = " ".join(f"{t.upper()} TABLE AS {t}_rows" for t in transitions)
                schema_editor.execute(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"UPDATE {VERSION_TABLE} SET version = version + 1 WHERE {where}; "
                    f"RETURN NULL; END $$"
                )
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} "
                    f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
            elif vendor == "sqlite":
                where = " OR ".join(_sqlite_teams(kind, t.upper()) for t in transitions)
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} BEGIN "
                    f"UPDATE {VERSION_TABLE} SET version = version + 1 WHERE {where}; END"
                )
            else:
                raise NotImplementedError(f"availability triggers for {vendor}")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for operation in OPERATIONS:
            name = _name(table, operation)
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0017_team_location_translations"),
    ]

    operations = [
        migrations.CreateModel(
            name="AvailabilityVersion",
            fields=[
                (
                    "team",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="availability_version",
                        serialize=False,
                        to="appointments.team",
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "availability version",
                "verbose_name_plural": "availability versions",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
