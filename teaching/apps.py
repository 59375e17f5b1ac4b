from django.apps import AppConfig


class TeachingConfig(AppConfig):
    name = "teaching"
    verbose_name = "Teaching"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from attempts.models import AttemptEvent
        from teaching.live import announce_to_classes

        post_save.connect(announce_to_classes, sender=AttemptEvent, dispatch_uid="teaching.announce_to_classes")
