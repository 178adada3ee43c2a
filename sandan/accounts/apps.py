from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sandan.accounts"
    label = "accounts"
