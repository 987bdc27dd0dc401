"""Capacity screens: teams, opening rules with a slot preview, closures with the affected
appointments before confirming, counters. Role supervisor or administrator."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments import capacity, selectors
from appointments.errors import BookingError
from appointments.models import Closure, Counter, OpeningRule, Team
from appointments.views.errors import add_form_error, errors_as_messages, show_error

from ..forms.capacity import ClosureForm, CounterForm, OpeningRuleForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR

supervisors = role_required(SUPERVISOR, ADMINISTRATOR)


def _page(request, template, context):
    return render(
        request, f"caseworkers/supervision/{template}", {"section": "capacity", **context}
    )


def _to_team(team_id):
    return redirect("caseworkers:supervision:team", team_id=team_id)


@supervisors
def overview(request):
    return _page(
        request,
        "capacity.html",
        {"teams": selectors.teams_overview(), "closures": selectors.coming_closures()},
    )


@supervisors
def team_detail(request, team_id):
    team = get_object_or_404(Team, pk=team_id)
    return _page(
        request,
        "team.html",
        {
            "team": team,
            "rules": team.opening_rules.prefetch_related("services").order_by(
                "weekday", "start_time"
            ),
            "closures": selectors.coming_closures(team=team),
            "counters": team.counters.order_by("number"),
        },
    )


# --- Opening rules -------------------------------------------------------------------------


def _rule_page(request, *, team, rule=None):
    """Preview submits render the slots the rule would produce and who is booked in times it
    no longer offers; Save saves and regenerates, after a confirmation of exactly that list
    (as for closures) when it cancels appointments."""
    form = OpeningRuleForm(
        request.POST if request.method == "POST" else None, instance=rule, team=team
    )
    preview, stranded, checksum = None, [], None
    if request.method == "POST" and form.is_valid():
        if rule is not None:
            stranded = list(capacity.stranded_appointments(rule_id=rule.pk, edited=form.instance))
            checksum = capacity.fingerprint(stranded)
        confirmed = not stranded or request.POST.get("checksum") == checksum
        if request.POST.get("action") == "save" and not confirmed:
            messages.warning(
                request,
                _(
                    "Saving cancels the appointments listed below. Please check the list and "
                    "confirm."
                ),
            )
        elif request.POST.get("action") == "save":
            created = rule is None
            with errors_as_messages(request):
                with transaction.atomic():
                    saved = form.save()
                    result = capacity.rule_saved(rule=saved, created=created, actor=request.user)
                messages.success(
                    request,
                    _("The opening rule is saved and the slots are updated (%(created)d new).")
                    % {"created": result.created},
                )
                if result.cancelled_appointments:
                    messages.info(request, capacity.rule_cancelled_message(result))
                return _to_team(team.pk)
        preview = capacity.preview_rule(rule=form.instance)
    elif request.method != "POST" and rule is not None:
        preview = capacity.preview_rule(rule=rule)
    return _page(
        request,
        "rule_form.html",
        {
            "team": team,
            "rule": rule,
            "form": form,
            "preview": preview,
            "preview_days": capacity.PREVIEW_DAYS,
            "totals": capacity.preview_totals(preview or []),
            "stranded": stranded,
            "checksum": checksum,
        },
    )


@supervisors
def rule_create(request, team_id):
    return _rule_page(request, team=get_object_or_404(Team, pk=team_id))


@supervisors
def rule_edit(request, rule_id):
    rule = get_object_or_404(OpeningRule.objects.select_related("team"), pk=rule_id)
    return _rule_page(request, team=rule.team, rule=rule)


@supervisors
def rule_delete(request, rule_id):
    rule = get_object_or_404(OpeningRule.objects.select_related("team"), pk=rule_id)
    if request.method == "POST":
        with errors_as_messages(request):
            result = capacity.delete_rule(rule_id=rule.pk, actor=request.user)
            messages.success(request, _("The opening rule is deleted and the slots are updated."))
            if result.cancelled_appointments:
                messages.info(request, capacity.rule_cancelled_message(result))
        return _to_team(rule.team_id)
    return _page(
        request,
        "rule_delete.html",
        {"rule": rule, "stranded": list(capacity.stranded_appointments(rule_id=rule.pk))},
    )


# --- Closures ------------------------------------------------------------------------------


@supervisors
def closure_create(request):
    """First submit shows who is affected; the confirmation applies to exactly that list."""
    initial = {}
    team_id = request.GET.get("team", "")
    if team_id.isdigit():
        initial["team"] = Team.objects.filter(pk=team_id).first()
    form = ClosureForm(request.POST if request.method == "POST" else None, initial=initial)
    affected = checksum = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        affected = list(
            capacity.affected_by_closure(team=data["team"], start=data["start"], end=data["end"])
        )
        checksum = capacity.fingerprint(affected)
        if request.POST.get("action") == "confirm":
            if request.POST.get("checksum") != checksum:
                messages.warning(
                    request,
                    _(
                        "The affected appointments have changed in the meantime. Please check "
                        "the list again before confirming."
                    ),
                )
            else:
                try:
                    _closure, cancelled = capacity.create_closure(
                        team=data["team"],
                        start=data["start"],
                        end=data["end"],
                        reason=data["reason"],
                        actor=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                except BookingError as error:
                    show_error(request, error)
                else:
                    messages.success(
                        request,
                        capacity.closure_saved_message(cancelled),
                    )
                    if data["team"]:
                        return _to_team(data["team"].pk)
                    return redirect("caseworkers:supervision:capacity")
    return _page(
        request,
        "closure_form.html",
        {"form": form, "affected": affected, "checksum": checksum},
    )


@supervisors
def closure_delete(request, closure_id):
    closure = get_object_or_404(
        Closure.objects.select_related("team"), pk=closure_id, end__gt=timezone.now()
    )
    if request.method == "POST":
        try:
            capacity.delete_closure(closure_id=closure.pk, actor=request.user)
        except (BookingError, Closure.DoesNotExist):
            messages.error(request, _("This closure has ended or was removed meanwhile."))
        else:
            messages.success(request, _("The closure is removed; its times are open again."))
        if closure.team_id:
            return _to_team(closure.team_id)
        return redirect("caseworkers:supervision:capacity")
    return _page(request, "closure_delete.html", {"closure": closure})


# --- Counters ------------------------------------------------------------------------------


def _counter_page(request, *, team, counter=None):
    form = CounterForm(
        request.POST if request.method == "POST" else None, instance=counter, team=team
    )
    if request.method == "POST" and form.is_valid():
        try:
            capacity.save_counter(
                team=team,
                number=form.cleaned_data["number"],
                active=form.cleaned_data["active"],
                counter_id=counter.pk if counter else None,
                actor=request.user,
            )
        except BookingError as error:
            add_form_error(form, error, field="number")
        else:
            messages.success(request, _("The counter is saved."))
            return _to_team(team.pk)
    return _page(
        request,
        "counter_form.html",
        {"team": team, "counter": counter, "form": form},
    )


@supervisors
def counter_create(request, team_id):
    return _counter_page(request, team=get_object_or_404(Team, pk=team_id))


@supervisors
def counter_edit(request, counter_id):
    counter = get_object_or_404(Counter.objects.select_related("team"), pk=counter_id)
    return _counter_page(request, team=counter.team, counter=counter)


@supervisors
@require_POST
def counter_toggle(request, counter_id):
    counter = get_object_or_404(Counter.objects.select_related("team"), pk=counter_id)
    active = request.POST.get("active") == "1"
    capacity.save_counter(
        team=counter.team,
        number=counter.number,
        active=active,
        counter_id=counter.pk,
        actor=request.user,
    )
    if active:
        messages.success(request, _("Counter %(number)s is active.") % {"number": counter.number})
    else:
        messages.success(request, _("Counter %(number)s is inactive.") % {"number": counter.number})
    return _to_team(counter.team_id)
