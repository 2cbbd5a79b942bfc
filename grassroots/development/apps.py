from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "grassroots.development"
    verbose_name = "Phát triển đảng viên"
