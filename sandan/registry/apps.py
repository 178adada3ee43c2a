from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "sandan.registry"
    label = "registry"
