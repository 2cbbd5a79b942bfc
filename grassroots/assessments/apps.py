from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "grassroots.assessments"
    label = "assessments"
