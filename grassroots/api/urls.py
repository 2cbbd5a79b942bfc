"""/api/v1/ (data, token only), /api/schema/ and /api/docs/ (OpenAPI, served by the app), and
/api/tokens/ (the account's own token page, with the session)."""

from django.middleware.http import ConditionalGetMiddleware
from django.urls import path
from django.utils.decorators import decorator_from_middleware
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from grassroots.cadres import api as cadres_api
from grassroots.development import api as development
from grassroots.directives import api as directives_api
from grassroots.inspection import api as inspection
from grassroots.meetings.api import MeetingsSummaryView
from grassroots.plans import api as plans

from . import pages, views

app_name = "api"

# Conditional GET: an ETag over the body; a client sending If-None-Match gets 304 and no body.
conditional = decorator_from_middleware(ConditionalGetMiddleware)


def v1(route: str, view, name: str):
    return path(f"v1/{route}", conditional(view.as_view()), name=name)


urlpatterns = [
    v1("tree/", views.TreeView, "tree"),
    v1("organizations/<str:code>/", views.OrganizationView, "organization"),
    v1("organizations/<str:code>/figures/", views.FiguresView, "figures"),
    v1("organizations/<str:code>/villages/", views.VillagesView, "villages"),
    v1("organizations/<str:code>/population/", views.PopulationView, "population"),
    v1(
        "organizations/<str:code>/assessments/<int:year>/",
        views.AssessmentSummaryView,
        "assessment_summary",
    ),
    v1("organizations/<str:code>/training/", cadres_api.TrainingSummaryView, "training_summary"),
    v1(
        "organizations/<str:code>/cadre-standards/",
        cadres_api.CadreStandardsView,
        "cadre_standards",
    ),
    v1("organizations/<str:code>/development/", development.DevelopmentSummaryView, "development"),
    v1("organizations/<str:code>/candidates/", development.CandidatesView, "candidates"),
    v1(
        "organizations/<str:code>/inspection-summary/",
        inspection.InspectionSummaryView,
        "inspection_summary",
    ),
    v1("organizations/<str:code>/meetings/", MeetingsSummaryView, "meetings_summary"),
    v1("documents/", directives_api.DocumentsView, "documents"),
    v1("documents/<int:pk>/cascade/<str:code>/", directives_api.CascadeView, "cascade"),
    v1("documents/files/<int:pk>/", directives_api.DocumentFileView, "document_file"),
    v1("members/", views.MemberSearchView, "members"),
    v1("members/<int:pk>/", views.MemberView, "member"),
    v1("members/<int:pk>/events/", views.MemberEventsView, "member_events"),
    v1("plans/", plans.PlansView, "plans"),
    v1("plans/<int:pk>/", plans.PlanView, "plan"),
    v1("plans/<int:pk>/check/", plans.PlanCheckView, "plan_check"),
    v1("plans/<int:pk>/preview/", plans.PlanPreviewView, "plan_preview"),
    v1("plans/<int:pk>/apply/", plans.PlanApplyView, "plan_apply"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
