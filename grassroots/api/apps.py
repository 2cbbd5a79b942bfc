from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "grassroots.api"
    label = "api"

    def ready(self) -> None:
        from . import authentication  # noqa: F401  (registers the schema's security scheme)
