from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Sandbox"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from sandbox.signals import delete_registry_namespace

        pre_delete.connect(delete_registry_namespace, sender=get_user_model(), dispatch_uid="registry-namespace")
