from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluatorConfig(AppConfig):
    name = "evaluation.portal.evaluator"
    label = "evaluator"
    verbose_name = _("Evaluator pages")
    default_auto_field = "django.db.models.BigAutoField"
