from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "grassroots.plans"
    verbose_name = "Kế hoạch sắp xếp tổ chức"
