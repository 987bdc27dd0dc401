"""Reading and checking the CSV export of expiring permits, and importing the good rows.

Validation runs first and writes nothing: a report per row. Import then writes all rows (only
when every row is valid) or only the valid ones, as the supervisor chooses. Re-importing the
same export changes nothing: a row is known by file number and expiry date.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from ..audit import log_event
from ..errors import ImportRefused, InvalidName
from ..models import Invitation, InvitationBatch, InvitationWindow, Service
from ..name_policy import check_surname, clean_name
from .csv_columns import (
    COLUMN_LABELS,
    COLUMNS,
    LANGUAGE_NAMES,
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED,
    SALUTATIONS,
    _date,
    _wrongly_delimited,
)
from .windows import target_window


@dataclass
class Row:
    number: int
    file_number: str
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    already_imported: bool = False
    # The permit expires before its earliest possible invitation window (see `late`).
    late: bool = False

    @property
    def valid(self):
        return not self.errors


@dataclass
class Report:
    """The outcome of checking a file; `problem` is a reason no row can be read at all."""

    rows: list = field(default_factory=list)
    problem: str = ""
    encoding: str = ""
    delimiter: str = ""
    # (row number, row number of the first copy): exact duplicates, kept once.
    duplicates: list = field(default_factory=list)

    @property
    def invalid(self):
        return [row for row in self.rows if not row.valid]

    @property
    def new(self):
        return [row for row in self.rows if row.valid and not row.already_imported]

    @property
    def already_imported(self):
        return [row for row in self.rows if row.valid and row.already_imported]

    @property
    def noted(self):
        return [row for row in self.rows if row.errors or row.warnings]

    @property
    def late(self):
        return [row for row in self.rows if row.valid and row.late]

    @property
    def importable(self):
        return not self.problem and bool(self.new)


def _header_key(text):
    text = " ".join(text.replace("\ufeff", "").replace("_", " ").strip().lower().split())
    for key, spellings in COLUMNS.items():
        if text in spellings or text == key.replace("_", " "):
            return key
    return None


def _decode(data):
    if not data.strip():
        raise ImportRefused(_("The file is empty."))
    if b"\x00" in data[:8192]:
        raise ImportRefused(_("This is not a CSV file (it contains binary data)."))
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise ImportRefused(
            _("The file could not be read: please save it as CSV in UTF-8 or Windows-1252.")
        ) from None


def _delimiter(text):
    """The delimiter (";" or ",") that splits the header line into the most known columns."""
    header = next((line for line in text.splitlines() if line.strip()), "")

    def score(delimiter):
        cells = next(csv.reader([header], delimiter=delimiter))
        return (sum(1 for cell in cells if _header_key(cell)), len(cells))

    return max((";", ","), key=score)


class _Countries:
    """Nationality as ISO code (alpha-2 or alpha-3) or country name in German or English."""

    def __init__(self):
        self.by_name = {}
        self.codes = {code for code, _name in countries}
        for language in ("en", "de"):
            with translation.override(language):
                for code, name in countries:
                    self.by_name.setdefault(str(name).lower(), code)

    def get(self, value):
        value = value.strip()
        upper = value.upper()
        if len(upper) == 2 and upper in self.codes:
            return upper
        if len(upper) == 3 and value.isalpha() and countries.alpha2(upper):
            return countries.alpha2(upper)
        return self.by_name.get(value.lower()) if value else None


def _language(value):
    value = value.strip().lower()
    for code, names in LANGUAGE_NAMES.items():
        if value in names:
            return code
    return None


class _Services:
    """Active services by slug or name (German or any translation), case-insensitive."""

    def __init__(self):
        self.by_key = {}
        for service in Service.objects.filter(active=True):
            names = [service.slug, service.name, *(service.name_translations or {}).values()]
            for name in names:
                self.by_key.setdefault(" ".join(str(name).lower().split()), service)

    def get(self, value):
        return self.by_key.get(" ".join(value.lower().split()))


def _check_row(number, raw, services, nations, today):
    get = {key: " ".join((raw.get(key) or "").split()) for key in COLUMNS}
    row = Row(number=number, file_number=get["file_number"])
    errors = row.errors
    for key in ("file_number", "surname", "given_names"):
        if not get[key]:
            errors.append(_("%(column)s is missing.") % {"column": COLUMN_LABELS[key]})
    names_valid = True
    for key in ("surname", "given_names"):
        try:
            get[key] = clean_name(get[key]) if get[key] else ""
        except InvalidName as error:
            names_valid = False
            errors.append(f"{COLUMN_LABELS[key]}: {error.message}")
    if get["surname"] and names_valid:
        try:
            get["surname"], get["surname_latin"] = check_surname(
                get["surname"], get["surname_latin"]
            )
        except InvalidName as error:
            errors.append(f"{COLUMN_LABELS['surname_latin']}: {error.message}")
    birth = _date(get["date_of_birth"])
    if birth is None or birth > today or birth.year < 1900:
        errors.append(
            _("Bad date of birth “%(value)s” (use DD.MM.YYYY).") % {"value": get["date_of_birth"]}
        )
    expiry = _date(get["expiry_date"])
    if expiry is None:
        errors.append(
            _("Bad expiry date “%(value)s” (use DD.MM.YYYY).") % {"value": get["expiry_date"]}
        )
    elif expiry < today:
        errors.append(
            _("The permit has already expired (%(date)s).") % {"date": expiry.strftime("%d.%m.%Y")}
        )
    nationality = nations.get(get["nationality"])
    if nationality is None:
        errors.append(_("Unknown nationality “%(value)s”.") % {"value": get["nationality"]})
    service = services.get(get["service"]) if get["service"] else None
    if service is None:
        errors.append(_("Unknown service “%(value)s”.") % {"value": get["service"]})
    email = get["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("Invalid e-mail address “%(value)s”.") % {"value": email})
    # Addresses keep their line breaks (or "|" as one), for the letter's address field.
    address_lines = re.split(r"[\r\n|]+", raw.get("postal_address") or "")
    address = "\n".join(" ".join(line.split()) for line in address_lines if line.strip())
    if not email and not address:
        errors.append(_("No contact: neither an e-mail address nor a postal address."))
    salutation = SALUTATIONS.get(get["salutation"].lower(), "") if get["salutation"] else ""
    if get["salutation"] and not salutation:
        row.warnings.append(
            _(
                "Unknown salutation “%(value)s” (use Frau, Herr or leave empty): "
                "“Guten Tag” is used."
            )
            % {"value": get["salutation"]}
        )
    language = _language(get["language"]) if get["language"] else "de"
    if language is None:
        row.warnings.append(
            _("Unknown language “%(value)s”: German is used.") % {"value": get["language"]}
        )
        language = "de"
    row.values = {
        "row_number": number,
        "file_number": get["file_number"][:40],
        "surname": get["surname"][:100],
        "surname_latin": get["surname_latin"][:100],
        "given_names": get["given_names"][:150],
        "salutation": salutation,
        "date_of_birth": birth,
        "nationality": nationality,
        "email": email,
        "postal_address": address[:1000],
        "language": language,
        "permit_type": get["permit_type"][:100],
        "expiry_date": expiry,
        "service": service,
    }
    return row


def check(data, *, now=None):
    """Read and check a CSV export (bytes); writes nothing. Returns a Report."""
    today = timezone.localdate(now or timezone.now())
    report = Report()
    try:
        if len(data) > MAX_BYTES:
            raise ImportRefused(_("The file is too large (at most 20 MB)."))
        text, report.encoding = _decode(data)
        report.delimiter = _delimiter(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=report.delimiter)
        header = next(reader, [])
        keys = [_header_key(cell) for cell in header]
        missing = [key for key in REQUIRED if key not in keys]
        if "email" not in keys and "postal_address" not in keys:
            missing.append("email")
        if missing:
            raise ImportRefused(
                _("Required columns are missing: %(missing)s. Found: %(found)s.")
                % {
                    "missing": ", ".join(str(COLUMN_LABELS[key]) for key in missing),
                    "found": ", ".join(cell.strip() for cell in header if cell.strip()) or "–",
                }
            )
        services, nations, seen = _Services(), _Countries(), {}
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(report.rows) >= MAX_ROWS:
                raise ImportRefused(_("Too many rows (at most 20,000 per file)."))
            same = tuple(" ".join(cell.split()) for cell in cells)
            if same in seen:
                report.duplicates.append((reader.line_num, seen[same]))
                continue
            seen[same] = reader.line_num
            if _wrongly_delimited(cells, keys, report.delimiter):
                report.rows.append(_wrong_delimiter_row(reader.line_num, report.delimiter))
                continue
            raw = {key: cell for key, cell in zip(keys, cells, strict=False) if key}
            report.rows.append(_check_row(reader.line_num, raw, services, nations, today))
    except csv.Error as error:
        report.problem = _("The file is not valid CSV: %(error)s") % {"error": error}
    except ImportRefused as error:
        report.problem = str(error.message)
    if not report.problem and not report.rows:
        report.problem = _("The file has a header but no rows.")
    _mark_duplicates(report.rows)
    _mark_known(report.rows)
    _mark_late(report.rows, today)
    return report


def _wrong_delimiter_row(number, delimiter):
    other = "," if delimiter == ";" else ";"
    row = Row(number=number, file_number="")
    row.errors.append(
        _("Wrong delimiter: this line is separated by “%(found)s”, the file by “%(expected)s”.")
        % {"found": other, "expected": delimiter}
    )
    return row


def _mark_late(rows, today):
    """Rows whose permit expires before the earliest possible invitation window ends."""
    windows = {window.service_id: window for window in InvitationWindow.objects.all()}
    for row in rows:
        if row.valid:
            first, last = target_window(
                expiry_date=row.values["expiry_date"],
                service=row.values["service"],
                today=today,
                windows=windows,
            )
            row.late = first > last


def _mark_duplicates(rows):
    seen = {}
    for row in rows:
        if row.file_number:
            seen.setdefault(row.file_number.lower(), []).append(row)
    for same in seen.values():
        if len(same) > 1:
            numbers = ", ".join(str(row.number) for row in same)
            for row in same:
                row.errors.append(
                    _("The file number appears more than once (rows %(rows)s).") % {"rows": numbers}
                )


def _mark_known(rows):
    """Rows whose file number and expiry date were imported before (idempotent re-import)."""
    candidates = [row for row in rows if row.valid]
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        known = set(
            Invitation.objects.filter(
                file_number__in=[row.file_number for row in chunk]
            ).values_list("file_number", "expiry_date")
        )
        for row in chunk:
            row.already_imported = (row.file_number, row.values["expiry_date"]) in known


@transaction.atomic
def import_checked(
    *, report, source_name, only_valid=False, offer_earliest=False, actor=None, now=None
):
    """Write the new valid rows of a checked file as one batch; returns it (None: no new rows).

    Refused when the file has a problem, or has invalid rows and `only_valid` is not chosen.
    `offer_earliest`: rows whose permit expires before their window get the earliest free time.
    """
    now = now or timezone.now()
    if report.problem:
        raise ImportRefused(report.problem)
    if report.invalid and not only_valid:
        raise ImportRefused(
            _("%(count)d rows have errors: correct them, or choose to import only the valid rows.")
            % {"count": len(report.invalid)}
        )
    if not report.new:
        return None
    skipped = (
        [
            {
                "row": row.number,
                "file_number": row.file_number,
                "errors": [str(e) for e in row.errors],
            }
            for row in report.invalid
        ]
        + [
            {"row": row.number, "file_number": row.file_number, "errors": [_("imported before")]}
            for row in report.already_imported
        ]
        + [
            {
                "row": number,
                "file_number": "",
                "errors": [_("exact copy of row %(row)d") % {"row": first}],
            }
            for number, first in report.duplicates
        ]
    )
    batch = InvitationBatch.objects.create(
        source_name=source_name[:200],
        created_at=now,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        rows_in_file=len(report.rows) + len(report.duplicates),
        skipped=skipped,
        offer_earliest=offer_earliest,
    )
    Invitation.objects.bulk_create(
        [Invitation(batch=batch, imported_at=now, **row.values) for row in report.new],
        batch_size=1000,
        ignore_conflicts=True,  # imported concurrently by someone else: stays once
    )
    log_event(
        action="invitation.batch_imported",
        actor=actor,
        at=now,
        batch=batch.pk,
        rows=batch.invitations.count(),
        skipped=len(skipped),
    )
    return batch
