from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "sandan.support"
    label = "support"
