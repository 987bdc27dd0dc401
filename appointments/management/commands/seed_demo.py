"""Idempotent demo data: staff users per role, services, teams, rules, slots, a few bookings."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from appointments import booking, catalogue_cache, statistics
from appointments.demo import data as demo_data
from appointments.demo import history as demo_history
from appointments.errors import BookingError
from appointments.models import (
    Appointment,
    Counter,
    OpeningRule,
    ResponsibilityRule,
    Service,
    Slot,
    Team,
)
from appointments.people import Person
from appointments.responsibility import responsible_team
from appointments.scheduling import generate_slots

DEMO_PASSWORD = "wiesbaden-demo"  # noqa: S105 - demo only; the command refuses to run in production

DEMO_USERS = [
    # username, role, first name, last name
    ("empfang", "reception", "Erika", "Empfang"),
    ("sachbearbeitung", "caseworker", "Sami", "Sachbearbeiter"),
    ("teamleitung", "supervisor", "Tanja", "Teamleitung"),
    ("admin", "administrator", "Ada", "Admin"),
]


class Command(BaseCommand):
    help = (
        "Load demo data (staff users per role, services, teams, opening rules, slots). "
        "Safe to run any number of times; refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never in production).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo data is for development. Use --force to insist.")
        with transaction.atomic():
            users = self._users()
            self._domain()
        # Some past months for the reports (once), and their figures (rebuilt every run).
        history = demo_history.create_history()
        statistics.rebuild(date_from=history.first_day, date_to=history.last_day)
        result = generate_slots()
        # Demo residents have no real mailboxes: their confirmations are not sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            booked = self._appointments()
            booked += self._today()
        self.stdout.write(
            f"Slots: {Slot.objects.count()} ({result.created} new); demo appointments: {booked}."
        )
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in users:
            self.stdout.write(f"  {username:<16} {role}")

    def _users(self):
        User = get_user_model()
        created = []
        for username, role, first, last in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.invalid",
                },
            )
            user.is_staff = role == "administrator"
            user.is_superuser = role == "administrator"
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["is_staff", "is_superuser", "password"])
            user.groups.add(Group.objects.get(name=role))
            created.append((username, role))
        return created

    def _domain(self):
        services = {}
        for data in demo_data.SERVICES:
            values = {k: v for k, v in data.items() if k not in ("slug", "follow_up")}
            services[data["slug"]], _ = Service.objects.update_or_create(
                slug=data["slug"], defaults=values
            )
        for data in demo_data.SERVICES:
            if data.get("follow_up"):
                Service.objects.filter(slug=data["slug"]).update(
                    follow_up_service=services[data["follow_up"]]
                )
                catalogue_cache.invalidate()  # an update() sends no signal
        teams = {}
        for data in demo_data.TEAMS:
            team, _ = Team.objects.update_or_create(
                name=data["name"],
                defaults={"waiting_prefix": data["waiting_prefix"], "location": data["location"]},
            )
            for number in data["counters"]:
                Counter.objects.get_or_create(team=team, number=number)
            teams[data["name"]] = team
        for slug, team, first, last, nationalities in demo_data.RESPONSIBILITY:
            ResponsibilityRule.objects.get_or_create(
                service=services[slug],
                team=teams[team],
                letter_from=first,
                letter_to=last,
                defaults={"nationalities": nationalities},
            )
        valid_from = timezone.localdate().replace(month=1, day=1)
        for team, slugs, weekdays, start, end, minutes, capacity, online in demo_data.OPENING_RULES:
            for weekday in weekdays:
                rule, _ = OpeningRule.objects.get_or_create(
                    team=teams[team],
                    weekday=weekday,
                    start_time=start,
                    end_time=end,
                    defaults={
                        "slot_minutes": minutes,
                        "capacity": capacity,
                        "online_capacity": online,
                        "valid_from": valid_from,
                    },
                )
                rule.services.set([services[slug] for slug in slugs])

    def _appointments(self):
        """A few booked appointments over the coming days (once), so screens have content."""
        existing = Appointment.objects.filter(email__endswith="@demo.invalid").count()
        if existing:
            return existing
        people = [
            ("Yılmaz", "Ayşe", "TR", "tr"),
            ("Kowalski", "Jan", "PL", "de"),
            ("Haddad", "Omar", "SY", "ar"),
            ("Petrenko", "Olena", "UA", "uk"),
            ("Ivanova", "Marija", "RU", "ru"),
            ("Singh", "Arjun", "IN", "en"),
            ("Nguyen", "Lan", "VN", "de"),
            ("Bakker", "Sanne", "NL", "en"),
        ]
        service = Service.objects.get(slug="aufenthaltserlaubnis-verlaengerung")
        created = 0
        for n, (surname, given, nationality, language) in enumerate(people):
            person = Person(
                surname=surname,
                given_names=given,
                date_of_birth=dt.date(1980 + n, 1 + n, 10),
                email=f"{surname.lower()}@demo.invalid".replace("ı", "i"),
                nationality=nationality,
                language=language,
            )
            team = responsible_team(service=service, surname=surname, nationality=nationality)
            slot = (
                Slot.objects.filter(
                    team=team,
                    rule__services=service,
                    start__gt=timezone.now(),
                    contingent="internal",
                )
                .order_by("start")[n % 3 :][:1]
                .first()
            )
            if slot is None:
                continue
            try:
                booking.book(service=service, slot_id=slot.pk, person=person, channel="staff")
                created += 1
            except BookingError:
                continue
        return created

    def _today(self):
        """Residents expected today, spread over the office hours, so reception and the
        queue have someone to check in whenever the demo is opened (once per day)."""
        now = timezone.now()
        day = timezone.localdate(now)
        if Appointment.objects.filter(
            email__endswith="@today.demo.invalid", slot__start__date=day
        ).exists():
            return 0
        service = Service.objects.get(slug="aufenthaltserlaubnis-verlaengerung")
        people = [
            ("Demir", "Emre", "TR", "tr"),
            ("Lewandowska", "Anna", "PL", "de"),
            ("Ahmadi", "Fatima", "AF", "ar"),
            ("Shevchenko", "Taras", "UA", "uk"),
            ("Kuznetsov", "Pavel", "RU", "ru"),
            ("Okafor", "Chidi", "NG", "en"),
            ("Bianchi", "Giulia", "IT", "de"),
            ("Rahman", "Nusrat", "BD", "en"),
        ]
        created = 0
        for n, (surname, given, nationality, language) in enumerate(people):
            team = responsible_team(service=service, surname=surname, nationality=nationality)
            # one demo place each, from 08:00 on, every 75 minutes, in the team's office day
            start = timezone.make_aware(
                dt.datetime.combine(day, dt.time(8)) + dt.timedelta(minutes=75 * n)
            )
            slot = Slot.objects.create(
                team=team,
                start=start,
                end=start + dt.timedelta(minutes=30),
                contingent="internal",
                capacity=1,
                booked=1,
                closed=True,
            )
            booking.create_appointment(
                slot=slot,
                service=service,
                person=Person(
                    surname=surname,
                    given_names=given,
                    date_of_birth=dt.date(1975 + n, 3, 1 + n),
                    email=f"{surname.lower()}@today.demo.invalid",
                    nationality=nationality,
                    language=language,
                    interpreter_needed=n % 3 == 0,
                ),
                channel="online" if n % 2 else "invitation",
                status="booked",
                now=now,
            )
            created += 1
        return created
