"""Supervisor screens for proactive invitations: upload with a dry-run report, import,
allocate (with progress), send, batch list with counts per state, rows, CSV export, letters.
Role supervisor or administrator."""

import base64
import binascii
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import outage
from appointments.errors import ImportRefused
from appointments.invitations import allocation, csv_import, letters, reports, sending
from appointments.invitations.allocation import window_weeks
from appointments.models import InvitationBatch, InvitationState, InvitationWindow, Service
from appointments.protection import CACHE_ERRORS
from appointments.views.errors import show_error

from ..audit import EXPORTED, VIEWED, log_personal_data_access
from ..forms.common import plausible_id
from ..forms.invitations import ServiceForm, UploadForm, WindowForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR

supervisors = role_required(SUPERVISOR, ADMINISTRATOR)
# A checked file waits this long for the supervisor's "import" (cache: Redis in production;
# while the cache is down, the supervisor's own session in the database).
CHECKED_FILE_SECONDS = 3600
CHECKED_PREFIX = "invitation-upload:"
ROWS_PER_PAGE = 100


def _page(request, template, context, status=200):
    return render(
        request,
        f"caseworkers/invitations/{template}",
        {"page_name": template.removesuffix(".html"), **context},
        status=status,
    )


def _keep_checked(request, key, name, data):
    """Keep a checked file for the import: in the cache, or in the session while the cache is
    unreachable (appointments.outage: one warning per pause, no 500)."""
    if not outage.CACHE.active():
        try:
            cache.set(CHECKED_PREFIX + key, (name, data), CHECKED_FILE_SECONDS)
            request.session[CHECKED_PREFIX + key] = True
            return
        except CACHE_ERRORS as error:
            outage.CACHE.start(error)
    request.session[CHECKED_PREFIX + key] = {
        "name": name,
        "data": base64.b64encode(data).decode("ascii"),
        "until": timezone.now().timestamp() + CHECKED_FILE_SECONDS,
    }


