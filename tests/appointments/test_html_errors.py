"""The HTML pages' one mapping of domain errors: a message on the next page, or a form error."""

from django import forms
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from appointments.errors import CounterExists, QueueEmpty, SlotFull
from appointments.views.errors import add_form_error, errors_as_messages


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_booking_error_in_the_block_becomes_an_error_message_instead_of_a_failure():
    request = _request()
    with errors_as_messages(request):
        raise SlotFull()
    shown = list(messages.get_messages(request))
    assert [(m.level, m.message) for m in shown] == [(messages.ERROR, SlotFull.default_message)]


def test_the_message_level_can_be_chosen_and_a_block_without_error_shows_nothing():
    request = _request()
    with errors_as_messages(request, level=messages.INFO):
        raise QueueEmpty()
    with errors_as_messages(request):
        pass
    shown = list(messages.get_messages(request))
    assert [(m.level, m.message) for m in shown] == [(messages.INFO, QueueEmpty.default_message)]


def test_a_booking_error_goes_on_the_form_above_the_fields_or_on_the_named_field():
    class Form(forms.Form):
        number = forms.CharField()

    form = Form({"number": "1"})
    assert form.is_valid()
    add_form_error(form, SlotFull())
    add_form_error(form, CounterExists(), field="number")
    assert form.non_field_errors() == [str(SlotFull.default_message)]
    assert form.errors["number"] == [str(CounterExists.default_message)]
