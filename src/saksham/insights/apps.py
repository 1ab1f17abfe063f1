from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "saksham.insights"
    label = "insights"
    verbose_name = "Insights"
