from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "grassroots.cadres"
    verbose_name = "Cán bộ, đào tạo, bồi dưỡng"
