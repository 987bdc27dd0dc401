"""Who may call which staff endpoint: the backoffice's role sets (caseworkers/views/reception.py,
queue.py, messages.py), as DRF permissions. Superusers hold every role."""

from rest_framework.permissions import BasePermission

from ..models import DeviceToken
from ..roles import ADMINISTRATOR, CASEWORKER, RECEPTION, SUPERVISOR, roles_of

RECEPTION_ROLES = (RECEPTION, SUPERVISOR, ADMINISTRATOR)
QUEUE_ROLES = (CASEWORKER, SUPERVISOR, ADMINISTRATOR)
QUEUE_READ_ROLES = (CASEWORKER, RECEPTION, SUPERVISOR, ADMINISTRATOR)
SUPERVISOR_ROLES = (SUPERVISOR, ADMINISTRATOR)
STAFF_ROLES = (RECEPTION, CASEWORKER, SUPERVISOR, ADMINISTRATOR)


class HasRole(BasePermission):
    """A logged-in user holding at least one of `roles`."""

    roles = ()

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and roles_of(user) & set(self.roles))


def role(*roles):
    return type(f"HasRole_{'_'.join(roles)}", (HasRole,), {"roles": roles})


Reception = role(*RECEPTION_ROLES)
Caseworker = role(*QUEUE_ROLES)
QueueReader = role(*QUEUE_READ_ROLES)
Supervisor = role(*SUPERVISOR_ROLES)
Staff = role(*STAFF_ROLES)


class IsDevice(BasePermission):
    """A request authenticated with an active device token (call display, kiosk)."""

    def has_permission(self, request, view):
        return isinstance(request.auth, DeviceToken)
