"""Settings for the benchmark's floor: the same database, no middleware, no auth.

`bench/registry.py` serves these next to the real app to measure what a bare Django list
costs on this machine, so that the app's figures can be read as ratios to it.
"""

from config import settings as app_settings
from config.settings import *  # noqa: F403

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floor_urls"
INSTALLED_APPS = [
    app for app in app_settings.INSTALLED_APPS if app not in {"axes", "django.contrib.admin"}
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
