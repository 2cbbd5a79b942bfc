from django.urls import path

from . import change_views, dashboard, picker, territory_views, views

app_name = "web"

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("pick/", picker.pick, name="pick"),
    path("tree/", views.tree, name="tree"),
    path("tree/<str:code>/", views.tree, name="tree_unit"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("units/<str:code>/admit/", change_views.member_admit, name="member_admit"),
    # Villages and population (territory_views) sit before the catch-all "<str:action>/" below,
    # which would otherwise take "villages" and "population" for an organization change.
    path("units/<str:code>/villages/", territory_views.villages, name="villages"),
    path("units/<str:code>/villages/new/", territory_views.village_create, name="village_create"),
    path(
        "units/<str:code>/villages/<str:village>/arrangement/",
        territory_views.village_arrangement,
        name="village_arrangement",
    ),
    path("units/<str:code>/population/", territory_views.population, name="population"),
    path("units/<str:code>/<str:action>/", change_views.unit_change, name="unit_change"),
    path("members/", views.member_search, name="members"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/edit/", change_views.member_edit, name="member_edit"),
    path("members/<int:pk>/events/<str:kind>/", change_views.member_event, name="member_event"),
    path("events/<int:pk>/void/", change_views.event_void, name="event_void"),
    path("events/<int:pk>/correct/", change_views.event_correct, name="event_correct"),
]
