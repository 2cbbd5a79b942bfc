from django.urls import path, register_converter

from . import views


class DocumentFormat:
    regex = "docx|pdf"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(DocumentFormat, "docfmt")

app_name = "inspection"

urlpatterns = [
    path("units/<str:code>/", views.unit, name="unit"),
    path("units/<str:code>/export/", views.export, name="export"),
    path("units/<str:code>/import/", views.import_sheet, name="import"),
    path("units/<str:code>/programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("programmes/<int:pk>/items/new/", views.programme_item_new, name="programme_item_new"),
    path("units/<str:code>/cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/conclude/", views.case_conclude, name="conclude"),
    path(
        "cases/<int:pk>/recommendations/new/", views.recommendation_new, name="recommendation_new"
    ),
    path("cases/<int:pk>/decisions/new/", views.decision_new, name="decision_new"),
    path("cases/<int:pk>/scans/", views.scan_upload, name="scan_upload"),
    path("cases/<int:pk>/conclusion.<docfmt:fmt>", views.case_document, name="case_document"),
    path("cases/<int:pk>/suspensions/new/", views.suspension_new, name="suspension_new"),
    path("suspensions/<int:pk>/", views.suspension, name="suspension"),
    path("suspensions/<int:pk>/extend/", views.suspension_extend, name="suspension_extend"),
    path("suspensions/<int:pk>/lift/", views.suspension_lift, name="suspension_lift"),
    path("recommendations/<int:pk>/", views.recommendation, name="recommendation"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("decisions/<int:pk>/appeal/", views.appeal_new, name="appeal_new"),
    path(
        "decisions/<int:pk>/decision.<docfmt:fmt>",
        views.decision_document,
        name="decision_document",
    ),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("scans/<int:pk>/", views.scan, name="scan"),
]
