from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from grassroots.ops.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("grassroots.api.urls")),
    path("accounts/", include("grassroots.accounts.urls")),
    path("excel/", include("grassroots.excel.urls")),
    path("assessments/", include("grassroots.assessments.urls")),
    path("reports/", include("grassroots.reports.urls")),
    path("development/", include("grassroots.development.urls")),
    path("directives/", include("grassroots.directives.urls")),
    path("inspection/", include("grassroots.inspection.urls")),
    path("cadres/", include("grassroots.cadres.urls")),
    path("meetings/", include("grassroots.meetings.urls")),
    path("plans/", include("grassroots.plans.urls")),
    path("", include("grassroots.web.auth_urls")),
    path("", include("grassroots.web.urls")),
]

handler400 = "grassroots.web.errors.bad_request"
handler403 = "grassroots.web.errors.permission_denied"
handler404 = "grassroots.web.errors.page_not_found"
handler500 = "grassroots.web.errors.server_error"
