from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saksham.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from saksham.core import checks  # noqa: F401 - registers the system checks of the hook points
