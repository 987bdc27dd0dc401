"""Staff roles are Django groups; their names are part of the contract with the data migration."""

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
    return set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))


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
