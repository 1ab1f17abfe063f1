from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "saksham.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from saksham.people import auditlog, rules  # noqa: F401  (permission rules; sign-ins into the audit log)
