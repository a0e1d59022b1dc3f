"""Development and ``peer-eval portal`` on localhost: plain HTTP on 127.0.0.1."""

from .base import *  # noqa: F401,F403
from .base import read_secret_key

DEBUG = False  # tracebacks never reach a page, even here
SECRET_KEY = read_secret_key(create=True)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

# static files straight from the apps' folders (no collectstatic needed on localhost)
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise looks for it)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
