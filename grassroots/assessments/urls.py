from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.round_open, name="open"),
    path("schemes/", views.schemes, name="schemes"),
    path("rounds/<int:pk>/<str:code>/", views.sheet, name="sheet"),
    path("rounds/<int:pk>/<str:code>/save/", views.sheet_save, name="sheet_save"),
    path("rounds/<int:pk>/<str:code>/approve/", views.approve, name="approve"),
    path("rounds/<int:pk>/<str:code>/send-back/", views.send_back, name="send_back"),
    path("rounds/<int:pk>/<str:code>/export.xlsx", views.export, name="export"),
    path("rounds/<int:pk>/<str:code>/import/", views.import_sheet, name="import"),
    path("results/<str:code>/", views.results, name="results"),
    path("results/<str:code>/<int:year>/plan/", views.plan_save, name="plan"),
]
