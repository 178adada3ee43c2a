from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sandan.core"
    label = "core"
    verbose_name = "Core"
