from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "saksham.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from saksham.catalog import rules  # noqa: F401  (registers the permission rules)
