from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sandan.api"
    label = "api"
