"""The backoffice start page: the signed-in member's roles and the teams' queues."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from appointments.models import Team

from ..roles import roles_of


@login_required
def dashboard(request):
    return render(
        request,
        "caseworkers/dashboard.html",
        {
            "roles": sorted(roles_of(request.user)),
            "teams": Team.objects.filter(active=True),
        },
    )
