from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "sandan.councils"
    label = "councils"
