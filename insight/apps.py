from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "insight"
    verbose_name = "Insight"

    def ready(self) -> None:
        from attempts.signals import step_missed_cache
        from insight.receivers import explain_cache_miss

        step_missed_cache.connect(explain_cache_miss, dispatch_uid="insight.explain_cache_miss")
