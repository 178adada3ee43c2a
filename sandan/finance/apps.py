from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "sandan.finance"
    label = "finance"
