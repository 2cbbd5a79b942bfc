from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "grassroots.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created

        from .middleware import touch_on_login
        from .text import register_collation

        connection_created.connect(register_collation, dispatch_uid="grassroots.core.text")
        user_logged_in.connect(touch_on_login, dispatch_uid="grassroots.core.touch_on_login")
