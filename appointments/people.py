"""The resident data an appointment needs, however it arrives (form, API, invitation, visit)."""

import dataclasses
import datetime as dt

from .names import routing_surname


@dataclasses.dataclass(frozen=True)
class Person:
    """The resident data a booking needs."""

    surname: str
    given_names: str
    date_of_birth: dt.date
    email: str = ""
    phone: str = ""
    nationality: str = ""
    language: str = "de"
    interpreter_needed: bool = False
    interpreter_language: str = ""
    # Needs stated up front (see appointments.parties.NEEDS_FIELDS).
    needs_wheelchair: bool = False
    needs_sign_language: bool = False
    needs_companion: bool = False
    needs_note: str = ""
    # The passport's Latin spelling when the surname is in another script (names.py, rule 4).
    surname_latin: str = ""

    @property
    def routing_surname(self):
        """The spelling whose letter decides the responsible team."""
        return routing_surname(self.surname, self.surname_latin)

    @classmethod
    def from_data(cls, data, **overrides):
        """A Person from validated form or serializer data; other keys are ignored.

        Empty values (None) take the defaults; the API's `interpreter` means
        `interpreter_needed`; a nationality may be a django-countries Country.
        """
        values = {**data, **overrides}
        if "interpreter" in values and "interpreter_needed" not in values:
            values["interpreter_needed"] = values["interpreter"]
        names = {field.name for field in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in values.items() if k in names and v is not None}
        kwargs["nationality"] = str(kwargs.get("nationality") or "")
        return cls(**kwargs)

    @classmethod
    def of(cls, record):
        """The Person an appointment or invitation was made for."""
        return cls.from_data(
            {
                field.name: getattr(record, field.name)
                for field in dataclasses.fields(cls)
                if hasattr(record, field.name)
            }
        )
