"""Normalisation of surnames and e-mail addresses.

Surname routing letter (Buchstabenzuständigkeit), documented rule:
1. Unicode is decomposed and accents are dropped, so Ä/Á/À → A, Ö → O, Ü → U, Ç → C,
   Ş → S, Ğ → G; ß → SS, Æ → AE, Ø → O, Ł → L, İ/ı → I.
2. Leading particles are skipped when more of the name follows: von, van, de, der, den,
   del, della, di, da, du, dos, das, la, le, zu, zum, zur, ten, ter, vom, and the Arabic
   article al-/el- (with hyphen, apostrophe or space), as in "von der Leyen" → L,
   "de la Cruz" → C, "al-Hassan" → H, "El Amrani" → A.
3. The first Latin letter A–Z of what remains is the routing letter.
4. A surname in another script (Arabic, Cyrillic, Greek …) routes by its Latin spelling as
   in the passport (`surname_latin`), which is then required: the team letter ranges apply
   to the Latin spelling. A Latin surname routes by itself (a Latin spelling given anyway
   takes precedence: it is the passport's).
The name policy (which characters a name may hold) is in name_policy.py.
"""

import re
import unicodedata

LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

PARTICLES = frozenset(
    [
        "von",
        "van",
        "de",
        "der",
        "den",
        "del",
        "della",
        "di",
        "da",
        "du",
        "dos",
        "das",
        "la",
        "le",
        "zu",
        "zum",
        "zur",
        "ten",
        "ter",
        "vom",
        "al",
        "el",
    ]
)
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "Æ": "AE",
        "æ": "ae",
        "Ø": "O",
        "ø": "o",
        "Ł": "L",
        "ł": "l",
        "ı": "i",
        "Đ": "D",
        "đ": "d",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "TH",
        "þ": "th",
    }
)
_SEPARATORS = re.compile(r"[\s\-'’`ʼ]+")


def fold(text):
    """Upper-case ASCII form of a name: accents dropped, special letters spelled out."""
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.upper()


def surname_key(surname):
    """The surname as stored for matching one person's bookings: folded, single-spaced."""
    return " ".join(_SEPARATORS.split(fold(surname).strip()))


def routing_letter(surname):
    """The letter A–Z that decides the responsible team, or None for a name without one."""
    parts = [part for part in _SEPARATORS.split(fold(surname).strip()) if part]
    while len(parts) > 1 and parts[0].lower() in PARTICLES:
        parts.pop(0)
    for part in parts:
        for char in part:
            if "A" <= char <= "Z":
                return char
    return None


def email_key(email):
    """An e-mail address as one mailbox: lower-cased, plus-addressing removed."""
    email = (email or "").strip().lower()
    if "@" not in email:
        return email
    local, _, domain = email.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in {"gmail.com", "googlemail.com"}:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def routing_surname(surname, surname_latin=""):
    """The spelling whose letter decides the team: the Latin one when given, else the surname."""
    return surname_latin or surname
