from django.apps import AppConfig


class ExcelConfig(AppConfig):
    name = "grassroots.excel"
    label = "excel"
