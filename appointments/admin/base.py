"""Bases of the admin pages: those that write through domain functions, those only shown."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from ..errors import BookingError


class ThroughTheDomain(admin.ModelAdmin):
    """Base of admin pages whose saves and deletes call domain functions: a domain error rolls
    the page's transaction back and is shown as a message instead of a server error."""

    def _refused(self, request, error):
        self.message_user(request, error.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except BookingError as error:
            return self._refused(request, error)

    def delete_view(self, request, *args, **kwargs):
        try:
            return super().delete_view(request, *args, **kwargs)
        except BookingError as error:
            return self._refused(request, error)

    def changelist_view(self, request, *args, **kwargs):
        try:  # bulk actions run here; a delete_queryset that calls the domain is atomic itself
            return super().changelist_view(request, *args, **kwargs)
        except BookingError as error:
            return self._refused(request, error)


class ShownOnly(admin.ModelAdmin):
    """Pages that only show rows which domain functions write (none of them is for here)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
