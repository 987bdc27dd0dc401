"""The booking input serializer copies its declared fields shallowly (SharedFieldsSerializer):
each instance binds copies of its own, so nothing one check leaves behind reaches the next."""

import pytest
from django.utils import translation

from appointments.api.serializers import BookingInputSerializer
from tests.appointments.api.helpers import booking_payload
from tests.factories import bookable_slot

pytestmark = pytest.mark.django_db


def test_each_check_binds_its_own_copies_and_leaves_the_declared_fields_unbound():
    service, _team, slot = bookable_slot()
    first = BookingInputSerializer(data={**booking_payload(service, slot), "nationality": "XX"})
    second = BookingInputSerializer(data=booking_payload(service, slot, n=2))
    assert not first.is_valid() and set(first.errors) == {"nationality"}
    assert second.is_valid(), second.errors
    assert second.validated_data["email"] == "erika2@example.test"
    declared = BookingInputSerializer._declared_fields
    for name, field in second.fields.items():
        assert field is not declared[name] and field is not first.fields[name]
        assert field.parent is second and field.field_name == name
        assert declared[name].parent is None and declared[name].field_name is None
    persons = second.fields["persons"]
    assert persons.child is not first.fields["persons"].child  # nested: copied deeply


def test_errors_come_in_the_language_of_each_request():
    service, _team, slot = bookable_slot()
    wrong = {**booking_payload(service, slot), "date_of_birth": "1990-13-45"}
    with translation.override("de"):
        german = BookingInputSerializer(data=wrong)
        assert not german.is_valid()
    with translation.override("en"):
        english = BookingInputSerializer(data=wrong)
        assert not english.is_valid()
    assert str(german.errors["date_of_birth"][0]) != str(english.errors["date_of_birth"][0])
