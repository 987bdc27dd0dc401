"""The name policy, one for every name field (resident forms, API, staff forms, CSV import).

Letters of any script with their combining marks, spaces, hyphens and apostrophes. Refused
with a clear message: invisible controls (bidi overrides U+202A–U+202E, isolates
U+2066–U+2069, marks U+200E/U+200F/U+061C, any other control or format character), digits,
emoji and other symbols, markup characters (< > & " …). A surname in another script needs
its Latin spelling as in the passport (names.py, rule 4).
"""

import unicodedata

from django.utils.translation import gettext as _

from .errors import InvalidName
from .names import fold, routing_letter

_APOSTROPHES = "'’ʼ‘`´"
_HYPHENS = "-‐‑"
_ALLOWED_PUNCTUATION = frozenset(" " + _APOSTROPHES + _HYPHENS)
BIDI_CONTROLS = frozenset(
    chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
)


def _is_letter(char):
    return unicodedata.category(char)[0] in "LM"


def _refusal(text):
    """The message for the first kind of refused character in `text`, or None."""
    if any(char in BIDI_CONTROLS or unicodedata.category(char)[0] == "C" for char in text):
        return _(
            "The name contains invisible control characters (for example text direction "
            "marks). Please type the name again without them."
        )
    if any(unicodedata.category(char)[0] == "N" for char in text):
        return _("A name cannot contain digits. Please enter the name as in your passport.")
    refused = []
    for char in text:
        if not (_is_letter(char) or char in _ALLOWED_PUNCTUATION) and char not in refused:
            refused.append(char)
    if refused:
        return _(
            "A name can contain letters of any script, spaces, hyphens and apostrophes. "
            "Please remove: %(characters)s"
        ) % {"characters": " ".join(refused)}
    if not any(_is_letter(char) for char in text):
        return _("Please enter the name with letters, as in your passport.")
    return None


def clean_name(value):
    """The name as stored (NFC, single spaces) or InvalidName with the policy's message."""
    text = unicodedata.normalize("NFC", value or "")
    text = " ".join(text.split())  # tabs, line breaks, no-break spaces: one space
    message = _refusal(text)
    if message:
        raise InvalidName(message)
    return text


def is_latin(name):
    """Whether every letter of the name is a Latin letter (accents and ß, Ø, ı included)."""
    return all("A" <= char <= "Z" for char in fold(name) if _is_letter(char))


def clean_latin_spelling(value):
    """The optional Latin spelling as in the passport: "" or a Latin name under the policy."""
    if not (value or "").strip():
        return ""
    spelling = clean_name(value)
    if not is_latin(spelling) or routing_letter(spelling) is None:
        raise InvalidName(
            _("Please enter the Latin spelling with Latin letters only, as in your passport.")
        )
    return spelling


def check_surname(surname, surname_latin=""):
    """Both spellings of a surname under the policy: (surname, surname_latin); a surname
    in another script needs its Latin spelling (the team letter ranges apply to it)."""
    surname = clean_name(surname)
    surname_latin = clean_latin_spelling(surname_latin)
    if not surname_latin and (not is_latin(surname) or routing_letter(surname) is None):
        raise InvalidName(
            _(
                "Your surname is not written in Latin letters: please also enter its Latin "
                "spelling as in your passport."
            )
        )
    return surname, surname_latin
