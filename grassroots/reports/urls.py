from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("review/", views.review, name="review"),
    path("jobs/", views.job_create, name="job_create"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("statistics/", views.statistics, name="statistics"),
]
