from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "saksham.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from saksham.credentials import rules  # noqa: F401  (registers the permission rules)
