"""Backoffice views (staff only)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .roles import roles_of


@login_required
def dashboard(request):
    return render(request, "caseworkers/dashboard.html", {"roles": sorted(roles_of(request.user))})
