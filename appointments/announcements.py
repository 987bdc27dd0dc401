"""The call display's announcement of a call, in each resident language in turn.

Numbers and counters only (never personal data); the display rotates through the texts.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext


def announcements(*, number, counter):
    """[{"language", "direction", "text"}] for every site language, German first."""
    texts = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text = (
                gettext("Number %(number)s, please go to counter %(counter)s")
                if counter
                else gettext("Number %(number)s, please wait to be called at a counter")
            ) % {"number": number, "counter": counter}
            direction = "rtl" if translation.get_language_bidi() else "ltr"
        texts.append({"language": code, "direction": direction, "text": text})
    return texts
