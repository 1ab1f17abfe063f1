from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "saksham.learning"
    label = "learning"
    verbose_name = "Learning"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from saksham.learning import rules  # noqa: F401  (registers the permission rules)
        from saksham.learning.karma import on_login

        # Sign-in belongs to the people app; its first one earns karma points through Django's own signal.
        user_logged_in.connect(on_login, dispatch_uid="learning.karma.first_login")
