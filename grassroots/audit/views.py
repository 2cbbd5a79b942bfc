"""Administrators' reads of the trail: who opened which member record."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from grassroots.accounts import access


@login_required
def profile_view_list(request):
    views = access.profile_views_visible(request.user)
    page = Paginator(views, 100).get_page(request.GET.get("page"))
    return render(request, "audit/profile_view_list.html", {"page": page})
