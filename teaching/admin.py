"""The admin, for staff: every model of the classes."""
from django.contrib import admin

from teaching.models import Classroom, Deadline, Enrollment, Extension, RegradeRun


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    raw_id_fields = ["learner"]


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ["name", "invite_code", "invite_expires_at", "created_at"]
    search_fields = ["name", "invite_code", "instructors__username"]
    filter_horizontal = ["instructors"]
    inlines = [EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["classroom", "learner", "joined_at"]
    list_filter = ["classroom"]
    search_fields = ["learner__username"]
    raw_id_fields = ["learner"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ["classroom", "lesson", "exercise", "due_at"]
    list_filter = ["classroom"]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["classroom", "learner", "exercise", "due_at"]
    list_filter = ["classroom"]
    raw_id_fields = ["learner"]


@admin.register(RegradeRun)
class RegradeRunAdmin(admin.ModelAdmin):
    list_display = ["classroom", "exercise", "version", "created_by", "created_at", "applied_at"]
    list_filter = ["classroom"]
