from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("units/<str:code>/", views.committee, name="committee"),
    path("units/<str:code>/terms/new/", views.term_new, name="term_new"),
    path("units/<str:code>/posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
    path("posts/<int:pk>/void/", views.post_void, name="post_void"),
    path("terms/<int:pk>/void/", views.term_void, name="term_void"),
    path("units/<str:code>/courses/", views.courses, name="courses"),
    path("units/<str:code>/courses/new/", views.course_new, name="course_new"),
    path("units/<str:code>/standards/", views.gaps, name="gaps"),
    path("units/<str:code>/standards.xlsx", views.gaps_export, name="gaps_export"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("courses/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("courses/<int:pk>/result/", views.result, name="result"),
]
