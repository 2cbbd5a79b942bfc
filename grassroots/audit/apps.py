from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "grassroots.audit"
    label = "audit"

    def ready(self) -> None:
        from . import guards  # noqa: F401
