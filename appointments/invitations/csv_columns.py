"""The columns of the CSV export of expiring permits: accepted header spellings, labels, the
values some columns take (languages, salutations, dates), and how a line is split."""

import csv
import datetime as dt

from django.utils.translation import gettext_lazy

from ..models import Salutation

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000

# Column → accepted header spellings (compared lower-case, "_" read as a space).
COLUMNS = {
    "file_number": ("aktenzeichen", "az", "file number"),
    "surname": ("nachname", "familienname", "surname", "last name"),
    "surname_latin": (
        "nachname lateinisch",
        "nachname (lateinisch)",
        "lateinische schreibweise",
        "surname latin",
        "latin spelling",
    ),
    "given_names": ("vorname", "vornamen", "given names", "first name", "first names"),
    "date_of_birth": ("geburtsdatum", "date of birth", "birth date"),
    "nationality": ("staatsangehörigkeit", "staatsangehoerigkeit", "nationality"),
    "email": ("e-mail", "email", "e-mail-adresse", "e-mail address"),
    "postal_address": ("anschrift", "postanschrift", "adresse", "postal address", "address"),
    "language": ("sprache", "bevorzugte sprache", "language", "preferred language"),
    "permit_type": ("aufenthaltstitel", "titel", "art des titels", "permit type"),
    "expiry_date": ("ablaufdatum", "gültig bis", "gueltig bis", "expiry date", "expires"),
    "service": ("anliegen", "service"),
    "salutation": ("anrede", "salutation"),
}
REQUIRED = (
    "file_number",
    "surname",
    "given_names",
    "date_of_birth",
    "nationality",
    "expiry_date",
    "service",
)
COLUMN_LABELS = {
    "file_number": gettext_lazy("file number (Aktenzeichen)"),
    "surname": gettext_lazy("surname"),
    "surname_latin": gettext_lazy("surname (Latin spelling)"),
    "given_names": gettext_lazy("given names"),
    "date_of_birth": gettext_lazy("date of birth"),
    "nationality": gettext_lazy("nationality"),
    "email": gettext_lazy("e-mail"),
    "postal_address": gettext_lazy("postal address"),
    "language": gettext_lazy("language"),
    "permit_type": gettext_lazy("permit type"),
    "expiry_date": gettext_lazy("expiry date"),
    "service": gettext_lazy("service"),
    "salutation": gettext_lazy("salutation (Anrede)"),
}
# The optional column "Anrede": Frau, Herr or empty (then "Guten Tag …").
SALUTATIONS = {
    "frau": Salutation.MS,
    "fr.": Salutation.MS,
    "ms": Salutation.MS,
    "mrs": Salutation.MS,
    "herr": Salutation.MR,
    "hr.": Salutation.MR,
    "mr": Salutation.MR,
}
LANGUAGE_NAMES = {
    "de": ("de", "deutsch", "german"),
    "en": ("en", "englisch", "english"),
    "tr": ("tr", "türkisch", "tuerkisch", "turkish", "türkçe"),
    "ar": ("ar", "arabisch", "arabic", "العربية"),
    "ru": ("ru", "russisch", "russian", "русский"),
    "uk": ("uk", "ua", "ukrainisch", "ukrainian", "українська"),
}
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")


def _wrongly_delimited(cells, keys, delimiter):
    """A line with too few cells that the other delimiter splits into the header's columns."""
    other = "," if delimiter == ";" else ";"
    if len(cells) >= len(keys):
        return False
    split = next(csv.reader([delimiter.join(cells)], delimiter=other), [])
    return len(split) > len(cells) and len(split) >= len(keys) - 1


def _date(value):
    value = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None
