"""The admin, for staff. Lessons and exercises come from the course files (`sync_course`): they are shown, not
edited here, since the next sync would overwrite any change."""
from django.contrib import admin

from attempts.admin import ReadOnlyAdmin
from course.models import Exercise, Lesson, LessonPage

FromTheCourseFiles = ReadOnlyAdmin


@admin.register(Lesson)
class LessonAdmin(FromTheCourseFiles):
    list_display = ["folder", "slug", "order"]


@admin.register(LessonPage)
class LessonPageAdmin(FromTheCourseFiles):
    list_display = ["lesson", "language"]


@admin.register(Exercise)
class ExerciseAdmin(FromTheCourseFiles):
    list_display = ["slug", "lesson", "order"]
    list_filter = ["lesson"]
