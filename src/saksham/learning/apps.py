from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "saksham.learning"
    label = "learning"
    verbose_name = "Learning"

    def ready(self) -> None:
        from saksham.learning import rules  # noqa: F401  (registers the permission rules)
