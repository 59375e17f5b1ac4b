"""The admin, for staff: who has a registry password (its hash is never shown)."""
from django.contrib import admin

from registry.models import RegistryPassword


@admin.register(RegistryPassword)
class RegistryPasswordAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # a learner rotates their own: the admin would have no way to tell it to them
