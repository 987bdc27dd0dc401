"""Staff roles are Django groups; their names are part of the contract with the data migration."""

from django.db import connections, router
from django.utils.translation import gettext_lazy as _

RECEPTION = "reception"
CASEWORKER = "caseworker"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"

ALL_ROLES = (RECEPTION, CASEWORKER, SUPERVISOR, ADMINISTRATOR)


def roles_of(user):
    """The role names a user holds (superusers hold all)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(ALL_ROLES)
    return set(staff_access(user)[0])


def staff_access(user):
    """(role names, team ids of the memberships) of a logged-in user: one query, kept on the
    user object of this request, so the permission check, the header's role label and the
    team check share it."""
    access = getattr(user, "_staff_access", None)
    if access is None:
        connection = connections[router.db_for_read(type(user))]
        with connection.cursor() as cursor:
            cursor.execute(STAFF_ACCESS, [user.pk, user.pk])
            rows = cursor.fetchall()
        access = user._staff_access = (
            frozenset(value for kind, value in rows if kind == "role" and value in ALL_ROLES),
            frozenset(int(value) for kind, value in rows if kind == "team"),
        )
    return access


# Asked on every backoffice request: written out, as the ORM spent three times the queries'
# own time building them (and `user.groups` a manager class besides), and in one round trip.
STAFF_ACCESS = (
    "SELECT 'role', g.name FROM auth_group g "
    "JOIN auth_user_groups ug ON ug.group_id = g.id WHERE ug.user_id = %s "
    "UNION ALL "
    "SELECT 'team', CAST(m.team_id AS VARCHAR(20)) FROM caseworkers_teammembership m "
    "WHERE m.user_id = %s"
)


# What the header shows: each role as the office names it (German on the staff side).
ROLE_LABELS = {
    RECEPTION: _("Reception"),
    CASEWORKER: _("Casework"),
    SUPERVISOR: _("Team lead"),
    ADMINISTRATOR: _("Administration"),
}


def role_labels(user):
    """The labels of the roles a user holds, in the order of ALL_ROLES ("" for none)."""
    held = roles_of(user)
    return " · ".join(str(ROLE_LABELS[role]) for role in ALL_ROLES if role in held)
