from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`sandan load_demo`): the top floor, above every domain app; no models."""

    name = "sandan.demo"
    label = "demo"
