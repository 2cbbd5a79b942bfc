from django.urls import path

from . import views

app_name = "excel"

urlpatterns = [
    path("", views.index, name="index"),
    path("templates/<str:kind>.xlsx", views.template, name="template"),
    path("import/", views.upload, name="upload"),
    path("import/<int:pk>/", views.job, name="job"),
    path("import/<int:pk>/status.json", views.job_status, name="job_status"),
    path("import/<int:pk>/confirm/", views.job_confirm, name="job_confirm"),
    path("export/<str:what>/", views.export, name="export"),
    path("exports/", views.export_job_create, name="export_job_create"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/status.json", views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export_job_download"),
]
