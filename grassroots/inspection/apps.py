from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "grassroots.inspection"
    verbose_name = "Kiểm tra, giám sát, kỷ luật"
