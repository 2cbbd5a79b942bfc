from django.urls import path

from . import views

app_name = "development"

urlpatterns = [
    path("units/<str:code>/", views.board, name="board"),
    path("units/<str:code>/new/", views.propose, name="propose"),
    path("units/<str:code>/export.xlsx", views.export, name="export"),
    path("units/<str:code>/import/", views.import_sheet, name="import"),
    path("candidates/<int:pk>/", views.candidate, name="candidate"),
    path("candidates/<int:pk>/steps/<str:kind>/", views.step, name="step"),
    path("candidates/<int:pk>/steps/<int:step_pk>/void/", views.void, name="void"),
    path("candidates/<int:pk>/documents/", views.upload, name="upload"),
    path("candidates/<int:pk>/resolution.docx", views.resolution, name="resolution"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("rules/", views.rule_sets, name="rules"),
    path("rules/new/", views.rule_set_new, name="rule_set_new"),
    path("rules/holidays/", views.holiday_add, name="holiday_add"),
    path("rules/holidays/<int:pk>/remove/", views.holiday_remove, name="holiday_remove"),
]
