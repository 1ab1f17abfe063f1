from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "saksham.web"
    label = "web"
    verbose_name = "Web"
