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
    # Kept on the user object of this request: the permission check and the header's role
    # label then share one query.
    held = getattr(user, "_staff_roles", None)
    if held is None:
        held = frozenset(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        user._staff_roles = held
    return set(held)


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
