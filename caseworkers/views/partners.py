"""Partner keys of counselling offices, for supervisors: create one (the key is shown once),
switch it off or on. Holds from a partner's shared address may exceed the address limit."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from appointments import protection
from appointments.models import PartnerKey

from ..forms.partners import PartnerKeyForm
from ..permissions import role_required
from ..roles import ADMINISTRATOR, SUPERVISOR


def _page(request, context, status=200):
    return render(
        request,
        "caseworkers/supervision/partners.html",
        {
            "section": "partners",
            "partners": PartnerKey.objects.select_related("created_by"),
            "address_limit": settings.RATE_LIMIT_HOLDS_PER_IP_HOUR,
            **context,
        },
        status=status,
    )


@role_required(SUPERVISOR, ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def partner_list(request):
    form = PartnerKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        partner, key = protection.create_partner_key(
            organisation=form.cleaned_data["organisation"],
            limit=form.cleaned_data["limit"],
            actor=request.user,
        )
        # Shown on this answer only: the database keeps the key's hash.
        return _page(request, {"form": PartnerKeyForm(), "created": partner, "key": key})
    return _page(request, {"form": form}, status=400 if form.errors else 200)


@role_required(SUPERVISOR, ADMINISTRATOR)
@require_POST
def partner_toggle(request, partner_id):
    partner = get_object_or_404(PartnerKey, pk=partner_id)
    partner = protection.set_partner_key_active(
        partner_id=partner.pk, active=not partner.active, actor=request.user
    )
    if partner.active:
        messages.success(request, _("The partner key works again."))
    else:
        messages.success(request, _("The partner key no longer works."))
    return redirect("caseworkers:supervision:partners")
