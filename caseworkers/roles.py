"""Staff roles are Django groups; their names are part of the contract with the data migration."""

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
    # asked several times per request (permission, then what the user may see): once is enough
    if not hasattr(user, "_staff_roles"):
        user._staff_roles = frozenset(
            user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True)
        )
    return set(user._staff_roles)
