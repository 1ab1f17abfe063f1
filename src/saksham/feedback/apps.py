from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "saksham.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from saksham.feedback import rules  # noqa: F401  (registers the permission rules)
