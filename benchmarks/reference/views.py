"""The two reference views: one indexed query as JSON, and a guarded booking."""

import json

from django.db import connection, transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST


@require_GET
def slots(request):
    """The free slots of one team between two instants: one query on an index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, start, capacity - booked FROM ref_slot "
            "WHERE team_id = %s AND start >= %s AND start < %s AND booked < capacity "
            "ORDER BY start",
            [request.GET.get("team", 1), request.GET["from"], request.GET["to"]],
        )
        rows = cursor.fetchall()
    return JsonResponse(
        {
            "slots": [
                {"id": pk, "start": start.isoformat(), "free": free} for pk, start, free in rows
            ]
        }
    )


@csrf_exempt
@require_POST
def book(request):
    """Take a place if one is free (guarded UPDATE) and record the booking: 201, else 409."""
    try:
        data = json.loads(request.body)
        slot, email = int(data["slot"]), str(data["email"])[:254]
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ref_slot SET booked = booked + 1 WHERE id = %s AND booked < capacity", [slot]
        )
        if cursor.rowcount == 0:
            return JsonResponse({"detail": "full"}, status=409)
        cursor.execute(
            "INSERT INTO ref_booking (slot_id, email, created) VALUES (%s, %s, now()) RETURNING id",
            [slot, email],
        )
        booking_id = cursor.fetchone()[0]
    return JsonResponse({"id": booking_id, "slot": slot}, status=201)
