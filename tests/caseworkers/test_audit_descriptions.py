"""The audit log reads as German sentences: every action written anywhere in the code has a
description, and payload fields are labelled instead of `view=…batch=1count=29`."""

import re
from pathlib import Path

import pytest

from appointments.audit import log_event
from appointments.models import InvitationState, OfferState, Status, WishState
from caseworkers.audit import EXPORTED, VIEWED
from caseworkers.audit_log import ACTION_DESCRIPTIONS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("appointments", "caseworkers", "wiesbaden_abh")
# Actions built with an f-string, and every value they can take.
EXPANSIONS = {
    "appointment.{Status(to_status).value}": [f"appointment.{s}" for s in Status.values],
    "appointment.{status}": [f"appointment.{s}" for s in Status.values],
    "invitation.{InvitationState(to_state).value}": [
        f"invitation.{s}" for s in InvitationState.values
    ],
    "wish.{W(to_state).value}": [f"wish.{s}" for s in WishState.values],
    "offer.{OS(to_state).value}": [f"offer.{s}" for s in OfferState.values],
    "personal_data.{what}": [f"personal_data.{VIEWED}", f"personal_data.{EXPORTED}"],
}
LITERAL = re.compile(r'action\s*=\s*"([a-z_]+\.[a-z_]+)"(?:\s+if\s[^\n]*?else\s+"([a-z_.]+)")?')
CONSTANT = re.compile(r'^[A-Z_]*ACTION\s*=\s*"([a-z_]+\.[a-z_]+)"', re.MULTILINE)
FSTRING = re.compile(r'action\s*=\s*f"([^"]+)"')


def actions_in_code():
    found = set()
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for match in LITERAL.finditer(text):
                found.update(name for name in match.groups() if name)
            found.update(CONSTANT.findall(text))
            for template in FSTRING.findall(text):
                assert template in EXPANSIONS, f"{path}: teach this test the values of {template}"
                found.update(EXPANSIONS[template])
    return found


def test_the_scan_finds_the_known_actions():
    found = actions_in_code()
    assert {"opening_rule.changed", "retention.applied", "appointment.no_show"} <= found
    assert {"personal_data.viewed", "invitation.kept", "staff.recovery_code_used"} <= found


def test_every_action_in_the_code_has_a_description():
    missing = sorted(actions_in_code() - set(ACTION_DESCRIPTIONS))
    assert not missing, f"describe these in caseworkers/audit_log.py: {missing}"


@pytest.mark.django_db
def test_audit_screen_shows_descriptions_and_labelled_details(supervisor_client):
    log_event(action="personal_data.exported", view="caseworkers:day_list_csv", batch=1, count=29)
    page = supervisor_client.get("/backoffice/manage/audit/").content.decode()
    assert "Personenbezogene Daten exportiert" in page
    assert "Anzahl: 29" in page and "Einladungsliste Nr.: 1" in page
    assert "count=29" not in page and "batch=1" not in page
