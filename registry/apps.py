from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Course registry"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from registry.signals import delete_registry_namespace

        pre_delete.connect(delete_registry_namespace, sender=get_user_model(), dispatch_uid="registry-namespace")
