"""The forms instructors and learners fill in: a class, its invitation, co-instructors, deadlines, extensions,
and a learner's invite code. Times are read in the site's time zone (UTC)."""
from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from course.models import Exercise, Lesson
from teaching.models import Classroom
from teaching.roles import TEACH


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


def due_field(required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(label=_("Due (UTC)"), required=required, widget=DateTimeInput())


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name"]
        labels = {"name": _("Name of the class")}


class ClassForm(forms.Form):
    """A form of a class's settings page: made for its class, which some of them choose among."""

    def __init__(self, classroom: Classroom, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.classroom = classroom


class JoinForm(forms.Form):
    code = forms.CharField(label=_("Invite code"), max_length=20)


class InviteForm(ClassForm):
    expires_at = forms.DateTimeField(label=_("Expires (UTC, optional)"), required=False, widget=DateTimeInput())


class CoInstructorForm(ClassForm):
    username = forms.CharField(label=_("User name of the co-instructor"), max_length=150)

    def clean_username(self) -> User:
        user = User.objects.filter(username=self.cleaned_data["username"]).first()
        if user is None or not user.has_perm(TEACH):
            raise ValidationError(_("There is no instructor of that name."), code="not_instructor")
        return user


def deadline_choices() -> list[tuple[str, str]]:
    lessons = [(f"lesson:{lesson.id}", _("Lesson: {title}").format(title=lesson.localized_title()))
               for lesson in Lesson.objects.all()]
    exercises = [(f"exercise:{exercise.id}", _("Exercise: {title}").format(title=exercise.localized_title()))
                 for exercise in Exercise.objects.visible()]
    return lessons + exercises


class DeadlineForm(ClassForm):
    target = forms.ChoiceField(label=_("For"))
    due_at = due_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = deadline_choices()

    @staticmethod
    def target_fields(data: dict) -> dict:
        """{"lesson_id": ...} or {"exercise_id": ...} for the chosen target."""
        kind, _colon, target_id = data["target"].partition(":")
        return {"lesson_id": int(target_id), "exercise_id": None} if kind == "lesson" else \
            {"exercise_id": int(target_id), "lesson_id": None}


class ExtensionForm(ClassForm):
    learner = forms.ModelChoiceField(label=_("Learner"), queryset=User.objects.none())
    exercise = forms.ModelChoiceField(label=_("Exercise"), queryset=Exercise.objects.visible())
    due_at = due_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = self.classroom.learners.order_by("username")
        self.fields["exercise"].label_from_instance = lambda exercise: exercise.localized_title()
