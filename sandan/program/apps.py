from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "sandan.program"
    label = "program"
