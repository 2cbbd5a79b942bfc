from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "grassroots.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .text import register_collation

        connection_created.connect(register_collation, dispatch_uid="grassroots.core.text")
