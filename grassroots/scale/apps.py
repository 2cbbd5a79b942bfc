from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "grassroots.scale"
    label = "scale"
