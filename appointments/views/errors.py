"""The one place where HTML pages turn domain errors into what people see: a message on the
next page, or an error on the form (the API's twin is `appointments/api/errors.py`).

    with errors_as_messages(request):       # the usual case: on failure, show its message
        booking.cancel(...)                 # and go on after the block
        messages.success(request, ...)
        return redirect(...)                # reached on success only
    return redirect(...)                    # reached after a failure

`show_error` is for an `except` that needs its own next step; `add_form_error` puts the error
on the form being shown again. Staff pages use these too (staff code may import the resident
side, never the other way round).
"""

from contextlib import contextmanager

from django.contrib import messages

from .. import metrics
from ..errors import BookingError


def show_error(request, error, *, level=messages.ERROR):
    """Show the error's message on the next page the request renders or redirects to."""
    metrics.refusal(error, interface="web")
    messages.add_message(request, level, error.message)


@contextmanager
def errors_as_messages(request, *, level=messages.ERROR):
    """A BookingError raised in the block is shown as a message (see `show_error`) instead of
    failing the request; the view continues after the block."""
    try:
        yield
    except BookingError as error:
        show_error(request, error, level=level)


def add_form_error(form, error, *, field=None):
    """The error's message on the form: on `field`, or above all fields (the default)."""
    metrics.refusal(error, interface="web")
    form.add_error(field, error.message)
