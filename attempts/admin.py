"""The admin, for staff: attempts (read-only: they are a record), their events, drafts and workers."""
from django.contrib import admin

from attempts.models import Attempt, AttemptEvent, Draft, Worker


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are written by the product, never by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "exercise", "kind", "status", "outcome_kind", "score", "max_score", "created_at"]
    list_filter = ["kind", "status", "outcome_kind"]
    search_fields = ["user__username", "exercise__slug"]
    raw_id_fields = ["user", "exercise"]


@admin.register(AttemptEvent)
class AttemptEventAdmin(ReadOnlyAdmin):
    list_display = ["attempt", "seq"]
    raw_id_fields = ["attempt"]


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["user", "exercise", "updated_at"]
    raw_id_fields = ["user", "exercise"]


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ["name", "engine", "started_at", "heartbeat_at"]
