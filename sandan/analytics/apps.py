from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "sandan.analytics"
    label = "analytics"
