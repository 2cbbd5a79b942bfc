from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "grassroots.directives"
    verbose_name = "Văn bản chỉ đạo, học tập và thực hiện"
