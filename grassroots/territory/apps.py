from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "grassroots.territory"
    label = "territory"
