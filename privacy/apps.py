from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """A person's own data: the export and the deletion. The top layer: it reads every app."""

    name = "privacy"
    verbose_name = "Privacy"
