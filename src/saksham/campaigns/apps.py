from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "saksham.campaigns"
    label = "campaigns"
    verbose_name = "Learning weeks"

    def ready(self) -> None:
        from saksham.campaigns import rules  # noqa: F401  (registers the permission rules)
