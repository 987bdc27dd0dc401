"""axe-core on the personal rebooking pages (after a closure) in German and Arabic (RTL):
the offered days, the times of a day, and the new appointment."""

import datetime as dt
import re

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from appointments import capacity
from appointments.models import Contingent
from tests.browser.helpers import assert_accessible
from tests.factories import appointment, bookable_slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_rebooking_pages_have_no_wcag_violations(live_server, page, settings, language):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    service, team, slot = bookable_slot(days_ahead=5)
    booked = appointment(service=service, slot=slot, n=1)
    _s, _t, internal = bookable_slot(
        service=service, team=team, days_ahead=8, contingent=Contingent.INTERNAL
    )
    capacity.create_closure(
        team=team,
        start=slot.start - dt.timedelta(hours=1),
        end=slot.end + dt.timedelta(hours=1),
        reason="Wasserschaden",
        actor=None,
    )
    # Delivered at the commit (the outbox keeps no body afterwards): read the sent mail.
    mail = next(
        m.body for m in django_mail.outbox if m.to == [booked.email] and "neu-buchen" in m.body
    )
    found = re.search(r"neu-buchen/\?t=([\w-]+)", mail)
    assert found, mail
    token = found.group(1)

    page.goto(f"{live_server.url}/{language}/neu-buchen/?t={token}")
    assert "t=" not in page.url
    assert_accessible(page)
    day = timezone.localdate(internal.start).isoformat()
    page.goto(f"{live_server.url}/{language}/neu-buchen/?day={day}")
    assert_accessible(page)
    page.locator(f'button[name=slot][value="{internal.pk}"]').click()
    page.wait_for_url(re.compile("gebucht"))
    assert_accessible(page)
