from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "grassroots.meetings"
    verbose_name = "Sinh hoạt chi bộ"
