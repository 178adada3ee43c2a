from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "sandan.outreach"
    label = "outreach"
