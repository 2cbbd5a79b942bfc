from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "grassroots.figures"
    label = "figures"