def _checked(request, key):
    """(name, data) of a file this session checked, or None (unknown, expired or lost)."""
    marker = request.session.get(CHECKED_PREFIX + key) if key else None
    if isinstance(marker, dict):
        if marker.get("until", 0) < timezone.now().timestamp():
            return None
        try:
            return marker["name"], base64.b64decode(marker["data"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            return None
    if marker is not True or outage.CACHE.active():
        return None
    try:
        return cache.get(CHECKED_PREFIX + key)
    except CACHE_ERRORS as error:
        outage.CACHE.start(error)
        return None


def _forget_checked(request, key):
    if request.session.pop(CHECKED_PREFIX + key, None) is True and not outage.CACHE.active():
        try:
            cache.delete(CHECKED_PREFIX + key)
        except CACHE_ERRORS as error:
            outage.CACHE.start(error)  # it expires by itself


@supervisors
def batch_list(request):
    batches = list(reports.batches())
    for batch in batches:
        batch.counts = reports.counts_of(batch)
    return _page(
        request,
        "batches.html",
        {"batches": batches, "states": [(s.value, s.label) for s in reports.STATE_ORDER]},
    )


@supervisors
@require_http_methods(["GET", "POST"])
def upload(request):
    """Check an uploaded file (dry run, nothing written) and show the report per row."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        data = uploaded.read(csv_import.MAX_BYTES + 1)  # more is refused as too large
        report = csv_import.check(data)
        key = ""
        if report.importable:
            key = secrets.token_urlsafe(16)
            _keep_checked(request, key, uploaded.name, data)
        return _page(
            request,
            "report.html",
            {"report": report, "key": key, "name": uploaded.name},
            status=200 if not report.problem else 400,
        )
    return _page(request, "upload.html", {"form": form}, status=400 if form.errors else 200)


@supervisors
@require_POST
def import_checked(request):
    """Import a file checked before: all rows, or only the valid ones."""
    key = request.POST.get("key", "")
    stored = _checked(request, key)
    if stored is None:
        messages.error(
            request, _("The checked file is no longer available. Please upload it again.")
        )
        return redirect("caseworkers:invitations:upload")
    name, data = stored
    report = csv_import.check(data)  # again: the database may have changed meanwhile
    try:
        batch = csv_import.import_checked(
            report=report,
            source_name=name,
            only_valid=request.POST.get("only_valid") == "1",
            offer_earliest=request.POST.get("offer_earliest") == "1",
            actor=request.user,
        )
    except ImportRefused as error:
        show_error(request, error)
        return _page(request, "report.html", {"report": report, "key": key, "name": name}, 400)
    _forget_checked(request, key)
    if batch is None:
        messages.info(request, _("All rows of this file were imported before: nothing changed."))
        return redirect("caseworkers:invitations:batches")
    messages.success(
        request,
        _("%(count)d invitees imported. Next: allocate appointments.")
        % {"count": batch.invitations.count()},
    )
    return redirect("caseworkers:invitations:batch", batch_id=batch.pk)


def _batch_or_404(batch_id):
    batch = reports.batch(batch_id)
    if batch is None:
        raise Http404
    return batch


@supervisors
def batch_detail(request, batch_id):
    batch = _batch_or_404(batch_id)
    state = request.GET.get("state", "")
    if state and state not in InvitationState.values:
        state = ""
    page = Paginator(reports.rows(batch.pk, state=state or None), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    log_personal_data_access(
        request=request, appointment=None, what=VIEWED, batch=batch.pk, rows=len(page.object_list)
    )
    return _page(
        request,
        "batch.html",
        {
            "batch": batch,
            "counts": reports.counts_of(batch),
            "state": state,
            "state_label": InvitationState(state).label if state else "",
            "page": page,
            "letter_parts": _parts(letters.letter_invitations(batch).count()),
            "reminder_parts": _parts(letters.letter_invitations(batch, reminder=True).count()),
        },
    )


def _parts(count):
    """[(part, first, last), …]: the letters in PDFs of at most PER_PDF each."""
    return [
        (n + 1, start + 1, min(start + letters.PER_PDF, count))
        for n, start in enumerate(range(0, count, letters.PER_PDF))
    ]


@supervisors
def progress(request, batch_id):
    """The allocation's progress (a fragment the batch page refreshes)."""
    return render(
        request,
        "caseworkers/invitations/partials/progress.html",
        {"batch": get_object_or_404(InvitationBatch, pk=batch_id)},
    )


@supervisors
@require_POST
def allocate(request, batch_id):
    batch = get_object_or_404(InvitationBatch, pk=batch_id)
    with transaction.atomic():
        allocation.request_allocation(batch_id=batch.pk, actor=request.user)
    messages.success(request, _("Allocation has started. The counts below show its progress."))
    return redirect("caseworkers:invitations:batch", batch_id=batch.pk)


@supervisors
@require_POST
def send(request, batch_id):
    batch = get_object_or_404(InvitationBatch, pk=batch_id)
    with transaction.atomic():
        sending.request_sending(batch_id=batch.pk, actor=request.user)
    messages.success(
        request,
        _("The invitations are being sent: e-mails now, letters in the PDF below."),
    )
    return redirect("caseworkers:invitations:batch", batch_id=batch.pk)


@supervisors
def export(request, batch_id):
    batch = get_object_or_404(InvitationBatch, pk=batch_id)
    log_personal_data_access(
        request=request,
        appointment=None,
        what=EXPORTED,
        batch=batch.pk,
        count=batch.invitations.count(),
    )
    response = StreamingHttpResponse(
        reports.export_lines(batch.pk), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="einladungen-{batch.pk}-{stamp}.csv"'
    return response


@supervisors
def letters_pdf(request, batch_id):
    batch = get_object_or_404(InvitationBatch, pk=batch_id)
    reminder = request.GET.get("kind") == "reminder"
    # a part past the last one (or no number at all) finds no letters: the message below
    part = request.GET.get("part", "1")
    part = max(int(part), 1) if plausible_id(part) and len(part) <= 6 else 1
    start = (part - 1) * letters.PER_PDF
    rows = list(
        letters.letter_invitations(batch, reminder=reminder)[start : start + letters.PER_PDF]
    )
    if not rows:
        messages.info(request, _("There are no letters to print in this batch."))
        return redirect("caseworkers:invitations:batch", batch_id=batch.pk)
    log_personal_data_access(
        request=request, appointment=None, what=EXPORTED, batch=batch.pk, count=len(rows)
    )
    name = f"{'erinnerungen' if reminder else 'einladungen'}-{batch.pk}-{part}"
    response = HttpResponse(letters.letters_pdf(rows, reminder=reminder), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@supervisors
@require_http_methods(["GET", "POST"])
def windows(request):
    """The target window before expiry per service (else the default from the settings)."""
    services = list(Service.objects.filter(active=True))
    own = {window.service_id: window for window in InvitationWindow.objects.all()}
    failed = {}
    chosen = ServiceForm(request.POST) if request.method == "POST" else None
    if chosen is not None and not chosen.is_valid():
        messages.error(request, _("Please choose a concern."))
        failed[None] = chosen
    elif chosen is not None:
        service = chosen.cleaned_data["service"]
        if request.POST.get("action") == "default":
            InvitationWindow.objects.filter(service=service).delete()
            messages.success(
                request,
                _("%(service)s uses the default window.") % {"service": service.localized_name},
            )
            return redirect("caseworkers:invitations:windows")
        form = WindowForm(request.POST, prefix=f"s{service.pk}")
        if form.is_valid():
            InvitationWindow.objects.update_or_create(service=service, defaults=form.cleaned_data)
            messages.success(
                request,
                _("The window of %(service)s is saved.") % {"service": service.localized_name},
            )
            return redirect("caseworkers:invitations:windows")
        failed[service.pk] = form
    rows = []
    for service in services:
        weeks_from, weeks_until = window_weeks(service, own)
        form = failed.get(service.pk) or WindowForm(
            prefix=f"s{service.pk}",
            initial={"weeks_before_from": weeks_from, "weeks_before_until": weeks_until},
        )
        rows.append({"service": service, "form": form, "own": service.pk in own})
    return _page(request, "windows.html", {"rows": rows}, status=400 if failed else 200)
