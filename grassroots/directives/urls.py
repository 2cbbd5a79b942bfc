from django.urls import path

from . import views

app_name = "directives"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/<str:code>/", views.inbox, name="inbox"),
    path("units/<str:code>/new/", views.register, name="register"),
    path("units/<str:code>/export.xlsx", views.export, name="export"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/files/", views.upload, name="upload"),
    path("documents/<int:pk>/studies/", views.study, name="study"),
    path("documents/<int:pk>/cascade/<str:code>/", views.cascade, name="cascade"),
    path("files/<int:pk>/", views.download, name="download"),
]
