from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "saksham.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from saksham.people import rules  # noqa: F401  (registers permission rules)
