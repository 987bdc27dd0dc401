"""The data for test_logs_hold_no_secrets.py, made in the server's own database and clock.

    python tests/wiesbaden_abh/logscan_world.py setup        → JSON: service, slot, staff, device
    python tests/wiesbaden_abh/logscan_world.py reply CODE   → the reminder's reply link

Run with the server's environment (DATABASE_URL, SECRET_KEY, under the same faketime), so
slots, signatures and tokens are the server's.
"""

import json
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PASSWORD = "logscan-Passw0rd!"


def setup():
    from appointments.models import Service
    from caseworkers.models import DeviceToken
    from caseworkers.roles import CASEWORKER, RECEPTION
    from tests.factories import TeamFactory, bookable_slot, staff

    team = TeamFactory(name="A–Z", waiting_prefix="B")
    service, _team, slot = bookable_slot(team=team, capacity=3, days_ahead=0, hour=10)
    Service.objects.filter(pk=service.pk).update(booking_window_min_days=0)
    staff(RECEPTION, username="empfang-logscan", password=PASSWORD)
    staff(CASEWORKER, username="sb-logscan", password=PASSWORD)
    _device, device_token = DeviceToken.issue(name="Wartebereich", teams=[team])
    return {
        "service": service.slug,
        "slot": slot.pk,
        "team": team.pk,
        "reception": "empfang-logscan",
        "caseworker": "sb-logscan",
        "password": PASSWORD,
        "device_token": device_token,
    }


def reply(code):
    from appointments.models import Appointment
    from appointments.notifications.messages import reply_url

    return {"url": reply_url(Appointment.objects.get(code=code), "confirm")}


if __name__ == "__main__":
    django.setup()
    answer = setup() if sys.argv[1] == "setup" else reply(sys.argv[2])
    print(json.dumps(answer))
