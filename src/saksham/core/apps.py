from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saksham.core"
    label = "core"
    verbose_name = "Core"
