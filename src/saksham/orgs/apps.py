from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "saksham.orgs"
    label = "orgs"
    verbose_name = "Organisations"
