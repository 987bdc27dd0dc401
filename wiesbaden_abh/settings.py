"""Settings of the Terminvergabesystem, configured by environment variables (12-factor).

With nothing set it runs in development mode on SQLite with Celery on kombu's filesystem
transport. See README.md and .env.example for every variable.
"""

import datetime as dt
import ipaddress
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from . import headers, logs

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")


def _flag(name, default):
    """A boolean environment variable; accepts on/off, true/false, 1/0, yes/no."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "on", "yes"}:
        return True
    if value in {"0", "false", "off", "no", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be on or off, not {raw!r}.")


DEBUG = _flag("DEBUG", True)

_DEV_SECRET = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not DEBUG and (
    not SECRET_KEY
    or SECRET_KEY == _DEV_SECRET
    or SECRET_KEY.startswith("django-insecure")
    or (len(SECRET_KEY) < 50 and not env.bool("DJANGO_COLLECTSTATIC", default=False))
):
    raise ImproperlyConfigured(
        "DEBUG is off: set SECRET_KEY to a random value of at least 50 characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
# Links in mails and .ics UIDs: SITE_URL when set, else the development server's own port
# (`PORT=8101 make run` writes http://127.0.0.1:8101, not :8000).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip(
    "/"
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "appointments",
    "caseworkers",
]

MIDDLEWARE = [
    "wiesbaden_abh.logs.RequestIdMiddleware",  # first: X-Request-ID, bound to every log line
    "wiesbaden_abh.metrics.RequestMetricsMiddleware",  # counts and times by view name
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); then supervisors and administrators who must use a second
    # factor (STAFF_2FA_REQUIRED) reach nothing but its set-up and code pages until they have.
    "django_otp.middleware.OTPMiddleware",
    "caseworkers.middleware.SecondFactorMiddleware",
    # Staff idle timeout and browser-session cookies; residents' sessions end within hours.
    "wiesbaden_abh.sessions.SessionPolicyMiddleware",
    "wiesbaden_abh.messages.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (see Security below).
    "wiesbaden_abh.headers.CSPMiddleware",
    "wiesbaden_abh.headers.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wiesbaden_abh.urls"
WSGI_APPLICATION = "wiesbaden_abh.wsgi.application"
ASGI_APPLICATION = "wiesbaden_abh.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wiesbaden_abh.context_processors.authority",
                "wiesbaden_abh.context_processors.service_desk",
                # {{ CSP_NONCE }} for the rare inline <script> that must stay inline.
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# An empty variable counts as unset, so `DATABASE_URL= make test` means the SQLite default.
DATABASES = {
    "default": environ.Env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Waiting briefly for the write lock beats "database is locked" when web and worker share
    # the file; IMMEDIATE transactions take the lock up front so a read never has to upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, its health check without a round trip (postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "wiesbaden_abh.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, replay protection); Redis when configured --------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Short timeouts: a hanging Redis fails fast and the database stands in (appointments.outage).
    CACHES = {
        "default": {
            # Django's RedisCache with one client object per pool (see redis_cache.py).
            "BACKEND": "wiesbaden_abh.redis_cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses locked-out logins before the model backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "caseworkers:login"
LOGIN_REDIRECT_URL = "caseworkers:dashboard"

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
    ("tr", _("Turkish")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- Static files (served by whitenoise; nothing from a CDN) --------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
if DEBUG:  # whitenoise serves from the finders in development; the folder must merely exist
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Hashed names (site.3f2a….css) are served with max-age of 10 years and `immutable` by
# whitenoise itself; this is the max-age of the few unhashed paths (an hour in production).
WHITENOISE_MAX_AGE = 0 if DEBUG else env.int("WHITENOISE_MAX_AGE", default=3600)

# --- E-mail -------------------------------------------------------------------------------
EMAIL_CONFIG = environ.Env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Ausländerbehörde Wiesbaden <termine@wiesbaden.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------
SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Secure cookies whenever DEBUG is off, also behind a TLS-terminating proxy that redirects itself.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Database sessions, read with one plain SELECT (wiesbaden_abh/session_store.py).
SESSION_ENGINE = "wiesbaden_abh.session_store"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Signals preload eligibility only; submitting the domain to the list is a separate decision.
SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) and Permissions-Policy, explained where they are
# defined: no inline script or style, no framing, none of the browser's device features.
CONTENT_SECURITY_POLICY = headers.CONTENT_SECURITY_POLICY
PERMISSIONS_POLICY = headers.PERMISSIONS_POLICY

# --- Celery -------------------------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's filesystem transport in var/celery, so the
# embedded default needs no server at all.
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = _flag("CELERY_TASK_ALWAYS_EAGER", False)
# Nobody reads our tasks' results. Keeping them would subscribe every publisher to the result
# backend, which with Redis down retries for ~20 s on the request path, then raises RuntimeError.
CELERY_TASK_IGNORE_RESULT = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_QUEUE_DIR = Path(env.str("CELERY_QUEUE_DIR", default=str(VAR_DIR / "celery")))
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None

# Every periodic job, in one place. Later issues add theirs here.
CELERY_BEAT_SCHEDULE = {
    "generate-slots": {
        # Idempotent: materialises the horizon and applies rule changes and closures.
        "task": "appointments.tasks.generate_slots",
        "schedule": 15 * 60,
    },
    "expire-holds": {"task": "appointments.tasks.expire_holds", "schedule": 60},
    "release-delayed-places": {"task": "appointments.tasks.release_delayed_places", "schedule": 60},
    # Waitlist: expired offers go to the next wish, lapsed wishes end, renewal reminders.
    "sweep-waitlist": {"task": "appointments.tasks.sweep_waitlist", "schedule": 60},
    # Picks up outbox messages whose task was lost (broker down, worker killed) and retries.
    "sweep-outbox": {"task": "appointments.tasks.sweep_outbox", "schedule": 60},
    "schedule-reminders": {"task": "appointments.tasks.schedule_reminders", "schedule": 5 * 60},
    "mark-no-shows": {"task": "appointments.tasks.mark_no_shows", "schedule": 15 * 60},
    # Nightly: rebuilds yesterday's figures and any day whose appointments changed since.
    "rebuild-statistics": {
        "task": "appointments.tasks.rebuild_statistics",
        "schedule": crontab(hour=2, minute=30),
    },
    # Invitations: reminders, answer deadlines, outcomes, resuming lost allocations.
    "sweep-invitations": {"task": "appointments.tasks.sweep_invitations", "schedule": 30 * 60},
    # Nightly, after the statistics: removes personal data whose retention period ended.
    "apply-retention": {
        "task": "appointments.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=15),
    },
}
# A publish that cannot reach the broker gives up quickly; the outbox sweeper sends later.
# One immediate reconnect (a pooled connection broken by a Redis restart) and no sleep: with two
# retries kombu slept 0.5 s on the request path for every publish while Redis was down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}

# --- Policy knobs of the appointment system (one place, each with its default) -------------
# Minutes an unverified online booking holds its place before it expires.
APPOINTMENT_HOLD_MINUTES = env.int("APPOINTMENT_HOLD_MINUTES", default=30)
# "Send the verification mail again" while a hold is pending: at most this many times per
# hold, and not sooner than this many seconds after the previous mail (the hold is not extended).
HOLD_RESEND_MAX = env.int("HOLD_RESEND_MAX", default=3)
HOLD_RESEND_INTERVAL_SECONDS = env.int("HOLD_RESEND_INTERVAL_SECONDS", default=60)
# Minutes a cancelled place stays blocked before it is bookable again (anti-trading, as ZMS).
CANCELLATION_RELEASE_DELAY_MINUTES = env.int("CANCELLATION_RELEASE_DELAY_MINUTES", default=30)
# At most this many active appointments per normalised e-mail address and service.
MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE = env.int(
    "MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE", default=5
)
# At most this many active appointments per normalised e-mail address over all services.
MAX_ACTIVE_APPOINTMENTS_PER_EMAIL = env.int("MAX_ACTIVE_APPOINTMENTS_PER_EMAIL", default=8)
# Days ahead for which slots are materialised from opening rules (released later by policy).
SLOT_HORIZON_DAYS = env.int("SLOT_HORIZON_DAYS", default=42)
# Federal state whose public holidays close the office.
HOLIDAY_SUBDIVISION = env.str("HOLIDAY_SUBDIVISION", default="HE")

# Hours before an appointment at which reminders go out ("48" or "48,24").
REMINDER_LEADS_HOURS = [int(h) for h in env.list("REMINDER_LEADS_HOURS", default=["48"])]
# Minutes after a slot's end after which a booked appointment without check-in is a no-show.
NO_SHOW_GRACE_MINUTES = env.int("NO_SHOW_GRACE_MINUTES", default=120)
# Outbox: attempts before a message is marked failed; first retry delay (doubles each time,
# at most one hour); minutes after which a message stuck in "sending" is tried again.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_STUCK_MINUTES = env.int("OUTBOX_STUCK_MINUTES", default=10)
# One delivery task per burst of new messages instead of one per message: a flag in the cache
# shared by web and worker (Redis) says a delivery is asked for and not yet begun (README
# "Background work"). Without Redis (the embedded default) each message asks for its own.
OUTBOX_COALESCED_DELIVERY = env.bool("OUTBOX_COALESCED_DELIVERY", default=bool(REDIS_URL))
MESSAGE_ID_DOMAIN = (
    env.str("MESSAGE_ID_DOMAIN", default="")
    or (SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0])
)
# Reception: check-in opens this many minutes before the appointment; arrivals later than
# ARRIVAL_LATE_MINUTES after the start are flagged late, later than ARRIVAL_REFUSE_MINUTES
# refused (the resident books again or is taken as a walk-in).
ARRIVAL_EARLY_MINUTES = env.int("ARRIVAL_EARLY_MINUTES", default=120)
ARRIVAL_LATE_MINUTES = env.int("ARRIVAL_LATE_MINUTES", default=10)
ARRIVAL_REFUSE_MINUTES = env.int("ARRIVAL_REFUSE_MINUTES", default=60)
# Statistics: the Termintreue target shown on the reports (Wiesbaden measured 83 %), and how
# many hours before the appointment a cancellation counts as late (counted apart, no no-show).
STATISTICS_TARGET_PERCENT = env.int("STATISTICS_TARGET_PERCENT", default=83)
LATE_CANCELLATION_HOURS = env.int("LATE_CANCELLATION_HOURS", default=24)
# Proactive invitations (appointments.invitations): the target window before a permit expires,
# in weeks (default 6 to 4 weeks before; a service may set its own in the invitation screens);
# invited appointments are never closer than INVITATION_MIN_LEAD_DAYS (letters need the post).
INVITATION_WINDOW_FROM_WEEKS = env.int("INVITATION_WINDOW_FROM_WEEKS", default=6)
INVITATION_WINDOW_UNTIL_WEEKS = env.int("INVITATION_WINDOW_UNTIL_WEEKS", default=4)
INVITATION_MIN_LEAD_DAYS = env.int("INVITATION_MIN_LEAD_DAYS", default=3)
# Allocation materialises slots up to this many days ahead (beyond SLOT_HORIZON_DAYS), so
# windows of permits expiring in a few months have places; residents still see only released days.
INVITATION_SLOT_HORIZON_DAYS = env.int("INVITATION_SLOT_HORIZON_DAYS", default=105)
# Days after sending without an answer until the one reminder, and until the answer deadline
# (never later than INVITATION_DEADLINE_BEFORE_DAYS before the appointment).
INVITATION_REMINDER_AFTER_DAYS = env.int("INVITATION_REMINDER_AFTER_DAYS", default=7)
INVITATION_ANSWER_DAYS = env.int("INVITATION_ANSWER_DAYS", default=14)
INVITATION_DEADLINE_BEFORE_DAYS = env.int("INVITATION_DEADLINE_BEFORE_DAYS", default=3)
# No answer by the deadline: "keep" the reservation (the invitation counts as valid, as a
# letter does) or "release" it so others can have the place.
INVITATION_UNANSWERED = env.str("INVITATION_UNANSWERED", default="keep")
if INVITATION_UNANSWERED not in ("keep", "release"):
    raise ImproperlyConfigured('INVITATION_UNANSWERED must be "keep" or "release".')
# The short link on letters asks for the date of birth: tries per booking code and hour.
INVITATION_ACCESS_TRIES_PER_HOUR = env.int("INVITATION_ACCESS_TRIES_PER_HOUR", default=5)
# Queue: target waiting time (green up to it, amber up to twice, red beyond) and the number of
# unanswered calls after which a resident counts as not there (no-show).
WAITING_TARGET_MINUTES = env.int("WAITING_TARGET_MINUTES", default=15)
MAX_UNANSWERED_CALLS = env.int("MAX_UNANSWERED_CALLS", default=3)
# Proof-of-work challenge (self-hosted ALTCHA) before a hold is created; "off" only for tests
# and benchmarks (a system check warns when it is off in production).
BOOKING_CHALLENGE = _flag("BOOKING_CHALLENGE", True)
BOOKING_CHALLENGE_HMAC_KEY = env.str("BOOKING_CHALLENGE_HMAC_KEY", default="") or (
    "altcha:" + SECRET_KEY
)
# Work per challenge: the browser tries on average half of this many hashes (~0.1 s on a phone).
BOOKING_CHALLENGE_MAX_NUMBER = env.int("BOOKING_CHALLENGE_MAX_NUMBER", default=100_000)
# Rate limits on holds and verifications (cache-based); "off" only for tests and benchmarks.
RATE_LIMITS = _flag("RATE_LIMITS", True)
# Reservations (holds) per client address per hour (shared addresses: see the end of this
# section), and per e-mail address per day.
RATE_LIMIT_HOLDS_PER_IP_HOUR = env.int("RATE_LIMIT_HOLDS_PER_IP_HOUR", default=30)
RATE_LIMIT_HOLDS_PER_EMAIL_DAY = env.int("RATE_LIMIT_HOLDS_PER_EMAIL_DAY", default=5)
# Verification and manage-link attempts per client address per hour.
RATE_LIMIT_LINKS_PER_IP_HOUR = env.int("RATE_LIMIT_LINKS_PER_IP_HOUR", default=60)
# Brute-force protection of the staff and admin login (django-axes, attempts in the database):
# after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# locked for LOGIN_LOCKOUT_MINUTES; a successful login clears the count. The client address is
# taken as the rate limits take it (TRUSTED_PROXIES). Administrators unlock in the admin.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "appointments.protection.client_ip"
AXES_LOCKOUT_TEMPLATE = "caseworkers/lockout.html"
# Failed attempts are kept for the lockout; successful logins are not recorded (data economy).
AXES_DISABLE_ACCESS_LOG = True

# Retention (DSGVO Art. 5(1)(e)): personal data is removed when its purpose has ended; the
# statistics keep their figures because aggregates hold no personal data. Applied nightly by
# `apply_retention` (beat) and shown on the privacy notice, so the periods stated are the periods
# applied. Days unless said otherwise.
# Appointments' personal data (name, birth date, e-mail, phone, notes, token hashes), counted
# from the end of the visit (completed, no-show) or from the cancellation or expiry.
RETENTION_APPOINTMENT_DAYS = env.int("RETENTION_APPOINTMENT_DAYS", default=90)
# Recipient addresses and bodies of messages that were sent (or finally failed).
RETENTION_MESSAGE_DAYS = env.int("RETENTION_MESSAGE_DAYS", default=30)
# Per-mailbox booking locks (normalised e-mail addresses) once their appointment has ended.
RETENTION_EMAIL_LOCK_DAYS = env.int("RETENTION_EMAIL_LOCK_DAYS", default=0)
# Invitation batches and their rows (file numbers, postal addresses, uploaded CSV, letters),
# counted from the end of the campaign (the last appointment of the batch).
RETENTION_INVITATION_DAYS = env.int("RETENTION_INVITATION_DAYS", default=90)
# Failed staff login attempts (django-axes records).
RETENTION_LOGIN_ATTEMPT_DAYS = env.int("RETENTION_LOGIN_ATTEMPT_DAYS", default=30)
# Audit events of staff access to personal data: longer, as the audit must itself be auditable.
RETENTION_STAFF_AUDIT_DAYS = env.int("RETENTION_STAFF_AUDIT_DAYS", default=730)
# Rows handled per transaction by apply_retention.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)

# Statements and the residents' rights (issue 15). The date of the last axe-core check (WCAG 2.1
# AA, tests/browser/), shown on the accessibility statement: update it with each release's check.
ACCESSIBILITY_LAST_CHECKED = dt.date.fromisoformat(
    env.str("ACCESSIBILITY_LAST_CHECKED", "2026-12-06")
)
ACCESSIBILITY_STATEMENT_DATE = dt.date.fromisoformat(
    env.str("ACCESSIBILITY_STATEMENT_DATE", "2026-12-06")
)
# The HVBIT enforcement body (§ 14 HessBGG); web address and e-mail stay empty until confirmed.
ACCESSIBILITY_ENFORCEMENT_NAME = env.str(
    "ACCESSIBILITY_ENFORCEMENT_NAME",
    "Durchsetzungs- und Ombudsstelle für barrierefreie Informationstechnik bei der "
    "Beauftragten der Hessischen Landesregierung für Menschen mit Behinderungen",
)
ACCESSIBILITY_ENFORCEMENT_ADDRESS = env.str(
    "ACCESSIBILITY_ENFORCEMENT_ADDRESS", "Sonnenberger Straße 2/2a, 65193 Wiesbaden"
)
ACCESSIBILITY_ENFORCEMENT_EMAIL = env.str("ACCESSIBILITY_ENFORCEMENT_EMAIL", "")
ACCESSIBILITY_ENFORCEMENT_URL = env.str("ACCESSIBILITY_ENFORCEMENT_URL", "")
# Impressum (§ 5 DDG): who publishes the site; empty values are left out of the page.
IMPRINT_PUBLISHER = env.str("IMPRINT_PUBLISHER", "Landeshauptstadt Wiesbaden, Der Magistrat")
IMPRINT_REPRESENTED_BY = env.str("IMPRINT_REPRESENTED_BY", "vertreten durch den Oberbürgermeister")
IMPRINT_ADDRESS = env.str("IMPRINT_ADDRESS", "Schloßplatz 6, 65183 Wiesbaden")
IMPRINT_PHONE = env.str("IMPRINT_PHONE", "0611 31-0")
IMPRINT_EMAIL = env.str("IMPRINT_EMAIL", "")
IMPRINT_VAT_ID = env.str("IMPRINT_VAT_ID", "")
IMPRINT_CONTENT_RESPONSIBLE = env.str(
    "IMPRINT_CONTENT_RESPONSIBLE",
    "Ausländerbehörde Wiesbaden, Alcide-de-Gasperi-Straße 2, 65197 Wiesbaden",
)
# Two-factor login (django-otp: TOTP app plus one-time recovery codes) for supervisors and
# administrators, and for anyone entering the Django admin. Off by default (development,
# tests); production turns it on (docker-compose.yml). Reception and caseworkers never need it.
STAFF_2FA_REQUIRED = _flag("STAFF_2FA_REQUIRED", False)
# Recovery codes handed out once when the authenticator app is set up.
STAFF_2FA_RECOVERY_CODES = env.int("STAFF_2FA_RECOVERY_CODES", default=10)
# The name the authenticator app shows next to the codes.
OTP_TOTP_ISSUER = "Ausländerbehörde Wiesbaden"
# Redis outage: after the cache or the broker failed, a process leaves it alone for this many
# seconds (rate limits and challenge replay use the database, the sweepers deliver), logging
# one warning per pause.
OUTAGE_PAUSE_SECONDS = env.int("OUTAGE_PAUSE_SECONDS", default=30)
# Proxy, sessions and login lockout (production behind the TLS proxy of docker-compose.yml).
# Proxies whose X-Forwarded-For is believed: comma-separated addresses or CIDR networks, e.g.
# "127.0.0.1/32,172.16.0.0/12". Empty (default): nobody, REMOTE_ADDR is the client. The client
# is the right-most hop that is not one of these (appointments.protection.client_ip).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
try:
    TRUSTED_PROXIES = [str(ipaddress.ip_network(p.strip(), strict=False)) for p in TRUSTED_PROXIES]
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error} (addresses or CIDR networks).") from None
if _flag("USE_X_FORWARDED_FOR", False):  # replaced: it believed any client's header
    raise ImproperlyConfigured(
        "USE_X_FORWARDED_FOR is no longer supported: set TRUSTED_PROXIES to the proxy's "
        "addresses or networks (e.g. 172.16.0.0/12) and remove USE_X_FORWARDED_FOR."
    )
# Staff sessions end after this many idle minutes and when the browser closes; resident
# sessions holding a booking's manage token or draft end this many hours after they began.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
RESIDENT_SESSION_HOURS = env.int("RESIDENT_SESSION_HOURS", default=4)
# Password spraying: this many wrong passwords from one address (any usernames) within
# LOGIN_LOCKOUT_MINUTES lock that address (caseworkers.lockout); per username see above.
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=20)
AXES_HANDLER = "caseworkers.lockout.AddressAwareHandler"
# Queue: calling and the order of the "next" call (README, staff section "Queue order").
# A repeated call ("call again") only this many seconds after the previous call.
QUEUE_RECALL_MIN_SECONDS = env.int("QUEUE_RECALL_MIN_SECONDS", default=60)
# Emergencies (urgent walk-ins) are called before everyone else.
QUEUE_EMERGENCIES_FIRST = _flag("QUEUE_EMERGENCIES_FIRST", True)
# Appointments whose time has come are called before walk-ins, except that every Nth "next"
# call goes to a waiting walk-in (0: walk-ins only when no appointment is due).
QUEUE_WALKIN_EVERY_N_CALLS = env.int("QUEUE_WALKIN_EVERY_N_CALLS", default=3)
# An early arrival counts as due this many minutes before its appointment time.
QUEUE_APPOINTMENT_DUE_MINUTES = env.int("QUEUE_APPOINTMENT_DUE_MINUTES", default=5)
# Retention, added by apply_retention: holds never confirmed, from their expiry (a day, so a late
# click on the link still hears "expired"). Expired sessions go as with `clearsessions`.
RETENTION_EXPIRED_HOLD_DAYS = env.int("RETENTION_EXPIRED_HOLD_DAYS", default=1)
# Follow-up and capacity (issue 13). The follow-up screen (card pickup) opens on the first week
# with a free internal place, at the earliest this many days after the visit.
FOLLOW_UP_LEAD_DAYS = env.int("FOLLOW_UP_LEAD_DAYS", default=1)
# Days the office is closed although no public holiday ("MM-DD"; Heiligabend and Silvester in
# Wiesbaden): no slots, no invitations. Set to "" to open on them.
OFFICE_EXTRA_CLOSED_DAYS = env.list("OFFICE_EXTRA_CLOSED_DAYS", default=["12-24", "12-31"])
# Half days: "MM-DD" → closing time ("12-24=12:00,12-31=12:00"); slots end by then. A day that
# is also in OFFICE_EXTRA_CLOSED_DAYS stays closed.
OFFICE_HALF_DAYS = env.dict("OFFICE_HALF_DAYS", default={})
# A personal rebooking link (after a closure or an opening-rule change) is valid this many days.
REBOOKING_LINK_DAYS = env.int("REBOOKING_LINK_DAYS", default=14)

# Invitation letters and dry run (wip-letters): when the supervisor chooses "offer the earliest
# free time" for permits expiring before their window, the appointment lies within this many days
# after the earliest possible day (today + INVITATION_MIN_LEAD_DAYS).
INVITATION_EARLIEST_SPAN_DAYS = env.int("INVITATION_EARLIEST_SPAN_DAYS", default=14)

# Retention of the accessibility feedback (issue 15, second wave): messages from the feedback
# form (name, e-mail, text) are deleted this many days after they were answered, or after they
# arrived if never answered. Expired outage counters (FallbackCounter) go at every run.
RETENTION_FEEDBACK_DAYS = env.int("RETENTION_FEEDBACK_DAYS", default=365)

# Call display (screens): the waiting-time estimate per team (appointments.selectors.
# waiting_estimate: ceil(waiting × mean service minutes / active counters), rounded up to 5 min),
# and how long each language's announcement stays before the next one in the rotation.
# The mean is taken over the team's last N finished visits of the day:
DISPLAY_ESTIMATE_SAMPLE = env.int("DISPLAY_ESTIMATE_SAMPLE", default=10)
# ... or, before the day's first finished visit, this service time in minutes:
DISPLAY_DEFAULT_SERVICE_MINUTES = env.int("DISPLAY_DEFAULT_SERVICE_MINUTES", default=15)
# A counter counts as open when it called someone within this many minutes:
DISPLAY_ACTIVE_COUNTER_MINUTES = env.int("DISPLAY_ACTIVE_COUNTER_MINUTES", default=60)
DISPLAY_ANNOUNCEMENT_SECONDS = env.int("DISPLAY_ANNOUNCEMENT_SECONDS", default=5)

# Waitlist (issue 16, wip-waitlist): wishes for scarce places and the offers of freed ones.
# Hours a new wish waits for its e-mail confirmation before it lapses.
WAITLIST_VERIFY_HOURS = env.int("WAITLIST_VERIFY_HOURS", default=24)
# Days a confirmed wish stays on the list unless renewed by one click.
WAITLIST_WISH_DAYS = env.int("WAITLIST_WISH_DAYS", default=90)
# Days before a wish lapses at which the renewal reminder is mailed.
WAITLIST_RENEWAL_REMINDER_DAYS = env.int("WAITLIST_RENEWAL_REMINDER_DAYS", default=7)
# Hours an offered place is held for the answer (at most half the time left until it starts).
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=24)
# No offer when the answer window would be shorter than this: the place stays public.
WAITLIST_OFFER_MIN_MINUTES = env.int("WAITLIST_OFFER_MIN_MINUTES", default=60)
# A wish that let this many offers expire unanswered is paused (with a mail).
WAITLIST_MAX_EXPIRED_OFFERS = env.int("WAITLIST_MAX_EXPIRED_OFFERS", default=3)
# A permit expiring within this many days ranks a wish as urgent (soonest first).
WAITLIST_URGENT_EXPIRY_DAYS = env.int("WAITLIST_URGENT_EXPIRY_DAYS", default=56)
# The position shown to residents: "among the next N" with the first band that fits.
# Retention: an ended wish's personal data (booked, withdrawn, expired) is pseudonymised this
# many days after it ended; rank, dates and state stay for the waitlist's figures.
RETENTION_WISH_DAYS = env.int("RETENTION_WISH_DAYS", default=90)
WAITLIST_POSITION_BANDS = [
    int(n) for n in env.list("WAITLIST_POSITION_BANDS", default=["5", "20", "50", "100"])
]
# Help for residents (issue 17 D, wip-reshelp): the service desk's contact block on every
# resident page and mail, "find my appointment", the live wait page and the confirmation check.
CONTACT_PHONE = env.str("CONTACT_PHONE", default="+49 611 31-0")  # the service desk's phone
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="auslaenderbehoerde@wiesbaden.de")  # its mail
# Its opening hours: "<ISO weekdays> <from>-<to>" separated by ";" (1 = Monday), shown with
# weekday names in the reader's language, e.g. "1-5 08:00-12:00; 4 14:00-18:00".
CONTACT_HOURS = env.str("CONTACT_HOURS", default="1-5 08:00-12:00; 4 14:00-18:00")
# "Find my appointment" (resend the manage link): attempts per client address and hour, and
# per booking code and day; every answer takes at least this many seconds (found or not).
RATE_LIMIT_FIND_PER_IP_HOUR = env.int("RATE_LIMIT_FIND_PER_IP_HOUR", default=10)
RATE_LIMIT_FIND_PER_CODE_DAY = env.int("RATE_LIMIT_FIND_PER_CODE_DAY", default=3)
FIND_MIN_SECONDS = env.float("FIND_MIN_SECONDS", default=0.5)
# The live wait page polls its status this often (seconds; the no-JS page reloads alike).
WAIT_STATUS_POLL_SECONDS = env.int("WAIT_STATUS_POLL_SECONDS", default=20)
# Checks of signed confirmations (public page) per client address and hour.
RATE_LIMIT_CHECKS_PER_IP_HOUR = env.int("RATE_LIMIT_CHECKS_PER_IP_HOUR", default=30)

# Group booking and needs (issue 17 C, wip-party): one booking for up to N persons of one
# household (each with their own appointment; the services' party_mode says how the places
# scale); a family shares one mailbox, so MAX_ACTIVE_APPOINTMENTS_PER_EMAIL_AND_SERVICE (a
# person still gets one) is the household cap per mailbox and concern.
PARTY_MAX_PERSONS = env.int("PARTY_MAX_PERSONS", default=5)
# Longest free-text note on needs stated up front (plain text; no markup or bidi controls).
NEEDS_NOTE_MAX_LENGTH = env.int("NEEDS_NOTE_MAX_LENGTH", default=300)
# Shared addresses (issue 17): shelters, counselling offices and mobile networks put many
# residents behind one address, so holds per address (RATE_LIMIT_HOLDS_PER_IP_HOUR, counted in
# clock-aligned windows: the 429 says when the window ends) are generous and persons and
# mailboxes are limited on their own; a counselling office's partner key raises the address
# limit. Reservations per person (surname + date of birth) per day:
RATE_LIMIT_HOLDS_PER_PERSON_DAY = env.int("RATE_LIMIT_HOLDS_PER_PERSON_DAY", default=4)
# The hourly address limit a new partner key gets (editable per key on its screen):
PARTNER_KEY_DEFAULT_LIMIT = env.int("PARTNER_KEY_DEFAULT_LIMIT", default=200)

# --- Logging: no personal data in logs (booking codes are fine) ----------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- REST API (/api/v1/, schema at /api/schema/) -------------------------------------------
# Staff authenticate by session or per-user token (401 for anonymous callers, so the token
# scheme comes first; tokens are stored hashed, caseworkers.models.ApiToken); the public views
# and the display feed set their own. Rate limits are the web's (appointments.ratelimit),
# applied by the API views themselves.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "caseworkers.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "appointments.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "appointments.api.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "appointments.api.negotiation.ContentNegotiation",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ausländerbehörde Wiesbaden – appointments API",
    "DESCRIPTION": (
        "Public: services, free times, booking with e-mail verification, managing a booking "
        "with its code and the secret token from the e-mail (header X-Booking-Token). "
        "Staff: today's queue, check-in, the visit's moves, follow-up visits, statistics, "
        "device tokens; call displays read their feed with `Authorization: Device <token>`. "
        "Errors are JSON: `detail`, `code` and per-field messages in `fields`, in the "
        "language of the Accept-Language header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The waitlist's wishes and offers both have a "state" (wip-waitlist).
    "ENUM_NAME_OVERRIDES": {
        "WishStateEnum": "appointments.models.WishState",
        "OfferStateEnum": "appointments.models.OfferState",
    },
}

AUTHORITY_NAME = _("Ausländerbehörde Wiesbaden")
AUTHORITY_ADDRESS = env.str(
    "AUTHORITY_ADDRESS", default="Alcide-de-Gasperi-Straße 2, 65197 Wiesbaden"
)

# --- Release modes and reconfirmation (issue 16; per-service choices on the backoffice) ---
# Reconfirmation: a second reminder this many hours after the request; unconfirmed this many
# hours before the appointment, the place goes to the waitlist.
RECONFIRMATION_SECOND_REMINDER_HOURS = env.int("RECONFIRMATION_SECOND_REMINDER_HOURS", default=24)
RECONFIRMATION_DEADLINE_HOURS = env.int("RECONFIRMATION_DEADLINE_HOURS", default=24)
# Channels never asked to reconfirm (appointments without an e-mail address never are).
RECONFIRMATION_EXEMPT_CHANNELS = env.list("RECONFIRMATION_EXEMPT_CHANNELS", default=["walk_in"])
CELERY_BEAT_SCHEDULE |= {
    # Allocation mode: newly released days go to the waitlist first (idempotent).
    "release-days": {"task": "appointments.tasks.release_days_to_waitlist", "schedule": 60},
    "reconfirmations": {"task": "appointments.tasks.reconfirmations", "schedule": 5 * 60},
}

# --- Observability: /metrics, JSON logs, /readyz (see README "Metrics" and "Logging") ------
# Who may scrape /metrics: these networks (CIDRs, client address as the rate limits see it)
# or anyone sending "Authorization: Bearer <METRICS_TOKEN>"; everybody else gets 404.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A Celery worker serves its own task metrics on this port (0: off; needs the multiprocess dir).
METRICS_WORKER_PORT = env.int("METRICS_WORKER_PORT", default=0)
# Log lines: JSON (default without DEBUG) or readable console lines (LOG_FORMAT=console); the
# worker keeps this format instead of Celery's own (see wiesbaden_abh/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = logs.logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Probes and scrapers talk plain HTTP inside the cluster network.
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^readyz$", r"^metrics$"]

# --- Running as several instances (issue 19) ------------------------------------------------
# One beat sends (wiesbaden_abh/beat.py): a lease in Redis, renewed every tick; a second beat
# waits. The tick is at most CELERY_BEAT_MAX_INTERVAL seconds, well within the lease.
CELERY_BEAT_SCHEDULER = "wiesbaden_abh.beat:LockedScheduler"
CELERY_BEAT_MAX_INTERVAL = 10
CELERY_BEAT_LOCK_LEASE_SECONDS = env.int("BEAT_LOCK_LEASE_SECONDS", default=30)
