"""Sign-in forms of the backoffice and the admin that refuse an over-long username before
authenticating: django-axes records failed attempts in a varchar(255) column, so an
unbounded name would end in a database error (a 500) on PostgreSQL."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class _BoundedUsername:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length after the field was built, so it only reaches the
        # widget; the validator makes it a check (and keeps `clean` from authenticating).
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class StaffLoginForm(_BoundedUsername, AuthenticationForm):
    """/backoffice/login/."""


class AdminLoginForm(_BoundedUsername, AdminAuthenticationForm):
    """/admin/login/."""
