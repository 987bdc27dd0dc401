"""Proactive invitations: CSV checks, import, allocation, sending, letters, answers, sweep,
outcomes."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.db.models import Sum
from django.utils import timezone

from appointments import booking, lifecycle, retention
from appointments.codes import token_matches
from appointments.errors import ImportRefused, NotAnswerable, OutsideWindow
from appointments.invitations import allocation, answers, csv_import, letters, sending
from appointments.invitations.links import invitation_token
from appointments.models import (
    Appointment,
    Closure,
    Contingent,
    Event,
    Invitation,
    InvitationDelivery,
    InvitationState,
    InvitationWindow,
    OutboxMessage,
    Slot,
    Status,
)
from appointments.people import Person
from appointments.scheduling import generate_slots
from tests.factories import (
    EXPIRY,
    HEADER,
    NOW,
    TODAY,
    WINDOW,
    csv_bytes,
    imported_batch,
    open_office,
    row,
    rule_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "in_english")]


def local_day(appointment):
    return timezone.localdate(appointment.slot.start)


# --- CSV checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_a_file_is_read_in_both_encodings_and_with_both_delimiters(office, encoding, delimiter):
    data = csv_bytes(
        [
            row(1, Nachname="Müller-Lüdenscheidt", Anschrift="Bahnhofstraße 5, 65185 Wiesbaden"),
            row(2),
        ],
        delimiter=delimiter,
        encoding=encoding,
    )
    report = csv_import.check(data)
    assert report.problem == ""
    assert report.delimiter == delimiter
    assert report.encoding == ("utf-8" if encoding == "utf-8" else "windows-1252")
    assert [r.errors for r in report.rows] == [[], []]
    assert report.rows[0].values["surname"] == "Müller-Lüdenscheidt"
    assert report.rows[0].values["postal_address"] == "Bahnhofstraße 5, 65185 Wiesbaden"


def test_a_utf8_file_with_byte_order_mark_and_english_headers_is_read(office):
    header = [
        "file number",
        "surname",
        "given names",
        "date of birth",
        "nationality",
        "email",
        "postal address",
        "language",
        "permit type",
        "expiry date",
        "service",
        "salutation",
    ]
    data = "\ufeff".encode() + csv_bytes(
        [dict(zip(header, row(1).values(), strict=True))], header=header, delimiter=","
    )
    report = csv_import.check(data)
    assert report.problem == "" and report.rows[0].valid, report.rows[0].errors


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"Geburtsdatum": "31.02.1990"}, "Bad date of birth"),
        ({"Geburtsdatum": "01.01.2099"}, "Bad date of birth"),
        ({"Ablaufdatum": "morgen"}, "Bad expiry date"),
        ({"Ablaufdatum": (TODAY - dt.timedelta(days=1)).strftime("%d.%m.%Y")}, "already expired"),
        ({"Anliegen": "Einbürgerung"}, "Unknown service"),
        ({"E-Mail": "", "Anschrift": ""}, "No contact"),
        ({"E-Mail": "not-an-address"}, "Invalid e-mail"),
        ({"Staatsangehörigkeit": "Atlantis"}, "Unknown nationality"),
        ({"Nachname": "علي"}, "Latin letters"),
        ({"Aktenzeichen": ""}, "missing"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_reason(office, overrides, expected):
    report = csv_import.check(csv_bytes([row(1), row(2, **overrides)]))
    assert report.rows[0].valid
    assert len(report.invalid) == 1 and report.invalid[0].number == 3
    assert any(expected in str(error) for error in report.invalid[0].errors), report.invalid


def test_a_duplicate_file_number_marks_every_row_that_carries_it(office):
    report = csv_import.check(csv_bytes([row(1), row(2, Aktenzeichen="AZ-00001"), row(3)]))
    assert [r.number for r in report.invalid] == [2, 3]
    assert "rows 2, 3" in str(report.invalid[0].errors[0])


def test_rows_with_only_a_postal_address_are_valid_and_keep_their_lines(office):
    report = csv_import.check(csv_bytes([row(1, **{"E-Mail": ""})]))
    assert report.rows[0].valid
    assert report.rows[0].values["postal_address"] == "Musterstraße 1\n65183 Wiesbaden"


def test_an_unknown_language_is_a_warning_and_german_is_used(office):
    report = csv_import.check(
        csv_bytes([row(1, Sprache="Klingonisch"), row(2, Sprache="Türkisch")])
    )
    assert report.rows[0].valid and report.rows[0].values["language"] == "de"
    assert report.rows[0].warnings
    assert report.rows[1].values["language"] == "tr"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"Name;Vorname;Telefon\r\nA;B;C\r\n", "Required columns are missing"),
        (";".join(HEADER).encode() + b"\r\n", "no rows"),
        (b"\x81\x8d\x8f\x90\x9d" * 10, "could not be read"),
    ],
)
def test_a_file_that_cannot_be_read_gives_one_clear_problem(office, data, expected):
    report = csv_import.check(data)
    assert expected in report.problem
    with pytest.raises(ImportRefused):
        csv_import.import_checked(report=report, source_name="x.csv", only_valid=True)
    assert Invitation.objects.count() == 0


# --- Import --------------------------------------------------------------------------------


def test_a_file_with_bad_rows_is_refused_unless_only_the_good_rows_are_chosen(office):
    report = csv_import.check(csv_bytes([row(1), row(2, Anliegen="??"), row(3)]))
    with pytest.raises(ImportRefused):
        csv_import.import_checked(report=report, source_name="x.csv")
    assert Invitation.objects.count() == 0

    batch = csv_import.import_checked(report=report, source_name="x.csv", only_valid=True)
    assert sorted(batch.invitations.values_list("file_number", flat=True)) == [
        "AZ-00001",
        "AZ-00003",
    ]
    assert batch.skipped[0]["row"] == 3 and batch.rows_in_file == 3
    assert batch.invitations.filter(state=InvitationState.IMPORTED).count() == 2


def test_re_importing_the_same_file_changes_nothing(office):
    data = csv_bytes([row(n) for n in range(1, 6)])
    first = csv_import.import_checked(report=csv_import.check(data), source_name="a.csv")
    again = csv_import.check(data)
    assert len(again.already_imported) == 5 and not again.new
    assert csv_import.import_checked(report=again, source_name="a.csv") is None
    assert Invitation.objects.count() == 5 and first.invitations.count() == 5
    # a new expiry date for the same file number is a new invitation
    renewed = csv_import.check(
        csv_bytes([row(1, Ablaufdatum=(EXPIRY + dt.timedelta(days=365)).strftime("%d.%m.%Y"))])
    )
    assert len(renewed.new) == 1


# --- Allocation ----------------------------------------------------------------------------


def test_every_invitee_gets_an_internal_place_of_the_responsible_team_in_the_window(office):
    batch = imported_batch(20)
    counts = allocation.allocate_batch(batch_id=batch.pk)
    assert counts == {InvitationState.ALLOCATED: 20}
    for invitation in Invitation.objects.select_related("appointment__slot"):
        appointment = invitation.appointment
        assert appointment.channel == "invitation" and appointment.status == Status.BOOKED
        assert appointment.slot.contingent == Contingent.INTERNAL
        assert WINDOW[0] <= local_day(appointment) <= WINDOW[1]
        expected = office.team_ak if invitation.surname == "Aydin" else office.team_lz
        assert appointment.slot.team_id == expected.pk
        assert (invitation.window_first, invitation.window_last) == WINDOW
    online = Slot.objects.filter(contingent=Contingent.ONLINE).aggregate(n=Sum("booked"))["n"]
    assert online == 0
    # no confirmation e-mail yet: the invitation is the message, sent later
    assert OutboxMessage.objects.count() == 0


def test_allocation_spreads_invitees_over_the_days_of_the_window(office):
    batch = imported_batch(22, Nachname="Aydin")
    allocation.allocate_batch(batch_id=batch.pk)
    per_day = Counter(local_day(a) for a in Appointment.objects.select_related("slot"))
    # 11 working days in the window: two invitees each, not the first days filled up
    assert len(per_day) == 11 and set(per_day.values()) == {2}


def test_closed_days_and_holidays_get_no_invitees(office):
    closed_day = WINDOW[0] + dt.timedelta(days=1)
    Closure.objects.create(
        team=None,
        start=timezone.make_aware(dt.datetime.combine(closed_day, dt.time.min)),
        end=timezone.make_aware(dt.datetime.combine(closed_day, dt.time.max)),
        reason="Personalversammlung",
    )
    generate_slots(days=70)
    batch = imported_batch(30)
    allocation.allocate_batch(batch_id=batch.pk)
    days = {local_day(a) for a in Appointment.objects.select_related("slot")}
    assert closed_day not in days


def test_a_full_window_is_reported_per_row_and_later_capacity_is_used(office):
    # 11 window days × 4 slots × 2 internal places = 88 places for team A–K
    batch = imported_batch(90, Nachname="Aydin")
    counts = allocation.allocate_batch(batch_id=batch.pk)
    assert counts == {InvitationState.ALLOCATED: 88, InvitationState.NO_PLACE: 2}
    short = Invitation.objects.filter(state=InvitationState.NO_PLACE)
    assert all("No free place of A–K" in i.problem for i in short)
    assert Slot.objects.filter(booked__gt=0, contingent=Contingent.ONLINE).count() == 0
    # the supervisor opens capacity (Saturday mornings, internal only): the rest fits there
    rule_for(
        office.team_ak,
        [office.service],
        weekday=5,
        start="08:00",
        end="09:00",
        slot_minutes=30,
        capacity=1,
        online_capacity=0,
    )
    counts = allocation.allocate_batch(batch_id=batch.pk)
    assert counts == {InvitationState.ALLOCATED: 2}
    assert Invitation.objects.filter(state=InvitationState.ALLOCATED).count() == 90
    moved = Invitation.objects.filter(pk__in=[i.pk for i in short]).select_related("appointment")
    assert {local_day(i.appointment).weekday() for i in moved} == {5}


def test_allocation_materialises_slots_beyond_the_rolling_horizon():
    office = open_office(days=20)
    far = (TODAY + dt.timedelta(weeks=12)).strftime("%d.%m.%Y")  # window 6–8 weeks ahead
    batch = imported_batch(3, Ablaufdatum=far)
    assert allocation.allocate_batch(batch_id=batch.pk) == {InvitationState.ALLOCATED: 3}
    for appointment in Appointment.objects.select_related("slot"):
        assert appointment.slot.team_id in (office.team_ak.pk, office.team_lz.pk)
        assert local_day(appointment) >= TODAY + dt.timedelta(weeks=6)


def test_a_window_of_a_service_and_the_minimum_lead_are_respected(office):
    InvitationWindow.objects.create(
        service=office.service, weeks_before_from=9, weeks_before_until=7
    )
    batch = imported_batch(4)
    allocation.allocate_batch(batch_id=batch.pk)
    earliest = TODAY + dt.timedelta(days=3)  # INVITATION_MIN_LEAD_DAYS
    for appointment in Appointment.objects.select_related("slot"):
        assert earliest <= local_day(appointment) <= EXPIRY - dt.timedelta(weeks=7)


def test_an_invitee_who_already_has_an_appointment_is_reported(office):
    slot = Slot.objects.filter(
        team=office.team_ak, contingent=Contingent.ONLINE, start__gt=NOW
    ).first()
    booking.book(
        service=office.service,
        slot_id=slot.pk,
        channel="staff",
        person=Person(
            surname="Aydin",
            given_names="Elif",
            date_of_birth=dt.date(1988, 5, 14),
            email="person1@example.test",
        ),
    )
    batch = imported_batch(1)
    assert allocation.allocate_batch(batch_id=batch.pk) == {InvitationState.FAILED: 1}
    assert "already has an open appointment" in Invitation.objects.get().problem


def test_allocating_twice_books_each_invitee_once(office):
    batch = imported_batch(6)
    allocation.allocate_batch(batch_id=batch.pk)
    assert allocation.allocate_batch(batch_id=batch.pk) == {}
    assert Appointment.objects.count() == 6
    assert Slot.objects.aggregate(n=Sum("booked"))["n"] == 6


# --- Sending and letters -------------------------------------------------------------------


def allocated(count=2, **overrides):
    batch = imported_batch(count, **overrides)
    allocation.allocate_batch(batch_id=batch.pk)
    return batch


def test_sending_writes_one_email_with_calendar_file_and_marks_letters(office):
    batch = allocated(2)
    Invitation.objects.filter(row_number=3).update(email="")  # rows are file lines: 2, 3
    counts = sending.send_batch(batch_id=batch.pk)
    assert counts == {"email": 1, "letter": 1}
    message = OutboxMessage.objects.get()
    invitation = Invitation.objects.get(row_number=2)
    assert message.kind == "invitation" and message.recipient == invitation.email
    assert message.attachments[0]["mimetype"] == "text/calendar"
    token = invitation_token(invitation)
    assert f"/de/einladung/{invitation.appointment.code}/?t={token}" in message.text_body
    assert token_matches(invitation.appointment, token)
    assert invitation.state == InvitationState.SENT and invitation.answer_by > NOW
    letter = Invitation.objects.get(row_number=3)
    assert (letter.state, letter.delivery) == (InvitationState.SENT, InvitationDelivery.LETTER)
    # sending again sends nothing more
    assert sending.send_batch(batch_id=batch.pk) == {"email": 0, "letter": 0}
    assert OutboxMessage.objects.count() == 1


def test_the_invitation_mail_is_written_in_the_residents_language(office):
    batch = allocated(1, Sprache="en")
    sending.send_batch(batch_id=batch.pk)
    message = OutboxMessage.objects.get()
    assert message.language == "en" and "/en/einladung/" in message.text_body
    assert "reserved an appointment" in message.subject


def test_the_letter_pdf_has_a_german_page_per_letter_with_the_booking_code(office):
    pypdf = pytest.importorskip("pypdf")
    batch = allocated(3, **{"E-Mail": ""})
    Invitation.objects.filter(row_number=3).update(language="ar")
    sending.send_batch(batch_id=batch.pk)
    rows = list(letters.letter_invitations(batch))
    pdf = letters.letters_pdf(rows)
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # each letter on a page in German; the Arabic one has its Arabic text on a page of its own
    assert len(reader.pages) == len(rows) + sum(1 for row in rows if row.language != "de")
    german = [page for page in reader.pages if "Aktenzeichen" in page.extract_text()]
    for page, invitation in zip(german, rows, strict=True):
        text = page.extract_text()
        assert invitation.appointment.code in text
        assert invitation.file_number in text
        assert "Reisepass" in text  # the checklist, in German


# --- Answers -------------------------------------------------------------------------------


@pytest.fixture
def invited(office):
    batch = allocated(1)
    sending.send_batch(batch_id=batch.pk)
    return Invitation.objects.select_related("appointment__slot").get()


def test_confirming_marks_the_invitation_and_the_attendance(invited):
    answers.confirm(invitation_id=invited.pk)
    invited.refresh_from_db()
    assert invited.state == InvitationState.CONFIRMED and invited.confirmed_at == NOW
    assert Appointment.objects.get().attendance_confirmed_at == NOW
    answers.confirm(invitation_id=invited.pk)  # twice: nothing more
    assert invited.appointment.events.filter(action="invitation.confirmed").count() == 1


def test_moving_takes_another_internal_place_in_the_window_and_frees_the_old_one(invited):
    old = invited.appointment.slot
    days = answers.free_days(invited)
    assert days and all(WINDOW[0] <= day <= WINDOW[1] for day, _ in days)
    target = days[-1][1][0]
    assert target.contingent == Contingent.INTERNAL
    answers.reschedule(invitation_id=invited.pk, slot_id=target.pk)
    invited.refresh_from_db()
    assert invited.state == InvitationState.RESCHEDULED
    assert Appointment.objects.get().slot_id == target.pk
    booking.release_delayed_places(now=NOW + dt.timedelta(hours=1))
    old.refresh_from_db()
    assert old.booked == 0


def test_moving_out_of_the_window_or_into_the_online_contingent_is_refused(invited):
    outside = Slot.objects.filter(
        team=invited.appointment.slot.team,
        contingent=Contingent.INTERNAL,
        start__date__gt=WINDOW[1],
    ).first()
    online = Slot.objects.filter(
        team=invited.appointment.slot.team,
        contingent=Contingent.ONLINE,
        start__date=WINDOW[0],
    ).first()
    for slot in (outside, online):
        with pytest.raises(OutsideWindow):
            answers.reschedule(invitation_id=invited.pk, slot_id=slot.pk)
    assert Appointment.objects.get().slot_id == invited.appointment.slot_id


def test_declining_cancels_the_appointment_and_frees_the_place(invited):
    slot = invited.appointment.slot
    answers.decline(invitation_id=invited.pk, reason="moved_away")
    invited.refresh_from_db()
    assert invited.state == InvitationState.DECLINED and invited.decline_reason == "moved_away"
    assert Appointment.objects.get().status == Status.CANCELLED
    booking.release_delayed_places(now=NOW + dt.timedelta(hours=1))
    slot.refresh_from_db()
    assert slot.booked == 0
    with pytest.raises(NotAnswerable):
        answers.confirm(invitation_id=invited.pk)


def test_the_short_link_opens_with_the_date_of_birth_only(invited):
    code = invited.appointment.code
    assert answers.access_by_birth_date(code=code, date_of_birth=dt.date(1988, 5, 14)) == (
        invitation_token(invited)
    )
    assert answers.access_by_birth_date(code=code, date_of_birth=dt.date(1988, 5, 15)) is None
    assert answers.access_by_birth_date(code="XXXXXXXX", date_of_birth=dt.date(1988, 5, 14)) is None


def test_the_short_link_of_a_pseudonymised_invitation_opens_with_no_birth_date(invited):
    answers.decline(invitation_id=invited.pk, reason="moved_away")
    retention.pseudonymise_appointment(appointment_id=invited.appointment_id)
    code = invited.appointment.code
    for born in (dt.date(1988, 5, 14), retention.NO_BIRTH_DATE):
        assert answers.access_by_birth_date(code=code, date_of_birth=born) is None
    invited.refresh_from_db()
    assert invited.pseudonymised_at and invited.surname == "" and invited.postal_address == ""


# --- Reminder, deadline, outcome -----------------------------------------------------------


def test_one_reminder_goes_out_after_n_days_however_often_the_sweep_runs(invited, frozen):
    frozen.shift(dt.timedelta(days=6))
    sending.sweep()
    assert not OutboxMessage.objects.filter(kind="invitation_reminder").exists()
    frozen.shift(dt.timedelta(days=1, minutes=1))
    sending.sweep()
    sending.sweep()
    assert OutboxMessage.objects.filter(kind="invitation_reminder").count() == 1
    invited.refresh_from_db()
    assert invited.reminded_at is not None and invited.state == InvitationState.SENT


def test_a_confirmed_invitee_gets_no_reminder(invited, frozen):
    answers.confirm(invitation_id=invited.pk)
    frozen.shift(dt.timedelta(days=8))
    assert sending.send_reminders() == 0


def test_letter_invitees_are_reminded_by_the_reminder_letters(office, frozen):
    batch = allocated(1, **{"E-Mail": ""})
    sending.send_batch(batch_id=batch.pk)
    frozen.shift(dt.timedelta(days=8))
    assert sending.send_reminders() == 1
    assert list(letters.letter_invitations(batch, reminder=True)) == list(batch.invitations.all())


def test_no_answer_by_the_deadline_keeps_the_reservation_by_default(invited, frozen):
    frozen.move_to(invited.answer_by + dt.timedelta(minutes=1))
    sending.sweep()
    invited.refresh_from_db()
    assert invited.state == InvitationState.NO_ANSWER
    assert Appointment.objects.get().status == Status.BOOKED


def test_no_answer_by_the_deadline_releases_the_place_when_so_configured(invited, frozen, settings):
    settings.INVITATION_UNANSWERED = "release"
    frozen.move_to(invited.answer_by + dt.timedelta(minutes=1))
    sending.sweep()
    invited.refresh_from_db()
    assert invited.state == InvitationState.RELEASED and invited.released_at is not None
    assert Appointment.objects.get().status == Status.CANCELLED


def test_kept_and_missed_invited_appointments_are_recorded(office, frozen):
    batch = allocated(2)
    sending.send_batch(batch_id=batch.pk)
    first, second = Invitation.objects.order_by("row_number")
    for status in (Status.CHECKED_IN, Status.CALLED, Status.IN_SERVICE, Status.COMPLETED):
        lifecycle.move(appointment_id=first.appointment_id, to_status=status)
    lifecycle.move(appointment_id=second.appointment_id, to_status=Status.NO_SHOW)
    recorded = Event.objects.filter(action__in=["invitation.kept", "invitation.no_show"])
    assert Counter(recorded.values_list("action", flat=True)) == {
        "invitation.kept": 1,
        "invitation.no_show": 1,
    }
    assert sorted(Invitation.objects.values_list("state", flat=True)) == ["kept", "no_show"]


# --- Concurrency (PostgreSQL) --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_allocation_racing_online_and_staff_bookings_never_overbooks():
    from tests.appointments.test_races import race
    from tests.factories import person

    office = open_office(internal=1, online=1)
    batch = imported_batch(50, Nachname="Aydin")
    in_window = Slot.objects.filter(
        team=office.team_ak, start__date__gte=WINDOW[0], start__date__lte=WINDOW[1]
    ).order_by("start")
    internal = list(in_window.filter(contingent=Contingent.INTERNAL).values_list("pk", flat=True))
    online = list(in_window.filter(contingent=Contingent.ONLINE).values_list("pk", flat=True))

    def work(i):
        if i < 2:  # two allocation runs of the same batch at once
            return allocation.allocate_batch(batch_id=batch.pk)
        channel, slots = ("staff", internal) if i < 22 else ("online", online)
        return booking.book(
            service=office.service,
            slot_id=slots[i % len(slots)],
            channel=channel,
            person=person(i, surname=f"Adler{i}"),
        )[0].pk

    outcomes = race(work, count=42)
    unexpected = [
        o for o in outcomes if isinstance(o, Exception) and not isinstance(o, booking.BookingError)
    ]
    assert unexpected == []
    for slot in Slot.objects.all():
        assert slot.booked <= slot.capacity
        assert slot.booked == booking.place_holders(slot), slot
    states = Counter(Invitation.objects.values_list("state", flat=True))
    assert states[InvitationState.ALLOCATED] + states[InvitationState.NO_PLACE] == 50
    invited = Appointment.objects.filter(channel="invitation")
    assert invited.count() == states[InvitationState.ALLOCATED]
    assert not invited.filter(slot__contingent=Contingent.ONLINE).exists()
    assert (
        Invitation.objects.exclude(appointment=None).values("appointment").distinct().count()
        == (states[InvitationState.ALLOCATED])
    )
    # demand (50 invitees + 20 staff bookings) exceeded the 44 internal places: all are taken,
    # each once, shared between the allocation and the staff
    staff = Appointment.objects.filter(channel="staff").count()
    taken = in_window.filter(contingent=Contingent.INTERNAL).aggregate(n=Sum("booked"))["n"]
    assert taken == len(internal) == staff + states[InvitationState.ALLOCATED]
    assert staff > 0 and states[InvitationState.NO_PLACE] > 0


# --- Resident pages ------------------------------------------------------------------------


def page(invitation, name="detail"):
    return (
        f"/en/einladung/{invitation.appointment.code}/"
        + {
            "detail": "",
            "confirm": "zusagen/",
            "reschedule": "verschieben/",
            "decline": "absagen/",
            "access": "zugang/",
        }[name]
    )


def opened(client, invitation):
    """Follow the e-mail link: the token goes into the session, the address is cleaned."""
    response = client.get(page(invitation) + f"?t={invitation_token(invitation)}")
    assert response.status_code == 302 and response["Location"] == page(invitation)
    return client.get(page(invitation))


def test_the_link_shows_the_invitation_and_confirming_works(client, invited):
    response = opened(client, invited)
    assert response.status_code == 200
    assert invited.appointment.code in response.text and "I will come" in response.text
    response = client.post(page(invited, "confirm"), follow=True)
    assert "your appointment is confirmed" in response.text
    invited.refresh_from_db()
    assert invited.state == InvitationState.CONFIRMED


def test_without_the_link_the_page_asks_for_the_date_of_birth(client, invited):
    response = client.get(page(invited))
    assert response.status_code == 200 and 'name="date_of_birth"' in response.text
    assert invited.appointment.slot.start.isoformat() not in response.text
    wrong = client.post(page(invited, "access"), {"date_of_birth": "1988-05-15"})
    assert wrong.status_code == 400 and 'href="#id_date_of_birth"' in wrong.text
    assert client.post(page(invited, "confirm")).status_code == 403
    right = client.post(page(invited, "access"), {"date_of_birth": "1988-05-14"})
    assert right.status_code == 302
    assert "I will come" in client.get(page(invited)).text


def test_guessing_the_date_of_birth_is_limited_per_code(client, invited, settings):
    settings.RATE_LIMITS = True
    statuses = [
        client.post(page(invited, "access"), {"date_of_birth": f"1970-01-{day:02d}"}).status_code
        for day in range(1, 8)
    ]
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429, 429]


def test_declining_needs_a_reason_and_then_cancels(client, invited):
    opened(client, invited)
    response = client.post(page(invited, "decline"), {"reason": ""})
    assert response.status_code == 400 and 'href="#id_reason_0"' in response.text
    response = client.post(page(invited, "decline"), {"reason": "already_applied"}, follow=True)
    assert "The appointment has been cancelled" in response.text
    assert Appointment.objects.get().status == Status.CANCELLED
    assert client.get(page(invited, "decline")).status_code == 302  # nothing left to decline


def test_the_move_page_offers_internal_times_of_the_window_and_moves(client, invited):
    opened(client, invited)
    day = answers.free_days(invited)[0][0]
    response = client.get(page(invited, "reschedule") + f"?day={day.isoformat()}")
    offered = [slot.pk for slot in response.context["selected_slots"]]
    assert offered and set(
        Slot.objects.filter(pk__in=offered).values_list("contingent", flat=True)
    ) == {Contingent.INTERNAL}
    response = client.post(page(invited, "reschedule"), {"slot": offered[0]}, follow=True)
    assert "Your appointment has been moved" in response.text
    assert Appointment.objects.get().slot_id == offered[0]
    assert Invitation.objects.get().state == InvitationState.RESCHEDULED


def test_a_wrong_token_reveals_nothing(client, invited):
    client.get(page(invited) + "?t=wrong")
    response = client.get(page(invited))
    assert 'name="date_of_birth"' in response.text and "I will come" not in response.text
