from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("upload/", views.plan_upload, name="upload"),
    path("<int:pk>/", views.plan_page, name="plan"),
    path("<int:pk>/changes/", views.plan_add, name="add"),
    path("<int:pk>/changes/<int:change_pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/changes/<int:change_pk>/void/", views.plan_void, name="void"),
    path("<int:pk>/apply/", views.plan_apply, name="apply"),
    path("<int:pk>/preview.xlsx", views.plan_preview_xlsx, name="preview_xlsx"),
]
