from django.apps import AppConfig


class LegalityConfig(AppConfig):
    name = "legality"
    verbose_name = "Legality"
    default_auto_field = "django.db.models.BigAutoField"
