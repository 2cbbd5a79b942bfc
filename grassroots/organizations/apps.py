from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "grassroots.organizations"
    label = "organizations"
