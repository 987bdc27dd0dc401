"""Which team serves whom: nationality rules first, then the surname letter ranges."""

from django.utils.translation import gettext as _

from . import catalogue_cache
from .errors import InvalidSurname, NotResponsible
from .names import LETTERS, routing_letter


def responsible_team(*, service, surname, nationality=None):
    """The one team responsible for this service, surname and nationality."""
    letter = routing_letter(surname)
    if letter is None:
        raise InvalidSurname()
    rules = catalogue_cache.rules(service.pk)  # per process, invalidated on every change
    if nationality:
        for rule in rules:
            if not rule.is_letter_range and str(nationality) in {
                str(c) for c in rule.nationalities
            }:
                return rule.team
    for rule in rules:
        if rule.is_letter_range and rule.letter_from <= letter <= rule.letter_to:
            return rule.team
    raise NotResponsible()


def team_for_person(*, service, person):
    """The responsible team for a Person: a surname in another script routes by its Latin
    spelling (names.py, rule 4)."""
    return responsible_team(
        service=service, surname=person.routing_surname, nationality=person.nationality
    )


def coverage_problems(rules):
    """Overlaps and gaps among one service's rules, as translated messages (empty = fine).

    `rules` are objects with letter_from, letter_to, nationalities (unsaved ones too, as in an
    admin formset). Letter ranges must cover A–Z exactly once; a nationality may appear in
    one rule only.
    """
    problems = []
    owner = {}
    overlaps = {}
    for rule in rules:
        if not rule.letter_from:
            continue
        span = LETTERS[LETTERS.index(rule.letter_from) : LETTERS.index(rule.letter_to) + 1]
        for letter in span:
            if letter in owner:
                pair = (_range(owner[letter]), _range(rule))
                overlaps.setdefault(pair, []).append(letter)
            else:
                owner[letter] = rule
    for (first, second), letters in overlaps.items():
        problems.append(
            _("The ranges %(first)s and %(second)s overlap in %(letters)s.")
            % {"first": first, "second": second, "letters": ", ".join(letters)}
        )
    missing = [letter for letter in LETTERS if letter not in owner]
    if missing:
        problems.append(
            _("No team is responsible for surnames starting with %(letters)s.")
            % {"letters": ", ".join(missing)}
        )
    seen = {}
    for rule in rules:
        for country in rule.nationalities or []:
            code = str(country)
            if code in seen:
                problems.append(
                    _("The nationality %(country)s appears in more than one rule.")
                    % {"country": code}
                )
            seen[code] = rule
    return problems


def _range(rule):
    return f"{rule.letter_from}–{rule.letter_to}"
