from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "grassroots.ops"
    label = "ops"
