from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("units/<str:code>/", views.book, name="book"),
    path("units/<str:code>/new/", views.record, name="record"),
    path("units/<str:code>/export.xlsx", views.export, name="export"),
    path("units/<str:code>/import/", views.import_sheet, name="import"),
    path("units/<str:code>/quality/<int:year>/<int:month>/", views.quality, name="quality"),
    path("<int:pk>/", views.meeting, name="meeting"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/minutes.<str:fmt>", views.minutes, name="minutes"),
]
